//! `kg sheet new`, `kg sheet check`, `kg sheet mentions` and `kg sheet terms`: help for writing the
//! fact sheet of a new document. The work is `kg::sheet`'s; this module reads files and prints.

use super::{io_err, Ctx, Io};
use clap::ValueHint;
use kg::ingest::factsheet::compile;
use kg::ingest::ontology::Vocabulary;
use kg::query::render::Table;
use kg::sheet::mentions::{self, Mention};
use kg::{Diagnostic, Error, Location, Result};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Action {
    /// Start the fact sheet of a document: [document] filled in (file, SHA-256, language,
    /// headline) and every amount, percentage, count, date and year as a checklist of comments
    New {
        /// The document (plain text, UTF-8)
        #[arg(value_hint = ValueHint::FilePath)]
        doc: PathBuf,
        /// Write the skeleton here instead of standard output (an existing file is kept unless --force)
        #[arg(long, short = 'o', value_hint = ValueHint::FilePath)]
        output: Option<PathBuf>,
        /// The document's language (BCP 47) instead of the detected one
        #[arg(long)]
        language: Option<String>,
        /// Overwrite the output file
        #[arg(long)]
        force: bool,
    },
    /// Check a sheet against its document: validation (as `kg load --dry-run`), every quote
    /// verbatim, and the mentions no quote covers (warnings; errors with --strict)
    Check {
        #[arg(value_hint = ValueHint::FilePath)]
        sheet: PathBuf,
        /// The document [default: the sheet's `file`, beside the sheet]
        #[arg(long, value_hint = ValueHint::FilePath)]
        doc: Option<PathBuf>,
        /// Uncovered mentions are errors (exit code 65)
        #[arg(long)]
        strict: bool,
    },
    /// List a document's mentions with their values in full units
    Mentions {
        #[arg(value_hint = ValueHint::FilePath)]
        doc: PathBuf,
        /// The document's language (BCP 47) instead of the detected one
        #[arg(long)]
        language: Option<String>,
        /// Output: table, tsv or json
        #[arg(long, short = 'f', default_value = "table")]
        format: String,
    },
    /// List the ontology's classes; with a class, the properties it takes and their ranges
    Terms {
        /// A class as a prefixed name, e.g. kg:BudgetAllocation
        class: Option<String>,
    },
}

pub fn run(_ctx: &mut Ctx, args: Args, io: &mut Io<'_>) -> Result<u8> {
    match args.action {
        Action::New {
            doc,
            output,
            language,
            force,
        } => new(&doc, output.as_deref(), language, force, io),
        Action::Check { sheet, doc, strict } => check(&sheet, doc.as_deref(), strict, io),
        Action::Mentions {
            doc,
            language,
            format,
        } => list_mentions(&doc, language, &format, io),
        Action::Terms { class } => terms(class.as_deref(), io),
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::Io {
        path: path.to_owned(),
        source: e,
    })
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn new(
    doc: &Path,
    output: Option<&Path>,
    language: Option<String>,
    force: bool,
    io: &mut Io<'_>,
) -> Result<u8> {
    let bytes = read(doc)?;
    let mut info = kg::sheet::describe(&file_name(doc), &bytes);
    if let Some(l) = language {
        info.language = Some(l);
        info.language_confidence = 1.0;
    }
    let text = String::from_utf8_lossy(&bytes);
    let found = mentions::scan(&text, info.language.as_deref().unwrap_or_default());
    let skeleton = kg::sheet::skeleton(&info, &found);
    match output {
        Some(path) => {
            if path.exists() && !force {
                return Err(Error::BadInput(format!(
                    "{} exists; pass --force to overwrite it",
                    path.display()
                )));
            }
            std::fs::write(path, &skeleton).map_err(|e| Error::Io {
                path: path.to_owned(),
                source: e,
            })?;
        }
        None => io.out.write_all(skeleton.as_bytes()).map_err(io_err)?,
    }
    writeln!(
        io.err,
        "{} mentions in {} (language {}{}){}",
        found.len(),
        doc.display(),
        info.language.as_deref().unwrap_or("not detected"),
        if info.language_confidence < 1.0 && info.language.is_some() {
            format!(", confidence {:.2}", info.language_confidence)
        } else {
            String::new()
        },
        output.map_or_else(String::new, |p| format!("; wrote {}", p.display()))
    )
    .map_err(io_err)?;
    Ok(0)
}

fn check(sheet_path: &Path, doc: Option<&Path>, strict: bool, io: &mut Io<'_>) -> Result<u8> {
    let text = std::fs::read_to_string(sheet_path).map_err(|e| Error::Io {
        path: sheet_path.to_owned(),
        source: e,
    })?;
    let sheet = compile(
        &text,
        &sheet_path.display().to_string(),
        Vocabulary::builtin(),
    )?;
    // The fields `compile` checked but does not keep.
    let document: toml::Table = toml::from_str::<toml::Table>(&text)
        .ok()
        .and_then(|t| t.get("document").and_then(|d| d.as_table()).cloned())
        .unwrap_or_default();
    let language = document
        .get("language")
        .and_then(|l| l.as_str())
        .unwrap_or_default()
        .to_owned();
    let doc_path = match doc {
        Some(p) => p.to_owned(),
        None => sheet_path
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .join(&sheet.file),
    };
    let bytes = read(&doc_path)?;
    let doc_text = String::from_utf8_lossy(&bytes).into_owned();
    let doc_name = doc_path.display().to_string();
    if file_name(&doc_path) != sheet.file {
        writeln!(
            io.err,
            "warning: the sheet describes {}, but the document is {}",
            sheet.file, doc_name
        )
        .map_err(io_err)?;
    }
    if let Some(expected) = document.get("sha256").and_then(|s| s.as_str()) {
        let actual = kg::sheet::sha256_hex(&bytes);
        if !expected.eq_ignore_ascii_case(&actual) {
            writeln!(
                io.err,
                "warning: {doc_name} has changed since the sheet was started (SHA-256 {actual}, the sheet says {expected})"
            )
            .map_err(io_err)?;
        }
    }
    let report = kg::ingest::evidence::check_text(&sheet, &doc_text);
    let found = mentions::scan(&doc_text, &language);
    let quotes: Vec<&str> = sheet.quotes.iter().map(|(q, _)| q.as_str()).collect();
    let mut covered = kg::sheet::coverage::covered(&doc_text, &found, &quotes);
    // The document's own date is stated in [document], not in a quote.
    if let Some(published) = document.get("published").map(ToString::to_string) {
        for (m, c) in found.iter().zip(covered.iter_mut()) {
            if matches!(&m.value, mentions::Value::Date(d) if *d == published) {
                *c = true;
            }
        }
    }
    let mut uncovered: Vec<Diagnostic> = Vec::new();
    for (m, ok) in found.iter().zip(&covered) {
        if !ok {
            let d = Diagnostic {
                location: Location {
                    source: doc_name.clone(),
                    line: m.line,
                    column: m.column,
                },
                message: format!(
                    "{} \"{}\" ({}) is not covered by any quote: …{}⟨{}⟩{}…",
                    m.kind,
                    one_line(&m.text),
                    m.hint(),
                    spaced(&m.before),
                    one_line(&m.text),
                    spaced(&m.after)
                ),
            };
            writeln!(
                io.err,
                "{}: {}: {}",
                d.location,
                if strict { "error" } else { "warning" },
                d.message
            )
            .map_err(io_err)?;
            uncovered.push(d);
        }
    }
    writeln!(
        io.err,
        "{} of {} mentions covered; {} of {} quotes found verbatim in {}",
        found.len() - uncovered.len(),
        found.len(),
        sheet.quotes.len() - report.len(),
        sheet.quotes.len(),
        doc_name
    )
    .map_err(io_err)?;
    let mut errors: Vec<Diagnostic> = report
        .into_iter()
        .map(|(location, quote)| Diagnostic {
            location,
            message: format!("quote not found verbatim in {doc_name}: \"{quote}\""),
        })
        .collect();
    if strict && !uncovered.is_empty() {
        errors.push(Diagnostic {
            location: Location {
                source: doc_name.clone(),
                line: 0,
                column: 0,
            },
            message: format!(
                "{} mentions are not covered by any quote of {} (--strict)",
                uncovered.len(),
                sheet_path.display()
            ),
        });
    }
    if errors.is_empty() {
        Ok(0)
    } else {
        Err(Error::Invalid(errors))
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Like `one_line`, keeping one space where the text began or ended with whitespace.
fn spaced(s: &str) -> String {
    let mut out = one_line(s);
    if s.starts_with(char::is_whitespace) && !out.is_empty() {
        out.insert(0, ' ');
    }
    if s.ends_with(char::is_whitespace) && !out.is_empty() {
        out.push(' ');
    }
    out
}

fn list_mentions(
    doc: &Path,
    language: Option<String>,
    format: &str,
    io: &mut Io<'_>,
) -> Result<u8> {
    let bytes = read(doc)?;
    let text = String::from_utf8_lossy(&bytes);
    let language = language
        .or_else(|| kg::sheet::detect_language(&text).0)
        .unwrap_or_default();
    let found = mentions::scan(&text, &language);
    match format {
        "json" => {
            let rows: Vec<serde_json::Value> = found.iter().map(mention_json).collect();
            let json =
                serde_json::to_string_pretty(&rows).map_err(|e| Error::BadInput(e.to_string()))?;
            writeln!(io.out, "{json}").map_err(io_err)?;
        }
        "tsv" => {
            writeln!(io.out, "line\tcolumn\tkind\ttext\tvalue").map_err(io_err)?;
            for m in &found {
                writeln!(
                    io.out,
                    "{}\t{}\t{}\t{}\t{}",
                    m.line,
                    m.column,
                    m.kind,
                    one_line(&m.text),
                    m.hint()
                )
                .map_err(io_err)?;
            }
        }
        "table" => {
            let mut table = Table::new(vec![
                "at".into(),
                "kind".into(),
                "mention".into(),
                "value".into(),
                "context".into(),
            ]);
            for m in &found {
                table.push(vec![
                    format!("{}:{}", m.line, m.column),
                    m.kind.to_string(),
                    one_line(&m.text),
                    m.hint(),
                    format!(
                        "…{}⟨{}⟩{}…",
                        spaced(&m.before),
                        one_line(&m.text),
                        spaced(&m.after)
                    ),
                ]);
            }
            table.write(io.out).map_err(io_err)?;
        }
        other => {
            return Err(Error::UnknownFormat {
                name: other.to_owned(),
                expected: "table, tsv, json".to_owned(),
            })
        }
    }
    writeln!(io.err, "{} mentions (language {language})", found.len()).map_err(io_err)?;
    Ok(0)
}

fn mention_json(m: &Mention) -> serde_json::Value {
    serde_json::json!({
        "line": m.line,
        "column": m.column,
        "kind": m.kind.name(),
        "text": m.text,
        "value": m.hint(),
    })
}

fn terms(class: Option<&str>, io: &mut Io<'_>) -> Result<u8> {
    let v = Vocabulary::builtin();
    match class {
        None => {
            let mut table = Table::new(vec!["class".into(), "label".into(), "comment".into()]);
            for row in kg::sheet::terms::classes(v) {
                table.push(vec![row.name, row.label, row.comment]);
            }
            table.write(io.out).map_err(io_err)?;
        }
        Some(class) => {
            let rows = kg::sheet::terms::properties_of(v, class)?;
            let mut table = Table::new(vec![
                "property".into(),
                "range".into(),
                "from".into(),
                "label".into(),
            ]);
            for row in rows {
                table.push(vec![row.name, row.range, row.domain, row.label]);
            }
            writeln!(
                io.out,
                "{class}: `a = \"{class}\"`, `label`, `quote`, and these properties"
            )
            .map_err(io_err)?;
            table.write(io.out).map_err(io_err)?;
        }
    }
    Ok(0)
}
