//! Traversals: paths by label in any language, via/avoid, k-shortest, ambiguity, write-back,
//! and the DOT and GraphML outputs read by Graphviz and networkx.

use crate::util::{have, python, run_python, succeed, TestDir};
use predicates::prelude::*;
use std::process::Command;

const GRAPH: &str = r#"@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:a rdfs:label "Alpha"@en, "알파"@ko ; ex:knows ex:b ; ex:age 3 .
ex:b rdfs:label "Beta" ; ex:knows ex:c ; ex:likes ex:d ; a ex:Thing .
ex:c rdfs:label "Gamma" ; ex:knows ex:e .
ex:d rdfs:label "Delta" ; ex:likes ex:e .
ex:e rdfs:label "Epsilon"@en, "إبسيلون"@ar .
ex:m1 rdfs:label "Mercury" . ex:m2 rdfs:label "mercury" . ex:m3 rdfs:label "Mercury" . ex:m1 ex:knows ex:m2 .
"#;

fn graph() -> TestDir {
    let t = TestDir::new();
    let f = t.create("g.ttl", GRAPH);
    t.kg().arg("load").arg(&f).assert().success();
    t
}

#[test]
fn paths_by_labels_in_any_language() {
    let t = graph();
    let out = t.run(&["path", "알파", "إبسيلون", "--k", "2"]);
    assert_eq!(
        out,
        "1. Alpha —[ex:knows]→ Beta —[ex:knows]→ Gamma —[ex:knows]→ Epsilon  (3 hops)\n\
         2. Alpha —[ex:knows]→ Beta —[ex:likes]→ Delta —[ex:likes]→ Epsilon  (3 hops)\n"
    );
}

#[test]
fn via_and_avoid_change_the_answer() {
    let t = graph();
    t.kg()
        .args(["path", "Alpha", "Epsilon", "--avoid", "ex:knows"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no path from Alpha to Epsilon"));
    let only_likes = t.run(&["path", "Beta", "Epsilon", "--k", "5", "--avoid", "ex:knows"]);
    assert_eq!(
        only_likes,
        "1. Beta —[ex:likes]→ Delta —[ex:likes]→ Epsilon  (2 hops)\n"
    );
    let via_knows = t.run(&["path", "Alpha", "Epsilon", "--k", "5", "--via", "ex:knows"]);
    assert_eq!(
        via_knows,
        "1. Alpha —[ex:knows]→ Beta —[ex:knows]→ Gamma —[ex:knows]→ Epsilon  (3 hops)\n"
    );
    t.kg()
        .args(["path", "Alpha", "Epsilon", "--max-len", "2"])
        .assert()
        .code(1);
}

#[test]
fn k_shortest_paths_come_shortest_first() {
    let t = graph();
    let out = t.run(&["path", "Alpha", "Epsilon", "--k", "5", "--undirected"]);
    let hops: Vec<usize> = out
        .lines()
        .map(|l| {
            l.rsplit_once('(')
                .unwrap()
                .1
                .trim_end_matches(" hops)")
                .trim_end_matches(" hop)")
                .parse()
                .unwrap()
        })
        .collect();
    assert!(hops.len() >= 2, "{out}");
    assert!(hops.windows(2).all(|w| w[0] <= w[1]), "{out}");
}

#[test]
fn directions_and_missing_paths_are_clear() {
    let t = graph();
    t.kg()
        .args(["path", "Epsilon", "Alpha", "--directed"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no path from Epsilon to Alpha following edges in their direction (drop --directed to follow them both ways)",
        ));
    // Both directions are the default; `--undirected` is still accepted and means the same.
    let both = t.run(&["path", "Epsilon", "Alpha"]);
    assert!(both.contains("←[ex:knows]—"), "{both}");
    assert_eq!(t.run(&["path", "Epsilon", "Alpha", "--undirected"]), both);
}

#[test]
fn ambiguous_and_unknown_names_list_candidates() {
    let t = graph();
    t.kg()
        .args(["path", "Mercury", "Alpha"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("'Mercury' is ambiguous"))
        .stderr(predicate::str::contains("ex:m1"))
        .stderr(predicate::str::contains("ex:m3"));
    t.kg()
        .args(["path", "Alpah", "Beta"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("did you mean Alpha"));
}

#[test]
fn neighbours_rank_and_components() {
    let t = graph();
    let n = t.run(&["neighbors", "Beta", "--depth", "1"]);
    assert!(
        n.contains("Alpha") && n.contains("Gamma") && n.contains("Delta") && !n.contains("Epsilon"),
        "{n}"
    );
    let rank = t.run(&["rank", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&rank).unwrap();
    assert_eq!(v[0]["label"], "Epsilon", "{rank}");
    let comps = t.run(&["components"]);
    assert!(comps.starts_with("2 components, 7 nodes"), "{comps}");
}

#[test]
fn write_back_is_queryable() {
    let t = graph();
    t.kg()
        .args(["rank", "--write-back", "http://example.org/rank"])
        .assert()
        .success();
    t.kg()
        .args(["components", "--write-back", "http://example.org/comp"])
        .assert()
        .success();
    let out = t.run(&[
        "query",
        "--format",
        "csv",
        "SELECT ?s ?c WHERE { GRAPH <http://example.org/comp> { ?s kg:component ?c } GRAPH <http://example.org/rank> { ?s kg:pageRank ?r } } ORDER BY DESC(?r) LIMIT 1",
    ]);
    assert_eq!(out.replace('\r', ""), "s,c\nhttp://example.org/e,0\n");
}

#[test]
fn seeded_graph_paths_by_korean_and_arabic_labels() {
    let t = TestDir::new();
    t.kg().arg("seed").assert().success();
    // The default answers "how are these connected?": facts point to both ends.
    let ko = t.run(&["path", "엔비디아", "Japan"]);
    assert!(
        ko.starts_with("1. Nvidia ") && ko.trim_end().ends_with("hops)"),
        "{ko}"
    );
    let ar = t.run(&["path", "اليابان", "China", "--undirected"]);
    assert!(ar.starts_with("1. Japan "), "{ar}");
}

#[test]
fn subgraph_exports_original_triples() {
    let t = graph();
    let ttl = t.run(&["path", "Alpha", "Gamma", "--format", "turtle"]);
    assert_eq!(
        ttl,
        "@prefix ex: <http://example.org/> .\n\nex:a ex:knows ex:b .\n\nex:b ex:knows ex:c .\n"
    );
    let json: serde_json::Value =
        serde_json::from_str(&t.run(&["path", "Alpha", "Gamma", "--format", "json"])).unwrap();
    assert_eq!(json["paths"][0]["length"], 2);
}

#[test]
fn graphviz_renders_our_dot() {
    if !have("dot") {
        return;
    }
    let t = graph();
    let dot = t.create(
        "n.dot",
        t.run(&["neighbors", "Beta", "--depth", "2", "--format", "dot"]),
    );
    let png = t.path().join("n.png");
    succeed(
        Command::new("dot")
            .arg("-Tpng")
            .arg(&dot)
            .arg("-o")
            .arg(&png),
    );
    assert!(std::fs::metadata(&png).unwrap().len() > 1000);
    let text = std::fs::read_to_string(&dot).unwrap();
    assert!(text.contains("label = \"Beta\""), "{text}");
}

#[test]
fn networkx_reads_our_graphml() {
    let Some(py) = python() else { return };
    let t = graph();
    let ml = t.create(
        "n.graphml",
        t.run(&["neighbors", "Beta", "--depth", "2", "--format", "graphml"]),
    );
    let script = r#"
import sys, networkx as nx
g = nx.read_graphml(sys.argv[1])
labels = sorted(d["label"] for _, d in g.nodes(data=True))
preds = sorted(d["predicate"] for _, _, d in g.edges(data=True))
print(g.number_of_nodes(), g.number_of_edges(), ",".join(labels), ",".join(p.rsplit("/", 1)[1] for p in preds))
"#;
    assert_eq!(
        run_python(&py, script, &[ml.as_os_str()]),
        "5 5 Alpha,Beta,Delta,Epsilon,Gamma knows,knows,knows,likes,likes"
    );
}

/// The projection's fast path reads subjects as strings, which blank nodes are not: a predicate with a
/// blank subject, a predicate with both literal and resource objects, and edges in named graphs must
/// all still become edges.
#[test]
fn blank_subjects_mixed_objects_and_named_graphs_project() {
    let t = TestDir::new();
    let f = t.create(
        "g.trig",
        r#"@prefix ex: <http://example.org/> .
ex:x ex:rel [ ex:rel ex:y ; ex:note "a note" ] .
ex:y ex:rel "a literal", 7 .
ex:g1 { ex:y ex:rel ex:z . }
"#,
    );
    t.kg().arg("load").arg(&f).assert().success();
    let out = t.run(&["path", "ex:x", "ex:z"]);
    assert!(
        out.contains("(3 hops)") && out.ends_with("ex:z  (3 hops)\n"),
        "{out}"
    );
    let comps = t.run(&["components"]);
    assert!(comps.starts_with("1 components, 4 nodes"), "{comps}");
}

/// What a traversal said on stderr about its projection: built from the store or opened from the saved file.
fn projection_origin(t: &TestDir, args: &[&str]) -> (String, &'static str) {
    let (out, err) = t.run_both(args);
    let origin = if err.contains("opened the saved projection") {
        "saved"
    } else if err.contains("projected ") {
        "built"
    } else {
        panic!("no projection line in {err}")
    };
    (out, origin)
}

fn saved_projections(t: &TestDir) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(t.store())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("kg-projection-"))
        .collect();
    names.sort();
    names
}

/// Checks that the one saved projection is what a build from the store gives: the same bytes
/// and the same answer to `args`. Returns that answer.
fn saved_is_what_a_build_gives(t: &TestDir, args: &[&str]) -> String {
    let (saved_answer, origin) = projection_origin(t, args);
    assert_eq!(origin, "saved");
    let names = saved_projections(t);
    assert_eq!(names.len(), 1, "{names:?}");
    let file = t.store().join(&names[0]);
    let saved = std::fs::read(&file).unwrap();
    std::fs::remove_file(&file).unwrap();
    let (built_answer, origin) = projection_origin(t, args);
    assert_eq!(origin, "built");
    assert_eq!(built_answer, saved_answer);
    assert!(
        std::fs::read(&file).unwrap() == saved,
        "the saved projection differs from the one a traversal builds"
    );
    saved_answer
}

// Issue 15: the projection is saved beside the store and reused until the data changes.
#[test]
fn issue_15_a_saved_projection_is_reused_until_kg_writes() {
    let t = graph();
    let path = ["path", "Alpha", "Epsilon"];
    // The first load into a new store saved the projection of what it loaded, a build's bytes.
    let first = saved_is_what_a_build_gives(&t, &path);
    assert_eq!(saved_projections(&t).len(), 1);
    let (second, origin) = projection_origin(&t, &path);
    assert_eq!(origin, "saved");
    assert_eq!(first, second);
    // Every traversal shares the saved projection of the same options.
    for args in [&["neighbors", "Beta"][..], &["rank"], &["components"]] {
        assert_eq!(projection_origin(&t, args).1, "saved", "{args:?}");
    }
    // Other options, another file; both current.
    assert_eq!(
        projection_origin(&t, &["components", "--all-predicates"]).1,
        "built"
    );
    assert_eq!(saved_projections(&t).len(), 2);

    // An update through kg that only adds: the saved projection is patched with it, and is
    // what a build gives; the next traversal sees the new edge.
    let (_, err) = t.run_both(&[
        "update",
        "PREFIX ex: <http://example.org/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> \
         INSERT DATA { ex:a ex:knows ex:e . ex:e ex:cites ex:new . ex:new rdfs:label \"Newcomer\"@en }",
    ]);
    assert!(
        err.contains("patched the saved projection for traversals with the write"),
        "{err}"
    );
    // The projection of the older data, and the other options' one, are gone with it.
    assert_eq!(saved_projections(&t).len(), 1);
    let after = saved_is_what_a_build_gives(&t, &path);
    assert_eq!(after, "1. Alpha —[ex:knows]→ Epsilon  (1 hop)\n");
    assert!(t.run(&["neighbors", "Epsilon"]).contains("Newcomer"));

    // Inserting what is there already writes nothing: no patch, and the same file stays current.
    let state = std::fs::read(t.store().join("kg-state.json")).unwrap();
    let (_, err) = t.run_both(&[
        "update",
        "PREFIX ex: <http://example.org/> INSERT DATA { ex:a ex:knows ex:e }",
    ]);
    assert!(!err.contains("patched"));
    assert_eq!(
        std::fs::read(t.store().join("kg-state.json")).unwrap(),
        state
    );
    assert_eq!(projection_origin(&t, &path).1, "saved");

    // A load only adds too.
    let more = t.create(
        "more.ttl",
        "<http://example.org/e> <http://example.org/knows> <http://example.org/z> .\n\
         <http://example.org/z> <http://example.org/knows> _:n .\n\
         _:n <http://example.org/knows> <http://example.org/a> .\n",
    );
    t.kg().arg("load").arg(&more).assert().success();
    let around = saved_is_what_a_build_gives(&t, &["neighbors", "Epsilon"]);
    assert!(around.contains("Epsilon ┆ ex:knows  ┆ ex:z"), "{around}");

    // A write that removes, and a write-back of scores, make the next traversal build.
    t.run(&[
        "update",
        "PREFIX ex: <http://example.org/> DELETE DATA { ex:a ex:knows ex:e }",
    ]);
    let (after, origin) = projection_origin(&t, &path);
    assert_eq!(origin, "built");
    assert_ne!(after, "1. Alpha —[ex:knows]→ Epsilon  (1 hop)\n");
    let (_, origin) = projection_origin(&t, &["rank", "--write-back", "http://example.org/scores"]);
    assert_eq!(origin, "saved");
    assert_eq!(projection_origin(&t, &["rank"]).1, "built");
}

// Issue 15: the server's writes that only add patch the saved projection too (an update's
// INSERT DATA, a Graph Store POST); the next traversal after the server opens it.
#[test]
fn issue_15_writes_through_kg_serve_patch_the_saved_projection() {
    use crate::serve::{http, Server};
    let t = graph();
    let path = ["path", "Alpha", "Epsilon"];
    assert_eq!(projection_origin(&t, &path).1, "saved");
    {
        let s = Server::start(&t, &["--writable"]);
        let r = s.post(
            "/sparql",
            &[("Content-Type", "application/sparql-update")],
            b"INSERT DATA { <http://example.org/a> <http://example.org/knows> <http://example.org/e> }",
        );
        assert_eq!(r.status, 204, "{}", r.text());
        let r = http(
            &s.addr,
            "POST",
            &format!("/store?graph={}", crate::serve::enc("http://example.org/g")),
            &[("Content-Type", "text/turtle")],
            b"<http://example.org/e> <http://example.org/cites> [ <http://www.w3.org/2000/01/rdf-schema#label> \"Anon\"@en ] .",
        );
        assert!(matches!(r.status, 201 | 204), "{}", r.text());
    }
    let answer = saved_is_what_a_build_gives(&t, &path);
    assert_eq!(answer, "1. Alpha —[ex:knows]→ Epsilon  (1 hop)\n");
    assert!(t.run(&["neighbors", "Epsilon"]).contains("Anon"));
}

// Issue 15: a database changed behind kg's back (here, its files restored from a copy taken before a
// write, while kg's own records say the write happened) must not answer from the saved projection.
#[test]
fn issue_15_a_database_changed_by_something_else_is_projected_again() {
    let t = graph();
    let backup = t.path().join("backup");
    std::fs::create_dir(&backup).unwrap();
    let database_files = |dir: &std::path::Path| -> Vec<std::path::PathBuf> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with("kg-"))
            .collect()
    };
    for f in database_files(&t.store()) {
        std::fs::copy(&f, backup.join(f.file_name().unwrap())).unwrap();
    }
    t.run(&[
        "update",
        "PREFIX ex: <http://example.org/> INSERT DATA { ex:a ex:knows ex:e }",
    ]);
    let path = ["path", "Alpha", "Epsilon"];
    // The write patched the projection the load saved.
    let (with_write, origin) = projection_origin(&t, &path);
    assert_eq!(origin, "saved");
    assert_eq!(with_write, "1. Alpha —[ex:knows]→ Epsilon  (1 hop)\n");
    // Restore the database alone: kg-state.json still counts the write.
    for f in database_files(&t.store()) {
        std::fs::remove_file(f).unwrap();
    }
    for f in database_files(&backup) {
        std::fs::copy(&f, t.store().join(f.file_name().unwrap())).unwrap();
    }
    let (restored, origin) = projection_origin(&t, &path);
    assert_eq!(origin, "built");
    assert_eq!(
        restored,
        "1. Alpha —[ex:knows]→ Beta —[ex:knows]→ Gamma —[ex:knows]→ Epsilon  (3 hops)\n"
    );
}

// Issue 15: a damaged saved projection is rebuilt, never trusted.
#[test]
fn issue_15_a_damaged_saved_projection_is_rebuilt() {
    let t = graph();
    let path = ["path", "Alpha", "Epsilon"];
    let (first, _) = projection_origin(&t, &path);
    let name = saved_projections(&t).remove(0);
    let file = t.store().join(&name);
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() - 9]).unwrap();
    let (again, origin) = projection_origin(&t, &path);
    assert_eq!(origin, "built");
    assert_eq!(again, first);
    assert_eq!(std::fs::read(&file).unwrap(), bytes);
}

// Issue 15: `kg infer` reads every quad, and saves the projection from that read; it is the very
// file a traversal would build from the store, and the first traversal after it opens it.
#[test]
fn issue_15_kg_infer_saves_the_projection_a_traversal_would_build() {
    let t = TestDir::new();
    let data = t.create(
        "g.trig",
        r#"@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:knows rdfs:subPropertyOf ex:linked ; rdfs:label "knows"@en .
ex:name rdfs:subPropertyOf rdfs:label .
ex:a ex:knows ex:b ; ex:name "Alpha" ; ex:age 3 .
ex:b ex:knows [ ex:likes ex:c ] ; a ex:Thing .
ex:g1 { ex:c ex:knows ex:d . ex:d rdfs:label "Delta"@de, "Delta"@en . }
"#,
    );
    // The ontology's graph holds edges that are not the data's: never projected.
    let ontology = t.create(
        "o.ttl",
        "<http://example.org/Thing> <http://example.org/seeAlso> <http://example.org/Other> .\n",
    );
    t.kg().arg("load").arg(&data).assert().success();
    t.kg()
        .args(["load", "--graph", "https://w3id.org/kg/graph/ontology"])
        .arg(&ontology)
        .assert()
        .success();
    let (_, err) = t.run_both(&["infer"]);
    assert!(
        err.contains("saved the projection for traversals from what it read: 5 nodes and 7 edges"),
        "{err}"
    );
    let path = ["path", "Alpha", "Delta"];
    let (saved_answer, origin) = projection_origin(&t, &path);
    assert_eq!(origin, "saved");
    let names = saved_projections(&t);
    assert_eq!(names.len(), 1);
    let file = t.store().join(&names[0]);
    let from_infer = std::fs::read(&file).unwrap();
    std::fs::remove_file(&file).unwrap();
    let (built_answer, origin) = projection_origin(&t, &path);
    assert_eq!(origin, "built");
    assert_eq!(built_answer, saved_answer);
    assert!(
        std::fs::read(&file).unwrap() == from_infer,
        "the file infer saved differs from the one the traversal built"
    );
    // The ontology graph's edge is not there, the entailments' are; a write after infer is seen.
    let comps = t.run(&["components"]);
    assert!(comps.starts_with("1 components, 5 nodes"), "{comps}");
    // An update that only adds brings the entailments up to date incrementally, and patches the
    // saved projection with the triple and what it entails.
    let (_, err) = t.run_both(&[
        "update",
        // The second triple is there already: the count of asserted quads must not move.
        "PREFIX ex: <http://example.org/> INSERT DATA { ex:a ex:likes ex:d . ex:a ex:knows ex:b }",
    ]);
    assert!(err.contains("entailments updated incrementally"), "{err}");
    assert!(err.contains("patched the saved projection"), "{err}");
    let after = saved_is_what_a_build_gives(&t, &path);
    assert_eq!(after, "1. Alpha —[ex:likes]→ Delta  (1 hop)\n");
    // The incremental run's counts are a full run's.
    let counts = |text: &str| {
        let line = text
            .lines()
            .find(|l| l.contains(" inferred from "))
            .unwrap();
        line.split(" in ").next().unwrap().to_owned()
    };
    let (_, full) = t.run_both(&["infer"]);
    assert!(full.contains("saved the projection"));
    assert_eq!(
        counts(&err),
        counts(&full).replace("computed", "updated incrementally")
    );

    // A write that removes recomputes in full, and that run saves the projection too, exactly:
    // the entailment `ex:a ex:linked ex:b` goes with the triple it came from.
    let (_, err) = t.run_both(&[
        "update",
        "PREFIX ex: <http://example.org/> DELETE DATA { ex:a ex:knows ex:b }",
    ]);
    assert!(!err.contains(" −0)"), "nothing removed: {err}");
    assert!(
        err.contains("saved the projection for traversals from what it read"),
        "{err}"
    );
    let around = saved_is_what_a_build_gives(&t, &["neighbors", "Alpha"]);
    assert!(!around.contains("ex:linked"), "{around}");
}

// Issue 15: a first load into a new store says it saved the projection, in words that count
// right; the first traversal opens that file.
#[test]
fn issue_15_the_first_load_saves_the_projection_and_counts_in_words() {
    let t = TestDir::new();
    let f = t.create(
        "one.ttl",
        "<http://example.org/a> <http://example.org/knows> <http://example.org/b> .\n",
    );
    let (_, err) = t.run_both(&["load", f.to_str().unwrap()]);
    assert!(
        err.contains("saved the projection for traversals of the new store: 2 nodes and 1 edge in"),
        "{err}"
    );
    let (_, err) = t.run_both(&["path", "http://example.org/a", "http://example.org/b"]);
    assert!(
        err.contains("opened the saved projection of 2 nodes and 1 edge in"),
        "{err}"
    );
}
