//! Reading RDF inputs: files or stdin, gzip, format, base IRI, target graph, progress, learned prefixes.

use super::{Input, LoadOptions};
use crate::error::{rdf_parse_error, Error, Result};
use crate::format::InputFormat;
use oxigraph::io::RdfParser;
use oxigraph::model::Quad;
use std::fs::File;
use std::io::{BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// How far a load has come, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub quads: u64,
    /// Bytes of the input files read so far (compressed bytes for `.gz`).
    pub bytes: u64,
    /// Total size of the input files, when known (not for standard input).
    pub total_bytes: Option<u64>,
}

/// Counts quads and bytes across the inputs of one load, and reports them.
pub(crate) struct Counter {
    quads: u64,
    bytes_done: u64,
    reading: Arc<AtomicU64>,
    total: Option<u64>,
    callback: Option<Arc<dyn Fn(Progress) + Send + Sync>>,
}

impl Counter {
    pub(crate) fn new(
        callback: Option<Arc<dyn Fn(Progress) + Send + Sync>>,
        total: Option<u64>,
    ) -> Self {
        Self {
            quads: 0,
            bytes_done: 0,
            reading: Arc::new(AtomicU64::new(0)),
            total,
            callback,
        }
    }

    pub(crate) fn add(&mut self, quads: u64, bytes: u64) {
        self.quads += quads;
        self.bytes_done += bytes;
        self.report();
    }

    pub(crate) fn quads(&self) -> u64 {
        self.quads
    }

    fn tick(&mut self) {
        self.quads += 1;
        if self.quads % 20_000 == 0 {
            self.report();
        }
    }

    fn report(&self) {
        if let Some(cb) = &self.callback {
            cb(Progress {
                quads: self.quads,
                bytes: self.bytes_done + self.reading.load(Ordering::Relaxed),
                total_bytes: self.total,
            });
        }
    }
}

/// The summed size of the input files; `None` when one of them is standard input.
pub(crate) fn total_size(inputs: &[Input]) -> Option<u64> {
    inputs
        .iter()
        .map(|i| {
            i.path
                .as_ref()
                .and_then(|p| std::fs::metadata(p).ok())
                .map(|m| m.len())
        })
        .sum()
}

/// Parses one input, handing each quad to `sink`. Returns the `@prefix` declarations it met.
pub(crate) fn parse(
    input: &Input,
    format: InputFormat,
    options: &LoadOptions,
    counter: &mut Counter,
    mut sink: impl FnMut(Quad) -> Result<()>,
) -> Result<Vec<(String, String)>> {
    let InputFormat::Rdf(rdf_format) = format else {
        return Err(Error::BadInput(
            "internal: fact sheets are not parsed as RDF".to_owned(),
        ));
    };
    let name = input.display_name();
    let mut parser = RdfParser::from_format(rdf_format).rename_blank_nodes();
    if let Some(base) = base_iri(input, options) {
        parser = parser
            .with_base_iri(&base)
            .map_err(|e| Error::BadInput(format!("invalid base IRI <{base}>: {e}")))?;
    }
    if let Some(graph) = &options.graph {
        parser = parser.with_default_graph(graph.clone());
    }
    counter.reading.store(0, Ordering::Relaxed);
    let reader = open(input, counter.reading.clone())?;
    let mut quads = parser.for_reader(reader);
    for quad in quads.by_ref() {
        let quad = quad.map_err(|e| rdf_parse_error(e, &name))?;
        sink(quad)?;
        counter.tick();
    }
    let prefixes = quads
        .prefixes()
        .filter(|(p, _)| !p.is_empty())
        .map(|(p, iri)| (p.to_owned(), iri.to_owned()))
        .collect();
    let read = counter.reading.swap(0, Ordering::Relaxed);
    counter.add(0, read);
    Ok(prefixes)
}

/// Reads a whole input as UTF-8 text (fact sheets are small).
pub(crate) fn read_to_string(input: &Input) -> Result<String> {
    let mut bytes = Vec::new();
    let name = input.display_name();
    open(input, Arc::new(AtomicU64::new(0)))?
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(&name, e))?;
    String::from_utf8(bytes).map_err(|e| Error::Syntax {
        location: crate::error::Location {
            source: name,
            line: 0,
            column: 0,
        },
        message: format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
        snippet: None,
    })
}

/// An explicit base wins; otherwise a file's own `file:` IRI, so relative IRIs resolve as other tools resolve them.
fn base_iri(input: &Input, options: &LoadOptions) -> Option<String> {
    if let Some(base) = &options.base_iri {
        return Some(base.clone());
    }
    let path = std::path::absolute(input.path.as_ref()?).ok()?;
    let mut iri = String::from("file://");
    for c in path.to_str()?.chars() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '/' | '-' | '.' | '_' | '~' => iri.push(c),
            c => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    iri.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    Some(iri)
}

fn open(input: &Input, counter: Arc<AtomicU64>) -> Result<Box<dyn Read>> {
    let (raw, gz): (Box<dyn Read>, bool) = match &input.path {
        None => (Box::new(std::io::stdin().lock()), false),
        Some(path) => {
            if path.is_dir() {
                return Err(Error::BadInput(format!(
                    "{} is a directory, not a file",
                    path.display()
                )));
            }
            let file = File::open(path).map_err(|e| Error::io(path, e))?;
            let gz = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
            (Box::new(file), gz)
        }
    };
    let counted = CountingReader {
        inner: raw,
        count: counter,
    };
    Ok(if gz {
        Box::new(BufReader::with_capacity(
            1 << 16,
            GzipReader {
                inner: flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
                    1 << 16,
                    counted,
                )),
            },
        ))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, counted))
    })
}

/// Counts bytes as they are read, so the progress bar can show how much of the file is done.
struct CountingReader {
    inner: Box<dyn Read>,
    count: Arc<AtomicU64>,
}

impl Read for CountingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Reports a corrupt gzip stream as bad data rather than as an I/O failure.
struct GzipReader<R: Read> {
    inner: flate2::read::MultiGzDecoder<R>,
}

impl<R: Read> Read for GzipReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            if e.kind() == std::io::ErrorKind::InvalidInput
                || e.kind() == std::io::ErrorKind::InvalidData
                || e.kind() == std::io::ErrorKind::UnexpectedEof
            {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("corrupt gzip stream: {e}"),
                )
            } else {
                e
            }
        })
    }
}
