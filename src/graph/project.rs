//! The projection: the store's entity graph as a petgraph graph.

use crate::error::{Error, Result};
use crate::store::KgStore;
use oxigraph::model::{BlankNode, NamedNode, NamedOrBlankNode, Term};
use petgraph::graph::{DiGraph, NodeIndex};
use rustc_hash::FxHashMap;

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
    /// Leave out the entailments of `kg infer`.
    pub no_inference: bool,
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
        let inferred = crate::store::INFERRED_GRAPH;
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
        // edges are read. Listing and counting them works on encoded terms, which is cheap; the
        // counts let the two threads take the biggest predicates first and finish together.
        let mut candidates: Vec<(NamedNode, u64)> = store
            .select("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")?
            .iter()
            .filter_map(|s| match (s.get("p"), s.get("n")) {
                (Some(Term::NamedNode(p)), Some(Term::Literal(n))) => {
                    Some((p.clone(), n.value().parse().unwrap_or(0)))
                }
                _ => None,
            })
            .filter(|(p, _)| accepts(p, options))
            .collect();
        candidates.sort();
        let mut work: Vec<usize> = (0..candidates.len()).collect();
        work.sort_by_key(|&i| std::cmp::Reverse(candidates[i].1));
        let next = std::sync::atomic::AtomicUsize::new(0);
        let candidates: Vec<NamedNode> = candidates.into_iter().map(|(p, _)| p).collect();
        let predicates = candidates;
        // Read through SPARQL, grouped by object: each subject is decoded once per edge, as a string
        // in the group's list, but each object once per distinct object, and literal objects are
        // dropped per group. A group with a blank subject has no list (STR fails on blank nodes);
        // such predicates are read again row by row.
        let bodies: Vec<String> = predicates
            .iter()
            .map(|p| {
                let pattern = format!("?s {p} ?o");
                match (graphs.as_slice(), options.all_predicates, options.no_inference) {
                    ([None], true, false) => {
                        format!("{{ {{ {pattern} }} UNION {{ GRAPH ?g {{ {pattern} }} }} }}")
                    }
                    ([None], true, true) => format!(
                        "{{ {{ {pattern} }} UNION {{ GRAPH ?g {{ {pattern} }} FILTER(?g != <{inferred}>) }} }}"
                    ),
                    ([None], false, no_inference) => format!(
                        "{{ {{ {pattern} }} UNION {{ GRAPH ?g {{ {pattern} }} FILTER(?g != <{ontology}>{}) }} }}",
                        if no_inference { format!(" && ?g != <{inferred}>") } else { String::new() }
                    ),
                    (named, _, _) => named
                        .iter()
                        .flatten()
                        .map(|g| format!("{{ GRAPH {g} {{ {pattern} }} }}"))
                        .collect::<Vec<_>>()
                        .join(" UNION "),
                }
            })
            .collect();
        let scan = || -> Result<Chunk> {
            let mut chunk = Chunk::default();
            let mut edges = Vec::new();
            while let Some(&pid) = work.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
            {
                let body = &bodies[pid];
                // Many predicates hold only literals (names, e-mail addresses): they cost one scan.
                let has_edges = format!("ASK {{ {body} FILTER(!isLiteral(?o)) }}");
                if !store.ask(&has_edges)? {
                    continue;
                }
                let grouped = format!(
                    "SELECT ?o (GROUP_CONCAT(STR(?s); SEPARATOR=\" \") AS ?ss) WHERE {{ {body} }} \
                     GROUP BY ?o HAVING(!isLiteral(?o))"
                );
                edges.clear();
                let mut complete = true;
                for row in store.solutions(&grouped, false, None)? {
                    let row = row?;
                    let Some(o) = row.get("o").and_then(|o| chunk.intern_term(o)) else {
                        continue;
                    };
                    let Some(Term::Literal(subjects)) = row.get("ss") else {
                        complete = false;
                        break;
                    };
                    // IRIs cannot contain spaces, so the separator is unambiguous.
                    for s in subjects.value().split(' ') {
                        edges.push((chunk.intern(false, s), pid as u32, o));
                    }
                }
                if !complete {
                    edges.clear();
                    let rows = format!("SELECT ?s ?o WHERE {{ {body} FILTER(!isLiteral(?o)) }}");
                    for row in store.solutions(&rows, false, None)? {
                        let row = row?;
                        let (Some(s), Some(o)) = (row.get("s"), row.get("o")) else {
                            continue;
                        };
                        if let (Some(s), Some(o)) = (chunk.intern_term(s), chunk.intern_term(o)) {
                            edges.push((s, pid as u32, o));
                        }
                    }
                }
                chunk.edges.append(&mut edges);
            }
            Ok(chunk)
        };
        let (first, second) = std::thread::scope(|scope| {
            let other = scope.spawn(scan);
            let first = scan();
            (first, other.join())
        });
        let mut chunk = first?;
        let second =
            second.map_err(|_| Error::Evaluation("projection worker failed".to_owned()))??;
        // Merge the second thread's numbering into the first's.
        let (second_terms, second_edges) = second.into_parts();
        let remap: Vec<u32> = second_terms
            .into_iter()
            .map(|t| chunk.intern_node(t))
            .collect();
        chunk.edges.extend(
            second_edges
                .into_iter()
                .map(|(s, p, o)| (remap[s as usize], p, remap[o as usize])),
        );
        let (terms, edges) = chunk.into_parts();
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
/// Looked up by string, so a term seen before costs no allocation; each string is allocated once.
#[derive(Default)]
struct Chunk {
    iris: FxHashMap<Box<str>, u32>,
    blanks: FxHashMap<Box<str>, u32>,
    next: u32,
    edges: Vec<(u32, u32, u32)>,
}

impl Chunk {
    /// The number of an IRI or blank node; `None` for a literal.
    fn intern_term(&mut self, t: &Term) -> Option<u32> {
        match t {
            Term::NamedNode(n) => Some(self.intern(false, n.as_str())),
            Term::BlankNode(b) => Some(self.intern(true, b.as_str())),
            _ => None,
        }
    }

    fn intern_node(&mut self, t: NamedOrBlankNode) -> u32 {
        match t {
            NamedOrBlankNode::NamedNode(n) => self.intern(false, n.as_str()),
            NamedOrBlankNode::BlankNode(b) => self.intern(true, b.as_str()),
        }
    }

    fn intern(&mut self, blank: bool, id: &str) -> u32 {
        let map = if blank {
            &mut self.blanks
        } else {
            &mut self.iris
        };
        if let Some(n) = map.get(id) {
            return *n;
        }
        let n = self.next;
        self.next += 1;
        map.insert(id.into(), n);
        n
    }

    /// The terms, indexed by number, and the edges; the strings move into the terms.
    fn into_parts(self) -> (Vec<NamedOrBlankNode>, Vec<(u32, u32, u32)>) {
        let mut terms: Vec<Option<NamedOrBlankNode>> = vec![None; self.next as usize];
        for (iri, n) in self.iris {
            terms[n as usize] = Some(NamedNode::new_unchecked(String::from(iri)).into());
        }
        for (id, n) in self.blanks {
            terms[n as usize] = Some(BlankNode::new_unchecked(String::from(id)).into());
        }
        let terms = terms.into_iter().flatten().collect();
        (terms, self.edges)
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
