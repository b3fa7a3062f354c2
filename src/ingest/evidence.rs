//! The evidence check: every quote of a fact sheet must occur verbatim in its source document.
//!
//! Whitespace runs are folded to one space on both sides, since the documents wrap lines
//! where the quotes do not; nothing else is normalised.

use super::factsheet::Sheet;
use crate::error::{Error, Location, Result};
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
        let haystack = fold_whitespace(&text);
        for (quote, location) in &sheet.quotes {
            report.checked += 1;
            if !haystack.contains(&fold_whitespace(quote)) {
                report
                    .missing
                    .push((location.clone(), quote.clone(), sheet.file.clone()));
            }
        }
    }
    Ok(report)
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
