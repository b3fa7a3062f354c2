//! The ontology's terms as a sheet author needs them: the classes, and for one class the
//! properties it takes (those whose `rdfs:domain` is the class or one of its superclasses) with
//! their ranges, in the prefixed names a sheet writes.

use crate::error::{Error, Result};
use crate::ingest::ontology::Vocabulary;

/// One line of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermRow {
    /// The prefixed name a sheet writes (`kg:BudgetAllocation`).
    pub name: String,
    pub label: String,
    /// For a class: its superclasses. For a property: its range.
    pub range: String,
    /// For a property: the class its domain names (the asked class or a superclass), or `any` when it has none.
    pub domain: String,
    pub comment: String,
}

/// Every class, sorted by prefixed name.
pub fn classes(v: &Vocabulary) -> Vec<TermRow> {
    let mut rows: Vec<TermRow> = v
        .classes
        .iter()
        .map(|(iri, info)| TermRow {
            name: shorten(v, iri),
            label: info.label().unwrap_or_default().to_owned(),
            range: String::new(),
            domain: String::new(),
            comment: info.comment.clone().unwrap_or_default(),
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    rows
}

/// The properties a record of `class` takes: first those whose domain is the class or a
/// superclass (most specific first), then those with no domain, which any record takes.
pub fn properties_of(v: &Vocabulary, class: &str) -> Result<Vec<TermRow>> {
    let iri = expand(v, class)
        .filter(|i| v.classes.contains_key(i))
        .ok_or_else(|| Error::NotFound {
            kind: "class",
            name: class.to_owned(),
            candidates: expand(v, class)
                .map(|i| v.nearest_classes(&i))
                .unwrap_or_default()
                .iter()
                .map(|c| shorten(v, c))
                .collect(),
        })?;
    let mut rows: Vec<(u8, TermRow)> = Vec::new();
    for (p, info) in &v.properties {
        let (rank, domain) = match &info.domain {
            Some(d) if d == &iri => (0, shorten(v, d)),
            // Properties of everything (schema:Thing) come after those of the class's own ancestors.
            Some(d) if d.ends_with("/Thing") || d.ends_with("#Thing") => (2, shorten(v, d)),
            Some(d) if v.is_subclass(&iri, d) => (1, shorten(v, d)),
            Some(_) => continue,
            None => (3, "any".to_owned()),
        };
        rows.push((
            rank,
            TermRow {
                name: shorten(v, p),
                label: info.label().unwrap_or_default().to_owned(),
                range: info
                    .range
                    .as_deref()
                    .map_or_else(|| "any".to_owned(), |r| shorten(v, r)),
                domain,
                comment: info.comment.clone().unwrap_or_default(),
            },
        ));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
    Ok(rows.into_iter().map(|(_, r)| r).collect())
}

/// An IRI as a prefixed name of the ontology's prefixes (the longest namespace wins), else `<iri>`.
pub fn shorten(v: &Vocabulary, iri: &str) -> String {
    let standard = crate::prefixes::STANDARD.iter().map(|(p, ns)| (*p, *ns));
    v.prefixes
        .iter()
        .map(|(p, ns)| (p.as_str(), ns.as_str()))
        .chain(standard)
        .filter(|(p, ns)| !p.is_empty() && iri.starts_with(ns) && iri.len() > ns.len())
        .max_by_key(|(_, ns)| ns.len())
        .map_or_else(
            || format!("<{iri}>"),
            |(p, ns)| format!("{p}:{}", &iri[ns.len()..]),
        )
}

/// A prefixed name (or `<iri>`, or a full IRI) as an IRI.
pub fn expand(v: &Vocabulary, name: &str) -> Option<String> {
    if let Some(full) = name.strip_prefix('<').and_then(|n| n.strip_suffix('>')) {
        return Some(full.to_owned());
    }
    if name.contains("://") {
        return Some(name.to_owned());
    }
    let (p, local) = name.split_once(':')?;
    v.prefixes
        .iter()
        .find(|(q, _)| q == p)
        .map(|(_, ns)| format!("{ns}{local}"))
        .or_else(|| {
            crate::prefixes::STANDARD
                .iter()
                .find(|(q, _)| *q == p)
                .map(|(_, ns)| format!("{ns}{local}"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_class_takes_the_properties_of_its_superclasses() {
        let v = Vocabulary::builtin();
        let rows = properties_of(v, "kg:BudgetAllocation").unwrap();
        let beneficiary = rows.iter().find(|r| r.name == "kg:beneficiary").unwrap();
        assert_eq!(beneficiary.domain, "kg:Fact");
        let err = properties_of(v, "kg:Allocation").unwrap_err().to_string();
        assert!(err.contains("kg:BudgetAllocation"), "{err}");
        assert_eq!(
            v.nearest_properties("https://w3id.org/kg/ns#recipient")
                .first()
                .map(String::as_str),
            Some("https://w3id.org/kg/ns#beneficiary")
        );
    }
}
