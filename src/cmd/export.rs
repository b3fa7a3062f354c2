//! `kg export` and `.export`.

use super::{io_err, Ctx, Io};
use clap::ValueHint;
use kg::export::GraphSelection;
use kg::{Error, OutputFormat, Result};
use oxigraph::model::NamedNode;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Format: turtle, ntriples, nquads, trig, rdfxml, jsonld [default: from -o's extension, else turtle]
    #[arg(long, short = 'f')]
    pub format: Option<String>,
    /// Export one graph: its IRI, or 'default' for the default graph [default: every graph]
    #[arg(long, value_name = "IRI")]
    pub graph: Option<String>,
    /// Write to this file instead of standard output
    #[arg(long, short = 'o', value_hint = ValueHint::FilePath)]
    pub output: Option<PathBuf>,
}

pub fn run(ctx: &mut Ctx, args: Args, io: &mut Io<'_>) -> Result<u8> {
    let format = match (&args.format, &args.output) {
        (Some(f), _) => OutputFormat::from_name(f)?,
        (None, Some(path)) => OutputFormat::from_path(path).unwrap_or(OutputFormat::Turtle),
        (None, None) => OutputFormat::Turtle,
    };
    let rdf = match format {
        OutputFormat::Xml => OutputFormat::RdfXml.rdf_format(),
        OutputFormat::Json => OutputFormat::JsonLd.rdf_format(),
        f => f.rdf_format(),
    }
    .ok_or_else(|| Error::FormatMismatch {
        what: "an export",
        format: format.name().to_owned(),
        expected: "turtle, ntriples, nquads, trig, rdfxml, jsonld".to_owned(),
    })?;
    let selection = match args.graph.as_deref() {
        None if !ctx.inference => GraphSelection::Asserted,
        None => GraphSelection::All,
        Some("default") => GraphSelection::Default,
        Some(iri) => GraphSelection::Named(NamedNode::new(iri).map_err(|e| {
            Error::BadInput(format!("--graph <{iri}> is not a valid absolute IRI: {e}"))
        })?),
    };
    let backend = ctx.backend()?;
    let export = |w: &mut dyn Write| match &backend {
        kg::Backend::Embedded(store) => kg::export::export(store, rdf, &selection, w),
        kg::Backend::Remote(remote) => remote.export(rdf, &selection, w),
    };
    let n = match &args.output {
        Some(path) => {
            // Write beside the target and rename, so a failed export never leaves half a file.
            let tmp = path.with_extension("kg-partial");
            let file = std::fs::File::create(&tmp).map_err(|e| Error::Io {
                path: tmp.clone(),
                source: e,
            })?;
            let mut w = std::io::BufWriter::new(file);
            let n = export(&mut w)?;
            w.flush().map_err(|e| Error::Io {
                path: tmp.clone(),
                source: e,
            })?;
            drop(w);
            std::fs::rename(&tmp, path).map_err(|e| Error::Io {
                path: path.clone(),
                source: e,
            })?;
            n
        }
        None => {
            let mut w = std::io::BufWriter::new(&mut *io.out);
            let n = export(&mut w)?;
            w.flush().map_err(io_err)?;
            n
        }
    };
    let unit = if rdf.supports_datasets() {
        "quads"
    } else {
        "triples"
    };
    writeln!(io.err, "exported {n} {unit} as {}", rdf.name()).map_err(io_err)?;
    Ok(0)
}
