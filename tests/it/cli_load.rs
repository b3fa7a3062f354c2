use crate::util::{TestDir, SMALL_TTL};
use predicates::prelude::*;
use std::io::Write;

#[test]
fn loads_turtle_and_reports_a_summary() {
    let t = TestDir::new();
    let f = t.create("a.ttl", SMALL_TTL);
    t.kg()
        .arg("load")
        .arg(&f)
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::is_match(r"^loaded 11 quads from 1 file in [0-9.]+ s \([0-9]+ quads/s\)\nlearned prefix ex: <http://example.org/>\nsaved the projection for traversals of the new store: [0-9]+ nodes and [0-9]+ edges in [0-9.]+ s\n$").unwrap());
    assert_eq!(t.nquads().lines().count(), 11);
}

#[test]
fn every_input_format_is_detected_from_its_extension() {
    let cases: &[(&str, &str)] = &[
        ("a.nt", "<http://e/s> <http://e/p> \"o\" .\n"),
        ("a.nq", "<http://e/s> <http://e/p> \"o\" <http://e/g> .\n"),
        (
            "a.trig",
            "<http://e/g> { <http://e/s> <http://e/p> \"o\" }\n",
        ),
        (
            "a.rdf",
            r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/"><rdf:Description rdf:about="http://e/s"><e:p>o</e:p></rdf:Description></rdf:RDF>"#,
        ),
        (
            "a.owl",
            r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/"><rdf:Description rdf:about="http://e/s"><e:p>o</e:p></rdf:Description></rdf:RDF>"#,
        ),
        ("a.jsonld", r#"{"@id": "http://e/s", "http://e/p": "o"}"#),
        ("a.ttl", "<http://e/s> <http://e/p> \"o\" .\n"),
    ];
    for (name, text) in cases {
        let t = TestDir::new();
        let f = t.create(name, text);
        t.kg().arg("load").arg(&f).assert().success();
        let nq = t.nquads();
        assert!(
            nq.contains("<http://e/s> <http://e/p> \"o\""),
            "{name}: {nq}"
        );
    }
}

#[test]
fn gzip_files_load_by_their_inner_extension() {
    let t = TestDir::new();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(SMALL_TTL.as_bytes()).unwrap();
    let f = t.create("a.ttl.gz", gz.finish().unwrap());
    t.kg().arg("load").arg(&f).assert().success();
    assert_eq!(t.nquads().lines().count(), 11);
}

#[test]
fn stdin_needs_a_format() {
    let t = TestDir::new();
    t.kg()
        .args(["load", "-"])
        .write_stdin(SMALL_TTL)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--format"));
    t.kg()
        .args(["load", "--format", "turtle", "-"])
        .write_stdin(SMALL_TTL)
        .assert()
        .success();
    assert_eq!(t.nquads().lines().count(), 11);
}

#[test]
fn named_graph_option_puts_triples_in_that_graph() {
    let t = TestDir::new();
    let f = t.create("a.ttl", SMALL_TTL);
    t.kg()
        .args(["load", "--graph", "http://example.org/g"])
        .arg(&f)
        .assert()
        .success();
    let nq = t.nquads();
    assert!(
        nq.lines().all(|l| l.ends_with("<http://example.org/g> .")),
        "{nq}"
    );
    t.kg()
        .args(["load", "--graph", "not an iri"])
        .arg(&f)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--graph"));
}

#[test]
fn syntax_errors_name_file_line_and_column_and_exit_65() {
    let t = TestDir::new();
    let f = t.create(
        "bad.ttl",
        "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e \"unterminated .\n",
    );
    t.kg()
        .arg("load")
        .arg(&f)
        .assert()
        .code(65)
        .stderr(predicate::str::is_match(r"bad\.ttl:3:\d+: ").unwrap());
}

#[test]
fn a_failed_load_leaves_the_store_exactly_as_it_was() {
    let t = TestDir::new();
    let good = t.create("good.ttl", SMALL_TTL);
    t.kg().arg("load").arg(&good).assert().success();
    let before = t.nquads();
    let other = t.create("other.nt", "<http://e/x> <http://e/y> <http://e/z> .\n");
    let bad_inputs: Vec<(&str, Vec<u8>)> = vec![
        ("truncated.ttl", b"<http://e/a> <http://e/b> ".to_vec()),
        (
            "badiri.nt",
            b"<http://e/a> <http://e/b> <not an iri> .\n".to_vec(),
        ),
        (
            "badlang.ttl",
            b"<http://e/a> <http://e/b> \"x\"@-- .\n".to_vec(),
        ),
        (
            "utf8.nt",
            b"<http://e/a> <http://e/b> \"\xff\xfe\" .\n".to_vec(),
        ),
        ("junk.rdf", b"\x00\x01\x02 not xml".to_vec()),
        ("bad.jsonld", b"{\"@id\": ".to_vec()),
        (
            "bad.trig",
            b"<http://e/g> { <http://e/a> <http://e/b> ".to_vec(),
        ),
        ("corrupt.nt.gz", b"\x1f\x8b\x08\x00garbage".to_vec()),
    ];
    for (name, bytes) in bad_inputs {
        let bad = t.create(name, bytes);
        // The good file is listed first, so its quads were already parsed when the bad one fails.
        let out = t.kg().arg("load").arg(&other).arg(&bad).output().unwrap();
        assert!(!out.status.success(), "{name} should fail");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(name),
            "{name}: error should name the file: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        assert_eq!(t.nquads(), before, "{name} changed the store");
    }
}

#[test]
fn missing_files_directories_and_unknown_extensions_are_clear_errors() {
    let t = TestDir::new();
    t.kg()
        .args(["load", "nope.ttl"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nope.ttl"));
    std::fs::create_dir_all(t.path().join("adir.ttl")).unwrap();
    t.kg()
        .args(["load", "adir.ttl"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is a directory"));
    t.create("data.csv", "a,b\n");
    t.kg()
        .args(["load", "data.csv"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--format"));
    t.kg()
        .args(["load", "--format", "yaml", "data.csv"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unknown format"));
}

#[test]
fn an_empty_file_loads_nothing_and_succeeds() {
    let t = TestDir::new();
    let f = t.create("empty.ttl", "");
    t.kg()
        .arg("load")
        .arg(&f)
        .assert()
        .success()
        .stderr(predicate::str::contains("loaded 0 quads"));
}

#[test]
fn dry_run_validates_without_opening_the_store() {
    let t = TestDir::new();
    let good = t.create("good.ttl", SMALL_TTL);
    // A store path that cannot be a store: dry runs must not care.
    t.create("store", "not a directory");
    t.kg()
        .args(["load", "--dry-run"])
        .arg(&good)
        .assert()
        .success()
        .stderr(predicate::str::contains("checked 11 quads"));
    let bad = t.create("bad.nt", "<http://e/a> <http://e/b> .\n");
    t.kg()
        .args(["load", "--dry-run"])
        .arg(&bad)
        .assert()
        .code(65)
        .stderr(predicate::str::contains("bad.nt:1:"));
}

#[test]
fn base_iri_resolves_relative_iris() {
    let t = TestDir::new();
    let f = t.create("rel.ttl", "<a> <b> <c> .\n");
    t.kg()
        .args(["load", "--base", "http://example.org/base/"])
        .arg(&f)
        .assert()
        .success();
    assert!(t.nquads().contains(
        "<http://example.org/base/a> <http://example.org/base/b> <http://example.org/base/c>"
    ));
}

/// A file of N-Triples is parsed leniently and kg checks the terms itself (faster); standard input
/// goes through the strict parser. Both must accept and reject the same inputs with the same error,
/// to the column, and a rejected file must leave the store empty.
#[test]
fn deferred_validation_accepts_and_rejects_what_the_strict_parser_does() {
    let good: String = (0..300)
        .map(|i| format!("<http://e/s{i}> <http://e/p> \"v{i}\" .\n"))
        .collect();
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("iri", "<http://e/a b> <http://e/p> <http://e/o> .", Some(":151:")),
        ("predicate", "<http://e/s> <e:p\\u0020> <http://e/o> .", Some(":151:")),
        ("datatype", "<http://e/s> <http://e/p> \"1\"^^<x y> .", Some(":151:")),
        ("raw line break", "<http://e/s> <http://e/p> \"two\nlines\" .", Some(":151:")),
        ("surrogate pair", "<http://e/s> <http://e/p> \"\\uD83D\\uDE00\" .", Some(":151:")),
        ("language tag", "<http://e/s> <http://e/p> \"x\"@1abc .", Some(":151:")),
        (
            "langString",
            "<http://e/s> <http://e/p> \"x\"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString> .",
            Some(":151:"),
        ),
        ("no dot", "<http://e/s> <http://e/p> \"x\"", Some(":152:")),
        ("escaped line break", "<http://e/s> <http://e/p> \"two\\nlines\" .", None),
        ("astral character", "<http://e/s> <http://e/p> \"\\U0001F600 \u{1F600}\" .", None),
        ("astral IRI", "<http://e/\u{1F600}> <http://e/p> \"x\"@en-GB .", None),
    ];
    for (what, line, error) in cases {
        let (head, tail) = good.split_at(good.match_indices('\n').nth(149).unwrap().0 + 1);
        let text = format!("{head}{line}\n{tail}");
        let by_file = TestDir::new();
        let path = by_file.create("a.nt", &text);
        let file = by_file.kg().arg("load").arg(&path).output().unwrap();
        let by_stdin = TestDir::new();
        let stdin = by_stdin
            .kg()
            .args(["load", "--format", "nt", "-"])
            .write_stdin(text.as_bytes())
            .output()
            .unwrap();
        let file_err = String::from_utf8_lossy(&file.stderr).replace(&*path.to_string_lossy(), "");
        let file_err = file_err.replace("a.nt", "");
        let stdin_err = String::from_utf8_lossy(&stdin.stderr).replace("<stdin>", "");
        assert_eq!(
            file.status.code(),
            stdin.status.code(),
            "{what}: {file_err} / {stdin_err}"
        );
        match error {
            Some(at) => {
                assert_eq!(file.status.code(), Some(65), "{what}: {file_err}");
                assert!(file_err.contains(at), "{what}: {file_err}");
                assert_eq!(file_err, stdin_err, "{what}");
                assert_eq!(by_file.nquads(), "", "{what}: a failed load wrote");
            }
            None => {
                assert!(file.status.success(), "{what}: {file_err}");
                assert_eq!(by_file.nquads(), by_stdin.nquads(), "{what}");
                assert_eq!(by_file.nquads().lines().count(), 301, "{what}");
            }
        }
    }
}
