//! Running a request's work on a blocking thread and streaming what it writes.
//!
//! The work gets the store, a cancellation token and a `Sink`. It decides the status and media
//! type (`Sink::start`) once it knows them, after negotiating with the answer's kind, so an error
//! before the first byte becomes a proper status with a readable body, and one after it cuts the
//! response short (the client sees an incomplete transfer, never a complete-looking answer).
//! The token is cancelled when the response is dropped: a client that disconnects, a timeout,
//! the cancel button and the shutdown all stop the query at Oxigraph's next check.

use super::App;
use axum::body::{Body, Bytes};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kg::{Error, KgStore, Result};
use oxigraph::sparql::CancellationToken;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;

/// A response refusing a request; handlers return it early with `?`. Boxed: a `Response` is
/// large, and most results are not refusals.
pub struct Refusal(pub Box<Response>);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        *self.0
    }
}

impl From<&Error> for Refusal {
    fn from(error: &Error) -> Self {
        Refusal(Box::new(error_response(error)))
    }
}

/// A plain-text refusal a person can read.
pub fn refuse(status: StatusCode, message: impl Into<String>) -> Refusal {
    Refusal(Box::new(plain(status, message)))
}

/// A plain-text answer.
pub fn plain(status: StatusCode, message: impl Into<String>) -> Response {
    let mut text = message.into();
    text.push('\n');
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

/// The status a library error deserves, with the error (and a caret under a syntax error) as the
/// body; syntax errors also say their position in `Kg-Error-Location: LINE:COLUMN` for the workbench.
pub fn error_response(error: &Error) -> Response {
    let status = match error {
        Error::Syntax { .. }
        | Error::Invalid(_)
        | Error::BadInput(_)
        | Error::UnknownFormat { .. }
        | Error::Ambiguous { .. } => StatusCode::BAD_REQUEST,
        Error::FormatMismatch { .. } => StatusCode::NOT_ACCEPTABLE,
        Error::NotFound { .. } | Error::NoPath { .. } => StatusCode::NOT_FOUND,
        Error::Cancelled | Error::Timeout(_) | Error::StoreLocked { .. } => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        Error::Evaluation(_) | Error::Storage(_) | Error::Io { .. } => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
        Error::Remote { .. } => StatusCode::BAD_GATEWAY,
    };
    let mut response = plain(status, error.render());
    if let Error::Syntax { location, .. } = error {
        if let Ok(v) = HeaderValue::from_str(&format!("{}:{}", location.line, location.column)) {
            response
                .headers_mut()
                .insert(HeaderName::from_static("kg-error-location"), v);
        }
    }
    response
}

enum Message {
    /// The status, the headers and the first chunk: a short answer is one message, one wake-up.
    Start {
        status: StatusCode,
        headers: Vec<(HeaderName, String)>,
        body: Bytes,
    },
    Bytes(Bytes),
    Failed(Error),
}

/// Where work writes its answer: buffered, sent in chunks; writing fails once the client is gone.
/// The status waits for the first chunk, so an error within the first 64 KiB still gets its own.
pub struct Sink {
    sender: mpsc::Sender<Message>,
    buffer: Vec<u8>,
    started: bool,
    pending: Option<(StatusCode, Vec<(HeaderName, String)>)>,
}

const CHUNK: usize = 64 * 1024;

impl Sink {
    /// Sets the status and headers; must come before the first byte.
    pub fn start(&mut self, status: StatusCode, headers: Vec<(HeaderName, String)>) -> Result<()> {
        self.started = true;
        self.pending = Some((status, headers));
        Ok(())
    }

    /// `start` with 200 and a media type.
    pub fn ok(&mut self, media_type: &str) -> Result<()> {
        self.start(
            StatusCode::OK,
            vec![(header::CONTENT_TYPE, media_type.to_owned())],
        )
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        if self.buffer.len() >= CHUNK {
            self.flush()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() && self.pending.is_none() {
            return Ok(());
        }
        let bytes = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(CHUNK),
        ));
        let message = match self.pending.take() {
            Some((status, headers)) => Message::Start {
                status,
                headers,
                body: bytes,
            },
            None => Message::Bytes(bytes),
        };
        self.sender
            .blocking_send(message)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client gone"))
    }
}

/// Cancels the work's token and forgets it when the request ends, however it ends.
struct Registered {
    app: Arc<App>,
    id: u64,
    token: CancellationToken,
    /// The `--timeout` timer, stopped with the request.
    timer: tokio::task::AbortHandle,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.timer.abort();
        self.token.cancel();
        if let Ok(mut running) = self.app.running.lock() {
            running.remove(&self.id);
        }
    }
}

/// Counts the blocking job until it ends, and tells `query::background` when it has let go of
/// the store, so the process never exits under a worker still reading RocksDB.
struct JobCount(Arc<App>, Arc<AtomicBool>);

impl Drop for JobCount {
    fn drop(&mut self) {
        self.0.jobs.fetch_sub(1, Ordering::AcqRel);
        self.1.store(true, Ordering::Release);
    }
}

/// Runs `work` on a blocking thread once one of the `--workers` is free, and answers with what it
/// writes. `client_id` is the workbench's name for the query, for its cancel button.
pub async fn run<F>(app: &Arc<App>, client_id: Option<String>, work: F) -> Response
where
    F: FnOnce(&KgStore, CancellationToken, &mut Sink) -> Result<()> + Send + 'static,
{
    let timeout = app.config.timeout;
    let started = tokio::time::Instant::now();
    let permit = match tokio::time::timeout(timeout, app.evaluations.clone().acquire_owned()).await
    {
        Ok(Ok(p)) => p,
        _ => {
            return plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "the server is busy: every worker stayed taken for the whole timeout",
            )
        }
    };
    let token = CancellationToken::new();
    let id = app.next_id.fetch_add(1, Ordering::Relaxed);
    if let Ok(mut running) = app.running.lock() {
        running.insert(id, (client_id.unwrap_or_default(), token.clone()));
    }
    // The timeout is a task on the runtime, not a thread per query as the CLI's `Deadline` is:
    // it cancels the token, and the cancellation it causes is reported as the timeout.
    let timed_out = Arc::new(AtomicBool::new(false));
    let left = timeout.saturating_sub(started.elapsed());
    let timer = tokio::spawn({
        let (token, timed_out) = (token.clone(), timed_out.clone());
        async move {
            tokio::time::sleep(left).await;
            timed_out.store(true, Ordering::Release);
            token.cancel();
        }
    })
    .abort_handle();
    let registered = Registered {
        app: app.clone(),
        id,
        token: token.clone(),
        timer,
    };
    let stopped = move |e: Error| match e {
        Error::Cancelled if timed_out.load(Ordering::Acquire) => {
            Error::Timeout(timeout.as_secs().max(1))
        }
        e => e,
    };
    let (sender, mut receiver) = mpsc::channel(16);
    let store = app.store.clone();
    app.jobs.fetch_add(1, Ordering::AcqRel);
    let finished = Arc::new(AtomicBool::new(false));
    kg::query::background::track_flag(finished.clone());
    let count = JobCount(app.clone(), finished);
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let _count = count;
        let mut sink = Sink {
            sender,
            buffer: Vec::with_capacity(CHUNK),
            started: false,
            pending: None,
        };
        let result = work(&store, token, &mut sink)
            .and_then(|()| sink.flush().map_err(|_| Error::Cancelled));
        drop(store);
        if let Err(e) = result {
            let _ = sink.sender.blocking_send(Message::Failed(e));
        } else if !sink.started {
            let _ = sink.sender.blocking_send(Message::Start {
                status: StatusCode::NO_CONTENT,
                headers: Vec::new(),
                body: Bytes::new(),
            });
        }
    });
    // A little past the timer: Oxigraph may take a moment to notice the cancellation.
    let first = match tokio::time::timeout(
        left + std::time::Duration::from_millis(200),
        receiver.recv(),
    )
    .await
    {
        Err(_) => {
            return error_response(&Error::Timeout(timeout.as_secs().max(1)));
        }
        Ok(None) => {
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the query worker stopped unexpectedly",
            )
        }
        Ok(Some(m)) => m,
    };
    let (status, headers, body) = match first {
        Message::Failed(e) => return error_response(&stopped(e)),
        Message::Bytes(_) => {
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the answer began before its status",
            )
        }
        Message::Start {
            status,
            headers,
            body,
        } => (status, headers, body),
    };
    let first = futures_util::stream::iter((!body.is_empty()).then_some(Ok(body)));
    let stream = futures_util::stream::unfold(
        (receiver, registered),
        |(mut receiver, registered)| async move {
            match receiver.recv().await {
                Some(Message::Bytes(b)) => Some((Ok(b), (receiver, registered))),
                Some(Message::Failed(e)) => Some((
                    Err(std::io::Error::other(e.to_string())),
                    (receiver, registered),
                )),
                Some(Message::Start { .. }) | None => None,
            }
        },
    );
    let stream = futures_util::StreamExt::chain(first, stream);
    let mut response = Response::new(if status == StatusCode::NO_CONTENT {
        Body::empty()
    } else {
        Body::from_stream(stream)
    });
    *response.status_mut() = status;
    for (name, value) in headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, v);
        }
    }
    response
}
