use crate::util::{TestDir, SMALL_TTL};
use predicates::prelude::*;

fn loaded() -> TestDir {
    let t = TestDir::new();
    let f = t.create("a.ttl", SMALL_TTL);
    t.kg().arg("load").arg(&f).assert().success();
    t
}

const SELECT: &str = "SELECT ?p ?name WHERE { ?p a ex:Person ; ex:name ?name } ORDER BY ?p ?name";

#[test]
fn table_shortens_iris_and_shows_literals_as_people_read_them() {
    let t = loaded();
    let out = t.run(&["query", SELECT]);
    assert!(out.contains("?p") && out.contains("?name"), "{out}");
    assert!(out.contains("ex:alice"), "{out}");
    assert!(out.contains("Alicia @es"), "{out}");
    assert!(!out.contains("<http://example.org/alice>"), "{out}");
    let heights = t.run(&[
        "query",
        "SELECT ?h ?a WHERE { OPTIONAL { ex:bob ex:height ?h } OPTIONAL { ex:alice ex:age ?a } }",
    ]);
    assert!(heights.contains("1.8"), "{heights}");
    assert!(heights.contains("42"), "{heights}");
    t.kg()
        .args(["query", SELECT])
        .assert()
        .stderr(predicate::str::is_match(r"^3 rows in [0-9.]+ ms\n$").unwrap());
}

#[test]
fn an_empty_result_says_so() {
    let t = loaded();
    assert_eq!(
        t.run(&["query", "SELECT ?x WHERE { ?x a ex:Nothing }"]),
        "(no results)\n"
    );
}

#[test]
fn w3c_result_formats_are_exact() {
    let t = loaded();
    let q = "SELECT ?name WHERE { ex:bob ex:name ?name }";
    assert_eq!(t.run(&["query", "--format", "csv", q]), "name\r\nBob\r\n");
    assert_eq!(
        t.run(&["query", "--format", "tsv", q]).trim_end(),
        "?name\n\"Bob\""
    );
    let json: serde_json::Value =
        serde_json::from_str(&t.run(&["query", "--format", "json", q])).unwrap();
    assert_eq!(json["head"]["vars"][0], "name");
    assert_eq!(json["results"]["bindings"][0]["name"]["value"], "Bob");
    let xml = t.run(&["query", "--format", "xml", q]);
    assert!(
        xml.starts_with("<?xml") && xml.contains("<literal>Bob</literal>"),
        "{xml}"
    );
    assert_eq!(
        t.run(&["query", "--format", "json", "ASK { ex:bob ?p ?o }"]),
        r#"{"head":{},"boolean":true}"#
    );
    assert_eq!(t.run(&["query", "ASK { ex:nobody ?p ?o }"]), "false\n");
}

#[test]
fn graph_answers_in_every_rdf_format() {
    let t = loaded();
    let q = "CONSTRUCT { ?s ex:name ?n } WHERE { ?s ex:name ?n }";
    let ttl = t.run(&["query", q]);
    assert!(
        ttl.starts_with("@prefix ex: <http://example.org/> ."),
        "{ttl}"
    );
    assert!(
        ttl.contains("ex:alice ex:name \"Alice\", \"Alicia\"@es ."),
        "{ttl}"
    );
    for (format, needle) in [
        (
            "ntriples",
            "<http://example.org/bob> <http://example.org/name> \"Bob\" .",
        ),
        (
            "nquads",
            "<http://example.org/bob> <http://example.org/name> \"Bob\" .",
        ),
        ("trig", "ex:bob ex:name \"Bob\""),
        ("rdfxml", "rdf:RDF"),
        ("jsonld", "\"@id\""),
        ("table", "ex:bob"),
    ] {
        let out = t.run(&["query", "--format", format, q]);
        assert!(out.contains(needle), "{format}: {out}");
    }
    t.kg()
        .args(["query", "--format", "csv", q])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot be rendered as csv"));
}

#[test]
fn syntax_errors_show_the_line_with_a_caret_and_exit_65() {
    let t = loaded();
    t.kg()
        .args([
            "query",
            "SELECT ?x WHERE {\n  ?x ex:name ?n\n  FILTER(?n = ) }",
        ])
        .assert()
        .code(65)
        .stderr(predicate::str::is_match(r"<query>:3:\d+: syntax error").unwrap())
        .stderr(predicate::str::is_match(r"3 \|   FILTER\(\?n = \) \}\n +\^").unwrap());
}

#[test]
fn queries_come_from_a_file_or_stdin() {
    let t = loaded();
    let f = t.create("q.rq", SELECT);
    assert!(t
        .run(&["query", "--file", f.to_str().unwrap()])
        .contains("ex:bob"));
    let out = t
        .kg()
        .args(["query", "-"])
        .write_stdin(SELECT)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("ex:bob"));
    t.kg()
        .args(["query", "--file", "missing.rq"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("missing.rq"));
    t.kg()
        .arg("query")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no query given"));
}

#[test]
fn evaluation_failures_exit_1() {
    let t = loaded();
    t.kg()
        .args([
            "query",
            "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        ])
        .assert()
        .code(1);
    t.kg()
        .args(["query", "SELECT (<http://example.org/f>(1) AS ?x) {}"])
        .assert()
        .code(1);
}

#[test]
fn union_default_graph_sees_named_graphs_unless_told_otherwise() {
    let t = TestDir::new();
    let f = t.create("a.ttl", SMALL_TTL);
    t.kg()
        .args(["load", "--graph", "http://example.org/g"])
        .arg(&f)
        .assert()
        .success();
    assert!(t
        .run(&["query", "ASK { ex:bob ex:name \"Bob\" }"])
        .contains("true"));
    assert!(t
        .run(&[
            "query",
            "--default-graph-only",
            "ASK { ex:bob ex:name \"Bob\" }"
        ])
        .contains("false"));
}

#[test]
fn timeout_stops_a_runaway_query() {
    let t = TestDir::new();
    let mut data = String::new();
    for i in 0..300 {
        data.push_str(&format!("<http://e/s{i}> <http://e/p> {i} .\n"));
    }
    let f = t.create("many.ttl", data);
    t.kg().arg("load").arg(&f).assert().success();
    let start = std::time::Instant::now();
    t.kg()
        .args([
            "query",
            "--timeout",
            "1",
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z . ?d ?s ?w }",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("timeout"));
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
}

#[test]
fn updates_apply_atomically() {
    let t = loaded();
    t.kg()
        .args([
            "update",
            "INSERT DATA { ex:carol a ex:Person ; ex:name \"Carol\" }",
        ])
        .assert()
        .success();
    assert!(t.run(&["query", SELECT]).contains("Carol"));
    let before = t.nquads();
    // The second operation fails (the graph exists), so the first must not apply either.
    t.kg()
        .args([
            "update",
            "INSERT DATA { GRAPH ex:g { ex:dave ex:name \"Dave\" } } ; CREATE GRAPH ex:g",
        ])
        .assert()
        .code(1);
    assert_eq!(t.nquads(), before);
    t.kg()
        .args(["update", "INSERT DATA { ex:x ex:y }"])
        .assert()
        .code(65)
        .stderr(predicate::str::contains("^"));
    assert_eq!(t.nquads(), before);
    let f = t.create("u.ru", "DELETE WHERE { ex:carol ?p ?o }");
    t.kg().args(["update", "--file"]).arg(&f).assert().success();
    assert!(!t.run(&["query", SELECT]).contains("Carol"));
}

#[test]
fn usage_errors_exit_2() {
    let t = TestDir::new();
    t.kg().args(["query", "--nope"]).assert().code(2);
    t.kg().args(["frobnicate"]).assert().code(2);
}

#[test]
fn answers_too_big_to_hold_are_refused_with_advice_and_streaming_formats_work() {
    let t = TestDir::new();
    let mut data = String::new();
    for i in 0..1500 {
        data.push_str(&format!("<http://e/s{i}> <http://e/p> {i} .\n"));
    }
    let f = t.create("many.ttl", data);
    t.kg().arg("load").arg(&f).assert().success();
    let q = "SELECT ?a ?b WHERE { ?a <http://e/p> ?x . ?b <http://e/p> ?y }";
    t.kg()
        .args(["query", q])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("more than 2000000 rows"))
        .stderr(predicate::str::contains("--format tsv"));
    let out = t
        .kg()
        .args(["query", "--format", "tsv", q])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        1500 * 1500 + 1
    );
}
