//! Loading into a remote endpoint, as close to all-or-nothing as SPARQL allows.
//!
//! Every input is parsed and checked here first (the same errors with file:line:col as an
//! embedded load), so nothing is sent for input that would fail. A load with one target graph
//! that fits in one batch is one request into that graph. Otherwise the quads go, in batches,
//! into staging graphs of their own (one per target graph) through the Graph Store Protocol's
//! POST, or `INSERT DATA` where the engine has no Graph Store endpoint. One last update moves each
//! staging graph into place (`ADD`, or `MOVE` for a fact sheet, which replaces its graph); on any
//! failure the staging graphs are dropped and the target graphs were never touched.
//!
//! Blank nodes become IRIs (RDF 1.1 skolemisation, `/.well-known/genid/` under the endpoint's
//! origin) so a batch cannot split one: each is named by the input's content and the node's
//! order of appearance, so loading the same file again names them the same.

use super::transport::Request;
use super::Remote;
use crate::error::{Error, Result};
use crate::ingest::{Input, LoadOptions, LoadReport, Parsed};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{BlankNode, GraphName, NamedNode, NamedOrBlankNode, Quad, Term, Triple};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

/// How a loaded graph takes its place.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// Added to what the graph holds (RDF files).
    Add,
    /// Replaces the graph (fact sheets).
    Replace,
}

/// What is loaded: a function that reads it all, handing it to a sink; called twice (check, send).
type Source<'a> =
    dyn Fn(&mut dyn FnMut(Parsed) -> Result<()>) -> Result<(u64, Vec<(String, String)>)> + 'a;

/// Loads files and fact sheets.
pub fn load(
    remote: &Remote,
    inputs: &[Input],
    options: &LoadOptions,
    batch: usize,
) -> Result<LoadReport> {
    let quiet = LoadOptions {
        on_progress: None,
        ..options.clone()
    };
    let report = send(
        remote,
        inputs.len(),
        &|sink| crate::ingest::read(inputs, &quiet, sink),
        options,
        batch,
    )?;
    Ok(LoadReport {
        files: inputs.len(),
        ..report
    })
}

/// Loads the built-in ontology and fact sheets, each replacing its graph (as `kg seed`).
pub fn seed(remote: &Remote, batch: usize) -> Result<LoadReport> {
    let report = send(
        remote,
        0,
        &|sink| crate::ingest::read_builtin(sink),
        &LoadOptions::default(),
        batch,
    )?;
    Ok(LoadReport {
        files: crate::seed::SHEETS.len() + 1,
        ..report
    })
}

fn send(
    remote: &Remote,
    inputs: usize,
    source: &Source<'_>,
    options: &LoadOptions,
    batch: usize,
) -> Result<LoadReport> {
    let start = Instant::now();
    // First pass: check everything, fingerprint each input's content for the skolem IRIs, and
    // see which graphs the load writes.
    let mut digests: Vec<Sha256> = vec![Sha256::new(); inputs];
    let mut names: Vec<HashMap<String, u64>> = vec![HashMap::new(); inputs];
    let mut targets: BTreeMap<String, (GraphName, Placement)> = BTreeMap::new();
    source(&mut |parsed| {
        match parsed {
            Parsed::Quad { input, quad } => {
                targets
                    .entry(key(&quad.graph_name))
                    .or_insert_with(|| (quad.graph_name.clone(), Placement::Add));
                let quad = ordinal_blanks(quad, &mut names[input]);
                digests[input].update(quad.to_string().as_bytes());
                digests[input].update(b"\n");
            }
            Parsed::Sheet { graph, .. } => {
                let g = GraphName::NamedNode(graph);
                targets.insert(key(&g), (g, Placement::Replace));
            }
        }
        Ok(())
    })?;
    let seeds: Vec<String> = digests
        .into_iter()
        .map(|d| hex(&d.finalize()[..16]))
        .collect();
    let genid = format!("{}/.well-known/genid/", super::origin(remote.url()));
    let prepared = Prepared {
        source,
        seeds: &seeds,
        genid: &genid,
        inputs,
    };
    // kg serve and the Oxigraph server apply one Graph Store request as one transaction and take
    // bodies of any size: a load into one graph is then one streamed request.
    if let (Some(url), [(target, placement)], super::Engine::Kg | super::Engine::Oxigraph) = (
        remote.store_url(),
        targets.values().cloned().collect::<Vec<_>>().as_slice(),
        remote.engine(),
    ) {
        let (quads, prefixes) = stream(remote, url, target, *placement, &prepared, options)?;
        return Ok(LoadReport {
            quads,
            files: inputs,
            elapsed: start.elapsed(),
            learned_prefixes: prefixes,
            added: None,
            only_added: false,
        });
    }
    let nonce = format!(
        "{:x}{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
        std::process::id()
    );
    let mut staging = Staging {
        remote,
        nonce,
        targets: BTreeMap::new(),
        pending: BTreeMap::new(),
        batch: batch.max(1),
        sent: 0,
        options,
    };
    let sent = prepared.each(&mut |target, placement, quad| {
        staging.place(target, placement);
        match quad {
            Some(q) => staging.push(target, q),
            None => Ok(()),
        }
    });
    let result = sent.and_then(|(quads, prefixes)| {
        if !staging.direct()? {
            staging.flush_all()?;
            staging.commit()?;
        }
        Ok((quads, prefixes))
    });
    match result {
        Ok((quads, prefixes)) => Ok(LoadReport {
            quads,
            files: inputs,
            elapsed: start.elapsed(),
            learned_prefixes: prefixes,
            added: None,
            only_added: false,
        }),
        Err(e) => match staging.abandon() {
            None => Err(e),
            // The engine went away (killed, or the network): the target graphs are as they were,
            // but the staging graphs may hold part of the load. Say which, and how to drop them.
            Some(left) => Err(match e {
                Error::Remote {
                    url,
                    status,
                    message,
                } => Error::Remote {
                    url,
                    status,
                    message: format!("{message}; {left}"),
                },
                other => Error::Evaluation(format!("{other}; {left}")),
            }),
        },
    }
}

/// What the second pass hands each quad to: its target graph, how it is placed, the quad.
type QuadSink<'a> = dyn FnMut(&GraphName, Placement, Option<Quad>) -> Result<()> + 'a;

/// The second pass: every quad as it is sent, skolemised, with its target graph and placement.
struct Prepared<'a> {
    source: &'a Source<'a>,
    seeds: &'a [String],
    genid: &'a str,
    inputs: usize,
}

impl Prepared<'_> {
    /// Calls `f` with each quad; a fact sheet first announces its graph with `None` (an empty
    /// sheet still replaces its graph).
    fn each(&self, f: &mut QuadSink<'_>) -> Result<(u64, Vec<(String, String)>)> {
        let mut names: Vec<HashMap<String, u64>> = vec![HashMap::new(); self.inputs];
        (self.source)(&mut |parsed| {
            match parsed {
                Parsed::Sheet { graph, quads } => {
                    let target = GraphName::NamedNode(graph);
                    f(&target, Placement::Replace, None)?;
                    for q in quads {
                        f(
                            &target,
                            Placement::Replace,
                            Some(skolemise(q, self.genid, "sheet")),
                        )?;
                    }
                }
                Parsed::Quad { input, quad } => {
                    let q = ordinal_blanks(quad, &mut names[input]);
                    let q = skolemise(q, self.genid, &self.seeds[input]);
                    let target = q.graph_name.clone();
                    f(&target, Placement::Add, Some(q))?;
                }
            }
            Ok(())
        })
    }
}

/// Sends the whole load into its one graph as one request (POST adds, PUT replaces), its body
/// written by the parser on this thread while another sends it: memory stays bounded, and a
/// failure before the end breaks the body off, so the engine applies nothing.
fn stream(
    remote: &Remote,
    url: &str,
    target: &GraphName,
    placement: Placement,
    prepared: &Prepared<'_>,
    options: &LoadOptions,
) -> Result<(u64, Vec<(String, String)>)> {
    use std::sync::mpsc::sync_channel;
    let (tx, rx) = sync_channel::<std::result::Result<Vec<u8>, String>>(8);
    let mut request = Request::post(url, "application/n-triples", Vec::new());
    request.body = None;
    if placement == Placement::Replace {
        request.method = super::transport::Method::Put;
    }
    let request = match target {
        GraphName::NamedNode(g) => request.param(remote.graph_param(), g.as_str()),
        _ => request.param("default", ""),
    };
    std::thread::scope(|scope| {
        let sender = scope.spawn(move || {
            let mut body = ChannelReader {
                rx,
                chunk: Vec::new(),
                at: 0,
            };
            remote
                .client()
                .send_streamed(&request, "application/n-triples", &mut body)
                .map(|mut r| {
                    let _ = std::io::copy(&mut r.body, &mut std::io::sink());
                })
        });
        let mut chunk: Vec<u8> = Vec::with_capacity(CHUNK + 4096);
        let mut sent = 0u64;
        let produced = prepared.each(&mut |_, _, quad| {
            let Some(q) = quad else { return Ok(()) };
            use std::io::Write;
            writeln!(chunk, "{} .", Triple::from(q)).map_err(|e| Error::io("<body>", e))?;
            sent += 1;
            if chunk.len() >= CHUNK {
                tx.send(Ok(std::mem::take(&mut chunk)))
                    .map_err(|_| Error::Evaluation("the endpoint stopped reading".to_owned()))?;
                if let Some(cb) = &options.on_progress {
                    cb(crate::ingest::Progress {
                        quads: sent,
                        bytes: 0,
                        total_bytes: None,
                    });
                }
            }
            Ok(())
        });
        match &produced {
            Ok(_) => {
                let _ = tx.send(Ok(chunk));
            }
            Err(e) => {
                let _ = tx.send(Err(e.to_string()));
            }
        }
        drop(tx);
        let answer = sender
            .join()
            .map_err(|_| Error::Evaluation("the request thread failed".to_owned()))?;
        // The endpoint's own error says more than "stopped reading".
        answer?;
        produced
    })
}

/// Bytes of N-Triples handed to the request at a time.
const CHUNK: usize = 1 << 20;

/// The request body: chunks from the parser; an error ends the body with an I/O error, so the
/// request is broken off rather than ended early.
struct ChannelReader {
    rx: std::sync::mpsc::Receiver<std::result::Result<Vec<u8>, String>>,
    chunk: Vec<u8>,
    at: usize,
}

impl std::io::Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at >= self.chunk.len() {
            match self.rx.recv() {
                Ok(Ok(chunk)) => {
                    self.chunk = chunk;
                    self.at = 0;
                }
                Ok(Err(e)) => return Err(std::io::Error::other(e)),
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

struct Staging<'a> {
    remote: &'a Remote,
    nonce: String,
    /// Target graph (in N-Triples, `""` for the default graph) → (target, staging graph, placement).
    targets: BTreeMap<String, (GraphName, NamedNode, Placement)>,
    /// Triples waiting to be sent, per target graph.
    pending: BTreeMap<String, Vec<Triple>>,
    batch: usize,
    sent: u64,
    options: &'a LoadOptions,
}

impl Staging<'_> {
    fn place(&mut self, target: &GraphName, placement: Placement) {
        let n = self.targets.len();
        let nonce = &self.nonce;
        let entry = self.targets.entry(key(target)).or_insert_with(|| {
            (
                target.clone(),
                NamedNode::new_unchecked(format!("urn:x-kg:staging:{nonce}:{n}")),
                placement,
            )
        });
        if placement == Placement::Replace {
            entry.2 = Placement::Replace;
        }
    }

    fn push(&mut self, target: &GraphName, quad: Quad) -> Result<()> {
        let k = key(target);
        let pending = self.pending.entry(k.clone()).or_default();
        pending.push(Triple::from(quad));
        if pending.len() >= self.batch {
            let triples = std::mem::take(pending);
            self.send(&k, triples)?;
        }
        Ok(())
    }

    fn flush_all(&mut self) -> Result<()> {
        let pending = std::mem::take(&mut self.pending);
        for (target, triples) in pending {
            if !triples.is_empty() {
                self.send(&target, triples)?;
            }
        }
        Ok(())
    }

    fn send(&mut self, target: &str, triples: Vec<Triple>) -> Result<()> {
        let Some((_, stage, _)) = self.targets.get(target) else {
            return Err(Error::Evaluation("internal: no staging graph".to_owned()));
        };
        let stage = GraphName::NamedNode(stage.clone());
        self.write(&stage, triples, false)
    }

    /// A load with one target graph that fits in one batch goes straight there in one request,
    /// which the engine applies as a whole: no staging graph, no copy.
    fn direct(&mut self) -> Result<bool> {
        if self.sent != 0 || self.targets.len() != 1 {
            return Ok(false);
        }
        let Some((key, (target, _, placement))) = self.targets.iter().next() else {
            return Ok(false);
        };
        // Virtuoso's default graph is the union of all graphs: nothing can be written to it.
        if *target == GraphName::DefaultGraph && self.remote.engine() == super::Engine::Virtuoso {
            return Ok(false);
        }
        let (key, target, replace) = (
            key.clone(),
            target.clone(),
            *placement == Placement::Replace,
        );
        let triples = self.pending.remove(&key).unwrap_or_default();
        self.write(&target, triples, replace)?;
        self.targets.clear();
        Ok(true)
    }

    /// Writes triples into a graph: a Graph Store POST (PUT to replace), or `INSERT DATA`.
    fn write(&mut self, graph: &GraphName, triples: Vec<Triple>, replace: bool) -> Result<()> {
        let mut body = Vec::with_capacity(triples.len() * 100);
        let mut writer = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(&mut body);
        for t in &triples {
            writer
                .serialize_triple(t)
                .map_err(|e| Error::io("<batch>", e))?;
        }
        writer.finish().map_err(|e| Error::io("<batch>", e))?;
        match self.remote.store_url() {
            Some(url) => {
                let mut request = Request::post(url, "application/n-triples", body);
                if replace {
                    request.method = super::transport::Method::Put;
                }
                let request = match graph {
                    GraphName::NamedNode(g) => request.param(self.remote.graph_param(), g.as_str()),
                    _ => request.param("default", ""),
                };
                let mut response = self.remote.client().send(&request)?;
                let _ = std::io::copy(&mut response.body, &mut std::io::sink());
            }
            None => {
                let text = String::from_utf8(body)
                    .map_err(|e| Error::Evaluation(format!("internal: {e}")))?;
                let update = match graph {
                    GraphName::NamedNode(g) if replace => {
                        format!("DROP SILENT GRAPH {g} ;\nINSERT DATA {{ GRAPH {g} {{\n{text}}} }}")
                    }
                    GraphName::NamedNode(g) => format!("INSERT DATA {{ GRAPH {g} {{\n{text}}} }}"),
                    _ => format!("INSERT DATA {{\n{text}}}"),
                };
                self.remote.send_update(&update, Vec::new())?;
            }
        }
        self.sent += triples.len() as u64;
        if let Some(cb) = &self.options.on_progress {
            cb(crate::ingest::Progress {
                quads: self.sent,
                bytes: 0,
                total_bytes: None,
            });
        }
        Ok(())
    }

    /// One update puts every staging graph in its place: the engine applies it as a whole.
    fn commit(&mut self) -> Result<()> {
        if self.targets.is_empty() {
            return Ok(());
        }
        let mut ops = Vec::new();
        for (target, stage, placement) in self.targets.values() {
            let to = match target {
                GraphName::NamedNode(n) => format!("GRAPH {n}"),
                _ => "DEFAULT".to_owned(),
            };
            match placement {
                // A graph that got no quads (an empty sheet) still replaces its target.
                Placement::Replace => ops.push(format!("MOVE SILENT GRAPH {stage} TO {to}")),
                Placement::Add => {
                    ops.push(format!("ADD SILENT GRAPH {stage} TO {to}"));
                    ops.push(format!("DROP SILENT GRAPH {stage}"));
                }
            }
        }
        self.remote.send_update(&ops.join(" ;\n"), Vec::new())?;
        self.targets.clear();
        Ok(())
    }

    /// Drops the staging graphs after a failure; the target graphs were never written. When the
    /// engine cannot be told, returns what to tell the user instead.
    fn abandon(&mut self) -> Option<String> {
        let ops: Vec<String> = self
            .targets
            .values()
            .map(|(_, stage, _)| format!("DROP SILENT GRAPH {stage}"))
            .collect();
        if ops.is_empty() {
            return None;
        }
        // The request that failed may have left its connection broken (a server that answers 413
        // before reading the body closes it), so the first try can fail where the second works.
        // Dropping is idempotent: trying again is safe.
        for attempt in 1..=3u64 {
            if self
                .remote
                .send_update(&ops.join(" ;\n"), Vec::new())
                .is_ok()
            {
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(200 * attempt));
        }
        Some(format!(
            "the target graphs are unchanged, but the staging graphs could not be dropped; once the endpoint answers, run: kg update '{}'",
            ops.join(" ; ")
        ))
    }
}

fn key(graph: &GraphName) -> String {
    match graph {
        GraphName::DefaultGraph => String::new(),
        other => other.to_string(),
    }
}

/// Renames each blank node to its order of first appearance in the input (the parser's own
/// names are random), so equal content gives equal names.
fn ordinal_blanks(quad: Quad, names: &mut HashMap<String, u64>) -> Quad {
    let mut rename = |b: BlankNode| {
        let next = names.len() as u64;
        let n = *names.entry(b.as_str().to_owned()).or_insert(next);
        BlankNode::new_unchecked(format!("b{n}"))
    };
    map_blanks(quad, &mut |b| NamedOrBlankNode::BlankNode(rename(b)))
}

/// Blank nodes as IRIs under `genid`, named by `seed` and their label.
fn skolemise(quad: Quad, genid: &str, seed: &str) -> Quad {
    map_blanks(quad, &mut |b| {
        let mut h = Sha256::new();
        h.update(seed.as_bytes());
        h.update(b":");
        h.update(b.as_str().as_bytes());
        NamedOrBlankNode::NamedNode(NamedNode::new_unchecked(format!(
            "{genid}{}",
            hex(&h.finalize()[..16])
        )))
    })
}

fn map_blanks(quad: Quad, f: &mut dyn FnMut(BlankNode) -> NamedOrBlankNode) -> Quad {
    let subject = match quad.subject {
        NamedOrBlankNode::BlankNode(b) => f(b),
        other => other,
    };
    let object = match quad.object {
        Term::BlankNode(b) => match f(b) {
            NamedOrBlankNode::NamedNode(n) => Term::NamedNode(n),
            NamedOrBlankNode::BlankNode(b) => Term::BlankNode(b),
        },
        other => other,
    };
    let graph_name = match quad.graph_name {
        GraphName::BlankNode(b) => match f(b) {
            NamedOrBlankNode::NamedNode(n) => GraphName::NamedNode(n),
            NamedOrBlankNode::BlankNode(b) => GraphName::BlankNode(b),
        },
        other => other,
    };
    Quad {
        subject,
        predicate: quad.predicate,
        object,
        graph_name,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
