//! The command line, declared once with clap; each subcommand mounts the `Args` of its `cmd` module,
//! which the REPL's dot-commands reuse.

use crate::cmd::{self, Ctx};
use clap::{Parser, Subcommand, ValueHint};
use std::path::PathBuf;

/// A knowledge-graph store: load RDF and fact sheets, ask SPARQL, traverse, export clean Turtle.
///
/// With no command, kg opens an interactive SPARQL session on the store.
#[derive(Debug, Parser)]
#[command(name = "kg", version, max_term_width = 100)]
pub struct Cli {
    /// Store directory [default: the platform data dir, e.g. ~/.local/share/kg/store]
    ///
    /// A store given here starts empty; the default store is seeded with the built-in graph on first use.
    #[arg(long, env = "KG_STORE", global = true, value_hint = ValueHint::DirPath)]
    pub store: Option<PathBuf>,

    /// Leave out the entailments of `kg infer`: queries, updates and traversals see the asserted triples only
    #[arg(long, global = true)]
    pub no_inference: bool,

    /// Let queries call other endpoints with SERVICE (kg reaches the network for a query only then)
    #[arg(long, global = true)]
    pub allow_federation: bool,

    #[command(flatten)]
    pub endpoint: cmd::remote::EndpointArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load RDF files or fact sheets, all in one atomic step
    Load(cmd::load::Args),
    /// Run a SPARQL query
    Query(cmd::query::Args),
    /// Run a SPARQL 1.1 Update, atomically
    Update(cmd::update::Args),
    /// Export the store or one graph
    Export(cmd::export::Args),
    /// Quads per graph, classes and predicates with counts
    Stats,
    /// List, add or remove the store's prefixes
    Prefixes(cmd::prefixes::Args),
    /// Load the built-in ontology and fact sheets (idempotent)
    Seed,
    /// Compact the store's files: after a large load, reads get faster and the first long command
    /// no longer pays for the compaction
    Optimize,
    /// Check that every fact-sheet quote occurs verbatim in its source document
    CheckEvidence(cmd::evidence::Args),
    /// List the saved queries with the question each answers
    Queries,
    /// Shortest paths between two nodes, shown as chains of labelled edges; edges are followed
    /// both ways unless --directed
    Path(cmd::graph::PathArgs),
    /// The edges within N hops of a node
    Neighbors(cmd::graph::NeighborsArgs),
    /// PageRank and degree of every node, best first
    Rank(cmd::graph::RankArgs),
    /// Weakly connected components with sizes and a sample member
    Components(cmd::graph::ComponentsArgs),
    /// Compute the RDFS or OWL 2 RL entailments into their own graph; queries then see them
    Infer(cmd::infer::Args),
    /// Explain how a triple follows: rules and premises down to asserted triples and their evidence
    Why(cmd::infer::WhyArgs),
    /// Write the fact sheet of a new document: a skeleton with its mentions, checks, the ontology's terms
    Sheet(cmd::sheet::Args),
    /// Open the interactive SPARQL session (the default when no command is given)
    Repl(cmd::repl_args::Args),
    /// Serve the store over HTTP: SPARQL 1.1 Protocol on /sparql, Graph Store Protocol on /store,
    /// a query workbench on / and entity pages on /resource
    Serve(cmd::serve::Args),
    /// Name remote SPARQL endpoints (`kg remote add NAME URL`), list or forget them; then
    /// `kg --remote NAME …` runs any command there
    Remote(cmd::remote::Args),
}

/// Runs the parsed command line; returns the exit code for success paths that are not 0.
pub fn run(cli: Cli) -> kg::Result<u8> {
    kg::query::render::set_width_source(output_width);
    let mut ctx = Ctx::new(cli.store);
    ctx.inference = !cli.no_inference;
    ctx.federation = cli.allow_federation;
    if let Some(config) = cli.endpoint.config()? {
        ctx.set_endpoint(config);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut err = std::io::stderr();
    let mut io = cmd::Io {
        out: &mut out,
        err: &mut err,
    };
    match cli.command {
        Some(Command::Load(args)) => cmd::load::run(&mut ctx, args, &mut io),
        Some(Command::Query(args)) => cmd::query::run(&mut ctx, args, &mut io),
        Some(Command::Update(args)) => cmd::update::run(&mut ctx, args, &mut io),
        Some(Command::Export(args)) => cmd::export::run(&mut ctx, args, &mut io),
        Some(Command::Stats) => cmd::stats::run(&mut ctx, &mut io),
        Some(Command::Prefixes(args)) => cmd::prefixes::run(&mut ctx, args, &mut io),
        Some(Command::Seed) => cmd::seed(&mut ctx, &mut io),
        Some(Command::Optimize) => cmd::optimize(&mut ctx, &mut io),
        Some(Command::CheckEvidence(args)) => cmd::evidence::run(&mut ctx, args, &mut io),
        Some(Command::Queries) => cmd::query::list(&mut io),
        Some(Command::Path(args)) => cmd::graph::path(&mut ctx, args, &mut io),
        Some(Command::Neighbors(args)) => cmd::graph::neighbors(&mut ctx, args, &mut io),
        Some(Command::Rank(args)) => cmd::graph::rank(&mut ctx, args, &mut io),
        Some(Command::Components(args)) => cmd::graph::components(&mut ctx, args, &mut io),
        Some(Command::Infer(args)) => cmd::infer::run(&mut ctx, args, &mut io),
        Some(Command::Why(args)) => cmd::infer::why(&mut ctx, args, &mut io),
        Some(Command::Sheet(args)) => cmd::sheet::run(&mut ctx, args, &mut io),
        Some(Command::Repl(args)) => crate::repl::run(ctx, args),
        Some(Command::Serve(args)) => cmd::serve::run(&mut ctx, args, &mut io),
        Some(Command::Remote(args)) => cmd::remote::run(args, &mut io),
        None => crate::repl::run(ctx, cmd::repl_args::Args::default()),
    }
}

/// The width tables fit: `COLUMNS` when set (as for `ls`; tests use it), else the terminal's
/// when stdout is one. A pipe or a file gets `None`: every row on one line, as before.
fn output_width() -> Option<u16> {
    if let Some(c) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|c| *c > 0)
    {
        return Some(c);
    }
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(w, _)| w.0)
}
