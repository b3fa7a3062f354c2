//! The vocabulary: classes, properties (with domain, range, labels) and named individuals of an ontology.
//!
//! Fact-sheet validation checks against it; `.schema`, `.describe` and completion read it too.
//! It is built from Turtle text, never from a store, so `--dry-run` needs no store.

use crate::error::{rdf_parse_error, Result};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{GraphName, NamedNode, Quad, Term, Triple};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// What kind of property a term is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PropertyKind {
    Object,
    Datatype,
    Annotation,
    Plain,
}

/// A class or property with what a person needs to use it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TermInfo {
    /// (language tag, label), sorted.
    pub labels: Vec<(String, String)>,
    pub comment: Option<String>,
    pub domain: Option<String>,
    pub range: Option<String>,
    pub kind: Option<PropertyKind>,
}

impl TermInfo {
    /// The English label, or any label.
    pub fn label(&self) -> Option<&str> {
        self.labels
            .iter()
            .find(|(l, _)| l == "en")
            .or_else(|| self.labels.first())
            .map(|(_, t)| t.as_str())
    }
}

/// An ontology as kg uses it.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    pub classes: BTreeMap<String, TermInfo>,
    pub properties: BTreeMap<String, TermInfo>,
    /// Named individuals (e.g. SKOS concepts) with their classes.
    pub individuals: BTreeMap<String, BTreeSet<String>>,
    superclasses: BTreeMap<String, BTreeSet<String>>,
    /// The ontology file's `@prefix` declarations, for resolving prefixed names in fact sheets.
    pub prefixes: Vec<(String, String)>,
}

const SCHEMA_THING: &str = "https://schema.org/Thing";

/// The OWL terms kg reads (Oxigraph's vocab module has no OWL).
mod owl {
    use oxigraph::model::NamedNodeRef;
    pub const CLASS: NamedNodeRef<'_> =
        NamedNodeRef::new_unchecked("http://www.w3.org/2002/07/owl#Class");
    pub const OBJECT_PROPERTY: NamedNodeRef<'_> =
        NamedNodeRef::new_unchecked("http://www.w3.org/2002/07/owl#ObjectProperty");
    pub const DATATYPE_PROPERTY: NamedNodeRef<'_> =
        NamedNodeRef::new_unchecked("http://www.w3.org/2002/07/owl#DatatypeProperty");
    pub const ANNOTATION_PROPERTY: NamedNodeRef<'_> =
        NamedNodeRef::new_unchecked("http://www.w3.org/2002/07/owl#AnnotationProperty");
    pub const ONTOLOGY: NamedNodeRef<'_> =
        NamedNodeRef::new_unchecked("http://www.w3.org/2002/07/owl#Ontology");
    pub const THING: NamedNodeRef<'_> =
        NamedNodeRef::new_unchecked("http://www.w3.org/2002/07/owl#Thing");
}

impl Vocabulary {
    /// The ontology compiled into the binary.
    pub fn builtin() -> &'static Vocabulary {
        static VOCABULARY: OnceLock<Vocabulary> = OnceLock::new();
        VOCABULARY.get_or_init(|| {
            // The built-in ontology is checked by the test suite, so a parse failure here is a build defect.
            Vocabulary::from_turtle(crate::seed::ONTOLOGY, "ontology/kg.ttl").unwrap_or_default()
        })
    }

    /// Builds a vocabulary from an ontology in Turtle.
    pub fn from_turtle(text: &str, source: &str) -> Result<Self> {
        let mut parser = RdfParser::from_format(RdfFormat::Turtle).for_slice(text.as_bytes());
        let mut triples = Vec::new();
        for quad in parser.by_ref() {
            triples.push(Triple::from(
                quad.map_err(|e| rdf_parse_error(e.into(), source))?,
            ));
        }
        let mut vocabulary = Self::from_triples(&triples);
        vocabulary.prefixes = parser
            .prefixes()
            .map(|(p, iri)| (p.to_owned(), iri.to_owned()))
            .collect();
        Ok(vocabulary)
    }

    /// Builds a vocabulary from triples (an ontology loaded in a store, for instance).
    pub fn from_triples(triples: &[Triple]) -> Self {
        let mut v = Self::default();
        let iri = |t: &Term| match t {
            Term::NamedNode(n) => Some(n.as_str().to_owned()),
            _ => None,
        };
        for t in triples {
            let Some(s) = (match &t.subject {
                oxigraph::model::NamedOrBlankNode::NamedNode(n) => Some(n.as_str().to_owned()),
                _ => None,
            }) else {
                continue;
            };
            if t.predicate.as_ref() == rdf::TYPE {
                let Some(o) = iri(&t.object) else { continue };
                let kind = match o.as_str() {
                    x if x == owl::CLASS.as_str() || x == rdfs::CLASS.as_str() => {
                        v.classes.entry(s.clone()).or_default();
                        None
                    }
                    x if x == owl::OBJECT_PROPERTY.as_str() => Some(PropertyKind::Object),
                    x if x == owl::DATATYPE_PROPERTY.as_str() => Some(PropertyKind::Datatype),
                    x if x == owl::ANNOTATION_PROPERTY.as_str() => Some(PropertyKind::Annotation),
                    x if x == rdf::PROPERTY.as_str() => Some(PropertyKind::Plain),
                    x if x == owl::ONTOLOGY.as_str() => None,
                    _ => {
                        v.individuals.entry(s.clone()).or_default().insert(o);
                        None
                    }
                };
                if let Some(kind) = kind {
                    let entry = v.properties.entry(s).or_default();
                    if entry.kind.is_none_or(|k| kind < k) {
                        entry.kind = Some(kind);
                    }
                }
            }
        }
        for t in triples {
            let oxigraph::model::NamedOrBlankNode::NamedNode(s) = &t.subject else {
                continue;
            };
            let s = s.as_str();
            let p = t.predicate.as_ref();
            let info = if let Some(i) = v.classes.get_mut(s) {
                Some(i)
            } else {
                v.properties.get_mut(s)
            };
            if p == rdfs::SUB_CLASS_OF {
                if let Some(o) = iri(&t.object) {
                    v.superclasses.entry(s.to_owned()).or_default().insert(o);
                }
                continue;
            }
            let Some(info) = info else { continue };
            match (p, &t.object) {
                (p, Term::Literal(l)) if p == rdfs::LABEL => {
                    info.labels.push((
                        l.language().unwrap_or_default().to_owned(),
                        l.value().to_owned(),
                    ));
                    info.labels.sort();
                }
                (p, Term::Literal(l))
                    if p == rdfs::COMMENT
                        && (info.comment.is_none() || l.language() == Some("en")) =>
                {
                    info.comment = Some(l.value().to_owned());
                }
                (p, o) if p == rdfs::DOMAIN => info.domain = iri(o),
                (p, o) if p == rdfs::RANGE => info.range = iri(o),
                _ => {}
            }
        }
        v
    }

    /// Whether `sub` is `sup` or one of its subclasses (through any chain of `rdfs:subClassOf`).
    pub fn is_subclass(&self, sub: &str, sup: &str) -> bool {
        if sub == sup
            || sup == owl::THING.as_str()
            || sup == rdfs::RESOURCE.as_str()
            || sup == SCHEMA_THING
        {
            return true;
        }
        let mut seen = BTreeSet::new();
        let mut stack = vec![sub.to_owned()];
        while let Some(c) = stack.pop() {
            if !seen.insert(c.clone()) {
                continue;
            }
            if let Some(supers) = self.superclasses.get(&c) {
                for s in supers {
                    if s == sup {
                        return true;
                    }
                    stack.push(s.clone());
                }
            }
        }
        false
    }

    /// The classes nearest to an unknown class IRI, best first (at most three): for "did you mean".
    pub fn nearest_classes(&self, iri: &str) -> Vec<String> {
        nearest(iri, &self.classes)
    }

    /// The properties nearest to an unknown property IRI, best first (at most three).
    pub fn nearest_properties(&self, iri: &str) -> Vec<String> {
        nearest(iri, &self.properties)
    }

    /// Whether the IRI names anything the ontology defines.
    pub fn defines(&self, iri: &str) -> bool {
        self.classes.contains_key(iri)
            || self.properties.contains_key(iri)
            || self.individuals.contains_key(iri)
    }
}

/// Words a sheet author may use for a term under another name: each group's words suggest each other.
const SYNONYMS: &[&[&str]] = &[
    &[
        "recipient",
        "receiver",
        "grantee",
        "beneficiary",
        "benefits",
        "recipients",
    ],
    &[
        "funder",
        "donor",
        "payer",
        "sponsor",
        "financier",
        "funded",
        "financed",
    ],
    &[
        "company",
        "firm",
        "business",
        "corporation",
        "enterprise",
        "organization",
        "organisation",
    ],
    &["country", "nation", "state", "country's"],
    &["place", "location", "site", "where", "region", "area"],
    &["date", "day", "when", "time", "published", "year"],
    &[
        "source",
        "origin",
        "reported",
        "reporter",
        "media",
        "newspaper",
        "outlet",
    ],
    &["author", "writer", "journalist", "creator"],
    &["person", "people", "human", "individual", "official"],
    &["amount", "sum", "money", "value", "cost", "price", "total"],
    &[
        "allocation",
        "allocated",
        "spending",
        "appropriation",
        "earmark",
    ],
    &["budget", "budgetary"],
    &["proposal", "offer", "proposed", "suggestion"],
    &["agreement", "deal", "treaty", "pact"],
    &[
        "plan",
        "planned",
        "strategy",
        "programme",
        "program",
        "roadmap",
    ],
    &["target", "goal", "aim", "objective"],
    &["statement", "said", "stated", "quote", "remark", "claim"],
    &["actor", "agent", "doer", "by"],
    &["part", "partof", "component", "member", "within"],
    &["name", "label", "title", "called"],
    &["fund", "funds", "investment"],
    &["measure", "policy", "action", "step"],
    &["event", "meeting", "summit", "conference"],
];

fn local_name(iri: &str) -> &str {
    iri.rsplit(['#', '/', ':']).next().unwrap_or(iri)
}

fn namespace(iri: &str) -> &str {
    &iri[..iri.len() - local_name(iri).len()]
}

/// The lowercase words of a camelCase or PascalCase name: "BudgetAllocation" → budget, allocation.
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A word and the words it may stand for; plurals count as their singular.
fn expanded(word: &str) -> Vec<String> {
    let singular = word
        .strip_suffix('s')
        .filter(|w| w.len() > 3)
        .unwrap_or(word);
    let mut out = vec![word.to_owned(), singular.to_owned()];
    for group in SYNONYMS {
        if group.contains(&word) || group.contains(&singular) {
            out.extend(group.iter().map(|w| (*w).to_owned()));
        }
    }
    out
}

/// Scores every term against the unknown one: spelling (Jaro-Winkler on local names), one name
/// inside the other, and shared words of local names and labels (with a few synonyms).
fn nearest(iri: &str, terms: &BTreeMap<String, TermInfo>) -> Vec<String> {
    let local = local_name(iri);
    let lower = local.to_lowercase();
    let asked: Vec<String> = words(local);
    let asked_expanded: BTreeSet<String> = asked.iter().flat_map(|w| expanded(w)).collect();
    let mut scored: Vec<(u32, &String)> = Vec::new();
    for (term, info) in terms {
        if term == iri {
            continue;
        }
        let term_local = local_name(term);
        let term_lower = term_local.to_lowercase();
        let mut score = strsim::jaro_winkler(&lower, &term_lower);
        if lower.len() >= 4
            && term_lower.len() >= 4
            && (term_lower.contains(&lower) || lower.contains(&term_lower))
        {
            score = score.max(0.9);
        }
        let mut term_words: BTreeSet<String> = words(term_local).into_iter().collect();
        for (_, label) in &info.labels {
            term_words.extend(words(label));
        }
        let shared = term_words
            .iter()
            .filter(|w| w.len() > 2 && asked_expanded.contains(*w))
            .count();
        if shared > 0 {
            let fraction = shared as f64 / asked.len().max(1) as f64;
            score = score.max(0.8 + 0.1 * fraction.min(1.0));
        }
        if namespace(term) == namespace(iri) {
            score += 0.02;
        }
        if score >= 0.84 {
            scored.push(((score * 1000.0) as u32, term));
        }
    }
    scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, t)| t.clone()).collect()
}

/// The built-in ontology as quads in the given graph.
pub fn builtin_quads(graph: &NamedNode) -> Vec<Quad> {
    RdfParser::from_format(RdfFormat::Turtle)
        .with_default_graph(GraphName::NamedNode(graph.clone()))
        .for_slice(crate::seed::ONTOLOGY.as_bytes())
        .filter_map(std::result::Result::ok)
        .collect()
}

/// The built-in ontology's prefixes, which the default store learns when it is seeded.
pub fn builtin_prefixes() -> Vec<(String, String)> {
    Vocabulary::builtin()
        .prefixes
        .iter()
        .filter(|(p, _)| !p.is_empty())
        .cloned()
        .collect()
}
