//! kg: a knowledge-graph store with SPARQL, graph traversals and clean Turtle export, on embedded Oxigraph.
//!
//! The library owns every behaviour; the `kg` binary is a thin shell that parses arguments,
//! draws progress and decides exit codes. Nothing here prints: functions take readers and writers
//! and return plain data or a typed [`Error`].
//!
//! - [`store`]: opening the store, its prefix table, statistics.
//! - [`ingest`]: loading RDF files and fact sheets atomically; the ontology vocabulary; the evidence check.
//! - [`query`]: SPARQL queries and updates, cancellation, rendering in every format.
//! - [`export`]: every RDF format, and the pretty, byte-stable Turtle.
//! - [`graph`]: the petgraph projection and traversals.
//! - [`infer`]: the entailments kept in the store, refreshed after writes and explained.
//! - [`reason`]: the RDFS / OWL 2 RL reasoner `infer` runs: semi-naive rounds over interned triples.
//! - [`describe`]: one entity's edges, blank-node contents and evidence (`.describe`, the server's entity page).
//! - [`format`]: every format name in one place.
//! - [`write`]: a write and what it keeps current after it (entailments, the saved projection).
//! - [`backend`]: the seam every command goes through: the embedded store or a [`remote`] endpoint.

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod backend;
pub mod describe;
pub mod error;
pub mod export;
pub mod format;
pub mod graph;
pub mod infer;
pub mod ingest;
pub mod prefixes;
pub mod query;
pub mod reason;
/// kg on a remote SPARQL engine: the protocols, authentication, staged loads, traversals by frontier.
pub mod remote;
pub mod resolve;
pub mod seed;
/// Help for writing a new document's fact sheet: skeleton, mentions with number words, coverage, terms.
pub mod sheet;
pub mod store;
pub mod write;

pub use backend::Backend;
pub use error::{Diagnostic, Error, Location, Result};
pub use format::{InputFormat, OutputFormat};
pub use store::KgStore;
