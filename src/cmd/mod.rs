//! One module per operation. Each has clap `Args`, shared by the CLI subcommand and the REPL
//! dot-command, and a `run` that calls the library and writes to the session's writers.

pub mod evidence;
pub mod export;
pub mod graph;
pub mod infer;
pub mod load;
pub mod prefixes;
pub mod query;
pub mod remote;
pub mod repl_args;
pub mod serve;
pub mod sheet;
pub mod stats;
pub mod update;

use kg::{Error, KgStore, Result};
use oxigraph::sparql::CancellationToken;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where a command writes: results to `out`, counts, timings and progress to `err`.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
}

/// What commands share within one process: the store (opened on first need) and session settings.
pub struct Ctx {
    store_path: Option<PathBuf>,
    store: Option<KgStore>,
    /// A remote SPARQL endpoint to work on instead of the store (`--endpoint`, `--remote`).
    endpoint: Option<kg::remote::EndpointConfig>,
    remote: Option<kg::remote::Remote>,
    /// The prefix table of a store reached through the `kg serve` that holds it.
    served_prefixes: Option<kg::prefixes::PrefixTable>,
    /// Applies to every query when set (`.timeout` in the REPL).
    pub timeout: Option<Duration>,
    /// Whether to print timings to stderr.
    pub timing: bool,
    /// Whether queries see the entailments of `kg infer` (`--no-inference`, `.inference off`).
    pub inference: bool,
    /// Whether queries may call SERVICE endpoints (`--allow-federation`).
    pub federation: bool,
    /// Bumped whenever the store changes, so caches (completion, graph projections) know to refresh.
    pub generation: u64,
    /// The last graph projection, kept while the store and the options stay the same.
    pub projection: Option<(
        u64,
        kg::graph::ProjectionOptions,
        std::sync::Arc<kg::graph::Projection>,
    )>,
    /// A projection being prepared on a thread of its own (the REPL), for the next traversal.
    pub pending_projection: Option<graph::Pending>,
}

impl Ctx {
    pub fn new(store_path: Option<PathBuf>) -> Self {
        Self {
            store_path,
            store: None,
            endpoint: None,
            remote: None,
            served_prefixes: None,
            timeout: None,
            timing: true,
            inference: true,
            federation: false,
            generation: 0,
            projection: None,
            pending_projection: None,
        }
    }

    /// Works on this endpoint instead of the store.
    pub fn set_endpoint(&mut self, config: kg::remote::EndpointConfig) {
        self.endpoint = Some(config);
    }

    pub fn is_remote(&self) -> bool {
        self.endpoint.is_some()
    }

    /// Where the data is: the store, or the remote endpoint (connected on first use). A store
    /// held by a running `kg serve` is reached through it.
    pub fn backend(&mut self) -> Result<kg::Backend> {
        if self.endpoint.is_none() && self.store.is_none() {
            if let Some(url) = self.store_dir().and_then(|d| served_url(&d)) {
                let mut config = kg::remote::EndpointConfig::new(format!("{url}sparql"));
                config.engine = Some(kg::remote::Engine::Kg);
                config.auth = if std::env::var_os(kg::remote::config::TOKEN_ENV).is_some() {
                    kg::remote::transport::AuthKind::Bearer
                } else {
                    kg::remote::transport::AuthKind::None
                };
                let _ = writeln!(
                    std::io::stderr(),
                    "note: the store is served by kg serve at {url}: working through it"
                );
                // The store's own prefixes, so names shorten and resolve as they would locally.
                self.served_prefixes = self
                    .store_dir()
                    .and_then(|d| std::fs::read_to_string(d.join(kg::store::PREFIX_FILE)).ok())
                    .map(|t| kg::prefixes::PrefixTable::from_tsv(&t));
                self.endpoint = Some(config);
            }
        }
        if let Some(config) = &self.endpoint {
            if self.remote.is_none() {
                let prefixes = match self.served_prefixes.clone() {
                    Some(p) => p,
                    None => remote::local_prefixes()?,
                };
                self.remote = Some(kg::remote::Remote::connect(config, prefixes)?);
            }
            if let Some(r) = &self.remote {
                return Ok(kg::Backend::Remote(r.clone()));
            }
        }
        Ok(kg::Backend::Embedded(self.store()?.clone()))
    }

    /// The store, opened on first use. The default store is seeded when this open creates it.
    /// On a remote endpoint, an error: the command works on kg's own store only.
    pub fn store(&mut self) -> Result<&mut KgStore> {
        if let Some(config) = &self.endpoint {
            return Err(Error::BadInput(format!(
                "this works on kg's own store only, not on the remote endpoint {}",
                kg::remote::transport::strip_credentials(&config.url)
            )));
        }
        if self.store.is_none() {
            let (dir, is_default) = match &self.store_path {
                Some(p) => (p.clone(), false),
                None => (
                    KgStore::default_dir().ok_or_else(|| {
                        Error::BadInput(
                            "no data directory on this platform; pass --store DIR".to_owned(),
                        )
                    })?,
                    true,
                ),
            };
            let mut store = KgStore::open(&dir).map_err(|e| served_elsewhere(e, &dir))?;
            if is_default && store.was_created() {
                // The built-in graph is small, and a question about organisations should find
                // the corporations too: the default store starts with its OWL 2 RL entailments.
                kg::ingest::seed(&mut store)?;
                let options = kg::infer::InferOptions {
                    profile: kg::reason::Profile::OwlRl,
                    ontology: Vec::new(),
                };
                kg::infer::infer(&store, &options)?;
            }
            if self.federation {
                store.allow_federation(self.timeout);
            }
            self.store = Some(store);
        }
        self.store
            .as_mut()
            .ok_or_else(|| Error::BadInput("store unavailable".to_owned()))
    }

    /// The store's directory, without opening it.
    fn store_dir(&self) -> Option<PathBuf> {
        self.store_path.clone().or_else(KgStore::default_dir)
    }

    pub fn changed(&mut self) {
        self.generation += 1;
    }
}

/// The file `kg serve` writes beside the database with its URL while it runs.
pub const SERVE_URL_FILE: &str = "kg-serve.url";

/// The URL of the `kg serve` that holds the store in `dir`, if one is running and answers.
fn served_url(dir: &std::path::Path) -> Option<String> {
    let url = std::fs::read_to_string(dir.join(SERVE_URL_FILE)).ok()?;
    let url = url.trim().to_owned();
    let addr = url
        .strip_prefix("http://")
        .and_then(|rest| rest.split('/').next())
        .and_then(|addr| addr.parse::<std::net::SocketAddr>().ok())?;
    std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300)).ok()?;
    Some(url)
}

/// A store held by a running `kg serve` is reachable through it: say where, instead of only "in use".
fn served_elsewhere(error: Error, dir: &std::path::Path) -> Error {
    let Error::StoreLocked { .. } = error else {
        return error;
    };
    let Some(url) = served_url(dir) else {
        return error;
    };
    Error::BadInput(format!(
        "the store at {} is served by kg serve at {url}: work through it (kg --endpoint {url}sparql …, curl {url}sparql --data-urlencode 'query=…', or the workbench at {url}), or stop the server first",
        dir.display()
    ))
}

/// The token of the query running now, for the Ctrl-C handler.
static RUNNING: Mutex<Option<CancellationToken>> = Mutex::new(None);

/// Installs the process's Ctrl-C handler once: it cancels the running query if there is one;
/// otherwise, outside the REPL, it ends the process as a shell expects.
pub fn install_interrupt_handler(exit_when_idle: bool) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = ctrlc::set_handler(move || {
            let token = RUNNING.lock().ok().and_then(|mut t| t.take());
            match token {
                Some(t) => t.cancel(),
                None if exit_when_idle => std::process::exit(130),
                None => {}
            }
        });
    });
}

/// Registers a fresh token as the running query's, and clears it when dropped.
pub struct Running(CancellationToken);

impl Running {
    pub fn start() -> Self {
        let token = CancellationToken::new();
        if let Ok(mut r) = RUNNING.lock() {
            *r = Some(token.clone());
        }
        Self(token)
    }

    pub fn token(&self) -> CancellationToken {
        self.0.clone()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(mut r) = RUNNING.lock() {
            *r = None;
        }
    }
}

/// Whether stderr is a terminal, for progress bars.
/// A progress bar that appears only on a terminal and only once its work has run for two
/// seconds: a load's bytes and quads, or a remote traversal's requests and nodes.
pub(super) struct ProgressBar {
    inner: Arc<Mutex<Option<indicatif::ProgressBar>>>,
    enabled: bool,
    start: Instant,
}

impl ProgressBar {
    pub(super) fn new() -> Self {
        Self {
            inner: Arc::new(Mutex::new(None)),
            enabled: stderr_is_terminal(),
            start: Instant::now(),
        }
    }

    /// Shows `position` of `total` (bytes: a bar) or a spinner, with `message`.
    fn show_fn(&self) -> impl Fn(Option<u64>, u64, String) + Send + Sync + 'static {
        let inner = Arc::clone(&self.inner);
        let enabled = self.enabled;
        let start = self.start;
        move |total, position, message| {
            if !enabled || start.elapsed() < Duration::from_secs(2) {
                return;
            }
            let Ok(mut guard) = inner.lock() else { return };
            let bar = guard.get_or_insert_with(|| match total {
                Some(total) => indicatif::ProgressBar::new(total).with_style(
                    indicatif::ProgressStyle::with_template(
                        "{bar:40} {bytes}/{total_bytes} {msg} ({eta} left)",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                ),
                None => indicatif::ProgressBar::new_spinner(),
            });
            bar.set_position(position);
            bar.set_message(message);
            bar.tick();
        }
    }

    pub(super) fn callback(&self) -> Arc<dyn Fn(kg::ingest::Progress) + Send + Sync> {
        let show = self.show_fn();
        Arc::new(move |p: kg::ingest::Progress| {
            show(p.total_bytes, p.bytes, format!("{} quads", p.quads))
        })
    }

    /// For `path` and `neighbors` on a remote endpoint.
    pub(super) fn exploration(&self) -> kg::remote::traverse::OnProgress {
        let show = self.show_fn();
        Arc::new(move |requests, nodes| {
            show(
                None,
                0,
                format!("exploring: {requests} requests, {nodes} nodes seen"),
            )
        })
    }

    pub(super) fn finish(&self) {
        if let Ok(mut guard) = self.inner.lock() {
            if let Some(bar) = guard.take() {
                bar.finish_and_clear();
            }
        }
    }
}

pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Compacts the store.
pub fn optimize(ctx: &mut Ctx, io: &mut Io<'_>) -> Result<u8> {
    let start = std::time::Instant::now();
    ctx.store()?.optimize()?;
    writeln!(
        io.err,
        "optimized the store in {}",
        query::elapsed(start.elapsed())
    )
    .map_err(io_err)?;
    Ok(0)
}

/// Loads the built-in ontology and fact sheets.
pub fn seed(ctx: &mut Ctx, io: &mut Io<'_>) -> Result<u8> {
    if ctx.is_remote() {
        let kg::Backend::Remote(remote) = ctx.backend()? else {
            return Ok(0);
        };
        let report = kg::remote::seed(&remote, 50_000)?;
        remote::learn_prefixes(report.learned_prefixes.clone())?;
        ctx.changed();
        return seeded(&report, io);
    }
    let before = kg::write::Before::take(ctx.store()?)?;
    let report = kg::ingest::seed(ctx.store()?)?;
    ctx.changed();
    let after = before.after(ctx.store()?, None, true)?;
    infer::after_write(ctx, &after, io)?;
    seeded(&report, io)
}

fn seeded(report: &kg::ingest::LoadReport, io: &mut Io<'_>) -> Result<u8> {
    writeln!(
        io.err,
        "seeded {} quads from {} files in {:.2} s",
        report.quads,
        report.files,
        report.elapsed.as_secs_f64()
    )
    .map_err(io_err)?;
    Ok(0)
}

/// Wraps a write error on one of the session's streams.
/// "1 node", "2 nodes": a count and its noun.
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

pub fn io_err(e: std::io::Error) -> Error {
    Error::Io {
        path: "<output>".into(),
        source: e,
    }
}

/// Reads a text argument given inline, from a file, or from stdin (`-`).
pub fn read_text(
    inline: Option<String>,
    file: Option<PathBuf>,
    what: &str,
) -> Result<(String, String)> {
    match (inline, file) {
        (_, Some(path)) => std::fs::read_to_string(&path)
            .map(|t| (t, path.display().to_string()))
            .map_err(|e| Error::Io { path, source: e }),
        (Some(text), None) if text == "-" => {
            let mut buf = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut buf).map_err(|e| {
                Error::Io {
                    path: "<stdin>".into(),
                    source: e,
                }
            })?;
            Ok((buf, "<stdin>".to_owned()))
        }
        (Some(text), None) => Ok((text, format!("<{what}>"))),
        (None, None) => Err(Error::BadInput(format!(
            "no {what} given: pass it as an argument, with --file FILE, or '-' for stdin"
        ))),
    }
}
