//! The store's prefix table: fed to the SPARQL evaluator so queries need no `PREFIX` lines,
//! and used to shorten IRIs in tables and Turtle.
//!
//! Pure data: reading and writing the table's file is the store's business.

use std::collections::BTreeMap;

/// The vocabularies every kg store knows without being told, kg's own namespaces among them.
pub const STANDARD: &[(&str, &str)] = &[
    ("dcterms", "http://purl.org/dc/terms/"),
    ("kg", "https://w3id.org/kg/ns#"),
    ("kgi", "https://w3id.org/kg/id/"),
    ("oa", "http://www.w3.org/ns/oa#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("schema", "https://schema.org/"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
];

/// Prefix name → namespace IRI, kept sorted so every listing and export is stable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrefixTable {
    map: BTreeMap<String, String>,
}

impl PrefixTable {
    /// A SPARQL parser that knows the table's prefixes, as the store's evaluator does.
    pub fn sparql_parser(&self, base: Option<&str>) -> Result<spargebra::SparqlParser, String> {
        let mut parser = spargebra::SparqlParser::new();
        if let Some(base) = base {
            parser = parser
                .with_base_iri(base)
                .map_err(|e| format!("invalid base IRI <{base}>: {e}"))?;
        }
        for (p, iri) in self.iter() {
            // Names and IRIs were validated on insert, so this cannot fail; skip defensively.
            if let Ok(with) = parser.clone().with_prefix(p, iri) {
                parser = with;
            }
        }
        Ok(parser)
    }

    /// A table holding the standard prefixes only.
    pub fn standard() -> Self {
        let mut table = Self::default();
        for (p, iri) in STANDARD {
            table.map.insert((*p).to_owned(), (*iri).to_owned());
        }
        table
    }

    /// Adds or replaces a prefix. Returns false when the name is not a valid Turtle/SPARQL prefix name.
    pub fn insert(&mut self, prefix: &str, iri: &str) -> bool {
        if !is_valid_prefix_name(prefix) || oxigraph::model::NamedNode::new(iri).is_err() {
            return false;
        }
        self.map.insert(prefix.to_owned(), iri.to_owned());
        true
    }

    /// Learns a prefix from a loaded file, without overriding one the user already has under that name.
    pub fn learn(&mut self, prefix: &str, iri: &str) -> bool {
        if self.map.contains_key(prefix) || self.map.values().any(|v| v == iri) {
            return false;
        }
        self.insert(prefix, iri)
    }

    pub fn remove(&mut self, prefix: &str) -> Option<String> {
        self.map.remove(prefix)
    }

    pub fn get(&self, prefix: &str) -> Option<&str> {
        self.map.get(prefix).map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Splits an IRI into (prefix, local name) using the longest matching namespace,
    /// only when the local name is valid in a Turtle and SPARQL prefixed name.
    pub fn split<'a, 'b>(&'a self, iri: &'b str) -> Option<(&'a str, &'b str)> {
        self.map
            .iter()
            .filter(|(_, ns)| iri.starts_with(ns.as_str()))
            .max_by_key(|(p, ns)| (ns.len(), std::cmp::Reverse(p.as_str())))
            .map(|(p, ns)| (p.as_str(), &iri[ns.len()..]))
            .filter(|(_, local)| is_safe_local_name(local))
    }

    /// `prefix:local` for an IRI when a prefix fits, otherwise `None`.
    pub fn shorten(&self, iri: &str) -> Option<String> {
        self.split(iri).map(|(p, l)| format!("{p}:{l}"))
    }

    /// Expands `prefix:local` to a full IRI when the prefix is known.
    pub fn expand(&self, pname: &str) -> Option<String> {
        let (p, local) = pname.split_once(':')?;
        Some(format!("{}{local}", self.get(p)?))
    }

    /// Reads the table's persisted form: one `prefix<TAB>iri` per line.
    pub fn from_tsv(text: &str) -> Self {
        let mut table = Self::default();
        for line in text.lines() {
            if let Some((p, iri)) = line.split_once('\t') {
                table.insert(p, iri);
            }
        }
        table
    }

    pub fn to_tsv(&self) -> String {
        self.map
            .iter()
            .map(|(p, iri)| format!("{p}\t{iri}\n"))
            .collect()
    }
}

/// A SPARQL/Turtle PN_PREFIX, restricted to ASCII (the empty prefix is allowed).
pub fn is_valid_prefix_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        None => true,
        Some(c) if c.is_ascii_alphabetic() => {
            !name.ends_with('.')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        }
        Some(_) => false,
    }
}

/// A conservative PN_LOCAL: ASCII letters, digits, `_`, `-` and inner `.`, so every reader accepts it
/// without escapes (serd and raptor are strict).
fn is_safe_local_name(local: &str) -> bool {
    let Some(first) = local.chars().next() else {
        return false;
    };
    (first.is_ascii_alphanumeric() || first == '_')
        && !local.ends_with('.')
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortens_with_longest_namespace() {
        let mut t = PrefixTable::standard();
        t.insert("ex", "http://example.org/");
        t.insert("exa", "http://example.org/a/");
        assert_eq!(
            t.shorten("http://example.org/a/b").as_deref(),
            Some("exa:b")
        );
        assert_eq!(t.shorten("http://example.org/x").as_deref(), Some("ex:x"));
        assert_eq!(t.shorten("http://example.org/x/y"), None);
        assert_eq!(t.shorten("http://example.org/"), None);
        assert_eq!(
            t.shorten("http://www.w3.org/2001/XMLSchema#date")
                .as_deref(),
            Some("xsd:date")
        );
    }

    #[test]
    fn tsv_round_trip() {
        let t = PrefixTable::standard();
        assert_eq!(PrefixTable::from_tsv(&t.to_tsv()), t);
    }
}
