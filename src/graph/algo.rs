//! The algorithms: shortest and k-shortest loop-free paths, neighbourhoods, PageRank and degree,
//! weakly connected components.

use super::project::Projection;
use crate::error::{Error, Result};
use oxigraph::model::NamedNode;
use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use std::collections::{BTreeSet, HashSet, VecDeque};

/// How paths may run.
#[derive(Debug, Clone, Default)]
pub struct PathOptions {
    /// How many loop-free paths, shortest first.
    pub k: usize,
    /// When not empty, only edges with these predicates are followed.
    pub via: Vec<NamedNode>,
    /// Edges with these predicates are never followed.
    pub avoid: Vec<NamedNode>,
    /// Longest path, in edges.
    pub max_len: Option<usize>,
    /// Follow edges against their direction too.
    pub undirected: bool,
}

/// A path: its nodes and, between each pair, the edge taken (with its direction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    pub nodes: Vec<NodeIndex>,
    /// (edge, forward): `forward` is false when the edge was followed against its direction.
    pub edges: Vec<(EdgeIndex, bool)>,
}

/// A node with its PageRank score and degree.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub node: NodeIndex,
    pub score: f64,
    pub in_degree: usize,
    pub out_degree: usize,
}

/// A weakly connected component: its id (0 = largest), size and a sample member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    pub id: usize,
    pub members: Vec<NodeIndex>,
}

/// Edges usable under the options, from a node: (edge, neighbour, forward).
fn steps(
    p: &Projection,
    node: NodeIndex,
    allowed: &dyn Fn(EdgeIndex) -> bool,
    undirected: bool,
) -> Vec<(EdgeIndex, NodeIndex, bool)> {
    let mut out: Vec<(EdgeIndex, NodeIndex, bool)> = p
        .graph
        .edges_directed(node, Direction::Outgoing)
        .filter(|e| allowed(e.id()))
        .map(|e| (e.id(), e.target(), true))
        .collect();
    if undirected {
        out.extend(
            p.graph
                .edges_directed(node, Direction::Incoming)
                .filter(|e| allowed(e.id()))
                .map(|e| (e.id(), e.source(), false)),
        );
    }
    // Deterministic order: by neighbour, then predicate.
    out.sort_by_key(|(e, n, f)| (n.index(), p.graph[*e], !*f));
    out
}

fn predicate_filter<'a>(
    p: &'a Projection,
    options: &PathOptions,
) -> Result<impl Fn(EdgeIndex) -> bool + 'a> {
    let ids = |list: &[NamedNode]| -> Result<HashSet<u32>> {
        list.iter()
            .map(|n| {
                p.predicates
                    .iter()
                    .position(|x| x == n)
                    .map(|i| i as u32)
                    .ok_or_else(|| Error::NotFound {
                        kind: "predicate in the projected graph",
                        name: n.to_string(),
                        candidates: Vec::new(),
                    })
            })
            .collect()
    };
    let via = ids(&options.via)?;
    let avoid: HashSet<u32> = options
        .avoid
        .iter()
        .filter_map(|n| p.predicates.iter().position(|x| x == n).map(|i| i as u32))
        .collect();
    Ok(move |e: EdgeIndex| {
        let w = p.graph[e];
        (via.is_empty() || via.contains(&w)) && !avoid.contains(&w)
    })
}

/// The `k` shortest loop-free paths from `from` to `to`, shortest first (ties in a stable order).
/// Breadth-first search for the first, Yen's algorithm for the rest.
pub fn k_shortest_paths(
    p: &Projection,
    from: NodeIndex,
    to: NodeIndex,
    options: &PathOptions,
) -> Result<Vec<Path>> {
    let allowed = predicate_filter(p, options)?;
    let max_len = options.max_len.unwrap_or(usize::MAX);
    let k = options.k.max(1);
    if from == to {
        return Ok(vec![Path {
            nodes: vec![from],
            edges: Vec::new(),
        }]);
    }
    let found = pathfinding::directed::yen::yen(
        &from,
        |n: &NodeIndex| {
            steps(p, *n, &allowed, options.undirected)
                .into_iter()
                .map(|(_, m, _)| (m, 1usize))
                .collect::<BTreeSet<_>>()
        },
        |n: &NodeIndex| *n == to,
        k,
    );
    let mut paths = Vec::new();
    for (nodes, len) in found {
        if len > max_len {
            continue;
        }
        let mut edges = Vec::with_capacity(nodes.len().saturating_sub(1));
        for pair in nodes.windows(2) {
            let step = steps(p, pair[0], &allowed, options.undirected)
                .into_iter()
                .find(|(_, m, _)| *m == pair[1]);
            if let Some((e, _, forward)) = step {
                edges.push((e, forward));
            }
        }
        paths.push(Path { nodes, edges });
    }
    Ok(paths)
}

/// Every edge within `depth` hops of `center` (both directions unless `directed`).
pub fn neighbourhood(
    p: &Projection,
    center: NodeIndex,
    depth: usize,
    directed: bool,
) -> Vec<EdgeIndex> {
    let all = |_: EdgeIndex| true;
    let mut seen = HashSet::from([center]);
    let mut edges = BTreeSet::new();
    let mut queue = VecDeque::from([(center, 0usize)]);
    while let Some((n, d)) = queue.pop_front() {
        if d == depth {
            continue;
        }
        for (e, m, _) in steps(p, n, &all, !directed) {
            edges.insert(e);
            if seen.insert(m) {
                queue.push_back((m, d + 1));
            }
        }
    }
    edges.into_iter().collect()
}

/// PageRank (damping 0.85, power iteration until the change is below 1e-10 or 100 rounds) and degrees,
/// highest score first. petgraph's `page_rank` is quadratic in the node count, so this one walks edges.
pub fn rank(p: &Projection) -> Vec<Ranked> {
    let n = p.graph.node_count();
    if n == 0 {
        return Vec::new();
    }
    let damping = 0.85;
    let g = &p.graph;
    let out_degree: Vec<usize> = (0..n).map(|i| g.out_degree(NodeIndex::new(i))).collect();
    let dangling_nodes: Vec<usize> = (0..n).filter(|i| out_degree[*i] == 0).collect();
    let mut ranks = vec![1.0 / n as f64; n];
    let mut share = vec![0.0f64; n];
    let mut next = vec![0.0f64; n];
    for _ in 0..100 {
        let dangling: f64 = dangling_nodes.iter().map(|i| ranks[*i]).sum();
        let base = (1.0 - damping) / n as f64 + damping * dangling / n as f64;
        for (i, s) in share.iter_mut().enumerate() {
            if out_degree[i] > 0 {
                *s = damping * ranks[i] / out_degree[i] as f64;
            }
        }
        for (t, slot) in next.iter_mut().enumerate() {
            let mut sum = base;
            // Each target's sources in edge order: every score is the same sum in the same order
            // as a walk over the edge list, but written in place instead of scattered.
            for s in g.in_sources(NodeIndex::new(t)) {
                sum += share[*s as usize];
            }
            *slot = sum;
        }
        let delta: f64 = next.iter().zip(&ranks).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut ranks, &mut next);
        if delta < 1e-10 {
            break;
        }
    }
    let mut out: Vec<Ranked> = (0..n)
        .map(|i| {
            let node = NodeIndex::new(i);
            Ranked {
                node,
                score: ranks[i],
                in_degree: g.in_degree(node),
                out_degree: out_degree[i],
            }
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.node.cmp(&b.node)));
    out
}

/// Weakly connected components, largest first; members in node order.
pub fn components(p: &Projection) -> Vec<Component> {
    let n = p.graph.node_count();
    let mut uf = petgraph::unionfind::UnionFind::<usize>::new(n);
    for e in p.graph.edges() {
        uf.union(e.source().index(), e.target().index());
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<NodeIndex>> =
        std::collections::BTreeMap::new();
    for i in 0..n {
        groups
            .entry(uf.find(i))
            .or_default()
            .push(NodeIndex::new(i));
    }
    let mut comps: Vec<Vec<NodeIndex>> = groups.into_values().collect();
    comps.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
    comps
        .into_iter()
        .enumerate()
        .map(|(id, members)| Component { id, members })
        .collect()
}
