//! `kg infer`, `kg why` and `.why`: materialised entailments and their explanations.

use super::{io_err, Ctx, Io};
use kg::infer::{InferOptions, InferReport, Status};
use kg::prefixes::PrefixTable;
use kg::reason::{Explanation, Profile};
use kg::{Error, Result};
use oxigraph::model::{TermRef, Triple};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Entailment rules: rdfs (domain, range, subclass, subproperty) or owl-rl (the W3C OWL 2 RL/RDF rules)
    #[arg(long, default_value = "owl-rl")]
    pub profile: String,
    /// A graph whose schema triples count (IRI, or `default`); repeatable [default: every graph holding schema triples]
    #[arg(long, value_name = "GRAPH")]
    pub ontology: Vec<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct WhyArgs {
    /// The triple: three terms (IRIs, prefixed names with the stored prefixes, or literals), e.g. 'kg:x a schema:Organization'
    pub triple: String,
}

pub fn run(ctx: &mut Ctx, args: Args, io: &mut Io<'_>) -> Result<u8> {
    let profile: Profile = args.profile.parse()?;
    let ontology = args
        .ontology
        .iter()
        .map(|g| graph_key(g))
        .collect::<Result<Vec<_>>>()?;
    let report = kg::infer::infer(ctx.store()?, &InferOptions { profile, ontology })?;
    ctx.changed();
    summary(ctx, &report, io)?;
    Ok(if report.inconsistencies.is_empty() {
        0
    } else {
        1
    })
}

/// `--ontology` takes an IRI with or without angle brackets, a prefixed name, or `default`.
fn graph_key(name: &str) -> Result<String> {
    if name == "default" {
        return Ok(name.to_owned());
    }
    let iri = name.trim_start_matches('<').trim_end_matches('>');
    oxigraph::model::NamedNode::new(iri)
        .map(|n| n.to_string())
        .map_err(|e| Error::BadInput(format!("--ontology {name}: not an IRI or `default`: {e}")))
}

/// What a materialisation did, for `kg infer` and for the loads and updates that refresh it.
pub fn summary(ctx: &mut Ctx, report: &InferReport, io: &mut Io<'_>) -> Result<()> {
    let how = if report.incremental {
        "updated incrementally"
    } else {
        "computed"
    };
    writeln!(
        io.err,
        "{} entailments {how}: {} inferred from {} asserted quads in {:.2} s (+{} −{}); ontology: {}; read {:.2} s, rules {:.2} s, write {:.2} s",
        report.profile,
        report.inferred,
        report.asserted,
        report.elapsed.as_secs_f64(),
        report.added,
        report.removed,
        if report.ontology_graphs.is_empty() {
            "none found".to_owned()
        } else {
            report.ontology_graphs.join(", ")
        },
        report.phases[0].as_secs_f64(),
        report.phases[1].as_secs_f64(),
        report.phases[2].as_secs_f64(),
    )
    .map_err(io_err)?;
    projection_line(
        report.projection.as_ref(),
        "saved the projection for traversals from what it read",
        true,
        io,
    )?;
    if !report.inconsistencies.is_empty() {
        let store = ctx.store()?;
        let prefixes = store.prefixes();
        writeln!(
            io.err,
            "the store is inconsistent under {}: {} problem(s)",
            report.profile,
            report.inconsistencies.len()
        )
        .map_err(io_err)?;
        for problem in &report.inconsistencies {
            writeln!(io.err, "  {} — {}", problem.rule, problem.message).map_err(io_err)?;
            for t in &problem.triples {
                writeln!(io.err, "      {}", show(t, prefixes)).map_err(io_err)?;
            }
        }
    }
    Ok(())
}

/// The line the REPL and `kg stats` print about the entailments.
pub fn status_line(ctx: &mut Ctx) -> Result<String> {
    let on = ctx.inference;
    let status = kg::infer::status(ctx.store()?)?;
    Ok(match status {
        Status::None => "inference: none computed (kg infer)".to_owned(),
        Status::Current(s) => format!(
            "inference: {} — {} {} inferred triples from {} asserted, up to date",
            if on { "on" } else { "off" },
            s.profile,
            s.inferred,
            s.asserted
        ),
        Status::Stale(s) => format!(
            "inference: {} — {} {} inferred triples, STALE: the store changed since they were computed (kg infer)",
            if on { "on" } else { "off" },
            s.profile,
            s.inferred
        ),
    })
}

pub fn why(ctx: &mut Ctx, args: WhyArgs, io: &mut Io<'_>) -> Result<u8> {
    let store = ctx.store()?;
    let triple = kg::infer::parse_triple(store, &args.triple)?;
    let answer = kg::infer::why(store, triple.as_ref())?;
    let prefixes = store.prefixes().clone();
    match answer {
        None => {
            writeln!(
                io.out,
                "{} does not hold: it is neither asserted nor entailed",
                show(&triple, &prefixes)
            )
            .map_err(io_err)?;
            Ok(1)
        }
        Some(explanation) => {
            let sources = kg::infer::sources(store, &explanation)?;
            print_tree(&explanation, &sources, &prefixes, 0, io)?;
            Ok(0)
        }
    }
}

fn print_tree(
    e: &Explanation,
    sources: &kg::infer::Sources,
    prefixes: &PrefixTable,
    depth: usize,
    io: &mut Io<'_>,
) -> Result<()> {
    let indent = "  ".repeat(depth);
    match e {
        Explanation::Asserted(t) => {
            writeln!(io.out, "{indent}{}   [asserted]", show(t, prefixes)).map_err(io_err)?;
            for s in sources.of(t) {
                let graph = term(s.graph.as_ref(), prefixes);
                match (&s.document, &s.quote) {
                    (Some(doc), Some(quote)) => writeln!(
                        io.out,
                        "{indent}    in {graph}, from {}: “{quote}”",
                        term(doc.as_ref(), prefixes)
                    ),
                    _ => writeln!(io.out, "{indent}    in {graph}"),
                }
                .map_err(io_err)?;
            }
        }
        Explanation::Inferred {
            triple,
            rule,
            premises,
        } => {
            writeln!(io.out, "{indent}{}   [{rule}]", show(triple, prefixes)).map_err(io_err)?;
            for p in premises {
                print_tree(p, sources, prefixes, depth + 1, io)?;
            }
        }
    }
    Ok(())
}

/// Reports what was kept current after a write through kg: the entailments' refresh, and
/// (with timing on, or when it failed) the patch of the saved projection.
pub fn after_write(ctx: &mut Ctx, after: &kg::write::AfterWrite, io: &mut Io<'_>) -> Result<()> {
    if let Some(report) = &after.entailments {
        summary(ctx, report, io)?;
    }
    let what = if after.projection.as_ref().is_some_and(|p| p.patched) {
        "patched the saved projection for traversals with the write"
    } else {
        "saved the projection for traversals of the new store"
    };
    projection_line(after.projection.as_ref(), what, ctx.timing, io)
}

fn projection_line(
    saved: Option<&kg::infer::SavedProjection>,
    what: &str,
    show: bool,
    io: &mut Io<'_>,
) -> Result<()> {
    match saved {
        Some(kg::infer::SavedProjection {
            saved: Ok((nodes, edges)),
            took,
            ..
        }) if show => writeln!(
            io.err,
            "{what}: {} and {} in {:.2} s",
            super::counted(*nodes, "node"),
            super::counted(*edges, "edge"),
            took.as_secs_f64()
        ),
        Some(kg::infer::SavedProjection { saved: Err(e), .. }) => writeln!(
            io.err,
            "warning: the projection for traversals was not saved ({e}); the next traversal reads the store"
        ),
        _ => Ok(()),
    }
    .map_err(io_err)
}

/// A triple as a person writes it in Turtle: prefixed names where the table has them, `a` for rdf:type.
fn show(t: &Triple, prefixes: &PrefixTable) -> String {
    let predicate = if t.predicate == oxigraph::model::vocab::rdf::TYPE {
        "a".to_owned()
    } else {
        term(t.predicate.as_ref().into(), prefixes)
    };
    format!(
        "{} {predicate} {}",
        term(t.subject.as_ref().into(), prefixes),
        term(t.object.as_ref(), prefixes)
    )
}

fn term(t: TermRef<'_>, prefixes: &PrefixTable) -> String {
    match t {
        TermRef::NamedNode(n) => prefixes
            .shorten(n.as_str())
            .unwrap_or_else(|| n.to_string()),
        other => other.to_string(),
    }
}
