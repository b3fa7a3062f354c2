//! Export: the store (or one graph) in any RDF format, and the pretty, byte-stable Turtle writer.
//!
//! Oxigraph's Turtle writer streams what it is fed; the Turtle here is what a person writes by hand:
//! only the prefixes used, subjects sorted and grouped with `;` and `,`, `a` first, and blank nodes
//! that are referenced once written inline as `[ … ]`. Term escaping is Oxigraph's, never ours.

use crate::error::{Error, Result};
use crate::prefixes::PrefixTable;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{GraphNameRef, Literal, NamedNode, NamedOrBlankNode, Quad, Term, Triple};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Write;

/// Which part of the store to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphSelection {
    /// Every graph. Triple formats and JSON-LD merge them; TriG and N-Quads keep their names.
    All,
    Default,
    Named(NamedNode),
}

/// Exports the selection in `format`; returns the number of triples or quads written.
pub fn export(
    store: &crate::store::KgStore,
    format: RdfFormat,
    selection: &GraphSelection,
    out: &mut dyn Write,
) -> Result<u64> {
    let prefixes = store.prefixes();
    let graph = match selection {
        GraphSelection::All => None,
        GraphSelection::Default => Some(GraphNameRef::DefaultGraph),
        GraphSelection::Named(n) => {
            if !store.raw().contains_named_graph(n)? {
                return Err(Error::NotFound {
                    kind: "graph",
                    name: n.to_string(),
                    candidates: Vec::new(),
                });
            }
            Some(GraphNameRef::NamedNode(n.as_ref()))
        }
    };
    let quads = store
        .raw()
        .quads_for_pattern(None, None, None, graph)
        .collect::<Result<Vec<Quad>, _>>()?;
    // JSON-LD could carry graph names, but the tools that read it (and Protégé) expect one graph.
    let keep_graphs = format.supports_datasets() && !matches!(format, RdfFormat::JsonLd { .. });
    if keep_graphs {
        let mut quads = quads;
        quads.sort_by_cached_key(quad_key);
        let n = quads.len() as u64;
        let mut writer = serializer(
            format,
            prefixes,
            used_namespaces(quads.iter().map(|q| (&q.subject, &q.predicate, &q.object))),
        )?
        .for_writer(out);
        for q in &quads {
            writer
                .serialize_quad(q)
                .map_err(|e| Error::io("<output>", e))?;
        }
        writer.finish().map_err(|e| Error::io("<output>", e))?;
        return Ok(n);
    }
    let triples: Vec<Triple> = {
        let mut seen = HashSet::with_capacity(quads.len());
        quads
            .into_iter()
            .map(Triple::from)
            .filter(|t| seen.insert(t.clone()))
            .collect()
    };
    let n = triples.len() as u64;
    if format == RdfFormat::Turtle {
        write_turtle(&triples, prefixes, out)?;
    } else {
        write_triples(&triples, format, prefixes, out)?;
    }
    Ok(n)
}

/// Writes triples in a triple format other than pretty Turtle, sorted, through Oxigraph's serializer.
pub fn write_triples(
    triples: &[Triple],
    format: RdfFormat,
    prefixes: &PrefixTable,
    out: &mut dyn Write,
) -> Result<()> {
    let mut sorted: Vec<&Triple> = triples.iter().collect();
    sorted.sort_by_cached_key(|t| triple_key(t));
    let used = used_namespaces(sorted.iter().map(|t| (&t.subject, &t.predicate, &t.object)));
    let mut writer = serializer(format, prefixes, used)?.for_writer(out);
    for t in sorted {
        writer
            .serialize_triple(t)
            .map_err(|e| Error::io("<output>", e))?;
    }
    writer.finish().map_err(|e| Error::io("<output>", e))?;
    Ok(())
}

fn serializer(
    format: RdfFormat,
    prefixes: &PrefixTable,
    used: BTreeSet<String>,
) -> Result<RdfSerializer> {
    let mut s = RdfSerializer::from_format(format);
    if matches!(
        format,
        RdfFormat::TriG | RdfFormat::RdfXml | RdfFormat::Turtle
    ) {
        for (p, iri) in prefixes.iter() {
            if used.contains(iri) {
                s = s
                    .with_prefix(p, iri)
                    .map_err(|e| Error::BadInput(format!("prefix {p}: {e}")))?;
            }
        }
    }
    Ok(s)
}

/// Namespaces (IRI up to the last `#` or `/`) that the terms use, to declare only needed prefixes.
fn used_namespaces<'a>(
    terms: impl Iterator<Item = (&'a NamedOrBlankNode, &'a NamedNode, &'a Term)>,
) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut add = |iri: &str| {
        if let Some(i) = iri.rfind(['#', '/']) {
            used.insert(iri[..=i].to_owned());
        }
    };
    for (s, p, o) in terms {
        if let NamedOrBlankNode::NamedNode(n) = s {
            add(n.as_str());
        }
        add(p.as_str());
        match o {
            Term::NamedNode(n) => add(n.as_str()),
            Term::Literal(l) => add(l.datatype().as_str()),
            _ => {}
        }
    }
    used
}

fn quad_key(q: &Quad) -> (String, String, String, String) {
    (
        q.graph_name.to_string(),
        q.subject.to_string(),
        q.predicate.to_string(),
        q.object.to_string(),
    )
}

fn triple_key(t: &Triple) -> (u8, String, u8, String, String) {
    (
        matches!(t.subject, NamedOrBlankNode::BlankNode(_)) as u8,
        t.subject.to_string(),
        (t.predicate.as_ref() != rdf::TYPE) as u8,
        t.predicate.to_string(),
        t.object.to_string(),
    )
}

/// Writes triples as pretty Turtle. The same triples always give the same bytes.
pub fn write_turtle(triples: &[Triple], prefixes: &PrefixTable, out: &mut dyn Write) -> Result<()> {
    let mut writer = TurtleWriter::new(triples, prefixes);
    let body = writer.body();
    let io = |e: std::io::Error| Error::io("<output>", e);
    for (p, iri) in &writer.used {
        writeln!(out, "@prefix {p}: <{iri}> .").map_err(io)?;
    }
    if !writer.used.is_empty() && !body.is_empty() {
        writeln!(out).map_err(io)?;
    }
    out.write_all(body.as_bytes()).map_err(io)?;
    Ok(())
}

struct TurtleWriter<'a> {
    prefixes: &'a PrefixTable,
    /// Subject → predicate → objects, all sorted.
    by_subject: BTreeMap<SubjectKey, BTreeMap<PredicateKey, Vec<&'a Term>>>,
    /// Blank node ids written inline: referenced exactly once as an object, and not part of a cycle.
    inline: HashSet<&'a str>,
    /// Blank node ids used as objects, and how often.
    object_refs: HashMap<&'a str, usize>,
    /// Labels for blank nodes that cannot be inlined, numbered in output order.
    labels: HashMap<String, String>,
    used: BTreeMap<String, String>,
}

/// Named subjects before blank ones, each sorted by its text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum SubjectKey {
    Named(String),
    Blank(String),
}

/// `rdf:type` first, then predicates by IRI.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct PredicateKey(bool, String);

impl<'a> TurtleWriter<'a> {
    fn new(triples: &'a [Triple], prefixes: &'a PrefixTable) -> Self {
        let mut by_subject: BTreeMap<SubjectKey, BTreeMap<PredicateKey, Vec<&'a Term>>> =
            BTreeMap::new();
        let mut object_refs: HashMap<&'a str, usize> = HashMap::new();
        for t in triples {
            let key = match &t.subject {
                NamedOrBlankNode::NamedNode(n) => SubjectKey::Named(n.as_str().to_owned()),
                NamedOrBlankNode::BlankNode(b) => SubjectKey::Blank(b.as_str().to_owned()),
            };
            by_subject
                .entry(key)
                .or_default()
                .entry(PredicateKey(
                    t.predicate.as_ref() != rdf::TYPE,
                    t.predicate.as_str().to_owned(),
                ))
                .or_default()
                .push(&t.object);
            if let Term::BlankNode(b) = &t.object {
                *object_refs.entry(b.as_str()).or_default() += 1;
            }
        }
        for objects in by_subject.values_mut() {
            for list in objects.values_mut() {
                list.sort_by_cached_key(|o| object_key(o));
                list.dedup();
            }
        }
        let mut inline: HashSet<&'a str> = object_refs
            .iter()
            .filter(|(_, n)| **n == 1)
            .map(|(b, _)| *b)
            .collect();
        // A blank node reachable from itself through inlined nodes would be written forever: keep it labelled.
        let mut candidates: Vec<&'a str> = inline.iter().copied().collect();
        candidates.sort_unstable();
        for b in candidates {
            if reaches(&by_subject, b, &inline) {
                inline.remove(b);
            }
        }
        Self {
            prefixes,
            by_subject,
            inline,
            object_refs,
            labels: HashMap::new(),
            used: BTreeMap::new(),
        }
    }

    fn body(&mut self) -> String {
        let mut out = String::new();
        let subjects: Vec<SubjectKey> = self.by_subject.keys().cloned().collect();
        for key in subjects {
            let subject = match &key {
                SubjectKey::Named(iri) => self.iri(iri),
                SubjectKey::Blank(id) => {
                    if self.inline.contains(id.as_str()) {
                        continue; // written where it is used
                    }
                    if self.object_refs.contains_key(id.as_str()) {
                        self.blank_label(id)
                    } else {
                        "[]".to_owned()
                    }
                }
            };
            let predicates = self.predicates(&key, 1);
            out.push_str(&subject);
            out.push_str(&predicates);
            out.push_str(" .\n\n");
        }
        if out.ends_with("\n\n") {
            out.pop();
        }
        out
    }

    fn predicates(&mut self, key: &SubjectKey, depth: usize) -> String {
        let Some(map) = self.by_subject.get(key).cloned() else {
            return String::new();
        };
        let indent = "    ".repeat(depth);
        let mut parts = Vec::with_capacity(map.len());
        for (PredicateKey(not_type, p), objects) in &map {
            let pred = if *not_type {
                self.iri(p)
            } else {
                "a".to_owned()
            };
            let mut rendered: Vec<String> = objects.iter().map(|o| self.object(o, depth)).collect();
            // Inline blank nodes are shown by content, not id: sort by what is written so ids never matter.
            if objects.iter().any(|o| matches!(o, Term::BlankNode(_))) {
                rendered.sort();
            }
            // Short object lists stay on one line; long ones and inline nodes get a line each.
            let width: usize = rendered.iter().map(|r| r.len() + 2).sum::<usize>() + pred.len();
            let one_line =
                width + indent.len() <= 100 && rendered.iter().all(|r| !r.contains('\n'));
            let separator = if one_line {
                ", ".to_owned()
            } else {
                format!(",\n{indent}    ")
            };
            parts.push(format!("{pred} {}", rendered.join(&separator)));
        }
        if depth == 1 {
            format!(" {}", parts.join(&format!(" ;\n{indent}")))
        } else {
            format!("\n{indent}{}", parts.join(&format!(" ;\n{indent}")))
        }
    }

    fn object(&mut self, term: &Term, depth: usize) -> String {
        match term {
            Term::NamedNode(n) => self.iri(n.as_str()),
            Term::BlankNode(b) if self.inline.contains(b.as_str()) => {
                let key = SubjectKey::Blank(b.as_str().to_owned());
                if self.by_subject.contains_key(&key) {
                    let inner = self.predicates(&key, depth + 1);
                    format!("[{inner}\n{}]", "    ".repeat(depth))
                } else {
                    "[]".to_owned()
                }
            }
            Term::BlankNode(b) => self.blank_label(b.as_str()),
            Term::Literal(l) => self.literal(l),
            #[allow(unreachable_patterns)]
            // RDF 1.2 triple terms, when Oxigraph is built with them.
            other => other.to_string(),
        }
    }

    fn blank_label(&mut self, id: &str) -> String {
        let n = self.labels.len();
        self.labels
            .entry(id.to_owned())
            .or_insert_with(|| format!("_:b{n}"))
            .clone()
    }

    fn iri(&mut self, iri: &str) -> String {
        match self.prefixes.split(iri) {
            Some((p, local)) => {
                if !self.used.contains_key(p) {
                    if let Some(ns) = self.prefixes.get(p) {
                        self.used.insert(p.to_owned(), ns.to_owned());
                    }
                }
                format!("{p}:{local}")
            }
            None => NamedNode::new_unchecked(iri).to_string(),
        }
    }

    fn literal(&mut self, l: &Literal) -> String {
        let value = l.value();
        if let Some(lang) = l.language() {
            return format!("{}@{lang}", Literal::new_simple_literal(value));
        }
        let dt = l.datatype();
        let bare = (dt == xsd::INTEGER && is_integer(value))
            || (dt == xsd::DECIMAL && is_decimal(value))
            || (dt == xsd::DOUBLE && is_double(value))
            || (dt == xsd::BOOLEAN && (value == "true" || value == "false"));
        if bare {
            return value.to_owned();
        }
        let quoted = Literal::new_simple_literal(value).to_string();
        if dt == xsd::STRING {
            return quoted;
        }
        format!("{quoted}^^{}", self.iri(dt.as_str()))
    }
}

fn reaches(
    by_subject: &BTreeMap<SubjectKey, BTreeMap<PredicateKey, Vec<&Term>>>,
    target: &str,
    inline: &HashSet<&str>,
) -> bool {
    let mut stack = vec![target.to_owned()];
    let mut seen = HashSet::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        let Some(map) = by_subject.get(&SubjectKey::Blank(id)) else {
            continue;
        };
        for o in map.values().flatten() {
            if let Term::BlankNode(b) = o {
                if b.as_str() == target {
                    return true;
                }
                if inline.contains(b.as_str()) {
                    stack.push(b.as_str().to_owned());
                }
            }
        }
    }
    false
}

fn object_key(term: &Term) -> (u8, String) {
    match term {
        Term::NamedNode(n) => (0, n.as_str().to_owned()),
        Term::BlankNode(b) => (1, b.as_str().to_owned()),
        Term::Literal(l) => (2, l.to_string()),
        #[allow(unreachable_patterns)]
        other => (3, other.to_string()),
    }
}

fn is_integer(v: &str) -> bool {
    let d = v.strip_prefix(['+', '-']).unwrap_or(v);
    !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
}

fn is_decimal(v: &str) -> bool {
    let d = v.strip_prefix(['+', '-']).unwrap_or(v);
    match d.split_once('.') {
        Some((i, f)) => {
            i.bytes().all(|b| b.is_ascii_digit())
                && !f.is_empty()
                && f.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

fn is_double(v: &str) -> bool {
    let Some((mantissa, exp)) = v.split_once(['e', 'E']) else {
        return false;
    };
    let m = mantissa.strip_prefix(['+', '-']).unwrap_or(mantissa);
    let m_ok = !m.is_empty()
        && m != "."
        && m.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && m.matches('.').count() <= 1;
    m_ok && is_integer(exp)
}
