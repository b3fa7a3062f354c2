//! Reading requests: parameters (repeated ones kept, non-UTF-8 refused), bodies within
//! `--max-body` (refused from `Content-Length` before reading), media types and gzip.

use super::answer::{refuse, Refusal};
use super::App;
use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, StatusCode};
use std::io::Read;

/// Decoded `application/x-www-form-urlencoded` pairs, in order.
#[derive(Debug, Default, Clone)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// Parses a query string or a form body; `+` is a space, `%XX` a byte, and the bytes must be UTF-8.
    pub fn parse(text: &[u8]) -> Result<Self, Refusal> {
        let mut out = Vec::new();
        for pair in text.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
            let (k, v) = match pair.iter().position(|b| *b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &b""[..]),
            };
            out.push((decode(k)?, decode(v)?));
        }
        Ok(Params(out))
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// The parameter's one value; two are an error (the protocol forbids repeating `query`).
    pub fn one(&self, name: &str) -> Result<Option<String>, Refusal> {
        let mut values = self.all(name);
        match values.len() {
            0 => Ok(None),
            1 => Ok(values.pop()),
            n => Err(refuse(
                StatusCode::BAD_REQUEST,
                format!("the parameter '{name}' is given {n} times; give it once"),
            )),
        }
    }

    /// A boolean switch: `true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off`; `None` when absent.
    pub fn flag(&self, name: &str) -> Result<Option<bool>, Refusal> {
        match self
            .one(name)?
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None => Ok(None),
            Some("" | "true" | "1" | "yes" | "on") => Ok(Some(true)),
            Some("false" | "0" | "no" | "off") => Ok(Some(false)),
            Some(other) => Err(refuse(
                StatusCode::BAD_REQUEST,
                format!("the parameter '{name}' is true or false, not '{other}'"),
            )),
        }
    }
}

fn decode(bytes: &[u8]) -> Result<String, Refusal> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| {
        refuse(
            StatusCode::BAD_REQUEST,
            "a parameter is not UTF-8 text once percent-decoded",
        )
    })
}

/// The request's media type, lower case, without parameters; and whether its charset, if given, is UTF-8.
pub fn content_type(headers: &HeaderMap) -> Option<(String, bool)> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let mut parts = value.split(';');
    let media = parts.next()?.trim().to_ascii_lowercase();
    let utf8 = parts
        .filter_map(|p| p.trim().split_once('='))
        .filter(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
        .all(|(_, v)| {
            let v = v.trim().trim_matches('"').to_ascii_lowercase();
            v == "utf-8" || v == "utf8"
        });
    Some((media, utf8))
}

/// Reads the body whole, refusing it with 413 past `--max-body` (from `Content-Length` before
/// reading a byte) and with 408 past `--timeout`; a gzip body (`Content-Encoding: gzip`) is
/// decompressed, within the same limit.
pub async fn body(app: &App, headers: &HeaderMap, body: Body) -> Result<Bytes, Refusal> {
    let limit = app.config.max_body;
    let too_big = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the request body is larger than the server's limit of {limit} bytes (--max-body)"
            ),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_big());
    }
    let read = axum::body::to_bytes(body, usize::try_from(limit).unwrap_or(usize::MAX));
    let bytes = match tokio::time::timeout(app.config.timeout, read).await {
        Err(_) => {
            return Err(refuse(
                StatusCode::REQUEST_TIMEOUT,
                "the request body did not arrive within the timeout",
            ))
        }
        Ok(Err(e)) => {
            let text = format!("{e:?}");
            return Err(if text.contains("LengthLimit") {
                too_big()
            } else {
                refuse(
                    StatusCode::BAD_REQUEST,
                    format!("cannot read the request body: {e}"),
                )
            });
        }
        Ok(Ok(b)) => b,
    };
    let gzip = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase());
    match gzip.as_deref() {
        None | Some("identity") => Ok(bytes),
        Some("gzip" | "x-gzip") => {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(&bytes[..])
                .take(limit + 1)
                .read_to_end(&mut out)
                .map_err(|e| {
                    refuse(
                        StatusCode::BAD_REQUEST,
                        format!("the gzip body is corrupt: {e}"),
                    )
                })?;
            if out.len() as u64 > limit {
                return Err(too_big());
            }
            Ok(Bytes::from(out))
        }
        Some(other) => Err(refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Content-Encoding '{other}' is not supported (gzip is)"),
        )),
    }
}

/// The request's own URL without its query, for the base IRI of updates and the service description.
pub fn own_url(headers: &HeaderMap, path: &str, app: &App) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '[' | ']'))
        })
        .map_or_else(|| app.config.bind.to_string(), str::to_owned);
    format!("http://{host}{path}")
}
