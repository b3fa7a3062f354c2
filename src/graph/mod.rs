//! Graph traversals over a petgraph projection of the store: paths as answers, neighbourhoods,
//! rankings, components, and writing the results back as triples.
//!
//! The projection is built once per store version and options and saved beside the store
//! (`persist`); later commands open the saved one. Everything after that is in memory and never
//! touches the store.

mod algo;
mod csr;
mod output;
mod persist;
mod project;
mod words;

pub use algo::{
    components, k_shortest_paths, neighbourhood, rank, Component, Path, PathOptions, Ranked,
};
pub use csr::{Csr, Edge};
pub use output::chain;
pub use output::{write_components, write_path_like, write_ranking, Subgraph};
pub use persist::file_name as saved_file_name;
pub(crate) use project::accepts;
pub use project::{Collector, Projection, ProjectionOptions};

use crate::error::Result;
use crate::store::KgStore;
use oxigraph::model::{GraphName, Literal, NamedNode, Quad};

const KG: &str = "https://w3id.org/kg/ns#";

/// Where a projection came from.
#[derive(Debug)]
pub enum Origin {
    /// Read from the store, and saved for the next time unless saving failed (then with the
    /// error, which only makes the next command slower: the projection in hand is right).
    Built(Option<crate::Error>),
    /// Opened from the file saved beside the store: the data had not changed since.
    Saved,
}

/// The projection for these options: the saved one when it reflects the store as it is now,
/// otherwise built from the store and saved (atomically) for the next command.
pub fn projection(
    store: &KgStore,
    options: &ProjectionOptions,
    cancel: Option<&oxigraph::sparql::CancellationToken>,
) -> Result<(Projection, Origin)> {
    let canonical = options.canonical();
    let before = store.data_key()?;
    if let Some(key) = before {
        if let Some(p) = persist::open(store, &canonical, key) {
            return Ok((p, Origin::Saved));
        }
    }
    let p = Projection::build(store, options, cancel)?;
    // The key after the build counts RocksDB's own compactions during it. A write by kg in the
    // meantime (the REPL builds in the background) bumps the version, which then no longer
    // matches: the file is saved under the version it was built from, and is stale at once.
    let mut unsaved = None;
    if let (Some(before), Some(after)) = (before, store.data_key()?) {
        let key = if after.version == before.version {
            after
        } else {
            before
        };
        unsaved = persist::save(store, &p, &canonical, key).err();
    }
    Ok((p, Origin::Built(unsaved)))
}

/// Saves what a `Collector` gathered as the default options' projection of the store as it is
/// now: the caller collected every quad the store holds, after its last write. Returns the
/// node and edge counts.
pub fn save_collected(store: &KgStore, collected: Collector) -> Result<(usize, usize)> {
    save_current(store, &collected.finish()?)
}

/// Saves `p` as the default options' projection of the store as it is now.
fn save_current(store: &KgStore, p: &Projection) -> Result<(usize, usize)> {
    // The key counts the write-ahead log, which the next open of the store replays into a table
    // file: a key taken with writes still in the log would not be the next process's.
    store.flush()?;
    if let Some(key) = store.data_key()? {
        persist::save(store, p, &ProjectionOptions::default().canonical(), key)?;
    }
    Ok((p.node_count(), p.edge_count()))
}

/// The saved projection of the default options as it was before a write, and what the write
/// adds: after a write that only added, patching it costs a merge instead of a rebuild from
/// the store (seconds to a minute on a large one) at the next traversal. An empty store's
/// projection is empty, so the first load into a new store saves its projection too.
pub struct Patch {
    /// `None` when the store was empty: the projection after the write is the delta's alone.
    before: Option<Projection>,
    delta: Collector,
    /// A quad went into the ontology graph, or the delta grew past `PATCH_SIZE`: the next
    /// traversal rebuilds instead.
    spoiled: bool,
    /// A new store's projection, assembled from the delta while the load commits.
    assembling: Option<std::thread::JoinHandle<Result<Projection>>>,
    /// `PATCH_SIZE`, but for tests.
    limit: usize,
}

/// The most nodes and edges a patch collects (about 55 bytes each): a write adding more leaves
/// the projection to the next traversal, rather than a load holding its whole graph in memory.
/// LUBM-100 (13.4 million triples) is 8.8 million.
const PATCH_SIZE: usize = 16_000_000;

impl Patch {
    /// Taken before a write: `None` unless the store is empty or the default options'
    /// projection is saved and current (a store never traversed has nothing to keep current).
    pub fn begin(store: &KgStore) -> Option<Self> {
        let key = store.data_key().ok()??;
        let before = match persist::open(store, &ProjectionOptions::default().canonical(), key) {
            Some(p) => Some(p),
            None if store.raw().is_empty().ok()? => None,
            None => return None,
        };
        Some(Self {
            before,
            delta: Collector::default(),
            spoiled: false,
            assembling: None,
            limit: PATCH_SIZE,
        })
    }

    /// A quad the write added, as stored.
    pub fn quad(&mut self, quad: &Quad) {
        if self.spoiled || self.assembling.is_some() {
            self.spoiled = true;
            return;
        }
        // An ontology-graph triple gives no edge but may take an entailment's edge out of the
        // inferred graph: rare enough to leave to a rebuild.
        let ontology = matches!(&quad.graph_name, GraphName::NamedNode(g)
            if g.as_str() == crate::seed::ONTOLOGY_GRAPH);
        self.delta.quad(quad);
        if ontology || self.delta.size() > self.limit {
            self.spoiled = true;
            self.delta = Collector::default();
        }
    }

    /// Whether the store was empty: the projection is made from the write's quads alone.
    pub fn is_new(&self) -> bool {
        self.before.is_none()
    }

    /// Whether the patch can no longer be applied (see `spoiled`).
    pub fn is_spoiled(&self) -> bool {
        self.spoiled
    }

    /// An entailment the write led to, stored in the entailments' graph.
    pub fn inferred(&mut self, triple: &oxigraph::model::Triple) {
        self.spoiled |= self.assembling.is_some();
        self.delta.inferred(triple);
    }

    /// Saves the patched projection under the store's key after the write; returns the node
    /// and edge counts.
    pub fn finish(self, store: &KgStore) -> Result<(usize, usize)> {
        let patched = match (self.before, self.assembling) {
            (Some(before), _) => before.patched(self.delta, store)?,
            (None, Some(assembling)) => assembling
                .join()
                .map_err(|_| crate::Error::Evaluation("projection worker failed".to_owned()))??,
            (None, None) => self.delta.finish()?,
        };
        save_current(store, &patched)
    }
}

/// A load feeds its quads to the patch as it parses them; a load that starts again (a strict
/// parse after a lenient one) starts the delta again.
impl crate::ingest::Watch for Patch {
    fn quad(&mut self, quad: &Quad) {
        Patch::quad(self, quad);
    }

    fn restart(&mut self) {
        self.delta = Collector::default();
        self.spoiled = false;
        self.assembling = None;
    }

    /// A new store's projection needs nothing from the store: it is assembled (sorted and
    /// numbered) on another thread while the load commits, which is mostly copying files.
    fn parsed(&mut self) {
        if self.before.is_none() && !self.spoiled {
            let delta = std::mem::take(&mut self.delta);
            self.assembling = Some(std::thread::spawn(move || delta.finish()));
        }
    }
}

/// Whether a projection for these options was saved before (current or not): the store has been
/// traversed with them, so preparing one ahead is likely to pay.
pub fn was_saved(store: &KgStore, options: &ProjectionOptions) -> bool {
    store
        .derived_path(&persist::file_name(&options.canonical()))
        .is_some_and(|p| p.exists())
}

/// Stores PageRank and degrees as triples in `graph`, replacing what it held, in one transaction.
pub fn write_back_rank(
    store: &KgStore,
    p: &Projection,
    ranked: &[Ranked],
    graph: &NamedNode,
) -> Result<usize> {
    let mut quads = Vec::with_capacity(ranked.len() * 3);
    let g = GraphName::NamedNode(graph.clone());
    let prop = |name: &str| NamedNode::new_unchecked(format!("{KG}{name}"));
    for r in ranked {
        let node = p.term(r.node).into_owned();
        quads.push(Quad::new(
            node.clone(),
            prop("pageRank"),
            Literal::from(r.score),
            g.clone(),
        ));
        quads.push(Quad::new(
            node.clone(),
            prop("inDegree"),
            Literal::from(r.in_degree as i64),
            g.clone(),
        ));
        quads.push(Quad::new(
            node,
            prop("outDegree"),
            Literal::from(r.out_degree as i64),
            g.clone(),
        ));
    }
    replace_graph(store, graph, &quads)
}

/// Stores each node's weakly connected component number (0 = largest) as triples in `graph`.
pub fn write_back_components(
    store: &KgStore,
    p: &Projection,
    comps: &[Component],
    graph: &NamedNode,
) -> Result<usize> {
    let g = GraphName::NamedNode(graph.clone());
    let prop = NamedNode::new_unchecked(format!("{KG}component"));
    let quads: Vec<Quad> = comps
        .iter()
        .flat_map(|c| c.members.iter().map(move |m| (c.id, *m)))
        .map(|(id, m)| {
            Quad::new(
                p.term(m).into_owned(),
                prop.clone(),
                Literal::from(id as i64),
                g.clone(),
            )
        })
        .collect();
    replace_graph(store, graph, &quads)
}

fn replace_graph(store: &KgStore, graph: &NamedNode, quads: &[Quad]) -> Result<usize> {
    let mut txn = store.transaction()?;
    txn.clear_graph(graph.as_ref())?;
    txn.extend(quads.iter());
    txn.commit()?;
    store.record_write()?;
    Ok(quads.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::NamedNode;

    fn patch(limit: usize) -> Patch {
        Patch {
            before: None,
            delta: Collector::default(),
            spoiled: false,
            assembling: None,
            limit,
        }
    }

    fn edge(s: &str, o: &str, graph: GraphName) -> Quad {
        let n = |l: &str| NamedNode::new_unchecked(format!("http://example.org/{l}"));
        Quad::new(n(s), n("knows"), n(o), graph)
    }

    #[test]
    fn a_patch_gives_up_past_its_size_and_on_the_ontology_graph() {
        let mut p = patch(5);
        p.quad(&edge("a", "b", GraphName::DefaultGraph));
        assert!(!p.is_spoiled(), "3 nodes and edges");
        p.quad(&edge("c", "d", GraphName::DefaultGraph));
        assert!(p.is_spoiled(), "6 nodes and edges");
        assert_eq!(p.delta.size(), 0, "what it held is dropped");

        let mut p = patch(PATCH_SIZE);
        let ontology = NamedNode::new_unchecked(crate::seed::ONTOLOGY_GRAPH);
        p.quad(&edge("a", "b", GraphName::NamedNode(ontology)));
        assert!(p.is_spoiled());
    }

    #[test]
    fn a_new_stores_projection_is_assembled_once_parsed_and_nothing_is_added_after() {
        use crate::ingest::Watch;
        let mut p = patch(PATCH_SIZE);
        p.quad(&edge("a", "b", GraphName::DefaultGraph));
        p.parsed();
        assert!(p.assembling.is_some());
        assert!(!p.is_spoiled());
        // A quad after the delta went to be assembled would be lost: the patch gives up instead.
        p.quad(&edge("b", "c", GraphName::DefaultGraph));
        assert!(p.is_spoiled());
        p.restart();
        assert!(!p.is_spoiled() && p.assembling.is_none());
    }
}
