//! `kg serve`: the store over HTTP. The SPARQL 1.1 Protocol on `/sparql`, the Graph Store
//! Protocol on `/store`, the workbench on `/` and entity pages on `/resource`.
//!
//! Binary-side, like `cmd/` and `repl/`: only this folder knows sockets, and every operation is
//! one call into the library (`query::execute`/`update`/`render`, `query::complete`,
//! `describe`, `ingest::graph_store`, `export`), the same calls the CLI and the REPL make.
//! Evaluation is synchronous, so it runs on bounded blocking threads (`answer.rs`) with a
//! cancellation token that fires on `--timeout`, on a client's disconnect and on the cancel button.
//!
//! - `protocol.rs`: `/sparql` (query, update, service description).
//! - `graph_store.rs`: `/store`.
//! - `answer.rs`: running work on a blocking thread and streaming its output; errors to statuses.
//! - `request.rs`: parameters, bodies within `--max-body`, media types.
//! - `guard.rs`: authentication, CORS, connection limits, the request log.
//! - `workbench.rs`: the page, its compiled-in assets and its small JSON endpoints.
//! - `entity.rs`: `/resource?iri=`, HTML or RDF by `Accept`.

mod answer;
mod entity;
mod graph_store;
mod guard;
mod protocol;
mod request;
mod workbench;

use axum::routing::{any, get, post};
use axum::Router;
use kg::query::complete::CompletionVocabulary;
use kg::{Error, KgStore, Result};
use oxigraph::sparql::CancellationToken;
use std::collections::BTreeMap;
use std::future::IntoFuture;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// How the server runs; built from `kg serve`'s flags by `cmd::serve`.
#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub writable: bool,
    /// The bearer token writes must carry (from the variable `--token-env` names). Never printed.
    pub token: Option<String>,
    pub cors: Vec<String>,
    /// Each query's and each request body's time limit.
    pub timeout: Duration,
    pub max_body: u64,
    pub quiet: bool,
    /// Evaluations running at once; more wait for a free worker within the timeout.
    pub workers: usize,
    pub max_connections: usize,
    /// How long the shutdown waits for requests in flight.
    pub grace: Duration,
    /// Where the source documents are, so entity pages can show a quote's sentence.
    pub docs: Option<PathBuf>,
    /// Whether queries see `kg infer`'s entailments unless a request says `inference=false`.
    pub inference: bool,
}

/// What every handler shares.
pub(crate) struct App {
    pub store: KgStore,
    pub config: Config,
    /// Updates and Graph Store writes, one at a time: each is atomic, and the entailments are
    /// refreshed after it before the next one starts.
    pub writer: Mutex<()>,
    pub evaluations: Arc<tokio::sync::Semaphore>,
    /// Queries running now, by id, for the cancel button and the shutdown.
    pub running: Mutex<BTreeMap<u64, (String, CancellationToken)>>,
    pub next_id: AtomicU64,
    /// Blocking jobs still running (a cancelled query may outlive its request).
    pub jobs: AtomicUsize,
    /// The completion vocabulary and labels, with the store version they were computed for.
    pub vocabulary: RwLock<Option<(u64, Arc<Vocabulary>)>>,
    pub vocabulary_busy: std::sync::atomic::AtomicBool,
}

/// Completion's vocabulary plus each IRI's preferred label, for tables and entity pages.
pub(crate) struct Vocabulary {
    pub completion: CompletionVocabulary,
    pub label: BTreeMap<String, String>,
}

/// Serves `store` until Ctrl-C or SIGTERM; writes the URL to `out` once listening.
pub fn run(store: KgStore, config: Config, out: &mut dyn Write) -> Result<()> {
    if !config.bind.ip().is_loopback() && config.writable && config.token.is_none() {
        return Err(Error::BadInput(format!(
            "a writable server on {} (not loopback) needs a bearer token: pass --token-env VAR",
            config.bind
        )));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(config.workers + 8)
        .thread_name("kg-serve")
        .enable_all()
        .build()
        .map_err(|e| Error::Io {
            path: "<runtime>".into(),
            source: e,
        })?;
    let app = Arc::new(App {
        evaluations: Arc::new(tokio::sync::Semaphore::new(config.workers)),
        store,
        config,
        writer: Mutex::new(()),
        running: Mutex::new(BTreeMap::new()),
        next_id: AtomicU64::new(1),
        jobs: AtomicUsize::new(0),
        vocabulary: RwLock::new(None),
        vocabulary_busy: Default::default(),
    });
    let result = runtime.block_on(serve(app.clone(), out));
    // Queries the shutdown cancelled stop at Oxigraph's next check; the store closes after them.
    for (_, (_, token)) in app.running.lock().map(|r| r.clone()).unwrap_or_default() {
        token.cancel();
    }
    let patience = std::time::Instant::now() + Duration::from_secs(5);
    while app.jobs.load(Ordering::Acquire) > 0 && std::time::Instant::now() < patience {
        std::thread::sleep(Duration::from_millis(10));
    }
    runtime.shutdown_timeout(Duration::from_secs(1));
    app.store.flush()?;
    result
}

async fn serve(app: Arc<App>, out: &mut dyn Write) -> Result<()> {
    let io = |e: std::io::Error| Error::Io {
        path: app.config.bind.to_string().into(),
        source: e,
    };
    let listener = tokio::net::TcpListener::bind(app.config.bind)
        .await
        .map_err(io)?;
    let address = listener.local_addr().map_err(io)?;
    let listener = guard::Limited::new(listener, app.config.max_connections);
    writeln!(out, "http://{address}/").map_err(crate::cmd::io_err)?;
    // Other kg commands on this store say where the server is instead of only "in use".
    let url_file = app.store.dir().map(|d| d.join(crate::cmd::SERVE_URL_FILE));
    if let Some(f) = &url_file {
        let _ = std::fs::write(f, format!("http://{address}/\n"));
    }
    out.flush().map_err(crate::cmd::io_err)?;
    if !app.config.quiet {
        eprintln!(
            "kg serve: {} on http://{address}/ ({}); Ctrl-C to stop",
            app.store
                .dir()
                .map_or("in-memory store".to_owned(), |d| d.display().to_string()),
            match (app.config.writable, &app.config.token) {
                (false, _) => "read-only",
                (true, Some(_)) => "writable with a bearer token",
                (true, None) => "writable",
            }
        );
    }
    let router = router(app.clone());
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, router).with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    });
    let result = until_stopped(app.clone(), server, &mut stop_rx).await;
    if let Some(f) = &url_file {
        let _ = std::fs::remove_file(f);
    }
    result.map_err(io)
}

async fn until_stopped<F>(
    app: Arc<App>,
    server: F,
    stop_rx: &mut tokio::sync::watch::Receiver<bool>,
) -> std::io::Result<()>
where
    F: IntoFuture<Output = std::io::Result<()>>,
{
    let mut server = std::pin::pin!(server.into_future());
    tokio::select! {
        result = &mut server => return result,
        _ = stop_rx.changed() => {}
    }
    let quiet = app.config.quiet;
    if !quiet {
        eprintln!("kg serve: stopping; finishing the requests in flight");
    }
    match tokio::time::timeout(app.config.grace, &mut server).await {
        Ok(result) => result,
        Err(_) => {
            if !quiet {
                eprintln!(
                    "kg serve: requests still running after {} s are cancelled",
                    app.config.grace.as_secs()
                );
            }
            Ok(())
        }
    }
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/sparql", any(protocol::sparql))
        .route("/sparql/", any(protocol::sparql))
        .route("/query", any(protocol::sparql))
        .route("/update", any(protocol::sparql))
        .route("/store", any(graph_store::store))
        .route("/store/{*rest}", any(graph_store::store))
        .route("/resource", get(entity::resource))
        .route("/", get(workbench::index))
        .route("/assets/{name}", get(workbench::asset))
        .route("/api/complete", post(workbench::complete))
        .route("/api/queries", get(workbench::queries))
        .route("/api/terms", post(workbench::terms))
        .route("/api/cancel", post(workbench::cancel))
        .fallback(guard::not_found)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            guard::around,
        ))
        .with_state(app)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
