//! Entailments in the store: `infer` computes them with [`crate::reason`] from the asserted graphs
//! and writes them into one named graph ([`INFERRED_GRAPH`]), replaced in one transaction;
//! `refresh` keeps them current after a write; `why` explains a triple; `status` says whether
//! they reflect the store as it is.
//!
//! The inferred graph never repeats an asserted triple, so the union default graph stays exact on
//! Oxigraph's fast path (see `store/union.rs`).

use crate::error::{Error, Result};
use crate::graph::Collector;
use crate::reason::{Explanation, Inconsistency, Profile, Reasoner};
use crate::store::{InferenceState, KgStore, INFERRED_GRAPH};
use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{GraphName, NamedNode, NamedNodeRef, Quad, Triple, TripleRef};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const OWL: &str = "http://www.w3.org/2002/07/owl#";

/// What `kg infer` is asked to do.
#[derive(Debug, Clone)]
pub struct InferOptions {
    pub profile: Profile,
    /// Graphs whose schema triples count (N-Triples `<iri>` or `default`); empty: every graph that holds any.
    pub ontology: Vec<String>,
}

/// What a materialisation did.
#[derive(Debug)]
pub struct InferReport {
    pub profile: Profile,
    pub ontology_graphs: Vec<String>,
    pub asserted: u64,
    pub inferred: u64,
    /// Entailments written and removed relative to the previous inferred graph.
    pub added: u64,
    pub removed: u64,
    pub inconsistencies: Vec<Inconsistency>,
    pub incremental: bool,
    pub elapsed: Duration,
    /// Of which: reading the store, running the rules, writing the entailments.
    pub phases: [Duration; 3],
    /// After a full run on a store on disk: the projection for traversals saved from what the run
    /// read.
    pub projection: Option<SavedProjection>,
}

/// The projection `kg infer` saved: its node and edge counts, or why it could not be saved, and
/// the time that took.
#[derive(Debug)]
pub struct SavedProjection {
    pub saved: std::result::Result<(usize, usize), String>,
    pub took: Duration,
    /// An earlier saved projection was patched; otherwise this one was made whole.
    pub patched: bool,
}

/// Whether the entailments exist and reflect the store.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// No `kg infer` has run on this store.
    None,
    Current(InferenceState),
    /// The store changed (through kg) after the entailments were computed.
    Stale(InferenceState),
}

/// The state of the entailments, read from the store's recorded state and its graphs.
pub fn status(store: &KgStore) -> Result<Status> {
    let state = store.state();
    Ok(match (state.inference, store.inferred_graph()?) {
        (Some(i), Some(_)) if i.version == state.version => Status::Current(i),
        (Some(i), Some(_)) => Status::Stale(i),
        // A graph without a record (restored, or written by another tool) is stale by definition.
        (None, Some(_)) => Status::Stale(InferenceState {
            profile: "unknown".to_owned(),
            ontology_graphs: Vec::new(),
            chosen_ontology: None,
            asserted: 0,
            inferred: store.graph_len(NamedNode::new_unchecked(INFERRED_GRAPH).as_ref().into())?
                as u64,
            inconsistencies: 0,
            version: 0,
        }),
        (_, None) => Status::None,
    })
}

/// Computes the entailments of the asserted graphs and replaces the inferred graph with them.
pub fn infer(store: &KgStore, options: &InferOptions) -> Result<InferReport> {
    let start = Instant::now();
    let chosen = (!options.ontology.is_empty()).then(|| options.ontology.clone());
    // Only a store on disk keeps a projection between commands.
    let mut collector = store.data_key()?.map(|_| Collector::default());
    let (mut reasoner, asserted, ontology_graphs) = read(
        store,
        options.profile,
        chosen.as_deref(),
        true,
        collector.as_mut(),
    )?;
    let read = start.elapsed();
    reasoner.run();
    let rules = start.elapsed() - read;
    let (added, removed) = reasoner.changes();
    // The collector met the asserted quads; the inferred graph after the write holds exactly
    // the closure's entailments, whatever was added or removed to get there.
    if let Some(c) = collector.as_mut() {
        reasoner.for_each_inferred(|t| c.inferred(&t));
    }
    let (added, removed) = apply(store, added, removed)?;
    let write = start.elapsed() - read - rules;
    let mut report = InferReport {
        profile: options.profile,
        ontology_graphs,
        asserted,
        inferred: reasoner.inferred_len() as u64,
        added,
        removed,
        inconsistencies: reasoner.inconsistencies().to_vec(),
        incremental: false,
        elapsed: start.elapsed(),
        phases: [read, rules, write],
        projection: None,
    };
    record(store, &report, chosen)?;
    if let Some(c) = collector {
        let begun = Instant::now();
        let saved = crate::graph::save_collected(store, c).map_err(|e| e.to_string());
        report.projection = Some(SavedProjection {
            saved,
            took: begun.elapsed(),
            patched: false,
        });
    }
    Ok(report)
}

/// What a write added, for an incremental refresh.
#[derive(Debug, Clone, Copy)]
pub struct Added<'a> {
    pub quads: &'a [Quad],
    /// Every quad is distinct and was not in the store before the write.
    pub all_new: bool,
}

/// After a write through kg: brings existing entailments up to date. A write that only added
/// triples (`added`, with the store state before it current) is handled incrementally: the old
/// closure is taken as settled and only the consequences of the new triples are derived.
/// Anything else recomputes. Returns `None` when the store has no entailments to keep.
/// `patch` is given the entailments an incremental refresh writes.
pub fn refresh(
    store: &KgStore,
    before: &Status,
    added: Option<Added<'_>>,
    patch: Option<&mut crate::graph::Patch>,
) -> Result<Option<InferReport>> {
    let state = match before {
        Status::None => return Ok(None),
        Status::Current(s) | Status::Stale(s) => s.clone(),
    };
    let profile: Profile = state.profile.parse().unwrap_or(Profile::OwlRl);
    let options = InferOptions {
        profile,
        ontology: state.chosen_ontology.clone().unwrap_or_default(),
    };
    let (
        Status::Current(_),
        Some(Added {
            quads: added,
            all_new,
        }),
    ) = (before, added)
    else {
        return infer(store, &options).map(Some);
    };
    let start = Instant::now();
    let chosen = state.chosen_ontology.clone();
    // New schema triples in a graph outside a chosen ontology are data; with the default
    // choice, a new schema triple widens the ontology: recompute so its graph is listed.
    let new_schema = added.iter().any(|q| is_schema(q.as_ref().into()));
    if new_schema && chosen.is_none() {
        return infer(store, &options).map(Some);
    }
    // The old closure stays in the store: the rules read what the new triples touch.
    let mut reasoner = Reasoner::over(
        profile,
        Box::new(StoreSource {
            store: store.raw().clone(),
            inferred: NamedNode::new_unchecked(INFERRED_GRAPH),
            chosen: chosen.clone(),
        }),
    );
    let read = start.elapsed();
    for quad in added {
        if kept(chosen.as_deref(), quad) {
            reasoner.insert_new(TripleRef::from(quad.as_ref()));
        }
    }
    // While the rules run, another core finds what the write asserted that was an entailment
    // (to take out of the inferred graph) and counts the asserted quads: both read the store as
    // the write left it, before any entailment is written.
    let inferred_graph = NamedNode::new_unchecked(INFERRED_GRAPH);
    let before_entailments = std::thread::scope(|scope| {
        let check = scope.spawn(|| -> Result<(Vec<Triple>, u64)> {
            // A set: the write may have added a triple twice (two graphs, or one file twice).
            let mut now_asserted = std::collections::HashSet::new();
            for quad in added {
                let triple = TripleRef::from(quad.as_ref());
                if store.contains(triple.in_graph(inferred_graph.as_ref()))? {
                    now_asserted.insert(triple.into_owned());
                }
            }
            let now_asserted: Vec<Triple> = now_asserted.into_iter().collect();
            // Counting the store reads all of it (seconds on a large one): a write that says
            // which quads are new gives the count at once.
            let asserted = if all_new {
                state.asserted + added.len() as u64
            } else {
                // The inferred graph holds `state.inferred` quads until the entailments are written.
                (store.len()? as u64).saturating_sub(state.inferred)
            };
            Ok((now_asserted, asserted))
        });
        reasoner.run();
        check.join()
    });
    let (now_asserted, asserted) = before_entailments
        .map_err(|_| Error::Evaluation("the store check beside the rules failed".to_owned()))??;
    if let Some(e) = reasoner.source_error() {
        return Err(Error::Evaluation(format!(
            "reading the store for the entailments: {e}"
        )));
    }
    let rules = start.elapsed() - read;
    let entailed = reasoner.changes().0;
    if let Some(patch) = patch {
        entailed.iter().for_each(|t| patch.inferred(t));
    }
    // What was just asserted leaves the inferred graph: it never holds an asserted triple.
    let (added_n, removed) = apply(store, entailed, now_asserted)?;
    let inferred = (state.inferred + added_n).saturating_sub(removed);
    let write = start.elapsed() - read - rules;
    let report = InferReport {
        profile,
        ontology_graphs: state.ontology_graphs.clone(),
        asserted,
        inferred,
        added: added_n,
        removed,
        inconsistencies: reasoner.inconsistencies().to_vec(),
        incremental: true,
        elapsed: start.elapsed(),
        phases: [read, rules, write],
        projection: None,
    };
    record(store, &report, chosen)?;
    Ok(Some(report))
}

/// How `triple` holds in the store under the recorded profile: recomputed with derivations.
pub fn why(store: &KgStore, triple: TripleRef<'_>) -> Result<Option<Explanation>> {
    let state = store.state();
    let profile: Profile = state
        .inference
        .as_ref()
        .and_then(|i| i.profile.parse().ok())
        .unwrap_or(Profile::OwlRl);
    let chosen = state.inference.and_then(|i| i.chosen_ontology);
    let (mut reasoner, _, _) = read(store, profile, chosen.as_deref(), false, None)?;
    if reasoner.is_asserted(triple) {
        return Ok(reasoner.explain(triple));
    }
    reasoner.run();
    Ok(reasoner.explain(triple))
}

fn record(store: &KgStore, report: &InferReport, chosen: Option<Vec<String>>) -> Result<()> {
    store.update_state(|s| {
        // Writing the entailments is a write, but they never overlap asserted triples, so a
        // check of the asserted graphs made for the previous version still holds.
        let overlap = s.overlap.filter(|(v, _)| *v == s.version);
        s.version += 1;
        s.overlap = overlap.map(|(_, o)| (s.version, o));
        s.inference = Some(InferenceState {
            profile: report.profile.name().to_owned(),
            ontology_graphs: report.ontology_graphs.clone(),
            chosen_ontology: chosen,
            asserted: report.asserted,
            inferred: report.inferred,
            inconsistencies: report.inconsistencies.len() as u64,
            version: s.version,
        });
    })
}

/// The name of a graph as `--ontology` takes it.
fn graph_key(graph: &GraphName) -> String {
    match graph {
        GraphName::DefaultGraph => "default".to_owned(),
        other => other.to_string(),
    }
}

/// Whether an asserted quad counts under the chosen ontology; its graph is named only for
/// schema triples (the rest always count), so no string is built per data quad.
fn kept(chosen: Option<&[String]>, quad: &Quad) -> bool {
    let triple = TripleRef::from(quad.as_ref());
    !is_schema(triple) || keeps(chosen, &graph_key(&quad.graph_name), triple)
}

fn keeps(chosen: Option<&[String]>, graph: &str, triple: TripleRef<'_>) -> bool {
    match chosen {
        Some(list) if is_schema(triple) => list.iter().any(|g| g == graph),
        _ => true,
    }
}

/// Reads every asserted quad into a fresh reasoner. Returns the reasoner, the number of quads
/// read and the graphs whose schema triples were used.
/// `previous`: the inferred graph's triples are kept for `Reasoner::changes` (they are decoded
/// anyway, so the write compares ids instead of reading the graph again).
fn read(
    store: &KgStore,
    profile: Profile,
    chosen: Option<&[String]>,
    previous: bool,
    mut collector: Option<&mut Collector>,
) -> Result<(Reasoner, u64, Vec<String>)> {
    let inferred = NamedNode::new_unchecked(INFERRED_GRAPH);
    let mut reasoner = Reasoner::new(profile);
    let mut schema_graphs = BTreeSet::new();
    let mut asserted = 0;
    let raw = store.raw();
    // Decoding quads (a RocksDB lookup per long string) costs more than interning them: every
    // core decodes a share of the predicates while this thread interns. Batches are taken from
    // the decoders in turn, so the reasoner sees the same order, and explains a triple the same
    // way, on every run.
    let parts = partition_predicates(raw)?;
    std::thread::scope(|scope| -> Result<()> {
        let mut decoders = Vec::with_capacity(parts.len());
        for part in parts {
            let (tx, rx) = std::sync::mpsc::sync_channel(8);
            decoders.push(rx);
            scope.spawn(move || decode(raw, &part, &tx));
        }
        while !decoders.is_empty() {
            let mut i = 0;
            while i < decoders.len() {
                let Ok(batch) = decoders[i].recv() else {
                    decoders.remove(i);
                    continue;
                };
                i += 1;
                for quad in batch? {
                    if matches!(&quad.graph_name, GraphName::NamedNode(g) if *g == inferred) {
                        if previous {
                            reasoner.insert_previous(Triple::from(quad));
                        }
                        continue;
                    }
                    if let Some(c) = collector.as_deref_mut() {
                        c.quad(&quad);
                    }
                    asserted += 1;
                    // Only a schema triple's graph matters: name it for those alone.
                    if is_schema(quad.as_ref().into()) {
                        let graph = graph_key(&quad.graph_name);
                        if !keeps(chosen, &graph, quad.as_ref().into()) {
                            continue;
                        }
                        schema_graphs.insert(graph);
                    }
                    reasoner.insert(Triple::from(quad));
                }
            }
        }
        Ok(())
    })?;
    Ok((reasoner, asserted, schema_graphs.into_iter().collect()))
}

/// The store as an incremental run's source: every graph, the entailments as not asserted, and
/// schema triples outside a chosen ontology left out as `read` leaves them.
struct StoreSource {
    store: oxigraph::store::Store,
    inferred: NamedNode,
    chosen: Option<Vec<String>>,
}

impl crate::reason::Source for StoreSource {
    fn matching(
        &mut self,
        subject: Option<&oxigraph::model::Term>,
        predicate: Option<&NamedNode>,
        object: Option<&oxigraph::model::Term>,
        out: &mut Vec<(Triple, bool)>,
    ) -> std::result::Result<(), String> {
        use oxigraph::model::{NamedOrBlankNodeRef, Term};
        let subject = match subject {
            None => None,
            Some(Term::NamedNode(n)) => Some(NamedOrBlankNodeRef::from(n.as_ref())),
            Some(Term::BlankNode(b)) => Some(b.as_ref().into()),
            Some(Term::Literal(_)) => return Ok(()),
        };
        for quad in self.store.quads_for_pattern(
            subject,
            predicate.map(NamedNode::as_ref),
            object.map(Term::as_ref),
            None,
        ) {
            let quad = quad.map_err(|e| e.to_string())?;
            let asserted =
                !matches!(&quad.graph_name, GraphName::NamedNode(g) if *g == self.inferred);
            if asserted && !kept(self.chosen.as_deref(), &quad) {
                continue;
            }
            out.push((Triple::from(quad), asserted));
        }
        Ok(())
    }
}

/// Quads per batch handed from a decoding thread to the reasoner.
const READ_BATCH: usize = 4096;

type Batch = std::result::Result<Vec<Quad>, oxigraph::store::StorageError>;

/// Sends every quad of the given predicates, in every graph, in batches; stops when the reader
/// has gone (it met an error).
fn decode(
    raw: &oxigraph::store::Store,
    predicates: &[NamedNode],
    tx: &std::sync::mpsc::SyncSender<Batch>,
) {
    let mut batch = Vec::with_capacity(READ_BATCH);
    for p in predicates {
        for quad in raw.quads_for_pattern(None, Some(p.as_ref()), None, None) {
            match quad {
                Ok(q) => {
                    batch.push(q);
                    if batch.len() == READ_BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(READ_BATCH));
                        if tx.send(Ok(full)).is_err() {
                            return;
                        }
                    }
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
    }
    let _ = tx.send(Ok(batch));
}

/// The store's predicates in one share per core, of about equal numbers of quads (counted on
/// the encoded indexes, which decodes nothing but the predicates). Deterministic: the same
/// store gives the same shares.
fn partition_predicates(raw: &oxigraph::store::Store) -> Result<Vec<Vec<NamedNode>>> {
    use oxigraph::sparql::{QueryResults, SparqlEvaluator};
    let evaluation =
        |e: &dyn std::fmt::Display| Error::Evaluation(format!("reading the store: {e}"));
    let mut prepared = SparqlEvaluator::new()
        .parse_query("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")
        .map_err(|e| evaluation(&e))?;
    prepared.dataset_mut().set_default_graph_as_union();
    let QueryResults::Solutions(solutions) = prepared
        .on_store(raw)
        .execute()
        .map_err(|e| evaluation(&e))?
    else {
        return Err(evaluation(&"a count of predicates gave no solutions"));
    };
    let mut sizes = Vec::new();
    for solution in solutions {
        let solution = solution.map_err(|e| evaluation(&e))?;
        let (Some(oxigraph::model::Term::NamedNode(p)), Some(oxigraph::model::Term::Literal(n))) =
            (solution.get("p"), solution.get("n"))
        else {
            continue;
        };
        sizes.push((n.value().parse::<u64>().unwrap_or(0), p.clone()));
    }
    // Largest first, each to the lightest share: within one predicate of even.
    sizes.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.as_str().cmp(b.1.as_str())));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut shares: Vec<(u64, Vec<NamedNode>)> =
        vec![(0, Vec::new()); cores.min(sizes.len()).max(1)];
    for (n, p) in sizes {
        let lightest = shares
            .iter_mut()
            .min_by_key(|(total, _)| *total)
            .expect("at least one share");
        lightest.0 += n;
        lightest.1.push(p);
    }
    Ok(shares.into_iter().map(|(_, ps)| ps).collect())
}

/// Writes a change of the inferred graph, atomically: one bulk load when it only adds many
/// triples (atomic too, and far lighter than a transaction holding every change in memory), one
/// transaction otherwise. Only a change that both removes and adds more than `TRANSACTION_LIMIT`
/// triples is two commits, additions first: a reader in between sees the old entailments beside
/// the new for a moment, and should the second fail, the store's record still names the version
/// before, so the entailments show as stale until they are recomputed. The graph exists even when
/// empty, so a store with no entailments still shows as inferred.
fn apply(store: &KgStore, added: Vec<Triple>, removed: Vec<Triple>) -> Result<(u64, u64)> {
    let graph = NamedNode::new_unchecked(INFERRED_GRAPH);
    let counts = (added.len() as u64, removed.len() as u64);
    let bulk = added.len() > TRANSACTION_LIMIT || removed.is_empty() && added.len() >= 1000;
    let remove = |txn: &mut oxigraph::store::Transaction<'_>| {
        for t in &removed {
            txn.remove(t.as_ref().in_graph(graph.as_ref()));
        }
    };
    if !bulk {
        let mut txn = store.transaction()?;
        remove(&mut txn);
        for t in &added {
            txn.insert(t.as_ref().in_graph(graph.as_ref()));
        }
        txn.insert_named_graph(graph.as_ref());
        txn.commit()?;
        return Ok(counts);
    }
    // Oxigraph's loader builds each batch's index files on a thread of its own, and a batch is a
    // million quads unless told: split the entailments so every core builds.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_thread = added.len().div_ceil(threads);
    let mut loader = store
        .bulk_loader()
        .with_num_threads(threads)
        .with_max_memory_size_in_megabytes((per_thread * threads).div_ceil(1000));
    loader.load_quads(added.into_iter().map(|t| t.in_graph(graph.clone())))?;
    loader.commit()?;
    if !removed.is_empty() {
        let mut txn = store.transaction()?;
        remove(&mut txn);
        txn.commit()?;
    }
    Ok(counts)
}

/// The largest addition written in one transaction alongside removals (Oxigraph's transactions
/// cost tens of microseconds per quad; a bulk load of a million takes about two seconds).
const TRANSACTION_LIMIT: usize = 20_000;

/// Whether a triple is part of an ontology rather than data: RDFS/OWL axioms and declarations.
pub fn is_schema(t: TripleRef<'_>) -> bool {
    let p = t.predicate;
    if p == rdfs::SUB_CLASS_OF
        || p == rdfs::SUB_PROPERTY_OF
        || p == rdfs::DOMAIN
        || p == rdfs::RANGE
    {
        return true;
    }
    if let Some(local) = p.as_str().strip_prefix(OWL) {
        return matches!(
            local,
            "equivalentClass"
                | "equivalentProperty"
                | "inverseOf"
                | "intersectionOf"
                | "unionOf"
                | "complementOf"
                | "someValuesFrom"
                | "allValuesFrom"
                | "hasValue"
                | "onProperty"
                | "propertyChainAxiom"
                | "disjointWith"
                | "propertyDisjointWith"
                | "hasKey"
        );
    }
    if p == rdf::TYPE {
        if let oxigraph::model::TermRef::NamedNode(o) = t.object {
            return is_schema_class(o);
        }
    }
    false
}

fn is_schema_class(class: NamedNodeRef<'_>) -> bool {
    class == rdfs::CLASS
        || class.as_str().strip_prefix(OWL).is_some_and(|local| {
            matches!(
                local,
                "Class"
                    | "Restriction"
                    | "ObjectProperty"
                    | "DatatypeProperty"
                    | "TransitiveProperty"
                    | "SymmetricProperty"
                    | "AsymmetricProperty"
                    | "ReflexiveProperty"
                    | "IrreflexiveProperty"
                    | "FunctionalProperty"
                    | "InverseFunctionalProperty"
            )
        })
}

impl From<crate::reason::ProfileError> for Error {
    fn from(e: crate::reason::ProfileError) -> Self {
        Error::BadInput(e.to_string())
    }
}

/// Reads one triple written as in Turtle (`kg:x a schema:Organization`, `<iri> rdfs:label "x"@en`)
/// with the store's prefixes, by Oxigraph's Turtle parser: errors point into the text as typed.
pub fn parse_triple(store: &KgStore, text: &str) -> Result<Triple> {
    let mut document = String::new();
    let mut header_lines: u64 = 0;
    for (prefix, iri) in store.prefixes().iter() {
        document.push_str(&format!("@prefix {prefix}: <{iri}> .\n"));
        header_lines += 1;
    }
    let body = text.trim().trim_end_matches('.');
    document.push_str(body);
    document.push_str(" .\n");
    let mut triples = Vec::new();
    for quad in oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
        .for_slice(document.as_bytes())
    {
        match quad {
            Ok(q) => triples.push(Triple::from(q)),
            Err(e) => {
                let (line, column) = e
                    .location()
                    .map(|l| (l.start.line, l.start.column + 1))
                    .unwrap_or((header_lines, 1));
                let message = e.to_string();
                // Oxigraph's text repeats the position, which is the document's, not the user's.
                let message = message
                    .split_once(": ")
                    .map_or(message.as_str(), |(_, m)| m)
                    .to_owned();
                return Err(Error::Syntax {
                    location: crate::error::Location {
                        source: "<triple>".to_owned(),
                        line: line.saturating_sub(header_lines) + 1,
                        column,
                    },
                    message,
                    snippet: Some(body.to_owned()),
                });
            }
        }
    }
    match triples.len() {
        1 => Ok(triples.remove(0)),
        n => Err(Error::BadInput(format!(
            "expected one triple (subject predicate object), found {n}: {body}"
        ))),
    }
}

/// Where an asserted triple of an explanation was stated: its graph and, for fact sheets, the
/// document and verbatim quote that back its subject's record.
#[derive(Debug, Clone)]
pub struct Source {
    pub graph: oxigraph::model::Term,
    pub document: Option<oxigraph::model::Term>,
    pub quote: Option<String>,
}

/// The sources of every asserted leaf of an explanation.
#[derive(Debug, Default)]
pub struct Sources(std::collections::HashMap<Triple, Vec<Source>>);

impl Sources {
    pub fn of(&self, t: &Triple) -> &[Source] {
        self.0.get(t).map_or(&[], Vec::as_slice)
    }
}

pub fn sources(store: &KgStore, explanation: &Explanation) -> Result<Sources> {
    let mut leaves = Vec::new();
    collect_leaves(explanation, &mut leaves);
    let mut sources = Sources::default();
    for t in leaves {
        if sources.0.contains_key(&t) {
            continue;
        }
        let mut found = Vec::new();
        for quad in store.raw().quads_for_pattern(
            Some(t.subject.as_ref()),
            Some(t.predicate.as_ref()),
            Some(t.object.as_ref()),
            None,
        ) {
            let quad = quad?;
            let graph = match &quad.graph_name {
                GraphName::DefaultGraph => None,
                GraphName::NamedNode(n) => Some(n.clone()),
                GraphName::BlankNode(_) => None,
            };
            let Some(graph) = graph else {
                found.push(Source {
                    graph: NamedNode::new_unchecked("urn:x-kg:default-graph").into(),
                    document: None,
                    quote: None,
                });
                continue;
            };
            let evidence = evidence_of(store, &t, &graph)?;
            if evidence.is_empty() {
                found.push(Source {
                    graph: graph.clone().into(),
                    document: None,
                    quote: None,
                });
            }
            for (document, quote) in evidence {
                found.push(Source {
                    graph: graph.clone().into(),
                    document: Some(document),
                    quote: Some(quote),
                });
            }
        }
        sources.0.insert(t, found);
    }
    Ok(sources)
}

fn collect_leaves(e: &Explanation, out: &mut Vec<Triple>) {
    match e {
        Explanation::Asserted(t) => out.push(t.clone()),
        Explanation::Inferred { premises, .. } => {
            premises.iter().for_each(|p| collect_leaves(p, out))
        }
    }
}

/// The evidence quotes of the record a triple's subject is, in one graph.
fn evidence_of(
    store: &KgStore,
    t: &Triple,
    graph: &NamedNode,
) -> Result<Vec<(oxigraph::model::Term, String)>> {
    use oxigraph::model::Term;
    let subject = match &t.subject {
        oxigraph::model::NamedOrBlankNode::NamedNode(n) => n.to_string(),
        oxigraph::model::NamedOrBlankNode::BlankNode(_) => return Ok(Vec::new()),
    };
    let rows = store.select(&format!(
        "SELECT ?doc ?quote WHERE {{ GRAPH {graph} {{ {subject} <https://w3id.org/kg/ns#evidence> ?ev . ?ev <http://www.w3.org/ns/oa#hasSource> ?doc ; <http://www.w3.org/ns/oa#hasSelector> ?sel . ?sel <http://www.w3.org/ns/oa#exact> ?quote }} }} ORDER BY ?quote"
    ))?;
    Ok(rows
        .into_iter()
        .filter_map(|r| match (r.get("doc"), r.get("quote")) {
            (Some(doc), Some(Term::Literal(q))) => Some((doc.clone(), q.value().to_owned())),
            _ => None,
        })
        .collect())
}
