//! The store: opening and creating it, mapping RocksDB's lock to a clear error, the persisted prefix
//! table, and statistics.
//!
//! This is the only module that names `oxigraph::store`; the rest of the library goes through `KgStore`.

mod fingerprint;
mod merge;
mod union;

pub(crate) use merge::{merged_subject_groups, subject_key};

pub(crate) use union::View;

use crate::error::{Error, Result};
use crate::prefixes::PrefixTable;
use oxigraph::model::{GraphNameRef, NamedNode, NamedOrBlankNode, QuadRef};
use oxigraph::sparql::{
    CancellationToken, PreparedSparqlQuery, QueryEvaluationError, QueryResults, QuerySolution,
    SparqlEvaluator,
};
use oxigraph::store::{BulkLoader, Store, Transaction};
use std::path::{Path, PathBuf};

/// The prefix table beside the database (read by a kg that reaches the store through `kg serve`).
pub const PREFIX_FILE: &str = "kg-prefixes.tsv";
const STATE_FILE: &str = "kg-state.json";

/// The named graph that holds the entailments `kg infer` computed; queries leave it out with `--no-inference`.
pub const INFERRED_GRAPH: &str = "https://w3id.org/kg/graph/inferred";

/// What kg knows about the store beyond its quads, kept in `kg-state.json` beside the database.
/// `version` counts kg's writes, so anything derived from the data (whether graphs share triples,
/// the entailments) can say which version it reflects and whether it is stale.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StoreState {
    pub version: u64,
    /// Whether a triple occurs in two asserted graphs, and at which version that was checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlap: Option<(u64, bool)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inference: Option<InferenceState>,
}

/// The entailments in `INFERRED_GRAPH`: how they were computed and for which store version.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct InferenceState {
    pub profile: String,
    /// The graphs whose schema triples were used (N-Triples syntax; `default` for the default graph).
    pub ontology_graphs: Vec<String>,
    /// `None` when every graph holding schema triples was used (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen_ontology: Option<Vec<String>>,
    pub asserted: u64,
    pub inferred: u64,
    pub inconsistencies: u64,
    /// The store version the entailments reflect: stale when the store has moved on.
    pub version: u64,
}

/// Which data a file derived from the store reflects: the kg write count and a fingerprint of
/// the database's files. Anything saved beside the store with one is current only while both match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataKey {
    /// `StoreState::version`: bumped by every kg write.
    pub version: u64,
    /// A fingerprint of RocksDB's files (`fingerprint.rs`): its write counter, or failing that
    /// the names and sizes of its files. Another tool's write or a restored backup changes it.
    pub files: u64,
}

/// An open kg store: the Oxigraph database and the prefix table that lives beside it.
#[derive(Clone)]
pub struct KgStore {
    store: Store,
    dir: Option<PathBuf>,
    prefixes: PrefixTable,
    /// Built once per prefix table: adding the prefixes one by one took a sixth of a short query's time.
    evaluator: SparqlEvaluator,
    /// True when this call created the store, so the caller can seed it.
    created: bool,
    /// Shared by clones: a write through any handle bumps the version all of them see.
    state: std::sync::Arc<std::sync::Mutex<StoreState>>,
    /// The `SERVICE` handler, only when asked (`--allow-federation`).
    federation: Option<crate::remote::federation::Federation>,
}

impl KgStore {
    /// Opens the on-disk store at `dir`, creating it if needed.
    pub fn open(dir: &Path) -> Result<Self> {
        let created = !dir.join("CURRENT").exists();
        if dir.exists() && !dir.is_dir() {
            return Err(Error::BadInput(format!(
                "{} is not a directory, so it cannot hold a store",
                dir.display()
            )));
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let store = open_on_disk(dir)?;
        let prefixes = match std::fs::read_to_string(dir.join(PREFIX_FILE)) {
            Ok(text) => PrefixTable::from_tsv(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => PrefixTable::standard(),
            Err(e) => return Err(Error::io(dir.join(PREFIX_FILE), e)),
        };
        let state = match std::fs::read_to_string(dir.join(STATE_FILE)) {
            // A state file kg cannot read is treated as unknown: everything derived is recomputed.
            Ok(text) => serde_json::from_str(&text).unwrap_or_default(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => StoreState::default(),
            Err(e) => return Err(Error::io(dir.join(STATE_FILE), e)),
        };
        Ok(Self {
            store,
            dir: Some(dir.to_owned()),
            evaluator: evaluator_for(&prefixes),
            prefixes,
            created,
            state: std::sync::Arc::new(std::sync::Mutex::new(state)),
            federation: None,
        })
    }

    /// An in-memory store, for `--dry-run`, tests and benchmarks of the pure parts.
    pub fn in_memory() -> Result<Self> {
        let prefixes = PrefixTable::standard();
        Ok(Self {
            store: Store::new()?,
            dir: None,
            evaluator: evaluator_for(&prefixes),
            prefixes,
            created: true,
            state: Default::default(),
            federation: None,
        })
    }

    /// The platform's data directory for kg's default store (e.g. `~/.local/share/kg/store`).
    pub fn default_dir() -> Option<PathBuf> {
        dirs::data_dir().map(|d| d.join("kg").join("store"))
    }

    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Whether this open created the store (it had no database before).
    pub fn was_created(&self) -> bool {
        self.created
    }

    pub fn prefixes(&self) -> &PrefixTable {
        &self.prefixes
    }

    /// Replaces the prefix table and persists it (atomically: write then rename).
    pub fn set_prefixes(&mut self, prefixes: PrefixTable) -> Result<()> {
        if let Some(dir) = &self.dir {
            let tmp = dir.join(format!("{PREFIX_FILE}.tmp"));
            std::fs::write(&tmp, prefixes.to_tsv()).map_err(|e| Error::io(&tmp, e))?;
            std::fs::rename(&tmp, dir.join(PREFIX_FILE)).map_err(|e| Error::io(dir, e))?;
        }
        self.evaluator = evaluator_for(&prefixes);
        if let Some(f) = &self.federation {
            self.evaluator = self
                .evaluator
                .clone()
                .with_default_service_handler(f.clone());
        }
        self.prefixes = prefixes;
        Ok(())
    }

    /// Lets queries call `SERVICE` endpoints over HTTP (`--allow-federation`); each service has
    /// `timeout` to start answering.
    pub fn allow_federation(&mut self, timeout: Option<std::time::Duration>) {
        let f = crate::remote::federation::Federation::new(timeout);
        self.evaluator = self
            .evaluator
            .clone()
            .with_default_service_handler(f.clone());
        self.federation = Some(f);
    }

    /// A SPARQL evaluator that knows the store's prefixes and never calls remote services
    /// unless asked (`allow_federation`): a query should not make kg fetch a URL.
    pub fn evaluator(&self) -> SparqlEvaluator {
        self.evaluator.clone()
    }

    /// What kg recorded about the store (version, overlap check, inference).
    pub fn state(&self) -> StoreState {
        self.state.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Changes the recorded state and persists it (write then rename, as the prefixes).
    pub(crate) fn update_state(&self, change: impl FnOnce(&mut StoreState)) -> Result<()> {
        let mut state = self
            .state
            .lock()
            .map_err(|_| Error::Evaluation("store state lock poisoned".to_owned()))?;
        change(&mut state);
        if let Some(dir) = &self.dir {
            let tmp = dir.join(format!("{STATE_FILE}.tmp"));
            let text = serde_json::to_string_pretty(&*state)
                .map_err(|e| Error::Evaluation(format!("cannot write the store state: {e}")))?;
            std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
            std::fs::rename(&tmp, dir.join(STATE_FILE)).map_err(|e| Error::io(dir, e))?;
        }
        Ok(())
    }

    /// Records that kg wrote to the store: everything derived from the data is now stale.
    /// Called after every commit of a load, seed, update or write-back.
    pub(crate) fn record_write(&self) -> Result<()> {
        self.update_state(|s| s.version += 1)
    }

    /// The key of the data as it is now, for caches saved beside the store; `None` in memory.
    /// Cheap: one directory listing, no read of the database.
    pub fn data_key(&self) -> Result<Option<DataKey>> {
        let Some(dir) = &self.dir else {
            return Ok(None);
        };
        let files = fingerprint::fingerprint(dir).map_err(|e| Error::io(dir, e))?;
        Ok(Some(DataKey {
            version: self.state().version,
            files,
        }))
    }

    /// Where a file derived from the data lives (beside the database); `None` in memory.
    pub(crate) fn derived_path(&self, name: &str) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join(name))
    }

    /// Replaces a derived file atomically (a temporary file in the same directory, then a rename),
    /// so a reader sees the old file or the new one, never a part. Nothing happens in memory.
    pub(crate) fn write_derived(&self, name: &str, bytes: &[u8]) -> Result<()> {
        self.write_derived_with(name, |w| w.write_all(bytes))
    }

    /// `write_derived` of what `write` writes, streamed to the file through a buffer: a large
    /// derived file (a saved projection) is never whole in memory.
    pub(crate) fn write_derived_with(
        &self,
        name: &str,
        write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<()> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .tempfile_in(dir)
            .map_err(|e| Error::io(dir, e))?;
        let path = tmp.path().to_owned();
        let mut out = std::io::BufWriter::with_capacity(1 << 20, tmp);
        write(&mut out).map_err(|e| Error::io(&path, e))?;
        let tmp = out
            .into_inner()
            .map_err(|e| Error::io(&path, e.into_error()))?;
        tmp.persist(dir.join(name))
            .map_err(|e| Error::io(dir.join(name), e.error))?;
        Ok(())
    }

    /// The graph of entailments, if `kg infer` has written one.
    pub fn inferred_graph(&self) -> Result<Option<NamedNode>> {
        let graph = NamedNode::new_unchecked(INFERRED_GRAPH);
        Ok(self
            .store
            .contains_named_graph(graph.as_ref())?
            .then_some(graph))
    }

    /// Whether some triple is stated in two asserted graphs (the entailments left out), so the
    /// union default graph must be deduplicated. Checked once per store version: two ASK queries
    /// on Oxigraph's encoded terms, skipped when fewer than two graphs hold asserted data.
    pub(crate) fn graphs_overlap(&self) -> Result<bool> {
        let state = self.state();
        if let Some((version, value)) = state.overlap {
            if version == state.version {
                return Ok(value);
            }
        }
        let inferred = format!("<{INFERRED_GRAPH}>");
        let named: Vec<_> = self
            .named_graphs()?
            .into_iter()
            .filter(|g| g.to_string() != inferred)
            .collect();
        let default_has_data = self
            .store
            .quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph))
            .next()
            .is_some();
        let value = if named.len() + usize::from(default_has_data) < 2 {
            false
        } else {
            (named.len() >= 2 && self.ask(&format!(
                "ASK {{ GRAPH ?a {{ ?s ?p ?o }} GRAPH ?b {{ ?s ?p ?o }} FILTER(?a != ?b && ?a != {inferred} && ?b != {inferred}) }}"
            ))?) || (default_has_data && self.ask(&format!(
                "ASK {{ ?s ?p ?o GRAPH ?b {{ ?s ?p ?o }} FILTER(?b != {inferred}) }}"
            ))?)
        };
        self.update_state(|s| s.overlap = Some((s.version, value)))?;
        Ok(value)
    }

    /// Evaluates a parsed query on the dataset kg's semantics give it: with `union`, a default
    /// graph that is the merge (a set) of every graph; with `inference`, the entailments included.
    pub(crate) fn evaluate(
        &self,
        mut prepared: PreparedSparqlQuery,
        union: bool,
        inference: bool,
    ) -> Result<std::result::Result<QueryResults<'static>, QueryEvaluationError>> {
        Ok(
            match View::choose(self, prepared.dataset_mut(), union, inference, true)? {
                View::Dedup(dataset) => prepared.on_queryable_dataset(dataset).execute(),
                View::AsIs | View::Native => prepared.on_store(&self.store).execute(),
            },
        )
    }

    /// Sets up an update's `WHERE` datasets as `evaluate` does for queries. Oxigraph evaluates
    /// updates only on its own dataset, so where graphs share triples a `WHERE` sees a shared
    /// triple once per graph: harmless for the triples an update writes (a graph is a set), wrong
    /// only for aggregates inside an update's `WHERE`.
    pub(crate) fn prepare_update(
        &self,
        prepared: &mut oxigraph::sparql::PreparedSparqlUpdate,
        union: bool,
        inference: bool,
    ) -> Result<()> {
        for dataset in prepared.using_datasets_mut() {
            View::choose(self, dataset, union, inference, false)?;
        }
        Ok(())
    }

    pub(crate) fn raw(&self) -> &Store {
        &self.store
    }

    pub(crate) fn bulk_loader(&self) -> BulkLoader<'_> {
        self.store.bulk_loader()
    }

    pub(crate) fn transaction(&self) -> Result<Transaction<'_>> {
        Ok(self.store.start_transaction()?)
    }

    pub fn len(&self) -> Result<usize> {
        Ok(self.store.len()?)
    }

    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.store.is_empty()?)
    }

    /// Named graphs, sorted by name so every listing is stable.
    pub fn named_graphs(&self) -> Result<Vec<NamedOrBlankNode>> {
        let mut graphs = self.store.named_graphs().collect::<Result<Vec<_>, _>>()?;
        graphs.sort_by_key(ToString::to_string);
        Ok(graphs)
    }

    /// Whether any named graph exists (cheap: reads one key).
    pub fn has_named_graphs(&self) -> Result<bool> {
        Ok(self.store.named_graphs().next().transpose()?.is_some())
    }

    pub fn contains(&self, quad: QuadRef<'_>) -> Result<bool> {
        Ok(self.store.contains(quad)?)
    }

    /// Counts the quads of one graph.
    pub fn graph_len(&self, graph: GraphNameRef<'_>) -> Result<usize> {
        let mut n = 0;
        for q in self.store.quads_for_pattern(None, None, None, Some(graph)) {
            q?;
            n += 1;
        }
        Ok(n)
    }

    /// Writes everything to disk; called before a long-lived process reports success, and
    /// before a key is taken for a derived file. Nothing to do when the write-ahead log holds no
    /// write the table files lack (after a bulk load, say): RocksDB's flush would then only wait
    /// for its compaction of the loaded files (14 s after loading LUBM-100).
    pub fn flush(&self) -> Result<()> {
        #[cfg(feature = "rocksdb")]
        if let Some(dir) = &self.dir {
            if fingerprint::unflushed(dir).map_err(|e| Error::io(dir, e))? {
                self.store.flush()?;
            }
        }
        Ok(())
    }

    /// Compacts the on-disk files. A bulk load leaves one set of files per batch; RocksDB would
    /// otherwise merge them during the next long-running command.
    pub fn optimize(&self) -> Result<()> {
        #[cfg(feature = "rocksdb")]
        self.store.optimize()?;
        Ok(())
    }

    /// Store statistics: quads per graph, classes with instance counts, predicates with usage counts.
    pub fn stats(&self) -> Result<Stats> {
        let mut graphs = vec![(
            "default".to_owned(),
            self.graph_len(GraphNameRef::DefaultGraph)?,
        )];
        for g in self.named_graphs()? {
            let n = self.graph_len(GraphNameRef::from(g.as_ref()))?;
            graphs.push((g.to_string(), n));
        }
        let total = graphs.iter().map(|(_, n)| n).sum();
        let classes = self.counts(
            "SELECT ?x (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?x } GROUP BY ?x ORDER BY DESC(?n) STR(?x)",
        )?;
        let predicates = self.counts(
            "SELECT ?x (COUNT(*) AS ?n) WHERE { ?s ?x ?o } GROUP BY ?x ORDER BY DESC(?n) STR(?x)",
        )?;
        Ok(Stats {
            total,
            graphs,
            classes,
            predicates,
        })
    }

    fn counts(&self, query: &str) -> Result<Vec<(String, usize)>> {
        Ok(self
            .select(query)?
            .iter()
            .map(|s| {
                let name = s.get("x").map(ToString::to_string).unwrap_or_default();
                let n = match s.get("n") {
                    Some(oxigraph::model::Term::Literal(l)) => l.value().parse().unwrap_or(0),
                    _ => 0,
                };
                (name, n)
            })
            .collect())
    }

    /// Runs one of kg's own SELECT queries over the union of all graphs and collects the rows.
    /// For fixed query texts only: user text goes through `query::execute`.
    pub(crate) fn select(&self, query: &str) -> Result<Vec<QuerySolution>> {
        self.solutions(query, true, None)?.collect()
    }

    /// Runs one of kg's own ASK queries on the store's default graph.
    pub(crate) fn ask(&self, query: &str) -> Result<bool> {
        let prepared = self
            .evaluator()
            .parse_query(query)
            .map_err(|e| Error::Evaluation(e.to_string()))?;
        match prepared
            .on_store(&self.store)
            .execute()
            .map_err(|e| Error::Evaluation(e.to_string()))?
        {
            QueryResults::Boolean(b) => Ok(b),
            _ => Err(Error::Evaluation(format!("not an ASK query: {query}"))),
        }
    }

    /// Streams the rows of one of kg's own SELECT queries; with `union`, the default graph is the
    /// union of all graphs. Rows come decoded only for the variables selected, which is why the
    /// graph projection reads through here rather than `quads_for_pattern`.
    pub(crate) fn solutions(
        &self,
        query: &str,
        union: bool,
        cancel: Option<&CancellationToken>,
    ) -> Result<impl Iterator<Item = Result<QuerySolution>>> {
        let mut evaluator = self.evaluator();
        if let Some(token) = cancel {
            evaluator = evaluator.with_cancellation_token(token.clone());
        }
        let prepared = evaluator
            .parse_query(query)
            .map_err(|e| Error::Evaluation(e.to_string()))?;
        let solutions = match self
            .evaluate(prepared, union, true)?
            .map_err(|e| Error::Evaluation(e.to_string()))?
        {
            QueryResults::Solutions(solutions) => Some(solutions),
            _ => None,
        };
        Ok(solutions
            .into_iter()
            .flatten()
            .map(|s| s.map_err(|e| Error::Evaluation(e.to_string()))))
    }
}

/// What `kg stats` reports; terms are in N-Triples syntax so the caller can shorten them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    pub total: usize,
    pub graphs: Vec<(String, usize)>,
    pub classes: Vec<(String, usize)>,
    pub predicates: Vec<(String, usize)>,
}

fn evaluator_for(prefixes: &PrefixTable) -> SparqlEvaluator {
    let mut evaluator = SparqlEvaluator::new();
    for (p, iri) in prefixes.iter() {
        // Names and IRIs were validated on insert, so this cannot fail; skip defensively.
        if let Ok(e) = evaluator.clone().with_prefix(p, iri) {
            evaluator = e;
        }
    }
    evaluator
}

#[cfg(feature = "rocksdb")]
fn open_on_disk(dir: &Path) -> Result<Store> {
    Store::open(dir).map_err(|e| map_open_error(e, dir))
}

#[cfg(not(feature = "rocksdb"))]
fn open_on_disk(dir: &Path) -> Result<Store> {
    Err(Error::BadInput(format!(
        "{}: this kg was built without the `rocksdb` feature, so it has no on-disk store",
        dir.display()
    )))
}

#[cfg(feature = "rocksdb")]
fn map_open_error(error: oxigraph::store::StorageError, dir: &Path) -> Error {
    let text = error.to_string();
    if text.contains("lock file") || text.contains("LOCK") && text.contains("unavailable") {
        Error::StoreLocked {
            path: dir.to_owned(),
        }
    } else {
        Error::Storage(error)
    }
}
