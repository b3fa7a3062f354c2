//! `kg update`: SPARQL 1.1 Update, atomic.

use super::{io_err, read_text, Ctx, Io, Running};
use clap::ValueHint;
use kg::query::QueryOptions;
use kg::Result;
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The update; '-' reads it from standard input
    #[arg(conflicts_with = "file")]
    pub update: Option<String>,
    /// Read the update from a file
    #[arg(long, value_hint = ValueHint::FilePath)]
    pub file: Option<PathBuf>,
    /// Base IRI for relative IRIs in the update
    #[arg(long, value_name = "IRI")]
    pub base: Option<String>,
    /// WHERE clauses match the default graph alone instead of the union of all graphs
    #[arg(long)]
    pub default_graph_only: bool,
}

pub fn run(ctx: &mut Ctx, args: Args, io: &mut Io<'_>) -> Result<u8> {
    super::install_interrupt_handler(true);
    let (text, source) = read_text(args.update, args.file, "update")?;
    let options = QueryOptions {
        base_iri: args.base,
        timeout: ctx.timeout,
        cancel: None,
        default_graph_only: args.default_graph_only,
        no_inference: !ctx.inference,
        source: Some(source),
        dataset: None,
    };
    statement(ctx, &text, options, io)?;
    Ok(0)
}

/// Runs one update: the one path behind `kg update` and the REPL.
pub fn statement(
    ctx: &mut Ctx,
    text: &str,
    mut options: QueryOptions,
    io: &mut Io<'_>,
) -> Result<()> {
    let running = Running::start();
    options.cancel = Some(running.token());
    let elapsed = if ctx.is_remote() {
        let elapsed = ctx.backend()?.update(text, &options)?;
        drop(running);
        ctx.changed();
        elapsed
    } else {
        let report = kg::write::update(ctx.store()?, text, &options)?;
        drop(running);
        ctx.changed();
        super::infer::after_write(ctx, &report.after, io)?;
        report.elapsed
    };
    if ctx.timing {
        writeln!(
            io.err,
            "update applied in {}",
            super::query::elapsed(elapsed)
        )
        .map_err(io_err)?;
    }
    Ok(())
}
