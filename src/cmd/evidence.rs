//! `kg check-evidence`.

use super::{io_err, Ctx, Io};
use clap::ValueHint;
use kg::ingest::factsheet::compile;
use kg::ingest::ontology::Vocabulary;
use kg::{Error, Result};
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Directory holding the source documents
    #[arg(long, value_hint = ValueHint::DirPath)]
    pub docs: PathBuf,
    /// Fact sheets to check [default: the built-in ones]
    #[arg(value_hint = ValueHint::FilePath)]
    pub sheets: Vec<PathBuf>,
}

pub fn run(_ctx: &mut Ctx, args: Args, io: &mut Io<'_>) -> Result<u8> {
    let vocabulary = Vocabulary::builtin();
    let mut sheets = Vec::new();
    if args.sheets.is_empty() {
        for (name, text) in kg::seed::SHEETS {
            sheets.push(compile(text, name, vocabulary)?);
        }
    } else {
        for path in &args.sheets {
            let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
                path: path.clone(),
                source: e,
            })?;
            sheets.push(compile(&text, &path.display().to_string(), vocabulary)?);
        }
    }
    let report = kg::ingest::evidence::check(&sheets, &args.docs)?;
    for doc in &report.missing_documents {
        writeln!(
            io.err,
            "{}: document not found",
            args.docs.join(doc).display()
        )
        .map_err(io_err)?;
    }
    for (location, quote, file) in &report.missing {
        writeln!(
            io.out,
            "{location}: quote not found verbatim in {file}: \"{quote}\""
        )
        .map_err(io_err)?;
    }
    writeln!(
        io.err,
        "{} of {} quotes found verbatim in {} documents",
        report.checked - report.missing.len(),
        report.checked,
        sheets.len() - report.missing_documents.len()
    )
    .map_err(io_err)?;
    Ok(
        if report.missing.is_empty() && report.missing_documents.is_empty() {
            0
        } else {
            1
        },
    )
}
