//! The dataset a query sees. kg's default graph is the RDF merge of all graphs, and a merge is a
//! set: a triple stated in three documents' graphs is one triple. Oxigraph 0.5's union default
//! graph returns it once per graph (oxigraph issue 1919), which inflates every `COUNT`, `SUM` and
//! row list over shared entities.
//!
//! `View::choose` picks the cheapest exact way to evaluate a query: Oxigraph's own union when no
//! triple is in two asserted graphs (the common case, and the only one on a one-graph store), or
//! `UnionSet`, a `QueryableDataset` whose default graph holds each triple once, when some are.
//! The entailments of `kg infer` never repeat an asserted triple, so they never force the slow path.

use super::KgStore;
use crate::error::Result;
use oxigraph::model::{
    GraphName, GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Quad,
    Term, TermRef,
};
use oxigraph::sparql::QueryDataset;
use oxigraph::store::{StorageError, Store};
use spareval::{InternalQuad, QueryableDataset};

/// The graph name the query's dataset gives as its default graph when `UnionSet` evaluates it.
/// It never names stored data: `UnionSet` recognises it and answers with the deduplicated union.
const UNION_MARKER: &str = "urn:x-kg:union-default-graph";

/// How a query's default graph and named graphs are formed.
pub(crate) enum View {
    /// As the query or the store says: the store's own default graph, or the query's `FROM`.
    AsIs,
    /// Oxigraph's evaluator with the dataset set up here: exact because no triple is in two graphs.
    Native,
    /// The deduplicating dataset.
    Dedup(UnionSet),
}

impl View {
    /// Sets up `dataset` for a query or an update's `WHERE` and says how to evaluate it.
    /// `union`: the default graph is the merge of every graph; `inference`: the entailments count;
    /// `dedup`: the caller can evaluate on `UnionSet` (Oxigraph's updates cannot).
    pub(crate) fn choose(
        store: &KgStore,
        dataset: &mut QueryDataset,
        union: bool,
        inference: bool,
        dedup: bool,
    ) -> Result<View> {
        if !dataset.is_default_dataset() {
            return Ok(View::AsIs);
        }
        let inferred = store.inferred_graph()?;
        let exclude = if inference { None } else { inferred };
        if !union {
            // Only the store's own default graph; GRAPH ?g still sees the named graphs.
            if let Some(graph) = &exclude {
                dataset.set_available_named_graphs(named_except(store, graph)?);
            }
            return Ok(View::AsIs);
        }
        if !store.has_named_graphs()? {
            return Ok(View::AsIs);
        }
        if dedup && store.graphs_overlap()? {
            if let Some(graph) = &exclude {
                dataset.set_available_named_graphs(named_except(store, graph)?);
            }
            dataset.set_default_graph(vec![NamedNode::new_unchecked(UNION_MARKER).into()]);
            return Ok(View::Dedup(UnionSet {
                store: store.raw().clone(),
                exclude,
            }));
        }
        match &exclude {
            None => dataset.set_default_graph_as_union(),
            Some(graph) => {
                let named = named_except(store, graph)?;
                let mut default = vec![GraphName::DefaultGraph];
                default.extend(named.iter().cloned().map(GraphName::from));
                dataset.set_default_graph(default);
                dataset.set_available_named_graphs(named);
            }
        }
        Ok(View::Native)
    }
}

fn named_except(store: &KgStore, graph: &NamedNode) -> Result<Vec<NamedOrBlankNode>> {
    Ok(store
        .named_graphs()?
        .into_iter()
        .filter(|g| !matches!(g, NamedOrBlankNode::NamedNode(n) if n == graph))
        .collect())
}

/// The store, with a default graph (`UNION_MARKER`) that holds each triple of every graph once.
///
/// A quad of the union is kept only in the first graph that the store lists for its triple (the
/// default graph first, then named graphs in index order), so the answer is a set without
/// remembering what was seen: one extra index lookup per quad, and none when the previous quad
/// kept had the same triple (the indexes Oxigraph scans keep a triple's graphs together).
/// Terms are decoded, since Oxigraph's encoded terms are not public: slower than the native path,
/// which is why `View` uses this only when some triple is in two graphs.
#[derive(Clone)]
pub(crate) struct UnionSet {
    store: Store,
    /// The entailments' graph when inference is off.
    exclude: Option<NamedNode>,
}

type QuadResult = std::result::Result<InternalQuad<Term>, StorageError>;

impl<'a> QueryableDataset<'a> for UnionSet {
    type InternalTerm = Term;
    type Error = StorageError;

    fn internal_quads_for_pattern(
        &self,
        subject: Option<&Term>,
        predicate: Option<&Term>,
        object: Option<&Term>,
        graph_name: Option<Option<&Term>>,
    ) -> impl Iterator<Item = QuadResult> + use<'a> {
        let nothing = || -> Box<dyn Iterator<Item = QuadResult>> { Box::new(std::iter::empty()) };
        let subject = match subject {
            None => None,
            Some(Term::NamedNode(n)) => Some(NamedOrBlankNodeRef::from(n.as_ref())),
            Some(Term::BlankNode(b)) => Some(b.as_ref().into()),
            Some(Term::Literal(_)) => return nothing(),
        };
        let predicate = match predicate {
            None => None,
            Some(Term::NamedNode(n)) => Some(n.as_ref()),
            Some(_) => return nothing(),
        };
        let object = object.map(Term::as_ref);
        let graph = match graph_name {
            None => None,
            Some(None) => Some(GraphNameRef::DefaultGraph),
            Some(Some(Term::NamedNode(n))) if n.as_str() == UNION_MARKER => {
                return Box::new(self.union(subject, predicate, object));
            }
            Some(Some(Term::NamedNode(n))) => Some(n.as_ref().into()),
            Some(Some(Term::BlankNode(b))) => Some(b.as_ref().into()),
            Some(Some(Term::Literal(_))) => return nothing(),
        };
        let exclude = self.exclude.clone();
        Box::new(
            self.store
                .quads_for_pattern(subject, predicate, object, graph)
                .filter(move |q| !excluded(q, exclude.as_ref()))
                .map(|q| q.map(internal)),
        )
    }

    fn internal_named_graphs(
        &self,
    ) -> impl Iterator<Item = std::result::Result<Term, StorageError>> + use<'a> {
        let exclude = self.exclude.clone();
        self.store
            .named_graphs()
            .filter(move |g| {
                !matches!((g, &exclude), (Ok(NamedOrBlankNode::NamedNode(n)), Some(x)) if n == x)
            })
            .map(|g| g.map(Term::from))
    }

    fn contains_internal_graph_name(
        &self,
        graph_name: &Term,
    ) -> std::result::Result<bool, StorageError> {
        let graph = match graph_name {
            Term::NamedNode(n) if self.exclude.as_ref() == Some(n) => return Ok(false),
            Term::NamedNode(n) => NamedOrBlankNodeRef::from(n.as_ref()),
            Term::BlankNode(b) => b.as_ref().into(),
            Term::Literal(_) => return Ok(false),
        };
        self.store.contains_named_graph(graph)
    }

    fn internalize_term(&self, term: Term) -> std::result::Result<Term, StorageError> {
        Ok(term)
    }

    fn externalize_term(&self, term: Term) -> std::result::Result<Term, StorageError> {
        Ok(term)
    }
}

impl UnionSet {
    fn union(
        &self,
        subject: Option<NamedOrBlankNodeRef<'_>>,
        predicate: Option<NamedNodeRef<'_>>,
        object: Option<TermRef<'_>>,
    ) -> impl Iterator<Item = QuadResult> + 'static {
        let store = self.store.clone();
        let exclude = self.exclude.clone();
        let mut last_kept: Option<Quad> = None;
        self.store
            .quads_for_pattern(subject, predicate, object, None)
            .filter_map(move |quad| {
                let quad = match quad {
                    Ok(q) => q,
                    Err(e) => return Some(Err(e)),
                };
                if in_graph(&quad, exclude.as_ref()) {
                    return None;
                }
                if let Some(last) = &last_kept {
                    if same_triple(last, &quad) {
                        return None;
                    }
                }
                if !quad.graph_name.is_default_graph() {
                    let first = store
                        .quads_for_pattern(
                            Some(quad.subject.as_ref()),
                            Some(quad.predicate.as_ref()),
                            Some(quad.object.as_ref()),
                            None,
                        )
                        .find(|q| !excluded(q, exclude.as_ref()));
                    match first {
                        Some(Ok(first)) if first.graph_name != quad.graph_name => return None,
                        Some(Err(e)) => return Some(Err(e)),
                        _ => {}
                    }
                }
                let mut kept = internal(quad.clone());
                kept.graph_name = None;
                last_kept = Some(quad);
                Some(Ok(kept))
            })
    }
}

fn same_triple(a: &Quad, b: &Quad) -> bool {
    a.subject == b.subject && a.predicate == b.predicate && a.object == b.object
}

fn excluded(quad: &std::result::Result<Quad, StorageError>, exclude: Option<&NamedNode>) -> bool {
    quad.as_ref().is_ok_and(|q| in_graph(q, exclude))
}

fn in_graph(quad: &Quad, graph: Option<&NamedNode>) -> bool {
    matches!((&quad.graph_name, graph), (GraphName::NamedNode(n), Some(x)) if n == x)
}

fn internal(quad: Quad) -> InternalQuad<Term> {
    InternalQuad {
        subject: quad.subject.into(),
        predicate: quad.predicate.into(),
        object: quad.object,
        graph_name: match quad.graph_name {
            GraphName::DefaultGraph => None,
            GraphName::NamedNode(n) => Some(n.into()),
            GraphName::BlankNode(b) => Some(b.into()),
        },
    }
}
