//! Traversals on a remote endpoint without projecting its whole graph: the frontier is expanded
//! by batched `VALUES` queries, breadth first (from both ends for a path), within a hop bound and
//! a node budget. What was found becomes a small `Projection`, so the algorithms and the output
//! are the same as on the embedded store.

use super::Remote;
use crate::error::{Error, Result};
use crate::graph::{PathOptions, Projection, ProjectionOptions};
use oxigraph::model::{NamedNode, NamedOrBlankNode, Term};
use std::collections::{BTreeSet, HashSet};

/// Told after each request: requests made so far, nodes seen so far.
pub type OnProgress = std::sync::Arc<dyn Fn(usize, usize) + Send + Sync>;

/// How far an exploration may go, and who hears how far it got.
#[derive(Clone)]
pub struct Limits {
    /// Nodes seen before the exploration stops with advice.
    pub max_nodes: usize,
    /// Nodes per request.
    pub batch: usize,
    pub on_progress: Option<OnProgress>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_nodes: 200_000,
            batch: 200,
            on_progress: None,
        }
    }
}

/// What an exploration found, and what it cost.
pub struct Exploration {
    pub projection: Projection,
    pub requests: usize,
    pub nodes: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Out,
    In,
    Both,
}

type Edge = (NamedOrBlankNode, NamedNode, NamedOrBlankNode);

struct Explorer<'a> {
    remote: &'a Remote,
    options: &'a ProjectionOptions,
    limits: Limits,
    requests: usize,
    edges: BTreeSet<(String, String, String)>,
    found: Vec<Edge>,
}

impl<'a> Explorer<'a> {
    fn new(remote: &'a Remote, options: &'a ProjectionOptions, limits: Limits) -> Self {
        Self {
            remote,
            options,
            limits,
            requests: 0,
            edges: BTreeSet::new(),
            found: Vec::new(),
        }
    }

    /// The next layer: every node one edge away from `frontier` that is not yet in `seen`.
    fn expand(
        &mut self,
        frontier: &[NamedNode],
        direction: Direction,
        seen: &mut HashSet<NamedOrBlankNode>,
    ) -> Result<Vec<NamedNode>> {
        let mut next = Vec::new();
        for chunk in frontier.chunks(self.limits.batch.max(1)) {
            let values = chunk
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ");
            let out = "{ ?n ?p ?o BIND(?n AS ?s) }";
            let inc = "{ ?s ?p ?n BIND(?n AS ?o) }";
            let body = match direction {
                Direction::Out => out.to_owned(),
                Direction::In => inc.to_owned(),
                Direction::Both => format!("{out} UNION {inc}"),
            };
            let allow = if self.options.allow.is_empty() {
                String::new()
            } else {
                format!(
                    "VALUES ?p {{ {} }}",
                    self.options
                        .allow
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" ")
                )
            };
            let body = if self.options.graphs.is_empty() {
                body
            } else {
                format!(
                    "VALUES ?g {{ {} }} GRAPH ?g {{ {body} }}",
                    self.options
                        .graphs
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" ")
                )
            };
            let text = format!(
                "SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?n {{ {values} }} {allow} {body} FILTER(!isLiteral(?o)) }}"
            );
            self.requests += 1;
            let rows = self.remote.select(&text, true)?;
            if let Some(tell) = &self.limits.on_progress {
                tell(self.requests, seen.len());
            }
            for row in rows {
                let (Some(s), Some(Term::NamedNode(p)), Some(o)) =
                    (row.get("s"), row.get("p"), row.get("o"))
                else {
                    continue;
                };
                if !crate::graph::accepts(p, self.options) {
                    continue;
                }
                let (Some(s), Some(o)) = (node(s), node(o)) else {
                    continue;
                };
                if self
                    .edges
                    .insert((s.to_string(), p.as_str().to_owned(), o.to_string()))
                {
                    self.found.push((s.clone(), p.clone(), o.clone()));
                }
                for n in [s, o] {
                    if seen.insert(n.clone()) {
                        if let NamedOrBlankNode::NamedNode(iri) = n {
                            next.push(iri);
                        }
                    }
                }
            }
            if seen.len() > self.limits.max_nodes {
                return Err(Error::BadInput(format!(
                    "the exploration passed {} nodes after {} requests: narrow it with --via/--predicate or --graph, or lower --max-len/--depth",
                    self.limits.max_nodes, self.requests
                )));
            }
        }
        next.sort();
        Ok(next)
    }

    /// The edges found, with the labels of their nodes and predicates.
    fn projection(&mut self, edges: Vec<Edge>) -> Result<Projection> {
        let mut names: BTreeSet<NamedNode> = BTreeSet::new();
        for (s, p, o) in &edges {
            for n in [s, o] {
                if let NamedOrBlankNode::NamedNode(iri) = n {
                    names.insert(iri.clone());
                }
            }
            names.insert(p.clone());
        }
        let names: Vec<NamedNode> = names.into_iter().collect();
        let mut labels = Vec::new();
        for chunk in names.chunks(self.limits.batch.max(1)) {
            let values = chunk
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ");
            self.requests += 1;
            let text = format!(
                "SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
            );
            for row in self.remote.select(&text, true)? {
                if let (Some(Term::NamedNode(s)), Some(l)) = (row.get("s"), row.get("l")) {
                    labels.push((NamedOrBlankNode::NamedNode(s.clone()), l.clone()));
                }
            }
        }
        let plain = |n: NamedOrBlankNode| match self.remote.deskolemise(n.clone().into()) {
            Term::BlankNode(b) => NamedOrBlankNode::BlankNode(b),
            _ => n,
        };
        let edges = edges.into_iter().map(|(s, p, o)| (plain(s), p, plain(o)));
        Projection::from_edges(edges, labels)
    }
}

fn node(t: &Term) -> Option<NamedOrBlankNode> {
    match t {
        Term::NamedNode(n) => Some(NamedOrBlankNode::NamedNode(n.clone())),
        Term::BlankNode(b) => Some(NamedOrBlankNode::BlankNode(b.clone())),
        _ => None,
    }
}

/// The edges within `depth` hops of `center` (outgoing only when `directed`).
pub fn neighbourhood(
    remote: &Remote,
    center: &NamedNode,
    depth: usize,
    directed: bool,
    options: &ProjectionOptions,
    limits: Limits,
) -> Result<Exploration> {
    let mut explorer = Explorer::new(remote, options, limits);
    let mut seen = HashSet::from([NamedOrBlankNode::NamedNode(center.clone())]);
    let mut frontier = vec![center.clone()];
    let direction = if directed {
        Direction::Out
    } else {
        Direction::Both
    };
    for _ in 0..depth {
        if frontier.is_empty() {
            break;
        }
        frontier = explorer.expand(&frontier, direction, &mut seen)?;
    }
    let edges = std::mem::take(&mut explorer.found);
    let projection = explorer.projection(edges)?;
    Ok(Exploration {
        projection,
        requests: explorer.requests,
        nodes: seen.len(),
    })
}

/// Shortest paths from `from` to `to`: breadth first from both ends, the smaller frontier first,
/// until they meet or `max_len` hops are covered. The projection holds the paths' edges.
pub fn paths(
    remote: &Remote,
    from: &NamedNode,
    to: &NamedNode,
    path: &PathOptions,
    options: &ProjectionOptions,
    limits: Limits,
) -> Result<Exploration> {
    let max_len = path.max_len.unwrap_or(8);
    let mut explorer = Explorer::new(remote, options, limits);
    let from_node = NamedOrBlankNode::NamedNode(from.clone());
    let to_node = NamedOrBlankNode::NamedNode(to.clone());
    let mut seen_from = HashSet::from([from_node.clone()]);
    let mut seen_to = HashSet::from([to_node.clone()]);
    let mut frontier_from = vec![from.clone()];
    let mut frontier_to = vec![to.clone()];
    let (forward, backward) = if path.undirected {
        (Direction::Both, Direction::Both)
    } else {
        (Direction::Out, Direction::In)
    };
    let mut hops = 0;
    let met = |a: &HashSet<NamedOrBlankNode>, b: &HashSet<NamedOrBlankNode>| {
        a.iter().any(|n| b.contains(n))
    };
    while hops < max_len && !met(&seen_from, &seen_to) {
        if frontier_from.is_empty() && frontier_to.is_empty() {
            break;
        }
        let grow_from = !frontier_from.is_empty()
            && (frontier_to.is_empty() || frontier_from.len() <= frontier_to.len());
        if grow_from {
            frontier_from = explorer.expand(&frontier_from, forward, &mut seen_from)?;
        } else {
            frontier_to = explorer.expand(&frontier_to, backward, &mut seen_to)?;
        }
        hops += 1;
    }
    // The shortest paths of what was found; only their edges are kept, labelled.
    let found = std::mem::take(&mut explorer.found);
    let nodes = seen_from.len() + seen_to.len();
    let whole = Projection::from_edges(found.clone(), Vec::new())?;
    let mut keep: BTreeSet<(String, String, String)> = BTreeSet::new();
    if let (Some(a), Some(b)) = (whole.node(&from_node), whole.node(&to_node)) {
        for p in crate::graph::k_shortest_paths(&whole, a, b, path)? {
            for (e, _) in &p.edges {
                if let Some((s, o)) = whole.graph.edge_endpoints(*e) {
                    let pred = &whole.predicates[whole.graph[*e] as usize];
                    keep.insert((
                        whole.term(s).to_string(),
                        pred.as_str().to_owned(),
                        whole.term(o).to_string(),
                    ));
                }
            }
        }
    }
    let edges: Vec<Edge> = found
        .into_iter()
        .filter(|(s, p, o)| keep.contains(&(s.to_string(), p.as_str().to_owned(), o.to_string())))
        .collect();
    let projection = explorer.projection(edges)?;
    Ok(Exploration {
        projection,
        requests: explorer.requests,
        nodes,
    })
}

/// The most edges `project` reads from a remote before refusing.
pub const MAX_EDGES: usize = 2_000_000;

/// The part of a remote graph that `options` select (`--graph`, `--predicate`), read in one
/// streamed answer, for `rank` and `components`; refused beyond `max_edges`, and refused
/// without a selection (a whole remote graph is not kg's to copy).
pub fn project(
    remote: &Remote,
    options: &ProjectionOptions,
    max_edges: usize,
) -> Result<Exploration> {
    if options.graphs.is_empty() && options.allow.is_empty() {
        return Err(Error::BadInput(
            "on a remote endpoint, rank and components read only a selected part of the graph: name it with --graph IRI or --predicate PRED (or use path and neighbors, which explore from a node)".to_owned(),
        ));
    }
    let list = |v: &[NamedNode]| {
        v.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let scope = |pattern: &str| {
        if options.graphs.is_empty() {
            pattern.to_owned()
        } else {
            format!(
                "VALUES ?g {{ {} }} GRAPH ?g {{ {pattern} }}",
                list(&options.graphs)
            )
        }
    };
    let allow = if options.allow.is_empty() {
        String::new()
    } else {
        format!("VALUES ?p {{ {} }}", list(&options.allow))
    };
    let text = format!(
        "SELECT ?s ?p ?o WHERE {{ {allow} {} FILTER(!isLiteral(?o)) }}",
        scope("?s ?p ?o")
    );
    let query_options = crate::query::QueryOptions {
        source: Some("<kg>".to_owned()),
        ..Default::default()
    };
    let mut edges = Vec::new();
    if let crate::query::Outcome::Solutions { solutions, .. } =
        remote.query(&text, &query_options)?
    {
        for row in solutions {
            let row = row?;
            let (Some(s), Some(Term::NamedNode(p)), Some(o)) =
                (row.get("s"), row.get("p"), row.get("o"))
            else {
                continue;
            };
            if !crate::graph::accepts(p, options) {
                continue;
            }
            if let (Some(s), Some(o)) = (node(s), node(o)) {
                edges.push((s, p.clone(), o));
            }
            if edges.len() > max_edges {
                return Err(Error::BadInput(format!(
                    "the selected part of the remote graph has more than {max_edges} edges: narrow it with --graph or --predicate, or export it (kg --endpoint … export --graph IRI) and load it into a local store"
                )));
            }
        }
    }
    let nodes: HashSet<String> = edges
        .iter()
        .flat_map(|(s, _, o)| [s.to_string(), o.to_string()])
        .collect();
    // Labels by batched lookups of these nodes, wherever the labels are (the ontology's own
    // graph labels its terms), without reading every label of the engine.
    let mut explorer = Explorer::new(remote, options, Limits::default());
    let projection = explorer.projection(edges)?;
    Ok(Exploration {
        projection,
        requests: 1 + explorer.requests,
        nodes: nodes.len(),
    })
}
