//! What the store says about one entity: its edges both ways, what the blank nodes it points to
//! hold, and the evidence quotes of its facts. The REPL's `.describe` prints it as a table and
//! `kg serve`'s entity page draws it as HTML; both read it from here.
//!
//! Pure reads through `Backend::query` (the store or a remote endpoint); nothing here formats for a terminal or a browser.

use crate::backend::Backend;
use crate::error::Result;
use crate::query::{Outcome, QueryOptions};
use oxigraph::model::{NamedNode, Term};
use std::collections::BTreeMap;
use std::path::Path;

const EVIDENCE: &str = "https://w3id.org/kg/ns#evidence";

/// One entity's facts.
#[derive(Debug, Clone)]
pub struct Description {
    pub node: NamedNode,
    /// Outgoing edges first, then incoming, each sorted by predicate and value.
    pub edges: Vec<Edge>,
    /// What each blank node the entity points to holds, keyed by the node's N-Triples form: an
    /// evidence node as its quote and document, any other as `[p value; …]`.
    pub inline: BTreeMap<String, String>,
    /// The evidence quotes of the entity's facts, in the order of their nodes.
    pub evidence: Vec<Evidence>,
}

/// An edge of the entity: `node predicate value` when `outgoing`, else `value predicate node`.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub outgoing: bool,
    pub predicate: Term,
    pub value: Term,
}

/// A verbatim quote of a source document that supports the entity's facts.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub quote: String,
    /// The document's file name (`dct:identifier`), when the store has it.
    pub file: Option<String>,
    /// The document's IRI.
    pub document: Option<Term>,
}

/// What a node holds inline: a blank node, or the skolem IRI a remote load gave one
/// (`/.well-known/genid/`, RDF 1.1 §3.5).
const HELD: &str = "(isBlank(?b) || CONTAINS(STR(?b), \"/.well-known/genid/\"))";

/// Describes `node` with the options' inference setting; the IRI is validated by its type.
pub fn describe(store: &Backend, node: &NamedNode, options: &QueryOptions) -> Result<Description> {
    // A `NamedNode`'s Display is N-Triples syntax, so it is safe in the query text.
    let query = format!(
        "SELECT DISTINCT ?direction ?p ?value WHERE {{ {{ {node} ?p ?value BIND(\"→\" AS ?direction) }} UNION {{ ?value ?p {node} BIND(\"←\" AS ?direction) }} }} ORDER BY DESC(?direction) STR(?p) STR(?value)"
    );
    let mut edges = Vec::new();
    if let Outcome::Solutions { solutions, .. } = store.query(&query, options)? {
        for s in solutions {
            let s = s?;
            let (Some(Term::Literal(d)), Some(p), Some(value)) =
                (s.get("direction"), s.get("p"), s.get("value"))
            else {
                continue;
            };
            edges.push(Edge {
                outgoing: d.value() == "→",
                predicate: p.clone(),
                value: value.clone(),
            });
        }
    }
    let mut inline = BTreeMap::new();
    let mut evidence = Vec::new();
    let query = format!(
        "SELECT ?b ?quote ?doc ?file WHERE {{ {node} <{EVIDENCE}> ?b . FILTER({HELD})
           ?b <http://www.w3.org/ns/oa#hasSelector>/<http://www.w3.org/ns/oa#exact> ?quote .
           OPTIONAL {{ ?b <http://www.w3.org/ns/oa#hasSource> ?doc . OPTIONAL {{ ?doc <http://purl.org/dc/terms/identifier> ?file }} }} }} ORDER BY STR(?b) STR(?quote)"
    );
    if let Outcome::Solutions { solutions, .. } = store.query(&query, options)? {
        for s in solutions {
            let s = s?;
            let (Some(b), Some(Term::Literal(quote))) = (s.get("b"), s.get("quote")) else {
                continue;
            };
            let file = match s.get("file") {
                Some(Term::Literal(f)) => Some(f.value().to_owned()),
                _ => None,
            };
            let shown = match &file {
                Some(f) => format!("“{}” — {f}", quote.value()),
                None => format!("“{}”", quote.value()),
            };
            inline.insert(b.to_string(), shown);
            evidence.push(Evidence {
                quote: quote.value().to_owned(),
                file,
                document: s.get("doc").cloned(),
            });
        }
    }
    let query = format!(
        "SELECT ?b ?p ?o WHERE {{ {node} ?q ?b . FILTER({HELD} && ?q != <{EVIDENCE}>) ?b ?p ?o }} ORDER BY ?b STR(?p) STR(?o)"
    );
    if let Outcome::Solutions { solutions, .. } = store.query(&query, options)? {
        let mut parts: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for s in solutions {
            let s = s?;
            let (Some(b), Some(p), Some(o)) = (s.get("b"), s.get("p"), s.get("o")) else {
                continue;
            };
            let p = crate::query::render::display_term(p.as_ref(), store.prefixes());
            let o = crate::query::render::display_term(o.as_ref(), store.prefixes());
            let part = if p == "rdf:type" {
                format!("a {o}")
            } else {
                format!("{p} {o}")
            };
            parts.entry(b.to_string()).or_default().push(part);
        }
        for (b, mut p) in parts {
            p.sort_by_key(|x| !x.starts_with("a "));
            inline.insert(b, format!("[{}]", p.join("; ")));
        }
    }
    Ok(Description {
        node: node.clone(),
        edges,
        inline,
        evidence,
    })
}

/// The sentence of `text` around the first occurrence of `quote`, as (before, quote, after):
/// from the end of the previous sentence (`.`, `!`, `?`, `。`, a blank line) to the end of the
/// quote's, at most 300 characters each side. `None` when the quote is not in the text.
pub fn sentence<'a>(text: &'a str, quote: &str) -> Option<(&'a str, &'a str, &'a str)> {
    if quote.is_empty() {
        return None;
    }
    let start = text.find(quote)?;
    let end = start + quote.len();
    let is_end = |c: char| matches!(c, '.' | '!' | '?' | '。' | '！' | '？' | '\n');
    let mut from = start;
    for (taken, (i, c)) in text[..start].char_indices().rev().enumerate() {
        if is_end(c) || taken >= 300 {
            break;
        }
        from = i;
    }
    let mut to = end;
    for (taken, (i, c)) in text[end..].char_indices().enumerate() {
        to = end + i + c.len_utf8();
        if is_end(c) || taken >= 300 {
            break;
        }
    }
    Some((
        text[from..start].trim_start(),
        &text[start..end],
        text[end..to].trim_end(),
    ))
}

/// Reads a source document of `docs` by its file name, refusing names that leave the directory.
pub fn read_document(docs: &Path, file: &str) -> Option<String> {
    let name = Path::new(file);
    if name.components().count() != 1 || file.starts_with('.') {
        return None;
    }
    std::fs::read_to_string(docs.join(name)).ok()
}

#[cfg(test)]
mod tests {
    use super::sentence;

    #[test]
    fn the_sentence_around_a_quote() {
        let text = "First one. The fund holds 10 bn won in total. Last.";
        assert_eq!(
            sentence(text, "10 bn won"),
            Some(("The fund holds ", "10 bn won", " in total."))
        );
        assert_eq!(
            sentence("상자. 예산은 5조 원이다。끝", "5조 원"),
            Some(("예산은 ", "5조 원", "이다。"))
        );
        assert_eq!(sentence(text, "absent"), None);
    }
}
