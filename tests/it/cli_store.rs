use crate::util::{TestDir, SMALL_TTL};
use predicates::prelude::*;
use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

#[test]
fn the_default_store_is_seeded_on_first_use() {
    let t = TestDir::new();
    t.kg_default_store()
        .args([
            "query",
            "--format",
            "csv",
            "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a schema:NewsArticle }",
        ])
        .assert()
        .success()
        .stdout("n\r\n3\r\n");
    assert!(t.path().join("data/kg/store").is_dir());
}

#[test]
fn a_store_given_with_store_starts_empty() {
    let t = TestDir::new();
    t.kg()
        .arg("stats")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("0 quads\n"));
}

#[test]
fn a_second_process_gets_a_one_line_lock_error() {
    let t = TestDir::new();
    let f = t.create("a.ttl", SMALL_TTL);
    t.kg().arg("load").arg(&f).assert().success();
    // A scripted REPL waiting on stdin holds the store open; its answer to a first statement
    // shows it has opened the store, so the second process cannot win the race for the lock.
    let mut holder = std::process::Command::new(assert_cmd::cargo::cargo_bin("kg"))
        .arg("--store")
        .arg(t.store())
        .arg("repl")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = holder.stdin.take().unwrap();
    writeln!(stdin, "ASK {{ ?s ?p ?o }};").unwrap();
    let mut answer = String::new();
    BufReader::new(holder.stdout.take().unwrap())
        .read_line(&mut answer)
        .unwrap();
    assert_eq!(answer, "true\n");
    let out = t.kg().arg("stats").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("is in use by another kg process"), "{err}");
    drop(stdin);
    holder.wait().unwrap();
    t.kg().arg("stats").assert().success();
}

#[test]
fn stats_counts_graphs_classes_and_predicates() {
    let t = TestDir::new();
    let f = t.create("a.ttl", SMALL_TTL);
    t.kg()
        .args(["load", "--graph", "http://example.org/g"])
        .arg(&f)
        .assert()
        .success();
    let out = t.run(&["stats"]);
    assert!(out.starts_with("11 quads\n"), "{out}");
    let row = |name: &str, n: &str| {
        out.lines()
            .any(|l| l.contains(&format!(" {name} ")) && l.contains(&format!(" {n} ")))
    };
    assert!(row("ex:g", "11"), "{out}");
    assert!(row("ex:Person", "2"), "{out}");
    assert!(row("ex:name", "3"), "{out}");
}

#[test]
fn prefixes_persist_and_work_in_queries() {
    let t = TestDir::new();
    let f = t.create(
        "a.nt",
        "<http://example.org/ns/a> <http://example.org/ns/b> \"c\" .\n",
    );
    t.kg().arg("load").arg(&f).assert().success();
    t.kg()
        .args(["prefixes", "add", "my", "http://example.org/ns/"])
        .assert()
        .success();
    assert!(t.run(&["prefixes"]).contains("my:"));
    assert!(t
        .run(&["query", "SELECT ?o WHERE { my:a my:b ?o }"])
        .contains("c"));
    assert!(t
        .run(&["query", "SELECT ?s WHERE { ?s ?p ?o }"])
        .contains("my:a"));
    t.kg().args(["prefixes", "remove", "my"]).assert().success();
    t.kg()
        .args(["query", "SELECT ?o WHERE { my:a my:b ?o }"])
        .assert()
        .code(65);
    t.kg().args(["prefixes", "remove", "my"]).assert().code(1);
    t.kg()
        .args(["prefixes", "add", "1bad", "http://x/"])
        .assert()
        .code(1);
}

#[test]
fn prefixes_are_learned_from_loaded_files() {
    let t = TestDir::new();
    let f = t.create("a.ttl", SMALL_TTL);
    t.kg().arg("load").arg(&f).assert().success();
    assert!(t.run(&["prefixes"]).contains("<http://example.org/>"));
}

#[test]
fn optimize_compacts_without_changing_what_the_store_holds() {
    let t = TestDir::new();
    // Two loads leave two batches of files for the compaction to merge.
    let a = t.create("a.ttl", SMALL_TTL);
    let b = t.create(
        "b.nt",
        "<http://example.org/x> <http://example.org/p> \"1\" .\n",
    );
    t.kg().arg("load").arg(&a).assert().success();
    t.kg().arg("load").arg(&b).assert().success();
    let export = || {
        t.kg()
            .args(["export", "--format", "nquads"])
            .output()
            .unwrap()
            .stdout
    };
    let before = export();
    assert!(!before.is_empty());
    t.kg()
        .arg("optimize")
        .assert()
        .success()
        .stderr(predicate::str::is_match(r"^optimized the store in [0-9.]+ m?s\n$").unwrap());
    assert_eq!(export(), before);
}
