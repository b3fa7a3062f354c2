//! What the fuzz targets check, as plain functions: the targets call them on generated inputs, and the
//! ordinary test suite (tests/it/fuzz_regressions.rs) calls them on the cases the fuzzers found, on
//! stable Rust. Each panics when a promise is broken.

pub use fact_sheet::fact_sheet;
pub use repl_input::repl_input;

mod fact_sheet {
    // The fact-sheet loader on arbitrary text: it must never panic, every mistake must point at a line and
    // column inside the sheet, and whatever it accepts must be RDF that Oxigraph stores and reads back.

    use kg::ingest::factsheet;
    use kg::ingest::ontology::Vocabulary;
    use kg::{Error, Location};
    use oxigraph::store::Store;

    pub fn fact_sheet(data: &[u8]) {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        match factsheet::compile(text, "fuzz.toml", Vocabulary::builtin()) {
            Ok(sheet) => {
                let oxi = Store::new().expect("in-memory store");
                oxi.extend(sheet.quads.iter().cloned())
                    .expect("sheet quads are storable");
                for quad in &sheet.quads {
                    assert_eq!(
                        quad.graph_name,
                        sheet.graph.clone().into(),
                        "quad outside the sheet's graph"
                    );
                    assert!(
                        oxi.contains(quad).expect("lookup"),
                        "stored quad not found: {quad}"
                    );
                }
                for (_, location) in &sheet.quotes {
                    check_location(text, location);
                }
            }
            Err(Error::Invalid(diagnostics)) => {
                assert!(!diagnostics.is_empty(), "an invalid sheet must say why");
                for d in &diagnostics {
                    check_location(text, &d.location);
                }
                let _ = Error::Invalid(diagnostics).render();
            }
            Err(e @ Error::Syntax { .. }) => {
                if let Error::Syntax { location, .. } = &e {
                    check_location(text, location);
                }
                let _ = e.render();
            }
            Err(other) => panic!("unexpected kind of error for a fact sheet: {other:?}"),
        }
    }

    /// A location names the sheet and a line/column that exist in it (one past the end is the end of input).
    fn check_location(text: &str, location: &Location) {
        assert_eq!(location.source, "fuzz.toml");
        let lines = text.split('\n').count() as u64;
        assert!(
            location.line >= 1 && location.line <= lines,
            "line {} outside 1..={lines}",
            location.line
        );
        let line = text
            .split('\n')
            .nth(location.line as usize - 1)
            .unwrap_or("");
        let width = line.chars().count() as u64 + 1;
        assert!(
            location.column >= 1 && location.column <= width,
            "column {} outside 1..={width} on line {}",
            location.column,
            location.line
        );
        let _ = kg::error::render_snippet(text, location);
    }
}

mod repl_input {
    // What a REPL user types, on arbitrary text: the statement splitter, the lexer behind highlighting and
    // completion, and the completer at every cursor position. None may panic, and each keeps its promises.

    use kg::prefixes::PrefixTable;
    use kg::query::complete::{complete, CompletionVocabulary};
    use kg::query::lexer::tokenize;
    use kg::query::statement::{is_update, strip_terminator, Piece, Splitter};
    use kg::KgStore;
    use std::sync::OnceLock;

    fn store() -> &'static KgStore {
        static STORE: OnceLock<KgStore> = OnceLock::new();
        STORE.get_or_init(|| KgStore::in_memory().expect("in-memory store"))
    }

    fn vocabulary() -> &'static CompletionVocabulary {
        static VOCABULARY: OnceLock<CompletionVocabulary> = OnceLock::new();
        VOCABULARY.get_or_init(|| {
            let mut v = CompletionVocabulary::default();
            v.classes.insert("https://schema.org/Organization".into());
            v.properties.insert("https://schema.org/name".into(), 3);
            v.class_properties.insert(
                "https://schema.org/Organization".into(),
                ["https://schema.org/name".to_owned()].into(),
            );
            v.individuals.insert("https://w3id.org/kg/id/nvidia".into());
            v.labels
                .push(("엔비디아".into(), "https://w3id.org/kg/id/nvidia".into()));
            v.labels
                .push(("اليابان".into(), "https://w3id.org/kg/id/japan".into()));
            v
        })
    }

    pub fn repl_input(data: &[u8]) {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        // Tokens tile the text: contiguous, non-empty, on character boundaries.
        let mut at = 0;
        for t in tokenize(text) {
            assert_eq!(t.start, at, "gap or overlap before {t:?}");
            assert!(t.end > t.start && t.end <= text.len(), "bad token {t:?}");
            assert!(text.is_char_boundary(t.end));
            at = t.end;
        }
        assert_eq!(at, text.len(), "tokens stop short of the end");

        // The splitter loses no statement text: every non-comment line reaches a statement, in order.
        let mut splitter = Splitter::default();
        let mut statements = Vec::new();
        for line in text.split('\n') {
            match splitter.push(line, |t| kg::query::parses(store(), t)) {
                Some(Piece::Dot(d)) => assert!(d.starts_with('.') && d == d.trim()),
                Some(Piece::Statement(s)) => statements.push(s),
                None => {}
            }
        }
        statements.extend(splitter.finish());
        for s in &statements {
            assert!(
                !matches!(kg::query::lexer::strip_comments(s).as_str(), "" | ";"),
                "empty statement {s:?}"
            );
            let _ = is_update(strip_terminator(s));
        }

        // Completion at every cursor position: the replaced word ends at the cursor.
        let prefixes = PrefixTable::standard();
        for (cursor, _) in text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
            .take(64)
        {
            let (start, candidates) = complete(text, cursor, vocabulary(), &prefixes);
            assert!(
                start <= cursor && text.is_char_boundary(start),
                "start {start} cursor {cursor}"
            );
            for c in candidates {
                assert!(!c.replacement.is_empty() || start == cursor);
            }
        }
    }
}
