//! The store: opening and creating it, mapping RocksDB's lock to a clear error, the persisted prefix
//! table, and statistics.
//!
//! This is the only module that names `oxigraph::store`; the rest of the library goes through `KgStore`.

use crate::error::{Error, Result};
use crate::prefixes::PrefixTable;
use oxigraph::model::{GraphNameRef, NamedOrBlankNode, QuadRef};
use oxigraph::sparql::{CancellationToken, QueryResults, QuerySolution, SparqlEvaluator};
use oxigraph::store::{BulkLoader, Store, Transaction};
use std::path::{Path, PathBuf};

const PREFIX_FILE: &str = "kg-prefixes.tsv";

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
        Ok(Self {
            store,
            dir: Some(dir.to_owned()),
            evaluator: evaluator_for(&prefixes),
            prefixes,
            created,
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
        self.prefixes = prefixes;
        Ok(())
    }

    /// A SPARQL evaluator that knows the store's prefixes and never calls remote services
    /// unless asked: kg is an offline tool, and a query should not hang on the network.
    pub fn evaluator(&self) -> SparqlEvaluator {
        self.evaluator.clone()
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

    /// Writes everything to disk; called before a long-lived process reports success.
    pub fn flush(&self) -> Result<()> {
        #[cfg(feature = "rocksdb")]
        self.store.flush()?;
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
        let mut prepared = evaluator
            .parse_query(query)
            .map_err(|e| Error::Evaluation(e.to_string()))?;
        if union {
            prepared.dataset_mut().set_default_graph_as_union();
        }
        let solutions = match prepared
            .on_store(&self.store)
            .execute()
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
