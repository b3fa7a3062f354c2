//! The HTTP side of a remote endpoint: one `ureq` agent with connect and read timeouts, gzip,
//! redirects for reads, basic, digest and bearer authentication, retries with backoff for reads
//! only, and errors that carry the engine's own text but never a credential.

use crate::error::{Error, Result};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::io::Read;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A password or token: kept out of `Debug`, errors and logs.
#[derive(Clone, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How requests authenticate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthKind {
    #[default]
    None,
    Basic,
    Digest,
    Bearer,
}

impl AuthKind {
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "none" => Ok(Self::None),
            "basic" => Ok(Self::Basic),
            "digest" => Ok(Self::Digest),
            "bearer" => Ok(Self::Bearer),
            other => Err(Error::BadInput(format!(
                "unknown authentication '{other}' (expected basic, digest or bearer)"
            ))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Basic => "basic",
            Self::Digest => "digest",
            Self::Bearer => "bearer",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Auth {
    pub kind: AuthKind,
    pub user: Option<String>,
    pub secret: Secret,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// One request, kept whole so that it can be sent again (digest challenge, retry).
pub struct Request<'a> {
    pub method: Method,
    pub url: &'a str,
    pub params: Vec<(&'a str, String)>,
    pub accept: Option<&'a str>,
    pub body: Option<(&'a str, Vec<u8>)>,
    /// A read: safe to send again after a dropped connection or a 502/503/504.
    pub idempotent: bool,
}

impl<'a> Request<'a> {
    pub fn get(url: &'a str) -> Self {
        Self {
            method: Method::Get,
            url,
            params: Vec::new(),
            accept: None,
            body: None,
            idempotent: true,
        }
    }

    pub fn post(url: &'a str, content_type: &'a str, body: Vec<u8>) -> Self {
        Self {
            method: Method::Post,
            url,
            params: Vec::new(),
            accept: None,
            body: Some((content_type, body)),
            idempotent: false,
        }
    }

    /// A form-encoded POST (`query=` for long queries, `update=`).
    pub fn form(url: &'a str, fields: &[(&str, &str)]) -> Self {
        Self::post(
            url,
            "application/x-www-form-urlencoded",
            encode_pairs(fields.iter().copied()).into_bytes(),
        )
    }

    /// A SPARQL Protocol query: GET, or a form-encoded POST when the query is long (URL limits
    /// of proxies and of Virtuoso, which cuts URLs near 10 KB; none of them refuses a form).
    pub fn query(url: &'a str, text: &str, params: Vec<(&'a str, String)>) -> Self {
        if text.len() > LONG_QUERY {
            let mut fields: Vec<(&str, &str)> = vec![("query", text)];
            fields.extend(params.iter().map(|(k, v)| (*k, v.as_str())));
            Request::form(url, &fields).read_only()
        } else {
            let mut r = Request::get(url).param("query", text);
            for (k, v) in params {
                r = r.param(k, v);
            }
            r
        }
    }

    pub fn param(mut self, name: &'a str, value: impl Into<String>) -> Self {
        self.params.push((name, value.into()));
        self
    }

    pub fn accept(mut self, accept: &'a str) -> Self {
        self.accept = Some(accept);
        self
    }

    pub fn read_only(mut self) -> Self {
        self.idempotent = true;
        self
    }

    fn full_url(&self) -> String {
        if self.params.is_empty() {
            return self.url.to_owned();
        }
        let sep = if self.url.contains('?') { '&' } else { '?' };
        format!(
            "{}{sep}{}",
            self.url,
            encode_pairs(self.params.iter().map(|(k, v)| (*k, v.as_str())))
        )
    }
}

/// Queries longer than this go by form-encoded POST instead of GET.
const LONG_QUERY: usize = 2000;

/// `application/x-www-form-urlencoded`: everything but the unreserved characters escaped.
const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub fn encode_pairs<'s>(pairs: impl Iterator<Item = (&'s str, &'s str)>) -> String {
    pairs
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, FORM),
                utf8_percent_encode(v, FORM)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// What a successful request returns: the media type and the body as a stream.
pub struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    pub server: Option<String>,
    pub body: Box<dyn Read + Send>,
}

impl Response {
    /// The media type without its parameters, lower-case; empty when the answer has none.
    pub fn media_type(&self) -> String {
        self.content_type
            .as_deref()
            .and_then(|c| c.split(';').next())
            .map(|c| c.trim().to_ascii_lowercase())
            .unwrap_or_default()
    }
}

pub struct Client {
    agent: ureq::Agent,
    auth: Auth,
    /// The last digest challenge, answered again (with the next nonce count) on later requests.
    challenge: Mutex<Option<digest_auth::WwwAuthenticateHeader>>,
    /// How long a read may wait for its answer (`--timeout`).
    pub timeout: Option<Duration>,
    /// `--verbose`: told one line per HTTP exchange.
    log: Option<fn(&str)>,
}

/// How many times a read is tried, and the pause before each retry.
const RETRIES: [Duration; 2] = [Duration::from_millis(200), Duration::from_millis(800)];

impl Client {
    pub fn new(
        auth: Auth,
        connect_timeout: Duration,
        timeout: Option<Duration>,
        log: Option<fn(&str)>,
    ) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(connect_timeout))
            .timeout_recv_response(timeout)
            .max_redirects(5)
            .user_agent(concat!("kg/", env!("CARGO_PKG_VERSION")))
            .build();
        Self {
            agent: config.new_agent(),
            auth,
            challenge: Mutex::new(None),
            timeout,
            log,
        }
    }

    /// Sends a request; an HTTP error status becomes `Error::Remote` with the engine's text.
    pub fn send(&self, request: &Request<'_>) -> Result<Response> {
        let url = request.full_url();
        let mut attempt = 0;
        loop {
            match self.send_once(request, &url) {
                Err(e) if request.idempotent && attempt < RETRIES.len() && transient(&e) => {
                    std::thread::sleep(RETRIES[attempt]);
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    fn send_once(&self, request: &Request<'_>, url: &str) -> Result<Response> {
        let mut response = self.call(request, url, self.authorization(request, url)?)?;
        if response.status().as_u16() == 401 && self.auth.kind == AuthKind::Digest {
            // The first request of a process has no nonce yet: answer the challenge and resend.
            let header = response
                .headers()
                .get_all("www-authenticate")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|v| v.trim_start().to_ascii_lowercase().starts_with("digest"))
                .map(str::to_owned);
            if let Some(header) = header {
                let prompt = digest_auth::parse(&header).map_err(|e| {
                    self.error(
                        url,
                        Some(401),
                        format!("the server's digest challenge cannot be read: {e}"),
                    )
                })?;
                if let Ok(mut c) = self.challenge.lock() {
                    *c = Some(prompt);
                }
                response = self.call(request, url, self.authorization(request, url)?)?;
            }
        }
        self.answer(url, response)
    }

    /// Sends one request whose body is read from `body` as it is sent (a load as one request:
    /// bounded memory here, one transaction there). Not retried and not resent after a digest
    /// challenge, since the body cannot be read twice: for engines without digest auth.
    pub fn send_streamed(
        &self,
        request: &Request<'_>,
        content_type: &str,
        body: &mut dyn Read,
    ) -> Result<Response> {
        let url = request.full_url();
        let mut builder = http::Request::builder()
            .method(request.method.as_str())
            .uri(&url)
            .header("content-type", content_type);
        if let Some(accept) = request.accept {
            builder = builder.header("accept", accept);
        }
        if let Some(a) = self.authorization(request, &url)? {
            builder = builder.header("authorization", a);
        }
        let r = builder
            .body(ureq::SendBody::from_reader(body))
            .map_err(|e| self.error(&url, None, format!("bad request: {e}")))?;
        let start = Instant::now();
        let result = self.agent.run(r);
        self.log(request, &url, &result, start);
        let response =
            result.map_err(|e| self.error(&url, None, transport_message(&e, self.timeout)))?;
        self.answer(&url, response)
    }

    /// A response as kg uses it: an error status becomes `Error::Remote` with the engine's text.
    fn answer(&self, url: &str, response: http::Response<ureq::Body>) -> Result<Response> {
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header("content-type");
        let server = header("server");
        if status >= 400 {
            let mut text = String::new();
            let _ = response
                .into_body()
                .into_reader()
                .take(8192)
                .read_to_string(&mut text);
            return Err(self.error(url, Some(status), status_message(status, &text)));
        }
        Ok(Response {
            status,
            content_type,
            server,
            body: Box::new(response.into_body().into_reader()),
        })
    }

    fn call(
        &self,
        request: &Request<'_>,
        url: &str,
        authorization: Option<String>,
    ) -> Result<http::Response<ureq::Body>> {
        let mut builder = http::Request::builder()
            .method(request.method.as_str())
            .uri(url);
        if let Some(accept) = request.accept {
            builder = builder.header("accept", accept);
        }
        if let Some(a) = authorization {
            builder = builder.header("authorization", a);
        }
        let start = Instant::now();
        let result = match &request.body {
            Some((content_type, body)) => {
                let r = builder
                    .header("content-type", *content_type)
                    .body(body.as_slice())
                    .map_err(|e| self.error(url, None, format!("bad request: {e}")))?;
                self.agent.run(r)
            }
            None => {
                let r = builder
                    .body(())
                    .map_err(|e| self.error(url, None, format!("bad request: {e}")))?;
                self.agent.run(r)
            }
        };
        self.log(request, url, &result, start);
        result.map_err(|e| self.error(url, None, transport_message(&e, self.timeout)))
    }

    /// With `--verbose`: method, URL (credentials stripped; headers, where secrets travel, are
    /// never shown), status or failure, and time.
    fn log(
        &self,
        request: &Request<'_>,
        url: &str,
        result: &std::result::Result<http::Response<ureq::Body>, ureq::Error>,
        start: Instant,
    ) {
        let Some(log) = self.log else {
            return;
        };
        let mut shown = strip_credentials(url);
        if shown.len() > 300 {
            let mut end = 300;
            while !shown.is_char_boundary(end) {
                end -= 1;
            }
            shown.truncate(end);
            shown.push('…');
        }
        let outcome = match result {
            Ok(r) => format!("HTTP {}", r.status().as_u16()),
            Err(e) => format!("failed: {}", transport_message(e, self.timeout)),
        };
        log(&format!(
            "kg: {} {shown} → {outcome} in {} ms",
            request.method.as_str(),
            start.elapsed().as_millis()
        ));
    }

    fn authorization(&self, request: &Request<'_>, url: &str) -> Result<Option<String>> {
        let user = self.auth.user.as_deref().unwrap_or_default();
        Ok(match self.auth.kind {
            AuthKind::None => None,
            AuthKind::Basic => {
                use base64::Engine;
                let pair = format!("{user}:{}", self.auth.secret.expose());
                Some(format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                ))
            }
            AuthKind::Bearer => Some(format!("Bearer {}", self.auth.secret.expose())),
            AuthKind::Digest => {
                let Ok(mut challenge) = self.challenge.lock() else {
                    return Ok(None);
                };
                let Some(prompt) = challenge.as_mut() else {
                    return Ok(None);
                };
                let uri = path_and_query(url);
                let body = request.body.as_ref().map(|(_, b)| b.as_slice());
                let context = digest_auth::AuthContext::new_with_method(
                    user,
                    self.auth.secret.expose(),
                    uri,
                    body,
                    digest_auth::HttpMethod::from(request.method.as_str()),
                );
                let answer = prompt.respond(&context).map_err(|e| {
                    self.error(url, Some(401), format!("digest authentication failed: {e}"))
                })?;
                Some(answer.to_header_string())
            }
        })
    }

    /// An error about `url` whose text has every credential taken out.
    pub fn error(&self, url: &str, status: Option<u16>, message: String) -> Error {
        let mut message = message;
        let mut url = strip_credentials(url);
        let secret = self.auth.secret.expose();
        if !secret.is_empty() {
            message = message.replace(secret, "***");
            url = url.replace(secret, "***");
        }
        Error::Remote {
            url,
            status,
            message,
        }
    }
}

fn transient(error: &Error) -> bool {
    match error {
        Error::Remote {
            status: Some(s), ..
        } => matches!(s, 502..=504),
        Error::Remote {
            status: None,
            message,
            ..
        } => message.starts_with("connection lost"),
        _ => false,
    }
}

fn transport_message(error: &ureq::Error, timeout: Option<Duration>) -> String {
    match error {
        ureq::Error::Timeout(t) => match timeout {
            Some(d) if !matches!(t, ureq::Timeout::Connect | ureq::Timeout::Resolve) => {
                format!("no answer within the {} s timeout ({t})", d.as_secs_f64())
            }
            _ => format!("timed out ({t}): is the endpoint up and the address right?"),
        },
        ureq::Error::HostNotFound => "host not found".to_owned(),
        ureq::Error::ConnectionFailed => {
            "cannot connect: is the endpoint up and the address right?".to_owned()
        }
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused: is the endpoint up and the address right?".to_owned()
        }
        ureq::Error::Io(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::UnexpectedEof
            ) =>
        {
            format!("connection lost: {e}")
        }
        other => other.to_string(),
    }
}

/// The readable part of an error answer: engines send plain text, HTML pages or JSON.
fn status_message(status: u16, body: &str) -> String {
    let text = if body.trim_start().starts_with('<') {
        strip_tags(body)
    } else {
        body.to_owned()
    };
    let text: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(1000)
        .collect();
    let hint = match status {
        401 => "authentication failed: wrong or missing credentials (--auth, --user, KG_ENDPOINT_PASSWORD or KG_ENDPOINT_TOKEN)",
        403 => "forbidden: these credentials may not do this",
        404 => "not found: check the endpoint URL",
        405 => "method not allowed: is this the right URL for this operation?",
        _ => "",
    };
    match (hint.is_empty(), text.is_empty()) {
        (true, true) => "the endpoint gave no explanation".to_owned(),
        (true, false) => text,
        (false, true) => hint.to_owned(),
        (false, false) => format!("{hint}: {text}"),
    }
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut depth = 0usize;
    for c in html.chars() {
        match c {
            '<' => depth += 1,
            '>' if depth > 0 => {
                depth -= 1;
                out.push(' ');
            }
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// The URL without a `user:password@` part.
pub fn strip_credentials(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let authority_end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@') {
            return format!("{scheme}://{}", &rest[at + 1..]);
        }
    }
    url.to_owned()
}

fn path_and_query(url: &str) -> String {
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned()))
        .unwrap_or_else(|| "/".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_reach_an_error() {
        let client = Client::new(
            Auth {
                kind: AuthKind::Basic,
                user: Some("dba".into()),
                secret: Secret::new("s3cret"),
            },
            Duration::from_secs(1),
            None,
            None,
        );
        let e = client.error(
            "http://dba:s3cret@example.org/sparql",
            Some(500),
            "echo: s3cret".into(),
        );
        let text = e.to_string();
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("http://example.org/sparql"), "{text}");
        assert_eq!(format!("{:?}", Secret::new("s3cret")), "Secret(***)");
    }

    #[test]
    fn forms_escape_everything_but_unreserved() {
        assert_eq!(
            encode_pairs([("query", "SELECT * { ?s ?p \"é&\" }")].into_iter()),
            "query=SELECT%20%2A%20%7B%20%3Fs%20%3Fp%20%22%C3%A9%26%22%20%7D"
        );
        assert_eq!(
            path_and_query("http://h:1/sparql-auth?x=1"),
            "/sparql-auth?x=1"
        );
    }

    #[test]
    fn html_error_pages_become_text() {
        let m = status_message(
            400,
            "<html><body><h1>Error</h1><p>Virtuoso 37000 &amp; syntax</p></body></html>",
        );
        assert_eq!(m, "Error Virtuoso 37000 & syntax");
    }
}
