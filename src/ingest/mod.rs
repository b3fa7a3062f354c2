//! Loading: RDF files and fact sheets into the store, all inputs of one call in one atomic step.
//!
//! Two write paths, one promise. Plain RDF goes through Oxigraph's bulk loader, which writes nothing
//! until `commit()`, so a failure anywhere (or a kill) leaves the store as it was. Fact sheets replace
//! their document's named graph, which needs a transaction, so a call that includes any sheet loads
//! everything through one transaction instead.

pub mod evidence;
pub mod factsheet;
pub mod graph_store;
pub mod ontology;
mod rdf;

use crate::error::{Error, Result};
use crate::format::InputFormat;
use crate::store::KgStore;
use oxigraph::model::{NamedNode, Quad};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use rdf::Progress;

/// One thing to load: a file, or standard input when `path` is `None`.
#[derive(Debug, Clone)]
pub struct Input {
    pub path: Option<PathBuf>,
    /// Overrides detection from the file name; required for standard input.
    pub format: Option<InputFormat>,
}

impl Input {
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Self {
            path: Some(path.into()),
            format: None,
        }
    }

    /// The name errors use for this input.
    pub fn display_name(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "<stdin>".to_owned(), |p| p.display().to_string())
    }
}

/// How to load.
#[derive(Clone, Default)]
pub struct LoadOptions {
    /// Put the triples of the inputs' default graph into this named graph.
    pub graph: Option<NamedNode>,
    pub base_iri: Option<String>,
    /// Called from time to time with the progress of the whole call.
    pub on_progress: Option<Arc<dyn Fn(Progress) + Send + Sync>>,
    /// Keep the loaded quads in the report, so the entailments can be updated from them alone.
    pub keep_quads: bool,
}

/// Sees each quad of a load as it is parsed, before it is written (the saved projection's
/// patch). A load that parses again from the start (strictly, after a lenient parse met
/// something to check) says so first.
pub trait Watch {
    fn quad(&mut self, quad: &Quad);
    fn restart(&mut self);
    /// Every quad has been parsed; the load commits next.
    fn parsed(&mut self) {}
}

/// What a load did, for the one-line summary.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadReport {
    /// Quads read from the inputs (duplicates of quads already stored count too).
    pub quads: u64,
    pub files: usize,
    pub elapsed: Duration,
    /// Prefixes the store learned from `@prefix` lines of the inputs.
    pub learned_prefixes: Vec<(String, String)>,
    /// With `keep_quads`, the quads of a load that only added to the store; `None` when a fact
    /// sheet replaced its graph (a change that may also remove triples).
    pub added: Option<Vec<Quad>>,
    /// The load only added to the store: no fact sheet replaced its graph.
    pub only_added: bool,
}

impl LoadReport {
    pub fn rate(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.quads as f64 / secs
        } else {
            self.quads as f64
        }
    }
}

/// Loads every input into the store atomically: on any error nothing is written. `watch` sees
/// the quads of a load that only adds (none when a fact sheet replaces its graph).
pub fn load(
    store: &mut KgStore,
    inputs: &[Input],
    options: &LoadOptions,
    mut watch: Option<&mut dyn Watch>,
) -> Result<LoadReport> {
    let start = Instant::now();
    let resolved = resolve_formats(inputs)?;
    let has_sheet = resolved.contains(&InputFormat::FactSheet);
    if has_sheet && options.graph.is_some() {
        return Err(Error::BadInput(
            "--graph cannot be used with fact sheets: each sheet loads into its own document's graph"
                .to_owned(),
        ));
    }
    let total_bytes = rdf::total_size(inputs);
    let mut counter = rdf::Counter::new(options.on_progress.clone(), total_bytes);
    let mut prefixes = Vec::new();
    let mut kept: Option<Vec<Quad>> = (options.keep_quads && !has_sheet).then(Vec::new);
    if has_sheet {
        let vocabulary = ontology::Vocabulary::builtin();
        let mut txn = store.transaction()?;
        for (input, format) in inputs.iter().zip(&resolved) {
            if *format == InputFormat::FactSheet {
                let sheet = read_sheet(input, vocabulary)?;
                txn.clear_graph(sheet.graph.as_ref())?;
                for q in &sheet.quads {
                    txn.insert(q);
                }
                counter.add(sheet.quads.len() as u64, 0);
                prefixes.extend(sheet.prefixes);
            } else {
                let mut quads = Vec::new();
                prefixes.extend(rdf::parse(input, *format, options, &mut counter, |q| {
                    quads.push(q);
                    Ok(())
                })?);
                txn.extend(quads.iter());
            }
        }
        txn.commit()?;
        store.record_write()?;
    } else {
        let mut seen = Seen {
            kept: kept.take(),
            watch: watch.take(),
        };
        let mut loaded = bulk_load(
            store,
            inputs,
            &resolved,
            options,
            false,
            &mut counter,
            &mut seen,
        )?;
        if loaded.is_none() {
            counter = rdf::Counter::new(options.on_progress.clone(), total_bytes);
            seen.restart();
            loaded = bulk_load(
                store,
                inputs,
                &resolved,
                options,
                true,
                &mut counter,
                &mut seen,
            )?;
        }
        kept = seen.kept;
        prefixes.extend(loaded.into_iter().flatten());
        store.record_write()?;
    }
    let learned = learn_prefixes(store, prefixes)?;
    Ok(LoadReport {
        quads: counter.quads(),
        files: inputs.len(),
        elapsed: start.elapsed(),
        learned_prefixes: learned,
        added: kept,
        only_added: !has_sheet,
    })
}

/// Where a bulk load's quads go besides the store.
struct Seen<'w> {
    kept: Option<Vec<Quad>>,
    watch: Option<&'w mut dyn Watch>,
}

impl Seen<'_> {
    fn quad(&mut self, quad: &Quad) {
        if let Some(kept) = self.kept.as_mut() {
            kept.push(quad.clone());
        }
        if let Some(watch) = self.watch.as_mut() {
            watch.quad(quad);
        }
    }

    fn restart(&mut self) {
        if let Some(kept) = self.kept.as_mut() {
            kept.clear();
        }
        if let Some(watch) = self.watch.as_mut() {
            watch.restart();
        }
    }

    fn parsed(&mut self) {
        if let Some(watch) = self.watch.as_mut() {
            watch.parsed();
        }
    }
}

/// One bulk load of every input (none a fact sheet), committed only when all of them parse.
/// Returns the `@prefix` declarations met, or `None` when a parse with deferred validation must be
/// done again strictly (`rdf::Deferred::Redo`); nothing is written then.
fn bulk_load(
    store: &mut KgStore,
    inputs: &[Input],
    resolved: &[InputFormat],
    options: &LoadOptions,
    strict: bool,
    counter: &mut rdf::Counter,
    seen: &mut Seen<'_>,
) -> Result<Option<Vec<(String, String)>>> {
    // Oxigraph's own batch target is a million quads, and each call allocates one that large;
    // kg's batches are smaller to bound the memory of a load (each core sorts one at a time).
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut loader = store
        .bulk_loader()
        .with_max_memory_size_in_megabytes((BATCH * threads).div_ceil(1000));
    let mut prefixes = Vec::new();
    for (input, format) in inputs.iter().zip(resolved) {
        let mut batch: Vec<Quad> = Vec::with_capacity(BATCH);
        let mut failure = None;
        let sink = |q: Quad| {
            seen.quad(&q);
            batch.push(q);
            if batch.len() >= BATCH {
                if let Err(e) = loader.load_quads(std::mem::take(&mut batch)) {
                    failure = Some(e);
                    return Err(Error::Evaluation("storage failure".to_owned()));
                }
            }
            Ok(())
        };
        let parsed = if strict {
            rdf::parse(input, *format, options, counter, sink).map(rdf::Deferred::Read)
        } else {
            rdf::parse_deferred(input, *format, options, counter, sink)
        };
        match parsed.map_err(|e| failure.take().map_or(e, Error::Storage))? {
            rdf::Deferred::Read(p) => prefixes.extend(p),
            rdf::Deferred::Redo => return Ok(None),
        }
        loader.load_quads(batch)?;
    }
    seen.parsed();
    loader.commit()?;
    Ok(Some(prefixes))
}

/// Parses and validates every input without touching any store.
pub fn check(inputs: &[Input], options: &LoadOptions) -> Result<LoadReport> {
    let start = Instant::now();
    let resolved = resolve_formats(inputs)?;
    let mut counter = rdf::Counter::new(options.on_progress.clone(), rdf::total_size(inputs));
    let vocabulary = ontology::Vocabulary::builtin();
    for (input, format) in inputs.iter().zip(&resolved) {
        if *format == InputFormat::FactSheet {
            let sheet = read_sheet(input, vocabulary)?;
            counter.add(sheet.quads.len() as u64, 0);
        } else {
            rdf::parse(input, *format, options, &mut counter, |_| Ok(()))?;
        }
    }
    Ok(LoadReport {
        quads: counter.quads(),
        files: inputs.len(),
        elapsed: start.elapsed(),
        learned_prefixes: Vec::new(),
        added: None,
        only_added: true,
    })
}

/// What `read` hands to a writer other than the embedded store (a remote endpoint).
pub enum Parsed {
    /// A fact sheet: its quads replace the document's graph.
    Sheet { graph: NamedNode, quads: Vec<Quad> },
    /// One quad of an RDF input, with the input's position in the list.
    Quad { input: usize, quad: Quad },
}

/// Parses every input in order, handing what it reads to `sink`: the same formats, checks and
/// errors as `load`. Returns the quads read and the `@prefix` declarations met.
pub fn read(
    inputs: &[Input],
    options: &LoadOptions,
    sink: &mut dyn FnMut(Parsed) -> Result<()>,
) -> Result<(u64, Vec<(String, String)>)> {
    let resolved = resolve_formats(inputs)?;
    if resolved.contains(&InputFormat::FactSheet) && options.graph.is_some() {
        return Err(Error::BadInput(
            "--graph cannot be used with fact sheets: each sheet loads into its own document's graph"
                .to_owned(),
        ));
    }
    let mut counter = rdf::Counter::new(options.on_progress.clone(), rdf::total_size(inputs));
    let vocabulary = ontology::Vocabulary::builtin();
    let mut prefixes = Vec::new();
    for (i, (input, format)) in inputs.iter().zip(&resolved).enumerate() {
        if *format == InputFormat::FactSheet {
            let sheet = read_sheet(input, vocabulary)?;
            counter.add(sheet.quads.len() as u64, 0);
            prefixes.extend(sheet.prefixes);
            sink(Parsed::Sheet {
                graph: sheet.graph,
                quads: sheet.quads,
            })?;
        } else {
            prefixes.extend(rdf::parse(input, *format, options, &mut counter, |quad| {
                sink(Parsed::Quad { input: i, quad })
            })?);
        }
    }
    Ok((counter.quads(), prefixes))
}

/// The built-in ontology and fact sheets as `read` hands them out, each replacing its graph.
pub fn read_builtin(
    sink: &mut dyn FnMut(Parsed) -> Result<()>,
) -> Result<(u64, Vec<(String, String)>)> {
    let vocabulary = ontology::Vocabulary::builtin();
    let graph = NamedNode::new_unchecked(crate::seed::ONTOLOGY_GRAPH);
    let quads = ontology::builtin_quads(&graph);
    let mut n = quads.len() as u64;
    sink(Parsed::Sheet { graph, quads })?;
    let mut prefixes = ontology::builtin_prefixes();
    for (name, text) in crate::seed::SHEETS {
        let sheet = factsheet::compile(text, name, vocabulary)?;
        n += sheet.quads.len() as u64;
        prefixes.extend(sheet.prefixes);
        sink(Parsed::Sheet {
            graph: sheet.graph,
            quads: sheet.quads,
        })?;
    }
    Ok((n, prefixes))
}

/// Loads the ontology and every built-in fact sheet, replacing their graphs: running it twice changes nothing.
pub fn seed(store: &mut KgStore) -> Result<LoadReport> {
    let start = Instant::now();
    let vocabulary = ontology::Vocabulary::builtin();
    let mut txn = store.transaction()?;
    let ontology_graph = NamedNode::new_unchecked(crate::seed::ONTOLOGY_GRAPH);
    txn.clear_graph(ontology_graph.as_ref())?;
    let ontology_quads = ontology::builtin_quads(&ontology_graph);
    let mut quads = ontology_quads.len() as u64;
    txn.extend(ontology_quads.iter());
    let mut prefixes = ontology::builtin_prefixes();
    for (name, text) in crate::seed::SHEETS {
        let sheet = factsheet::compile(text, name, vocabulary)?;
        txn.clear_graph(sheet.graph.as_ref())?;
        txn.extend(sheet.quads.iter());
        quads += sheet.quads.len() as u64;
        prefixes.extend(sheet.prefixes);
    }
    txn.commit()?;
    store.record_write()?;
    let learned = learn_prefixes(store, prefixes)?;
    Ok(LoadReport {
        quads,
        files: crate::seed::SHEETS.len() + 1,
        elapsed: start.elapsed(),
        learned_prefixes: learned,
        added: None,
        only_added: false,
    })
}

const BATCH: usize = 100_000;

fn resolve_formats(inputs: &[Input]) -> Result<Vec<InputFormat>> {
    inputs
        .iter()
        .map(|input| {
            if let Some(f) = input.format {
                return Ok(f);
            }
            match &input.path {
                None => Err(Error::BadInput(
                    "reading standard input needs --format (e.g. --format turtle)".to_owned(),
                )),
                Some(p) => InputFormat::from_path(p).map(|(f, _)| f).ok_or_else(|| {
                    Error::BadInput(format!(
                        "{}: cannot tell the format from the file name; use --format (turtle, ntriples, nquads, trig, rdfxml, jsonld, factsheet)",
                        p.display()
                    ))
                }),
            }
        })
        .collect()
}

fn read_sheet(input: &Input, vocabulary: &ontology::Vocabulary) -> Result<factsheet::Sheet> {
    let name = input.display_name();
    let text = rdf::read_to_string(input)?;
    factsheet::compile(&text, &name, vocabulary)
}

fn learn_prefixes(
    store: &mut KgStore,
    prefixes: Vec<(String, String)>,
) -> Result<Vec<(String, String)>> {
    let mut table = store.prefixes().clone();
    let mut learned = Vec::new();
    for (p, iri) in prefixes {
        if table.learn(&p, &iri) {
            learned.push((p, iri));
        }
    }
    if !learned.is_empty() {
        store.set_prefixes(table)?;
    }
    Ok(learned)
}
