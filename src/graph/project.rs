//! The projection: the store's entity graph as a petgraph graph.

use super::csr::Csr;
use super::words::Words;
use crate::error::{Error, Result};
use crate::store::KgStore;
use oxigraph::model::{
    BlankNode, BlankNodeRef, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Term,
};
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
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

impl ProjectionOptions {
    /// The options as one line of text, the same for options that project the same graph (lists
    /// sorted and deduplicated): the key of the saved projection.
    pub fn canonical(&self) -> String {
        let list = |v: &[NamedNode]| {
            let mut v: Vec<&str> = v.iter().map(NamedNode::as_str).collect();
            v.sort_unstable();
            v.dedup();
            v.join(" ")
        };
        format!(
            "graphs={};allow={};deny={};all_predicates={};no_inference={}",
            list(&self.graphs),
            list(&self.allow),
            list(&self.deny),
            self.all_predicates,
            self.no_inference
        )
    }
}

/// The store's resources as nodes and the triples between them as edges labelled with their predicate.
/// Node indices follow the sorted order of the terms, so every run numbers them the same way.
/// The graph holds numbers only; the terms and labels are in flat string tables, so a saved
/// projection opens without allocating a string per node, or anything at all per edge.
pub struct Projection {
    pub graph: Csr,
    /// Node terms, indexed by node: IRIs first, then blank nodes, each sorted.
    pub(crate) terms: StrTable,
    /// Index of the first blank node in `terms`.
    pub(crate) first_blank: usize,
    /// Predicate IRIs, indexed by edge weight.
    pub predicates: Vec<NamedNode>,
    /// Display label (English preferred) of the nodes that have one: sorted node numbers, and
    /// the labels in the same order.
    pub(crate) label_nodes: Words<u32>,
    pub(crate) labels: StrTable,
    /// Display label per predicate (English preferred), for output.
    pub predicate_labels: Vec<Option<String>>,
}

/// Strings end to end in one buffer, with the end offset of each: one allocation for all of them,
/// or none when the table is read in place from a saved projection.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct StrTable {
    pub(crate) text: Words<u8>,
    pub(crate) ends: Words<u64>,
}

impl StrTable {
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The `i`-th string; empty when out of range or not UTF-8 (a saved table is checked for
    /// order when opened, and its text here, string by string, as it is used).
    pub(crate) fn get(&self, i: usize) -> &str {
        let end = self.ends.get(i).copied().unwrap_or(0) as usize;
        let start = if i == 0 {
            0
        } else {
            self.ends.get(i - 1).copied().unwrap_or(0) as usize
        };
        self.text
            .get(start..end)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

impl<'a> FromIterator<&'a str> for StrTable {
    fn from_iter<I: IntoIterator<Item = &'a str>>(iter: I) -> Self {
        let mut text = Vec::new();
        let mut ends = Vec::new();
        for s in iter {
            text.extend_from_slice(s.as_bytes());
            ends.push(text.len() as u64);
        }
        Self {
            text: text.into(),
            ends: ends.into(),
        }
    }
}

impl Projection {
    /// Reads the projection from the store (seconds on a large store). `cancel` stops it at
    /// Oxigraph's next check, with an error.
    pub fn build(
        store: &KgStore,
        options: &ProjectionOptions,
        cancel: Option<&oxigraph::sparql::CancellationToken>,
    ) -> Result<Self> {
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
                if cancel.is_some_and(|c| c.is_cancelled()) {
                    return Err(Error::Cancelled);
                }
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
                for row in store.solutions(&grouped, false, cancel)? {
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
                    for row in store.solutions(&rows, false, cancel)? {
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
            .map(|t| chunk.intern_node(t.as_ref()))
            .collect();
        chunk.edges.extend(
            second_edges
                .into_iter()
                .map(|(s, p, o)| (remap[s as usize], p, remap[o as usize])),
        );
        let mut projection = Self::assemble(chunk, predicates)?;
        let label = oxigraph::model::NamedNodeRef::new_unchecked(LABEL);
        let labels = store
            .raw()
            .quads_for_pattern(None, Some(label), None, None)
            .map(|q| q.map(|q| (q.subject, q.object)).map_err(Error::from));
        projection.load_labels(labels)?;
        Ok(projection)
    }

    /// A projection of edges found elsewhere (a remote endpoint's neighbourhoods), numbered and
    /// labelled exactly as one read from the store, so the same algorithms and output apply.
    pub fn from_edges(
        edges: impl IntoIterator<Item = (NamedOrBlankNode, NamedNode, NamedOrBlankNode)>,
        labels: impl IntoIterator<Item = (NamedOrBlankNode, Term)>,
    ) -> Result<Self> {
        let mut chunk = Chunk::default();
        let mut predicate_ids: std::collections::BTreeMap<NamedNode, u32> = Default::default();
        let raw: Vec<_> = edges.into_iter().collect();
        for (_, p, _) in &raw {
            predicate_ids.entry(p.clone()).or_insert(0);
        }
        for (i, v) in predicate_ids.values_mut().enumerate() {
            *v = i as u32;
        }
        for (s, p, o) in raw {
            let s = chunk.intern_node(s.as_ref());
            let o = chunk.intern_node(o.as_ref());
            chunk.edges.push((s, predicate_ids[&p], o));
        }
        let predicates = predicate_ids.into_keys().collect();
        let mut projection = Self::assemble(chunk, predicates)?;
        projection.load_labels(labels.into_iter().map(Ok))?;
        Ok(projection)
    }

    /// Numbers the nodes in term order and builds the graph; `predicates` are sorted.
    fn assemble(chunk: Chunk, predicates: Vec<NamedNode>) -> Result<Self> {
        let (terms, edges) = chunk.into_parts();
        // Renumber nodes in term order, so output never depends on store order.
        let order = term_order(&terms);
        let mut node_remap = vec![0u32; terms.len()];
        for (new, old) in order.iter().enumerate() {
            node_remap[*old as usize] = new as u32;
        }
        let first_blank = order.partition_point(|old| terms[*old as usize].as_str_key().0 == 0);
        let table: StrTable = order
            .iter()
            .map(|old| terms[*old as usize].as_str_key().1)
            .collect();
        let nodes = order.len();
        drop(order);
        drop(terms);
        let mut numbered: Vec<(u32, u32, u32)> = edges
            .into_iter()
            .map(|(s, p, o)| (node_remap[s as usize], p, node_remap[o as usize]))
            .collect();
        drop(node_remap);
        numbered.sort_unstable();
        numbered.dedup();
        Ok(Self {
            graph: Csr::from_sorted(nodes, numbered)?,
            terms: table,
            first_blank,
            predicates,
            label_nodes: Words::default(),
            labels: StrTable::default(),
            predicate_labels: Vec::new(),
        })
    }

    /// This projection (of the default options) with what a write that removed nothing added:
    /// `delta` was fed the write's quads and the entailments it led to. Numbered and labelled as
    /// a build of the store after the write would be, so the saved file is the same bytes; the
    /// work is a merge of sorted lists plus a label lookup per new or newly labelled node.
    pub(crate) fn patched(&self, delta: Collector, store: &KgStore) -> Result<Self> {
        let Collector {
            chunk,
            predicates: met,
            labels: new_labels,
            ..
        } = delta;
        let mut delta_predicates: Vec<(NamedNode, u32)> = met
            .into_iter()
            .filter_map(|(p, id)| Some((p, id?)))
            .collect();
        delta_predicates.sort_unstable();
        let mut predicates = self.predicates.clone();
        predicates.extend(delta_predicates.iter().map(|(p, _)| p.clone()));
        predicates.sort_unstable();
        predicates.dedup();
        let predicate_of = |p: &NamedNode| predicates.binary_search(p).unwrap_or(0) as u32;
        let old_predicate: Vec<u32> = self.predicates.iter().map(predicate_of).collect();
        let mut delta_predicate = vec![0u32; delta_predicates.len()];
        for (p, id) in &delta_predicates {
            delta_predicate[*id as usize] = predicate_of(p);
        }

        // Nodes: the old ones and the new ones, each in term order, merged.
        let (delta_terms, delta_edges) = chunk.into_parts();
        let order = term_order(&delta_terms);
        let old_key = |i: usize| (u8::from(i >= self.first_blank), self.terms.get(i));
        let old_count = self.terms.len();
        let mut old_node = vec![0u32; old_count];
        let mut delta_node = vec![0u32; delta_terms.len()];
        let mut added_nodes = Vec::new();
        let mut text = Vec::with_capacity(self.terms.text.len());
        let mut ends = Vec::with_capacity(old_count + order.len());
        let mut first_blank = None;
        let (mut i, mut j) = (0, 0);
        while i < old_count || j < order.len() {
            let next = ends.len() as u32;
            let from_old = j == order.len()
                || (i < old_count && old_key(i) <= delta_terms[order[j] as usize].as_str_key());
            let key = if from_old {
                let key = old_key(i);
                if j < order.len() && delta_terms[order[j] as usize].as_str_key() == key {
                    delta_node[order[j] as usize] = next;
                    j += 1;
                }
                old_node[i] = next;
                i += 1;
                key
            } else {
                let key = delta_terms[order[j] as usize].as_str_key();
                delta_node[order[j] as usize] = next;
                added_nodes.push(next);
                j += 1;
                key
            };
            if key.0 == 1 && first_blank.is_none() {
                first_blank = Some(ends.len());
            }
            text.extend_from_slice(key.1.as_bytes());
            ends.push(text.len() as u64);
        }
        let nodes = ends.len();
        let first_blank = first_blank.unwrap_or(nodes);
        let terms = StrTable {
            text: text.into(),
            ends: ends.into(),
        };
        drop(order);
        drop(delta_terms);

        // Edges: renumbering keeps the old ones in order (both maps keep order), so a merge.
        let mut fresh: Vec<(u32, u32, u32)> = delta_edges
            .into_iter()
            .map(|(s, p, o)| {
                (
                    delta_node[s as usize],
                    delta_predicate[p as usize],
                    delta_node[o as usize],
                )
            })
            .collect();
        fresh.sort_unstable();
        fresh.dedup();
        let mut edges = Vec::with_capacity(self.graph.edge_count() + fresh.len());
        let mut fresh = fresh.into_iter().peekable();
        for e in self.graph.edges() {
            let old = (
                old_node[e.source().index()],
                old_predicate[*e.weight() as usize],
                old_node[e.target().index()],
            );
            while let Some(f) = fresh.next_if(|f| *f < old) {
                edges.push(f);
            }
            fresh.next_if_eq(&old);
            edges.push(old);
        }
        edges.extend(fresh);
        let mut patched = Self {
            graph: Csr::from_sorted(nodes, edges)?,
            terms,
            first_blank,
            predicates,
            label_nodes: Words::default(),
            labels: StrTable::default(),
            predicate_labels: Vec::new(),
        };

        // Labels: unchanged but for new nodes and subjects of new labels, which are looked up.
        let mut relabel: Vec<u32> = added_nodes;
        let mut relabel_predicates = Vec::new();
        for (subject, _) in &new_labels {
            if let Some(n) = patched.node(subject) {
                relabel.push(n.index() as u32);
            } else if let NamedOrBlankNode::NamedNode(p) = subject {
                relabel_predicates.push(p.clone());
            }
        }
        relabel.sort_unstable();
        relabel.dedup();
        relabel_predicates.sort_unstable();
        relabel_predicates.dedup();
        let mut labelled: Vec<(u32, String)> = Vec::with_capacity(self.label_nodes.len());
        for (k, n) in self.label_nodes.iter().enumerate() {
            let n = old_node[*n as usize];
            if relabel.binary_search(&n).is_err() {
                labelled.push((n, self.labels.get(k).to_owned()));
            }
        }
        for &n in &relabel {
            let term = patched.term(NodeIndex::new(n as usize));
            if let Some(l) = label_in_store(store, term)? {
                labelled.push((n, l));
            }
        }
        labelled.sort_unstable();
        patched.set_labels(&labelled);
        // A predicate that is also a node takes its label as a node, as in `load_labels`.
        let mut predicate_labels = Vec::with_capacity(patched.predicates.len());
        for p in &patched.predicates {
            let as_node = NamedOrBlankNode::NamedNode(p.clone());
            let label = if patched.node(&as_node).is_some() {
                None
            } else if let (Ok(old), Err(_)) = (
                self.predicates.binary_search(p),
                relabel_predicates.binary_search(p),
            ) {
                self.predicate_labels.get(old).cloned().flatten()
            } else {
                label_in_store(store, p.as_ref().into())?
            };
            predicate_labels.push(label);
        }
        patched.predicate_labels = predicate_labels;
        Ok(patched)
    }

    /// The node of a term: nodes are numbered in term order, so a binary search finds it.
    pub fn node(&self, term: &NamedOrBlankNode) -> Option<NodeIndex> {
        let (range, key) = match term {
            NamedOrBlankNode::NamedNode(n) => (0..self.first_blank, n.as_str()),
            NamedOrBlankNode::BlankNode(b) => (self.first_blank..self.terms.len(), b.as_str()),
        };
        let (mut lo, mut hi) = (range.start, range.end);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.terms.get(mid).cmp(key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(NodeIndex::new(mid)),
            }
        }
        None
    }

    /// The term of a node.
    pub fn term(&self, node: NodeIndex) -> NamedOrBlankNodeRef<'_> {
        let text = self.terms.get(node.index());
        if node.index() < self.first_blank {
            NamedNodeRef::new_unchecked(text).into()
        } else {
            BlankNodeRef::new_unchecked(text).into()
        }
    }

    /// A node's label, if it has one.
    pub fn label(&self, node: NodeIndex) -> Option<&str> {
        let n = u32::try_from(node.index()).ok()?;
        self.label_nodes
            .binary_search(&n)
            .ok()
            .map(|i| self.labels.get(i))
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// A node's label, or its IRI shortened with the prefixes.
    pub fn name(&self, node: NodeIndex, prefixes: &crate::prefixes::PrefixTable) -> String {
        if let Some(l) = self.label(node) {
            return l.to_owned();
        }
        short(self.term(node), prefixes)
    }

    fn load_labels(
        &mut self,
        labels: impl Iterator<Item = Result<(NamedOrBlankNode, Term)>>,
    ) -> Result<()> {
        let mut best: Vec<Option<(u8, String)>> = vec![None; self.node_count()];
        let mut best_predicate: Vec<Option<(u8, String)>> = vec![None; self.predicates.len()];
        for label in labels {
            let (subject, object) = label?;
            let Term::Literal(l) = &object else {
                continue;
            };
            let slot = if let Some(i) = self.node(&subject) {
                &mut best[i.index()]
            } else if let NamedOrBlankNode::NamedNode(n) = &subject {
                match self.predicates.binary_search(n) {
                    Ok(i) => &mut best_predicate[i],
                    Err(_) => continue,
                }
            } else {
                continue;
            };
            consider(slot, l);
        }
        let labelled: Vec<(u32, String)> = best
            .into_iter()
            .enumerate()
            .filter_map(|(i, b)| b.map(|(_, l)| (i as u32, l)))
            .collect();
        self.set_labels(&labelled);
        self.predicate_labels = best_predicate
            .into_iter()
            .map(|b| b.map(|(_, l)| l))
            .collect();
        Ok(())
    }

    /// The node labels, from (node, label) pairs sorted by node.
    fn set_labels(&mut self, labelled: &[(u32, String)]) {
        self.label_nodes = labelled.iter().map(|(i, _)| *i).collect::<Vec<_>>().into();
        self.labels = labelled.iter().map(|(_, l)| l.as_str()).collect();
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

/// The projection with the default options, gathered from quads as a read of the whole store
/// meets them. `kg infer` reads every quad anyway, and a first projection of a large store is
/// mostly that read (one RocksDB lookup per edge end): collecting here saves the first traversal
/// after it from doing the read again. Gives what `Projection::build` gives for the same quads:
/// edges from the default graph and every named graph but the ontology's, every accepted
/// predicate of any graph in the predicate table, labels from every graph.
#[derive(Default)]
pub struct Collector {
    chunk: Chunk,
    /// Predicates met: the accepted ones numbered as first seen, the others `None`, so
    /// `rdf:type`'s millions of quads are turned away by one lookup each.
    predicates: FxHashMap<NamedNode, Option<u32>>,
    accepted: u32,
    labels: Vec<(NamedOrBlankNode, Term)>,
}

impl Collector {
    /// Nodes and edges collected: what the collector's memory grows with.
    pub fn size(&self) -> usize {
        self.chunk.next as usize + self.chunk.edges.len()
    }

    /// A quad as stored.
    pub fn quad(&mut self, quad: &oxigraph::model::Quad) {
        let edges = !matches!(&quad.graph_name, oxigraph::model::GraphName::NamedNode(g)
            if g.as_str() == crate::seed::ONTOLOGY_GRAPH);
        self.add(&quad.subject, &quad.predicate, &quad.object, edges);
    }

    /// A triple that will be stored in the entailments' graph.
    pub fn inferred(&mut self, t: &oxigraph::model::Triple) {
        self.add(&t.subject, &t.predicate, &t.object, true);
    }

    fn add(&mut self, s: &NamedOrBlankNode, p: &NamedNode, o: &Term, edges: bool) {
        if p.as_str() == LABEL {
            self.labels.push((s.clone(), o.clone()));
        }
        let pid = match self.predicates.get(p) {
            Some(&id) => id,
            None => {
                let id = accepts(p, &ProjectionOptions::default()).then_some(self.accepted);
                self.accepted += u32::from(id.is_some());
                self.predicates.insert(p.clone(), id);
                id
            }
        };
        let Some(pid) = pid else {
            return;
        };
        if !edges || o.is_literal() {
            return;
        }
        let Some(o) = self.chunk.intern_term(o) else {
            return;
        };
        let s = self.chunk.intern_node(s.as_ref());
        self.chunk.edges.push((s, pid, o));
    }

    /// The projection of everything collected.
    pub fn finish(mut self) -> Result<Projection> {
        let mut predicates: Vec<(NamedNode, u32)> = self
            .predicates
            .into_iter()
            .filter_map(|(p, id)| Some((p, id?)))
            .collect();
        predicates.sort_unstable();
        let mut remap = vec![0u32; predicates.len()];
        for (new, (_, old)) in predicates.iter().enumerate() {
            remap[*old as usize] = new as u32;
        }
        for edge in &mut self.chunk.edges {
            edge.1 = remap[edge.1 as usize];
        }
        let predicates = predicates.into_iter().map(|(p, _)| p).collect();
        let mut projection = Projection::assemble(self.chunk, predicates)?;
        projection.load_labels(self.labels.into_iter().map(Ok))?;
        Ok(projection)
    }
}

const LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";

/// Keeps the better of the label in `slot` and `l`: English first, then no language, then any
/// other, and the first in code-point order among equals, so the choice never depends on order.
fn consider(slot: &mut Option<(u8, String)>, l: &oxigraph::model::Literal) {
    let rank = match l.language() {
        Some("en") => 0,
        None => 1,
        Some(_) => 2,
    };
    if slot
        .as_ref()
        .is_none_or(|(r, v)| (rank, l.value()) < (*r, v.as_str()))
    {
        *slot = Some((rank, l.value().to_owned()));
    }
}

/// The label `load_labels` would choose for `subject` among all of the store's.
fn label_in_store(store: &KgStore, subject: NamedOrBlankNodeRef<'_>) -> Result<Option<String>> {
    let mut best = None;
    let label = NamedNodeRef::new_unchecked(LABEL);
    for q in store
        .raw()
        .quads_for_pattern(Some(subject), Some(label), None, None)
    {
        if let Term::Literal(l) = &q?.object {
            consider(&mut best, l);
        }
    }
    Ok(best.map(|(_, v)| v))
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

    fn intern_node(&mut self, t: NamedOrBlankNodeRef<'_>) -> u32 {
        match t {
            NamedOrBlankNodeRef::NamedNode(n) => self.intern(false, n.as_str()),
            NamedOrBlankNodeRef::BlankNode(b) => self.intern(true, b.as_str()),
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
pub(crate) fn short(
    term: NamedOrBlankNodeRef<'_>,
    prefixes: &crate::prefixes::PrefixTable,
) -> String {
    match term {
        NamedOrBlankNodeRef::NamedNode(n) => prefixes
            .shorten(n.as_str())
            .unwrap_or_else(|| format!("<{}>", n.as_str())),
        NamedOrBlankNodeRef::BlankNode(b) => format!("_:{}", b.as_str()),
    }
}

pub(crate) fn accepts(predicate: &NamedNode, options: &ProjectionOptions) -> bool {
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

/// The numbers of `terms` in term order (IRIs, then blank nodes, each by code point).
fn term_order(terms: &[NamedOrBlankNode]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..terms.len() as u32).collect();
    order.sort_unstable_by(|a, b| {
        terms[*a as usize]
            .as_str_key()
            .cmp(&terms[*b as usize].as_str_key())
    });
    order
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
