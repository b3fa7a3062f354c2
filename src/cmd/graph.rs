//! `kg path`, `kg neighbors`, `kg rank`, `kg components` and their REPL dot-commands.

use super::{io_err, Ctx, Io};
use kg::graph::{self, PathOptions, Projection, ProjectionOptions, Subgraph};
use kg::{Error, OutputFormat, Result};
use oxigraph::model::{NamedNode, NamedOrBlankNode};
use std::sync::Arc;
use std::time::Instant;

/// Which part of the store becomes the graph.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ProjectionArgs {
    /// Only read these named graphs (repeatable) [default: every graph but the ontology]
    #[arg(long = "graph", value_name = "IRI")]
    pub graphs: Vec<String>,
    /// Only these predicates become edges (IRI or prefixed name; repeatable)
    #[arg(long = "predicate", value_name = "PRED")]
    pub allow: Vec<String>,
    /// These predicates never become edges (repeatable)
    #[arg(long = "exclude-predicate", value_name = "PRED")]
    pub deny: Vec<String>,
    /// Keep rdf:type, RDFS/OWL schema, provenance and evidence triples as edges too
    #[arg(long)]
    pub all_predicates: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct PathArgs {
    /// Start: an IRI, a prefixed name, or a label in any language
    pub from: String,
    /// End: an IRI, a prefixed name, or a label in any language
    pub to: String,
    /// The K shortest loop-free paths, shortest first
    #[arg(long, default_value_t = 1)]
    pub k: usize,
    /// Only follow edges with this predicate (repeatable)
    #[arg(long, value_name = "PRED")]
    pub via: Vec<String>,
    /// Never follow edges with this predicate (repeatable)
    #[arg(long, value_name = "PRED")]
    pub avoid: Vec<String>,
    /// Longest path, in edges
    #[arg(long, value_name = "L")]
    pub max_len: Option<usize>,
    /// Follow edges only in their direction, subject to object [default: both directions, since
    /// a fact points to each thing it connects, so "how are A and B connected" needs both]
    #[arg(long)]
    pub directed: bool,
    /// Both directions: the default now, kept so older scripts still run
    #[arg(long, hide = true, conflicts_with = "directed")]
    pub undirected: bool,
    /// Output: table, turtle, ntriples, dot, graphml, json
    #[arg(long, short = 'f', default_value = "table")]
    pub format: String,
    #[command(flatten)]
    pub projection: ProjectionArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct NeighborsArgs {
    /// The node: an IRI, a prefixed name, or a label in any language
    pub node: String,
    /// How many hops out
    #[arg(long, default_value_t = 1)]
    pub depth: usize,
    /// Follow outgoing edges only
    #[arg(long)]
    pub directed: bool,
    /// Output: table, turtle, ntriples, dot, graphml, json
    #[arg(long, short = 'f', default_value = "table")]
    pub format: String,
    #[command(flatten)]
    pub projection: ProjectionArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct RankArgs {
    /// How many to show
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Also store every node's scores as triples (kg:pageRank, kg:inDegree, kg:outDegree) in this named graph
    #[arg(long, value_name = "GRAPH")]
    pub write_back: Option<String>,
    /// Output: table, json
    #[arg(long, short = 'f', default_value = "table")]
    pub format: String,
    #[command(flatten)]
    pub projection: ProjectionArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ComponentsArgs {
    /// How many to show
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Also store every node's component number (kg:component) in this named graph
    #[arg(long, value_name = "GRAPH")]
    pub write_back: Option<String>,
    /// Output: table, json
    #[arg(long, short = 'f', default_value = "table")]
    pub format: String,
    #[command(flatten)]
    pub projection: ProjectionArgs,
}

pub fn path(ctx: &mut Ctx, args: PathArgs, io: &mut Io<'_>) -> Result<u8> {
    let format = OutputFormat::from_name(&args.format)?;
    let backend = ctx.backend()?;
    let options = PathOptions {
        k: args.k,
        via: iris(backend.prefixes(), &args.via)?,
        avoid: iris(backend.prefixes(), &args.avoid)?,
        max_len: args.max_len,
        undirected: !args.directed,
    };
    let projection = match &backend {
        kg::Backend::Embedded(_) => projection(ctx, &args.projection, io)?,
        kg::Backend::Remote(remote) => {
            let mut popts = projection_options(ctx, &backend, &args.projection)?;
            if popts.allow.is_empty() {
                popts.allow = options.via.clone();
            }
            let mut labels = None;
            let from = iri(&backend, &args.from, &mut labels)?;
            let to = iri(&backend, &args.to, &mut labels)?;
            let start = Instant::now();
            let bar = super::ProgressBar::new();
            let found =
                kg::remote::traverse::paths(remote, &from, &to, &options, &popts, exploring(&bar));
            bar.finish();
            let found = found?;
            explored(ctx, &found, start, io)?;
            Arc::new(found.projection)
        }
    };
    let timing = ctx.timing;
    let mut labels = None;
    let from = node(&backend, &projection, &args.from, &mut labels)?;
    let to = node(&backend, &projection, &args.to, &mut labels)?;
    let prefixes = backend.prefixes();
    let start = Instant::now();
    let paths = graph::k_shortest_paths(&projection, from, to, &options)?;
    let elapsed = start.elapsed();
    if paths.is_empty() {
        return Err(Error::NoPath {
            from: projection.name(from, prefixes),
            to: projection.name(to, prefixes),
            hint: if args.directed {
                " following edges in their direction (drop --directed to follow them both ways)"
            } else {
                ""
            },
        });
    }
    let mut edges: Vec<_> = paths
        .iter()
        .flat_map(|p| p.edges.iter().map(|(e, _)| *e))
        .collect();
    edges.sort();
    edges.dedup();
    let sub = Subgraph {
        projection: &projection,
        edges,
    };
    graph::write_path_like(&sub, Some(&paths), format, prefixes, io.out)?;
    if timing {
        writeln!(
            io.err,
            "{} path(s) in {}",
            paths.len(),
            super::query::elapsed(elapsed)
        )
        .map_err(io_err)?;
    }
    Ok(0)
}

pub fn neighbors(ctx: &mut Ctx, args: NeighborsArgs, io: &mut Io<'_>) -> Result<u8> {
    let format = OutputFormat::from_name(&args.format)?;
    let backend = ctx.backend()?;
    let projection = match &backend {
        kg::Backend::Embedded(_) => projection(ctx, &args.projection, io)?,
        kg::Backend::Remote(remote) => {
            let popts = projection_options(ctx, &backend, &args.projection)?;
            let center = iri(&backend, &args.node, &mut None)?;
            let start = Instant::now();
            let bar = super::ProgressBar::new();
            let found = kg::remote::traverse::neighbourhood(
                remote,
                &center,
                args.depth,
                args.directed,
                &popts,
                exploring(&bar),
            );
            bar.finish();
            let found = found?;
            explored(ctx, &found, start, io)?;
            Arc::new(found.projection)
        }
    };
    let timing = ctx.timing;
    let center = node(&backend, &projection, &args.node, &mut None)?;
    let edges = graph::neighbourhood(&projection, center, args.depth, args.directed);
    let n = edges.len();
    let sub = Subgraph {
        projection: &projection,
        edges,
    };
    graph::write_path_like(&sub, None, format, backend.prefixes(), io.out)?;
    if timing {
        writeln!(io.err, "{n} edges within {} hops", args.depth).map_err(io_err)?;
    }
    Ok(0)
}

pub fn rank(ctx: &mut Ctx, args: RankArgs, io: &mut Io<'_>) -> Result<u8> {
    let format = OutputFormat::from_name(&args.format)?;
    let projection = projection(ctx, &args.projection, io)?;
    let start = Instant::now();
    let ranked = graph::rank(&projection);
    let elapsed = start.elapsed();
    let timing = ctx.timing;
    let backend = ctx.backend()?;
    graph::write_ranking(
        &projection,
        &ranked,
        args.top,
        format,
        backend.prefixes(),
        io.out,
    )?;
    if timing {
        writeln!(
            io.err,
            "PageRank over {} nodes in {}",
            projection.node_count(),
            super::query::elapsed(elapsed)
        )
        .map_err(io_err)?;
    }
    if let Some(g) = &args.write_back {
        let g = graph_iri(g)?;
        let n = graph::write_back_rank(ctx.store()?, &projection, &ranked, &g)?;
        writeln!(io.err, "wrote {n} triples to <{}>", g.as_str()).map_err(io_err)?;
        ctx.changed();
    }
    Ok(0)
}

pub fn components(ctx: &mut Ctx, args: ComponentsArgs, io: &mut Io<'_>) -> Result<u8> {
    let format = OutputFormat::from_name(&args.format)?;
    let projection = projection(ctx, &args.projection, io)?;
    let comps = graph::components(&projection);
    let backend = ctx.backend()?;
    graph::write_components(
        &projection,
        &comps,
        args.top,
        format,
        backend.prefixes(),
        io.out,
    )?;
    if let Some(g) = &args.write_back {
        let g = graph_iri(g)?;
        let n = graph::write_back_components(ctx.store()?, &projection, &comps, &g)?;
        writeln!(io.err, "wrote {n} triples to <{}>", g.as_str()).map_err(io_err)?;
        ctx.changed();
    }
    Ok(0)
}

fn projection_options(
    ctx: &Ctx,
    backend: &kg::Backend,
    args: &ProjectionArgs,
) -> Result<ProjectionOptions> {
    Ok(ProjectionOptions {
        graphs: args
            .graphs
            .iter()
            .map(|g| graph_iri(g))
            .collect::<Result<_>>()?,
        allow: iris(backend.prefixes(), &args.allow)?,
        deny: iris(backend.prefixes(), &args.deny)?,
        all_predicates: args.all_predicates,
        no_inference: !ctx.inference,
    })
}

/// What a traversal on a remote explored.
fn explored(
    ctx: &Ctx,
    found: &kg::remote::traverse::Exploration,
    start: Instant,
    io: &mut Io<'_>,
) -> Result<()> {
    if ctx.timing {
        writeln!(
            io.err,
            "explored {} nodes in {} requests in {}",
            found.nodes,
            found.requests,
            super::query::elapsed(start.elapsed())
        )
        .map_err(io_err)?;
    }
    Ok(())
}

/// The projection for these options, built once and reused until the store changes (in the REPL).
fn projection(ctx: &mut Ctx, args: &ProjectionArgs, io: &mut Io<'_>) -> Result<Arc<Projection>> {
    let backend = ctx.backend()?;
    let options = projection_options(ctx, &backend, args)?;
    if let kg::Backend::Remote(remote) = &backend {
        let start = Instant::now();
        let found =
            kg::remote::traverse::project(remote, &options, kg::remote::traverse::MAX_EDGES)?;
        explored(ctx, &found, start, io)?;
        return Ok(Arc::new(found.projection));
    }
    if let Some((generation, cached_options, p)) = &ctx.projection {
        if *generation == ctx.generation && *cached_options == options {
            return Ok(Arc::clone(p));
        }
    }
    let start = Instant::now();
    let mut prepared = None;
    if let Some(pending) = ctx.pending_projection.take() {
        if pending.generation == ctx.generation && pending.options == options {
            // Built or opened in the background: wait for it. A failure there (say, cancelled)
            // falls through to building here.
            if let Ok(Ok(done)) = pending.result.recv() {
                prepared = Some(done);
            }
        } else {
            pending.cancel.cancel();
        }
    }
    let background = prepared.is_some();
    let (p, origin) = match prepared {
        Some(done) => done,
        None => graph::projection(ctx.store()?, &options, None)?,
    };
    let p = Arc::new(p);
    if let graph::Origin::Built(Some(e)) = &origin {
        writeln!(io.err, "warning: the projection was not saved: {e}").map_err(io_err)?;
    }
    if ctx.timing {
        let how = match origin {
            graph::Origin::Built(_) => "projected",
            graph::Origin::Saved => "opened the saved projection of",
        };
        writeln!(
            io.err,
            "{how} {} and {} in {}{}",
            super::counted(p.node_count(), "node"),
            super::counted(p.edge_count(), "edge"),
            super::query::elapsed(start.elapsed()),
            if background {
                " (waiting for the background preparation)"
            } else {
                ""
            }
        )
        .map_err(io_err)?;
    }
    ctx.projection = Some((ctx.generation, options, Arc::clone(&p)));
    Ok(p)
}

/// A projection being prepared on a thread of its own.
pub struct Pending {
    generation: u64,
    options: ProjectionOptions,
    result: std::sync::mpsc::Receiver<Result<(Projection, graph::Origin)>>,
    cancel: oxigraph::sparql::CancellationToken,
}

impl Pending {
    /// Stops the preparation at Oxigraph's next check (the session ends, or it is superseded).
    pub fn cancel(&self) {
        self.cancel.cancel();
    }
}

/// After a change to the store (and when a session starts), prepares in the background the
/// projection the next traversal is likely to ask for: the options of the session's last one,
/// or the defaults when a projection with them was saved before (the store has been traversed).
/// Opening a current saved projection takes milliseconds; rebuilding one takes seconds, which a
/// person typing the next command does not wait for.
pub fn prepare_in_background(ctx: &mut Ctx) {
    let options = match &ctx.projection {
        Some((_, options, _)) => ProjectionOptions {
            no_inference: !ctx.inference,
            ..options.clone()
        },
        None => ProjectionOptions {
            no_inference: !ctx.inference,
            ..ProjectionOptions::default()
        },
    };
    if let Some(pending) = &ctx.pending_projection {
        if pending.generation == ctx.generation && pending.options == options {
            return;
        }
        pending.cancel();
    }
    if let Some((generation, cached, _)) = &ctx.projection {
        if *generation == ctx.generation && *cached == options {
            return;
        }
    }
    let generation = ctx.generation;
    let used_here = ctx.projection.is_some();
    let Ok(store) = ctx.store() else { return };
    if !used_here && !graph::was_saved(store, &options) {
        return;
    }
    let store = store.clone();
    let cancel = oxigraph::sparql::CancellationToken::new();
    let (send, result) = std::sync::mpsc::channel();
    let thread_options = options.clone();
    let thread_cancel = cancel.clone();
    kg::query::background::track(std::thread::spawn(move || {
        let _ = send.send(graph::projection(
            &store,
            &thread_options,
            Some(&thread_cancel),
        ));
    }));
    ctx.pending_projection = Some(Pending {
        generation,
        options,
        result,
        cancel,
    });
}

/// The IRI a user's name stands for.
fn iri(
    backend: &kg::Backend,
    name: &str,
    labels: &mut Option<Vec<(String, String)>>,
) -> Result<NamedNode> {
    // Reading labels is a query over the store: only for names that are not IRIs.
    match kg::resolve::resolve_name(backend.prefixes(), name) {
        Some(iri) => iri,
        None => {
            let matching;
            let known = match (backend, labels.as_deref()) {
                (kg::Backend::Embedded(_), Some(known)) => known,
                (kg::Backend::Embedded(_), None) => {
                    *labels = Some(kg::resolve::labels_matching(backend, name)?);
                    labels.as_deref().unwrap_or_default()
                }
                (kg::Backend::Remote(_), _) => {
                    matching = kg::resolve::labels_matching(backend, name)?;
                    &matching
                }
            };
            kg::resolve::resolve(backend.prefixes(), name, known)
        }
    }
}

fn node(
    backend: &kg::Backend,
    p: &Projection,
    name: &str,
    labels: &mut Option<Vec<(String, String)>>,
) -> Result<petgraph::graph::NodeIndex> {
    let iri = iri(backend, name, labels)?;
    p.node(&NamedOrBlankNode::NamedNode(iri.clone())).ok_or_else(|| {
        Error::BadInput(format!(
            "{name} (<{}>) has no links in the projected graph (literals, types and provenance are left out)",
            iri.as_str()
        ))
    })
}

fn iris(prefixes: &kg::prefixes::PrefixTable, names: &[String]) -> Result<Vec<NamedNode>> {
    names
        .iter()
        .map(|n| {
            let n = n.trim();
            let iri = match n.strip_prefix('<').and_then(|x| x.strip_suffix('>')) {
                Some(iri) => iri.to_owned(),
                None => prefixes.expand(n).unwrap_or_else(|| n.to_owned()),
            };
            NamedNode::new(&iri).map_err(|_| {
                Error::BadInput(format!(
                    "'{n}' is not an IRI or a prefixed name with a known prefix"
                ))
            })
        })
        .collect()
}

fn graph_iri(g: &str) -> Result<NamedNode> {
    let g = g.trim().trim_start_matches('<').trim_end_matches('>');
    NamedNode::new(g).map_err(|e| Error::BadInput(format!("<{g}> is not a valid graph IRI: {e}")))
}

/// The default limits of a remote exploration, its progress on the terminal.
fn exploring(bar: &super::ProgressBar) -> kg::remote::traverse::Limits {
    kg::remote::traverse::Limits {
        on_progress: Some(bar.exploration()),
        ..Default::default()
    }
}
