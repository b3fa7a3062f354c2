//! Export: the store (or one graph) in any RDF format, and the pretty, byte-stable Turtle writer.
//!
//! Oxigraph's Turtle writer streams what it is fed; the Turtle here is what a person writes by hand:
//! only the prefixes used, subjects sorted and grouped with `;` and `,`, `a` first, and blank nodes
//! that are referenced once written inline as `[ … ]`. Term escaping is Oxigraph's, never ours.

use crate::error::{Error, Result};
use crate::prefixes::PrefixTable;
use indexmap::IndexSet;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{
    GraphNameRef, Literal, LiteralRef, NamedNode, NamedOrBlankNode, Quad, Term, Triple,
};
use rustc_hash::FxBuildHasher;
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
    if format == RdfFormat::Turtle {
        // Equal triples from different graphs get the same ids, and the writer drops repeats.
        let TermTable { terms, triples } = TermTable::build(quads.map(|q| Ok(Triple::from(q?))))?;
        let mut writer = TurtleWriter::new(&terms, triples, prefixes);
        writer.write(out)?;
        return Ok(writer.triples.len() as u64);
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
    write_triples(&triples, format, prefixes, out)?;
    Ok(triples.len() as u64)
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
    let TermTable { terms, triples } = TermTable::build(triples.iter().cloned().map(Ok))?;
    TurtleWriter::new(&terms, triples, prefixes).write(out)
}

/// Triples as ids into one table of distinct terms, so each IRI and literal is held once however often
/// it occurs: a whole store fits in a fraction of the memory its `Triple`s would take.
struct TermTable {
    /// Distinct terms; a term's id is its index.
    terms: IndexSet<Term, FxBuildHasher>,
    triples: Vec<[u32; 3]>,
}

impl TermTable {
    fn build(triples: impl Iterator<Item = Result<Triple>>) -> Result<Self> {
        let mut terms = IndexSet::default();
        let mut intern = |t: Term| -> Result<u32> {
            u32::try_from(terms.insert_full(t).0)
                .map_err(|_| Error::BadInput("too many distinct terms for Turtle export".into()))
        };
        let mut out = Vec::new();
        for t in triples {
            let t = t?;
            out.push([
                intern(t.subject.into())?,
                intern(t.predicate.into())?,
                intern(t.object)?,
            ]);
        }
        Ok(Self {
            terms,
            triples: out,
        })
    }
}

/// The order of terms everywhere in the output: IRIs, then blank nodes, then literals (by value,
/// datatype, language). Subjects thus come named before blank, each kind in string order.
fn term_cmp(a: &Term, b: &Term) -> std::cmp::Ordering {
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

/// Pretty Turtle over triples sorted once by subject, then `rdf:type` first, then predicate, then
/// object. The terms are ranked once and the triples sorted by rank, so sorting compares integers.
/// Written group by group, so the output is never held whole.
struct TurtleWriter<'a> {
    terms: &'a IndexSet<Term, FxBuildHasher>,
    prefixes: &'a PrefixTable,
    /// Sorted, duplicate-free triples.
    triples: Vec<[u32; 3]>,
    /// Ranges of `triples` holding one subject each.
    groups: Vec<(usize, usize)>,
    /// Blank node → its group, when it is a subject.
    blank_groups: HashMap<u32, usize>,
    /// Blank nodes written inline: referenced exactly once as an object, and not part of a cycle.
    inline: HashSet<u32>,
    /// Blank nodes used as objects.
    referenced: HashSet<u32>,
    /// Labels for blank nodes that cannot be inlined, numbered in output order.
    labels: HashMap<u32, usize>,
}

impl<'a> TurtleWriter<'a> {
    fn new(
        terms: &'a IndexSet<Term, FxBuildHasher>,
        mut triples: Vec<[u32; 3]>,
        prefixes: &'a PrefixTable,
    ) -> Self {
        let mut by_order: Vec<u32> = (0..terms.len() as u32).collect();
        by_order.sort_unstable_by(|&a, &b| term_cmp(&terms[a as usize], &terms[b as usize]));
        let mut rank = vec![0u32; terms.len()];
        for (r, &id) in by_order.iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        drop(by_order);
        let type_id = terms
            .iter()
            .position(|t| matches!(t, Term::NamedNode(n) if n.as_ref() == rdf::TYPE));
        let key = |t: &[u32; 3]| {
            let not_type = Some(t[1] as usize) != type_id;
            (
                rank[t[0] as usize],
                not_type,
                rank[t[1] as usize],
                rank[t[2] as usize],
            )
        };
        triples.sort_unstable_by_key(key);
        triples.dedup();
        let mut groups = Vec::new();
        let mut blank_groups = HashMap::new();
        let mut start = 0;
        for i in 1..=triples.len() {
            if i == triples.len() || triples[i][0] != triples[start][0] {
                let subject = triples[start][0];
                if matches!(terms[subject as usize], Term::BlankNode(_)) {
                    blank_groups.insert(subject, groups.len());
                }
                groups.push((start, i));
                start = i;
            }
        }
        let mut refs: HashMap<u32, usize> = HashMap::new();
        for t in &triples {
            if matches!(terms[t[2] as usize], Term::BlankNode(_)) {
                *refs.entry(t[2]).or_default() += 1;
            }
        }
        let mut w = Self {
            terms,
            prefixes,
            triples,
            groups,
            blank_groups,
            inline: refs
                .iter()
                .filter(|(_, n)| **n == 1)
                .map(|(b, _)| *b)
                .collect(),
            referenced: refs.keys().copied().collect(),
            labels: HashMap::new(),
        };
        // A blank node reachable from itself through inlined nodes would be written forever: keep it labelled.
        let mut candidates: Vec<u32> = w.inline.iter().copied().collect();
        candidates.sort_unstable_by_key(|&b| rank[b as usize]);
        for b in candidates {
            if w.reaches_itself(b) {
                w.inline.remove(&b);
            }
        }
        w
    }

    fn reaches_itself(&self, target: u32) -> bool {
        let mut stack = vec![target];
        let mut seen = HashSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            let Some(&g) = self.blank_groups.get(&id) else {
                continue;
            };
            let (a, b) = self.groups[g];
            for t in &self.triples[a..b] {
                let o = t[2];
                if matches!(self.terms[o as usize], Term::BlankNode(_)) {
                    if o == target {
                        return true;
                    }
                    if self.inline.contains(&o) {
                        stack.push(o);
                    }
                }
            }
        }
        false
    }

    /// The prefixes the output will use, found before writing so the header can come first.
    /// Every triple is written exactly once, so this is the set of IRIs written: subjects, predicates
    /// other than `rdf:type` (written `a`), objects, and datatypes of literals not written bare.
    fn used_prefixes(&self) -> BTreeMap<String, String> {
        let mut written = vec![false; self.terms.len()];
        for t in &self.triples {
            written[t[0] as usize] = true;
            if !matches!(&self.terms[t[1] as usize], Term::NamedNode(n) if n.as_ref() == rdf::TYPE)
            {
                written[t[1] as usize] = true;
            }
            written[t[2] as usize] = true;
        }
        let mut used = BTreeMap::new();
        for (term, _) in self.terms.iter().zip(written).filter(|(_, w)| *w) {
            let iri = match term {
                Term::NamedNode(n) => n.as_str(),
                Term::Literal(l) if l.language().is_none() && !is_bare(l) => {
                    if l.datatype() == xsd::STRING {
                        continue;
                    }
                    l.datatype().as_str()
                }
                _ => continue,
            };
            if let Some((p, _)) = self.prefixes.split(iri) {
                if let Some(ns) = self.prefixes.get(p) {
                    used.entry(p.to_owned()).or_insert_with(|| ns.to_owned());
                }
            }
        }
        used
    }

    fn write(&mut self, out: &mut dyn Write) -> Result<()> {
        let io = |e: std::io::Error| Error::io("<output>", e);
        let used = self.used_prefixes();
        let mut buf = String::with_capacity(1 << 16);
        for (p, iri) in &used {
            buf.push_str(&format!("@prefix {p}: <{iri}> .\n"));
        }
        let mut first = true;
        for g in 0..self.groups.len() {
            let (a, _) = self.groups[g];
            let subject = self.triples[a][0];
            let group_start = buf.len();
            if !first || !used.is_empty() {
                buf.push('\n');
            }
            match &self.terms[subject as usize] {
                Term::BlankNode(_) if self.inline.contains(&subject) => {
                    buf.truncate(group_start);
                    continue; // written where it is used
                }
                Term::BlankNode(_) if self.referenced.contains(&subject) => {
                    let label = self.blank_label(subject);
                    buf.push_str(&label);
                }
                Term::BlankNode(_) => buf.push_str("[]"),
                subject => self.object_term(subject, &mut buf),
            }
            first = false;
            self.predicates(g, 1, &mut buf);
            buf.push_str(" .\n");
            if buf.len() >= 1 << 16 {
                out.write_all(buf.as_bytes()).map_err(io)?;
                buf.clear();
            }
        }
        out.write_all(buf.as_bytes()).map_err(io)
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
            let predicate = self.triples[i][1];
            let mut j = i;
            while j < b && self.triples[j][1] == predicate {
                j += 1;
            }
            if !first {
                out.push_str(" ;\n");
                out.push_str(&indent);
            }
            first = false;
            let before = out.len();
            match &self.terms[predicate as usize] {
                Term::NamedNode(p) if p.as_ref() == rdf::TYPE => out.push('a'),
                Term::NamedNode(p) => self.iri(p.as_str(), out),
                other => out.push_str(&other.to_string()),
            }
            let pred_len = out.len() - before;
            out.push(' ');
            if j - i == 1 {
                self.object(self.triples[i][2], depth, out);
            } else {
                let mut rendered: Vec<String> = (i..j)
                    .map(|k| {
                        let mut s = String::new();
                        self.object(self.triples[k][2], depth, &mut s);
                        s
                    })
                    .collect();
                // Inline blank nodes show content, not ids: sort by what is written so ids never matter.
                if (i..j)
                    .any(|k| matches!(self.terms[self.triples[k][2] as usize], Term::BlankNode(_)))
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

    fn object(&mut self, id: u32, depth: usize, out: &mut String) {
        match &self.terms[id as usize] {
            Term::BlankNode(_) if self.inline.contains(&id) => match self.blank_groups.get(&id) {
                Some(&g) => {
                    out.push('[');
                    self.predicates(g, depth + 1, out);
                    out.push('\n');
                    out.push_str(&"    ".repeat(depth));
                    out.push(']');
                }
                None => out.push_str("[]"),
            },
            Term::BlankNode(_) => {
                let label = self.blank_label(id);
                out.push_str(&label);
            }
            term => self.object_term(term, out),
        }
    }

    /// An IRI or literal (blank nodes need the writer's state: see `object`).
    fn object_term(&self, term: &Term, out: &mut String) {
        match term {
            Term::NamedNode(n) => self.iri(n.as_str(), out),
            Term::Literal(l) => self.literal(l, out),
            other => out.push_str(&other.to_string()),
        }
    }

    fn blank_label(&mut self, id: u32) -> String {
        let n = self.labels.len();
        format!("_:b{}", self.labels.entry(id).or_insert(n))
    }

    fn iri(&self, iri: &str, out: &mut String) {
        match self.prefixes.split(iri) {
            Some((p, local)) => {
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

    fn literal(&self, l: &Literal, out: &mut String) {
        use std::fmt::Write as _;
        let value = l.value();
        if let Some(lang) = l.language() {
            let _ = write!(out, "{}@{lang}", LiteralRef::new_simple_literal(value));
            return;
        }
        if is_bare(l) {
            out.push_str(value);
            return;
        }
        let _ = write!(out, "{}", LiteralRef::new_simple_literal(value));
        let dt = l.datatype();
        if dt != xsd::STRING {
            out.push_str("^^");
            self.iri(dt.as_str(), out);
        }
    }
}

/// Whether a literal is written in Turtle's short form (`5`, `1.5`, `1e3`, `true`).
fn is_bare(l: &Literal) -> bool {
    let (value, dt) = (l.value(), l.datatype());
    (dt == xsd::INTEGER && is_integer(value))
        || (dt == xsd::DECIMAL && is_decimal(value))
        || (dt == xsd::DOUBLE && is_double(value))
        || (dt == xsd::BOOLEAN && (value == "true" || value == "false"))
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
