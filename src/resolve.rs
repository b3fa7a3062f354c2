//! Naming things the way people do: an IRI, a prefixed name, or a label in any language.
//!
//! Used by `.describe` and the graph commands. Exact label matches win over case-insensitive ones;
//! a name that fits several things is an error listing them, never a guess.

use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::prefixes::PrefixTable;
use crate::store::KgStore;
use oxigraph::model::{NamedNode, Term};

const LABELLED: &str = "?s <http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel>|<http://www.w3.org/2004/02/skos/core#altLabel> ?l";

/// Every (label, IRI) of the store, from `rdfs:label`, `skos:prefLabel` and `skos:altLabel`, sorted.
pub fn labels(store: &KgStore) -> Result<Vec<(String, String)>> {
    Ok(pairs(&store.select(&format!(
        "SELECT DISTINCT ?s ?l WHERE {{ {LABELLED} FILTER(isIRI(?s)) }}"
    ))?))
}

/// The (label, IRI) pairs whose label contains `name` (any case), at most 500: what resolving a
/// label needs on a remote endpoint, where reading every label would scan a large store.
pub fn labels_matching(backend: &Backend, name: &str) -> Result<Vec<(String, String)>> {
    if let Backend::Embedded(store) = backend {
        return labels(store);
    }
    let needle = oxigraph::model::Literal::new_simple_literal(name.trim().to_lowercase());
    Ok(pairs(&backend.select(&format!(
        "SELECT DISTINCT ?s ?l WHERE {{ {LABELLED} FILTER(isIRI(?s) && CONTAINS(LCASE(STR(?l)), {needle})) }} LIMIT 500"
    ))?))
}

/// (label, IRI) of rows binding `?s` and `?l`, sorted.
fn pairs(rows: &[oxigraph::sparql::QuerySolution]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = rows
        .iter()
        .filter_map(|s| match (s.get("s"), s.get("l")) {
            (Some(Term::NamedNode(n)), Some(Term::Literal(l))) => {
                Some((l.value().to_owned(), n.as_str().to_owned()))
            }
            _ => None,
        })
        .collect();
    out.sort();
    out
}

/// A name that is an IRI (`<…>`, `http…:`, `urn:`) or a prefixed name resolves without labels;
/// `None` for a name only labels can resolve.
pub fn resolve_name(prefixes: &PrefixTable, name: &str) -> Option<Result<NamedNode>> {
    let name = name.trim();
    if let Some(iri) = name.strip_prefix('<').and_then(|n| n.strip_suffix('>')) {
        return Some(
            NamedNode::new(iri).map_err(|e| Error::BadInput(format!("invalid IRI <{iri}>: {e}"))),
        );
    }
    if let Some((p, _)) = name.split_once(':') {
        if let Some(iri) = prefixes.expand(name) {
            return Some(
                NamedNode::new(iri)
                    .map_err(|e| Error::BadInput(format!("invalid name {name}: {e}"))),
            );
        }
        if p.starts_with("http") || p == "urn" {
            return Some(
                NamedNode::new(name)
                    .map_err(|e| Error::BadInput(format!("invalid IRI {name}: {e}"))),
            );
        }
    }
    None
}

/// Resolves a user's name for a resource to its IRI.
pub fn resolve(
    prefixes: &PrefixTable,
    name: &str,
    labels: &[(String, String)],
) -> Result<NamedNode> {
    if let Some(iri) = resolve_name(prefixes, name) {
        return iri;
    }
    let name = name.trim();
    let pick = |matches: Vec<&String>| -> Option<Result<NamedNode>> {
        let mut iris: Vec<&String> = matches;
        iris.sort();
        iris.dedup();
        match iris.len() {
            0 => None,
            1 => Some(Ok(NamedNode::new_unchecked(iris[0].as_str()))),
            _ => Some(Err(Error::Ambiguous {
                name: name.to_owned(),
                candidates: iris
                    .iter()
                    .map(|iri| {
                        let names: Vec<&str> = labels
                            .iter()
                            .filter(|(_, i)| i == *iri)
                            .map(|(l, _)| l.as_str())
                            .collect();
                        format!(
                            "{} ({})",
                            prefixes.shorten(iri).unwrap_or_else(|| format!("<{iri}>")),
                            names.join(", ")
                        )
                    })
                    .collect(),
            })),
        }
    };
    if let Some(r) = pick(
        labels
            .iter()
            .filter(|(l, _)| l == name)
            .map(|(_, i)| i)
            .collect(),
    ) {
        return r;
    }
    let folded = name.to_lowercase();
    if let Some(r) = pick(
        labels
            .iter()
            .filter(|(l, _)| l.to_lowercase() == folded)
            .map(|(_, i)| i)
            .collect(),
    ) {
        return r;
    }
    let mut candidates: Vec<String> = labels
        .iter()
        .filter(|(l, _)| {
            let l = l.to_lowercase();
            l.contains(&folded) || strsim::jaro_winkler(&l, &folded) > 0.85
        })
        .map(|(l, _)| l.clone())
        .collect();
    candidates.sort();
    candidates.dedup();
    candidates.truncate(8);
    Err(Error::NotFound {
        kind: "resource",
        name: name.to_owned(),
        candidates,
    })
}
