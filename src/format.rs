//! Every format name kg knows, in one place: names, aliases, file extensions (with `.gz`), media types,
//! and which kind of answer each can render.
//!
//! `--format`, `.format`, `.export` and load-time detection all parse through this module;
//! no other module matches on extension strings.

use crate::error::{Error, Result};
use oxigraph::io::RdfFormat;
use oxigraph::sparql::results::QueryResultsFormat;
use std::path::Path;

/// A way to write an answer or an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OutputFormat {
    /// The aligned, human table (solutions, booleans, and graphs as subject/predicate/object rows).
    Table,
    Csv,
    Tsv,
    /// SPARQL 1.1 Query Results JSON; for a graph answer, JSON-LD.
    Json,
    /// SPARQL Query Results XML; for a graph answer, RDF/XML.
    Xml,
    Turtle,
    NTriples,
    NQuads,
    TriG,
    RdfXml,
    JsonLd,
    /// Graphviz, for paths and neighbourhoods.
    Dot,
    GraphMl,
}

/// (canonical name, aliases, format). The first name is the one shown to users.
const NAMES: &[(&str, &[&str], OutputFormat)] = &[
    ("table", &["text", "txt"], OutputFormat::Table),
    ("csv", &["text/csv"], OutputFormat::Csv),
    ("tsv", &["text/tab-separated-values"], OutputFormat::Tsv),
    (
        "json",
        &["srj", "application/sparql-results+json"],
        OutputFormat::Json,
    ),
    (
        "xml",
        &["srx", "application/sparql-results+xml"],
        OutputFormat::Xml,
    ),
    ("turtle", &["ttl", "text/turtle"], OutputFormat::Turtle),
    (
        "ntriples",
        &["nt", "n-triples", "application/n-triples"],
        OutputFormat::NTriples,
    ),
    (
        "nquads",
        &["nq", "n-quads", "application/n-quads"],
        OutputFormat::NQuads,
    ),
    ("trig", &["application/trig"], OutputFormat::TriG),
    (
        "rdfxml",
        &["rdf", "owl", "rdf/xml", "application/rdf+xml"],
        OutputFormat::RdfXml,
    ),
    (
        "jsonld",
        &["json-ld", "application/ld+json"],
        OutputFormat::JsonLd,
    ),
    (
        "dot",
        &["gv", "graphviz", "text/vnd.graphviz"],
        OutputFormat::Dot,
    ),
    (
        "graphml",
        &["application/graphml+xml"],
        OutputFormat::GraphMl,
    ),
];

/// What a query or command produced, for deciding which formats apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerKind {
    Solutions,
    Boolean,
    Graph,
}

impl OutputFormat {
    /// Parses a user-given name, alias, file extension or media type.
    pub fn from_name(name: &str) -> Result<Self> {
        let lower = name.trim().to_ascii_lowercase();
        let lower = lower.split(';').next().unwrap_or_default().trim();
        NAMES
            .iter()
            .find(|(n, aliases, _)| *n == lower || aliases.contains(&lower))
            .map(|(_, _, f)| *f)
            .ok_or_else(|| Error::UnknownFormat {
                name: name.to_owned(),
                expected: NAMES
                    .iter()
                    .map(|(n, _, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// The canonical name, as `--format` accepts it.
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(_, _, f)| *f == self)
            .map_or("table", |(n, _, _)| n)
    }

    /// Every canonical name, for help texts and completion.
    pub fn all_names() -> impl Iterator<Item = &'static str> {
        NAMES.iter().map(|(n, _, _)| *n)
    }

    /// Guesses the format of an output file from its name (`out.ttl`, `out.nq.gz` is not supported on output).
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" => Some(OutputFormat::Table),
            "json" => Some(OutputFormat::Json),
            "xml" => Some(OutputFormat::Xml),
            "srj" => Some(OutputFormat::Json),
            "srx" => Some(OutputFormat::Xml),
            other => Self::from_name(other).ok(),
        }
    }

    /// The RDF serialisation behind this format when it renders a graph answer or an export.
    /// `json` and `xml` mean JSON-LD and RDF/XML there, as a user who asked for them would expect.
    pub fn rdf_format(self) -> Option<RdfFormat> {
        Some(match self {
            OutputFormat::Turtle => RdfFormat::Turtle,
            OutputFormat::NTriples => RdfFormat::NTriples,
            OutputFormat::NQuads => RdfFormat::NQuads,
            OutputFormat::TriG => RdfFormat::TriG,
            OutputFormat::RdfXml | OutputFormat::Xml => RdfFormat::RdfXml,
            OutputFormat::JsonLd | OutputFormat::Json => RdfFormat::from_extension("jsonld")?,
            _ => return None,
        })
    }

    /// The W3C SPARQL results format behind this format, for solutions and booleans.
    pub fn results_format(self) -> Option<QueryResultsFormat> {
        Some(match self {
            OutputFormat::Csv => QueryResultsFormat::Csv,
            OutputFormat::Tsv => QueryResultsFormat::Tsv,
            OutputFormat::Json => QueryResultsFormat::Json,
            OutputFormat::Xml => QueryResultsFormat::Xml,
            _ => return None,
        })
    }

    /// Whether this format can show the given kind of answer.
    pub fn supports(self, kind: AnswerKind) -> bool {
        match kind {
            AnswerKind::Solutions | AnswerKind::Boolean => {
                self == OutputFormat::Table || self.results_format().is_some()
            }
            AnswerKind::Graph => self == OutputFormat::Table || self.rdf_format().is_some(),
        }
    }

    /// The formats that can show a kind of answer, for error messages.
    pub fn names_for(kind: AnswerKind) -> String {
        NAMES
            .iter()
            .filter(|(_, _, f)| f.supports(kind))
            .map(|(n, _, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl OutputFormat {
    /// The media type an HTTP answer in this format carries. `json` and `xml` are the SPARQL
    /// results formats for solutions and JSON-LD and RDF/XML for graphs, as in `rdf_format`.
    pub fn media_type(self, kind: AnswerKind) -> &'static str {
        match (self, kind) {
            (OutputFormat::Json, AnswerKind::Graph) => "application/ld+json",
            (OutputFormat::Xml, AnswerKind::Graph) => "application/rdf+xml",
            (OutputFormat::Table, _) => "text/plain; charset=utf-8",
            (OutputFormat::Csv, _) => "text/csv; charset=utf-8",
            (OutputFormat::Tsv, _) => "text/tab-separated-values; charset=utf-8",
            (OutputFormat::Json, _) => "application/sparql-results+json",
            (OutputFormat::Xml, _) => "application/sparql-results+xml",
            (OutputFormat::Turtle, _) => "text/turtle; charset=utf-8",
            (OutputFormat::NTriples, _) => "application/n-triples",
            (OutputFormat::NQuads, _) => "application/n-quads",
            (OutputFormat::TriG, _) => "application/trig",
            (OutputFormat::RdfXml, _) => "application/rdf+xml",
            (OutputFormat::JsonLd, _) => "application/ld+json",
            (OutputFormat::Dot, _) => "text/vnd.graphviz",
            (OutputFormat::GraphMl, _) => "application/graphml+xml",
        }
    }

    /// The file extension of an answer in this format, for a download's file name.
    pub fn extension(self, kind: AnswerKind) -> &'static str {
        match (self, kind) {
            (OutputFormat::Json, AnswerKind::Graph) => "jsonld",
            (OutputFormat::Xml, AnswerKind::Graph) => "rdf",
            (OutputFormat::Json, _) => "srj",
            (OutputFormat::Xml, _) => "srx",
            (OutputFormat::Table, _) => "txt",
            (OutputFormat::Csv, _) => "csv",
            (OutputFormat::Tsv, _) => "tsv",
            (OutputFormat::Turtle, _) => "ttl",
            (OutputFormat::NTriples, _) => "nt",
            (OutputFormat::NQuads, _) => "nq",
            (OutputFormat::TriG, _) => "trig",
            (OutputFormat::RdfXml, _) => "rdf",
            (OutputFormat::JsonLd, _) => "jsonld",
            (OutputFormat::Dot, _) => "dot",
            (OutputFormat::GraphMl, _) => "graphml",
        }
    }

    /// The format an HTTP `Accept` header asks for among those that can show `kind`: the highest
    /// `q` wins, then the order of the header; `*/*`, `text/*`, `application/*` and a missing
    /// header give the kind's usual format (SPARQL results JSON, Turtle). `None`: nothing
    /// acceptable (406).
    pub fn negotiate(accept: Option<&str>, kind: AnswerKind) -> Option<Self> {
        let preferred = match kind {
            AnswerKind::Graph => OutputFormat::Turtle,
            _ => OutputFormat::Json,
        };
        let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
            return Some(preferred);
        };
        let mut best: Option<(u32, usize, Self)> = None;
        for (i, range) in accept.split(',').enumerate() {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q <= 0.0 {
                continue;
            }
            let q = (q.min(1.0) * 1000.0) as u32;
            let format = match media.as_str() {
                "*/*" => Some(preferred),
                "text/*" => Some(match kind {
                    AnswerKind::Graph => OutputFormat::Turtle,
                    _ => OutputFormat::Tsv,
                }),
                "application/*" => Some(match kind {
                    AnswerKind::Graph => OutputFormat::NTriples,
                    _ => OutputFormat::Json,
                }),
                // Browsers ask for HTML, XML, then anything: give them the usual format.
                "text/html" | "application/xhtml+xml" => None,
                "text/plain" => Some(match kind {
                    AnswerKind::Graph => OutputFormat::NTriples,
                    _ => OutputFormat::Table,
                }),
                "application/xml" | "text/xml" => Some(OutputFormat::Xml),
                "application/json" => Some(OutputFormat::Json),
                "application/x-turtle" => Some(OutputFormat::Turtle),
                other => Self::from_media_type(other),
            }
            // The human table only for a client that asked for plain text.
            .filter(|f| match f {
                OutputFormat::Table => media == "text/plain",
                f => f.supports(kind),
            });
            if let Some(f) = format {
                if best.is_none_or(|(bq, _, _)| q > bq) {
                    best = Some((q, i, f));
                }
            }
        }
        best.map(|(_, _, f)| f)
    }

    /// The format with this exact media type (parameters such as `charset` ignored).
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        let lower = media_type.split(';').next()?.trim().to_ascii_lowercase();
        if !lower.contains('/') || lower == "rdf/xml" {
            return None;
        }
        Self::from_name(&lower).ok()
    }

    /// The formats an HTTP client can ask for, for the service description and the workbench.
    pub fn served(kind: AnswerKind) -> Vec<Self> {
        NAMES
            .iter()
            .map(|(_, _, f)| *f)
            .filter(|f| f.supports(kind) && *f != OutputFormat::Table)
            .filter(|f| {
                !(kind == AnswerKind::Graph && matches!(f, OutputFormat::Json | OutputFormat::Xml))
            })
            .collect()
    }
}

/// How an input file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Rdf(RdfFormat),
    /// A kg fact sheet (TOML), checked against the ontology and turned into RDF.
    FactSheet,
}

impl InputFormat {
    /// Parses `--format` for `kg load`: an RDF format name, extension or media type, or `factsheet`/`toml`.
    pub fn from_name(name: &str) -> Result<Self> {
        let lower = name.trim().to_ascii_lowercase();
        if lower == "factsheet" || lower == "toml" || lower == "fact-sheet" {
            return Ok(InputFormat::FactSheet);
        }
        if lower == "n3" || lower == "text/n3" {
            return Ok(InputFormat::Rdf(RdfFormat::N3));
        }
        match OutputFormat::from_name(&lower) {
            Ok(
                f @ (OutputFormat::Turtle
                | OutputFormat::NTriples
                | OutputFormat::NQuads
                | OutputFormat::TriG
                | OutputFormat::RdfXml
                | OutputFormat::JsonLd),
            ) => f.rdf_format().map(InputFormat::Rdf),
            Ok(OutputFormat::Xml) => Some(InputFormat::Rdf(RdfFormat::RdfXml)),
            Ok(OutputFormat::Json) => RdfFormat::from_extension("jsonld").map(InputFormat::Rdf),
            _ => None,
        }
        .ok_or_else(|| Error::UnknownFormat {
            name: name.to_owned(),
            expected: "turtle, ntriples, nquads, trig, rdfxml, jsonld, n3, factsheet".to_owned(),
        })
    }

    /// The RDF format of an HTTP body's `Content-Type` (parameters such as `charset` ignored);
    /// `text/plain` is N-Triples, as the RDF 1.1 specifications registered it before N-Triples had its own.
    pub fn from_media_type(media_type: &str) -> Option<RdfFormat> {
        let lower = media_type.split(';').next()?.trim().to_ascii_lowercase();
        match lower.as_str() {
            "text/plain" => Some(RdfFormat::NTriples),
            "application/x-turtle" => Some(RdfFormat::Turtle),
            "text/n3" => Some(RdfFormat::N3),
            "application/xml" | "text/xml" => Some(RdfFormat::RdfXml),
            "application/json" => RdfFormat::from_extension("jsonld"),
            other if other.contains('/') && other != "rdf/xml" => match Self::from_name(other) {
                Ok(InputFormat::Rdf(f)) => Some(f),
                _ => None,
            },
            _ => None,
        }
    }

    /// Guesses the format from a file name; `.gz` is looked through. Returns whether the file is gzipped.
    pub fn from_path(path: &Path) -> Option<(Self, bool)> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let (name, gz) = match name.strip_suffix(".gz") {
            Some(stem) => (stem.to_owned(), true),
            None => (name, false),
        };
        let ext = Path::new(&name).extension()?.to_str()?.to_owned();
        let format = match ext.as_str() {
            "toml" => InputFormat::FactSheet,
            "owl" | "rdf" | "xml" => InputFormat::Rdf(RdfFormat::RdfXml),
            "json" | "jsonld" => InputFormat::Rdf(RdfFormat::from_extension("jsonld")?),
            "txt" => return None,
            other => InputFormat::Rdf(RdfFormat::from_extension(other)?),
        };
        Some((format, gz))
    }

    pub fn name(self) -> &'static str {
        match self {
            InputFormat::FactSheet => "fact sheet",
            InputFormat::Rdf(f) => f.name(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in OutputFormat::all_names() {
            assert_eq!(OutputFormat::from_name(name).unwrap().name(), name);
        }
    }

    #[test]
    fn negotiation() {
        let n = |a: &str, k| OutputFormat::negotiate(Some(a), k).map(OutputFormat::name);
        assert_eq!(n("text/csv", AnswerKind::Solutions), Some("csv"));
        assert_eq!(
            n(
                "text/turtle;q=0.5, application/n-triples",
                AnswerKind::Graph
            ),
            Some("ntriples")
        );
        assert_eq!(n("text/html,*/*;q=0.8", AnswerKind::Graph), Some("turtle"));
        assert_eq!(
            n("application/sparql-results+xml", AnswerKind::Boolean),
            Some("xml")
        );
        assert_eq!(n("text/turtle", AnswerKind::Solutions), None);
        assert_eq!(n("text/plain", AnswerKind::Solutions), Some("table"));
        assert_eq!(n("application/json", AnswerKind::Graph), Some("json"));
        assert_eq!(
            OutputFormat::negotiate(None, AnswerKind::Solutions),
            Some(OutputFormat::Json)
        );
    }

    #[test]
    fn input_from_path() {
        let check = |p: &str| InputFormat::from_path(Path::new(p)).map(|(f, gz)| (f.name(), gz));
        assert_eq!(check("a.ttl"), Some(("Turtle", false)));
        assert_eq!(check("a.nt.gz"), Some(("N-Triples", true)));
        assert_eq!(check("univ.owl"), Some(("RDF/XML", false)));
        assert_eq!(check("sheet.toml"), Some(("fact sheet", false)));
        assert_eq!(check("a.jsonld"), Some(("JSON-LD", false)));
        assert_eq!(check("README"), None);
    }
}
