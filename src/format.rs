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
