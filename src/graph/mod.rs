//! Graph traversals over a petgraph projection of the store: paths as answers, neighbourhoods,
//! rankings, components, and writing the results back as triples.
//!
//! The projection is built once per command (the REPL caches it until the store changes);
//! everything after that is in memory and never touches the store.

mod algo;
mod output;
mod project;

pub use algo::{
    components, k_shortest_paths, neighbourhood, rank, Component, Path, PathOptions, Ranked,
};
pub use output::chain;
pub use output::{write_components, write_path_like, write_ranking, Subgraph};
pub use project::{Projection, ProjectionOptions};

use crate::error::Result;
use crate::store::KgStore;
use oxigraph::model::{GraphName, Literal, NamedNode, Quad};

const KG: &str = "https://w3id.org/kg/ns#";

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
        let node = p.graph[r.node].clone();
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
                p.graph[m].clone(),
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
