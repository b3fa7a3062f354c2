//! The evidence check: every quote of a fact sheet must occur verbatim in its source document.
//!
//! Whitespace runs are folded to one space on both sides, since the documents wrap lines
//! where the quotes do not; nothing else is normalised.

use super::factsheet::Sheet;
use crate::error::{Error, Location, Result};
use crate::store::KgStore;
use oxigraph::model::{NamedNode, Term};
use std::path::Path;

/// The outcome of checking quotes against documents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvidenceReport {
    pub checked: usize,
    /// Quotes not found: where the quote stands, the quote, and the document it should be in.
    pub missing: Vec<(Location, String, String)>,
    /// Sheets whose document was not in the directory.
    pub missing_documents: Vec<String>,
}

/// Checks the quotes of each sheet against `docs/<file>`.
pub fn check(sheets: &[Sheet], docs: &Path) -> Result<EvidenceReport> {
    if !docs.is_dir() {
        return Err(Error::BadInput(format!(
            "{} is not a directory of source documents",
            docs.display()
        )));
    }
    let mut report = EvidenceReport::default();
    for sheet in sheets {
        let path = docs.join(&sheet.file);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                report.missing_documents.push(sheet.file.clone());
                continue;
            }
            Err(e) => return Err(Error::io(&path, e)),
        };
        report.checked += sheet.quotes.len();
        for (location, quote) in check_text(sheet, &text) {
            report.missing.push((location, quote, sheet.file.clone()));
        }
    }
    Ok(report)
}

/// The quotes of one sheet that do not occur in the document's text, with where they stand.
pub fn check_text(sheet: &Sheet, text: &str) -> Vec<(Location, String)> {
    let haystack = fold_whitespace(text);
    sheet
        .quotes
        .iter()
        .filter(|(quote, _)| !haystack.contains(&fold_whitespace(quote)))
        .map(|(quote, location)| (location.clone(), quote.clone()))
        .collect()
}

/// The quotes of every document in the store, as sheets without quads: each quote is located by
/// its record's IRI, since the sheet it came from is not kept. For checking loaded sheets whose
/// files are not at hand.
pub fn stored_quotes(store: &KgStore) -> Result<Vec<Sheet>> {
    let rows = store.select(
        "SELECT DISTINCT ?record ?file ?quote WHERE { GRAPH ?g {
            ?record <https://w3id.org/kg/ns#evidence> ?ev .
            ?ev <http://www.w3.org/ns/oa#hasSource> ?doc ; <http://www.w3.org/ns/oa#hasSelector> ?sel .
            ?sel <http://www.w3.org/ns/oa#exact> ?quote .
            ?doc <http://purl.org/dc/terms/identifier> ?file } }
        ORDER BY ?file ?record ?quote",
    )?;
    let mut sheets: Vec<Sheet> = Vec::new();
    for row in rows {
        let (Some(Term::NamedNode(record)), Some(Term::Literal(file)), Some(Term::Literal(quote))) =
            (row.get("record"), row.get("file"), row.get("quote"))
        else {
            continue;
        };
        let location = Location {
            source: store
                .prefixes()
                .shorten(record.as_str())
                .unwrap_or_else(|| format!("<{}>", record.as_str())),
            line: 0,
            column: 0,
        };
        if sheets.last().is_none_or(|s| s.file != file.value()) {
            sheets.push(Sheet {
                graph: NamedNode::new_unchecked(super::factsheet::GRAPH_NS),
                document: NamedNode::new_unchecked(super::factsheet::DOC_NS),
                file: file.value().to_owned(),
                quads: Vec::new(),
                quotes: Vec::new(),
                prefixes: Vec::new(),
            });
        }
        if let Some(sheet) = sheets.last_mut() {
            sheet.quotes.push((quote.value().to_owned(), location));
        }
    }
    Ok(sheets)
}

fn fold_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::fold_whitespace;

    #[test]
    fn folds_runs_of_any_whitespace() {
        assert_eq!(fold_whitespace(" a\n\t b  c "), "a b c");
    }
}
