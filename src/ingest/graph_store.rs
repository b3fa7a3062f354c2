//! One graph at a time, as the SPARQL 1.1 Graph Store Protocol reads and writes it: replace a
//! graph with a document (PUT), add a document to it (POST), delete it. Each write is one
//! atomic step: the whole body is parsed before anything is written, so a syntax error, a
//! dropped connection or a kill leaves the graph as it was.

use crate::error::{rdf_parse_error, Error, Result};
use crate::store::KgStore;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphNameRef, NamedNode, NamedOrBlankNodeRef, Quad};
use std::io::Read;

/// A graph of the store named by a request: the store's own default graph (not the union that
/// queries see) or a named graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphTarget {
    Default,
    Named(NamedNode),
}

impl GraphTarget {
    fn name(&self) -> GraphNameRef<'_> {
        match self {
            GraphTarget::Default => GraphNameRef::DefaultGraph,
            GraphTarget::Named(n) => GraphNameRef::NamedNode(n.as_ref()),
        }
    }
}

/// What a write did: whether the graph was new, and how many triples the body had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GraphWrite {
    pub created: bool,
    pub triples: u64,
}

/// Whether the graph exists: the default graph always does; a named graph once it was written.
pub fn graph_exists(store: &KgStore, target: &GraphTarget) -> Result<bool> {
    Ok(match target {
        GraphTarget::Default => true,
        GraphTarget::Named(n) => store
            .raw()
            .contains_named_graph(NamedOrBlankNodeRef::NamedNode(n.as_ref()))?,
    })
}

/// Parses `body` as one graph in `format` and writes it into `target`: with `replace` the graph
/// holds exactly the body's triples afterwards, otherwise they are added. Blank nodes of the body
/// are new nodes, never ones already stored. Returns the quads written, so the entailments can be
/// refreshed from them when nothing was removed.
pub fn write_graph(
    store: &KgStore,
    target: &GraphTarget,
    format: RdfFormat,
    body: impl Read,
    base_iri: Option<&str>,
    replace: bool,
) -> Result<(GraphWrite, Vec<Quad>)> {
    let mut parser = RdfParser::from_format(format)
        .rename_blank_nodes()
        .without_named_graphs()
        .with_default_graph(target.name().into_owned());
    if let Some(base) = base_iri {
        parser = parser
            .with_base_iri(base)
            .map_err(|e| Error::BadInput(format!("invalid base IRI <{base}>: {e}")))?;
    }
    let mut quads = Vec::new();
    for quad in parser.for_reader(body) {
        quads.push(quad.map_err(|e| rdf_parse_error(e, "<request body>"))?);
    }
    let existed = graph_exists(store, target)?;
    let mut txn = store.transaction()?;
    if replace {
        txn.clear_graph(target.name())?;
    }
    if let GraphTarget::Named(n) = target {
        txn.insert_named_graph(NamedOrBlankNodeRef::NamedNode(n.as_ref()));
    }
    txn.extend(quads.iter());
    txn.commit()?;
    store.record_write()?;
    Ok((
        GraphWrite {
            created: !existed,
            triples: quads.len() as u64,
        },
        quads,
    ))
}

/// Deletes a named graph, or empties the default graph; `false` when the named graph did not exist.
pub fn delete_graph(store: &KgStore, target: &GraphTarget) -> Result<bool> {
    if !graph_exists(store, target)? {
        return Ok(false);
    }
    let mut txn = store.transaction()?;
    match target {
        GraphTarget::Default => txn.clear_graph(GraphNameRef::DefaultGraph)?,
        GraphTarget::Named(n) => {
            txn.remove_named_graph(NamedOrBlankNodeRef::NamedNode(n.as_ref()))?
        }
    }
    txn.commit()?;
    store.record_write()?;
    Ok(true)
}
