use crate::util::{TestDir, SMALL_TTL};
use predicates::prelude::*;

const NO_BNODES: &str = r#"@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:alice a ex:Person ; ex:name "Alice" , "Alicia"@es , "multi\nline \"quoted\"" ; ex:age 42 ; ex:knows ex:bob ;
  ex:born "1990-01-02"^^xsd:date ; ex:score 1.5e3 ; ex:ok true .
ex:bob a ex:Person ; ex:name "Bob" ; ex:height 1.80 .
"#;

#[test]
fn every_format_round_trips() {
    let t = TestDir::new();
    let f = t.create("a.ttl", NO_BNODES);
    t.kg()
        .args(["load", "--graph", "http://example.org/g"])
        .arg(&f)
        .assert()
        .success();
    let original = t.nquads();
    for (format, ext, dataset) in [
        ("turtle", "ttl", false),
        ("ntriples", "nt", false),
        ("rdfxml", "rdf", false),
        ("jsonld", "jsonld", false),
        ("nquads", "nq", true),
        ("trig", "trig", true),
    ] {
        let out = t.path().join(format!("out.{ext}"));
        t.kg()
            .args(["export", "--format", format, "-o"])
            .arg(&out)
            .assert()
            .success();
        let u = TestDir::new();
        let mut load = u.kg();
        load.arg("load");
        if !dataset {
            load.args(["--graph", "http://example.org/g"]);
        }
        load.arg(&out).assert().success();
        assert_eq!(u.nquads(), original, "{format} did not round-trip");
    }
}

#[test]
fn exports_are_byte_identical_run_after_run() {
    let t = TestDir::new();
    let f = t.create("a.ttl", SMALL_TTL);
    t.kg().arg("load").arg(&f).assert().success();
    for format in ["turtle", "ntriples", "nquads", "trig", "rdfxml", "jsonld"] {
        let a = t.run(&["export", "--format", format]);
        let b = t.run(&["export", "--format", format]);
        assert_eq!(a, b, "{format}");
    }
}

#[test]
fn turtle_is_written_as_a_person_would() {
    let t = TestDir::new();
    let f = t.create("a.ttl", SMALL_TTL);
    t.kg().arg("load").arg(&f).assert().success();
    let ttl = t.run(&["export"]);
    let expected = r#"@prefix ex: <http://example.org/> .

ex:alice a ex:Person ;
    ex:age 42 ;
    ex:knows ex:bob ;
    ex:name "Alice", "Alicia"@es .

ex:bob a ex:Person ;
    ex:address [
        ex:city "Köln" ;
        ex:zip "50667"
    ] ;
    ex:height 1.8 ;
    ex:name "Bob" .
"#;
    assert_eq!(ttl, expected);
}

#[test]
fn only_used_prefixes_are_declared_and_shared_blank_nodes_keep_labels() {
    let t = TestDir::new();
    let f = t.create("b.ttl", "@prefix ex: <http://example.org/> .\n@prefix unused: <http://unused.org/> .\nex:a ex:p _:x . ex:b ex:p _:x . _:x ex:q _:x .\n");
    t.kg().arg("load").arg(&f).assert().success();
    let ttl = t.run(&["export"]);
    assert!(!ttl.contains("unused"), "{ttl}");
    assert!(!ttl.contains("@prefix rdf:"), "{ttl}");
    assert!(ttl.contains("ex:a ex:p _:b0 ."), "{ttl}");
    assert!(ttl.contains("_:b0 ex:q _:b0 ."), "{ttl}");
}

#[test]
fn graph_selection() {
    let t = TestDir::new();
    let f = t.create("a.nt", "<http://e/s> <http://e/p> \"default\" .\n");
    let g = t.create("b.nt", "<http://e/s> <http://e/p> \"named\" .\n");
    t.kg().arg("load").arg(&f).assert().success();
    t.kg()
        .args(["load", "--graph", "http://e/g"])
        .arg(&g)
        .assert()
        .success();
    let all = t.run(&["export", "--format", "ntriples"]);
    assert!(all.contains("\"default\"") && all.contains("\"named\""));
    let d = t.run(&["export", "--format", "ntriples", "--graph", "default"]);
    assert!(d.contains("\"default\"") && !d.contains("\"named\""));
    let n = t.run(&["export", "--format", "ntriples", "--graph", "http://e/g"]);
    assert!(!n.contains("\"default\"") && n.contains("\"named\""));
    let q = t.run(&["export", "--format", "nquads"]);
    assert!(q.contains("\"named\" <http://e/g> ."));
    t.kg()
        .args(["export", "--graph", "http://e/none"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no graph named"));
    t.kg().args(["export", "--format", "csv"]).assert().code(1);
}

#[test]
fn typed_literals_come_back_normalised_by_value() {
    // Oxigraph stores typed literals by value; the README says so. This pins the behaviour.
    let t = TestDir::new();
    let f = t.create("n.ttl", "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n<http://e/s> <http://e/p> \"1.0\"^^xsd:decimal, \"0\"^^xsd:boolean .\n");
    t.kg().arg("load").arg(&f).assert().success();
    let nt = t.run(&["export", "--format", "ntriples"]);
    assert!(
        nt.contains("\"1\"^^<http://www.w3.org/2001/XMLSchema#decimal>"),
        "{nt}"
    );
    assert!(
        nt.contains("\"false\"^^<http://www.w3.org/2001/XMLSchema#boolean>"),
        "{nt}"
    );
}

/// N-Triples of several graphs is their merge as a set: a triple in three graphs once, a subject
/// whose triples are spread over graphs (some only in a later graph) complete, blank nodes kept,
/// twice the same bytes; and the same triples as the Turtle export.
#[test]
fn merged_ntriples_is_the_set_of_the_graphs_triples() {
    let t = TestDir::new();
    let shared = "<http://e/s> <http://e/p> \"everywhere\" .\n";
    let f = t.create(
        "d.nt",
        format!("{shared}<http://e/a> <http://e/p> _:x .\n_:x <http://e/q> \"in default\" .\n"),
    );
    let g = t.create(
        "g.nt",
        format!("{shared}<http://e/s> <http://e/p> \"only g\" .\n<http://e/late> <http://e/p> \"g and h\" .\n"),
    );
    let h = t.create(
        "h.nt",
        format!("{shared}<http://e/late> <http://e/p> \"g and h\" .\n<http://e/late> <http://e/q> \"only h\" .\n<http://e/z> <http://e/p> _:y .\n"),
    );
    t.kg().arg("load").arg(&f).assert().success();
    for (graph, file) in [("http://e/g", &g), ("http://e/h", &h)] {
        t.kg()
            .args(["load", "--graph", graph])
            .arg(file)
            .assert()
            .success();
    }
    let nt = t.run(&["export", "--format", "ntriples"]);
    assert_eq!(
        nt,
        t.run(&["export", "--format", "ntriples"]),
        "not deterministic"
    );
    let lines: Vec<&str> = nt.lines().collect();
    assert_eq!(lines.len(), 7, "{nt}");
    assert_eq!(
        lines.iter().filter(|l| l.contains("everywhere")).count(),
        1,
        "{nt}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.contains("g and h")).count(),
        1,
        "{nt}"
    );
    for value in ["only g", "only h", "in default"] {
        assert!(nt.contains(value), "{value}: {nt}");
    }
    // Each subject's triples together.
    let subjects: Vec<&str> = lines.iter().map(|l| l.split(' ').next().unwrap()).collect();
    let mut runs = subjects.clone();
    runs.dedup();
    let mut distinct = runs.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(runs.len(), distinct.len(), "a subject comes back: {nt}");
    // The Turtle export holds the same triples.
    let back = TestDir::new();
    let ttl = back.create("all.ttl", t.run(&["export", "--format", "turtle"]));
    let again = back.create("all.nt", &nt);
    back.kg()
        .args(["load", "--graph", "http://e/from-ttl"])
        .arg(&ttl)
        .assert()
        .success();
    back.kg()
        .args(["load", "--graph", "http://e/from-nt"])
        .arg(&again)
        .assert()
        .success();
    let count = |g: &str| {
        back.run(&[
            "query",
            "--format",
            "tsv",
            &format!("SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}"),
        ])
    };
    assert_eq!(count("http://e/from-ttl"), count("http://e/from-nt"));
    let differ = back.run(&[
        "query",
        "--format",
        "tsv",
        "SELECT ?s ?p ?o WHERE { GRAPH <http://e/from-nt> { ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) } FILTER NOT EXISTS { GRAPH <http://e/from-ttl> { ?s ?p ?o } } }",
    ]);
    assert_eq!(differ.trim(), "?s\t?p\t?o", "{differ}");
}
