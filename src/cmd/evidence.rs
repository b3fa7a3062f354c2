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
    /// Fact sheets to check, any sheet [default: the built-in ones and every document loaded in
    /// the store, skipping those whose file is not in --docs]
    #[arg(value_hint = ValueHint::FilePath)]
    pub sheets: Vec<PathBuf>,
}

pub fn run(ctx: &mut Ctx, args: Args, io: &mut Io<'_>) -> Result<u8> {
    let vocabulary = Vocabulary::builtin();
    let mut sheets = Vec::new();
    let defaults = args.sheets.is_empty();
    if defaults {
        if !args.docs.is_dir() {
            return Err(Error::BadInput(format!(
                "{} is not a directory of source documents",
                args.docs.display()
            )));
        }
        for (name, text) in kg::seed::SHEETS {
            sheets.push(compile(text, name, vocabulary)?);
        }
        // Sheets loaded into the store (`kg load my.toml`): their quotes as stored.
        for stored in kg::ingest::evidence::stored_quotes(ctx.store()?)? {
            if !sheets.iter().any(|s| s.file == stored.file) {
                sheets.push(stored);
            }
        }
        let (present, absent): (Vec<_>, Vec<_>) = sheets
            .into_iter()
            .partition(|s| args.docs.join(&s.file).is_file());
        if !absent.is_empty() && !present.is_empty() {
            writeln!(
                io.err,
                "skipped {} documents not in {}: {}",
                absent.len(),
                args.docs.display(),
                absent
                    .iter()
                    .map(|s| s.file.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
            .map_err(io_err)?;
            sheets = present;
        } else {
            sheets = present.into_iter().chain(absent).collect();
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
