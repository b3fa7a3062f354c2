//! `kg query`, `kg queries`, and the REPL's statements and saved queries.

use super::{io_err, read_text, Ctx, Io, Running};
use clap::ValueHint;
use kg::query::QueryOptions;
use kg::{Error, OutputFormat, Result};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The query; '-' reads it from standard input
    #[arg(conflicts_with_all = ["file", "saved"])]
    pub query: Option<String>,
    /// Read the query from a file
    #[arg(long, value_hint = ValueHint::FilePath, conflicts_with = "saved")]
    pub file: Option<PathBuf>,
    /// Run a saved query by name (see `kg queries`)
    #[arg(long, value_name = "NAME")]
    pub saved: Option<String>,
    /// Output format: table, csv, tsv, json, xml (SELECT/ASK); turtle, ntriples, nquads, trig, rdfxml, jsonld (CONSTRUCT/DESCRIBE)
    #[arg(long, short = 'f')]
    pub format: Option<String>,
    /// Base IRI for relative IRIs in the query
    #[arg(long, value_name = "IRI")]
    pub base: Option<String>,
    /// Stop the query after this many seconds
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Query the default graph alone instead of the union of all graphs
    #[arg(long)]
    pub default_graph_only: bool,
}

pub fn run(ctx: &mut Ctx, args: Args, io: &mut Io<'_>) -> Result<u8> {
    super::install_interrupt_handler(true);
    let (text, source) = match &args.saved {
        Some(name) => (saved(name)?.to_owned(), format!("queries/{name}.rq")),
        None => read_text(args.query.clone(), args.file.clone(), "query")?,
    };
    let format = args
        .format
        .as_deref()
        .map(OutputFormat::from_name)
        .transpose()?;
    let timeout = args.timeout.map(seconds).transpose()?;
    let options = QueryOptions {
        base_iri: args.base.clone(),
        timeout: timeout.or(ctx.timeout),
        cancel: None,
        default_graph_only: args.default_graph_only,
        no_inference: !ctx.inference,
        source: Some(source),
        dataset: None,
    };
    statement(ctx, &text, format, options, io)?;
    if ctx.inference && !ctx.is_remote() {
        if let kg::infer::Status::Stale(_) = kg::infer::status(ctx.store()?)? {
            writeln!(
                io.err,
                "warning: the entailments are stale: the store changed since `kg infer` (run it again, or --no-inference)"
            )
            .map_err(super::io_err)?;
        }
    }
    Ok(0)
}

/// Runs one query and renders it: the one path behind `kg query`, the REPL and `.read`.
pub fn statement(
    ctx: &mut Ctx,
    text: &str,
    format: Option<OutputFormat>,
    mut options: QueryOptions,
    io: &mut Io<'_>,
) -> Result<()> {
    let start = Instant::now();
    let running = Running::start();
    options.cancel = Some(running.token());
    let timing = ctx.timing;
    let backend = ctx.backend()?;
    let rows = kg::query::spawn(&backend, text, format, options).wait(io.out)?;
    io.out.flush().map_err(io_err)?;
    drop(running);
    if timing {
        let noun = if rows == 1 { "row" } else { "rows" };
        writeln!(io.err, "{rows} {noun} in {}", elapsed(start.elapsed())).map_err(io_err)?;
    }
    Ok(())
}

/// `kg queries`: each saved query with the question it answers.
pub fn list(io: &mut Io<'_>) -> Result<u8> {
    let mut table = kg::query::render::Table::new(vec!["name".into(), "question".into()]);
    for (name, text) in kg::seed::QUERIES {
        table.push(vec![(*name).to_owned(), question(text)]);
    }
    table.write(io.out).map_err(io_err)?;
    Ok(0)
}

/// The question a saved query answers: its first comment line.
pub fn question(text: &str) -> String {
    text.lines()
        .find_map(|l| l.trim().strip_prefix('#'))
        .map(|q| q.trim().to_owned())
        .unwrap_or_default()
}

/// The text of a saved query.
pub fn saved(name: &str) -> Result<&'static str> {
    let name = name.trim_end_matches(".rq");
    kg::seed::QUERIES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| Error::NotFound {
            kind: "saved query",
            name: name.to_owned(),
            candidates: kg::seed::QUERIES
                .iter()
                .map(|(n, _)| *n)
                .filter(|n| strsim::jaro_winkler(n, name) > 0.8)
                .map(str::to_owned)
                .collect(),
        })
}

pub fn seconds(s: f64) -> Result<Duration> {
    if s.is_finite() && s > 0.0 {
        Ok(Duration::from_secs_f64(s))
    } else {
        Err(Error::BadInput(format!(
            "timeout must be a positive number of seconds, not {s}"
        )))
    }
}

pub fn elapsed(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    // Two significant digits below a millisecond, where most lookups land.
    if ms < 1.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}
