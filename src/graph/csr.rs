//! The projected graph as compressed sparse rows: edges numbered in (subject, predicate, object)
//! order, each node's outgoing edges one contiguous run, and an index of incoming edges by target.
//!
//! petgraph's `DiGraph` keeps linked lists that must be built edge by edge (20 bytes an edge);
//! these arrays are 16 bytes an edge, are the same in memory and on disk, and so a saved
//! projection is used where it lies in the mapped file. Node and edge numbers are petgraph's
//! `NodeIndex` and `EdgeIndex`, and edges are petgraph `EdgeRef`s, so the algorithms read as over a
//! petgraph graph.

use super::words::Words;
use crate::error::{Error, Result};
use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::Direction;

pub struct Csr {
    /// Per node, where its outgoing edges start; one more entry than nodes, the last the edge count.
    pub(crate) out_start: Words<u32>,
    /// Per edge, its object node.
    pub(crate) target: Words<u32>,
    /// Per edge, its predicate number.
    pub(crate) predicate: Words<u32>,
    /// Per node, where its incoming edges start in `in_edge`; one more entry than nodes.
    pub(crate) in_start: Words<u32>,
    /// Edge numbers by target node, then edge number.
    pub(crate) in_edge: Words<u32>,
    /// The subject node of each edge of `in_edge`, beside it.
    pub(crate) in_source: Words<u32>,
}

/// One edge as the algorithms see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    id: EdgeIndex,
    source: NodeIndex,
    target: NodeIndex,
    predicate: u32,
}

impl petgraph::visit::EdgeRef for Edge {
    type NodeId = NodeIndex;
    type EdgeId = EdgeIndex;
    type Weight = u32;

    fn source(&self) -> NodeIndex {
        self.source
    }

    fn target(&self) -> NodeIndex {
        self.target
    }

    fn weight(&self) -> &u32 {
        &self.predicate
    }

    fn id(&self) -> EdgeIndex {
        self.id
    }
}

impl Csr {
    /// The graph of `nodes` nodes and these (subject, predicate, object) edges, which must be
    /// sorted and free of duplicates: edge numbers are their positions. The list is dropped once
    /// the outgoing rows are built, before the incoming index, so the peak is 20 bytes an edge.
    pub(crate) fn from_sorted(nodes: usize, edges: Vec<(u32, u32, u32)>) -> Result<Self> {
        let too_big =
            || Error::Evaluation("the projection has more than 2^32 nodes or edges".into());
        u32::try_from(edges.len()).map_err(|_| too_big())?;
        u32::try_from(nodes).map_err(|_| too_big())?;
        let mut out_start = vec![0u32; nodes + 1];
        for &(s, _, _) in &edges {
            out_start[s as usize + 1] += 1;
        }
        for i in 0..nodes {
            out_start[i + 1] += out_start[i];
        }
        let target: Vec<u32> = edges.iter().map(|e| e.2).collect();
        let predicate: Vec<u32> = edges.iter().map(|e| e.1).collect();
        drop(edges);
        let mut in_start = vec![0u32; nodes + 1];
        for &o in &target {
            in_start[o as usize + 1] += 1;
        }
        for i in 0..nodes {
            in_start[i + 1] += in_start[i];
        }
        let mut fill = in_start.clone();
        let mut in_edge = vec![0u32; target.len()];
        let mut in_source = vec![0u32; target.len()];
        for s in 0..nodes {
            for e in out_start[s] as usize..out_start[s + 1] as usize {
                let slot = &mut fill[target[e] as usize];
                in_edge[*slot as usize] = e as u32;
                in_source[*slot as usize] = s as u32;
                *slot += 1;
            }
        }
        Ok(Self {
            out_start: out_start.into(),
            target: target.into(),
            predicate: predicate.into(),
            in_start: in_start.into(),
            in_edge: in_edge.into(),
            in_source: in_source.into(),
        })
    }

    /// Whether the arrays describe a graph of `nodes` nodes and `predicates` predicates: every
    /// number in range and every run in order, so no use of them can index out of bounds. Run
    /// once on a saved projection before it is used.
    pub(crate) fn is_consistent(&self, nodes: usize, predicates: usize) -> bool {
        let edges = self.target.len();
        let starts_ok = |starts: &[u32]| {
            starts.len() == nodes + 1
                && starts.first() == Some(&0)
                && starts.last().is_some_and(|l| *l as usize == edges)
                && starts.windows(2).all(|w| w[0] <= w[1])
        };
        starts_ok(&self.out_start)
            && starts_ok(&self.in_start)
            && self.predicate.len() == edges
            && self.in_edge.len() == edges
            && self.in_source.len() == edges
            && self.target.iter().all(|t| (*t as usize) < nodes)
            && self.predicate.iter().all(|p| (*p as usize) < predicates)
            && self.in_edge.iter().all(|e| (*e as usize) < edges)
            && self.in_source.iter().all(|s| (*s as usize) < nodes)
    }

    pub fn node_count(&self) -> usize {
        self.out_start.len().saturating_sub(1)
    }

    pub fn edge_count(&self) -> usize {
        self.target.len()
    }

    fn edge(&self, e: usize, source: u32) -> Edge {
        Edge {
            id: EdgeIndex::new(e),
            source: NodeIndex::new(source as usize),
            target: NodeIndex::new(self.target[e] as usize),
            predicate: self.predicate[e],
        }
    }

    fn run(starts: &[u32], n: NodeIndex) -> std::ops::Range<usize> {
        let i = n.index();
        match (starts.get(i), starts.get(i + 1)) {
            (Some(a), Some(b)) => *a as usize..*b as usize,
            _ => 0..0,
        }
    }

    /// A node's outgoing or incoming edges, in edge order (empty for a node not in the graph).
    pub fn edges_directed(&self, n: NodeIndex, dir: Direction) -> impl Iterator<Item = Edge> + '_ {
        let (outgoing, incoming) = match dir {
            Direction::Outgoing => (Self::run(&self.out_start, n), 0..0),
            Direction::Incoming => (0..0, Self::run(&self.in_start, n)),
        };
        let source = n.index() as u32;
        outgoing
            .map(move |e| self.edge(e, source))
            .chain(incoming.map(move |k| self.edge(self.in_edge[k] as usize, self.in_source[k])))
    }

    /// Every edge, in edge order.
    pub fn edges(&self) -> impl Iterator<Item = Edge> + '_ {
        (0..self.node_count()).flat_map(move |s| {
            Self::run(&self.out_start, NodeIndex::new(s)).map(move |e| self.edge(e, s as u32))
        })
    }

    /// An edge's subject and object.
    pub fn edge_endpoints(&self, e: EdgeIndex) -> Option<(NodeIndex, NodeIndex)> {
        let target = *self.target.get(e.index())?;
        // The subject is the last node whose run starts at or before the edge.
        let source = self.out_start.partition_point(|s| *s as usize <= e.index()) - 1;
        Some((NodeIndex::new(source), NodeIndex::new(target as usize)))
    }

    pub fn out_degree(&self, n: NodeIndex) -> usize {
        Self::run(&self.out_start, n).len()
    }

    pub fn in_degree(&self, n: NodeIndex) -> usize {
        Self::run(&self.in_start, n).len()
    }

    /// The subjects of a node's incoming edges, in edge order.
    pub fn in_sources(&self, n: NodeIndex) -> &[u32] {
        &self.in_source[Self::run(&self.in_start, n)]
    }
}

/// An edge's predicate number, as petgraph's `graph[edge]` gives its weight.
impl std::ops::Index<EdgeIndex> for Csr {
    type Output = u32;

    fn index(&self, e: EdgeIndex) -> &u32 {
        &self.predicate[e.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use petgraph::visit::EdgeRef;

    #[test]
    fn runs_and_incoming_index() {
        // 0 -p0-> 1, 0 -p1-> 2, 2 -p0-> 1
        let g = Csr::from_sorted(3, vec![(0, 0, 1), (0, 1, 2), (2, 0, 1)]).unwrap();
        assert!(g.is_consistent(3, 2));
        assert!(!g.is_consistent(3, 1));
        assert_eq!(g.edge_count(), 3);
        let out: Vec<_> = g
            .edges_directed(NodeIndex::new(0), Direction::Outgoing)
            .map(|e| (e.id().index(), e.target().index(), *e.weight()))
            .collect();
        assert_eq!(out, [(0, 1, 0), (1, 2, 1)]);
        let inc: Vec<_> = g
            .edges_directed(NodeIndex::new(1), Direction::Incoming)
            .map(|e| (e.id().index(), e.source().index()))
            .collect();
        assert_eq!(inc, [(0, 0), (2, 2)]);
        assert_eq!(
            g.edge_endpoints(EdgeIndex::new(2)),
            Some((NodeIndex::new(2), NodeIndex::new(1)))
        );
        assert_eq!(g.edge_endpoints(EdgeIndex::new(3)), None);
        assert_eq!(g.edges().count(), 3);
        assert_eq!(g.in_sources(NodeIndex::new(1)), [0, 2]);
        assert_eq!(g.out_degree(NodeIndex::new(1)), 0);
        assert_eq!(g.in_degree(NodeIndex::new(2)), 1);
        assert_eq!(
            g.edges_directed(NodeIndex::new(9), Direction::Outgoing)
                .count(),
            0
        );
    }
}
