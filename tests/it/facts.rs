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
    let out = csv(&t, "SELECT ?g ?doc ?kind ?lang ?file WHERE { GRAPH ?g { ?doc a ?kind ; dcterms:language ?lang ; dcterms:identifier ?file } } ORDER BY ?file");
    // 001 is a web page: a repost of a Dailian article on a company's board, not the article itself.
    assert_eq!(
        out,
        "g,doc,kind,lang,file\n\
         https://w3id.org/kg/graph/000_db2f327f11732eb6,https://w3id.org/kg/doc/000_db2f327f11732eb6,https://schema.org/NewsArticle,ar,000_db2f327f11732eb6.txt\n\
         https://w3id.org/kg/graph/001_e430e66f4d54f0ca,https://w3id.org/kg/doc/001_e430e66f4d54f0ca,https://schema.org/DiscussionForumPosting,ko,001_e430e66f4d54f0ca.txt\n\
         https://w3id.org/kg/graph/002_f19ac7643f7d17dd,https://w3id.org/kg/doc/002_f19ac7643f7d17dd,https://schema.org/NewsArticle,de,002_f19ac7643f7d17dd.txt\n"
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

// ------------------------------------------------------------------------------------------------
// The seeded facts, checked against a reading of the three documents (not against kg's output).
// ------------------------------------------------------------------------------------------------

/// The local names of the IRIs in one CSV column, sorted.
fn column(out: &str, col: usize) -> Vec<String> {
    let mut v: Vec<String> = out
        .lines()
        .skip(1)
        .map(|l| short(l.split(',').nth(col).unwrap_or("")))
        .collect();
    v.sort();
    v
}

fn short(iri: &str) -> String {
    iri.trim_start_matches("https://w3id.org/kg/id/")
        .trim_start_matches("https://w3id.org/kg/ns#")
        .replace("https://schema.org/", "schema:")
        .replace("http://www.w3.org/2004/02/skos/core#", "skos:")
}

fn ask(t: &TestDir, query: &str) -> bool {
    // The CSV form of an ASK answer is the bare boolean.
    match csv(t, query).trim() {
        "true" => true,
        "false" => false,
        other => panic!("not an ASK answer: {other:?}"),
    }
}

fn saved(t: &TestDir, name: &str) -> String {
    t.run(&["query", "--saved", name, "--format", "csv"])
        .replace('\r', "")
}

/// Every statement the curator adds from knowledge or inference, by reading the texts:
/// (graph's document, subject, predicate). Reified statements and curator-property values alike.
const CURATOR: &[(&str, &str, &str)] = &[
    (
        "000",
        "japan-house-of-representatives",
        "schema:parentOrganization",
    ),
    ("000", "jp-meti-nexi-investment-request", "inBudget"),
    ("000", "jp-prev-budget-ai-chips", "allocatedBy"),
    ("000", "jp-semiconductor-support-since-2021", "partOf"),
    ("000", "meti", "curatorAltLabel"),
    ("000", "meti", "schema:parentOrganization"),
    ("000", "nexi", "curatorAltLabel"),
    ("000", "nexi", "schema:addressCountry"),
    ("000", "takaichi-prime-minister", "heads"),
    ("000", "tsmc", "curatorAltLabel"),
    ("001", "ap", "curatorAltLabel"),
    ("001", "infostec-repost", "derivedDateTime"),
    ("001", "jp-official-statement-on-offer", "derivedDate"),
    ("001", "jp-wafer-chemicals-tech-offer", "proposedTo"),
    ("001", "trump-ishiba-summit", "derivedDate"),
    ("001", "trump-taiwan-chips-statement", "derivedYearMonth"),
    ("001", "us-trade-deficit-with-japan", "derivedYear"),
    ("002", "cptpp", "curatorAltLabel"),
    ("002", "kr-2026-plan-presentation", "derivedDate"),
    ("002", "kr-2026-plan-three-priorities", "plannedBy"),
    ("002", "kr-ai-joint-development", "plannedBy"),
    ("002", "kr-five-poles-three-special-zones", "plannedBy"),
    ("002", "kr-growth-fund-regional-share", "plannedBy"),
    ("002", "kr-local-production-strategic-goods", "plannedBy"),
    ("002", "kr-regulation-free-special-zones", "plannedBy"),
    ("002", "kr-semiconductor-clusters", "plannedBy"),
    ("002", "kr-trade-insurance-275tn", "plannedBy"),
    ("002", "kr-unfair-trade-countermeasures", "plannedBy"),
    ("002", "kr-us-investment-fund-plan", "plannedBy"),
    ("002", "motie", "curatorAltLabel"),
    ("002", "motie", "schema:parentOrganization"),
];

#[test]
fn the_curators_statements_are_listed_and_never_asserted() {
    let t = seeded();
    let out = saved(&t, "curator-statements");
    let mut got: Vec<(String, String, String)> = out
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].trim_start_matches("https://w3id.org/kg/graph/")[..3].to_owned(),
                short(f[1]),
                short(f[2]),
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, String, String)> = CURATOR
        .iter()
        .map(|(g, s, p)| ((*g).to_owned(), (*s).to_owned(), (*p).to_owned()))
        .collect();
    want.sort();
    assert_eq!(got, want, "{out}");
    // Recorded, not asserted: no reified triple is also in the graph.
    assert!(!ask(&t, "ASK { ?st a kg:CuratorStatement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o . ?s ?p ?o }"));
    // Each hangs from its own subject, is attributed to the curator and says why.
    assert!(!ask(
        &t,
        "ASK { ?r kg:curatorStatement ?st . ?st rdf:subject ?s FILTER(?r != ?s) }"
    ));
    assert!(!ask(&t, "ASK { ?st a kg:CuratorStatement FILTER NOT EXISTS { ?st prov:wasAttributedTo kg:curator ; rdfs:comment ?why FILTER(langMatches(lang(?why), \"en\")) } }"));
    // The abbreviations the texts do not give are no label or alternative label.
    for abbr in ["METI", "TSMC", "NEXI", "MOTIE", "Associated Press"] {
        assert!(
            !ask(
                &t,
                &format!("ASK {{ ?x rdfs:label|skos:altLabel ?l FILTER(str(?l) = \"{abbr}\") }}")
            ),
            "{abbr} is asserted as a name"
        );
    }
}

#[test]
fn only_what_the_documents_say() {
    let t = seeded();
    let out = saved(&t, "stated-relations");
    let rows: Vec<String> = out
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            format!("{} {} {}", short(f[1]), short(f[2]), short(f[3]))
        })
        .collect();
    for stated in [
        "jp-suppl-budget-ai-chips allocatedBy government-of-japan",
        "jp-semiconductor-support-since-2021 since jp-semiconductor-strategy-2021",
        "takaichi-prime-minister heads government-of-japan",
        "sanae-takaichi schema:affiliation japan-ruling-coalition",
        "nexi schema:funder government-of-japan",
        "jp-meti-critical-minerals-request beneficiary jp-private-companies",
        "jp-datacenter-chip-import-subsidy beneficiary jp-datacentre-telecom-it-companies",
        "jp-wafer-chemicals-tech-offer beneficiary us-wafer-chemical-makers",
        "kr-growth-fund-regional-share beneficiary kr-plan-regions",
        "kr-semiconductor-clusters schema:about kr-power-semiconductor-cluster",
        "kr-ai-factories-500-by-2030 plannedBy motie",
        "kr-strategic-partnerships plannedBy government-of-south-korea",
        "japan-new-bloc schema:memberOf japan-ruling-coalition",
        "jp-prev-budget-ai-chips accordingTo jp-ruling-party-meti-official",
        "jp-us-chip-import-offer accordingTo jp-government-official",
    ] {
        assert!(
            rows.contains(&stated.to_owned()),
            "missing: {stated}\n{out}"
        );
    }
    let curator = saved(&t, "curator-statements");
    for l in curator.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        let triple = format!("{} {} {}", short(f[1]), short(f[2]), short(f[3]));
        assert!(
            !rows.contains(&triple),
            "curator's {triple} among the stated relations"
        );
    }
    assert!(!out.contains("curatorStatement"), "{out}");
}

#[test]
fn one_actor_one_iri_for_governments() {
    let t = seeded();
    // "Japan plans to spend" and "the government allocated" are one actor: the government of Japan.
    let stated = csv(
        &t,
        "SELECT ?f WHERE { ?f kg:allocatedBy kgi:government-of-japan } ORDER BY ?f",
    );
    assert_eq!(
        column(&stated, 0),
        [
            "jp-semiconductor-support-since-2021",
            "jp-suppl-budget-ai-chips"
        ]
    );
    // With the curator's reading of the allocation that names no actor, all three allocations.
    let with_curator = csv(&t, "SELECT ?f WHERE { { ?f kg:allocatedBy kgi:government-of-japan } UNION { ?st a kg:CuratorStatement ; rdf:subject ?f ; rdf:predicate kg:allocatedBy ; rdf:object kgi:government-of-japan } }");
    assert_eq!(column(&with_curator, 0).len(), 3, "{with_curator}");
    // No country acts or takes part: actors and parties are governments, ministries, people, groups.
    assert!(!ask(
        &t,
        "ASK { ?f ?p ?c . ?p rdfs:subPropertyOf* kg:actor . ?c a schema:Country }"
    ));
    assert!(!ask(
        &t,
        "ASK { ?f kg:participant|kg:proposedTo ?c . ?c a schema:Country }"
    ));
    // Still four countries: Taiwan is a place the text makes act, not a country.
    let countries = csv(&t, "SELECT ?c WHERE { ?c a schema:Country } ORDER BY ?c");
    assert_eq!(
        column(&countries, 0),
        ["china", "japan", "south-korea", "usa"]
    );
    assert!(ask(&t, "ASK { kgi:taiwan a kg:Agent , schema:Place }"));
}

#[test]
fn the_repost_page_and_the_article_are_two_things() {
    let t = seeded();
    let out = csv(
        &t,
        "SELECT ?date ?asStated ?poster ?board ?host ?publisher ?author WHERE {
           <https://w3id.org/kg/doc/001_e430e66f4d54f0ca> dcterms:date ?date .
           ?posting prov:generated <https://w3id.org/kg/doc/001_e430e66f4d54f0ca> ;
                    kg:dateText ?asStated ; prov:wasAssociatedWith ?poster ;
                    prov:atLocation ?board ; prov:used ?article .
           ?board dcterms:publisher ?host .
           ?article a schema:NewsArticle ; dcterms:publisher ?publisher ; schema:author ?author }",
    );
    assert_eq!(
        out,
        "date,asStated,poster,board,host,publisher,author\n\
         2025-05-29,25-05-29 00:27,https://w3id.org/kg/id/ajfoooo,https://w3id.org/kg/id/infostec-as-board,https://w3id.org/kg/id/infostec,https://w3id.org/kg/id/dailian,https://w3id.org/kg/id/kim-sang-do\n"
    );
    assert!(ask(
        &t,
        "ASK { kgi:infostec rdfs:label \"(주)인포스텍\"@ko }"
    ));
    // The article has no date of its own on the page.
    assert!(!ask(&t, "ASK { kgi:dailian-article dcterms:date ?d }"));
}

#[test]
fn stated_amounts_and_conversions_are_apart() {
    let t = seeded();
    // By reading: 15 amounts stated (7 in 000, 3 in 001, 5 in 002), 7 conversions in brackets (5 + 2 + 0).
    let count = |p: &str| {
        csv(
            &t,
            &format!("SELECT (COUNT(*) AS ?n) WHERE {{ ?r {p} ?a }}"),
        )
        .lines()
        .nth(1)
        .unwrap()
        .to_owned()
    };
    assert_eq!(count("kg:amount"), "15");
    assert_eq!(count("kg:equivalentAmount"), "7");
    let m = saved(&t, "monetary-amounts");
    assert_eq!(m.lines().count(), 1 + 22, "{m}");
    assert!(!ask(&t, "ASK { GRAPH <https://w3id.org/kg/graph/ontology> { kg:equivalentAmount rdfs:subPropertyOf ?p } }"));
    // The offer: several hundred billion up to 1 trillion yen more than now, both bounds, as worded.
    assert!(ask(&t, "ASK { kgi:jp-us-chip-import-offer kg:amount ?a . ?a schema:minValue ?min ; schema:maxValue ?max ; schema:currency \"JPY\" ; kg:valueText \"현재보다 수천억엔에서 최대 1조엔까지\"@ko FILTER(?min = 100000000000 && ?max = 1000000000000) }"));
    assert!(!ask(&t, "ASK { kgi:jp-us-chip-import-offer rdfs:comment ?c FILTER(CONTAINS(?c, \"from several hundred billion yen now\")) }"));
    // "685억 달러(약 94조원) 수준": the dollar amount is approximate too, and so is its conversion.
    assert!(ask(&t, "ASK { kgi:us-trade-deficit-with-japan kg:amount [ schema:value ?usd ; kg:approximate true ] ; kg:equivalentAmount [ schema:value ?krw ; kg:approximate true ] FILTER(?usd = 68500000000 && ?krw = 94000000000000) }"));
    // 252.5 billion yen is exact, its conversion "حوالي 1.6 مليار دولار" approximate.
    assert!(!ask(
        &t,
        "ASK { kgi:jp-suppl-budget-ai-chips kg:amount/kg:approximate true }"
    ));
    // "über 40 Prozent": an exclusive bound, not the inclusive schema:minValue.
    assert!(ask(&t, "ASK { kgi:kr-growth-fund-regional-share kg:quantity [ kg:exclusiveMinValue ?v ; schema:unitText \"percent\" ] FILTER(?v = 40) }"));
    assert!(!ask(
        &t,
        "ASK { kgi:kr-growth-fund-regional-share kg:quantity/schema:minValue ?v }"
    ));
    // Funds' amounts are also on the facts that state them.
    let funds = saved(&t, "investment-funds");
    for (fund, fact) in [
        (
            "us-japan-investment-programme",
            "nexi-role-us-japan-investment",
        ),
        ("national-growth-fund", "national-growth-fund-size"),
        ("kr-us-investment-fund", "kr-us-investment-fund-plan"),
    ] {
        assert!(
            funds
                .lines()
                .any(|l| l.contains(&format!("/{fund},")) && l.contains(&format!("/{fact},"))),
            "{fund}: {funds}"
        );
    }
    // With inference, a conversion still is no stated amount.
    t.kg().arg("infer").assert().success();
    assert!(!ask(
        &t,
        "ASK { ?r kg:equivalentAmount ?a . ?s kg:amount ?a }"
    ));
    assert_eq!(count("kg:amount"), "15");
}

#[test]
fn dates_as_stated_and_derived_dates_marked() {
    let t = seeded();
    let out = csv(
        &t,
        "SELECT ?f ?stated ?derived WHERE { ?f kg:dateText ?stated OPTIONAL { ?f kg:derivedDate|kg:derivedYearMonth|kg:derivedYear|kg:derivedDateTime ?derived } } ORDER BY ?f",
    );
    let rows: Vec<String> = out
        .lines()
        .skip(1)
        .map(|l| l.trim_start_matches("https://w3id.org/kg/id/").to_owned())
        .collect();
    assert_eq!(
        rows,
        [
            "infostec-repost,25-05-29 00:27,2025-05-29T00:27:00",
            "jp-last-year-budget,العام الماضي,",
            "jp-official-statement-on-offer,28일,2025-05-28",
            "jp-suppl-budget-cabinet-approval,يوم الجمعة,",
            "kr-2026-plan-presentation,Am 17. Dezember,2025-12-17",
            "nvidia-ai-chip-market-share,현재,",
            "trump-chip-tariff-factories-statement,대선 후보 시절부터,",
            "trump-ishiba-summit,지난 2월7일,2025-02-07",
            "trump-taiwan-chips-statement,취임 뒤인 지난 3월,2025-03",
            "us-trade-deficit-with-japan,지난해,2024",
        ],
        "{out}"
    );
    // Every derived value is a curator property's; no event carries a date as if stated.
    assert!(ask(&t, "ASK { kg:derivedDate a kg:CuratorProperty . kg:derivedYear a kg:CuratorProperty . kg:derivedYearMonth a kg:CuratorProperty . kg:derivedDateTime a kg:CuratorProperty }"));
    assert!(!ask(
        &t,
        "ASK { ?e a kg:PolicyEvent ; dcterms:date|schema:startDate ?d }"
    ));
    // Trump's March statement is cut off by the page.
    assert!(ask(
        &t,
        "ASK { kgi:trump-taiwan-chips-statement kg:truncated true }"
    ));
}

#[test]
fn offices_are_held_at_a_time() {
    let t = seeded();
    assert!(!ask(&t, "ASK { ?p a schema:Person ; kg:heads ?x }"));
    assert!(!ask(&t, "ASK { ?h a kg:OfficeHolding FILTER NOT EXISTS { ?h kg:holder ?p ; kg:heads ?o ; kg:during ?e ; schema:roleName ?n } }"));
    // The government of Japan is headed by Takaichi at the approval (000) and by Ishiba at the summit (001).
    let out = csv(&t, "SELECT ?holder ?event WHERE { ?h kg:heads kgi:government-of-japan ; kg:holder ?holder ; kg:during ?event } ORDER BY ?holder");
    assert_eq!(
        out,
        "holder,event\n\
         https://w3id.org/kg/id/sanae-takaichi,https://w3id.org/kg/id/jp-suppl-budget-cabinet-approval\n\
         https://w3id.org/kg/id/shigeru-ishiba,https://w3id.org/kg/id/trump-ishiba-summit\n"
    );
    let people = saved(&t, "people-and-roles");
    assert_eq!(people.lines().count(), 1 + 9, "{people}");
}

#[test]
fn every_record_has_a_label_in_its_documents_language() {
    let t = seeded();
    let missing = csv(
        &t,
        "SELECT ?r WHERE { GRAPH ?g { ?r prov:wasDerivedFrom ?doc . ?doc dcterms:language ?l
           FILTER NOT EXISTS { ?r rdfs:label ?x FILTER(lang(?x) = ?l) } } }",
    );
    assert_eq!(missing, "r\n");
    assert!(!ask(
        &t,
        "ASK { kgi:government-of-japan rdfs:label \"الحكومة\"@ar }"
    ));
    let facts = saved(&t, "facts-per-document");
    // By reading: 14 facts in 000, 16 in 001, 19 in 002.
    assert_eq!(facts.lines().count(), 1 + 14 + 16 + 19, "{facts}");
}

#[test]
fn sources_have_accurate_terms() {
    let t = seeded();
    let out = saved(&t, "reported-by");
    let mut how: Vec<(String, String)> = out
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[2].to_owned(), short(f[0]))
        })
        .collect();
    how.sort();
    how.dedup();
    assert_eq!(
        how,
        [
            ("news medium cited".to_owned(), "asahi-shimbun".to_owned()),
            ("news medium cited".to_owned(), "bloomberg".to_owned()),
            (
                "person or official quoted".to_owned(),
                "jp-government-official".to_owned()
            ),
            (
                "person or official quoted".to_owned(),
                "jp-ruling-party-meti-official".to_owned()
            ),
            ("photo credit".to_owned(), "ap".to_owned()),
            ("photo credit".to_owned(), "newsis".to_owned()),
        ]
    );
    // Bloomberg: 7 facts of S4 and S6 ("بحسب بلومبيرغ", "وفقا لبلومبيرغ"); Asahi: 5; officials: 4; photo: 2.
    assert_eq!(out.lines().count(), 1 + 7 + 5 + 4 + 2, "{out}");
    assert!(!ask(
        &t,
        "ASK { ?f kg:reportedBy ?s FILTER NOT EXISTS { ?s a schema:NewsMediaOrganization } }"
    ));
}

#[test]
fn the_ontology_declares_every_term_the_graph_uses() {
    let t = seeded();
    let undeclared_properties = csv(
        &t,
        "SELECT DISTINCT ?p WHERE { ?s ?p ?o
           FILTER(!STRSTARTS(STR(?p), STR(owl:)) && ?p NOT IN (rdf:type, rdfs:subClassOf, rdfs:subPropertyOf, rdfs:domain, rdfs:range))
           FILTER NOT EXISTS { GRAPH <https://w3id.org/kg/graph/ontology> { ?p a ?k FILTER(?k IN (owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty)) } } }",
    );
    assert_eq!(undeclared_properties, "p\n");
    let undeclared_classes = csv(
        &t,
        "SELECT DISTINCT ?c WHERE { { ?s a ?c } UNION { ?x rdfs:subClassOf|rdfs:domain|rdfs:range ?c }
           FILTER(isIRI(?c) && !STRSTARTS(STR(?c), STR(owl:)) && !STRSTARTS(STR(?c), STR(xsd:)) && ?c NOT IN (rdf:langString, rdfs:Resource))
           FILTER NOT EXISTS { GRAPH <https://w3id.org/kg/graph/ontology> { ?c a owl:Class } } }",
    );
    assert_eq!(undeclared_classes, "c\n");
    assert!(ask(&t, "ASK { GRAPH <https://w3id.org/kg/graph/ontology> { skos:hasTopConcept a owl:ObjectProperty . skos:topConceptOf a owl:ObjectProperty } }"));
}

#[test]
fn saved_queries_answer_the_same_with_inference() {
    let t = seeded();
    let names: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/queries"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let before: Vec<String> = names.iter().map(|n| saved(&t, n)).collect();
    t.kg().arg("infer").assert().success();
    for (name, answer) in names.iter().zip(before) {
        assert_eq!(saved(&t, name), answer, "{name} changes with inference");
    }
}

#[test]
fn saved_query_answers_follow_the_documents() {
    let t = seeded();
    // 252.5 billion and 5.7 trillion yen: the stated semiconductor allocations of the government of Japan
    // (the 1.5 trillion has no stated actor); one row per quote.
    let semi = saved(&t, "japan-semiconductor-amounts");
    assert_eq!(
        column(&semi, 0),
        [
            "jp-semiconductor-support-since-2021",
            "jp-semiconductor-support-since-2021",
            "jp-semiconductor-support-since-2021",
            "jp-suppl-budget-ai-chips"
        ]
    );
    // In the supplementary budget: 252.5 billion (government) and 93.7 billion (METI); NEXI's only by the curator.
    let suppl = saved(&t, "supplementary-budget-items");
    assert_eq!(
        column(&suppl, 0),
        [
            "jp-meti-critical-minerals-request",
            "jp-suppl-budget-ai-chips"
        ]
    );
    let targets = saved(&t, "korea-targets-2030");
    assert_eq!(column(&targets, 0), ["kr-ai-factories-500-by-2030"]);
    // Targets of the plan: poles and zones (two quantities), 500 factories, 15 models, 13 parks, >40 %, 275 trillion won.
    let plan = saved(&t, "korea-plan-targets");
    assert_eq!(plan.lines().count(), 1 + 7, "{plan}");
    let proposals = saved(&t, "trade-proposals");
    assert_eq!(
        column(&proposals, 0),
        ["jp-us-chip-import-offer", "jp-wafer-chemicals-tech-offer"]
    );
    let events = saved(&t, "policy-events");
    assert_eq!(events.lines().count(), 1 + 7, "{events}");
    let shared = saved(&t, "shared-entities");
    let mut entities = column(&shared, 0);
    entities.dedup();
    assert_eq!(
        entities,
        [
            "government-of-japan",
            "japan",
            "south-korea",
            "us-government",
            "usa"
        ]
    );
    let speakers = saved(&t, "statements-by-people");
    assert_eq!(speakers.lines().count(), 1 + 4, "{speakers}");
    let places = saved(&t, "places-and-locations");
    assert_eq!(places.lines().count(), 1 + 8, "{places}");
    let minerals = saved(&t, "critical-minerals-facts");
    assert_eq!(column(&minerals, 0), ["jp-meti-critical-minerals-request"]);
    assert!(
        minerals.contains("Private companies securing rare earths"),
        "{minerals}"
    );
}
