//! What stands around every handler: the bearer token of writes, CORS, the bound on open
//! connections, and the one-line request log on stderr.

use super::answer::{refuse, Refusal};
use super::App;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Whether this request may write: the server must be `--writable`, and when it has a token the
/// request must carry it (`Authorization: Bearer …`): 401 without one, 403 with a wrong one.
pub fn authorize(app: &App, headers: &HeaderMap) -> Result<(), Refusal> {
    if !app.config.writable {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "the server is read-only: start it with --writable to allow updates and Graph Store writes",
        ));
    }
    let Some(expected) = &app.config.token else {
        return Ok(());
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
    match given {
        None => {
            let mut r = refuse(
                StatusCode::UNAUTHORIZED,
                "writes need the server's token: send Authorization: Bearer TOKEN",
            );
            r.0.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"kg\""),
            );
            Err(r)
        }
        Some(token) if same_secret(token, expected) => Ok(()),
        Some(_) => Err(refuse(StatusCode::FORBIDDEN, "the bearer token is wrong")),
    }
}

/// Compares digests in constant time, so neither the contents nor the length of the secret leak
/// through how long a wrong guess takes.
fn same_secret(given: &str, expected: &str) -> bool {
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

pub fn wrong_method(method: &Method, allowed: &'static str) -> Refusal {
    let mut r = refuse(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{method} is not allowed here; use {allowed}"),
    );
    r.0.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allowed));
    r
}

pub async fn not_found(method: Method, uri: axum::http::Uri) -> Response {
    super::answer::plain(
        StatusCode::NOT_FOUND,
        format!(
            "{method} {}: no such endpoint (try /, /sparql, /store, /resource?iri=)",
            uri.path()
        ),
    )
}

/// Logs each request once its response has been sent (or abandoned), and answers CORS.
pub async fn around(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();

    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .filter(|o| {
            app.config
                .cors
                .iter()
                .any(|allowed| allowed == "*" || allowed == o)
        })
        .map(str::to_owned);
    // Logs on drop too: a client that leaves before the answer drops this future, and its query.
    let mut log = (!app.config.quiet).then(|| Logged {
        method: method.clone(),
        path,
        status: 0,
        start,
        bytes: 0,
        logged: false,
    });
    let mut response = if method == Method::OPTIONS && origin.is_some() {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NO_CONTENT;
        let h = r.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, HEAD, POST, PUT, DELETE, OPTIONS"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Authorization, Content-Type, Accept, Content-Encoding"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        r
    } else {
        next.run(request).await
    };
    // Clients (kg --endpoint among them) tell the engine by this header.
    response.headers_mut().insert(
        header::SERVER,
        HeaderValue::from_static(concat!("kg/", env!("CARGO_PKG_VERSION"))),
    );
    if let Some(o) = origin.and_then(|o| HeaderValue::from_str(&o).ok()) {
        let h = response.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Kg-Error-Location, Location"),
        );
    }
    let Some(mut log) = log.take() else {
        return response;
    };
    log.status = response.status().as_u16();
    let (parts, body) = response.into_parts();
    if axum::body::HttpBody::size_hint(&body).exact() == Some(0) {
        log.finish();
        return Response::from_parts(parts, body);
    }
    let stream = futures_util::stream::unfold(
        (body.into_data_stream(), log),
        |(mut body, mut log)| async move {
            use futures_util::StreamExt;
            match body.next().await {
                Some(Ok(chunk)) => {
                    log.bytes += chunk.len() as u64;
                    Some((Ok(chunk), (body, log)))
                }
                Some(Err(e)) => Some((Err(e), (body, log))),
                None => {
                    log.finish();
                    None
                }
            }
        },
    );
    Response::from_parts(parts, Body::from_stream(stream))
}

/// One request's log line, written when its body is done with.
struct Logged {
    method: Method,
    path: String,
    status: u16,
    start: Instant,
    bytes: u64,
    logged: bool,
}

impl Logged {
    fn finish(&mut self) {
        self.emit(true);
        self.logged = true;
    }

    fn emit(&self, finished: bool) {
        let ms = self.start.elapsed().as_secs_f64() * 1000.0;
        let end = if finished {
            ""
        } else if self.status == 0 {
            " (the client left before the answer; its query was cancelled)"
        } else {
            " (cut short: the client left, or the answer failed midway)"
        };
        eprintln!(
            "{} {} {} {} B {ms:.1} ms{end}",
            self.method, self.path, self.status, self.bytes
        );
    }
}

impl Drop for Logged {
    fn drop(&mut self) {
        if !self.logged {
            self.emit(false);
        }
    }
}

/// The listener, holding one of `--max-connections` permits per open connection: past the
/// bound, new connections wait in the kernel's backlog instead of costing memory and threads.
pub struct Limited {
    listener: tokio::net::TcpListener,
    permits: Arc<Semaphore>,
}

impl Limited {
    pub fn new(listener: tokio::net::TcpListener, max: usize) -> Self {
        Self {
            listener,
            permits: Arc::new(Semaphore::new(max.max(1))),
        }
    }
}

impl axum::serve::Listener for Limited {
    type Io = Connection;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok(permit) = self.permits.clone().acquire_owned().await else {
                std::future::pending::<()>().await;
                continue;
            };
            match self.listener.accept().await {
                Ok((stream, addr)) => {
                    let _ = stream.set_nodelay(true);
                    return (
                        Connection {
                            stream,
                            _permit: permit,
                        },
                        addr,
                    );
                }
                // Out of file descriptors and the like: wait a little rather than spin.
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.listener.local_addr()
    }
}

/// A connection and its permit, released when the connection closes.
pub struct Connection {
    stream: tokio::net::TcpStream,
    _permit: OwnedSemaphorePermit,
}

impl AsyncRead for Connection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}
