//! Dot-commands, psql/DuckDB style. One table declares them (for `.help`, completion and
//! suggestions); the ones that mirror CLI subcommands call the same `cmd` code.

use super::{Flow, Session};
use crate::cmd::{self, io_err, Io};
use kg::query::render::{display_term, Table};
use kg::query::{Outcome, QueryOptions};
use kg::{Error, OutputFormat, Result};
use oxigraph::model::Term;
use std::io::Write;
use std::path::PathBuf;

/// A dot-command's name, arguments and one-line help.
pub struct Command {
    pub name: &'static str,
    pub args: &'static str,
    pub help: &'static str,
    /// Whether its first argument is a file path (for completion).
    pub takes_file: bool,
}

const fn c(
    name: &'static str,
    args: &'static str,
    help: &'static str,
    takes_file: bool,
) -> Command {
    Command {
        name,
        args,
        help,
        takes_file,
    }
}

pub const COMMANDS: &[Command] = &[
    c(".help", "", "List these commands", false),
    c(
        ".format",
        "FMT",
        "Output format: table, csv, tsv, json, xml, turtle, ntriples, …",
        false,
    ),
    c(
        ".timing",
        "on|off",
        "Show row counts and times after each statement",
        false,
    ),
    c(
        ".inference",
        "[on|off]",
        "Whether queries see the entailments of `kg infer`; with no argument, say which",
        false,
    ),
    c(
        ".timeout",
        "SECS|off",
        "Stop every query after SECS seconds",
        false,
    ),
    c(
        ".output",
        "[FILE]",
        "Send answers and dot-command output to FILE; with no FILE, back to the terminal",
        true,
    ),
    c(".read", "FILE", "Run the statements of a file", true),
    c(
        ".load",
        "FILE [GRAPH]",
        "Load a file (RDF or fact sheet), optionally into a named graph",
        true,
    ),
    c(
        ".export",
        "FILE [FORMAT]",
        "Export every graph to FILE (format from the extension)",
        true,
    ),
    c(
        ".mode",
        "[auto|table|line]",
        "Tables: fitted to the terminal, blocks when too wide (auto); always a table; one block per row",
        false,
    ),
    c(".prefixes", "", "List the store's prefixes", false),
    c(".prefix", "P IRI", "Add or replace a prefix", false),
    c(
        ".schema",
        "[TERM]",
        "Classes and properties with labels, domains and ranges",
        false,
    ),
    c(
        ".describe",
        "NAME",
        "An entity's facts, by IRI, prefixed name or label in any language",
        false,
    ),
    c(
        ".stats",
        "",
        "Quads per graph, classes and predicates",
        false,
    ),
    c(".graphs", "", "Named graphs with their sizes", false),
    c(
        ".why",
        "S P O",
        "How a triple follows: rules and premises down to asserted triples and their evidence",
        false,
    ),
    c(
        ".queries",
        "",
        "Saved queries and the questions they answer",
        false,
    ),
    c(".run", "NAME", "Run a saved query", false),
    c(
        ".path",
        "FROM TO [--k N] [--via P] [--avoid P] [--directed]",
        "Shortest paths between two nodes",
        false,
    ),
    c(
        ".neighbors",
        "NODE [--depth N]",
        "The edges within N hops of a node",
        false,
    ),
    c(
        ".rank",
        "[--top N] [--write-back GRAPH]",
        "PageRank and degree, best first",
        false,
    ),
    c(
        ".components",
        "[--top N] [--write-back GRAPH]",
        "Weakly connected components",
        false,
    ),
    c(".quit", "", "Leave (also .exit or Ctrl-D)", false),
];

impl Session {
    /// Runs one dot-command line.
    pub fn dot(&mut self, line: &str) -> Result<Flow> {
        let mut parts = line.split_whitespace();
        let name = parts.next().unwrap_or_default();
        let rest: Vec<&str> = parts.collect();
        let arg = |i: usize| rest.get(i).copied();
        let mut stdout = std::io::stdout();
        let mut stderr = std::io::stderr();
        // `.output FILE` takes what dot-commands print too (`.stats`, `.path`, …), as it does in
        // sqlite; only `.help` stays on the terminal. A second handle on the same open file keeps
        // `self` free for the commands that change settings.
        let mut redirected = match (&self.settings.output, name) {
            (Some((path, file)), n) if n != ".help" => {
                Some(file.try_clone().map_err(|e| Error::Io {
                    path: path.clone(),
                    source: e,
                })?)
            }
            _ => None,
        };
        // One pair of writers for every dot-command, as the CLI subcommands they share get.
        let mut io = Io {
            out: match &mut redirected {
                Some(file) => file,
                None => &mut stdout,
            },
            err: &mut stderr,
        };
        match name {
            ".quit" | ".exit" | ".q" => return Ok(Flow::Quit),
            ".help" => {
                for c in COMMANDS {
                    writeln!(
                        io.out,
                        "{:<28} {}",
                        format!("{} {}", c.name, c.args),
                        c.help
                    )
                    .map_err(io_err)?;
                }
                writeln!(io.out, "Statements end with ';' or when they parse; an empty line sends what you typed.").map_err(io_err)?;
            }
            ".format" => {
                let f = arg(0).ok_or_else(|| usage(".format"))?;
                self.settings.format = Some(OutputFormat::from_name(f)?);
            }
            ".timing" => match arg(0) {
                Some("on") => self.ctx.timing = true,
                Some("off") => self.ctx.timing = false,
                _ => return Err(usage(".timing")),
            },
            ".inference" => {
                match arg(0) {
                    Some("on") => self.ctx.inference = true,
                    Some("off") => self.ctx.inference = false,
                    None => {}
                    _ => return Err(usage(".inference")),
                }
                writeln!(io.err, "{}", self.inference_status()).map_err(io_err)?;
            }
            ".timeout" => match arg(0) {
                Some("off" | "0") => self.ctx.timeout = None,
                Some(s) => {
                    let secs: f64 = s.parse().map_err(|_| usage(".timeout"))?;
                    self.ctx.timeout = Some(cmd::query::seconds(secs)?);
                }
                None => return Err(usage(".timeout")),
            },
            ".output" => match arg(0) {
                None => self.settings.output = None,
                Some(path) => {
                    let file = std::fs::File::create(path).map_err(|e| Error::Io {
                        path: path.into(),
                        source: e,
                    })?;
                    self.settings.output = Some((PathBuf::from(path), file));
                }
            },
            ".read" => {
                let path = arg(0).ok_or_else(|| usage(".read"))?;
                let file = std::fs::File::open(path).map_err(|e| Error::Io {
                    path: path.into(),
                    source: e,
                })?;
                let code = self.scripted(std::io::BufReader::new(file), false)?;
                if code != 0 {
                    return Err(Error::BadInput(format!(
                        "{path}: stopped at the first error"
                    )));
                }
            }
            ".load" => {
                let path = arg(0).ok_or_else(|| usage(".load"))?;
                // In a session the entailments, once computed, are kept current after each load.
                let infer = !self.ctx.is_remote()
                    && kg::infer::status(self.ctx.store()?)? != kg::infer::Status::None;
                let args = cmd::load::Args {
                    files: vec![PathBuf::from(path)],
                    graph: arg(1).map(str::to_owned),
                    base: None,
                    format: None,
                    dry_run: false,
                    infer,
                    batch: 200_000,
                };
                cmd::load::run(&mut self.ctx, args, &mut io)?;
                self.refresh_vocabulary();
            }
            ".export" => {
                let path = arg(0).ok_or_else(|| usage(".export"))?;
                let args = cmd::export::Args {
                    format: arg(1).map(str::to_owned),
                    graph: None,
                    output: Some(PathBuf::from(path)),
                };
                cmd::export::run(&mut self.ctx, args, &mut io)?;
            }
            ".mode" => {
                use kg::query::render::Mode;
                match arg(0) {
                    Some("auto") => kg::query::render::set_mode(Mode::Auto),
                    Some("table") => kg::query::render::set_mode(Mode::Table),
                    Some("line" | "expanded" | "x") => kg::query::render::set_mode(Mode::Line),
                    None => {}
                    _ => return Err(usage(".mode")),
                }
                let (width, mode) = kg::query::render::layout();
                let mode = match mode {
                    Mode::Auto => "auto",
                    Mode::Table => "table",
                    Mode::Line => "line",
                };
                match width {
                    Some(w) => writeln!(io.err, "mode {mode}, {w} columns"),
                    None => writeln!(io.err, "mode {mode}, no width (not a terminal)"),
                }
                .map_err(io_err)?;
            }
            ".prefixes" => {
                let args = cmd::prefixes::Args { action: None };
                cmd::prefixes::run(&mut self.ctx, args, &mut io)?;
            }
            ".prefix" => {
                let (Some(p), Some(iri)) = (arg(0), arg(1)) else {
                    return Err(usage(".prefix"));
                };
                let args = cmd::prefixes::Args {
                    action: Some(cmd::prefixes::Action::Add {
                        prefix: p.to_owned(),
                        iri: iri.to_owned(),
                    }),
                };
                cmd::prefixes::run(&mut self.ctx, args, &mut io)?;
                self.ctx.changed();
                self.refresh_vocabulary();
            }
            ".stats" => {
                cmd::stats::run(&mut self.ctx, &mut io)?;
            }
            ".why" => {
                if rest.is_empty() {
                    return Err(usage(".why"));
                }
                let args = cmd::infer::WhyArgs {
                    triple: rest.join(" "),
                };
                cmd::infer::why(&mut self.ctx, args, &mut io)?;
            }
            ".graphs" => {
                let store = self.ctx.store()?;
                let mut table = Table::new(vec!["graph".into(), "quads".into()]);
                for g in store.named_graphs()? {
                    let n = store.graph_len(oxigraph::model::GraphNameRef::from(g.as_ref()))?;
                    table.push(vec![
                        display_term(Term::from(g.clone()).as_ref(), store.prefixes()),
                        n.to_string(),
                    ]);
                }
                table.write(io.out).map_err(io_err)?;
            }
            ".queries" => {
                cmd::query::list(&mut io)?;
            }
            ".run" => {
                let name = arg(0).ok_or_else(|| usage(".run"))?;
                let text = cmd::query::saved(name)?;
                self.statement(text)?;
            }
            ".path" => {
                let args = parse_args::<cmd::graph::PathArgs>(line)?;
                cmd::graph::path(&mut self.ctx, args, &mut io)?;
            }
            ".neighbors" => {
                let args = parse_args::<cmd::graph::NeighborsArgs>(line)?;
                cmd::graph::neighbors(&mut self.ctx, args, &mut io)?;
            }
            ".rank" => {
                let args = parse_args::<cmd::graph::RankArgs>(line)?;
                cmd::graph::rank(&mut self.ctx, args, &mut io)?;
                self.refresh_vocabulary();
            }
            ".components" => {
                let args = parse_args::<cmd::graph::ComponentsArgs>(line)?;
                cmd::graph::components(&mut self.ctx, args, &mut io)?;
                self.refresh_vocabulary();
            }
            ".schema" => self.schema(arg(0))?,
            ".describe" => {
                if rest.is_empty() {
                    return Err(usage(".describe"));
                }
                self.describe(&rest.join(" "))?;
            }
            other => {
                let mut best: Vec<&str> = COMMANDS
                    .iter()
                    .map(|c| c.name)
                    .filter(|n| strsim::levenshtein(n, other) <= 2 || n.starts_with(other))
                    .collect();
                best.truncate(3);
                return Err(Error::NotFound {
                    kind: "dot-command",
                    name: other.to_owned(),
                    candidates: best.into_iter().map(str::to_owned).collect(),
                });
            }
        }
        Ok(Flow::Continue)
    }

    fn schema(&mut self, term: Option<&str>) -> Result<()> {
        let store = self.ctx.store()?;
        let query = "SELECT ?term ?kind ?label ?domain ?range WHERE {
            ?term a ?k .
            VALUES (?k ?kind) {
              (<http://www.w3.org/2002/07/owl#Class> \"class\")
              (<http://www.w3.org/2000/01/rdf-schema#Class> \"class\")
              (<http://www.w3.org/2002/07/owl#ObjectProperty> \"object property\")
              (<http://www.w3.org/2002/07/owl#DatatypeProperty> \"datatype property\")
              (<http://www.w3.org/2002/07/owl#AnnotationProperty> \"annotation property\")
              (<http://www.w3.org/1999/02/22-rdf-syntax-ns#Property> \"property\") }
            FILTER(isIRI(?term))
            OPTIONAL { ?term <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(LANGMATCHES(LANG(?label), \"en\") || LANG(?label) = \"\") }
            OPTIONAL { ?term <http://www.w3.org/2000/01/rdf-schema#domain> ?domain }
            OPTIONAL { ?term <http://www.w3.org/2000/01/rdf-schema#range> ?range }
        } ORDER BY ?kind STR(?term)";
        let outcome = kg::query::execute(store, query, &QueryOptions::default())?;
        let Outcome::Solutions {
            variables,
            solutions,
        } = outcome
        else {
            return Ok(());
        };
        let needle = term.map(str::to_lowercase);
        let mut table = Table::new(variables.iter().map(|v| v.as_str().to_owned()).collect());
        let mut seen = std::collections::BTreeSet::new();
        for s in solutions {
            let s = s?;
            let row: Vec<String> = variables
                .iter()
                .map(|v| {
                    s.get(v)
                        .map(|t| display_term(t.as_ref(), store.prefixes()))
                        .unwrap_or_default()
                })
                .collect();
            if let Some(n) = &needle {
                if !row[0].to_lowercase().contains(n) && !row[2].to_lowercase().contains(n) {
                    continue;
                }
            }
            if seen.insert(row.clone()) {
                table.push(row);
            }
        }
        let mut out = std::io::stdout();
        table.write(&mut out).map_err(io_err)
    }

    fn describe(&mut self, name: &str) -> Result<()> {
        let store = self.ctx.backend()?;
        let node = match kg::resolve::resolve_name(store.prefixes(), name) {
            Some(iri) => iri?,
            None => {
                let labels = kg::resolve::labels_matching(&store, name)?;
                kg::resolve::resolve(store.prefixes(), name, &labels)?
            }
        };
        let description = kg::describe::describe(&store, &node, &QueryOptions::default())?;
        let mut table = Table::new(vec!["".into(), "property".into(), "value".into()]);
        for edge in &description.edges {
            let value = match description.inline.get(&edge.value.to_string()) {
                // A blank node said nothing to a reader: show what it holds (an evidence quote and
                // its document, an amount's value and currency) in its place.
                Some(text) if edge.outgoing => text.clone(),
                _ => display_term(edge.value.as_ref(), store.prefixes()),
            };
            table.push(vec![
                if edge.outgoing { "→" } else { "←" }.to_owned(),
                display_term(edge.predicate.as_ref(), store.prefixes()),
                value,
            ]);
        }
        let mut out = std::io::stdout();
        writeln!(
            out,
            "{}",
            display_term(Term::from(node).as_ref(), store.prefixes())
        )
        .map_err(io_err)?;
        table.write(&mut out).map_err(io_err)
    }
}

fn usage(name: &str) -> Error {
    let c = COMMANDS.iter().find(|c| c.name == name);
    Error::BadInput(format!("usage: {} {}", name, c.map_or("", |c| c.args)))
}

/// Parses a dot-command's arguments with the same clap definition as the CLI subcommand.
fn parse_args<T: clap::Args + clap::FromArgMatches>(line: &str) -> Result<T> {
    let words =
        shlex::split(line).ok_or_else(|| Error::BadInput("unbalanced quotes".to_owned()))?;
    let command = T::augment_args(clap::Command::new("dot-command"));
    let matches = command
        .try_get_matches_from(words)
        .map_err(|e| Error::BadInput(e.render().to_string().trim_end().to_owned()))?;
    T::from_arg_matches(&matches).map_err(|e| Error::BadInput(e.to_string()))
}
