//! `kg load` and `.load`.

use super::{io_err, Ctx, Io, ProgressBar};
use clap::ValueHint;
use kg::ingest::{Input, LoadOptions, LoadReport};
use kg::{Error, InputFormat, Result};
use oxigraph::model::NamedNode;
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Files to load; '-' reads standard input (then --format is required)
    #[arg(required = true, value_hint = ValueHint::FilePath)]
    pub files: Vec<PathBuf>,
    /// Put the triples into this named graph instead of the default graph
    #[arg(long, value_name = "IRI")]
    pub graph: Option<String>,
    /// Base IRI for relative IRIs [default: each file's own file: IRI]
    #[arg(long, value_name = "IRI")]
    pub base: Option<String>,
    /// Input format (turtle, ntriples, nquads, trig, rdfxml, jsonld, n3, factsheet) [default: from the extension]
    #[arg(long, short = 'f')]
    pub format: Option<String>,
    /// Parse and validate only; write nothing (the store is not even opened)
    #[arg(long)]
    pub dry_run: bool,
    /// Bring the entailments up to date after the load (incrementally when it only added triples);
    /// with none computed yet, compute them (OWL 2 RL)
    #[arg(long, conflicts_with = "dry_run")]
    pub infer: bool,
    /// On a remote endpoint: quads per request
    #[arg(long, value_name = "QUADS", default_value_t = 200_000)]
    pub batch: usize,
}

pub fn run(ctx: &mut Ctx, args: Args, io: &mut Io<'_>) -> Result<u8> {
    let format = args
        .format
        .as_deref()
        .map(InputFormat::from_name)
        .transpose()?;
    let inputs: Vec<Input> = args
        .files
        .iter()
        .map(|p| Input {
            path: (p.as_os_str() != "-").then(|| p.clone()),
            format,
        })
        .collect();
    let graph = match &args.graph {
        Some(g) => Some(NamedNode::new(g).map_err(|e| {
            Error::BadInput(format!("--graph <{g}> is not a valid absolute IRI: {e}"))
        })?),
        None => None,
    };
    let bar = ProgressBar::new();
    let mut options = LoadOptions {
        graph,
        base_iri: args.base.clone(),
        on_progress: Some(bar.callback()),
        keep_quads: false,
    };
    if ctx.is_remote() && !args.dry_run {
        if args.infer {
            return Err(Error::BadInput(
                "--infer works on kg's own store only: on a remote endpoint, use the engine's own reasoning".to_owned(),
            ));
        }
        let kg::Backend::Remote(remote) = ctx.backend()? else {
            return Ok(0);
        };
        let result = kg::remote::load(&remote, &inputs, &options, args.batch);
        bar.finish();
        let mut report = result?;
        report.learned_prefixes =
            super::remote::learn_prefixes(std::mem::take(&mut report.learned_prefixes))?;
        ctx.changed();
        summary(&report, false, io)?;
        return Ok(0);
    }
    let mut before = if args.dry_run {
        None
    } else {
        Some(kg::write::Before::take(ctx.store()?)?)
    };
    // A first `--infer` computes the entailments in full, and saves the projection from that read.
    let first_infer = args.infer && before.as_ref().is_some_and(|b| !b.has_entailments());
    // The loaded quads are kept to update the entailments from; the saved projection's patch
    // is then fed from them too. Otherwise the patch sees each quad as it is parsed.
    options.keep_quads = args.infer && before.as_ref().is_some_and(|b| b.has_entailments());
    let watched = !options.keep_quads && !first_infer;
    let result = if args.dry_run {
        kg::ingest::check(&inputs, &options)
    } else {
        let watch = before
            .as_mut()
            .and_then(|b| b.patch_mut())
            .filter(|_| watched)
            .map(|p| p as &mut dyn kg::ingest::Watch);
        kg::ingest::load(ctx.store()?, &inputs, &options, watch)
    };
    bar.finish();
    let report = result?;
    if !args.dry_run {
        ctx.changed();
    }
    summary(&report, args.dry_run, io)?;
    if first_infer {
        let options = kg::infer::InferOptions {
            profile: kg::reason::Profile::OwlRl,
            ontology: Vec::new(),
        };
        let report = kg::infer::infer(ctx.store()?, &options)?;
        super::infer::summary(ctx, &report, io)?;
    } else if let Some(before) = before {
        // A watched load has given its quads to the patch already.
        let added = if watched {
            report.only_added.then_some(kg::infer::Added {
                quads: &[],
                all_new: false,
            })
        } else {
            report.added.as_deref().map(|quads| kg::infer::Added {
                quads,
                all_new: false,
            })
        };
        let after = before.after(ctx.store()?, added, args.infer)?;
        super::infer::after_write(ctx, &after, io)?;
    }
    Ok(0)
}

fn summary(report: &LoadReport, dry_run: bool, io: &mut Io<'_>) -> Result<()> {
    let files = if report.files == 1 { "file" } else { "files" };
    let verb = if dry_run { "checked" } else { "loaded" };
    writeln!(
        io.err,
        "{verb} {} quads from {} {files} in {:.2} s ({:.0} quads/s){}",
        report.quads,
        report.files,
        report.elapsed.as_secs_f64(),
        report.rate(),
        if dry_run { "; nothing written" } else { "" }
    )
    .map_err(io_err)?;
    for (p, iri) in &report.learned_prefixes {
        writeln!(io.err, "learned prefix {p}: <{iri}>").map_err(io_err)?;
    }
    Ok(())
}
