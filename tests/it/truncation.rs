//! Truncated input of every format kg reads. Each fixture is cut at many offsets and every cut is
//! loaded into a store that already holds data: a cut must either fail with exit 65, an error naming
//! the file with a line and column, and the store exactly as it was; or be a complete document by
//! itself, decided from the fixture's structure (not by asking kg), that loads exactly the quads of the
//! statements before the cut.

use crate::util::{TestDir, SMALL_TTL};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

/// How a fixture piece ends a document cut inside it or at its end.
#[derive(Clone, Copy, PartialEq)]
enum Ends {
    /// A statement: the document is complete once everything but trailing white space is there.
    Statement,
    /// A comment: complete wherever it is cut (it gives no quads).
    Comment,
}

/// One piece of a fixture: its text, how a cut inside it ends, and its quads (N-Quads, blank nodes as `_:b`).
struct Piece {
    text: &'static str,
    ends: Ends,
    quads: &'static [&'static str],
}

const fn stmt(text: &'static str, quads: &'static [&'static str]) -> Piece {
    Piece {
        text,
        ends: Ends::Statement,
        quads,
    }
}

const fn comment(text: &'static str) -> Piece {
    Piece {
        text,
        ends: Ends::Comment,
        quads: &[],
    }
}

/// What a cut must do.
enum Expect {
    /// Fail with a located error, the store unchanged.
    Fail,
    /// Load exactly these quads (normalized); a complete document.
    Complete(Vec<String>),
    /// A fact sheet cut at the end of a line: valid TOML, so it may load, but only quads of the whole
    /// sheet (it can never invent or change a value); or it may fail validation, located.
    LineEnd,
}

impl Expect {
    /// The expectation for a cut of a document made of `pieces`, from the pieces alone.
    fn of_pieces(pieces: &[Piece], cut: usize, empty_is_complete: bool) -> Expect {
        if cut == 0 {
            return if empty_is_complete {
                Expect::Complete(Vec::new())
            } else {
                Expect::Fail
            };
        }
        let mut start = 0;
        let mut quads = Vec::new();
        for piece in pieces {
            let end = start + piece.text.len();
            quads.extend(piece.quads.iter().map(|q| q.to_string()));
            if cut <= end {
                let body = piece.text.trim_end().len();
                let complete = match piece.ends {
                    Ends::Statement => cut >= start + body,
                    Ends::Comment => true,
                };
                return if complete {
                    quads.sort();
                    Expect::Complete(quads)
                } else {
                    Expect::Fail
                };
            }
            start = end;
        }
        unreachable!("cut {cut} beyond the fixture")
    }
}

fn join(pieces: &[Piece]) -> String {
    pieces.iter().map(|p| p.text).collect()
}

/// Piece boundaries, for cuts on and around them.
fn boundaries(pieces: &[Piece]) -> Vec<usize> {
    let mut at = 0;
    let mut out = vec![0];
    for p in pieces {
        at += p.text.len();
        out.push(at);
        out.push(at - (p.text.len() - p.text.trim_end().len()));
    }
    out
}

/// A bounded, deterministic sample of cut offsets: both ends, around every boundary, the middle of
/// every multi-byte character (`text` only), and 40 more spread over the file.
fn offsets(doc: &[u8], boundaries: &[usize], text: bool) -> Vec<usize> {
    let n = doc.len();
    let mut set = BTreeSet::from([0, 1, n.saturating_sub(1), n]);
    for &b in boundaries {
        for c in [b.saturating_sub(1), b, b + 1] {
            set.insert(c.min(n));
        }
    }
    if text {
        // The byte after a lead byte is inside that character.
        set.extend(
            doc.iter()
                .enumerate()
                .filter(|(_, &b)| b >= 0xC0)
                .map(|(i, _)| i + 1),
        );
    }
    for k in 0..40 {
        set.insert((k * n / 40 + (k * 7) % 5).min(n));
    }
    set.into_iter().collect()
}

/// N-Quads lines with blank node labels erased, sorted: equal for the same quads in any store.
fn normalize(nquads: &str) -> Vec<String> {
    let mut lines: Vec<String> = nquads
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut out = String::new();
            let mut rest = line;
            while let Some(i) = rest.find("_:") {
                out.push_str(&rest[..i]);
                out.push_str("_:b");
                rest = rest[i + 2..].trim_start_matches(|c: char| c.is_alphanumeric());
            }
            out.push_str(rest);
            out
        })
        .collect();
    lines.sort();
    lines
}

/// Whether kg's error names the file with a line and column: `name:LINE:COL: `.
fn located(stderr: &str, name: &str) -> bool {
    stderr.match_indices(&format!("{name}:")).any(|(i, m)| {
        let rest = &stderr[i + m.len()..];
        let mut parts = rest.splitn(3, ':');
        let number = |s: Option<&str>| {
            s.is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        };
        number(parts.next())
            && number(parts.next())
            && parts.next().is_some_and(|r| r.starts_with(' '))
    })
}

/// `a` minus `b`, both sorted multisets.
fn minus(a: &[String], b: &[String]) -> Option<Vec<String>> {
    let mut rest = a.to_vec();
    for x in b {
        let i = rest.iter().position(|y| y == x)?;
        rest.remove(i);
    }
    Some(rest)
}

/// A store holding some data, and the loads of cuts into it.
struct Bench {
    t: TestDir,
    base: Vec<String>,
    /// Failed cuts since the store was last compared: loads only add, so a change shows at the next check.
    unchecked: Vec<usize>,
    failures: Vec<String>,
    loads: usize,
}

impl Bench {
    fn new() -> Self {
        let t = TestDir::new();
        let base_file = t.create("base.ttl", SMALL_TTL);
        t.kg().arg("load").arg(&base_file).assert().success();
        let base = normalize(&t.nquads());
        assert!(!base.is_empty());
        Self {
            t,
            base,
            unchecked: Vec::new(),
            failures: Vec::new(),
            loads: 0,
        }
    }

    fn reset(&mut self) {
        std::fs::remove_dir_all(self.t.store()).unwrap();
        let base_file = self.t.path().join("base.ttl");
        self.t.kg().arg("load").arg(&base_file).assert().success();
    }

    fn check_unchanged(&mut self, name: &str) {
        if self.unchecked.is_empty() {
            return;
        }
        if normalize(&self.t.nquads()) != self.base {
            self.failures.push(format!(
                "{name}: a failed load of one of the cuts {:?} changed the store",
                self.unchecked
            ));
            self.reset();
        }
        self.unchecked.clear();
    }

    /// Loads `doc[..cut]` as `name` and checks the outcome against `expect`; `full` is the quads of
    /// the whole document, for `Expect::LineEnd`.
    fn cut(&mut self, name: &str, doc: &[u8], cut: usize, expect: Expect, full: &[String]) {
        if !matches!(expect, Expect::Fail) {
            // This cut may load: the failed ones before it must be seen to have changed nothing first.
            self.check_unchanged(name);
        }
        let path: PathBuf = self.t.create(name, &doc[..cut]);
        let out = self.t.kg().arg("load").arg(&path).output().unwrap();
        self.loads += 1;
        let stderr = String::from_utf8_lossy(&out.stderr);
        let what = format!(
            "{name} cut at {cut}/{} ({:?}…)",
            doc.len(),
            String::from_utf8_lossy(&doc[cut.saturating_sub(12)..cut])
        );
        if !out.status.success() {
            if matches!(expect, Expect::Complete(_)) {
                self.failures.push(format!(
                    "{what} is a complete document but failed: {stderr}"
                ));
            }
            if out.status.code() != Some(65)
                || !located(&stderr, name)
                || stderr.contains("panicked")
            {
                self.failures.push(format!(
                    "{what}: wanted exit 65 and {name}:LINE:COL, got {:?}: {stderr}",
                    out.status.code()
                ));
            }
            self.unchecked.push(cut);
            if self.unchecked.len() >= 6 {
                self.check_unchanged(name);
            }
            return;
        }
        let after = normalize(&self.t.nquads());
        let added = minus(&after, &self.base);
        match (&expect, added) {
            (Expect::Fail, _) => self
                .failures
                .push(format!("{what} is incomplete but loaded: {stderr}")),
            (_, None) => self
                .failures
                .push(format!("{what} removed quads from the store")),
            (Expect::Complete(quads), Some(added)) => {
                if &added != quads {
                    self.failures.push(format!(
                        "{what} loaded\n  {}\nbut its complete statements give\n  {}",
                        added.join("\n  "),
                        quads.join("\n  ")
                    ));
                }
            }
            (Expect::LineEnd, Some(added)) => {
                if minus(full, &added).is_none() {
                    self.failures.push(format!(
                        "{what} loaded quads the whole sheet does not have:\n  {}",
                        added.join("\n  ")
                    ));
                }
            }
        }
        self.reset();
    }

    fn finish(mut self, name: &str, min_cuts: usize) {
        self.check_unchanged(name);
        assert!(self.failures.is_empty(), "{}", self.failures.join("\n"));
        assert!(self.loads >= min_cuts, "{name}: only {} cuts", self.loads);
    }
}

/// Cuts a document made of `pieces` at a sample of offsets and checks every cut.
fn check_pieces(name: &str, pieces: &[Piece], empty_is_complete: bool) {
    let doc = join(pieces);
    let mut bench = Bench::new();
    for cut in offsets(doc.as_bytes(), &boundaries(pieces), true) {
        let expect = Expect::of_pieces(pieces, cut, empty_is_complete);
        bench.cut(name, doc.as_bytes(), cut, expect, &[]);
    }
    bench.finish(name, 40);
}

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

#[test]
fn truncated_turtle() {
    let pieces = [
        stmt("@prefix t: <http://example.com/t/> .\n", &[]),
        comment("# Grüße aus Köln\n"),
        stmt(
            "t:anna a t:Person ; t:name \"Anna\" , \"Анна\"@ru ; t:age 42 .\n",
            &[
                "<http://example.com/t/anna> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.com/t/Person> .",
                "<http://example.com/t/anna> <http://example.com/t/name> \"Anna\" .",
                "<http://example.com/t/anna> <http://example.com/t/name> \"Анна\"@ru .",
                "<http://example.com/t/anna> <http://example.com/t/age> \"42\"^^<http://www.w3.org/2001/XMLSchema#integer> .",
            ],
        ),
        stmt(
            "t:bert t:knows t:anna ; t:city \"Köln\" .\n",
            &[
                "<http://example.com/t/bert> <http://example.com/t/knows> <http://example.com/t/anna> .",
                "<http://example.com/t/bert> <http://example.com/t/city> \"Köln\" .",
            ],
        ),
        stmt(
            "t:cleo t:note \"\"\"zwei\nZeilen\"\"\" ; t:address [ t:street \"Hauptstraße 5\" ; t:zip \"50667\" ] .\n",
            &[
                "<http://example.com/t/cleo> <http://example.com/t/note> \"zwei\\nZeilen\" .",
                "<http://example.com/t/cleo> <http://example.com/t/address> _:b .",
                "_:b <http://example.com/t/street> \"Hauptstraße 5\" .",
                "_:b <http://example.com/t/zip> \"50667\" .",
            ],
        ),
        stmt(
            "t:dora t:items ( t:x \"y\" ) ; t:home <http://example.com/t/ort/Zürich> .\n",
            &[
                "<http://example.com/t/dora> <http://example.com/t/items> _:b .",
                "_:b <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> <http://example.com/t/x> .",
                "_:b <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> _:b .",
                "_:b <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> \"y\" .",
                "_:b <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> <http://www.w3.org/1999/02/22-rdf-syntax-ns#nil> .",
                "<http://example.com/t/dora> <http://example.com/t/home> <http://example.com/t/ort/Zürich> .",
            ],
        ),
    ];
    check_pieces("doc.ttl", &pieces, true);
}

#[test]
fn truncated_n3() {
    let pieces = [
        stmt("@prefix t: <http://example.com/t/> .\n", &[]),
        stmt(
            "t:anna t:name \"Änne\"@de ; t:knows t:bert .\n",
            &[
                "<http://example.com/t/anna> <http://example.com/t/name> \"Änne\"@de .",
                "<http://example.com/t/anna> <http://example.com/t/knows> <http://example.com/t/bert> .",
            ],
        ),
        comment("# ein Kommentar\n"),
        stmt(
            "<http://example.com/t/bert> t:age 7 ; t:city \"Zürich\" .\n",
            &[
                "<http://example.com/t/bert> <http://example.com/t/age> \"7\"^^<http://www.w3.org/2001/XMLSchema#integer> .",
                "<http://example.com/t/bert> <http://example.com/t/city> \"Zürich\" .",
            ],
        ),
    ];
    check_pieces("doc.n3", &pieces, true);
}

#[test]
fn truncated_ntriples() {
    let pieces = [
        stmt(
            "<http://example.com/t/a> <http://example.com/t/name> \"Ärger\"@de .\n",
            &["<http://example.com/t/a> <http://example.com/t/name> \"Ärger\"@de ."],
        ),
        comment("# 注释\n"),
        stmt(
            "<http://example.com/t/a> <http://example.com/t/knows> _:x .\n",
            &["<http://example.com/t/a> <http://example.com/t/knows> _:b ."],
        ),
        stmt(
            "_:x <http://example.com/t/age> \"42\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n",
            &["_:b <http://example.com/t/age> \"42\"^^<http://www.w3.org/2001/XMLSchema#integer> ."],
        ),
        stmt(
            "<http://example.com/t/b> <http://example.com/t/note> \"say \\\"hi\\\"\\nbye\" .\n",
            &["<http://example.com/t/b> <http://example.com/t/note> \"say \\\"hi\\\"\\nbye\" ."],
        ),
        stmt(
            "<http://example.com/t/b> <http://example.com/t/home> <http://example.com/t/ort/Zürich> .\n",
            &["<http://example.com/t/b> <http://example.com/t/home> <http://example.com/t/ort/Zürich> ."],
        ),
    ];
    check_pieces("doc.nt", &pieces, true);
}

#[test]
fn truncated_nquads() {
    let pieces = [
        stmt(
            "<http://example.com/t/a> <http://example.com/t/name> \"Ärger\"@de <http://example.com/t/g1> .\n",
            &["<http://example.com/t/a> <http://example.com/t/name> \"Ärger\"@de <http://example.com/t/g1> ."],
        ),
        stmt(
            "<http://example.com/t/a> <http://example.com/t/knows> _:x <http://example.com/t/g1> .\n",
            &["<http://example.com/t/a> <http://example.com/t/knows> _:b <http://example.com/t/g1> ."],
        ),
        stmt(
            "<http://example.com/t/b> <http://example.com/t/age> \"7\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n",
            &["<http://example.com/t/b> <http://example.com/t/age> \"7\"^^<http://www.w3.org/2001/XMLSchema#integer> ."],
        ),
        stmt(
            "<http://example.com/t/b> <http://example.com/t/city> \"Köln\" <http://example.com/t/g2> .\n",
            &["<http://example.com/t/b> <http://example.com/t/city> \"Köln\" <http://example.com/t/g2> ."],
        ),
    ];
    check_pieces("doc.nq", &pieces, true);
}

#[test]
fn truncated_trig() {
    let pieces = [
        stmt("@prefix t: <http://example.com/t/> .\n", &[]),
        stmt(
            "t:g1 {\n  t:a t:name \"Ärger\"@de .\n  t:a t:knows t:b\n}\n",
            &[
                "<http://example.com/t/a> <http://example.com/t/name> \"Ärger\"@de <http://example.com/t/g1> .",
                "<http://example.com/t/a> <http://example.com/t/knows> <http://example.com/t/b> <http://example.com/t/g1> .",
            ],
        ),
        stmt(
            "t:b t:age 7 .\n",
            &["<http://example.com/t/b> <http://example.com/t/age> \"7\"^^<http://www.w3.org/2001/XMLSchema#integer> ."],
        ),
        stmt(
            "<http://example.com/t/g2> { t:c t:city \"Zürich\" ; t:near [ t:name \"See\" ] }\n",
            &[
                "<http://example.com/t/c> <http://example.com/t/city> \"Zürich\" <http://example.com/t/g2> .",
                "<http://example.com/t/c> <http://example.com/t/near> _:b <http://example.com/t/g2> .",
                "_:b <http://example.com/t/name> \"See\" <http://example.com/t/g2> .",
            ],
        ),
    ];
    check_pieces("doc.trig", &pieces, true);
}

const JSONLD_DOC: &str = r#"{
  "@context": {"t": "http://example.com/t/", "name": "http://example.com/t/name"},
  "@graph": [
    {"@id": "t:anna", "name": ["Anna", {"@value": "Анна", "@language": "ru"}], "t:age": 42},
    {"@id": "t:bert", "t:knows": {"@id": "t:anna"}, "t:city": "Köln"}
  ]
}
"#;

#[test]
fn truncated_jsonld() {
    let pieces = [stmt(
        JSONLD_DOC,
        &[
            "<http://example.com/t/anna> <http://example.com/t/name> \"Anna\" .",
            "<http://example.com/t/anna> <http://example.com/t/name> \"Анна\"@ru .",
            "<http://example.com/t/anna> <http://example.com/t/age> \"42\"^^<http://www.w3.org/2001/XMLSchema#integer> .",
            "<http://example.com/t/bert> <http://example.com/t/knows> <http://example.com/t/anna> .",
            "<http://example.com/t/bert> <http://example.com/t/city> \"Köln\" .",
        ],
    )];
    check_pieces("doc.jsonld", &pieces, false);
}

const RDFXML_DOC: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<!-- Grüße -->
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:t="http://example.com/t/">
  <t:Person rdf:about="http://example.com/t/anna">
    <t:name>Anna</t:name>
    <t:name xml:lang="ru">Анна</t:name>
    <t:knows rdf:resource="http://example.com/t/bert"/>
  </t:Person>
  <rdf:Description rdf:about="http://example.com/t/bert">
    <t:city>Köln &amp; Bonn</t:city>
    <t:address rdf:parseType="Resource"><t:zip>50667</t:zip></t:address>
  </rdf:Description>
</rdf:RDF>
"#;

const RDFXML_QUADS: &[&str] = &[
    "<http://example.com/t/anna> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.com/t/Person> .",
    "<http://example.com/t/anna> <http://example.com/t/name> \"Anna\" .",
    "<http://example.com/t/anna> <http://example.com/t/name> \"Анна\"@ru .",
    "<http://example.com/t/anna> <http://example.com/t/knows> <http://example.com/t/bert> .",
    "<http://example.com/t/bert> <http://example.com/t/city> \"Köln & Bonn\" .",
    "<http://example.com/t/bert> <http://example.com/t/address> _:b .",
    "_:b <http://example.com/t/zip> \"50667\" .",
];

#[test]
fn truncated_rdf_xml() {
    // Inside the document, every cut leaves an element, tag, comment or declaration open.
    let pieces = [stmt(RDFXML_DOC, RDFXML_QUADS)];
    check_pieces("doc.rdf", &pieces, false);
}

#[test]
fn truncated_gzip() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(RDFXML_DOC.as_bytes()).unwrap();
    let doc = gz.finish().unwrap();
    let mut quads: Vec<String> = RDFXML_QUADS.iter().map(|q| q.to_string()).collect();
    quads.sort();
    let n = doc.len();
    // The 10-byte header, the deflate data, the 8-byte trailer (CRC and size): a gzip stream
    // without all of its trailer is incomplete, even when its text is whole.
    let mut cuts = offsets(&doc, &[10, n - 8], false);
    cuts.extend(n - 8..n);
    cuts.sort_unstable();
    cuts.dedup();
    let mut bench = Bench::new();
    for cut in cuts {
        let expect = if cut == n {
            Expect::Complete(quads.clone())
        } else {
            Expect::Fail
        };
        bench.cut("doc.rdf.gz", &doc, cut, expect, &[]);
    }
    bench.finish("doc.rdf.gz", 40);
}

const SHEET: &str = r#"[document]
file = "trunc_0123456789abcdef.txt"
title = "Kürzungen überall"
language = "de"
published = 2025-05-29

[[entity]]
id = "trunc-koeln"
a = "schema:City"
label = { en = "Cologne", de = "Köln" }
quote = "die Stadt Köln"

[[fact]]
id = "trunc-target"
a = "kg:Target"
label.de = "ein Ziel für 2030"
quote = "bis 2030"
"kg:targetYear" = 2030
"#;

#[test]
fn truncated_fact_sheet() {
    let name = "trunc_0123456789abcdef.toml";
    let doc = SHEET.as_bytes();
    let line_ends: Vec<usize> = SHEET
        .match_indices('\n')
        .flat_map(|(i, _)| [i, i + 1])
        .collect();
    let mut bench = Bench::new();
    // The whole sheet first: what it loads is what every shorter sheet may load part of.
    let full_path = bench.t.create(name, doc);
    bench.t.kg().arg("load").arg(&full_path).assert().success();
    let full = minus(&normalize(&bench.t.nquads()), &bench.base).unwrap();
    for needle in [
        "\"Köln\"@de",
        "\"2030\"^^<http://www.w3.org/2001/XMLSchema#gYear>",
        "\"2025-05-29\"^^<http://www.w3.org/2001/XMLSchema#date>",
    ] {
        assert!(
            full.iter().any(|q| q.contains(needle)),
            "{needle} in {full:?}"
        );
    }
    bench.reset();
    for cut in offsets(doc, &line_ends, true) {
        // A cut at the end of a line (or just before its line break) leaves valid TOML; anywhere
        // else a string, key, table header, date or number is cut short.
        let expect = if cut == doc.len() {
            Expect::Complete(full.clone())
        } else if line_ends.contains(&cut) || cut == 0 {
            Expect::LineEnd
        } else {
            Expect::Fail
        };
        bench.cut(name, doc, cut, expect, &full);
    }
    bench.finish(name, 40);
}

/// The issue's case: an RDF/XML file whose last `rdf:Description` is cut mid-element loaded its first
/// triple and said "loaded 1 quads".
#[test]
fn rdf_xml_cut_in_its_last_description_is_an_error_not_one_quad() {
    let t = TestDir::new();
    let doc = format!(
        "<rdf:RDF xmlns:rdf=\"{RDF}\" xmlns:ex=\"http://e/\">\n  <rdf:Description rdf:about=\"http://e/a\">\n    <ex:p>one</ex:p>\n  </rdf:Description>\n  <rdf:Description rdf:about=\"http://e/b\">\n    <ex:p>tw"
    );
    t.create("cut.rdf", &doc);
    let out = t.kg().args(["load", "cut.rdf"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(65), "{stderr}");
    assert!(!stderr.contains("loaded"), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "error: cut.rdf:6:13: unexpected end of input, in <ex:p> opened at 6:5: the document is incomplete"
    );
    assert!(t.nquads().is_empty());
    // The same from standard input, and cut inside a tag.
    t.kg()
        .args(["load", "--format", "rdfxml", "-"])
        .write_stdin(&doc[..doc.len() - 5])
        .assert()
        .code(65)
        .stderr("error: <stdin>:6:5: unexpected end of input inside a tag, in <rdf:Description> opened at 5:3: the document is incomplete\n");
    assert!(t.nquads().is_empty());
}

/// RDF/XML errors that Oxigraph reports without a position get the position of their element.
#[test]
fn rdf_xml_errors_have_locations() {
    let t = TestDir::new();
    let cases: &[(&str, &str)] = &[
        (
            "<rdf:Description rdf:about=\"not an iri\"/>",
            "x.rdf:3:3: error while parsing IRI 'not an iri'",
        ),
        (
            "<ex:p>",
            "x.rdf:4:1: not well-formed XML: expected `</ex:p>`, but `</rdf:RDF>` was found",
        ),
        (
            "<zz:p/>",
            "x.rdf:3:3: unknown namespace prefix 'zz' in <zz:p>",
        ),
        (
            "<rdf:Description ex:p=\"1\" ex:p=\"2\"/>",
            "x.rdf:3:29: not well-formed XML: a repeated attribute in <rdf:Description>",
        ),
        (
            "<rdf:Description><ex:p>&bogus;</ex:p></rdf:Description>",
            "x.rdf:3:26: ",
        ),
        (
            "<rdf:Description><ex:p>\u{e9}\u{e9}\u{e9}</ex:p></rdf:Description>",
            "<never>",
        ),
    ];
    for (i, (element, needle)) in cases.iter().enumerate() {
        let doc = format!(
            "<rdf:RDF xmlns:rdf=\"{RDF}\"\n  xmlns:ex=\"http://e/\">\n  {element}\n</rdf:RDF>\n"
        );
        let mut bytes = doc.into_bytes();
        if *needle == "<never>" {
            // Invalid UTF-8 inside the literal: é é then a lone continuation byte.
            let at = bytes
                .windows(2)
                .rposition(|w| w == "\u{e9}".as_bytes())
                .unwrap();
            bytes[at] = 0x80;
            t.create("x.rdf", &bytes);
            t.kg()
                .args(["load", "x.rdf"])
                .assert()
                .code(65)
                .stderr("error: x.rdf:3:28: not valid UTF-8\n");
            continue;
        }
        t.create("x.rdf", &bytes);
        let out = t.kg().args(["load", "x.rdf"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(65), "case {i}: {stderr}");
        assert!(
            stderr.contains(needle),
            "case {i}: wanted {needle:?}: {stderr}"
        );
    }
    assert!(t.nquads().is_empty());
}
