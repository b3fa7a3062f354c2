//! `kg sheet`: skeletons and mentions of the seeded documents and of fixtures in other languages
//! and scripts, quotes that do not occur, uncovered amounts, term suggestions and listings; and
//! the other rough edges: evidence checks of any sheet, tables that fit the width, `kg path`'s default.

use crate::util::{shared, TestDir};
use predicates::prelude::*;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sheet")).join(name)
}

fn seed_doc(name: &str) -> PathBuf {
    shared().join("seeds").join(name)
}

/// `kg sheet mentions DOC -f tsv` as (kind, text, value) triples.
fn mentions(t: &TestDir, doc: &std::path::Path) -> Vec<(String, String, String)> {
    let out = t.run(&["sheet", "mentions", "-f", "tsv", doc.to_str().unwrap()]);
    out.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[2].to_owned(), f[3].to_owned(), f[4].to_owned())
        })
        .collect()
}

/// Asserts that each (text, value) is among the mentions.
fn assert_found(found: &[(String, String, String)], expected: &[(&str, &str)]) {
    for (text, value) in expected {
        assert!(
            found.iter().any(|(_, t, v)| t == text && v == value),
            "{text} → {value} not found in {found:#?}"
        );
    }
}

#[test]
fn every_amount_of_the_seeded_documents_is_found() {
    let t = TestDir::new();
    let ar = mentions(&t, &seed_doc("000_db2f327f11732eb6.txt"));
    assert_found(
        &ar,
        &[
            ("252.5 مليار ين", "252500000000 JPY"),
            ("1.6 مليار دولار", "1600000000 USD"),
            ("1.5 تريليون ين", "1500000000000 JPY"),
            ("10 مليار دولار", "10000000000 USD"),
            ("5.7 تريليون ين", "5700000000000 JPY"),
            ("38 مليار دولار", "38000000000 USD"),
            ("100 مليار ين", "100000000000 JPY"),
            ("667 مليون دولار", "667000000 USD"),
            ("550 مليار دولار", "550000000000 USD"),
            ("93.7 مليار ين", "93700000000 JPY"),
            ("625 مليون دولار", "625000000 USD"),
            ("2021", "2021"),
        ],
    );
    assert!(
        ar.iter().any(|(k, t, _)| k == "date" && t == "يوم الجمعة"),
        "{ar:?}"
    );
    let ko = mentions(&t, &seed_doc("001_e430e66f4d54f0ca.txt"));
    assert_found(
        &ko,
        &[
            ("1조엔", "1000000000000 JPY"),
            ("9조 5000억원", "9500000000000 KRW"),
            ("685억 달러", "68500000000 USD"),
            ("94조원", "94000000000000 KRW"),
            ("80~90%", "80–90 %"),
            ("10%", "10 %"),
            ("2월7일", "--02-07 (year not stated)"),
        ],
    );
    assert!(
        ko.iter().any(|(k, t, _)| k == "amount" && t == "수천억엔"),
        "{ko:?}"
    );
    let de = mentions(&t, &seed_doc("002_f19ac7643f7d17dd.txt"));
    assert_found(
        &de,
        &[
            ("150 Billionen Won", "150000000000000 KRW"),
            ("200 Milliarden Dollar", "200000000000 USD"),
            ("275 Billionen Won", "275000000000000 KRW"),
            ("40 Prozent", "40 %"),
            ("2025-12-19", "2025-12-19"),
            ("17. Dezember", "--12-17 (year not stated)"),
            ("2030", "2030"),
            ("15 Modellen", "15 Modellen"),
            (
                "13 Demonstrationsindustrieparks",
                "13 Demonstrationsindustrieparks",
            ),
            ("fünf Pole", "5 Pole"),
        ],
    );
}

#[test]
fn the_skeleton_fills_the_document_and_lists_the_mentions() {
    let t = TestDir::new();
    let sheet = t.path().join("002.toml");
    t.kg()
        .args(["sheet", "new", "-o"])
        .arg(&sheet)
        .arg(seed_doc("002_f19ac7643f7d17dd.txt"))
        .assert()
        .success()
        .stderr(predicate::str::contains("16 mentions"));
    let text = std::fs::read_to_string(&sheet).unwrap();
    let parsed: toml::Table = toml::from_str(&text).unwrap();
    let doc = parsed["document"].as_table().unwrap();
    assert_eq!(doc["file"].as_str(), Some("002_f19ac7643f7d17dd.txt"));
    assert_eq!(doc["language"].as_str(), Some("de"));
    assert_eq!(
        doc["title"].as_str(),
        Some("Südkorea fördert regionales Wachstum durch KI und strategische Industrien")
    );
    assert_eq!(doc["sha256"].as_str().unwrap().len(), 64);
    assert!(
        text.contains("# [ ] 11:326 amount \"200 Milliarden Dollar\" → 200000000000 USD"),
        "{text}"
    );
    assert!(text.contains("# published = 2025-12-19"), "{text}");
    // The skeleton is a valid sheet already, and an existing file is kept.
    t.kg()
        .args(["load", "--dry-run"])
        .arg(&sheet)
        .assert()
        .success();
    t.kg()
        .args(["sheet", "new", "-o"])
        .arg(&sheet)
        .arg(seed_doc("002_f19ac7643f7d17dd.txt"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--force"));
}

#[test]
fn fixtures_in_other_languages_and_scripts() {
    let t = TestDir::new();
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "ja.txt",
            &[
                ("1兆2000億円", "1200000000000 JPY"),
                ("2025年12月5日", "2025-12-05"),
                ("3社", "3 社"),
                ("30％", "30 %"),
            ],
        ),
        (
            "zh.txt",
            &[
                ("3000亿元", "300000000000 CNY"),
                ("1.5亿美元", "150000000 USD"),
                ("2025年3月10日", "2025-03-10"),
                ("12个", "12 个"),
                ("15%", "15 %"),
            ],
        ),
        (
            "fr.txt",
            &[
                ("2,5 milliards d'euros", "2500000000 EUR"),
                ("1 500 millions d'euros", "1500000000 EUR"),
                ("3 mars 2025", "2025-03-03"),
                ("quatre usines", "4 usines"),
                ("40 %", "40 %"),
                ("2030", "2030"),
            ],
        ),
        (
            "es.txt",
            &[
                ("12.250 millones de euros", "12250000000 EUR"),
                ("3 mil millones de euros", "3000000000 EUR"),
                ("1,2 billones de euros", "1200000000000 EUR"),
                ("14 de febrero de 2025", "2025-02-14"),
                ("25 por ciento", "25 %"),
            ],
        ),
        (
            "en.txt",
            &[
                ("$52.7 billion", "52700000000 USD"),
                ("€3bn", "3000000000 EUR"),
                ("¥1.5 trillion", "1500000000000 JPY"),
                ("December 17, 2025", "2025-12-17"),
                ("40,000 jobs", "40000 jobs"),
                ("20%", "20 %"),
            ],
        ),
        (
            "ar.txt",
            &[
                ("١٢٫٥ مليار دولار", "12500000000 USD"),
                ("٣٠٠ مليون ريال", "300000000 SAR"),
                ("١٥ مارس ٢٠٢٥", "2025-03-15"),
                ("٢٠٪", "20 %"),
                ("٢٠٣٠", "2030"),
            ],
        ),
        (
            "de.txt",
            &[
                ("2,5 Mrd. Euro", "2500000000 EUR"),
                ("750 Mio. Euro", "750000000 EUR"),
                ("1,2 Billionen Euro", "1200000000000 EUR"),
                ("12,5 Prozent", "12.5 %"),
                ("3. Februar 2026", "2026-02-03"),
                ("12 Pilotprojekte", "12 Pilotprojekte"),
            ],
        ),
    ];
    for (file, expected) in cases {
        let found = mentions(&t, &fixture(file));
        assert_found(&found, expected);
    }
    // Language detection across scripts.
    for (file, lang) in [
        ("ja.txt", "ja"),
        ("zh.txt", "zh"),
        ("ar.txt", "ar"),
        ("fr.txt", "fr"),
    ] {
        let out = t.run(&["sheet", "new", fixture(file).to_str().unwrap()]);
        assert!(
            out.contains(&format!("language = \"{lang}\"")),
            "{file}: {out}"
        );
    }
}

/// A sheet for the German fixture: one record quoting the first sentence.
fn de_sheet(quote: &str) -> String {
    let sha = "0".repeat(64);
    format!(
        "[document]\nfile = \"de.txt\"\nsha256 = \"{sha}\"\ntitle = \"Bund fördert Wasserstoff mit Milliarden\"\nlanguage = \"de\"\n\n\
         [[fact]]\nid = \"h2-programme\"\na = \"kg:BudgetAllocation\"\nlabel.en = \"Hydrogen programme\"\nquote = \"{quote}\"\n"
    )
}

#[test]
fn check_reports_missing_quotes_and_uncovered_mentions() {
    let t = TestDir::new();
    let doc = fixture("de.txt");
    let missing = t.create("missing.toml", de_sheet("Dieser Satz steht nicht im Text"));
    t.kg()
        .args(["sheet", "check"])
        .arg(&missing)
        .arg("--doc")
        .arg(&doc)
        .assert()
        .code(65)
        .stderr(predicate::str::contains("quote not found verbatim in"))
        .stderr(predicate::str::contains(
            "\"Dieser Satz steht nicht im Text\"",
        ));
    let partial = t.create(
        "partial.toml",
        de_sheet(
            "Das Ministerium hat am 3. Februar 2026 ein Programm über 2,5 Mrd. Euro vorgestellt.",
        ),
    );
    let out = t
        .kg()
        .args(["sheet", "check"])
        .arg(&partial)
        .arg("--doc")
        .arg(&doc)
        .assert()
        .success()
        .get_output()
        .clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("2 of 7 mentions covered"), "{err}");
    assert!(
        err.contains("de.txt:3:93: warning: amount \"750 Mio. Euro\" (750000000 EUR) is not covered by any quote"),
        "{err}"
    );
    assert!(
        err.contains("has changed since the sheet was started"),
        "{err}"
    );
    t.kg()
        .args(["sheet", "check", "--strict"])
        .arg(&partial)
        .arg("--doc")
        .arg(&doc)
        .assert()
        .code(65)
        .stderr(predicate::str::contains(
            "5 mentions are not covered by any quote",
        ));
}

#[test]
fn the_seeded_sheets_check_against_their_documents() {
    let t = TestDir::new();
    for stem in [
        "000_db2f327f11732eb6",
        "001_e430e66f4d54f0ca",
        "002_f19ac7643f7d17dd",
    ] {
        let sheet = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("seeds/{stem}.toml"));
        let out = t
            .kg()
            .args(["sheet", "check", "--strict"])
            .arg(&sheet)
            .arg("--doc")
            .arg(seed_doc(&format!("{stem}.txt")))
            .output()
            .unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(out.status.success(), "{err}");
        let summary = err.lines().last().unwrap_or_default();
        let n: Vec<usize> = summary
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|w| w.parse().ok())
            .collect();
        // Full coverage: every quote occurs, and every amount, percentage, count and date of the
        // text (the page's own counters included) is covered by a quote.
        assert_eq!(n[0], n[1], "{err}");
        assert_eq!(n[2], n[3], "{err}");
        assert!(!err.contains("warning:"), "{err}");
    }
}

#[test]
fn unknown_terms_get_the_nearest_ones() {
    let t = TestDir::new();
    let sheet = t.create(
        "s.toml",
        "[document]\nfile = \"de.txt\"\ntitle = \"T\"\nlanguage = \"de\"\n\n[[fact]]\nid = \"x\"\na = \"kg:Allocation\"\nquote = \"Programm\"\n\"kg:recipient\" = \"@x\"\n",
    );
    t.kg()
        .args(["load", "--dry-run"])
        .arg(&sheet)
        .assert()
        .code(65)
        .stderr(predicate::str::contains(
            "unknown class 'kg:Allocation': it is not defined in the ontology; did you mean kg:BudgetAllocation",
        ))
        .stderr(predicate::str::contains(
            "unknown property 'kg:recipient': it is not defined in the ontology; did you mean kg:beneficiary",
        ));
}

#[test]
fn terms_lists_classes_and_what_a_class_takes() {
    let t = TestDir::new();
    let classes = t.run(&["sheet", "terms"]);
    assert!(
        classes.contains("kg:BudgetAllocation") && classes.contains("schema:Organization"),
        "{classes}"
    );
    let props = t.run(&["sheet", "terms", "kg:BudgetAllocation"]);
    // Properties of the class's superclasses (kg:Fact) with their ranges.
    let beneficiary = props
        .lines()
        .find(|l| l.contains("kg:beneficiary"))
        .unwrap_or_default();
    assert!(
        beneficiary.contains("schema:Thing") && beneficiary.contains("kg:Fact"),
        "{props}"
    );
    assert!(props.contains("kg:allocatedBy"), "{props}");
    t.kg()
        .args(["sheet", "terms", "kg:Allocation"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("did you mean kg:BudgetAllocation"));
}

#[test]
fn check_evidence_checks_loaded_and_given_sheets() {
    let t = TestDir::new();
    let docs = t.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::copy(fixture("de.txt"), docs.join("de.txt")).unwrap();
    let sheet = t.create(
        "de.toml",
        de_sheet("ein Programm über 2,5 Mrd. Euro vorgestellt"),
    );
    t.kg().arg("load").arg(&sheet).assert().success();
    // Loaded: checked from the store, the built-in documents (absent here) skipped.
    t.kg()
        .args(["check-evidence", "--docs"])
        .arg(&docs)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 of 1 quotes found verbatim in 1 documents",
        ));
    // Given on the command line.
    t.kg()
        .args(["check-evidence", "--docs"])
        .arg(&docs)
        .arg(&sheet)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 of 1 quotes found verbatim in 1 documents",
        ));
}

#[test]
fn wide_tables_fit_the_columns() {
    let t = TestDir::new();
    t.kg().arg("seed").assert().success();
    let query = "SELECT ?fact ?doc ?file ?quote WHERE { ?fact kg:evidence ?e . ?e oa:hasSource ?doc ; oa:hasSelector/oa:exact ?quote . ?doc dcterms:identifier ?file } ORDER BY ?fact LIMIT 5";
    let narrow = t
        .kg()
        .env("COLUMNS", "80")
        .args(["query", query])
        .output()
        .unwrap();
    let text = String::from_utf8(narrow.stdout).unwrap();
    assert!(text.lines().count() > 7, "{text}");
    for line in text.lines() {
        assert!(
            unicode_width::UnicodeWidthStr::width(line) <= 80,
            "{line}\n{text}"
        );
    }
    // Too narrow for any table: one block per row.
    let blocks = t
        .kg()
        .env("COLUMNS", "40")
        .args(["query", query])
        .output()
        .unwrap();
    let text = String::from_utf8(blocks.stdout).unwrap();
    assert!(text.starts_with("-[ 1 ]"), "{text}");
    assert!(
        text.lines()
            .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 40),
        "{text}"
    );
    // Without a width (a pipe), one line per row as before.
    let wide = t.run(&["query", query]);
    assert_eq!(wide.lines().count(), 5 + 4, "{wide}");
}

#[test]
fn path_follows_both_directions_by_default() {
    let t = TestDir::new();
    t.kg().arg("seed").assert().success();
    let out = t.run(&["path", "엔비디아", "Japan"]);
    assert!(out.starts_with("1. Nvidia "), "{out}");
    t.kg()
        .args(["path", "엔비디아", "Japan", "--directed"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("drop --directed"));
    t.kg()
        .args(["path", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--directed"))
        .stdout(predicate::str::contains("both directions"));
}
