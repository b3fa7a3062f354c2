//! Bad input of every kind: a clear message with a location where there is one, a non-zero exit,
//! no panic, and a store exactly as it was.

use crate::util::{TestDir, SMALL_TTL};

/// (file name, contents, exit code, text the error must contain)
const BAD_FILES: &[(&str, &[u8], i32, &str)] = &[
    ("t1.ttl", b"<http://e/a> <http://e/b> ", 65, "t1.ttl:1:"),
    ("t2.ttl", b"<http://e/a> <http://e/b> <http://e/c>", 65, "t2.ttl:1:"),
    ("t3.ttl", b"@prefix ex: <http://e/> .\nex:a ex:b ex:c ;\n", 65, "t3.ttl:"),
    ("t4.ttl", b"ex:a ex:b ex:c .\n", 65, "t4.ttl:1:"),
    ("t5.ttl", b"<http://e/a> <http://e/b> \"unterminated .\n", 65, "t5.ttl:1:"),
    ("t6.ttl", b"<http://e/a> <http://e/b> \"x\"@-- .\n", 65, "t6.ttl:1:"),
    ("t7.ttl", b"<http://e/a> <http://e/b> \"x\"^^<not an iri> .\n", 65, "t7.ttl:1:"),
    ("t8.ttl", b"<http://e/a> <http://e/b> [ <http://e/c> 1 .\n", 65, "t8.ttl:"),
    ("t9.ttl", b"<http://e/a> <http://e/b> ( 1 2 .\n", 65, "t9.ttl:"),
    ("t10.ttl", b"<http://e/a> <http://e/b> \"\\u00ZZ\" .\n", 65, "t10.ttl:1:"),
    ("t11.ttl", b"@prefix : <http://e/> .\n:a :b :c .\n:d :e \"\xc3\x28\" .\n", 65, "t11.ttl"),
    ("t12.ttl", b"@prefix ex <http://e/> .\n", 65, "t12.ttl:1:"),
    ("n1.nt", b"<http://e/a> <http://e/b> .\n", 65, "n1.nt:1:"),
    ("n2.nt", b"<http://e/a> <http://e/b> <http://e/c>\n", 65, "n2.nt:"),
    ("n3.nt", b"_:a <http://e/b> 42 .\n", 65, "n3.nt:1:"),
    ("n4.nt", b"<http://e/a> <http://e/b> <http://e/c> <http://e/g> .\n", 65, "n4.nt:1:"),
    ("n5.nt", b"<a> <http://e/b> <http://e/c> .\n", 65, "n5.nt:1:"),
    ("n6.nt", b"\xff\xfe\x00<\x00h", 65, "n6.nt"),
    ("q1.nq", b"<http://e/a> <http://e/b> <http://e/c> \"g\" .\n", 65, "q1.nq:1:"),
    ("q2.nq", b"<http://e/a> <http://e/b> <http://e/c> <http://e/g>\n", 65, "q2.nq:"),
    ("g1.trig", b"<http://e/g> { <http://e/a> <http://e/b> <http://e/c> .\n", 65, "g1.trig:"),
    ("g2.trig", b"{ <http://e/a> <http://e/b> }\n", 65, "g2.trig:1:"),
    ("x1.rdf", b"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"http://e/a\"></rdf:Bogus></rdf:RDF>", 65, "x1.rdf"),
    ("x2.rdf", b"not xml at all", 65, "x2.rdf"),
    ("x3.owl", b"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"not an iri\"/></rdf:RDF>", 65, "x3.owl"),
    ("j1.jsonld", b"{\"@id\": ", 65, "j1.jsonld"),
    ("j2.jsonld", b"[1, 2, 3", 65, "j2.jsonld"),
    ("j3.jsonld", b"{\"@context\": 5, \"@id\": \"http://e/a\"}", 65, "j3.jsonld"),
    ("z1.nt.gz", b"\x1f\x8b\x08\x00garbage", 65, "z1.nt.gz"),
    ("z2.ttl.gz", b"not gzip at all", 65, "z2.ttl.gz"),
    ("bin.ttl", b"\x00\x01\x02\x03\x04\x05\x06\x07\x08", 65, "bin.ttl"),
    ("wrong-ext.ttl", b"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>", 65, "wrong-ext.ttl:1:"),
    ("s1.toml", b"[document\nfile = 1", 65, "s1.toml:1:"),
    ("s2.toml", b"title = \"no document\"\n", 65, "s2.toml:1:1: unknown section 'title'"),
    ("s3.toml", b"[document]\nfile = \"a.txt\"\ntitle = \"t\"\nlanguage = \"not a tag!\"\n", 65, "s3.toml:4:"),
    ("s4.toml", b"[document]\nfile = \"a.txt\"\ntitle = \"t\"\nlanguage = \"en\"\n[[entity]]\nid = \"Bad Id\"\na = \"schema:Country\"\nquote = \"q\"\n", 65, "s4.toml:6:"),
    ("s5.toml", b"[document]\nfile = \"a.txt\"\ntitle = \"t\"\nlanguage = \"en\"\n[[entity]]\nid = \"x\"\na = \"schema:Country\"\nquote = \"q\"\n[[entity]]\nid = \"x\"\na = \"schema:Country\"\nquote = \"q\"\n", 65, "duplicate id 'x'"),
    ("s6.toml", b"[document]\nfile = \"a.txt\"\ntitle = \"t\"\nlanguage = \"en\"\npublished = 2025-02-30\n", 65, "s6.toml:5:"),
    ("s7.toml", b"[document]\nfile = \"a.txt\"\ntitle = \"t\"\nlanguage = \"en\"\n[[fact]]\nid = \"f\"\na = \"kg:Target\"\nquote = \"q\"\n\"kg:targetYear\" = 20300\n", 65, "s7.toml:9:"),
    ("s8.toml", b"[document]\ntitle = \"t\"\nlanguage = \"en\"\n", 65, "[document] is missing 'file'"),
];

#[test]
fn bad_files_fail_clearly_and_change_nothing() {
    let t = TestDir::new();
    let good = t.create("good.ttl", SMALL_TTL);
    t.kg().arg("load").arg(&good).assert().success();
    let before = t.nquads();
    let mut failures = Vec::new();
    for (name, bytes, code, needle) in BAD_FILES {
        let f = t.create(name, bytes);
        let out = t.kg().arg("load").arg(&f).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(*code) || !err.contains(needle) || err.contains("panicked") {
            failures.push(format!(
                "{name}: exit {:?}, wanted {code} and {needle:?}: {err}",
                out.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(t.nquads(), before);
    assert!(BAD_FILES.len() >= 40);
}

/// (arguments, exit code, text the error must contain)
const BAD_COMMANDS: &[(&[&str], i32, &str)] = &[
    (&["query", "SELECT * WHERE { ?s ?p }"], 65, "<query>:1:"),
    (&["query", "SELEKT * WHERE { ?s ?p ?o }"], 65, "<query>:1:"),
    (
        &["query", "SELECT * WHERE { ?s nope:p ?o }"],
        65,
        "unknown prefix",
    ),
    (
        &["query", "SELECT * WHERE { ?s ?p \"unterminated }"],
        65,
        "<query>:1:",
    ),
    (&["query", ""], 65, "<query>"),
    (
        &[
            "query",
            "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
        ],
        65,
        "<query>:1:",
    ),
    (
        &["query", "--format", "nope", "ASK {}"],
        1,
        "unknown format 'nope'",
    ),
    (
        &["query", "--timeout", "0", "ASK {}"],
        1,
        "timeout must be a positive number",
    ),
    (
        &["query", "--base", "not absolute", "ASK {}"],
        1,
        "invalid base IRI",
    ),
    (
        &["query", "--saved", "no-such-query"],
        1,
        "no saved query named 'no-such-query'",
    ),
    (
        &["update", "INSERT DATA { <http://e/a> <http://e/b> }"],
        65,
        "<update>:1:",
    ),
    (&["update", "LOAD <http://example.org/data.ttl>"], 1, ""),
    (
        &["update", "DROP GRAPH <http://e/none>"],
        1,
        "does not exist",
    ),
    (
        &["update", "CLEAR GRAPH <http://e/none>"],
        1,
        "does not exist",
    ),
    (&["export", "--graph", "http://e/none"], 1, "no graph named"),
    (
        &["export", "--graph", "not an iri"],
        1,
        "not a valid absolute IRI",
    ),
    (&["export", "--format", "tsv"], 1, "cannot be rendered"),
    (&["load", "--graph", "bad iri", "good.ttl"], 1, "--graph"),
    (&["load", "--base", "::", "good.ttl"], 1, "invalid base IRI"),
    (&["load", "no-such-file.ttl"], 1, "no-such-file.ttl"),
    (
        &["prefixes", "add", "1x", "http://e/"],
        1,
        "cannot add prefix",
    ),
    (
        &["prefixes", "add", "x", "not an iri"],
        1,
        "cannot add prefix",
    ),
    (&["prefixes", "remove", "nope"], 1, "no prefix named 'nope'"),
    (
        &["path", "nobody", "nothing"],
        1,
        "no resource named 'nobody'",
    ),
    (
        &["check-evidence", "--docs", "no-such-dir"],
        1,
        "not a directory",
    ),
];

#[test]
fn bad_commands_fail_clearly_and_change_nothing() {
    let t = TestDir::new();
    let good = t.create("good.ttl", SMALL_TTL);
    t.kg().arg("load").arg(&good).assert().success();
    let before = t.nquads();
    let mut failures = Vec::new();
    for (args, code, needle) in BAD_COMMANDS {
        let out = t.kg().args(*args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(*code) || !err.contains(needle) || err.contains("panicked") {
            failures.push(format!(
                "{args:?}: exit {:?}, wanted {code} and {needle:?}: {err}",
                out.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(t.nquads(), before);
}

#[test]
fn a_hundred_megabyte_single_line_is_an_error_not_a_crash() {
    let t = TestDir::new();
    let mut line = b"<http://e/a> <http://e/b> \"".to_vec();
    line.resize(100 * 1024 * 1024, b'x');
    let f = t.create("long.nt", line);
    let out = t.kg().arg("load").arg(&f).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(65),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("long.nt"));
    assert!(t.nquads().is_empty());
}

#[test]
fn an_unreadable_file_is_an_io_error() {
    let t = TestDir::new();
    let f = t.create("secret.ttl", SMALL_TTL);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&f).is_ok() {
        return; // root reads anything; the check means nothing here
    }
    t.kg().arg("load").arg(&f).assert().code(1);
}
