//! Our Turtle must read back the same in independent parsers: rdflib (Python), serd and raptor (C).

use crate::util::{have, python, run_python, succeed, TestDir, SMALL_TTL};
use std::process::Command;

/// A store with the seeded graph plus blank-node-heavy data, exported as Turtle and N-Triples.
fn exports() -> (TestDir, std::path::PathBuf, std::path::PathBuf, usize) {
    exports_of(&[])
}

/// The same store's export with `extra` arguments (e.g. `--graph default`).
fn exports_of(extra: &[&str]) -> (TestDir, std::path::PathBuf, std::path::PathBuf, usize) {
    let t = TestDir::new();
    t.kg().arg("seed").assert().success();
    let f = t.create("small.ttl", SMALL_TTL);
    t.kg().arg("load").arg(&f).assert().success();
    // Types of every kind of object, one of them in two graphs: the merged Turtle export reads
    // `rdf:type` class by class, and what is not an IRI apart.
    let types = "@prefix ex: <http://e/> .\nex:t1 a ex:Shared, [ a ex:Anon ] .\nex:t2 a \"not a class\", ex:Shared .\n";
    let g = t.create("types.ttl", types);
    t.kg().arg("load").arg(&g).assert().success();
    t.kg()
        .args(["load", "--graph", "http://e/types"])
        .arg(&g)
        .assert()
        .success();
    let ttl = t.path().join("all.ttl");
    let nt = t.path().join("all.nt");
    t.kg()
        .arg("export")
        .args(extra)
        .arg("-o")
        .arg(&ttl)
        .assert()
        .success();
    t.kg()
        .arg("export")
        .args(extra)
        .arg("-o")
        .arg(&nt)
        .assert()
        .success();
    let triples = std::fs::read_to_string(&nt).unwrap().lines().count();
    (t, ttl, nt, triples)
}

#[test]
fn rdflib_reads_our_turtle_isomorphic_to_the_ntriples() {
    let Some(py) = python() else { return };
    // Every graph merged goes through the in-memory table; one graph streams from the store's
    // index through sorted runs: both writers must read back the same as the N-Triples.
    for extra in [&[][..], &["--graph", "default"][..]] {
        let (_t, ttl, nt, triples) = exports_of(extra);
        assert!(triples > 10, "{extra:?}: {triples} triples");
        isomorphic_in_rdflib(&py, &ttl, &nt, triples);
    }
}

fn isomorphic_in_rdflib(
    py: &std::path::Path,
    ttl: &std::path::Path,
    nt: &std::path::Path,
    triples: usize,
) {
    let script = r#"
import sys
from rdflib import Graph
from rdflib.compare import isomorphic
a = Graph().parse(sys.argv[1], format="turtle")
b = Graph().parse(sys.argv[2], format="nt")
print(len(a), len(b), isomorphic(a, b))
"#;
    assert_eq!(
        run_python(py, script, &[ttl.as_os_str(), nt.as_os_str()]),
        format!("{triples} {triples} True")
    );
}

#[test]
fn serd_reads_our_turtle() {
    if !have("serdi") {
        return;
    }
    let (_t, ttl, _nt, triples) = exports();
    let out = succeed(
        Command::new("serdi")
            .args(["-i", "turtle", "-o", "ntriples"])
            .arg(&ttl),
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        triples
    );
}

#[test]
fn raptor_reads_our_turtle() {
    if !have("rapper") {
        return;
    }
    let (_t, ttl, _nt, triples) = exports();
    let out = succeed(
        Command::new("rapper")
            .args(["-i", "turtle", "-c"])
            .arg(&ttl),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("returned {triples} triples")),
        "{err}"
    );
}

#[test]
fn rdflib_reads_every_export_format() {
    let Some(py) = python() else { return };
    let (t, _ttl, nt, triples) = exports();
    for (format, ext, rdflib_format) in [
        ("rdfxml", "rdf", "xml"),
        ("jsonld", "jsonld", "json-ld"),
        ("trig", "trig", "trig"),
        ("nquads", "nq", "nquads"),
    ] {
        let path = t.path().join(format!("all.{ext}"));
        t.kg()
            .args(["export", "--format", format, "-o"])
            .arg(&path)
            .assert()
            .success();
        let script = r#"
import sys
from rdflib import Graph, Dataset
from rdflib.compare import isomorphic
fmt = sys.argv[3]
if fmt in ("trig", "nquads"):
    d = Dataset()
    d.parse(sys.argv[1], format=fmt)
    a = Graph()
    for s, p, o, g in d.quads((None, None, None, None)):
        a.add((s, p, o))
else:
    a = Graph().parse(sys.argv[1], format=fmt)
b = Graph().parse(sys.argv[2], format="nt")
print(isomorphic(a, b))
"#;
        assert_eq!(
            run_python(
                &py,
                script,
                &[path.as_os_str(), nt.as_os_str(), rdflib_format.as_ref()]
            ),
            "True",
            "{format} is not isomorphic ({triples} triples)"
        );
    }
}

#[test]
fn the_ontology_has_no_undefined_terms() {
    let Some(py) = python() else { return };
    let script = r#"
import sys
from rdflib import Graph, RDF, RDFS, OWL
g = Graph().parse(sys.argv[1], format="turtle")
defined = set(g.subjects(RDF.type, None))
used = set()
for s, p, o in g:
    if p in (RDFS.domain, RDFS.range, RDFS.subClassOf, RDFS.subPropertyOf):
        used.add(o)
missing = sorted(str(u) for u in used if u not in defined and not str(u).startswith(("http://www.w3.org/2001/XMLSchema#", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString", "http://www.w3.org/2000/01/rdf-schema#Literal")))
print("\n".join(missing))
"#;
    assert_eq!(
        run_python(
            &py,
            script,
            &[concat!(env!("CARGO_MANIFEST_DIR"), "/ontology/kg.ttl").as_ref()]
        ),
        "",
        "terms used but not defined"
    );
}
