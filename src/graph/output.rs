//! Writing traversal results: a readable table or chain, the subgraph's original triples (Turtle,
//! N-Triples), Graphviz DOT, GraphML and JSON. Writers take any `io::Write`.

use super::algo::{Component, Path, Ranked};
use super::project::{short, Projection};
use crate::error::{Error, Result};
use crate::format::OutputFormat;
use crate::prefixes::PrefixTable;
use crate::query::render::Table;
use oxigraph::model::{NamedOrBlankNodeRef, Triple};
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use std::collections::BTreeMap;
use std::io::Write;

/// A set of edges of the projection, as a path or a neighbourhood yields them.
pub struct Subgraph<'a> {
    pub projection: &'a Projection,
    pub edges: Vec<EdgeIndex>,
}

fn io(e: std::io::Error) -> Error {
    Error::io("<output>", e)
}

/// Writes paths (when given) or a neighbourhood in any of the traversal formats.
pub fn write_path_like(
    sub: &Subgraph<'_>,
    paths: Option<&[Path]>,
    format: OutputFormat,
    prefixes: &PrefixTable,
    out: &mut dyn Write,
) -> Result<()> {
    let p = sub.projection;
    match format {
        OutputFormat::Table => match paths {
            Some(paths) => {
                for (i, path) in paths.iter().enumerate() {
                    writeln!(
                        out,
                        "{}. {}  ({} {})",
                        i + 1,
                        chain(p, path, prefixes),
                        path.edges.len(),
                        if path.edges.len() == 1 { "hop" } else { "hops" }
                    )
                    .map_err(io)?;
                }
                Ok(())
            }
            None => {
                let mut table =
                    Table::new(vec!["subject".into(), "predicate".into(), "object".into()]);
                for e in &sub.edges {
                    let (s, o) = p
                        .graph
                        .edge_endpoints(*e)
                        .ok_or_else(|| Error::Evaluation("edge vanished".into()))?;
                    table.push(vec![
                        p.name(s, prefixes),
                        p.predicate_name(p.graph[*e], prefixes),
                        p.name(o, prefixes),
                    ]);
                }
                table.write(out).map_err(io)
            }
        },
        OutputFormat::Turtle | OutputFormat::NTriples => {
            let triples = sub_triples(sub);
            if format == OutputFormat::Turtle {
                crate::export::write_turtle(&triples, prefixes, out)
            } else {
                crate::export::write_triples(
                    &triples,
                    oxigraph::io::RdfFormat::NTriples,
                    prefixes,
                    out,
                )
            }
        }
        OutputFormat::Dot => write_dot(sub, prefixes, out),
        OutputFormat::GraphMl => {
            let g = small_graph(sub, prefixes);
            petgraph_graphml::GraphMl::new(&g)
                .pretty_print(true)
                .export_node_weights(Box::new(|(iri, label)| {
                    vec![
                        ("iri".into(), iri.as_str().into()),
                        ("label".into(), label.as_str().into()),
                    ]
                }))
                .export_edge_weights(Box::new(|(iri, label)| {
                    vec![
                        ("predicate".into(), iri.as_str().into()),
                        ("label".into(), label.as_str().into()),
                    ]
                }))
                .to_writer(&mut *out)
                .map_err(io)?;
            writeln!(out).map_err(io)
        }
        OutputFormat::Json => {
            let node_json = |n: NodeIndex| serde_json::json!({ "id": term_id(p.term(n)), "label": p.name(n, prefixes) });
            let mut nodes = BTreeMap::new();
            let mut edges = Vec::new();
            for e in &sub.edges {
                if let Some((s, o)) = p.graph.edge_endpoints(*e) {
                    nodes.insert(s, node_json(s));
                    nodes.insert(o, node_json(o));
                    edges.push(serde_json::json!({
                        "source": term_id(p.term(s)),
                        "predicate": p.predicates[p.graph[*e] as usize].as_str(),
                        "label": p.predicate_name(p.graph[*e], prefixes),
                        "target": term_id(p.term(o)),
                    }));
                }
            }
            let mut value = serde_json::json!({ "nodes": nodes.into_values().collect::<Vec<_>>(), "edges": edges });
            if let Some(paths) = paths {
                value["paths"] = paths
                    .iter()
                    .map(|path| {
                        serde_json::json!({
                            "nodes": path.nodes.iter().map(|n| term_id(p.term(*n))).collect::<Vec<_>>(),
                            "length": path.edges.len(),
                        })
                    })
                    .collect();
            }
            serde_json::to_writer_pretty(&mut *out, &value).map_err(|e| io(e.into()))?;
            writeln!(out).map_err(io)
        }
        other => Err(Error::FormatMismatch {
            what: "a path or neighbourhood",
            format: other.name().to_owned(),
            expected: "table, turtle, ntriples, dot, graphml, json".to_owned(),
        }),
    }
}

/// `Nvidia —[supplier to]→ X ←[located in]— Japan`
pub fn chain(p: &Projection, path: &Path, prefixes: &PrefixTable) -> String {
    let mut s = p.name(path.nodes[0], prefixes);
    for (i, (e, forward)) in path.edges.iter().enumerate() {
        let pred = p.predicate_name(p.graph[*e], prefixes);
        let next = p.name(path.nodes[i + 1], prefixes);
        if *forward {
            s.push_str(&format!(" —[{pred}]→ {next}"));
        } else {
            s.push_str(&format!(" ←[{pred}]— {next}"));
        }
    }
    s
}

fn term_id(t: NamedOrBlankNodeRef<'_>) -> String {
    match t {
        NamedOrBlankNodeRef::NamedNode(n) => n.as_str().to_owned(),
        NamedOrBlankNodeRef::BlankNode(b) => format!("_:{}", b.as_str()),
    }
}

fn sub_triples(sub: &Subgraph<'_>) -> Vec<Triple> {
    let p = sub.projection;
    sub.edges
        .iter()
        .filter_map(|e| {
            let (s, o) = p.graph.edge_endpoints(*e)?;
            Some(Triple::new(
                p.term(s).into_owned(),
                p.predicates[p.graph[*e] as usize].clone(),
                p.term(o).into_owned(),
            ))
        })
        .collect()
}

/// The subgraph as a small petgraph graph of (IRI, label) nodes and (predicate IRI, label) edges, in a stable order.
fn small_graph(
    sub: &Subgraph<'_>,
    prefixes: &PrefixTable,
) -> DiGraph<(String, String), (String, String)> {
    let p = sub.projection;
    let mut g = DiGraph::new();
    let mut map = BTreeMap::new();
    let mut nodes: Vec<NodeIndex> = sub
        .edges
        .iter()
        .filter_map(|e| p.graph.edge_endpoints(*e))
        .flat_map(|(s, o)| [s, o])
        .collect();
    nodes.sort();
    nodes.dedup();
    for n in nodes {
        map.insert(n, g.add_node((term_id(p.term(n)), p.name(n, prefixes))));
    }
    for e in &sub.edges {
        if let Some((s, o)) = p.graph.edge_endpoints(*e) {
            let w = p.graph[*e];
            g.add_edge(
                map[&s],
                map[&o],
                (
                    p.predicates[w as usize].as_str().to_owned(),
                    p.predicate_name(w, prefixes),
                ),
            );
        }
    }
    g
}

fn write_dot(sub: &Subgraph<'_>, prefixes: &PrefixTable, out: &mut dyn Write) -> Result<()> {
    use petgraph::dot::{Config, Dot};
    let g = small_graph(sub, prefixes);
    let escape = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let edge_attrs = |_, e: petgraph::graph::EdgeReference<'_, (String, String)>| {
        format!("label = \"{}\"", escape(&e.weight().1))
    };
    let node_attrs = |_, (_, (iri, label)): (NodeIndex, &(String, String))| {
        format!(
            "label = \"{}\" tooltip = \"{}\"",
            escape(label),
            escape(iri)
        )
    };
    let dot = Dot::with_attr_getters(
        &g,
        &[Config::NodeNoLabel, Config::EdgeNoLabel],
        &edge_attrs,
        &node_attrs,
    );
    // Labels come from the attribute getters; Debug only selects the formatting of the (unused) weights.
    writeln!(out, "{dot:?}").map_err(io)
}

/// Writes PageRank and degree, best first, top `n`.
pub fn write_ranking(
    p: &Projection,
    ranked: &[Ranked],
    top: usize,
    format: OutputFormat,
    prefixes: &PrefixTable,
    out: &mut dyn Write,
) -> Result<()> {
    let rows = ranked.iter().take(top);
    match format {
        OutputFormat::Json => {
            let v: Vec<_> = rows
                .map(|r| serde_json::json!({ "node": term_id(p.term(r.node)), "label": p.name(r.node, prefixes), "pagerank": r.score, "in_degree": r.in_degree, "out_degree": r.out_degree }))
                .collect();
            serde_json::to_writer_pretty(&mut *out, &v).map_err(|e| io(e.into()))?;
            writeln!(out).map_err(io)
        }
        OutputFormat::Table | OutputFormat::Csv | OutputFormat::Tsv => {
            let mut table = Table::new(vec![
                "rank".into(),
                "node".into(),
                "label".into(),
                "pagerank".into(),
                "in".into(),
                "out".into(),
            ]);
            for (i, r) in rows.enumerate() {
                table.push(vec![
                    (i + 1).to_string(),
                    short(p.term(r.node), prefixes),
                    p.name(r.node, prefixes),
                    format!("{:.6}", r.score),
                    r.in_degree.to_string(),
                    r.out_degree.to_string(),
                ]);
            }
            table.write(out).map_err(io)
        }
        other => Err(Error::FormatMismatch {
            what: "a ranking",
            format: other.name().to_owned(),
            expected: "table, json".to_owned(),
        }),
    }
}

/// Writes components with their sizes and a sample member.
pub fn write_components(
    p: &Projection,
    comps: &[Component],
    top: usize,
    format: OutputFormat,
    prefixes: &PrefixTable,
    out: &mut dyn Write,
) -> Result<()> {
    match format {
        OutputFormat::Json => {
            let v: Vec<_> = comps
                .iter()
                .take(top)
                .map(|c| serde_json::json!({ "component": c.id, "size": c.members.len(), "sample": term_id(p.term(c.members[0])) }))
                .collect();
            serde_json::to_writer_pretty(&mut *out, &v).map_err(|e| io(e.into()))?;
            writeln!(out).map_err(io)
        }
        OutputFormat::Table => {
            writeln!(out, "{} components, {} nodes", comps.len(), p.node_count()).map_err(io)?;
            let mut table = Table::new(vec![
                "component".into(),
                "size".into(),
                "sample member".into(),
            ]);
            for c in comps.iter().take(top) {
                table.push(vec![
                    c.id.to_string(),
                    c.members.len().to_string(),
                    p.name(c.members[0], prefixes),
                ]);
            }
            table.write(out).map_err(io)
        }
        other => Err(Error::FormatMismatch {
            what: "components",
            format: other.name().to_owned(),
            expected: "table, json".to_owned(),
        }),
    }
}
