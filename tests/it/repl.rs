//! The REPL as a person uses it (a pseudo-terminal) and as a script (stdin not a terminal).

use crate::util::{TestDir, SMALL_TTL};
use expectrl::{ControlCode, Eof, Session};
use predicates::prelude::*;
use std::time::Duration;

fn spawn(t: &TestDir, no_color: bool) -> Session {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kg"));
    cmd.arg("--store")
        .arg(t.store())
        .env_remove("KG_STORE")
        .env("HOME", t.path().join("home"))
        .env("XDG_DATA_HOME", t.path().join("data"))
        .env("TERM", "xterm");
    if no_color {
        cmd.env("NO_COLOR", "1");
    } else {
        cmd.env_remove("NO_COLOR");
    }
    let mut s = Session::spawn(cmd).expect("spawn kg in a pty");
    s.set_expect_timeout(Some(Duration::from_secs(20)));
    s
}

fn loaded() -> TestDir {
    let t = TestDir::new();
    let f = t.create("a.ttl", SMALL_TTL);
    t.kg().arg("load").arg(&f).assert().success();
    t
}

#[test]
fn multi_line_query_with_continuation_prompt() {
    let t = loaded();
    let mut s = spawn(&t, true);
    s.expect("kg> ").unwrap();
    s.send_line("SELECT ?name WHERE {").unwrap();
    s.expect("...> ").unwrap();
    s.send_line("  ex:bob ex:name ?name }").unwrap();
    s.expect("Bob").unwrap();
    s.expect("1 row in").unwrap();
    s.expect("kg> ").unwrap();
    s.send_line(".quit").unwrap();
    s.expect(Eof).unwrap();
}

// Lines typed (or sent) while the editor is still reading an earlier one are kept for the next
// prompt: without the editor's carried-over buffer the second line was read and dropped.
#[test]
fn lines_typed_ahead_all_run_in_order() {
    let t = loaded();
    let mut s = spawn(&t, true);
    s.expect("kg> ").unwrap();
    s.send(
        "INSERT DATA { <http://example.org/dora> <http://example.org/name> \"Dora\" }\r\
         SELECT ?n WHERE { ex:dora ex:name ?n }\r.format csv\rSELECT ?n WHERE { ex:bob ex:name ?n }\r",
    )
    .unwrap();
    s.expect("update applied in").unwrap();
    s.expect("Dora").unwrap();
    s.expect("1 row in").unwrap();
    s.expect("Bob").unwrap();
    s.expect("kg> ").unwrap();
    s.send_line(".quit").unwrap();
    s.expect(Eof).unwrap();
}

#[test]
fn tab_completes_keywords_prefixes_classes_and_properties() {
    let t = loaded();
    let mut s = spawn(&t, true);
    s.expect("kg> ").unwrap();
    // Give the background vocabulary a moment to load.
    std::thread::sleep(Duration::from_millis(500));
    s.send("SELEC\t").unwrap();
    s.expect("SELECT").unwrap();
    s.send(" * WHERE { ?p a ex:Pe\t").unwrap();
    s.expect("ex:Person").unwrap();
    s.send(" ; ex:na\t").unwrap();
    s.expect("ex:name").unwrap();
    s.send(" ?n . ?p schema:\t\t").unwrap();
    s.send(ControlCode::EndOfText).unwrap(); // Ctrl-C clears the line
    s.expect("kg> ").unwrap();
    s.send("SELECT * { ?s a sk\t").unwrap();
    s.expect("skos:").unwrap();
    s.send(ControlCode::EndOfText).unwrap();
    s.expect("kg> ").unwrap();
    s.send_line(".quit").unwrap();
    s.expect(Eof).unwrap();
}

#[test]
fn syntax_error_then_good_query_and_dot_commands() {
    let t = loaded();
    let mut s = spawn(&t, true);
    s.expect("kg> ").unwrap();
    s.send_line("SELECT ?x WHERE { ?x ?y };").unwrap();
    s.expect("^").unwrap();
    s.expect("kg> ").unwrap();
    s.send_line("SELECT ?n WHERE { ex:alice ex:age ?n };")
        .unwrap();
    s.expect("42").unwrap();
    s.expect("kg> ").unwrap();
    s.send_line(".format csv").unwrap();
    s.expect("kg> ").unwrap();
    s.send_line("SELECT ?n WHERE { ex:alice ex:age ?n };")
        .unwrap();
    s.expect("42").unwrap();
    s.expect("kg> ").unwrap();
    s.send_line(".stats").unwrap();
    s.expect("11 quads").unwrap();
    s.expect("ex:zip").unwrap();
    s.expect("kg> ").unwrap();
    s.send_line(".describe ex:bob").unwrap();
    s.expect("1.8").unwrap();
    s.expect("kg> ").unwrap();
    s.send_line(".help").unwrap();
    s.expect(".describe NAME").unwrap();
    s.expect("kg> ").unwrap();
    s.send_line(".quit").unwrap();
    s.expect(Eof).unwrap();
}

#[test]
fn history_survives_a_restart() {
    let t = loaded();
    let mut s = spawn(&t, true);
    s.expect("kg> ").unwrap();
    s.send_line("ASK { ex:alice ex:knows ex:bob }").unwrap();
    s.expect("true").unwrap();
    s.send_line(".quit").unwrap();
    s.expect(Eof).unwrap();
    let mut s = spawn(&t, true);
    s.expect("kg> ").unwrap();
    s.send("\x1b[A").unwrap(); // Up arrow recalls the last statement
    s.expect("ASK { ex:alice ex:knows ex:bob }").unwrap();
    s.send("\r").unwrap();
    s.expect("true").unwrap();
    s.send_line(".quit").unwrap();
    s.expect(Eof).unwrap();
}

#[test]
fn ctrl_c_cancels_a_running_query_and_the_session_survives() {
    let t = TestDir::new();
    let mut data = String::new();
    for i in 0..400 {
        data.push_str(&format!("<http://e/s{i}> <http://e/p> {i} .\n"));
    }
    let f = t.create("many.ttl", data);
    t.kg().arg("load").arg(&f).assert().success();
    let mut s = spawn(&t, true);
    s.expect("kg> ").unwrap();
    s.send_line("SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z . ?d ?s ?w };")
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let start = std::time::Instant::now();
    s.send(ControlCode::EndOfText).unwrap();
    s.expect("query cancelled").unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "cancel took {:?}",
        start.elapsed()
    );
    s.expect("kg> ").unwrap();
    s.send_line("ASK { ?s ?p 5 }").unwrap();
    s.expect("true").unwrap();
    s.send_line(".quit").unwrap();
    s.expect(Eof).unwrap();
}

#[test]
fn colour_only_without_no_color() {
    let t = loaded();
    let mut s = spawn(&t, false);
    s.expect("kg> ").unwrap();
    s.send("SELECT").unwrap();
    s.expect("34mSELECT").unwrap();
    s.send(ControlCode::EndOfText).unwrap();
    s.expect("kg> ").unwrap();
    s.send_line(".quit").unwrap();
    s.expect(Eof).unwrap();
    let mut s = spawn(&t, true);
    s.expect("kg> ").unwrap();
    s.send_line("ASK { ?s ?p ?o }").unwrap();
    let found = s.expect("true").unwrap();
    let before = String::from_utf8_lossy(found.before()).into_owned();
    assert!(!has_sgr(&before), "colour with NO_COLOR set: {before:?}");
    s.send_line(".quit").unwrap();
    s.expect(Eof).unwrap();
}

#[test]
fn scripted_stdin_runs_statements_and_stops_at_the_first_error() {
    let t = loaded();
    t.kg()
        .arg("repl")
        .write_stdin(".format csv\nSELECT ?n\nWHERE { ex:alice ex:age ?n };\n# a comment\nASK { ex:alice ?p ?o }\n")
        .assert()
        .success()
        .stdout("n\r\n42\r\ntrue");
    t.kg()
        .arg("repl")
        .write_stdin("SELECT ?x WHERE { ?x };\nASK { ?s ?p ?o };\n")
        .assert()
        .code(65)
        .stdout("")
        .stderr(predicate::str::contains("^"));
    t.kg()
        .arg("repl")
        .write_stdin(".stat\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no dot-command named '.stat'; did you mean .stats?",
        ));
    t.kg()
        .args(["repl", "--keep-going"])
        .write_stdin("SELECT ?x WHERE { ?x };\nASK { ?s ?p ?o };\n")
        .assert()
        .code(65)
        .stdout("true\n");
    // A query pasted with its PREFIX lines first: a prologue alone is a valid (empty) update, but the
    // statement is not over until the query is.
    t.kg()
        .arg("repl")
        .write_stdin(
            ".format tsv\nPREFIX ex: <http://example.org/>\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n\
             SELECT ?n\nWHERE { ex:alice ex:age ?n }\nPREFIX ex: <http://example.org/>\nINSERT DATA { ex:p ex:q 1 }\n",
        )
        .assert()
        .success()
        .stdout("?n\n42\n");
    // `.output FILE` takes dot-command output as well as answers; `.help` stays on the terminal.
    let out = t.path().join("out.txt");
    t.kg()
        .arg("repl")
        .write_stdin(format!(
            ".output {}\n.stats\n.help\nASK {{ ex:alice ?p ?o }};\n.output\n.format tsv\nASK {{}};\n",
            out.display()
        ))
        .assert()
        .success()
        .stdout(predicate::str::contains(".output [FILE]").and(predicate::str::ends_with("true")))
        .stdout(predicate::str::contains("quads").not());
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(
        written.contains("quads") && written.ends_with("true\n"),
        "{written}"
    );
    // Updates run too, and `.read` runs a file through the same path.
    let script = t.create("s.rq", "INSERT DATA { ex:zed ex:name \"Zed\" };\n");
    t.kg()
        .arg("repl")
        .write_stdin(format!(
            ".read {}\n.format tsv\nSELECT ?n {{ ex:zed ex:name ?n }};\n",
            script.display()
        ))
        .assert()
        .success()
        .stdout(predicate::str::starts_with("?n\n\"Zed\""));
}

/// Whether text holds an SGR (colour) escape: ESC [ digits/semicolons m.
fn has_sgr(text: &str) -> bool {
    text.match_indices("\x1b[").any(|(i, _)| {
        let rest = &text[i + 2..];
        let params = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ';')
            .count();
        rest[params..].starts_with('m')
    })
}

#[test]
fn the_session_says_whether_inference_is_on_and_switches_it() {
    let t = TestDir::new();
    let onto = t.create(
        "o.ttl",
        "@prefix ex: <http://example.org/> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\nex:Corporation rdfs:subClassOf ex:Organization .\nex:acme a ex:Corporation .\n",
    );
    t.kg().arg("load").arg(&onto).assert().success();
    t.kg().arg("infer").assert().success();
    let mut s = spawn(&t, true);
    s.expect("inference: on").unwrap();
    s.expect("kg> ").unwrap();
    s.send_line("SELECT ?o WHERE { ?o a ex:Organization }")
        .unwrap();
    s.expect("ex:acme").unwrap();
    s.expect("1 row in").unwrap();
    s.send_line(".inference off").unwrap();
    s.expect("inference: off").unwrap();
    s.send_line("SELECT ?o WHERE { ?o a ex:Organization }")
        .unwrap();
    s.expect("(no results)").unwrap();
    s.send_line(".inference on").unwrap();
    s.expect("inference: on").unwrap();
    s.send_line(".why ex:acme a ex:Organization").unwrap();
    s.expect("cax-sco").unwrap();
    s.expect("[asserted]").unwrap();
    s.send_line(".quit").unwrap();
    s.expect(Eof).unwrap();
}

// Issue 15: on a store traversed before, the session prepares the projection in the background, and
// prepares it again after a write, which the next traversal then sees.
#[test]
fn issue_15_the_session_prepares_the_projection_in_the_background() {
    let t = TestDir::new();
    let f = t.create(
        "g.ttl",
        "@prefix ex: <http://example.org/> .\nex:a ex:knows ex:b . ex:b ex:knows ex:c .\n",
    );
    // The first load into a new store saved its projection.
    t.kg().arg("load").arg(&f).assert().success();
    t.kg()
        .args(["path", "ex:a", "ex:c"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "opened the saved projection of 3 nodes",
        ));
    let mut s = spawn(&t, true);
    s.expect("kg> ").unwrap();
    s.send_line(".path ex:a ex:c").unwrap();
    // The projection line comes first (stderr), then the path.
    s.expect("opened the saved projection of 3 nodes and 2 edges")
        .unwrap();
    s.expect("(waiting for the background preparation)")
        .unwrap();
    s.expect("(2 hops)").unwrap();
    s.expect("kg> ").unwrap();
    s.send_line(
        "INSERT DATA { <http://example.org/a> <http://example.org/knows> <http://example.org/c> }",
    )
    .unwrap();
    // Not "kg> ": the editor redraws the prompt with the line as it arrives.
    s.expect("update applied in").unwrap();
    s.expect("kg> ").unwrap();
    s.send_line(".path ex:a ex:c").unwrap();
    // The update patched the saved projection, which the preparation opened.
    s.expect("opened the saved projection of 3 nodes and 3 edges")
        .unwrap();
    s.expect("(waiting for the background preparation)")
        .unwrap();
    s.expect("(1 hop)").unwrap();
    s.expect("kg> ").unwrap();
    s.send(ControlCode::EndOfTransmission).unwrap();
    s.expect(Eof).unwrap();
}

// Issue 15: the completion vocabulary is saved beside the store, so the next session on an unchanged
// store completes at its first prompt; a write makes it computed again.
#[test]
fn issue_15_the_completion_vocabulary_is_ready_at_the_first_prompt_of_the_next_session() {
    let t = loaded();
    let saved = t.store().join("kg-vocabulary.json");
    let mut s = spawn(&t, true);
    s.expect("kg> ").unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !saved.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(saved.exists(), "the vocabulary was not saved");
    s.send_line(".quit").unwrap();
    s.expect(Eof).unwrap();
    let first = std::fs::read(&saved).unwrap();

    // No pause this time: the class completes at once.
    let mut s = spawn(&t, true);
    s.expect("kg> ").unwrap();
    s.send("SELECT * WHERE { ?p a ex:Pe\t").unwrap();
    s.expect("ex:Person").unwrap();
    s.send(ControlCode::EndOfText).unwrap();
    s.expect("kg> ").unwrap();
    s.send_line("INSERT DATA { <http://example.org/carol> a <http://example.org/Robot> }")
        .unwrap();
    s.expect("update applied in").unwrap();
    s.expect("kg> ").unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::fs::read(&saved).unwrap() == first && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    s.send("SELECT * WHERE { ?p a ex:Ro\t").unwrap();
    s.expect("ex:Robot").unwrap();
    s.send(ControlCode::EndOfText).unwrap();
    s.expect("kg> ").unwrap();
    s.send_line(".quit").unwrap();
    s.expect(Eof).unwrap();
    assert_ne!(std::fs::read(&saved).unwrap(), first);
}
