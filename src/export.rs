//! Export: the store (or one graph) in any RDF format, and the pretty, byte-stable Turtle writer.
//!
//! Oxigraph's Turtle writer streams what it is fed; the Turtle here is what a person writes by hand:
//! only the prefixes used, subjects sorted and grouped with `;` and `,`, `a` first, and blank nodes
//! that are referenced once written inline as `[ … ]`. Term escaping is Oxigraph's, never ours.

use crate::error::{Error, Result};
use crate::prefixes::PrefixTable;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{
    GraphNameRef, Literal, LiteralRef, NamedNode, NamedOrBlankNode, Quad, Term, Triple,
};
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
///
/// N-Triples and N-Quads stream in the store's own order (stable for a given store); Turtle is
/// sorted and grouped; the other formats are sorted before Oxigraph's serializers write them.
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
    let io = |e: std::io::Error| Error::io("<output>", e);
    // JSON-LD could carry graph names, but the tools that read it (and Protégé) expect one graph.
    let keep_graphs = format.supports_datasets() && !matches!(format, RdfFormat::JsonLd { .. });
    // Merging graphs can repeat a triple; only then is a set needed.
    let merge = !keep_graphs && graph.is_none() && !store.named_graphs()?.is_empty();
    let quads = store.raw().quads_for_pattern(None, None, None, graph);
    if matches!(format, RdfFormat::NQuads | RdfFormat::NTriples) {
        let mut writer = RdfSerializer::from_format(format).for_writer(out);
        let mut seen = HashSet::new();
        let mut n = 0;
        for q in quads {
            let q = q?;
            if format == RdfFormat::NQuads {
                writer.serialize_quad(&q).map_err(io)?;
            } else {
                let t = Triple::from(q);
                if merge && !seen.insert(t.clone()) {
                    continue;
                }
                writer.serialize_triple(&t).map_err(io)?;
            }
            n += 1;
        }
        writer.finish().map_err(io)?;
        return Ok(n);
    }
    let quads = quads.collect::<Result<Vec<Quad>, _>>()?;
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
            writer.serialize_quad(q).map_err(io)?;
        }
        writer.finish().map_err(io)?;
        return Ok(n);
    }
    let mut triples: Vec<Triple> = quads.into_iter().map(Triple::from).collect();
    if merge {
        let mut seen = HashSet::with_capacity(triples.len());
        triples.retain(|t| seen.insert(t.clone()));
    }
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
    let mut header = String::new();
    for (p, iri) in &writer.used {
        header.push_str(&format!("@prefix {p}: <{iri}> .\n"));
    }
    if !writer.used.is_empty() && !body.is_empty() {
        header.push('\n');
    }
    out.write_all(header.as_bytes()).map_err(io)?;
    out.write_all(body.as_bytes()).map_err(io)?;
    Ok(())
}

/// Pretty Turtle over an index sorted once: subjects (named before blank), then `rdf:type` first,
/// then predicates, then objects. Strings are borrowed from the triples, never copied to sort.
struct TurtleWriter<'a> {
    triples: &'a [Triple],
    prefixes: &'a PrefixTable,
    /// Sorted, duplicate-free indices into `triples`.
    order: Vec<usize>,
    /// Ranges of `order` holding one subject each.
    groups: Vec<(usize, usize)>,
    /// Blank node id → its group, when it is a subject.
    blank_groups: HashMap<&'a str, usize>,
    /// Blank node ids written inline: referenced exactly once as an object, and not part of a cycle.
    inline: HashSet<&'a str>,
    /// Blank node ids used as objects.
    referenced: HashSet<&'a str>,
    /// Labels for blank nodes that cannot be inlined, numbered in output order.
    labels: HashMap<&'a str, usize>,
    used: BTreeMap<String, String>,
}

fn subject_key(s: &NamedOrBlankNode) -> (bool, &str) {
    match s {
        NamedOrBlankNode::NamedNode(n) => (false, n.as_str()),
        NamedOrBlankNode::BlankNode(b) => (true, b.as_str()),
    }
}

fn object_cmp(a: &Term, b: &Term) -> std::cmp::Ordering {
    fn rank(t: &Term) -> u8 {
        match t {
            Term::NamedNode(_) => 0,
            Term::BlankNode(_) => 1,
            Term::Literal(_) => 2,
            #[allow(unreachable_patterns)]
            // RDF 1.2 triple terms, when Oxigraph is built with them.
            _ => 3,
        }
    }
    match (a, b) {
        (Term::NamedNode(x), Term::NamedNode(y)) => x.as_str().cmp(y.as_str()),
        (Term::BlankNode(x), Term::BlankNode(y)) => x.as_str().cmp(y.as_str()),
        (Term::Literal(x), Term::Literal(y)) => (x.value(), x.datatype().as_str(), x.language())
            .cmp(&(y.value(), y.datatype().as_str(), y.language())),
        _ => rank(a)
            .cmp(&rank(b))
            .then_with(|| a.to_string().cmp(&b.to_string())),
    }
}

impl<'a> TurtleWriter<'a> {
    fn new(triples: &'a [Triple], prefixes: &'a PrefixTable) -> Self {
        let mut order: Vec<usize> = (0..triples.len()).collect();
        order.sort_unstable_by(|&a, &b| {
            let (x, y) = (&triples[a], &triples[b]);
            subject_key(&x.subject)
                .cmp(&subject_key(&y.subject))
                .then_with(|| {
                    (x.predicate.as_ref() != rdf::TYPE, x.predicate.as_str())
                        .cmp(&(y.predicate.as_ref() != rdf::TYPE, y.predicate.as_str()))
                })
                .then_with(|| object_cmp(&x.object, &y.object))
        });
        order.dedup_by(|a, b| triples[*a] == triples[*b]);
        let mut groups = Vec::new();
        let mut blank_groups = HashMap::new();
        let mut start = 0;
        for i in 1..=order.len() {
            if i == order.len() || triples[order[i]].subject != triples[order[start]].subject {
                if let NamedOrBlankNode::BlankNode(b) = &triples[order[start]].subject {
                    blank_groups.insert(b.as_str(), groups.len());
                }
                groups.push((start, i));
                start = i;
            }
        }
        let mut refs: HashMap<&'a str, usize> = HashMap::new();
        for t in triples {
            if let Term::BlankNode(b) = &t.object {
                *refs.entry(b.as_str()).or_default() += 1;
            }
        }
        let referenced: HashSet<&'a str> = refs.keys().copied().collect();
        let mut w = Self {
            triples,
            prefixes,
            order,
            groups,
            blank_groups,
            inline: refs
                .iter()
                .filter(|(_, n)| **n == 1)
                .map(|(b, _)| *b)
                .collect(),
            referenced,
            labels: HashMap::new(),
            used: BTreeMap::new(),
        };
        // A blank node reachable from itself through inlined nodes would be written forever: keep it labelled.
        let mut candidates: Vec<&'a str> = w.inline.iter().copied().collect();
        candidates.sort_unstable();
        for b in candidates {
            if w.reaches_itself(b) {
                w.inline.remove(b);
            }
        }
        w
    }

    fn reaches_itself(&self, target: &str) -> bool {
        let mut stack = vec![target];
        let mut seen = HashSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            let Some(&g) = self.blank_groups.get(id) else {
                continue;
            };
            let (a, b) = self.groups[g];
            for &i in &self.order[a..b] {
                if let Term::BlankNode(o) = &self.triples[i].object {
                    if o.as_str() == target {
                        return true;
                    }
                    if self.inline.contains(o.as_str()) {
                        stack.push(o.as_str());
                    }
                }
            }
        }
        false
    }

    fn body(&mut self) -> String {
        let mut out = String::with_capacity(self.triples.len() * 64);
        for g in 0..self.groups.len() {
            let (a, _) = self.groups[g];
            let subject = &self.triples[self.order[a]].subject;
            match subject {
                NamedOrBlankNode::NamedNode(n) => self.iri(n.as_str(), &mut out),
                NamedOrBlankNode::BlankNode(b) => {
                    if self.inline.contains(b.as_str()) {
                        continue; // written where it is used
                    }
                    if self.referenced.contains(b.as_str()) {
                        let label = self.blank_label(b.as_str());
                        out.push_str(&label);
                    } else {
                        out.push_str("[]");
                    }
                }
            }
            self.predicates(g, 1, &mut out);
            out.push_str(" .\n\n");
        }
        if out.ends_with("\n\n") {
            out.pop();
        }
        out
    }

    /// Writes the predicate-object list of a group.
    fn predicates(&mut self, group: usize, depth: usize, out: &mut String) {
        let (a, b) = self.groups[group];
        let indent = "    ".repeat(depth);
        out.push_str(if depth == 1 { " " } else { "\n" });
        if depth > 1 {
            out.push_str(&indent);
        }
        let mut i = a;
        let mut first = true;
        while i < b {
            let predicate = &self.triples[self.order[i]].predicate;
            let mut j = i;
            while j < b && self.triples[self.order[j]].predicate == *predicate {
                j += 1;
            }
            if !first {
                out.push_str(" ;\n");
                out.push_str(&indent);
            }
            first = false;
            let before = out.len();
            if predicate.as_ref() == rdf::TYPE {
                out.push('a');
            } else {
                self.iri(predicate.as_str(), out);
            }
            let pred_len = out.len() - before;
            out.push(' ');
            if j - i == 1 {
                let object = &self.triples[self.order[i]].object;
                self.object(object, depth, out);
            } else {
                let mut rendered: Vec<String> = (i..j)
                    .map(|k| {
                        let mut s = String::new();
                        let object = &self.triples[self.order[k]].object;
                        self.object(object, depth, &mut s);
                        s
                    })
                    .collect();
                // Inline blank nodes show content, not ids: sort by what is written so ids never matter.
                if (i..j).any(|k| matches!(self.triples[self.order[k]].object, Term::BlankNode(_)))
                {
                    rendered.sort();
                }
                // Short object lists stay on one line; long ones and inline nodes get a line each.
                let width: usize = rendered.iter().map(|r| r.len() + 2).sum::<usize>() + pred_len;
                let one_line =
                    width + indent.len() <= 100 && rendered.iter().all(|r| !r.contains('\n'));
                let separator = if one_line {
                    ", ".to_owned()
                } else {
                    format!(",\n{indent}    ")
                };
                out.push_str(&rendered.join(&separator));
            }
            i = j;
        }
    }

    fn object(&mut self, term: &'a Term, depth: usize, out: &mut String) {
        match term {
            Term::NamedNode(n) => self.iri(n.as_str(), out),
            Term::BlankNode(b) if self.inline.contains(b.as_str()) => {
                match self.blank_groups.get(b.as_str()) {
                    Some(&g) => {
                        out.push('[');
                        self.predicates(g, depth + 1, out);
                        out.push('\n');
                        out.push_str(&"    ".repeat(depth));
                        out.push(']');
                    }
                    None => out.push_str("[]"),
                }
            }
            Term::BlankNode(b) => {
                let label = self.blank_label(b.as_str());
                out.push_str(&label);
            }
            Term::Literal(l) => self.literal(l, out),
            #[allow(unreachable_patterns)]
            // RDF 1.2 triple terms, when Oxigraph is built with them.
            other => out.push_str(&other.to_string()),
        }
    }

    fn blank_label(&mut self, id: &'a str) -> String {
        let n = self.labels.len();
        format!("_:b{}", self.labels.entry(id).or_insert(n))
    }

    fn iri(&mut self, iri: &str, out: &mut String) {
        match self.prefixes.split(iri) {
            Some((p, local)) => {
                if !self.used.contains_key(p) {
                    if let Some(ns) = self.prefixes.get(p) {
                        self.used.insert(p.to_owned(), ns.to_owned());
                    }
                }
                out.push_str(p);
                out.push(':');
                out.push_str(local);
            }
            None => {
                // Valid IRIs need no escaping inside <>; Oxigraph validated them on the way in.
                out.push('<');
                out.push_str(iri);
                out.push('>');
            }
        }
    }

    fn literal(&mut self, l: &Literal, out: &mut String) {
        use std::fmt::Write as _;
        let value = l.value();
        if let Some(lang) = l.language() {
            let _ = write!(out, "{}@{lang}", LiteralRef::new_simple_literal(value));
            return;
        }
        let dt = l.datatype();
        let bare = (dt == xsd::INTEGER && is_integer(value))
            || (dt == xsd::DECIMAL && is_decimal(value))
            || (dt == xsd::DOUBLE && is_double(value))
            || (dt == xsd::BOOLEAN && (value == "true" || value == "false"));
        if bare {
            out.push_str(value);
            return;
        }
        let _ = write!(out, "{}", LiteralRef::new_simple_literal(value));
        if dt != xsd::STRING {
            out.push_str("^^");
            self.iri(dt.as_str(), out);
        }
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
