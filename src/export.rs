//! Export: the store (or one graph) in any RDF format, and the pretty, byte-stable Turtle writer.
//!
//! Oxigraph's Turtle writer streams what it is fed; the Turtle here is what a person writes by hand:
//! only the prefixes used, subjects sorted and grouped with `;` and `,`, `a` first, and blank nodes
//! that are referenced once written inline as `[ … ]`. Term escaping is Oxigraph's, never ours.

use crate::error::{Error, Result};
use crate::prefixes::PrefixTable;
use indexmap::IndexSet;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{
    GraphName, GraphNameRef, Literal, LiteralRef, NamedNode, NamedNodeRef, NamedOrBlankNode,
    NamedOrBlankNodeRef, Quad, Term, TermRef, Triple, TripleRef,
};
use rustc_hash::FxBuildHasher;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Write;

/// Which part of the store to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphSelection {
    /// Every graph. Triple formats and JSON-LD merge them; TriG and N-Quads keep their names.
    All,
    /// Every graph but the entailments of `kg infer` (`--no-inference`).
    Asserted,
    Default,
    Named(NamedNode),
}

/// Exports the selection in `format`; returns the number of triples or quads written.
///
/// N-Triples and N-Quads stream in the store's own order (stable for a given store); Turtle is
/// sorted and grouped; the other formats are sorted before Oxigraph's serializers write them.
pub fn export(
    store: &crate::store::KgStore,
    format: RdfFormat,
    selection: &GraphSelection,
    out: &mut dyn Write,
) -> Result<u64> {
    let prefixes = store.prefixes();
    let graph = match selection {
        GraphSelection::All | GraphSelection::Asserted => None,
        GraphSelection::Default => Some(GraphNameRef::DefaultGraph),
        GraphSelection::Named(n) => {
            if !store.raw().contains_named_graph(n)? {
                return Err(Error::NotFound {
                    kind: "graph",
                    name: n.to_string(),
                    candidates: Vec::new(),
                });
            }
            Some(GraphNameRef::NamedNode(n.as_ref()))
        }
    };
    // Merging graphs can repeat a triple; only then is a set needed.
    let several = graph.is_none() && !store.named_graphs()?.is_empty();
    let inferred = NamedNode::new_unchecked(crate::store::INFERRED_GRAPH);
    let asserted_only = *selection == GraphSelection::Asserted;
    if several && matches!(format, RdfFormat::NTriples | RdfFormat::Turtle) {
        let mut graphs = vec![GraphName::DefaultGraph];
        for g in store.named_graphs()? {
            if !(asserted_only && matches!(&g, NamedOrBlankNode::NamedNode(n) if *n == inferred)) {
                graphs.push(g.into());
            }
        }
        // Every graph is read at once, a thread each, merged by subject as they come (Turtle of
        // LUBM-10 inferred: 6.9 s at 103 MiB, against 12.5 s at 170 MiB with a table of every
        // triple; LUBM-100 inferred: 98 s at 238 MiB against 155 s at 1057 MiB). The in-memory
        // store has no index order, so its N-Triples look each subject up in the other graphs.
        let on_disk = store.dir().is_some();
        if format == RdfFormat::Turtle && graphs.len() <= MERGE_THREADS {
            if let Some(n) = merged_turtle(store.raw(), &graphs, prefixes, out, SPILL_BYTES)? {
                return Ok(n);
            }
        } else if format == RdfFormat::NTriples && on_disk && graphs.len() <= MERGE_THREADS {
            return merged_ntriples(store.raw(), &graphs, out);
        } else if format == RdfFormat::NTriples && graphs.len() <= MERGE_BY_LOOKUP {
            return write_ntriples(merged_by_subject(store.raw(), graphs), out);
        }
    }
    let quads = store
        .raw()
        .quads_for_pattern(None, None, None, graph)
        .filter(move |q| {
            !asserted_only
                || !matches!(q, Ok(Quad { graph_name: oxigraph::model::GraphName::NamedNode(g), .. }) if *g == inferred)
        })
        .map(|q| q.map_err(Error::from));
    write_quads(quads, format, several, true, prefixes, out)
}

/// Writes quads in `format`: the one writer behind the store's export and a remote's.
/// `several`: the quads may come from several graphs (a triple format then merges them as a
/// set); `grouped`: each subject's triples come together, as from the store's index, so one
/// graph's Turtle can stream.
pub fn write_quads(
    quads: impl Iterator<Item = Result<Quad>>,
    format: RdfFormat,
    several: bool,
    grouped: bool,
    prefixes: &PrefixTable,
    out: &mut dyn Write,
) -> Result<u64> {
    let io = |e: std::io::Error| Error::io("<output>", e);
    // JSON-LD could carry graph names, but the tools that read it (and Protégé) expect one graph.
    let keep_graphs = format.supports_datasets() && !matches!(format, RdfFormat::JsonLd { .. });
    let merge = !keep_graphs && several;
    if format == RdfFormat::NTriples {
        let mut seen = HashSet::new();
        let triples = quads
            .map(|q| q.map(Triple::from))
            .filter(|t| !merge || t.as_ref().map_or(true, |t| seen.insert(t.clone())));
        return write_ntriples(triples, out);
    }
    if format == RdfFormat::NQuads {
        let mut writer = RdfSerializer::from_format(format).for_writer(out);
        let mut n = 0;
        for q in quads {
            writer.serialize_quad(&q?).map_err(io)?;
            n += 1;
        }
        writer.finish().map_err(io)?;
        return Ok(n);
    }
    if format == RdfFormat::Turtle {
        // One graph comes grouped by subject from the store's index and streams in bounded memory;
        // merged graphs repeat subjects, and equal triples from different graphs must become one.
        if !merge && grouped {
            return stream_turtle(
                quads.map(|q| Ok(Triple::from(q?))),
                prefixes,
                out,
                SPILL_BYTES,
            );
        }
        let table = TermTable::build(quads.map(|q| Ok(Triple::from(q?))))?;
        return write_table(table, prefixes, out, SPILL_BYTES);
    }
    // The other formats are written sorted: the quads go into one table of distinct terms, a
    // quad as four numbers, and are sorted by the terms' ranks (LUBM-10 inferred as TriG held
    // 1.6 GiB as `Quad`s each with four strings to sort by).
    let mut table = QuadTable::default();
    for q in quads {
        let q = q?;
        let graph = match q.graph_name {
            _ if !keep_graphs => None,
            GraphName::NamedNode(n) => Some(n.into()),
            GraphName::BlankNode(b) => Some(b.into()),
            GraphName::DefaultGraph => None,
        };
        table.push(q.subject.into(), q.predicate.into(), q.object, graph)?;
    }
    // A triple table drops graph names, so copies from several graphs become one.
    if keep_graphs {
        return table.write_quads(format, prefixes, out);
    }
    table.write_triples(format, prefixes, out)
}

/// Quads as ids into one table of distinct terms (each term held once), for the formats that are
/// written sorted through Oxigraph's serializers.
#[derive(Default)]
struct QuadTable {
    terms: IndexSet<Term, FxBuildHasher>,
    /// Subject, predicate, object, graph (`NO_GRAPH`: the default graph).
    rows: Vec<[u32; 4]>,
}

const NO_GRAPH: u32 = u32::MAX;

impl QuadTable {
    fn intern(&mut self, t: Term) -> Result<u32> {
        // Below 2^31: ranks are doubled (see `ranks`).
        u32::try_from(self.terms.insert_full(t).0)
            .ok()
            .filter(|&i| i < 1 << 31)
            .ok_or_else(|| Error::BadInput("too many distinct terms to export sorted".into()))
    }

    fn push(&mut self, s: Term, p: Term, o: Term, g: Option<Term>) -> Result<()> {
        let row = [
            self.intern(s)?,
            self.intern(p)?,
            self.intern(o)?,
            match g {
                Some(g) => self.intern(g)?,
                None => NO_GRAPH,
            },
        ];
        self.rows.push(row);
        Ok(())
    }

    /// Each term's place among all of them in the order of their N-Triples form, the order the
    /// sorted formats have always used; the default graph's name sorts as `DEFAULT`.
    fn ranks(&self) -> (Vec<u32>, u32) {
        let mut order: Vec<u32> = (0..self.terms.len() as u32).collect();
        order.sort_by_cached_key(|&i| self.terms[i as usize].to_string());
        let mut rank = vec![0u32; order.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i as usize] = r as u32;
        }
        let default = order
            .partition_point(|&i| self.terms[i as usize].to_string().as_str() < "DEFAULT")
            as u32;
        // Ranks are doubled so the default graph's fits between two terms' without colliding.
        (rank.into_iter().map(|r| r * 2 + 1).collect(), default * 2)
    }

    fn subject(&self, id: u32) -> NamedOrBlankNodeRef<'_> {
        match &self.terms[id as usize] {
            Term::BlankNode(b) => b.as_ref().into(),
            Term::NamedNode(n) => n.as_ref().into(),
            _ => unreachable!("only subjects are stored as subjects"),
        }
    }

    fn predicate(&self, id: u32) -> NamedNodeRef<'_> {
        match &self.terms[id as usize] {
            Term::NamedNode(n) => n.as_ref(),
            _ => unreachable!("only predicates are stored as predicates"),
        }
    }

    /// The triple of a row's first three ids.
    fn triple(&self, ids: &[u32]) -> TripleRef<'_> {
        TripleRef::new(
            self.subject(ids[0]),
            self.predicate(ids[1]),
            self.terms[ids[2] as usize].as_ref(),
        )
    }

    fn write_quads(
        mut self,
        format: RdfFormat,
        prefixes: &PrefixTable,
        out: &mut dyn Write,
    ) -> Result<u64> {
        let io = |e: std::io::Error| Error::io("<output>", e);
        let (rank, default) = self.ranks();
        let r = |id: u32| {
            if id == NO_GRAPH {
                default
            } else {
                rank[id as usize]
            }
        };
        self.rows
            .sort_unstable_by_key(|q| [r(q[3]), r(q[0]), r(q[1]), r(q[2])]);
        self.rows.dedup();
        drop(rank);
        let used = used_namespaces(self.rows.iter().map(|q| self.triple(q)));
        let mut writer = serializer(format, prefixes, used)?.for_writer(out);
        for q in &self.rows {
            let graph = match q[3] {
                NO_GRAPH => GraphNameRef::DefaultGraph,
                g => match self.subject(g) {
                    NamedOrBlankNodeRef::NamedNode(n) => n.into(),
                    NamedOrBlankNodeRef::BlankNode(b) => b.into(),
                },
            };
            writer
                .serialize_quad(self.triple(q).in_graph(graph))
                .map_err(io)?;
        }
        writer.finish().map_err(io)?;
        Ok(self.rows.len() as u64)
    }

    /// Subjects named before blank, `rdf:type` first in each; copies (from several graphs) once.
    fn write_triples(
        mut self,
        format: RdfFormat,
        prefixes: &PrefixTable,
        out: &mut dyn Write,
    ) -> Result<u64> {
        let io = |e: std::io::Error| Error::io("<output>", e);
        let (rank, _) = self.ranks();
        let blank = |id: u32| self.terms[id as usize].is_blank_node();
        let not_type = |id: u32| self.terms[id as usize] != Term::NamedNode(rdf::TYPE.into_owned());
        let mut keys: Vec<([u32; 5], [u32; 3])> = self
            .rows
            .iter()
            .map(|q| {
                let key = [
                    blank(q[0]) as u32,
                    rank[q[0] as usize],
                    not_type(q[1]) as u32,
                    rank[q[1] as usize],
                    rank[q[2] as usize],
                ];
                (key, [q[0], q[1], q[2]])
            })
            .collect();
        self.rows = Vec::new();
        drop(rank);
        keys.sort_unstable();
        keys.dedup_by_key(|k| k.0);
        let used = used_namespaces(keys.iter().map(|(_, t)| self.triple(t)));
        let mut writer = serializer(format, prefixes, used)?.for_writer(out);
        for (_, t) in &keys {
            writer.serialize_triple(self.triple(t)).map_err(io)?;
        }
        writer.finish().map_err(io)?;
        Ok(keys.len() as u64)
    }
}

/// Writes triples as N-Triples in the order they come.
fn write_ntriples(
    triples: impl Iterator<Item = Result<Triple>>,
    out: &mut dyn Write,
) -> Result<u64> {
    let io = |e: std::io::Error| Error::io("<output>", e);
    let mut writer = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(out);
    let mut n = 0;
    for t in triples {
        writer.serialize_triple(&t?).map_err(io)?;
        n += 1;
    }
    writer.finish().map_err(io)?;
    Ok(n)
}

/// N-Triples of the union of `graphs` as a set, subject by subject as the merge gives them.
/// Unlike Turtle, which holds its output until the end, what was written cannot be taken back,
/// so a store found out of the merge's order (which only a different Oxigraph would give: the
/// merge's tests check it) is an error, never a wrong export.
fn merged_ntriples(
    store: &oxigraph::store::Store,
    graphs: &[GraphName],
    out: &mut dyn Write,
) -> Result<u64> {
    let io = |e: std::io::Error| Error::io("<output>", e);
    let mut writer = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(out);
    let mut n = 0;
    let merged =
        crate::store::merged_subject_groups(store, graphs, crate::store::subject_key, |group| {
            for t in &group {
                writer.serialize_triple(t).map_err(io)?;
            }
            n += group.len() as u64;
            Ok(())
        })?;
    if !merged {
        return Err(Error::Evaluation(
            "the store's indexes are not in the order kg's merged export reads them in (was \
             Oxigraph upgraded?); `--format nquads` exports every graph as it is"
                .to_owned(),
        ));
    }
    writer.finish().map_err(io)?;
    Ok(n)
}

/// Up to this many graphs, a merged Turtle or N-Triples export reads them all at once, a thread
/// each; beyond, Turtle holds a table of every triple and N-Triples looks subjects up.
const MERGE_THREADS: usize = 16;

/// Up to this many graphs, a merged N-Triples export looks each subject up in the other graphs
/// (one seek per graph and subject); beyond, it remembers every triple written, in memory.
const MERGE_BY_LOOKUP: usize = 8;

/// The triples of `graphs` merged as a set, each subject's together and once, in bounded memory.
/// Each graph is read in the store's subject order; a subject met in graph k is skipped when an
/// earlier graph holds it (one index seek per earlier graph: it was written then), else its
/// triples in the later graphs are read with it (one seek each) and the copies dropped. Before,
/// the merge remembered every triple written: LUBM-10 with its entailments, 14.4 s at 87 MiB
/// instead of 18.0 s at 1.25 GiB.
fn merged_by_subject(
    store: &oxigraph::store::Store,
    graphs: Vec<GraphName>,
) -> impl Iterator<Item = Result<Triple>> + '_ {
    let mut k = 0;
    let mut scan: Option<oxigraph::store::QuadIter<'static>> = None;
    let mut ahead: Option<Quad> = None;
    let mut ready = std::vec::IntoIter::<Triple>::default();
    std::iter::from_fn(move || loop {
        if let Some(t) = ready.next() {
            return Some(Ok(t));
        }
        if k >= graphs.len() {
            return None;
        }
        let step = (|| -> Result<Option<Vec<Triple>>> {
            // The next subject's quads in graph k, or the next graph.
            let first = match ahead.take() {
                Some(q) => q,
                None => {
                    let it = match &mut scan {
                        Some(it) => it,
                        None => scan.insert(store.quads_for_pattern(
                            None,
                            None,
                            None,
                            Some(graphs[k].as_ref()),
                        )),
                    };
                    match it.next().transpose()? {
                        Some(q) => q,
                        None => {
                            scan = None;
                            k += 1;
                            return Ok((k < graphs.len()).then(Vec::new));
                        }
                    }
                }
            };
            let subject = first.subject.clone();
            let mut group = vec![Triple::from(first)];
            if let Some(it) = &mut scan {
                for q in it.by_ref() {
                    let q = q?;
                    if q.subject != subject {
                        ahead = Some(q);
                        break;
                    }
                    group.push(q.into());
                }
            }
            for earlier in &graphs[..k] {
                let mut held = store.quads_for_pattern(
                    Some(subject.as_ref()),
                    None,
                    None,
                    Some(earlier.as_ref()),
                );
                if held.next().transpose()?.is_some() {
                    return Ok(Some(Vec::new()));
                }
            }
            let before = group.len();
            for later in &graphs[k + 1..] {
                for q in store.quads_for_pattern(
                    Some(subject.as_ref()),
                    None,
                    None,
                    Some(later.as_ref()),
                ) {
                    group.push(q?.into());
                }
            }
            if group.len() > before {
                let mut seen = HashSet::with_capacity(group.len());
                group.retain(|t| seen.insert(t.clone()));
            }
            Ok(Some(group))
        })();
        match step {
            Ok(Some(group)) => ready = group.into_iter(),
            Ok(None) => return None,
            Err(e) => {
                k = graphs.len();
                return Some(Err(e));
            }
        }
    })
}

/// Writes triples in a triple format other than pretty Turtle, sorted, through Oxigraph's serializer.
pub fn write_triples(
    triples: &[Triple],
    format: RdfFormat,
    prefixes: &PrefixTable,
    out: &mut dyn Write,
) -> Result<()> {
    let mut table = QuadTable::default();
    for t in triples {
        table.push(
            t.subject.clone().into(),
            t.predicate.clone().into(),
            t.object.clone(),
            None,
        )?;
    }
    table.write_triples(format, prefixes, out).map(|_| ())
}

fn serializer(
    format: RdfFormat,
    prefixes: &PrefixTable,
    used: BTreeSet<String>,
) -> Result<RdfSerializer> {
    let mut s = RdfSerializer::from_format(format);
    if matches!(
        format,
        RdfFormat::TriG | RdfFormat::RdfXml | RdfFormat::Turtle
    ) {
        for (p, iri) in prefixes.iter() {
            if used.contains(iri) {
                s = s
                    .with_prefix(p, iri)
                    .map_err(|e| Error::BadInput(format!("prefix {p}: {e}")))?;
            }
        }
    }
    Ok(s)
}

/// Namespaces (IRI up to the last `#` or `/`) that the terms use, to declare only needed prefixes.
fn used_namespaces<'a>(triples: impl Iterator<Item = TripleRef<'a>>) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut add = |iri: &str| {
        if let Some(i) = iri.rfind(['#', '/']) {
            used.insert(iri[..=i].to_owned());
        }
    };
    for t in triples {
        if let NamedOrBlankNodeRef::NamedNode(n) = t.subject {
            add(n.as_str());
        }
        add(t.predicate.as_str());
        match t.object {
            TermRef::NamedNode(n) => add(n.as_str()),
            TermRef::Literal(l) => add(l.datatype().as_str()),
            _ => {}
        }
    }
    used
}

/// Writes triples as pretty Turtle. The same triples always give the same bytes.
pub fn write_turtle(triples: &[Triple], prefixes: &PrefixTable, out: &mut dyn Write) -> Result<()> {
    let table = TermTable::build(triples.iter().cloned().map(Ok))?;
    write_table(table, prefixes, out, SPILL_BYTES).map(|_| ())
}

/// Bytes of rendered Turtle held in memory before a sorted run goes to a temporary file.
const SPILL_BYTES: usize = 2 << 20;

/// Pretty Turtle from triples that arrive grouped by subject, as the store's indexes give one
/// graph, in bounded memory: each subject is rendered when its group ends and the groups are put
/// in order on the way out ([`SortedGroups`]). Groups that involve blank nodes are held back and
/// rendered together at the end, since whether a blank node is written inline depends on all its
/// uses. Returns the number of triples written.
///
/// Input where a subject comes back after another one (which a store's index never gives) still
/// becomes valid, deterministic Turtle, the subject's blocks then written one after the other:
/// remembering every subject to prevent that would cost more memory than the sorting itself.
fn stream_turtle(
    triples: impl Iterator<Item = Result<Triple>>,
    prefixes: &PrefixTable,
    out: &mut dyn Write,
    budget: usize,
) -> Result<u64> {
    let n = write_groups(prefixes, out, budget, |render, sink| {
        let mut groups = GroupRenderer::default();
        let mut group: Vec<Triple> = Vec::new();
        let mut triples = triples;
        loop {
            let next = triples.next().transpose()?;
            let group_ends = match (&next, group.first()) {
                (Some(t), Some(first)) => t.subject != first.subject,
                (None, Some(_)) => true,
                _ => false,
            };
            if group_ends {
                groups.add(std::mem::take(&mut group), render, sink)?;
            }
            match next {
                Some(t) => group.push(t),
                None => break,
            }
        }
        groups.finish(render, sink).map(Some)
    })?;
    Ok(n.unwrap_or_default())
}

/// Pretty Turtle of the union of `graphs` as a set, in bounded memory: the graphs are read at
/// once and merged subject by subject ([`crate::store::merged_subject_groups`]), each merged group
/// rendered as it comes. `None`, having written nothing, when the store is not in the order the
/// merge expects.
fn merged_turtle(
    store: &oxigraph::store::Store,
    graphs: &[GraphName],
    prefixes: &PrefixTable,
    out: &mut dyn Write,
    budget: usize,
) -> Result<Option<u64>> {
    write_groups(prefixes, out, budget, |render, sink| {
        let mut groups = GroupRenderer::default();
        let merged = crate::store::merged_subject_groups(
            store,
            graphs,
            crate::store::subject_key,
            |group| groups.add(group, render, sink),
        )?;
        if !merged {
            return Ok(None);
        }
        groups.finish(render, sink).map(Some)
    })
}

/// How often each blank node is the object of a triple.
type BlankRefs = HashMap<oxigraph::model::BlankNode, u32>;

/// Subject groups rendered as they come, in bounded memory when blank nodes are few or shared.
///
/// A blank node that is the object of exactly one triple is written inline, inside that triple's
/// group, so that group must wait until the blank node is known to be used once only. A group
/// thus waits while one of its blank objects has been met once so far; the second use of that
/// blank node settles it (labelled) and renders the groups that waited on it alone. Groups of
/// blank subjects wait for the end, since where they are written depends on all of the uses.
/// What still waits at the end is rendered together, with the counts of the whole output.
#[derive(Default)]
struct GroupRenderer {
    refs: BlankRefs,
    /// Groups not yet rendered; `None` once rendered.
    waiting: Vec<Option<Vec<Triple>>>,
    /// How many of `waiting` are still `Some`: at none, the list is cleared.
    live: usize,
    /// Blank nodes used once so far → the waiting groups that use them.
    waiting_on: HashMap<oxigraph::model::BlankNode, Vec<usize>>,
    /// Triples rendered so far.
    n: u64,
}

impl GroupRenderer {
    fn add(
        &mut self,
        group: Vec<Triple>,
        render: &mut Render,
        sink: &mut SortedGroups,
    ) -> Result<()> {
        if group.is_empty() {
            return Ok(());
        }
        let mut settled = Vec::new();
        let mut unsettled = Vec::new();
        for t in &group {
            if let Term::BlankNode(b) = &t.object {
                let n = self.refs.entry(b.clone()).or_default();
                *n += 1;
                match *n {
                    1 => unsettled.push(b.clone()),
                    2 => settled.push(b.clone()),
                    _ => {}
                }
            }
        }
        // A blank node met twice in this very group is settled, not waited on.
        unsettled.retain(|b| self.refs[b] == 1);
        if group[0].subject.is_blank_node() || !unsettled.is_empty() {
            let i = self.waiting.len();
            self.waiting.push(Some(group));
            self.live += 1;
            for b in unsettled {
                self.waiting_on.entry(b).or_default().push(i);
            }
        } else {
            self.render(group, render, sink)?;
        }
        for b in settled {
            for i in self.waiting_on.remove(&b).unwrap_or_default() {
                // An index may be stale (its group rendered, the list since cleared): check it.
                let ready = self
                    .waiting
                    .get(i)
                    .and_then(Option::as_ref)
                    .is_some_and(|g| {
                        !g[0].subject.is_blank_node()
                            && g.iter().all(|t| match &t.object {
                                Term::BlankNode(o) => self.refs[o] > 1,
                                _ => true,
                            })
                    });
                if ready {
                    let g = self.waiting[i].take().expect("checked above");
                    self.live -= 1;
                    self.render(g, render, sink)?;
                }
            }
        }
        // Counted, not scanned: a scan per group would be quadratic behind one group that waits.
        if self.live == 0 && !self.waiting.is_empty() {
            self.waiting.clear();
        }
        Ok(())
    }

    fn render(
        &mut self,
        group: Vec<Triple>,
        render: &mut Render,
        sink: &mut SortedGroups,
    ) -> Result<()> {
        let table = TermTable::build(group.into_iter().map(Ok))?;
        self.n += render_table(table, Some(&self.refs), render, sink)?;
        Ok(())
    }

    fn finish(self, render: &mut Render, sink: &mut SortedGroups) -> Result<u64> {
        let rest = self.waiting.into_iter().flatten().flatten();
        let table = TermTable::build(rest.map(Ok))?;
        Ok(self.n + render_table(table, Some(&self.refs), render, sink)?)
    }
}

/// Pretty Turtle from a table holding all the triples, in any order; returns the distinct triples.
fn write_table(
    table: TermTable,
    prefixes: &PrefixTable,
    out: &mut dyn Write,
    budget: usize,
) -> Result<u64> {
    let n = write_groups(prefixes, out, budget, |render, sink| {
        render_table(table, None, render, sink).map(Some)
    })?;
    Ok(n.unwrap_or_default())
}

/// Runs `fill`, which renders groups into the sink, then writes the header of the prefixes the
/// rendering used and the groups in order. Returns what `fill` returns (the triples written);
/// when that is `None`, writes nothing.
fn write_groups(
    prefixes: &PrefixTable,
    out: &mut dyn Write,
    budget: usize,
    fill: impl FnOnce(&mut Render, &mut SortedGroups) -> Result<Option<u64>>,
) -> Result<Option<u64>> {
    let mut render = Render::new(prefixes);
    let mut sink = SortedGroups::new(budget);
    let n = fill(&mut render, &mut sink)?;
    if n.is_some() {
        sink.finish(&render.header(), out)?;
    }
    Ok(n)
}

/// Renders a table's groups into the sink. `refs`: how often each blank node is an object in all
/// of the output, when the table holds only part of it (else the table's own counts decide).
fn render_table(
    table: TermTable,
    refs: Option<&BlankRefs>,
    render: &mut Render,
    sink: &mut SortedGroups,
) -> Result<u64> {
    let TermTable { terms, triples } = table;
    let mut writer = TurtleWriter::new(&terms, triples, refs);
    writer.render(render, sink)?;
    Ok(writer.triples.len() as u64)
}

/// Rendered subject groups, written out in key order. They are held in memory up to a budget;
/// beyond it each batch is sorted and spilled to an anonymous temporary file, and the sorted runs
/// are merged at the end, so exporting a store of any size takes bounded memory.
struct SortedGroups {
    budget: usize,
    /// Exact-size strings: a rendered group's `String` can hold twice its length.
    held: Vec<(Box<str>, Box<str>)>,
    bytes: usize,
    runs: Vec<std::fs::File>,
}

impl SortedGroups {
    fn new(budget: usize) -> Self {
        Self {
            budget,
            held: Vec::new(),
            bytes: 0,
            runs: Vec::new(),
        }
    }

    /// Adds a group. Equal keys keep their order: stable sorts, and runs merged in their order.
    fn push(&mut self, key: String, text: String) -> Result<()> {
        self.bytes += key.len() + text.len() + 2 * std::mem::size_of::<Box<str>>();
        self.held
            .push((key.into_boxed_str(), text.into_boxed_str()));
        if self.bytes >= self.budget {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> Result<()> {
        use std::io::{Seek, SeekFrom};
        self.held.sort_by(|a, b| a.0.cmp(&b.0));
        let file = tempfile::tempfile().map_err(temp_error)?;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
        for (key, text) in self.held.drain(..) {
            for field in [&key, &text] {
                w.write_all(&(field.len() as u64).to_le_bytes())
                    .and_then(|()| w.write_all(field.as_bytes()))
                    .map_err(temp_error)?;
            }
        }
        let mut file = w.into_inner().map_err(|e| temp_error(e.into_error()))?;
        file.seek(SeekFrom::Start(0)).map_err(temp_error)?;
        self.runs.push(file);
        self.bytes = 0;
        Ok(())
    }

    /// Writes the header, then the groups in key order separated by blank lines.
    fn finish(mut self, header: &str, out: &mut dyn Write) -> Result<()> {
        let io = |e: std::io::Error| Error::io("<output>", e);
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        out.write_all(header.as_bytes()).map_err(io)?;
        let mut first = header.is_empty();
        let mut labels = HashMap::new();
        let mut emit = |text: &str| {
            if !std::mem::take(&mut first) {
                out.write_all(b"\n")?;
            }
            write_labelled(text, &mut labels, &mut out)
        };
        if self.runs.is_empty() {
            self.held.sort_by(|a, b| a.0.cmp(&b.0));
            for (_, text) in &self.held {
                emit(text).map_err(io)?;
            }
        } else {
            if !self.held.is_empty() {
                self.spill()?;
            }
            let mut runs: Vec<_> = self
                .runs
                .into_iter()
                // Small buffers: one per run, and there is a run per 1.5 MB of output (660 runs
                // for LUBM-100: 16 KiB buffers took 10 MiB).
                .map(|f| std::io::BufReader::with_capacity(1 << 12, f))
                .collect();
            let mut texts = vec![String::new(); runs.len()];
            let mut heap = std::collections::BinaryHeap::new();
            for (i, run) in runs.iter_mut().enumerate() {
                if let Some((key, text)) = read_group(run)? {
                    texts[i] = text;
                    heap.push(std::cmp::Reverse((key, i)));
                }
            }
            while let Some(std::cmp::Reverse((_, i))) = heap.pop() {
                emit(&texts[i]).map_err(io)?;
                if let Some((key, text)) = read_group(&mut runs[i])? {
                    texts[i] = text;
                    heap.push(std::cmp::Reverse((key, i)));
                }
            }
        }
        out.flush().map_err(io)
    }
}

/// The next (key, text) of a spilled run, or `None` at its end.
fn read_group(run: &mut impl std::io::Read) -> Result<Option<(String, String)>> {
    let mut field = |at_start: bool| -> Result<Option<String>> {
        let mut len = [0u8; 8];
        match run.read_exact(&mut len) {
            Err(e) if at_start && e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            r => r.map_err(temp_error)?,
        }
        let mut bytes = vec![0; u64::from_le_bytes(len) as usize];
        run.read_exact(&mut bytes).map_err(temp_error)?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|e| temp_error(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
    };
    let Some(key) = field(true)? else {
        return Ok(None);
    };
    let text = field(false)?.ok_or_else(|| temp_error(std::io::ErrorKind::UnexpectedEof.into()))?;
    Ok(Some((key, text)))
}

fn temp_error(e: std::io::Error) -> Error {
    Error::io(std::env::temp_dir().join("<export run>"), e)
}

/// How IRIs and literals are written, and which prefixes that has used: the header lists only those.
struct Render<'p> {
    prefixes: &'p PrefixTable,
    used: BTreeSet<&'p str>,
}

impl<'p> Render<'p> {
    fn new(prefixes: &'p PrefixTable) -> Self {
        Self {
            prefixes,
            used: BTreeSet::new(),
        }
    }

    fn header(&self) -> String {
        let mut header = String::new();
        for p in &self.used {
            let iri = self.prefixes.get(p).unwrap_or_default();
            header.push_str(&format!("@prefix {p}: <{iri}> .\n"));
        }
        header
    }

    fn iri(&mut self, iri: &str, out: &mut String) {
        match self.prefixes.split(iri) {
            Some((p, local)) => {
                self.used.insert(p);
                out.push_str(p);
                out.push(':');
                out.push_str(local);
            }
            None => {
                // Valid IRIs need no escaping inside <>; Oxigraph validated them on the way in.
                out.push('<');
                out.push_str(iri);
                out.push('>');
            }
        }
    }

    fn literal(&mut self, l: &Literal, out: &mut String) {
        use std::fmt::Write as _;
        let value = l.value();
        if let Some(lang) = l.language() {
            let _ = write!(out, "{}@{lang}", LiteralRef::new_simple_literal(value));
            return;
        }
        if is_bare(l) {
            out.push_str(value);
            return;
        }
        let _ = write!(out, "{}", LiteralRef::new_simple_literal(value));
        let dt = l.datatype();
        if dt != xsd::STRING {
            out.push_str("^^");
            self.iri(dt.as_str(), out);
        }
    }

    /// An IRI or literal (blank nodes need the writer's state: see `TurtleWriter::object`).
    fn term(&mut self, term: &Term, out: &mut String) {
        match term {
            Term::NamedNode(n) => self.iri(n.as_str(), out),
            Term::Literal(l) => self.literal(l, out),
            other => out.push_str(&other.to_string()),
        }
    }
}

/// Triples as ids into one table of distinct terms, so each IRI and literal is held once however often
/// it occurs: a whole store fits in a fraction of the memory its `Triple`s would take.
struct TermTable {
    /// Distinct terms; a term's id is its index.
    terms: IndexSet<Term, FxBuildHasher>,
    triples: Vec<[u32; 3]>,
}

impl TermTable {
    fn build(triples: impl Iterator<Item = Result<Triple>>) -> Result<Self> {
        let mut terms = IndexSet::default();
        let mut intern = |t: Term| -> Result<u32> {
            u32::try_from(terms.insert_full(t).0)
                .map_err(|_| Error::BadInput("too many distinct terms for Turtle export".into()))
        };
        let mut out = Vec::new();
        for t in triples {
            let t = t?;
            out.push([
                intern(t.subject.into())?,
                intern(t.predicate.into())?,
                intern(t.object)?,
            ]);
        }
        Ok(Self {
            terms,
            triples: out,
        })
    }
}

/// The order of terms everywhere in the output: IRIs, then blank nodes, then literals (by value,
/// datatype, language). Subjects thus come named before blank, each kind in string order.
fn term_cmp(a: &Term, b: &Term) -> std::cmp::Ordering {
    fn rank(t: &Term) -> u8 {
        match t {
            Term::NamedNode(_) => 0,
            Term::BlankNode(_) => 1,
            Term::Literal(_) => 2,
            #[allow(unreachable_patterns)]
            // RDF 1.2 triple terms, when Oxigraph is built with them.
            _ => 3,
        }
    }
    match (a, b) {
        (Term::NamedNode(x), Term::NamedNode(y)) => x.as_str().cmp(y.as_str()),
        (Term::BlankNode(x), Term::BlankNode(y)) => x.as_str().cmp(y.as_str()),
        (Term::Literal(x), Term::Literal(y)) => (x.value(), x.datatype().as_str(), x.language())
            .cmp(&(y.value(), y.datatype().as_str(), y.language())),
        _ => rank(a)
            .cmp(&rank(b))
            .then_with(|| a.to_string().cmp(&b.to_string())),
    }
}

/// Pretty Turtle over triples sorted once by subject, then `rdf:type` first, then predicate, then
/// object. The terms are ranked once and the triples sorted by rank, so sorting compares integers.
/// Written group by group, so the output is never held whole.
struct TurtleWriter<'a> {
    terms: &'a IndexSet<Term, FxBuildHasher>,
    /// Sorted, duplicate-free triples.
    triples: Vec<[u32; 3]>,
    /// Ranges of `triples` holding one subject each.
    groups: Vec<(usize, usize)>,
    /// Blank node → its group, when it is a subject.
    blank_groups: HashMap<u32, usize>,
    /// Blank nodes written inline: referenced exactly once as an object, and not part of a cycle.
    inline: HashSet<u32>,
    /// Blank nodes used as objects.
    referenced: HashSet<u32>,
}

impl<'a> TurtleWriter<'a> {
    fn new(
        terms: &'a IndexSet<Term, FxBuildHasher>,
        mut triples: Vec<[u32; 3]>,
        global: Option<&BlankRefs>,
    ) -> Self {
        let mut by_order: Vec<u32> = (0..terms.len() as u32).collect();
        by_order.sort_unstable_by(|&a, &b| term_cmp(&terms[a as usize], &terms[b as usize]));
        let mut rank = vec![0u32; terms.len()];
        for (r, &id) in by_order.iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        drop(by_order);
        let type_id = terms
            .iter()
            .position(|t| matches!(t, Term::NamedNode(n) if n.as_ref() == rdf::TYPE));
        let key = |t: &[u32; 3]| {
            let not_type = Some(t[1] as usize) != type_id;
            (
                rank[t[0] as usize],
                not_type,
                rank[t[1] as usize],
                rank[t[2] as usize],
            )
        };
        triples.sort_unstable_by_key(key);
        triples.dedup();
        let mut groups = Vec::new();
        let mut blank_groups = HashMap::new();
        let mut start = 0;
        for i in 1..=triples.len() {
            if i == triples.len() || triples[i][0] != triples[start][0] {
                let subject = triples[start][0];
                if matches!(terms[subject as usize], Term::BlankNode(_)) {
                    blank_groups.insert(subject, groups.len());
                }
                groups.push((start, i));
                start = i;
            }
        }
        let mut refs: HashMap<u32, u32> = HashMap::new();
        for t in &triples {
            if matches!(terms[t[2] as usize], Term::BlankNode(_)) {
                *refs.entry(t[2]).or_default() += 1;
            }
        }
        if let Some(global) = global {
            refs.clear();
            for (id, term) in terms.iter().enumerate() {
                if let Term::BlankNode(b) = term {
                    if let Some(&n) = global.get(b) {
                        refs.insert(id as u32, n);
                    }
                }
            }
        }
        let mut w = Self {
            terms,
            triples,
            groups,
            blank_groups,
            inline: refs
                .iter()
                .filter(|(_, n)| **n == 1)
                .map(|(b, _)| *b)
                .collect(),
            referenced: refs.keys().copied().collect(),
        };
        // A blank node reachable from itself through inlined nodes would be written forever: keep it labelled.
        let mut candidates: Vec<u32> = w.inline.iter().copied().collect();
        candidates.sort_unstable_by_key(|&b| rank[b as usize]);
        for b in candidates {
            if w.reaches_itself(b) {
                w.inline.remove(&b);
            }
        }
        w
    }

    fn reaches_itself(&self, target: u32) -> bool {
        let mut stack = vec![target];
        let mut seen = HashSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            let Some(&g) = self.blank_groups.get(&id) else {
                continue;
            };
            let (a, b) = self.groups[g];
            for t in &self.triples[a..b] {
                let o = t[2];
                if matches!(self.terms[o as usize], Term::BlankNode(_)) {
                    if o == target {
                        return true;
                    }
                    if self.inline.contains(&o) {
                        stack.push(o);
                    }
                }
            }
        }
        false
    }

    /// Renders every group that is not written inline into `sink`, keyed so that the key order is
    /// the subject order of [`term_cmp`]: IRIs, then blank nodes, each by their string.
    fn render(&mut self, r: &mut Render, sink: &mut SortedGroups) -> Result<()> {
        let terms = self.terms;
        for g in 0..self.groups.len() {
            let subject = self.triples[self.groups[g].0][0];
            let mut text = String::new();
            let key = match &terms[subject as usize] {
                Term::BlankNode(_) if self.inline.contains(&subject) => continue,
                Term::BlankNode(b) => {
                    if self.referenced.contains(&subject) {
                        let label = self.blank_label(subject);
                        text.push_str(&label);
                    } else {
                        text.push_str("[]");
                    }
                    format!("1{}", b.as_str())
                }
                Term::NamedNode(n) => {
                    r.iri(n.as_str(), &mut text);
                    format!("0{}", n.as_str())
                }
                other => {
                    text.push_str(&other.to_string());
                    format!("2{other}")
                }
            };
            self.predicates(g, 1, r, &mut text);
            text.push_str(" .\n");
            sink.push(key, text)?;
        }
        Ok(())
    }

    /// Writes the predicate-object list of a group.
    fn predicates(&mut self, group: usize, depth: usize, r: &mut Render, out: &mut String) {
        let (a, b) = self.groups[group];
        let indent = "    ".repeat(depth);
        out.push_str(if depth == 1 { " " } else { "\n" });
        if depth > 1 {
            out.push_str(&indent);
        }
        let mut i = a;
        let mut first = true;
        while i < b {
            let predicate = self.triples[i][1];
            let mut j = i;
            while j < b && self.triples[j][1] == predicate {
                j += 1;
            }
            if !first {
                out.push_str(" ;\n");
                out.push_str(&indent);
            }
            first = false;
            let before = out.len();
            match &self.terms[predicate as usize] {
                Term::NamedNode(p) if p.as_ref() == rdf::TYPE => out.push('a'),
                Term::NamedNode(p) => r.iri(p.as_str(), out),
                other => out.push_str(&other.to_string()),
            }
            let pred_len = out.len() - before;
            out.push(' ');
            if j - i == 1 {
                self.object(self.triples[i][2], depth, r, out);
            } else {
                let mut rendered: Vec<String> = (i..j)
                    .map(|k| {
                        let mut s = String::new();
                        self.object(self.triples[k][2], depth, r, &mut s);
                        s
                    })
                    .collect();
                // Inline blank nodes show content, not ids: sort by what is written so ids never matter.
                if (i..j)
                    .any(|k| matches!(self.terms[self.triples[k][2] as usize], Term::BlankNode(_)))
                {
                    rendered.sort();
                }
                // Short object lists stay on one line; long ones and inline nodes get a line each.
                let width: usize =
                    rendered.iter().map(|r| shown_len(r) + 2).sum::<usize>() + pred_len;
                let one_line =
                    width + indent.len() <= 100 && rendered.iter().all(|r| !r.contains('\n'));
                let separator = if one_line {
                    ", ".to_owned()
                } else {
                    format!(",\n{indent}    ")
                };
                out.push_str(&rendered.join(&separator));
            }
            i = j;
        }
    }

    fn object(&mut self, id: u32, depth: usize, r: &mut Render, out: &mut String) {
        let terms = self.terms;
        match &terms[id as usize] {
            Term::BlankNode(_) if self.inline.contains(&id) => match self.blank_groups.get(&id) {
                Some(&g) => {
                    out.push('[');
                    self.predicates(g, depth + 1, r, out);
                    out.push('\n');
                    out.push_str(&"    ".repeat(depth));
                    out.push(']');
                }
                None => out.push_str("[]"),
            },
            Term::BlankNode(_) => {
                let label = self.blank_label(id);
                out.push_str(&label);
            }
            term => r.term(term, out),
        }
    }

    /// A labelled blank node, as a mark that [`SortedGroups::finish`] replaces by `_:bN`, numbered
    /// in output order: groups are rendered in any order, so the numbers are known only then.
    fn blank_label(&mut self, id: u32) -> String {
        match &self.terms[id as usize] {
            Term::BlankNode(b) => format!("{LABEL_MARK}{}{LABEL_MARK}", b.as_str()),
            other => other.to_string(),
        }
    }
}

/// Brackets a blank node's id in rendered text until its label is known. Control characters
/// never appear otherwise: Oxigraph escapes them in literals and IRIs cannot hold them.
const LABEL_MARK: char = '\u{1}';

/// The width `text` will have once written, taking each marked label as `_:bN` (5 wide: the
/// number is not known yet, and line breaking must not depend on the blank nodes' ids).
fn shown_len(text: &str) -> usize {
    let mut marks = text.split(LABEL_MARK);
    let mut n = marks.next().map_or(0, str::len);
    while let (Some(_id), Some(rest)) = (marks.next(), marks.next()) {
        n += 5 + rest.len();
    }
    n
}

/// Replaces each marked label by `_:bN`, numbering blank nodes in the order they are first met.
fn write_labelled(
    text: &str,
    labels: &mut HashMap<String, usize>,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let mut parts = text.split(LABEL_MARK);
    out.write_all(parts.next().unwrap_or_default().as_bytes())?;
    while let (Some(id), Some(rest)) = (parts.next(), parts.next()) {
        let next = labels.len();
        let n = *labels.entry(id.to_owned()).or_insert(next);
        write!(out, "_:b{n}")?;
        out.write_all(rest.as_bytes())?;
    }
    Ok(())
}

/// Whether a literal is written in Turtle's short form (`5`, `1.5`, `1e3`, `true`).
fn is_bare(l: &Literal) -> bool {
    let (value, dt) = (l.value(), l.datatype());
    (dt == xsd::INTEGER && is_integer(value))
        || (dt == xsd::DECIMAL && is_decimal(value))
        || (dt == xsd::DOUBLE && is_double(value))
        || (dt == xsd::BOOLEAN && (value == "true" || value == "false"))
}

fn is_integer(v: &str) -> bool {
    let d = v.strip_prefix(['+', '-']).unwrap_or(v);
    !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
}

fn is_decimal(v: &str) -> bool {
    let d = v.strip_prefix(['+', '-']).unwrap_or(v);
    match d.split_once('.') {
        Some((i, f)) => {
            i.bytes().all(|b| b.is_ascii_digit())
                && !f.is_empty()
                && f.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

fn is_double(v: &str) -> bool {
    let Some((mantissa, exp)) = v.split_once(['e', 'E']) else {
        return false;
    };
    let m = mantissa.strip_prefix(['+', '-']).unwrap_or(mantissa);
    let m_ok = !m.is_empty()
        && m != "."
        && m.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && m.matches('.').count() <= 1;
    m_ok && is_integer(exp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::BlankNode;

    fn iri(s: &str) -> NamedNode {
        NamedNode::new(format!("http://example.org/{s}")).unwrap()
    }

    /// Subjects in a scrambled order, each group contiguous, with inline, shared and cyclic blank nodes.
    fn grouped_triples() -> Vec<Triple> {
        let mut out = Vec::new();
        let blank = |s: &str| BlankNode::new(s).unwrap();
        for i in (0..300).map(|i| (i * 37) % 300) {
            let s = iri(&format!("s{i}"));
            out.push(Triple::new(s.clone(), rdf::TYPE, iri("Thing")));
            out.push(Triple::new(s.clone(), iri("n"), Literal::from(i)));
            out.push(Triple::new(
                s.clone(),
                iri("next"),
                iri(&format!("s{}", (i + 1) % 300)),
            ));
            if i % 50 == 0 {
                out.push(Triple::new(
                    s.clone(),
                    iri("inline"),
                    blank(&format!("in{i}")),
                ));
                out.push(Triple::new(s, iri("shared"), blank("shared")));
            }
        }
        for i in (0..300).step_by(50) {
            let b = blank(&format!("in{i}"));
            out.push(Triple::new(
                b.clone(),
                iri("label"),
                Literal::new_simple_literal(format!("node {i}")),
            ));
        }
        out.push(Triple::new(
            blank("shared"),
            iri("label"),
            Literal::new_simple_literal("shared"),
        ));
        out.push(Triple::new(blank("c1"), iri("next"), blank("c2")));
        out.push(Triple::new(blank("c2"), iri("next"), blank("c1")));
        out
    }

    fn prefixes() -> PrefixTable {
        let mut p = PrefixTable::standard();
        assert!(p.insert("ex", "http://example.org/"));
        p
    }

    fn stream(triples: &[Triple], budget: usize) -> (u64, String) {
        let mut out = Vec::new();
        let n = stream_turtle(
            triples.iter().cloned().map(Ok),
            &prefixes(),
            &mut out,
            budget,
        )
        .unwrap();
        (n, String::from_utf8(out).unwrap())
    }

    /// The Turtle of `triples` from one table of them all: what every streamed path must equal.
    fn table_turtle(triples: &[Triple]) -> String {
        let mut out = Vec::new();
        let table = TermTable::build(triples.iter().cloned().map(Ok)).unwrap();
        write_table(table, &prefixes(), &mut out, SPILL_BYTES).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn streamed_and_spilled_turtle_equals_the_table_writer() {
        let triples = grouped_triples();
        let expected = table_turtle(&triples);
        let text = expected;
        assert!(
            text.starts_with("@prefix ex: <http://example.org/> .\n\nex:s0 a ex:Thing ;"),
            "{text}"
        );
        assert!(text.contains("ex:inline [\n"), "{text}");
        assert!(text.contains("_:b0"), "{text}");
        // One byte of budget spills every group to its own run: the merge must restore the order.
        for budget in [1, 200, SPILL_BYTES] {
            let (n, out) = stream(&triples, budget);
            assert_eq!(n, triples.len() as u64, "budget {budget}");
            assert_eq!(out, text, "budget {budget}");
        }
    }

    #[test]
    fn graphs_merged_as_they_are_read_give_the_turtle_of_their_union() {
        let triples = grouped_triples();
        let dir = tempfile::tempdir().unwrap();
        let store = oxigraph::store::Store::open(dir.path()).unwrap();
        let graphs: Vec<GraphName> = vec![
            GraphName::DefaultGraph,
            iri("g1").into(),
            oxigraph::model::BlankNode::new("g2").unwrap().into(),
        ];
        // Every triple in one graph or two (so subjects and triples are shared across graphs),
        // a few in all three.
        for (i, t) in triples.iter().enumerate() {
            for (g, graph) in graphs.iter().enumerate() {
                if i % 3 == g || i % 5 == g || i % 17 == 0 {
                    store.insert(&t.clone().in_graph(graph.clone())).unwrap();
                }
            }
        }
        let expected = table_turtle(&triples);
        for budget in [1, SPILL_BYTES] {
            let mut out = Vec::new();
            let n = merged_turtle(&store, &graphs, &prefixes(), &mut out, budget)
                .unwrap()
                .expect("the store is not in the order subject_key computes");
            assert_eq!(n, triples.len() as u64);
            assert_eq!(String::from_utf8(out).unwrap(), expected);
        }
        let mut nt = Vec::new();
        let n = merged_ntriples(&store, &graphs, &mut nt).unwrap();
        assert_eq!(n, triples.len() as u64);
        let parsed: Vec<Triple> = oxigraph::io::RdfParser::from_format(RdfFormat::NTriples)
            .for_slice(&nt)
            .map(|q| Triple::from(q.unwrap()))
            .collect();
        assert_eq!(parsed.len(), triples.len(), "a triple written twice");
        assert_eq!(
            parsed.into_iter().collect::<HashSet<_>>(),
            triples.into_iter().collect::<HashSet<_>>()
        );
    }

    #[test]
    fn stores_on_disk_and_in_memory_export_the_same_union() {
        let triples = grouped_triples();
        let dir = tempfile::tempdir().unwrap();
        // The in-memory store keeps no index order: its merge finds that out and Turtle falls
        // back to the table, N-Triples to looking subjects up.
        for store in [
            crate::store::KgStore::open(dir.path()).unwrap(),
            crate::store::KgStore::in_memory().unwrap(),
        ] {
            let graphs = [GraphName::DefaultGraph, iri("g1").into(), iri("g2").into()];
            for (i, t) in triples.iter().enumerate() {
                for (g, graph) in graphs.iter().enumerate() {
                    if i % 3 == g || i % 17 == 0 {
                        store
                            .raw()
                            .insert(&t.clone().in_graph(graph.clone()))
                            .unwrap();
                    }
                }
            }
            let mut expected = Vec::new();
            let table = TermTable::build(triples.iter().cloned().map(Ok)).unwrap();
            write_table(table, store.prefixes(), &mut expected, SPILL_BYTES).unwrap();
            let mut out = Vec::new();
            let n = export(&store, RdfFormat::Turtle, &GraphSelection::All, &mut out).unwrap();
            assert_eq!(n, triples.len() as u64);
            assert_eq!(out, expected, "on disk: {}", store.dir().is_some());
            let mut nt = Vec::new();
            let n = export(&store, RdfFormat::NTriples, &GraphSelection::All, &mut nt).unwrap();
            assert_eq!(n, triples.len() as u64);
            let parsed: HashSet<Triple> = oxigraph::io::RdfParser::from_format(RdfFormat::NTriples)
                .for_slice(&nt)
                .map(|q| Triple::from(q.unwrap()))
                .collect();
            assert_eq!(parsed, triples.iter().cloned().collect::<HashSet<_>>());
        }
    }

    #[test]
    fn a_subject_that_comes_back_gets_a_second_adjacent_block_of_valid_turtle() {
        let mut triples = grouped_triples();
        // s1 has no blank nodes, so both of its groups stream (s0's would wait for the end).
        triples.push(Triple::new(iri("s1"), iri("late"), Literal::from(1)));
        for budget in [1, SPILL_BYTES] {
            let (n, out) = stream(&triples, budget);
            assert_eq!(n, triples.len() as u64);
            let first = out.find("\nex:s1 a ex:Thing ;").expect(&out);
            let second = out.find("\nex:s1 ex:late 1 .\n").expect(&out);
            let between = &out[first + 1..second];
            assert_eq!(
                between.matches("\nex:").count(),
                0,
                "blocks not adjacent: {between}"
            );
            let parsed: HashSet<Triple> = oxigraph::io::RdfParser::from_format(RdfFormat::Turtle)
                .for_slice(out.as_bytes())
                .map(|q| Triple::from(q.unwrap()))
                .collect();
            // Blank nodes get new labels when read back: compare the rest exactly, then the count.
            let ground = |t: &&Triple| !t.subject.is_blank_node() && !t.object.is_blank_node();
            let expected: HashSet<&Triple> = triples.iter().filter(ground).collect();
            assert_eq!(
                parsed.iter().filter(ground).collect::<HashSet<_>>(),
                expected
            );
            assert_eq!(parsed.len(), triples.len());
        }
    }
}
