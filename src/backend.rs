//! The one seam between kg's commands and where the data lives: the embedded store, or a remote
//! SPARQL engine. Every command, dot-command and the server reach the data through `Backend`, so
//! each behaviour has one implementation per side and nothing else knows which side it is on.

use crate::error::{Error, Result};
use crate::prefixes::PrefixTable;
use crate::query::{Outcome, QueryOptions};
use crate::remote::Remote;
use crate::store::KgStore;
use oxigraph::sparql::QuerySolution;
use std::time::Duration;

// The store is the common case and is cloned per statement anyway; boxing it buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub enum Backend {
    Embedded(KgStore),
    Remote(Remote),
}

impl Backend {
    pub fn prefixes(&self) -> &PrefixTable {
        match self {
            Backend::Embedded(s) => s.prefixes(),
            Backend::Remote(r) => r.prefixes(),
        }
    }

    /// What the prompt and messages call it.
    pub fn describe(&self) -> String {
        match self {
            Backend::Embedded(s) => s
                .dir()
                .map_or_else(|| "in-memory store".to_owned(), |d| d.display().to_string()),
            Backend::Remote(r) => format!("{} ({})", r.url(), r.engine().name()),
        }
    }

    pub fn is_remote(&self) -> bool {
        matches!(self, Backend::Remote(_))
    }

    /// The embedded store, for what only it can do (`kg infer`, `optimize`, saved projections).
    pub fn store(&self, what: &str) -> Result<&KgStore> {
        match self {
            Backend::Embedded(s) => Ok(s),
            Backend::Remote(r) => Err(Error::BadInput(format!(
                "{what} works on kg's own store only, not on the remote endpoint {}",
                r.url()
            ))),
        }
    }

    pub fn query(&self, text: &str, options: &QueryOptions) -> Result<Outcome> {
        match self {
            Backend::Embedded(s) => crate::query::execute(s, text, options),
            Backend::Remote(r) => r.query(text, options),
        }
    }

    pub fn update(&self, text: &str, options: &QueryOptions) -> Result<Duration> {
        match self {
            Backend::Embedded(s) => crate::write::update(s, text, options).map(|r| r.elapsed),
            Backend::Remote(r) => r.update(text, options),
        }
    }

    /// Whether `text` is a whole query or update under the prefix table (the REPL's end of statement).
    pub fn parses(&self, text: &str) -> bool {
        match self {
            Backend::Embedded(s) => crate::query::parses(s, text),
            Backend::Remote(r) => {
                let table = r.prefixes();
                let parser = || table.sparql_parser(None).unwrap_or_default();
                parser().parse_query(text).is_ok()
                    || crate::query::statement::is_update(text)
                        && parser().parse_update(text).is_ok()
            }
        }
    }

    /// One of kg's own SELECT queries over the union default graph, collected.
    pub fn select(&self, text: &str) -> Result<Vec<QuerySolution>> {
        match self {
            Backend::Embedded(s) => s.select(text),
            Backend::Remote(r) => r.select(text, true),
        }
    }
}
