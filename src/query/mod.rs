//! Running SPARQL: queries and updates against the store, with stored prefixes, a union default graph,
//! cancellation and timeouts. Rendering lives in `render`.
//!
//! The CLI and the REPL both call `execute` and `update`; neither has its own query path.

pub mod background;
mod cancel;
pub mod complete;
mod job;
pub mod lexer;
pub mod render;
pub mod statement;
pub(crate) mod union;

use crate::error::{sparql_syntax_error, Error, Result};
use crate::store::KgStore;
use oxigraph::model::Variable;
use oxigraph::sparql::{
    CancellationToken, QueryEvaluationError, QueryResults, QuerySolutionIter, QueryTripleIter,
    UpdateEvaluationError,
};
use std::time::{Duration, Instant};

pub use cancel::Deadline;
pub use job::{spawn, Job};

/// How to run a query or an update.
#[derive(Clone, Default)]
pub struct QueryOptions {
    pub base_iri: Option<String>,
    pub timeout: Option<Duration>,
    /// Cancelled from outside (Ctrl-C); the query stops at its next check.
    pub cancel: Option<CancellationToken>,
    /// Query the store's default graph alone instead of the union of all graphs.
    pub default_graph_only: bool,
    /// Leave out the entailments of `kg infer` (they are in by default when they exist).
    pub no_inference: bool,
    /// Name of the input in error messages (`<query>`, a file name).
    pub source: Option<String>,
    /// The dataset a SPARQL Protocol request names (`default-graph-uri`, `named-graph-uri`, or
    /// `using-…` for updates): it replaces the query's own `FROM`s and kg's union default graph.
    pub dataset: Option<Dataset>,
}

/// Graphs named outside the query text, as the SPARQL 1.1 Protocol lets a request do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dataset {
    pub default_graphs: Vec<oxigraph::model::NamedNode>,
    pub named_graphs: Vec<oxigraph::model::NamedNode>,
}

impl Dataset {
    fn apply(&self, dataset: &mut oxigraph::sparql::QueryDataset) {
        dataset.set_default_graph(
            self.default_graphs
                .iter()
                .cloned()
                .map(oxigraph::model::GraphName::from)
                .collect(),
        );
        dataset.set_available_named_graphs(
            self.named_graphs.iter().cloned().map(Into::into).collect(),
        );
    }
}

/// A running query's answer. Solutions and triples are produced lazily as they are consumed,
/// so a huge result streams to a file without being held in memory.
pub enum Outcome {
    Solutions {
        variables: Vec<Variable>,
        solutions: Stream<QuerySolutionIter<'static>>,
    },
    Boolean(bool),
    Graph(Stream<QueryTripleIter<'static>>),
}

impl Outcome {
    pub fn kind(&self) -> crate::format::AnswerKind {
        match self {
            Outcome::Solutions { .. } => crate::format::AnswerKind::Solutions,
            Outcome::Boolean(_) => crate::format::AnswerKind::Boolean,
            Outcome::Graph(_) => crate::format::AnswerKind::Graph,
        }
    }
}

/// An iterator of results that turns cancellation into kg's own `Cancelled`/`Timeout` errors.
pub struct Stream<I> {
    inner: I,
    deadline: Deadline,
    finished: bool,
}

impl<I, T> Iterator for Stream<I>
where
    I: Iterator<Item = std::result::Result<T, QueryEvaluationError>>,
{
    type Item = Result<T>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.inner.next() {
            Some(item) => Some(item.map_err(|e| self.deadline.query_error(e))),
            // Some of Oxigraph's operators end quietly when cancelled; a cut-short answer must not look complete.
            None if !self.finished && self.deadline.token().is_cancelled() => {
                self.finished = true;
                Some(Err(self.deadline.stopped()))
            }
            None => None,
        }
    }
}

/// Parses a query and starts it. Syntax errors carry the query text so a caret can be drawn.
pub fn execute(store: &KgStore, text: &str, options: &QueryOptions) -> Result<Outcome> {
    let source = options.source.as_deref().unwrap_or("<query>");
    let deadline = Deadline::new(options.cancel.clone(), options.timeout);
    let mut evaluator = store.evaluator().with_cancellation_token(deadline.token());
    if let Some(base) = &options.base_iri {
        evaluator = evaluator
            .with_base_iri(base)
            .map_err(|e| Error::BadInput(format!("invalid base IRI <{base}>: {e}")))?;
    }
    let mut prepared = evaluator
        .parse_query(text)
        .map_err(|e| sparql_syntax_error(&e, source, text))?;
    if let Some(dataset) = &options.dataset {
        dataset.apply(prepared.dataset_mut());
    }
    let results = store
        .evaluate(prepared, !options.default_graph_only, !options.no_inference)?
        .map_err(|e| deadline.query_error(e))?;
    Ok(outcome(results, deadline))
}

/// An answer as kg streams it, whether the store or a remote endpoint produced it.
pub(crate) fn outcome(results: QueryResults<'static>, deadline: Deadline) -> Outcome {
    match results {
        QueryResults::Solutions(s) => Outcome::Solutions {
            variables: s.variables().to_vec(),
            solutions: Stream {
                inner: s,
                deadline,
                finished: false,
            },
        },
        QueryResults::Boolean(b) => Outcome::Boolean(b),
        QueryResults::Graph(g) => Outcome::Graph(Stream {
            inner: g,
            deadline,
            finished: false,
        }),
    }
}

/// Checks that a query parses, without running it.
pub fn parse_query(store: &KgStore, text: &str, source: &str) -> Result<()> {
    store
        .evaluator()
        .parse_query(text)
        .map(|_| ())
        .map_err(|e| sparql_syntax_error(&e, source, text))
}

/// Checks that an update parses, without running it.
pub fn parse_update(store: &KgStore, text: &str, source: &str) -> Result<()> {
    store
        .evaluator()
        .parse_update(text)
        .map(|_| ())
        .map_err(|e| sparql_syntax_error(&e, source, text))
}

/// Whether `text` is a whole query or update under the store's prefixes: how the REPL tells that a
/// statement typed without `;` has ended. A prologue alone (`PREFIX …` lines) is a valid, empty
/// update, but not a whole statement: a query pasted line by line would be sent after its first line.
pub fn parses(store: &KgStore, text: &str) -> bool {
    parse_query(store, text, "").is_ok()
        || statement::is_update(text) && parse_update(store, text, "").is_ok()
}

/// What an update did.
#[derive(Debug)]
pub struct Updated {
    pub elapsed: Duration,
    /// The quads it added that were not in the store, when it was `INSERT DATA` alone without
    /// blank nodes (whose stored names are fresh ones): then what it changed is known without
    /// reading the store, and what depends on the data (the entailments, the saved projection)
    /// can be patched. `None` for anything else, which may also have removed triples.
    pub inserted: Option<Vec<oxigraph::model::Quad>>,
}

/// Runs a SPARQL 1.1 Update atomically: it all applies, or nothing does. With `find_inserted`,
/// an `INSERT DATA` says which of its quads were new (`Updated::inserted`).
pub fn update(
    store: &KgStore,
    text: &str,
    options: &QueryOptions,
    find_inserted: bool,
) -> Result<Updated> {
    let start = Instant::now();
    let source = options.source.as_deref().unwrap_or("<update>");
    let deadline = Deadline::new(options.cancel.clone(), options.timeout);
    let evaluator = store.evaluator().with_cancellation_token(deadline.token());
    let parsed = store
        .prefixes()
        .sparql_parser(options.base_iri.as_deref())
        .map_err(Error::BadInput)?
        .parse_update(text)
        .map_err(|e| sparql_syntax_error(&e, source, text))?;
    // Only what is not there already is new: the count of asserted quads follows from it.
    let inserted = match inserted_data(&parsed).filter(|_| find_inserted) {
        Some(quads) => {
            let mut seen = std::collections::HashSet::with_capacity(quads.len());
            let mut new = Vec::with_capacity(quads.len());
            for q in quads {
                if !store.raw().contains(&q)? && seen.insert(q.clone()) {
                    new.push(q);
                }
            }
            Some(new)
        }
        None => None,
    };
    if inserted.as_ref().is_some_and(Vec::is_empty) {
        // Every quad is there already: nothing would change, so nothing is written, and what
        // was derived from the data stays current.
        return Ok(Updated {
            elapsed: start.elapsed(),
            inserted,
        });
    }
    let prepared = if let Some(dataset) = &options.dataset {
        let mut with = evaluator.clone().for_update(parsed);
        for using in with.using_datasets_mut() {
            if !using.is_default_dataset() {
                return Err(Error::BadInput(
                    "the update names its graphs with USING or WITH, so using-graph-uri and using-named-graph-uri cannot name them too".to_owned(),
                ));
            }
            dataset.apply(using);
        }
        with
    } else {
        let union = !options.default_graph_only;
        // Oxigraph's union repeats a shared triple once per graph, and its updates cannot run on
        // `UnionSet`: where the copies would change what is written, each pattern of the `WHERE`
        // is made distinct instead.
        let parsed = if union && store.graphs_overlap()? && union::counts_copies(&parsed) {
            union::rewrite_update(parsed, &union::Sources::Copies)
        } else {
            parsed
        };
        let mut with = evaluator.clone().for_update(parsed);
        store.prepare_update(&mut with, union, !options.no_inference)?;
        with
    };
    prepared
        .on_store(store.raw())
        .execute()
        .map_err(|e| deadline.update_error(e))?;
    store.record_write()?;
    Ok(Updated {
        elapsed: start.elapsed(),
        inserted,
    })
}

/// The quads of an update made of `INSERT DATA` operations only, with no blank node, none of
/// them into the entailments' graph (which kg writes itself); `None` for any other update.
fn inserted_data(update: &spargebra::Update) -> Option<Vec<oxigraph::model::Quad>> {
    use oxigraph::model::{GraphName, NamedOrBlankNode, Quad, Term};
    let mut quads = Vec::new();
    for op in &update.operations {
        let spargebra::GraphUpdateOperation::InsertData { data } = op else {
            return None;
        };
        for q in data {
            let graph_name = match &q.graph_name {
                spargebra::term::GraphName::NamedNode(g)
                    if g.as_str() == crate::store::INFERRED_GRAPH =>
                {
                    return None
                }
                spargebra::term::GraphName::NamedNode(g) => GraphName::NamedNode(g.clone()),
                spargebra::term::GraphName::DefaultGraph => GraphName::DefaultGraph,
            };
            if !matches!(q.subject, NamedOrBlankNode::NamedNode(_))
                || !matches!(q.object, Term::NamedNode(_) | Term::Literal(_))
            {
                return None;
            }
            quads.push(Quad::new(
                q.subject.clone(),
                q.predicate.clone(),
                q.object.clone(),
                graph_name,
            ));
        }
    }
    Some(quads)
}

impl Deadline {
    fn query_error(&self, error: QueryEvaluationError) -> Error {
        match error {
            QueryEvaluationError::Cancelled => self.stopped(),
            other => {
                let text = other.to_string();
                if text.contains("service") && text.contains("not supported") {
                    // Built without an HTTP client: SERVICE never reaches the network.
                    Error::BadInput(format!(
                        "kg calls remote services (SERVICE) only with --allow-federation: {text}"
                    ))
                } else {
                    Error::Evaluation(text)
                }
            }
        }
    }

    fn update_error(&self, error: UpdateEvaluationError) -> Error {
        match error {
            UpdateEvaluationError::Storage(e) => Error::Storage(e),
            other => {
                let text = other.to_string();
                if text.contains("cancelled") {
                    self.stopped()
                } else if text.contains("HTTP client is not available") {
                    Error::BadInput(
                        "kg does not fetch data over the network: download the file and `kg load` it".to_owned(),
                    )
                } else {
                    Error::Evaluation(text)
                }
            }
        }
    }

    pub(crate) fn stopped(&self) -> Error {
        match self.timed_out() {
            Some(secs) => Error::Timeout(secs),
            None => Error::Cancelled,
        }
    }
}

const VOCABULARY_FILE: &str = "kg-vocabulary.json";
const VOCABULARY_FORMAT: u32 = 1;

/// The completion vocabulary as saved beside the store, with the data it reflects.
#[derive(serde::Serialize, serde::Deserialize)]
struct SavedVocabulary {
    format: u32,
    version: u64,
    files: u64,
    vocabulary: complete::CompletionVocabulary,
}

/// The completion vocabulary saved by an earlier session, if the store has not changed since
/// (the same `DataKey` as the saved projection): ready at the first prompt.
pub fn saved_vocabulary(store: &KgStore) -> Option<complete::CompletionVocabulary> {
    let key = store.data_key().ok()??;
    let text = std::fs::read(store.derived_path(VOCABULARY_FILE)?).ok()?;
    let saved: SavedVocabulary = serde_json::from_slice(&text).ok()?;
    (saved.format == VOCABULARY_FORMAT && saved.version == key.version && saved.files == key.files)
        .then_some(saved.vocabulary)
}

/// Computes the completion vocabulary (as `completion_vocabulary`) and saves it beside the store
/// for the next session, under the key the data had before the computation began.
pub fn refresh_vocabulary(
    store: &KgStore,
    cancel: &CancellationToken,
) -> Result<complete::CompletionVocabulary> {
    let before = store.data_key()?;
    let vocabulary = completion_vocabulary(store, cancel)?;
    if let (Some(before), Some(after)) = (before, store.data_key()?) {
        let key = if after.version == before.version {
            after
        } else {
            before
        };
        let saved = SavedVocabulary {
            format: VOCABULARY_FORMAT,
            version: key.version,
            files: key.files,
            vocabulary,
        };
        let text = serde_json::to_vec(&saved)
            .map_err(|e| Error::Evaluation(format!("cannot write the vocabulary: {e}")))?;
        // Not saving only makes the next session's first prompt wait for completion.
        let _ = store.write_derived(VOCABULARY_FILE, &text);
        return Ok(saved.vocabulary);
    }
    Ok(vocabulary)
}

/// Builds the completion vocabulary from the store: classes, properties (with the classes they are
/// used with), individuals and labels. Slow on big stores, so the REPL runs it in the background.
/// `cancel` stops it at Oxigraph's next check with an error.
pub fn completion_vocabulary(
    store: &KgStore,
    cancel: &CancellationToken,
) -> Result<complete::CompletionVocabulary> {
    use oxigraph::model::Term;
    let mut v = complete::CompletionVocabulary::default();
    let rows = |text: &str| -> Result<Vec<Vec<Option<Term>>>> {
        store
            .solutions(text, true, Some(cancel))?
            .map(|s| s.map(|s| s.values().to_vec()))
            .collect()
    };
    let iri = |t: &Option<Term>| match t {
        Some(Term::NamedNode(n)) => Some(n.as_str().to_owned()),
        _ => None,
    };
    for r in rows("SELECT DISTINCT ?c WHERE { { ?c a <http://www.w3.org/2002/07/owl#Class> } UNION { ?c a <http://www.w3.org/2000/01/rdf-schema#Class> } UNION { ?x a ?c } }")? {
        if let Some(c) = iri(&r[0]) {
            v.classes.insert(c);
        }
    }
    for r in rows("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")? {
        if let Some(p) = iri(&r[0]) {
            let n = match &r[1] {
                Some(Term::Literal(l)) => l.value().parse().unwrap_or(0),
                _ => 0,
            };
            v.properties.insert(p, n);
        }
    }
    for r in rows("SELECT DISTINCT ?c ?p WHERE { ?s a ?c ; ?p ?o }")? {
        if let (Some(c), Some(p)) = (iri(&r[0]), iri(&r[1])) {
            v.class_properties.entry(c).or_default().insert(p);
        }
    }
    for r in rows("SELECT DISTINCT ?s WHERE { ?s a ?c FILTER(isIRI(?s)) } LIMIT 20000")? {
        if let Some(s) = iri(&r[0]) {
            if !v.classes.contains(&s) && !v.properties.contains_key(&s) {
                v.individuals.insert(s);
            }
        }
    }
    v.labels = crate::resolve::labels(store)?;
    Ok(v)
}
