//! Reading RDF inputs: files or stdin, gzip, format, base IRI, target graph, progress, learned prefixes.

use super::{Input, LoadOptions};
use crate::error::Location;
use crate::error::{rdf_parse_error, Error, Result};
use crate::format::InputFormat;
use oxigraph::io::{RdfFormat, RdfParseError, RdfParser};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphName, Literal, NamedOrBlankNode, Quad, Term};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use std::cell::{Cell, RefCell};
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Read};
use std::rc::Rc;
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
    sink: impl FnMut(Quad) -> Result<()>,
) -> Result<Vec<(String, String)>> {
    let mut quads = reader(input, format, options, counter, false)?;
    quads.run(counter, sink, |_| Verdict::Same)?;
    Ok(quads.finish(counter))
}

/// What a parse with deferred validation ended with.
pub(crate) enum Deferred {
    /// Every quad went to the sink, each as the strict parser reads it; the `@prefix` declarations met.
    Read(Vec<(String, String)>),
    /// The lenient parser failed where the strict one read on: what went to the sink cannot be
    /// trusted, parse again with [`parse`]. Never expected (the lenient parser accepts more).
    Redo,
}

/// [`parse`] for a bulk load: N-Triples and N-Quads from a file are read by the parser in its
/// lenient mode, without the IRI and language-tag checks that cost a fifth of a load's CPU, and
/// kg makes those checks itself, once per distinct IRI while it stays in a small cache. The errors
/// are the strict parser's, to the column: any doubt sends the input through the strict parser,
/// which finds the first bad line (or, when only a value's newline or a character beyond the
/// Basic Multilingual Plane made the doubt, confirms the input after it was read). Other formats
/// and standard input (which cannot be read twice) go through [`parse`].
pub(crate) fn parse_deferred(
    input: &Input,
    format: InputFormat,
    options: &LoadOptions,
    counter: &mut Counter,
    sink: impl FnMut(Quad) -> Result<()>,
) -> Result<Deferred> {
    let lenient = input.path.is_some()
        && matches!(
            format,
            InputFormat::Rdf(RdfFormat::NTriples | RdfFormat::NQuads)
        );
    if !lenient {
        return parse(input, format, options, counter, sink).map(Deferred::Read);
    }
    let mut checks = TermChecks::new();
    let mut confirm = false;
    let mut quads = reader(input, format, options, counter, true)?;
    let complete = quads.run(counter, sink, |quad| {
        let verdict = checks.quad(quad);
        confirm |= verdict == Verdict::Unsure;
        verdict
    });
    let prefixes = quads.finish(counter);
    match complete {
        Ok(true) if !confirm => return Ok(Deferred::Read(prefixes)),
        Ok(_) => {}
        // A failure of the sink (the store) is not the input's.
        Err(e) if !matches!(e, Error::Syntax { .. } | Error::Io { .. }) => return Err(e),
        Err(_) => {}
    }
    // The strict parser, reading nothing into the store, names the error or confirms the input.
    let mut quiet = Counter::new(None, None);
    let mut strict = reader(input, format, options, &mut quiet, false)?;
    strict.run(&mut quiet, |_| Ok(()), |_| Verdict::Same)?;
    Ok(match complete {
        Ok(true) => Deferred::Read(prefixes),
        _ => Deferred::Redo,
    })
}

/// What kg's checks make of a quad the lenient parser read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    /// The strict parser reads it the same way.
    Same,
    /// The strict parser may reject it: a value holds a line break (written raw, which only the
    /// lenient parser accepts, or as `\n`, which both do) or a character beyond U+FFFF (written as
    /// such, or as a UTF-16 surrogate pair, which only the lenient parser decodes).
    Unsure,
    /// The strict parser rejects it: an IRI or language tag that is not valid, or `rdf:langString`
    /// as the datatype of a literal without a language tag.
    Invalid,
}

/// The checks of the strict N-Triples parser that its lenient mode skips.
struct TermChecks {
    /// IRIs already found valid, one per slot of a direct-mapped cache: bounded memory, and the
    /// predicates, classes and the subject of consecutive lines are almost always there.
    valid: Vec<String>,
}

impl TermChecks {
    const SLOTS_LOG2: u32 = 16;

    fn new() -> Self {
        Self {
            valid: vec![String::new(); 1 << Self::SLOTS_LOG2],
        }
    }

    fn quad(&mut self, quad: &Quad) -> Verdict {
        let subject = match &quad.subject {
            NamedOrBlankNode::NamedNode(n) => self.iri(n.as_str()),
            NamedOrBlankNode::BlankNode(_) => Verdict::Same,
        };
        let object = match &quad.object {
            Term::NamedNode(n) => self.iri(n.as_str()),
            Term::BlankNode(_) => Verdict::Same,
            Term::Literal(l) => self.literal(l),
        };
        let graph = match &quad.graph_name {
            GraphName::NamedNode(n) => self.iri(n.as_str()),
            GraphName::BlankNode(_) | GraphName::DefaultGraph => Verdict::Same,
        };
        [subject, self.iri(quad.predicate.as_str()), object, graph]
            .into_iter()
            .max()
            .unwrap_or(Verdict::Same)
    }

    fn iri(&mut self, iri: &str) -> Verdict {
        let mut hasher = rustc_hash::FxHasher::default();
        iri.hash(&mut hasher);
        let slot = &mut self.valid[(hasher.finish() >> (64 - Self::SLOTS_LOG2)) as usize];
        if !iri.is_empty() && slot == iri {
            return Verdict::Same;
        }
        if oxiri::Iri::parse(iri).is_err() {
            return Verdict::Invalid;
        }
        if beyond_bmp(iri) {
            return Verdict::Unsure;
        }
        slot.clear();
        slot.push_str(iri);
        Verdict::Same
    }

    fn literal(&mut self, literal: &Literal) -> Verdict {
        let kind = match literal.language() {
            Some(tag) if oxilangtag::LanguageTag::parse(tag).is_err() => Verdict::Invalid,
            Some(_) => Verdict::Same,
            None if literal.datatype() == rdf::LANG_STRING => Verdict::Invalid,
            None => self.iri(literal.datatype().as_str()),
        };
        let value = literal.value();
        let doubt = if beyond_bmp(value) || value.bytes().any(|b| b == b'\n' || b == b'\r') {
            Verdict::Unsure
        } else {
            Verdict::Same
        };
        kind.max(doubt)
    }
}

/// A character beyond U+FFFF: four bytes in UTF-8, led by 0xF0 to 0xF4.
fn beyond_bmp(s: &str) -> bool {
    s.bytes().any(|b| b >= 0xF0)
}

/// One input opened for parsing, strict or lenient.
struct QuadReader {
    quads: oxigraph::io::ReaderQuadParser<Box<dyn Read>>,
    name: String,
    xml: Option<Rc<RefCell<XmlReport>>>,
    broke: GzipBreak,
}

fn reader(
    input: &Input,
    format: InputFormat,
    options: &LoadOptions,
    counter: &mut Counter,
    lenient: bool,
) -> Result<QuadReader> {
    let InputFormat::Rdf(rdf_format) = format else {
        return Err(Error::BadInput(
            "internal: fact sheets are not parsed as RDF".to_owned(),
        ));
    };
    let name = input.display_name();
    let mut parser = RdfParser::from_format(rdf_format).rename_blank_nodes();
    if lenient {
        parser = parser.lenient();
    }
    if let Some(base) = base_iri(input, options) {
        parser = parser
            .with_base_iri(&base)
            .map_err(|e| Error::BadInput(format!("invalid base IRI <{base}>: {e}")))?;
    }
    if let Some(graph) = &options.graph {
        parser = parser.with_default_graph(graph.clone());
    }
    counter.reading.store(0, Ordering::Relaxed);
    let broke = GzipBreak::default();
    let reader = open(input, counter.reading.clone(), &broke)?;
    // RDF/XML passes through the well-formedness check, which also locates Oxigraph's own errors.
    let xml =
        (rdf_format == RdfFormat::RdfXml).then(|| Rc::new(RefCell::new(XmlReport::default())));
    let reader: Box<dyn Read> = match &xml {
        Some(report) => Box::new(XmlChecked::new(reader, &name, report.clone())),
        None => Box::new(reader),
    };
    Ok(QuadReader {
        quads: parser.for_reader(reader),
        name,
        xml,
        broke,
    })
}

impl QuadReader {
    /// Hands every quad to `sink` until the input ends (`true`) or `check` finds one invalid
    /// (`false`, that quad not handed on); a parse error is returned located.
    fn run(
        &mut self,
        counter: &mut Counter,
        mut sink: impl FnMut(Quad) -> Result<()>,
        mut check: impl FnMut(&Quad) -> Verdict,
    ) -> Result<bool> {
        for quad in self.quads.by_ref() {
            let quad = quad.map_err(|e| {
                let error = match &self.xml {
                    Some(report) => report.borrow_mut().locate(e, &self.name),
                    None => rdf_parse_error(e, &self.name),
                };
                self.broke.place(error)
            })?;
            if check(&quad) == Verdict::Invalid {
                return Ok(false);
            }
            sink(quad)?;
            counter.tick();
        }
        Ok(true)
    }

    fn finish(self, counter: &mut Counter) -> Vec<(String, String)> {
        let prefixes = self
            .quads
            .prefixes()
            .filter(|(p, _)| !p.is_empty())
            .map(|(p, iri)| (p.to_owned(), iri.to_owned()))
            .collect();
        let read = counter.reading.swap(0, Ordering::Relaxed);
        counter.add(0, read);
        prefixes
    }
}

/// Reads a whole input as UTF-8 text (fact sheets are small).
pub(crate) fn read_to_string(input: &Input) -> Result<String> {
    let mut bytes = Vec::new();
    let name = input.display_name();
    let broke = GzipBreak::default();
    open(input, Arc::new(AtomicU64::new(0)), &broke)?
        .read_to_end(&mut bytes)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::InvalidData {
                broke.place(Error::Syntax {
                    location: Location {
                        source: name.clone(),
                        line: 0,
                        column: 0,
                    },
                    message: e.to_string(),
                    snippet: None,
                })
            } else {
                Error::io(&name, e)
            }
        })?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let mut at = Cursor::START;
        at.advance(valid);
        Error::Syntax {
            location: Location {
                source: name,
                line: at.line,
                column: at.column,
            },
            message: "not valid UTF-8".to_owned(),
            snippet: None,
        }
    })
}

/// Where the decompressed text of a gzip input broke off, to locate the error of a corrupt stream.
#[derive(Default)]
struct GzipBreak(Rc<Cell<Option<Cursor>>>);

impl GzipBreak {
    /// Gives an error that has no position the place where the gzip stream broke, if it did.
    fn place(&self, mut error: Error) -> Error {
        if let (Some(at), Error::Syntax { location, .. }) = (self.0.get(), &mut error) {
            if location.line == 0 {
                location.line = at.line;
                location.column = at.column;
            }
        }
        error
    }
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

fn open(input: &Input, counter: Arc<AtomicU64>, broke: &GzipBreak) -> Result<Box<dyn BufRead>> {
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
                at: Cursor::START,
                broke: broke.0.clone(),
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

/// Reports a corrupt gzip stream as bad data rather than as an I/O failure, and where in the
/// decompressed text it broke off (a truncated `.gz` ends its text there).
struct GzipReader<R: Read> {
    inner: flate2::read::MultiGzDecoder<R>,
    /// The end of the text decompressed so far.
    at: Cursor,
    broke: Rc<Cell<Option<Cursor>>>,
}

impl<R: Read> Read for GzipReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let result = self.inner.read(buf);
        if let Ok(n) = result {
            self.at.advance(&buf[..n]);
        }
        result.map_err(|e| {
            if e.kind() == std::io::ErrorKind::InvalidInput
                || e.kind() == std::io::ErrorKind::InvalidData
                || e.kind() == std::io::ErrorKind::UnexpectedEof
            {
                self.broke.set(Some(self.at));
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

/// RDF/XML checked for well-formedness as its bytes pass to Oxigraph's parser.
///
/// oxrdfxml accepts a document whose elements are still open at the end of the input, so a truncated
/// file loaded its first triples without a word; and none of its errors has a position. `XmlChecked`
/// stands between the input and Oxigraph: it reads the input one XML event at a time with quick-xml
/// (the reader oxrdfxml itself uses), hands Oxigraph the bytes of that event and no more, and stops the
/// parse with a located error at the first thing that is not well-formed: the input ending inside an
/// element, tag, comment, CDATA section or declaration, no root element, a mismatched or unmatched end
/// tag, an unknown namespace prefix, a malformed or repeated attribute, invalid UTF-8, text or a second
/// element outside the root. Memory stays at one event (a tag or a text node) whatever the input's size,
/// and standard input and gzip pass through like any file.
///
/// Because Oxigraph is never more than one event behind the checker, the last event the checker read is
/// the one Oxigraph was reading when it reports an error of its own (an invalid IRI, an unknown entity,
/// an element RDF/XML does not allow): those errors get that event's position.
struct XmlChecked<R: BufRead> {
    xml: NsReader<Recorder<R>>,
    /// quick-xml's buffer for one event.
    event: Vec<u8>,
    /// How much of `Recorder::record` Oxigraph has been given.
    delivered: usize,
    /// A UTF-8 byte order mark, handed to Oxigraph before anything else (quick-xml does not count it).
    bom: &'static [u8],
    started: bool,
    finished: bool,
    /// Where the last event ended, in quick-xml's byte offsets.
    at: Cursor,
    /// The open elements, innermost last, with where each was opened.
    open: Vec<(String, Cursor)>,
    seen_root: bool,
    source: String,
    report: Rc<RefCell<XmlReport>>,
}

/// What the check tells the parse loop: its error, and where the event Oxigraph is reading starts.
#[derive(Default)]
struct XmlReport {
    error: Option<Error>,
    last_event: Option<Cursor>,
}

impl XmlReport {
    /// The error to show for an error of Oxigraph's: the check's own when it stopped the parse, else
    /// Oxigraph's, placed at the event it was reading when it has no position itself.
    fn locate(&mut self, error: RdfParseError, source: &str) -> Error {
        if let Some(e) = self.error.take() {
            return e;
        }
        let unplaced = matches!(&error, RdfParseError::Syntax(e) if e.location().is_none());
        let mut error = rdf_parse_error(error, source);
        if let (true, Some(at), Error::Syntax { location, .. }) =
            (unplaced, self.last_event, &mut error)
        {
            location.line = at.line;
            location.column = at.column;
        }
        error
    }
}

/// A byte offset with its 1-based line and column (in characters).
#[derive(Debug, Clone, Copy)]
struct Cursor {
    offset: u64,
    line: u64,
    column: u64,
}

impl Cursor {
    const START: Cursor = Cursor {
        offset: 0,
        line: 1,
        column: 1,
    };

    fn advance(&mut self, bytes: &[u8]) {
        // Continuation bytes of a UTF-8 sequence belong to the character already counted.
        let chars = |b: &[u8]| b.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u64;
        self.offset += bytes.len() as u64;
        match bytes.iter().rposition(|&b| b == b'\n') {
            Some(last) => {
                self.line += bytes.iter().filter(|&&b| b == b'\n').count() as u64;
                self.column = 1 + chars(&bytes[last + 1..]);
            }
            None => self.column += chars(bytes),
        }
    }
}

/// The buffered input under quick-xml, keeping a copy of what quick-xml consumed until Oxigraph has it.
struct Recorder<R> {
    inner: R,
    record: Vec<u8>,
    /// quick-xml's offset of `record[0]`.
    start: u64,
}

impl<R: BufRead> Read for Recorder<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let available = self.fill_buf()?;
            let n = available.len().min(out.len());
            out[..n].copy_from_slice(&available[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Recorder<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if amt > 0 {
            // The bytes are still in the inner buffer: `fill_buf` returns them without reading.
            if let Ok(available) = self.inner.fill_buf() {
                self.record
                    .extend_from_slice(&available[..amt.min(available.len())]);
            }
            self.inner.consume(amt);
        }
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

impl<R: BufRead> XmlChecked<R> {
    fn new(inner: R, source: &str, report: Rc<RefCell<XmlReport>>) -> Self {
        // Oxigraph reads with the same settings except `expand_empty_elements`, which changes no check.
        let xml = NsReader::from_reader(Recorder {
            inner,
            record: Vec::new(),
            start: 0,
        });
        Self {
            xml,
            event: Vec::new(),
            delivered: 0,
            bom: &[],
            started: false,
            finished: false,
            at: Cursor::START,
            open: Vec::new(),
            seen_root: false,
            source: source.to_owned(),
            report,
        }
    }

    /// The position of a quick-xml offset at or after the end of the last event.
    fn cursor(&self, offset: u64) -> Cursor {
        let recorder = self.xml.get_ref();
        let from = usize::try_from(self.at.offset - recorder.start).unwrap_or(usize::MAX);
        let to = usize::try_from(offset.saturating_sub(recorder.start)).unwrap_or(usize::MAX);
        let mut cursor = self.at;
        if let Some(bytes) = recorder.record.get(from..to.min(recorder.record.len())) {
            cursor.advance(bytes);
        }
        cursor
    }

    /// For an input that ends too soon: the innermost element left open, and what that means.
    fn incomplete(&self) -> String {
        match self.open.last() {
            Some((name, opened)) => format!(
                ", in <{name}> opened at {}:{}: the document is incomplete",
                opened.line, opened.column
            ),
            None => ": the document is incomplete".to_owned(),
        }
    }

    /// Stops the parse: the located error goes to the report, Oxigraph gets an I/O error.
    fn fail(&mut self, at: Cursor, message: String) -> std::io::Error {
        self.finished = true;
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, message.clone());
        self.report.borrow_mut().error = Some(Error::Syntax {
            location: Location {
                source: self.source.clone(),
                line: at.line,
                column: at.column,
            },
            message,
            snippet: None,
        });
        io
    }

    /// Reads the next event and checks it; its bytes are then in the record for Oxigraph.
    fn step(&mut self) -> std::io::Result<()> {
        if !self.started {
            self.started = true;
            let inner = &mut self.xml.get_mut().inner;
            if inner.fill_buf()?.starts_with(UTF8_BOM) {
                inner.consume(UTF8_BOM.len());
                self.bom = UTF8_BOM;
            }
        }
        // Everything was delivered; keep only the bytes from the end of the last event on.
        let recorder = self.xml.get_mut();
        let keep_from = usize::try_from(self.at.offset - recorder.start)
            .unwrap_or(0)
            .min(recorder.record.len());
        recorder.record.drain(..keep_from);
        recorder.start += keep_from as u64;
        self.delivered -= keep_from;

        let start = self.at;
        let mut buf = std::mem::take(&mut self.event);
        buf.clear();
        let checked = self.check_event(start, &mut buf);
        self.event = buf;
        checked?;
        if !self.finished {
            self.at = self.cursor(self.xml.buffer_position());
        }
        self.report.borrow_mut().last_event = Some(start);
        Ok(())
    }

    fn check_event(&mut self, start: Cursor, buf: &mut Vec<u8>) -> std::io::Result<()> {
        let event = match self.xml.read_resolved_event_into(buf) {
            Ok((_, event @ Event::Eof)) => event,
            Ok((ResolveResult::Unknown(prefix), Event::Start(e) | Event::Empty(e))) => {
                let message = format!(
                    "unknown namespace prefix '{}' in <{}>",
                    String::from_utf8_lossy(&prefix),
                    String::from_utf8_lossy(e.name().as_ref())
                );
                return Err(self.fail(start, message));
            }
            Ok((_, event)) => event,
            Err(quick_xml::Error::Io(e)) => {
                // A failing input (a corrupt gzip stream, a read error) is reported as before.
                self.finished = true;
                return Err(std::sync::Arc::try_unwrap(e)
                    .unwrap_or_else(|e| std::io::Error::new(e.kind(), e.to_string())));
            }
            Err(e) => {
                let at = self.cursor(self.xml.error_position().max(start.offset));
                let message = match e {
                    quick_xml::Error::Syntax(e) => {
                        use quick_xml::errors::SyntaxError;
                        let inside = match e {
                            SyntaxError::InvalidBangMarkup => "after `<!`",
                            SyntaxError::UnclosedPIOrXmlDecl => {
                                "inside a processing instruction or XML declaration"
                            }
                            SyntaxError::UnclosedComment => "inside a comment",
                            SyntaxError::UnclosedDoctype => "inside the DOCTYPE declaration",
                            SyntaxError::UnclosedCData => "inside a CDATA section",
                            SyntaxError::UnclosedTag => "inside a tag",
                        };
                        format!("unexpected end of input {inside}{}", self.incomplete())
                    }
                    quick_xml::Error::IllFormed(e) => format!("not well-formed XML: {e}"),
                    e => format!("not well-formed XML: {e}"),
                };
                return Err(self.fail(at, message));
            }
        };
        // The bytes of one event end at `<` or `>`, so they hold whole characters unless the input was cut.
        let recorder = self.xml.get_ref();
        let from = usize::try_from(start.offset - recorder.start).unwrap_or(0);
        if let Err(e) = std::str::from_utf8(&recorder.record[from.min(recorder.record.len())..]) {
            let at = self.cursor(start.offset + e.valid_up_to() as u64);
            return Err(self.fail(at, "not valid UTF-8".to_owned()));
        }
        let is_start = matches!(event, Event::Start(_));
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if self.open.is_empty() && self.seen_root {
                    return Err(self.fail(
                        start,
                        format!("not well-formed XML: a second root element <{name}>"),
                    ));
                }
                for attribute in e.attributes() {
                    match attribute {
                        Err(error) => {
                            use quick_xml::events::attributes::AttrError;
                            let (p, what) = match error {
                                AttrError::ExpectedEq(p) => (p, "an attribute without `=`"),
                                AttrError::ExpectedValue(p) => (p, "an attribute without a value"),
                                AttrError::UnquotedValue(p) => (p, "an unquoted attribute value"),
                                AttrError::ExpectedQuote(p, _) => {
                                    (p, "an attribute value without its closing quote")
                                }
                                AttrError::Duplicated(p, _) => (p, "a repeated attribute"),
                            };
                            // Positions count from the byte after `<`.
                            let at = self.cursor(start.offset + 1 + p as u64);
                            return Err(
                                self.fail(at, format!("not well-formed XML: {what} in <{name}>"))
                            );
                        }
                        Ok(a) => {
                            if let (ResolveResult::Unknown(prefix), _) =
                                self.xml.resolve_attribute(a.key)
                            {
                                let message = format!(
                                    "unknown namespace prefix '{}' in attribute {} of <{name}>",
                                    String::from_utf8_lossy(&prefix),
                                    String::from_utf8_lossy(a.key.as_ref())
                                );
                                return Err(self.fail(start, message));
                            }
                        }
                    }
                }
                self.seen_root = true;
                if is_start {
                    self.open.push((name, start));
                }
            }
            Event::End(_) => {
                // quick-xml has checked that the name matches.
                self.open.pop();
            }
            Event::Text(t)
                if self.open.is_empty()
                    && !t.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')) =>
            {
                let where_ = if self.seen_root { "after" } else { "before" };
                return Err(self.fail(
                    start,
                    format!("not well-formed XML: text {where_} the root element"),
                ));
            }
            Event::CData(_) if self.open.is_empty() => {
                return Err(self.fail(
                    start,
                    "not well-formed XML: CDATA outside the root element".to_owned(),
                ));
            }
            Event::Eof => {
                let end = self.cursor(self.xml.buffer_position());
                if !self.open.is_empty() {
                    let message = format!("unexpected end of input{}", self.incomplete());
                    return Err(self.fail(end, message));
                }
                if !self.seen_root {
                    return Err(
                        self.fail(end, "unexpected end of input: no root element".to_owned())
                    );
                }
                self.finished = true;
            }
            _ => {}
        }
        Ok(())
    }
}

impl<R: BufRead> Read for XmlChecked<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if !self.bom.is_empty() {
                let n = self.bom.len().min(out.len());
                out[..n].copy_from_slice(&self.bom[..n]);
                self.bom = &self.bom[n..];
                return Ok(n);
            }
            let record = &self.xml.get_ref().record;
            if self.delivered < record.len() {
                let n = (record.len() - self.delivered).min(out.len());
                out[..n].copy_from_slice(&record[self.delivered..self.delivered + n]);
                self.delivered += n;
                return Ok(n);
            }
            if self.finished {
                return Ok(0);
            }
            self.step()?;
        }
    }
}
