//! kg's integration tests: one binary, modules by feature. Every test drives the `kg` binary
//! the way a user does, on a fresh store in its own temporary directory.

mod util;

/// Bad input of every kind: clear errors, non-zero exits, an unchanged store.
mod bad_input;
/// Export: every format, round trips, determinism, pretty Turtle.
mod cli_export;
/// Loading: formats, atomicity, errors with locations, gzip, stdin, dry runs.
mod cli_load;
/// Queries and updates: every result format, stored prefixes, syntax errors, timeouts.
mod cli_query;
/// The store: default store seeding, the lock error, stats, prefixes.
mod cli_store;
/// Crashes: SIGKILL during a load or an update.
mod crash;
/// Fact sheets: validation errors, seeding, evidence, saved queries.
mod facts;
/// Cases the fuzzers found (and their seeds), replayed through the fuzz targets' own checks.
mod fuzz_regressions;
/// Traversals: paths, neighbourhoods, rankings, components and their outputs.
mod graph;
/// The union default graph as a set; RDFS and OWL 2 RL entailments, explanations, refreshes.
mod inference;
/// Independent readers (rdflib, serd, raptor) parse our Turtle.
mod interop;
/// kg on remote engines (kg serve, the Oxigraph server, Virtuoso): answers, exports, staged loads, faults.
mod remote;
/// The REPL through a pseudo-terminal and as a script.
mod repl;
/// `kg serve`: the SPARQL Protocol and Graph Store Protocol with real clients, W3C manifests, faults, the workbench.
mod serve;
/// `kg sheet`: skeletons, mentions in many languages, coverage, term suggestions; fitted tables; `kg path`.
mod sheet;
/// Truncated input of every format: a located error and an unchanged store, or a complete document.
mod truncation;
/// W3C conformance: the rdf-tests RDF and SPARQL suites run through the binary.
mod w3c;
