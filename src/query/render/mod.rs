//! Writing answers in every output format, behind one `render` call.
//!
//! Renderers write to any `io::Write` and never to stdout themselves; colour is decided by the caller.

mod table;
mod w3c;

use super::Outcome;
use crate::error::{Error, Result};
use crate::format::OutputFormat;
use crate::prefixes::PrefixTable;
use std::io::Write;

pub use table::{display_term, layout, set_mode, set_width_source, Mode, Table};

/// The most rows (or triples) a table or pretty Turtle holds in memory: both need the whole answer
/// before the first line, so past this a query would risk the machine's memory. The W3C formats
/// stream and have no such limit.
pub const MAX_HELD: usize = 2_000_000;

fn too_many(what: &str, streaming: &str) -> Error {
    Error::Evaluation(format!(
        "the answer has more than {MAX_HELD} {what}, too many to hold for this format; use --format {streaming} (it streams) or add a LIMIT"
    ))
}

/// What renderers need besides the answer.
#[derive(Debug, Clone, Copy)]
pub struct RenderContext<'a> {
    /// For shortening IRIs in tables and Turtle.
    pub prefixes: &'a PrefixTable,
}

/// Writes an answer in the format asked for; returns the number of rows (solutions or triples).
pub fn render(
    outcome: Outcome,
    format: OutputFormat,
    context: &RenderContext<'_>,
    out: &mut dyn Write,
) -> Result<u64> {
    if !format.supports(outcome.kind()) {
        let what = match outcome.kind() {
            crate::format::AnswerKind::Graph => "a graph (CONSTRUCT/DESCRIBE answer)",
            _ => "solutions (SELECT/ASK answer)",
        };
        return Err(Error::FormatMismatch {
            what,
            format: format.name().to_owned(),
            expected: OutputFormat::names_for(outcome.kind()),
        });
    }
    let io = |e: std::io::Error| Error::io("<output>", e);
    match outcome {
        Outcome::Solutions {
            variables,
            solutions,
        } => match format.results_format() {
            Some(f) => w3c::solutions(f, variables, solutions, out),
            None => {
                let mut table = Table::new(
                    variables
                        .iter()
                        .map(|v| format!("?{}", v.as_str()))
                        .collect(),
                );
                for s in solutions {
                    let s = s?;
                    if table.len() >= MAX_HELD {
                        return Err(too_many("rows", "tsv, csv, json or xml"));
                    }
                    table.push(
                        variables
                            .iter()
                            .map(|v| {
                                s.get(v)
                                    .map(|t| display_term(t.as_ref(), context.prefixes))
                                    .unwrap_or_default()
                            })
                            .collect(),
                    );
                }
                let n = table.len() as u64;
                table.write(out).map_err(io)?;
                Ok(n)
            }
        },
        Outcome::Boolean(b) => match format.results_format() {
            Some(f) => w3c::boolean(f, b, out).map(|()| 1),
            None => {
                writeln!(out, "{b}").map_err(io)?;
                Ok(1)
            }
        },
        Outcome::Graph(triples) => {
            let mut held = Vec::new();
            for t in triples {
                if held.len() >= MAX_HELD {
                    return Err(too_many("triples", "ntriples"));
                }
                held.push(t?);
            }
            let triples = held;
            let n = triples.len() as u64;
            match format {
                OutputFormat::Table => {
                    let mut table =
                        Table::new(vec!["subject".into(), "predicate".into(), "object".into()]);
                    let mut sorted = triples;
                    sorted.sort_by_key(|t| {
                        (
                            t.subject.to_string(),
                            t.predicate.to_string(),
                            t.object.to_string(),
                        )
                    });
                    for t in &sorted {
                        table.push(vec![
                            display_term(t.subject.as_ref().into(), context.prefixes),
                            display_term(t.predicate.as_ref().into(), context.prefixes),
                            display_term(t.object.as_ref(), context.prefixes),
                        ]);
                    }
                    table.write(out).map_err(io)?;
                }
                OutputFormat::Turtle => {
                    crate::export::write_turtle(&triples, context.prefixes, out)?
                }
                other => {
                    let rdf = other.rdf_format().ok_or_else(|| {
                        Error::BadInput(format!("{} is not an RDF format", other.name()))
                    })?;
                    crate::export::write_triples(&triples, rdf, context.prefixes, out)?;
                }
            }
            Ok(n)
        }
    }
}
