use crate::util::{shared, TestDir};
use predicates::prelude::*;

fn seeded() -> TestDir {
    let t = TestDir::new();
    t.kg().arg("seed").assert().success();
    t
}

fn csv(t: &TestDir, query: &str) -> String {
    t.run(&["query", "--format", "csv", query])
        .replace('\r', "")
}

#[test]
fn seeding_twice_changes_nothing() {
    let t = seeded();
    let once = t.nquads();
    t.kg().arg("seed").assert().success();
    assert_eq!(t.nquads(), once);
    // Turtle export is byte-stable across fresh stores too: blank node ids never show.
    let u = seeded();
    assert_eq!(t.run(&["export"]), u.run(&["export"]));
}

#[test]
fn every_quote_occurs_verbatim_in_its_document() {
    let t = TestDir::new();
    t.kg()
        .args(["check-evidence", "--docs"])
        .arg(shared().join("seeds"))
        .assert()
        .success()
        .stdout("")
        .stderr(
            predicate::str::is_match(r"^(\d+) of (\d+) quotes found verbatim in 3 documents\n$")
                .unwrap(),
        );
}

#[test]
fn a_changed_quote_is_reported() {
    let t = TestDir::new();
    let sheet = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/seeds/002_f19ac7643f7d17dd.toml"
    ))
    .unwrap();
    let first_quote = sheet.lines().find(|l| l.starts_with("quote = \"")).unwrap();
    let broken = sheet.replacen(
        first_quote,
        "quote = \"Dieser Satz steht nicht im Text\"",
        1,
    );
    let f = t.create("002_f19ac7643f7d17dd.toml", broken);
    t.kg()
        .args(["check-evidence", "--docs"])
        .arg(shared().join("seeds"))
        .arg(&f)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Dieser Satz steht nicht im Text"))
        .stdout(
            predicate::str::is_match(r"002_f19ac7643f7d17dd\.toml:\d+:\d+: quote not found")
                .unwrap(),
        );
}

#[test]
fn documents_have_their_own_graphs_and_nodes() {
    let t = seeded();
    let out = csv(&t, "SELECT ?g ?doc ?lang ?file WHERE { GRAPH ?g { ?doc a schema:NewsArticle ; dcterms:language ?lang ; dcterms:identifier ?file } } ORDER BY ?file");
    assert_eq!(
        out,
        "g,doc,lang,file\n\
         https://w3id.org/kg/graph/000_db2f327f11732eb6,https://w3id.org/kg/doc/000_db2f327f11732eb6,ar,000_db2f327f11732eb6.txt\n\
         https://w3id.org/kg/graph/001_e430e66f4d54f0ca,https://w3id.org/kg/doc/001_e430e66f4d54f0ca,ko,001_e430e66f4d54f0ca.txt\n\
         https://w3id.org/kg/graph/002_f19ac7643f7d17dd,https://w3id.org/kg/doc/002_f19ac7643f7d17dd,de,002_f19ac7643f7d17dd.txt\n"
    );
}

#[test]
fn key_facts_are_in_the_graph_with_evidence() {
    let t = seeded();
    // 252.5 billion yen, normalised, from the Arabic document, with a verbatim Arabic quote.
    let out = csv(
        &t,
        "SELECT DISTINCT ?g ?quote WHERE { GRAPH ?g { ?f ?p ?amt . ?amt schema:value ?v ; schema:currency \"JPY\" . FILTER(?v = 252500000000) ?f kg:evidence/oa:hasSelector/oa:exact ?quote } }",
    );
    assert!(out.contains("000_db2f327f11732eb6"), "{out}");
    assert!(out.contains("252.5"), "{out}");
    // Nvidia carries labels in English and Korean.
    let labels = csv(
        &t,
        "SELECT DISTINCT ?l WHERE { ?n rdfs:label \"Nvidia\"@en ; rdfs:label ?l } ORDER BY ?l",
    );
    assert!(labels.contains("엔비디아"), "{labels}");
    // 500 AI factories by 2030 in the German document.
    let target = csv(&t, "SELECT DISTINCT ?v WHERE { ?t kg:targetYear ?y FILTER(STR(?y) = \"2030\") ?t ?p ?q . ?q schema:value ?v }");
    assert!(target.contains("500"), "{target}");
}

#[test]
fn every_saved_query_runs_and_answers() {
    let t = seeded();
    let list = t.run(&["queries"]);
    let names: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/queries"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rq"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names.len() >= 12, "{names:?}");
    for name in &names {
        assert!(
            list.contains(name.as_str()),
            "{name} missing from `kg queries`"
        );
        let text =
            std::fs::read_to_string(format!("{}/queries/{name}.rq", env!("CARGO_MANIFEST_DIR")))
                .unwrap();
        assert!(
            text.starts_with("# "),
            "{name}: the first line must state the question"
        );
        let out = csv(&t, &text);
        assert!(out.lines().count() >= 2, "{name} returned no rows:\n{out}");
        assert_eq!(
            t.run(&["query", "--saved", name, "--format", "csv"])
                .replace('\r', ""),
            out
        );
    }
}

#[test]
fn saved_query_answers() {
    let t = seeded();
    let plants = t.run(&["query", "--saved", "company-plants", "--format", "csv"]);
    assert!(
        plants.contains("Micron") && plants.contains("Hiroshima"),
        "{plants}"
    );
    assert!(plants.contains("Kumamoto"), "{plants}");
    let usd = t
        .run(&["query", "--saved", "amounts-in-usd", "--format", "csv"])
        .replace('\r', "");
    assert_eq!(usd.lines().count(), 9, "{usd}");
    assert!(
        usd.contains("252500000000") && usd.contains("1600000000"),
        "{usd}"
    );
    let targets = t.run(&["query", "--saved", "korea-targets-2030", "--format", "csv"]);
    assert!(targets.contains("500"), "{targets}");
    let docs = t
        .run(&["query", "--saved", "documents", "--format", "csv"])
        .replace('\r', "");
    assert_eq!(docs.lines().count(), 4, "{docs}");
    t.kg()
        .args(["query", "--saved", "company-plant"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("did you mean company-plants"));
}

const SHEET_HEAD: &str = "[document]\nfile = \"x.txt\"\ntitle = \"Titel\"\nlanguage = \"de\"\n\n";

#[test]
fn fact_sheets_load_into_their_document_graph_and_replace_it() {
    let t = seeded();
    let sheet = format!(
        "{SHEET_HEAD}[[entity]]\nid = \"acme\"\na = \"schema:Corporation\"\nlabel = {{ en = \"Acme\", de = \"Acme AG\" }}\nquote = \"Acme AG\"\n"
    );
    let f = t.create("x.toml", &sheet);
    t.kg().arg("load").arg(&f).assert().success();
    t.kg().arg("load").arg(&f).assert().success();
    let n = csv(
        &t,
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/kg/graph/x> { ?s ?p ?o } }",
    );
    let again = n.clone();
    assert_eq!(n, again);
    let labels = csv(&t, "SELECT ?l WHERE { kgi:acme rdfs:label ?l } ORDER BY ?l");
    assert_eq!(labels, "l\nAcme\nAcme AG\n");
    // Only one evidence node even after two loads.
    let ev = csv(
        &t,
        "SELECT (COUNT(?e) AS ?n) WHERE { kgi:acme kg:evidence ?e }",
    );
    assert_eq!(ev, "n\n1\n");
}

#[test]
fn fact_sheet_mistakes_are_all_reported_with_locations_and_nothing_loads() {
    let t = seeded();
    let before = t.nquads();
    let sheet = format!(
        "{SHEET_HEAD}\
[[entity]]
id = \"a\"
a = \"schema:Spaceship\"
quote = \"x\"

[[entity]]
id = \"b\"
a = \"schema:Organization\"
\"schema:colour\" = \"red\"
quote = \"y\"

[[fact]]
id = \"c\"
a = \"kg:Target\"
\"kg:targetYear\" = \"soon\"
quote = \"z\"

[[fact]]
id = \"d\"
a = \"kg:Target\"
\"kg:plannedBy\" = \"@nobody\"
quote = \"w\"

[[entity]]
id = \"e\"
a = \"schema:Country\"

[[entity]]
id = \"f\"
a = \"schema:Country\"
quote = \"  \"
"
    );
    let f = t.create("bad.toml", &sheet);
    let out = t.kg().arg("load").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(65));
    let err = String::from_utf8_lossy(&out.stderr);
    for (line, needle) in [
        (8, "unknown class 'schema:Spaceship'"),
        (14, "unknown property 'schema:colour'"),
        (20, "'kg:targetYear' expects a four-digit year"),
        (26, "reference to undefined record '@nobody'"),
        (29, "record 'e' has no quote"),
        (36, "quote must be a non-empty string"),
    ] {
        assert!(
            err.contains(&format!("bad.toml:{line}:")),
            "line {line} not reported:\n{err}"
        );
        assert!(err.contains(needle), "{needle} not reported:\n{err}");
    }
    assert!(err.contains("6 errors; nothing was loaded"), "{err}");
    assert_eq!(t.nquads(), before);
    // The same checks run in a dry run, with no store.
    t.kg().args(["load", "--dry-run"]).arg(&f).assert().code(65);
}

#[test]
fn toml_syntax_errors_have_a_location_and_caret() {
    let t = TestDir::new();
    let f = t.create(
        "broken.toml",
        "[document]\nfile = \"x.txt\nlanguage = \"de\"\n",
    );
    t.kg()
        .arg("load")
        .arg(&f)
        .assert()
        .code(65)
        .stderr(predicate::str::is_match(r"broken\.toml:2:\d+: ").unwrap())
        .stderr(predicate::str::contains("^"));
}

#[test]
fn wrong_reference_class_is_an_error() {
    let t = TestDir::new();
    let sheet = format!(
        "{SHEET_HEAD}[[entity]]\nid = \"tokyo\"\na = \"schema:City\"\nquote = \"Tokyo\"\n\n[[entity]]\nid = \"bob\"\na = \"schema:Person\"\n\"schema:worksFor\" = \"@tokyo\"\nquote = \"Bob\"\n"
    );
    let f = t.create("ref.toml", &sheet);
    t.kg()
        .args(["load", "--dry-run"])
        .arg(&f)
        .assert()
        .code(65)
        .stderr(predicate::str::contains("but @tokyo is a schema:City"));
}
