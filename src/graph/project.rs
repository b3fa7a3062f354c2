//! The projection: the store's entity graph as a petgraph graph.

use crate::error::{Error, Result};
use crate::store::KgStore;
use oxigraph::model::{GraphNameRef, NamedNode, NamedOrBlankNode, Term};
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::HashMap;

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
const OWL: &str = "http://www.w3.org/2002/07/owl#";
const OA: &str = "http://www.w3.org/ns/oa#";

/// Predicates left out by default: typing, schema, and the provenance and evidence links every
/// record has (through them everything would be two hops from everything).
const DEFAULT_DENY: &[&str] = &[
    "http://www.w3.org/ns/prov#wasDerivedFrom",
    "https://w3id.org/kg/ns#evidence",
];

/// What to project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectionOptions {
    /// Named graphs to read; empty means every graph.
    pub graphs: Vec<NamedNode>,
    /// When not empty, only these predicates become edges.
    pub allow: Vec<NamedNode>,
    /// Predicates that never become edges (on top of the defaults unless `all_predicates`).
    pub deny: Vec<NamedNode>,
    /// Keep `rdf:type`, RDFS/OWL schema, provenance and evidence triples too.
    pub all_predicates: bool,
}

/// The store's resources as nodes and the triples between them as edges labelled with their predicate.
/// Node indices follow the sorted order of the terms, so every run numbers them the same way.
pub struct Projection {
    pub graph: DiGraph<NamedOrBlankNode, u32>,
    /// Predicate IRIs, indexed by edge weight.
    pub predicates: Vec<NamedNode>,
    /// Display label per node (English preferred), for output.
    pub labels: Vec<Option<String>>,
    /// Display label per predicate (English preferred), for output.
    pub predicate_labels: Vec<Option<String>>,
}

impl Projection {
    pub fn build(store: &KgStore, options: &ProjectionOptions) -> Result<Self> {
        let ontology = crate::seed::ONTOLOGY_GRAPH;
        let graphs: Vec<Option<NamedNode>> = if options.graphs.is_empty() {
            vec![None]
        } else {
            for g in &options.graphs {
                if !store.raw().contains_named_graph(g)? {
                    return Err(Error::NotFound {
                        kind: "graph",
                        name: g.to_string(),
                        candidates: Vec::new(),
                    });
                }
            }
            options.graphs.iter().cloned().map(Some).collect()
        };
        // Decoding terms is most of the cost of reading the store, so only predicates that become
        // edges are read (listing them works on encoded terms, which is cheap), split over two threads.
        let mut candidates: Vec<NamedNode> = store
            .select("SELECT DISTINCT ?p WHERE { ?s ?p ?o }")?
            .iter()
            .filter_map(|s| match s.get("p") {
                Some(Term::NamedNode(p)) => Some(p.clone()),
                _ => None,
            })
            .filter(|p| accepts(p, options))
            .collect();
        candidates.sort();
        let predicates = candidates;
        let scan = |part: usize| -> Result<Chunk> {
            let mut chunk = Chunk::default();
            for (pid, predicate) in predicates.iter().enumerate().filter(|(i, _)| i % 2 == part) {
                for g in &graphs {
                    let graph_ref = g.as_ref().map(|n| GraphNameRef::NamedNode(n.as_ref()));
                    for quad in store.raw().quads_for_pattern(
                        None,
                        Some(predicate.as_ref()),
                        None,
                        graph_ref,
                    ) {
                        let quad = quad?;
                        let object = match quad.object {
                            Term::NamedNode(n) => NamedOrBlankNode::NamedNode(n),
                            Term::BlankNode(b) => NamedOrBlankNode::BlankNode(b),
                            _ => continue,
                        };
                        if !options.all_predicates && g.is_none() {
                            if let oxigraph::model::GraphName::NamedNode(n) = &quad.graph_name {
                                if n.as_str() == ontology {
                                    continue;
                                }
                            }
                        }
                        let s = chunk.intern(quad.subject);
                        let o = chunk.intern(object);
                        chunk.edges.push((s, pid as u32, o));
                    }
                }
            }
            Ok(chunk)
        };
        let (first, second) = std::thread::scope(|scope| {
            let other = scope.spawn(|| scan(1));
            let first = scan(0);
            (first, other.join())
        });
        let mut chunk = first?;
        let second =
            second.map_err(|_| Error::Evaluation("projection worker failed".to_owned()))??;
        // Merge the second thread's numbering into the first's.
        let remap: Vec<u32> = second.terms.into_iter().map(|t| chunk.intern(t)).collect();
        chunk.edges.extend(
            second
                .edges
                .into_iter()
                .map(|(s, p, o)| (remap[s as usize], p, remap[o as usize])),
        );
        let Chunk { terms, edges, .. } = chunk;
        // Renumber nodes in term order, so output never depends on store order.
        let mut order: Vec<u32> = (0..terms.len() as u32).collect();
        order.sort_unstable_by(|a, b| {
            terms[*a as usize]
                .as_str_key()
                .cmp(&terms[*b as usize].as_str_key())
        });
        let mut node_remap = vec![0u32; terms.len()];
        for (new, old) in order.iter().enumerate() {
            node_remap[*old as usize] = new as u32;
        }
        let mut slots: Vec<Option<NamedOrBlankNode>> = terms.into_iter().map(Some).collect();
        let mut graph = DiGraph::with_capacity(order.len(), edges.len());
        for old in order {
            if let Some(term) = slots[old as usize].take() {
                graph.add_node(term);
            }
        }
        let mut numbered: Vec<(u32, u32, u32)> = edges
            .into_iter()
            .map(|(s, p, o)| (node_remap[s as usize], p, node_remap[o as usize]))
            .collect();
        numbered.sort_unstable();
        numbered.dedup();
        for (s, p, o) in numbered {
            graph.add_edge(NodeIndex::new(s as usize), NodeIndex::new(o as usize), p);
        }
        let mut projection = Self {
            graph,
            predicates,
            labels: Vec::new(),
            predicate_labels: Vec::new(),
        };
        projection.load_labels(store)?;
        Ok(projection)
    }

    /// The node of a term: nodes are numbered in term order, so a binary search finds it.
    pub fn node(&self, term: &NamedOrBlankNode) -> Option<NodeIndex> {
        let weights = self.graph.raw_nodes();
        weights
            .binary_search_by(|n| n.weight.as_str_key().cmp(&term.as_str_key()))
            .ok()
            .map(NodeIndex::new)
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// A node's label, or its IRI shortened with the prefixes.
    pub fn name(&self, node: NodeIndex, prefixes: &crate::prefixes::PrefixTable) -> String {
        if let Some(Some(l)) = self.labels.get(node.index()) {
            return l.clone();
        }
        short(&self.graph[node], prefixes)
    }

    fn load_labels(&mut self, store: &KgStore) -> Result<()> {
        let mut best: Vec<Option<(u8, String)>> = vec![None; self.graph.node_count()];
        let mut best_predicate: Vec<Option<(u8, String)>> = vec![None; self.predicates.len()];
        let label = oxigraph::model::NamedNodeRef::new_unchecked(
            "http://www.w3.org/2000/01/rdf-schema#label",
        );
        for quad in store.raw().quads_for_pattern(None, Some(label), None, None) {
            let quad = quad?;
            let Term::Literal(l) = &quad.object else {
                continue;
            };
            let slot = if let Some(i) = self.node(&quad.subject) {
                &mut best[i.index()]
            } else if let NamedOrBlankNode::NamedNode(n) = &quad.subject {
                match self.predicates.binary_search(n) {
                    Ok(i) => &mut best_predicate[i],
                    Err(_) => continue,
                }
            } else {
                continue;
            };
            let rank = match l.language() {
                Some("en") => 0,
                None => 1,
                Some(_) => 2,
            };
            let candidate = (rank, l.value().to_owned());
            if slot.as_ref().is_none_or(|b| candidate < *b) {
                *slot = Some(candidate);
            }
        }
        self.labels = best.into_iter().map(|b| b.map(|(_, l)| l)).collect();
        self.predicate_labels = best_predicate
            .into_iter()
            .map(|b| b.map(|(_, l)| l))
            .collect();
        Ok(())
    }

    /// A predicate's label, or its prefixed name.
    pub fn predicate_name(&self, id: u32, prefixes: &crate::prefixes::PrefixTable) -> String {
        if let Some(Some(l)) = self.predicate_labels.get(id as usize) {
            return l.clone();
        }
        let p = &self.predicates[id as usize];
        prefixes
            .shorten(p.as_str())
            .unwrap_or_else(|| format!("<{}>", p.as_str()))
    }
}

/// One thread's share of the projection: terms numbered as first seen, and edges as numbers.
#[derive(Default)]
struct Chunk {
    seen: HashMap<NamedOrBlankNode, u32>,
    terms: Vec<NamedOrBlankNode>,
    edges: Vec<(u32, u32, u32)>,
}

impl Chunk {
    fn intern(&mut self, t: NamedOrBlankNode) -> u32 {
        if let Some(id) = self.seen.get(&t) {
            return *id;
        }
        let id = self.terms.len() as u32;
        self.terms.push(t.clone());
        self.seen.insert(t, id);
        id
    }
}

/// A predicate's short name for display: its prefixed name or IRI.
pub(crate) fn short(term: &NamedOrBlankNode, prefixes: &crate::prefixes::PrefixTable) -> String {
    match term {
        NamedOrBlankNode::NamedNode(n) => prefixes
            .shorten(n.as_str())
            .unwrap_or_else(|| format!("<{}>", n.as_str())),
        NamedOrBlankNode::BlankNode(b) => format!("_:{}", b.as_str()),
    }
}

fn accepts(predicate: &NamedNode, options: &ProjectionOptions) -> bool {
    if !options.allow.is_empty() {
        return options.allow.contains(predicate);
    }
    if options.deny.contains(predicate) {
        return false;
    }
    if options.all_predicates {
        return true;
    }
    let p = predicate.as_str();
    !(p.starts_with(RDF)
        || p.starts_with(RDFS)
        || p.starts_with(OWL)
        || p.starts_with(OA)
        || DEFAULT_DENY.contains(&p))
}

trait SortKey {
    fn as_str_key(&self) -> (u8, &str);
}

impl SortKey for NamedOrBlankNode {
    fn as_str_key(&self) -> (u8, &str) {
        match self {
            NamedOrBlankNode::NamedNode(n) => (0, n.as_str()),
            NamedOrBlankNode::BlankNode(b) => (1, b.as_str()),
        }
    }
}
