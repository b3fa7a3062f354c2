//! `kg serve` driven by real clients: raw HTTP (the W3C Protocol and Graph Store Protocol
//! manifests replayed as transcripts, malformed requests), curl, SPARQLWrapper and rdflib, the
//! Oxigraph server's SERVICE, headless Chromium on the workbench; faults: concurrent readers and a
//! writer, kill -9 during a large PUT, shutdown with a query in flight.
//!
//! Every server binds 127.0.0.1 on a free port, every wait and loop is bounded in time and count.

use crate::util::{have, python, run_python, shared, TestDir, SMALL_TTL};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Graph, NamedNode, NamedOrBlankNode, Term, TermRef};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running `kg serve`, stopped (SIGTERM, then SIGKILL after 10 s) when dropped.
pub struct Server {
    child: Child,
    pub url: String,
    pub addr: String,
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    pub fn start(t: &TestDir, args: &[&str]) -> Server {
        Self::try_start(t, args).unwrap_or_else(|log| {
            panic!("kg serve did not print its URL within 30 s; its stderr:\n{log}")
        })
    }

    fn try_start(t: &TestDir, args: &[&str]) -> Result<Server, String> {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("kg"));
        cmd.current_dir(t.path())
            .env_remove("KG_STORE")
            .env("NO_COLOR", "1")
            .env("HOME", t.path().join("home"))
            .env("XDG_DATA_HOME", t.path().join("data"))
            .arg("--store")
            .arg(t.store())
            .arg("serve")
            .arg("--bind")
            .arg("127.0.0.1:0")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn kg serve");
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(mut l) = sink.lock() {
                    l.push_str(&line);
                    l.push('\n');
                }
            }
        });
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let url = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
        let url = url.trim().to_owned();
        if !url.starts_with("http://") {
            let _ = child.kill();
            let _ = child.wait();
            // The stderr reader ends with the process.
            std::thread::sleep(Duration::from_millis(100));
            return Err(log.lock().map(|l| l.clone()).unwrap_or_default());
        }
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        Ok(Server {
            child,
            url,
            addr,
            log,
        })
    }

    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Sends SIGTERM and waits (bounded) for the process to end; returns its exit status.
    pub fn stop(&mut self, patience: Duration) -> Option<std::process::ExitStatus> {
        unsafe { libc::kill(self.pid(), libc::SIGTERM) };
        let deadline = Instant::now() + patience;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        http(&self.addr, "GET", path, headers, b"")
    }

    pub fn post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
        http(&self.addr, "POST", path, headers, body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.stop(Duration::from_secs(10)).is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 request over a fresh connection (`Connection: close`), read to the end; the body
/// is sent as given, so tests can send what no client library would (bad UTF-8, no Content-Type).
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    try_http(addr, method, path, headers, body, Duration::from_secs(60))
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

pub fn try_http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" || method == "PUT" {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_response(&raw, method == "HEAD")
}

fn parse_response(raw: &[u8], head: bool) -> std::io::Result<Response> {
    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_owned());
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no end of headers"))?;
    let head_text = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head_text.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("no status"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    if chunked && !head {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let line_end = rest
                .windows(2)
                .position(|w| w == b"\r\n")
                .ok_or_else(|| bad("incomplete chunked body"))?;
            let size = usize::from_str_radix(
                String::from_utf8_lossy(&rest[..line_end])
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim(),
                16,
            )
            .map_err(|_| bad("bad chunk size"))?;
            rest = &rest[line_end + 2..];
            if size == 0 {
                break;
            }
            if rest.len() < size + 2 {
                return Err(bad("incomplete chunked body"));
            }
            out.extend_from_slice(&rest[..size]);
            rest = &rest[size + 2..];
        }
        body = out;
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

pub fn enc(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// 11⁹ rows to count on the small store: minutes of work, stopped by a timeout or a cancel.
const SLOW: &str = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p1 ?p2 ?p3 . ?q1 ?q2 ?q3 . ?r1 ?r2 ?r3 . ?t1 ?t2 ?t3 }";

fn loaded() -> TestDir {
    let t = TestDir::new();
    let f = t.create("small.ttl", SMALL_TTL);
    t.run(&["load", f.to_str().unwrap()]);
    t
}

// ---------------------------------------------------------------------------------------------
// The protocol, by hand.
// ---------------------------------------------------------------------------------------------

#[test]
fn queries_negotiate_every_format_kg_writes() {
    let t = loaded();
    let s = Server::start(&t, &[]);
    let select = format!(
        "/sparql?query={}",
        enc("SELECT ?n WHERE { ex:alice ex:name ?n } ORDER BY ?n")
    );
    for (accept, media, needle) in [
        (
            "application/sparql-results+json",
            "application/sparql-results+json",
            "\"Alicia\"",
        ),
        (
            "application/sparql-results+xml",
            "application/sparql-results+xml",
            "<literal xml:lang=\"es\">Alicia</literal>",
        ),
        ("text/csv", "text/csv", "n\r\nAlice\r\nAlicia\r\n"),
        (
            "text/tab-separated-values",
            "text/tab-separated-values",
            "?n\n\"Alice\"\n\"Alicia\"@es\n",
        ),
        ("text/plain", "text/plain", "Alicia"),
        ("*/*", "application/sparql-results+json", "\"Alice\""),
    ] {
        let r = s.get(&select, &[("Accept", accept)]);
        assert_eq!(r.status, 200, "{accept}: {}", r.text());
        assert!(
            r.header("content-type").unwrap().starts_with(media),
            "{accept}: {:?}",
            r.header("content-type")
        );
        assert!(r.text().contains(needle), "{accept}: {}", r.text());
    }
    let construct = format!(
        "/sparql?query={}",
        enc("CONSTRUCT { ?s ex:name ?n } WHERE { ?s ex:name ?n }")
    );
    for (accept, media) in [
        ("text/turtle", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/n-quads", "application/n-quads"),
        ("application/trig", "application/trig"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/ld+json", "application/ld+json"),
    ] {
        let r = s.get(&construct, &[("Accept", accept)]);
        assert_eq!(r.status, 200, "{accept}: {}", r.text());
        assert!(r.header("content-type").unwrap().starts_with(media));
        assert!(r.text().contains("Alicia"), "{accept}: {}", r.text());
    }
    // Stored prefixes work without PREFIX lines, and a format parameter overrides Accept.
    let r = s.get(
        &format!("{select}&format=csv&download=true"),
        &[("Accept", "application/json")],
    );
    assert!(r
        .header("content-disposition")
        .unwrap()
        .contains("answer.csv"));
    assert_eq!(r.text(), "n\r\nAlice\r\nAlicia\r\n");
    // Nothing acceptable: 406.
    let r = s.get(&select, &[("Accept", "image/png")]);
    assert_eq!(r.status, 406, "{}", r.text());
    let ask = s.post(
        "/sparql",
        &[("Content-Type", "application/sparql-query")],
        b"ASK { ex:bob ex:knows ex:alice }",
    );
    assert_eq!(ask.text(), "{\"head\":{},\"boolean\":false}");
}

#[test]
fn the_service_description_says_the_default_graph_is_the_union_as_a_set() {
    let t = loaded();
    let s = Server::start(&t, &[]);
    let r = s.get("/sparql", &[("Accept", "text/turtle")]);
    assert_eq!(r.status, 200);
    let text = r.text();
    assert!(text.contains("sd:UnionDefaultGraph"), "{text}");
    assert!(text.contains("as a set"), "{text}");
    assert!(text.contains("sd:SPARQL11Query"), "{text}");
    assert!(
        !text.contains("SPARQL11Update"),
        "a read-only server offers no update: {text}"
    );
    let r = s.get("/sparql", &[("Accept", "application/n-triples")]);
    assert!(r
        .text()
        .contains("<http://www.w3.org/ns/sparql-service-description#endpoint>"));
}

#[test]
fn protocol_datasets_inference_and_default_graph_parameters() {
    let t = TestDir::new();
    let a = t.create("a.ttl", "<http://e/a> <http://e/p> 1 .\n");
    let b = t.create(
        "b.ttl",
        "<http://e/a> <http://e/p> 1 .\n<http://e/b> <http://e/p> 2 .\n",
    );
    t.run(&["load", "--graph", "http://e/ga", a.to_str().unwrap()]);
    t.run(&["load", "--graph", "http://e/gb", b.to_str().unwrap()]);
    let s = Server::start(&t, &[]);
    let count = |extra: &str| {
        let q = enc("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }");
        let r = s.get(
            &format!("/sparql?query={q}{extra}"),
            &[("Accept", "text/csv")],
        );
        assert_eq!(r.status, 200, "{}", r.text());
        r.text().lines().nth(1).unwrap_or_default().to_owned()
    };
    // The union is a set: the triple in both graphs counts once.
    assert_eq!(count(""), "2");
    assert_eq!(count("&default-graph-only=true"), "0");
    assert_eq!(
        count(&format!("&default-graph-uri={}", enc("http://e/gb"))),
        "2"
    );
    assert_eq!(
        count(&format!("&default-graph-uri={}", enc("http://e/ga"))),
        "1"
    );
    assert_eq!(count("&inference=false"), "2");
    let r = s.get("/sparql?query=ASK%7B%7D&inference=maybe", &[]);
    assert_eq!(r.status, 400);
    let r = s.get(
        &format!(
            "/sparql?query=ASK%7B%7D&default-graph-uri={}",
            enc("not an iri")
        ),
        &[],
    );
    assert_eq!(r.status, 400, "{}", r.text());
}

#[test]
fn bad_requests_get_their_status_and_a_readable_body() {
    let t = loaded();
    let s = Server::start(&t, &["--max-body", "1000", "--timeout", "2"]);
    let q = |text: &str| format!("/sparql?query={}", enc(text));
    let cases: Vec<(&str, Response, u16, &str)> = vec![
        (
            "syntax",
            s.get(&q("SELECT * WHERE { ?s ?p }"), &[]),
            400,
            "1 | SELECT * WHERE { ?s ?p }",
        ),
        (
            "method",
            http(&s.addr, "DELETE", "/sparql?query=ASK%7B%7D", &[], b""),
            405,
            "not allowed",
        ),
        (
            "media type",
            s.post("/sparql", &[("Content-Type", "text/plain")], b"ASK {}"),
            415,
            "not text/plain",
        ),
        (
            "no media type",
            s.post("/sparql", &[], b"ASK {}"),
            400,
            "Content-Type",
        ),
        (
            "too big",
            s.post(
                "/sparql",
                &[("Content-Type", "application/sparql-query")],
                &[b' '; 5000],
            ),
            413,
            "--max-body",
        ),
        (
            "non-UTF-8 body",
            s.post(
                "/sparql",
                &[("Content-Type", "application/sparql-query")],
                b"ASK { \"\xff\" }",
            ),
            400,
            "UTF-8",
        ),
        (
            "non-UTF-8 charset",
            s.post(
                "/sparql",
                &[("Content-Type", "application/sparql-query; charset=UTF-16")],
                b"ASK {}",
            ),
            400,
            "UTF-8",
        ),
        (
            "non-UTF-8 parameter",
            s.get("/sparql?query=ASK%20%7B%20%22%FF%22%20%7D", &[]),
            400,
            "UTF-8",
        ),
        (
            "two queries",
            s.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D", &[]),
            400,
            "2 times",
        ),
        (
            "update by GET",
            s.get("/sparql?update=CLEAR%20ALL", &[]),
            400,
            "POST",
        ),
        (
            "update when read-only",
            s.post(
                "/sparql",
                &[("Content-Type", "application/sparql-update")],
                b"CLEAR ALL",
            ),
            403,
            "read-only",
        ),
        (
            "both",
            s.post(
                "/sparql",
                &[("Content-Type", "application/x-www-form-urlencoded")],
                b"query=ASK%7B%7D&update=CLEAR%20ALL",
            ),
            400,
            "not both",
        ),
        ("timeout", s.get(&q(SLOW), &[]), 503, "timeout"),
        (
            "SERVICE",
            s.get(
                &q("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"),
                &[],
            ),
            400,
            "remote services",
        ),
        (
            "unknown path",
            s.get("/nothing", &[]),
            404,
            "no such endpoint",
        ),
        (
            "bad IRI",
            s.get("/resource?iri=not%20an%20iri", &[]),
            400,
            "not an IRI",
        ),
        (
            "GSP write when read-only",
            http(
                &s.addr,
                "PUT",
                "/store?default",
                &[("Content-Type", "text/turtle")],
                b"",
            ),
            403,
            "read-only",
        ),
    ];
    for (what, r, status, needle) in cases {
        assert_eq!(r.status, status, "{what}: {}", r.text());
        assert!(r.text().contains(needle), "{what}: {}", r.text());
    }
    let r = s.get(&q("SELECT * WHERE { ?s ?p }"), &[]);
    let at = r
        .header("kg-error-location")
        .expect("Kg-Error-Location")
        .to_owned();
    assert!(
        r.text().starts_with(&format!("<query>:{at}: ")),
        "{at}: {}",
        r.text()
    );
    // And the server goes on answering.
    assert_eq!(s.get(&q("ASK {}"), &[]).status, 200);
}

#[test]
fn writes_need_the_token_when_there_is_one() {
    let t = loaded();
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("kg"));
    // A writable server on every interface without a token refuses to start (before binding).
    let out = cmd
        .args([
            "--store",
            t.store().to_str().unwrap(),
            "serve",
            "--writable",
            "--bind",
            "0.0.0.0:0",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--token-env"));
    std::env::set_var("KG_TEST_SERVE_TOKEN", "s3cret-token");
    let s = Server::start(&t, &["--writable", "--token-env", "KG_TEST_SERVE_TOKEN"]);
    let update = b"INSERT DATA { <http://e/x> <http://e/p> 1 }";
    let ct = ("Content-Type", "application/sparql-update");
    assert_eq!(s.post("/sparql", &[ct], update).status, 401);
    assert_eq!(
        s.post("/sparql", &[ct, ("Authorization", "Bearer wrong")], update)
            .status,
        403
    );
    assert_eq!(
        s.post(
            "/sparql",
            &[ct, ("Authorization", "Bearer s3cret-token")],
            update
        )
        .status,
        204
    );
    assert_eq!(
        http(&s.addr, "DELETE", "/store?default", &[], b"").status,
        401
    );
    // Reads need no token.
    assert_eq!(
        s.get(
            "/sparql?query=ASK%7B%3Chttp%3A%2F%2Fe%2Fx%3E%20%3Fp%20%3Fo%7D",
            &[]
        )
        .text(),
        "{\"head\":{},\"boolean\":true}"
    );
    assert!(
        !s.log().contains("s3cret"),
        "the token must never be printed"
    );
}

#[test]
fn the_graph_store_protocol_reads_and_writes_graphs_atomically() {
    let t = loaded();
    let s = Server::start(&t, &["--writable"]);
    let g = format!("/store?graph={}", enc("http://e/g1"));
    let put = http(
        &s.addr,
        "PUT",
        &g,
        &[("Content-Type", "text/turtle")],
        b"<http://e/a> <http://e/p> \"one\" .",
    );
    assert_eq!(put.status, 201, "{}", put.text());
    let again = http(
        &s.addr,
        "PUT",
        &g,
        &[("Content-Type", "application/n-triples")],
        b"<http://e/a> <http://e/p> \"two\" .\n",
    );
    assert_eq!(again.status, 204);
    let r = s.get(&g, &[("Accept", "text/turtle")]);
    assert_eq!(r.status, 200);
    assert!(
        r.text().contains("\"two\"") && !r.text().contains("\"one\""),
        "{}",
        r.text()
    );
    // A body with an error leaves the graph as it was, and says where the error is.
    let bad = http(
        &s.addr,
        "POST",
        &g,
        &[("Content-Type", "text/turtle")],
        b"<http://e/b> <http://e/p> \"three\" .\n<http://e/c> <http://e/p> .",
    );
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("<request body>:2:"), "{}", bad.text());
    assert!(!s.get(&g, &[]).text().contains("three"));
    // gzip bodies.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"<http://e/b> <http://e/p> \"gz\" .\n")
        .unwrap();
    let post = http(
        &s.addr,
        "POST",
        &g,
        &[
            ("Content-Type", "application/n-triples"),
            ("Content-Encoding", "gzip"),
        ],
        &gz.finish().unwrap(),
    );
    assert_eq!(post.status, 204, "{}", post.text());
    assert!(s
        .get(&g, &[("Accept", "application/n-triples")])
        .text()
        .contains("\"gz\""));
    // ?default is the store's own default graph, not the union.
    let d = s.get("/store?default", &[("Accept", "application/n-triples")]);
    assert!(d.text().contains("Alice") && !d.text().contains("\"gz\""));
    assert_eq!(http(&s.addr, "HEAD", &g, &[], b"").status, 200);
    assert_eq!(http(&s.addr, "DELETE", &g, &[], b"").status, 204);
    assert_eq!(http(&s.addr, "HEAD", &g, &[], b"").status, 404);
    assert_eq!(s.get(&g, &[]).status, 404);
    assert_eq!(http(&s.addr, "DELETE", &g, &[], b"").status, 404);
    let r = http(&s.addr, "PUT", &g, &[("Content-Type", "image/png")], b"x");
    assert_eq!(r.status, 415);
    // A POST without a graph makes a new one and names it.
    let r = s.post(
        "/store",
        &[("Content-Type", "text/turtle")],
        b"<http://e/n> <http://e/p> 1 .",
    );
    assert_eq!(r.status, 201);
    let location = r.header("location").unwrap().to_owned();
    assert!(s
        .get(&format!("/store?graph={}", enc(&location)), &[])
        .text()
        .contains("<http://e/n>"));
}

// ---------------------------------------------------------------------------------------------
// Real clients.
// ---------------------------------------------------------------------------------------------

#[test]
fn curl_queries_and_updates() {
    if !have("curl") {
        return;
    }
    let t = loaded();
    let s = Server::start(&t, &["--writable"]);
    let curl = |args: &[&str]| {
        let out = crate::util::succeed(
            Command::new("curl")
                .args(["-sS", "--max-time", "30"])
                .args(args),
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let endpoint = format!("{}sparql", s.url);
    let out = curl(&[
        "-H",
        "Accept: text/csv",
        "--data-urlencode",
        "query=SELECT ?n { ex:bob ex:name ?n }",
        &endpoint,
    ]);
    assert_eq!(out, "n\r\nBob\r\n");
    curl(&[
        "--data-urlencode",
        "update=INSERT DATA { ex:carol ex:name \"Carol\" }",
        &endpoint,
    ]);
    let out = curl(&[
        "-G",
        "-H",
        "Accept: text/tab-separated-values",
        "--data-urlencode",
        "query=SELECT ?n { ex:carol ex:name ?n }",
        &endpoint,
    ]);
    assert_eq!(out, "?n\n\"Carol\"\n");
    let code = curl(&[
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "-X",
        "PUT",
        "-H",
        "Content-Type: text/turtle",
        "--data-binary",
        "<http://e/s> <http://e/p> 1 .",
        &format!("{}store?graph=http%3A%2F%2Fe%2Fg", s.url),
    ]);
    assert_eq!(code, "201");
}

#[test]
fn sparqlwrapper_and_rdflib_read_and_write() {
    let Some(py) = python() else { return };
    let t = loaded();
    let s = Server::start(&t, &["--writable"]);
    let script = r#"
import sys
from SPARQLWrapper import SPARQLWrapper, JSON, POST, TURTLE
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
endpoint = sys.argv[1] + "sparql"
w = SPARQLWrapper(endpoint)
w.setQuery("SELECT ?n WHERE { <http://example.org/alice> <http://example.org/name> ?n } ORDER BY ?n")
w.setReturnFormat(JSON)
names = [b["n"]["value"] for b in w.query().convert()["results"]["bindings"]]
assert names == ["Alice", "Alicia"], names
u = SPARQLWrapper(endpoint)
u.setMethod(POST)
u.setQuery('INSERT DATA { <http://example.org/dave> <http://example.org/name> "Dave" }')
u.query()
c = SPARQLWrapper(endpoint)
c.setQuery("CONSTRUCT { ?s <http://example.org/name> ?n } WHERE { ?s <http://example.org/name> ?n }")
c.setReturnFormat(TURTLE)
g = Graph().parse(data=c.query().convert(), format="turtle")
assert len(g) == 4, len(g)
store = SPARQLUpdateStore(query_endpoint=endpoint, update_endpoint=endpoint)
graph = Graph(store, identifier=URIRef("http://example.org/rdflib"))
graph.add((URIRef("http://example.org/erin"), URIRef("http://example.org/name"), Literal("Erin")))
reader = Graph(SPARQLStore(endpoint), identifier=URIRef("http://example.org/rdflib"))
assert len(list(reader.triples((None, None, None)))) == 1
rows = list(Graph(SPARQLStore(endpoint)).query("SELECT (COUNT(*) AS ?n) WHERE { ?s <http://example.org/name> ?o }"))
print(rows[0][0])
"#;
    let out = run_python(&py, script, &[s.url.as_ref()]);
    assert_eq!(out, "5");
}

#[test]
fn oxigraph_server_queries_kg_through_service() {
    let Some(py) = python() else { return };
    let oxigraph = py.parent().unwrap().join("oxigraph");
    assert!(
        oxigraph.exists() || std::env::var_os("CI").is_none(),
        "CI must have the oxigraph server ({}); run scripts/setup.sh --test",
        oxigraph.display()
    );
    if !oxigraph.exists() {
        return;
    }
    let t = loaded();
    let s = Server::start(&t, &[]);
    let port = free_port();
    let mut ox = Command::new(&oxigraph)
        .args(["serve", "--location"])
        .arg(t.path().join("ox"))
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(&addr).is_err() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let q = format!(
        "SELECT ?n WHERE {{ SERVICE <{}sparql> {{ <http://example.org/bob> <http://example.org/name> ?n }} }}",
        s.url
    );
    let r = http(
        &addr,
        "GET",
        &format!("/query?query={}", enc(&q)),
        &[("Accept", "text/csv")],
        b"",
    );
    let _ = ox.kill();
    let _ = ox.wait();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "n\r\nBob\r\n");
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// ---------------------------------------------------------------------------------------------
// The W3C SPARQL 1.1 Protocol and Graph Store Protocol manifests, replayed as transcripts.
// ---------------------------------------------------------------------------------------------

const MF: &str = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#";
const HT: &str = "http://www.w3.org/2011/http#";
const HTS: &str = "http://www.w3.org/2011/http-statusCodes#";
const UT: &str = "http://www.w3.org/2009/sparql/tests/test-update#";

#[test]
fn w3c_sparql11_protocol() {
    w3c_http_suite("sparql/sparql11/protocol/manifest.ttl", &[]);
}

#[test]
fn w3c_graph_store_protocol() {
    w3c_http_suite(
        "sparql/sparql11/graph-store-protocol/manifest-indirect.ttl",
        &[(
            "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/http-rdf-update/manifest#post_get_post_get_indirect",
            "multipart/form-data bodies are not read (Oxigraph's server refuses them too)",
        )],
    );
}

fn w3c_http_suite(manifest: &str, known: &[(&str, &str)]) {
    let path = shared().join("w3c").join(manifest);
    let base = format!("https://w3c.github.io/rdf-tests/{manifest}");
    let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let graph: Graph = RdfParser::from_format(RdfFormat::Turtle)
        .with_base_iri(&base)
        .unwrap()
        .for_slice(&text)
        .map(|q| q.map(oxigraph::model::Triple::from))
        .collect::<Result<_, _>>()
        .unwrap();
    let t = TestDir::new();
    let s = Server::start(&t, &["--writable", "--quiet"]);
    let manifest_node = NamedOrBlankNode::from(NamedNode::new(&base).unwrap());
    let entries = object(&graph, &manifest_node, &format!("{MF}entries")).expect("mf:entries");
    let (mut passed, mut failed) = (Vec::new(), Vec::new());
    for test in list(&graph, entries) {
        let id = test.to_string().trim_matches(['<', '>']).to_owned();
        let verdict = run_transcript(&graph, &test, &s, manifest);
        match (verdict, known.iter().find(|(k, _)| *k == id)) {
            (Ok(()), None) => passed.push(id),
            (Ok(()), Some(_)) => failed.push(format!(
                "{id}: passes now; remove it from the known failures"
            )),
            (Err(_), Some(_)) => {}
            (Err(e), None) => failed.push(format!("{id}: {e}")),
        }
    }
    eprintln!(
        "{manifest}: {} passed, {} known failures",
        passed.len(),
        known.len()
    );
    assert!(
        failed.is_empty(),
        "{manifest}: {} unexpected outcomes:\n{}",
        failed.len(),
        failed.join("\n")
    );
    assert!(
        passed.len() >= 8,
        "{manifest}: only {} tests ran",
        passed.len()
    );
}

fn subject(t: &Term) -> Option<NamedOrBlankNode> {
    match t {
        Term::NamedNode(n) => Some(n.clone().into()),
        Term::BlankNode(b) => Some(b.clone().into()),
        _ => None,
    }
}

fn object(g: &Graph, s: &NamedOrBlankNode, p: &str) -> Option<Term> {
    g.object_for_subject_predicate(s, oxigraph::model::NamedNodeRef::new(p).ok()?)
        .map(TermRef::into_owned)
}

fn objects(g: &Graph, s: &NamedOrBlankNode, p: &str) -> Vec<Term> {
    let Ok(p) = oxigraph::model::NamedNodeRef::new(p) else {
        return Vec::new();
    };
    g.objects_for_subject_predicate(s, p)
        .map(TermRef::into_owned)
        .collect()
}

fn literal(t: Option<Term>) -> Option<String> {
    match t {
        Some(Term::Literal(l)) => Some(l.value().to_owned()),
        _ => None,
    }
}

fn list(g: &Graph, mut node: Term) -> Vec<Term> {
    let mut out = Vec::new();
    for _ in 0..10_000 {
        let Some(s) = subject(&node) else { break };
        if let Some(first) = object(g, &s, "http://www.w3.org/1999/02/22-rdf-syntax-ns#first") {
            out.push(first);
        }
        match object(g, &s, "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest") {
            Some(rest) => node = rest,
            None => break,
        }
    }
    out
}

fn run_transcript(g: &Graph, test: &Term, s: &Server, manifest: &str) -> Result<(), String> {
    let test = subject(test).ok_or("test is a literal")?;
    // A fresh store for each test, then the graphs it names.
    let clear = s.post(
        "/sparql",
        &[("Content-Type", "application/sparql-update")],
        b"DROP SILENT ALL",
    );
    if clear.status != 204 {
        return Err(format!("clearing the store: {}", clear.text()));
    }
    let dir = shared().join("w3c").join(manifest);
    let dir = dir.parent().unwrap();
    for data in objects(g, &test, &format!("{UT}graphData")) {
        let data = subject(&data).ok_or("bad graphData")?;
        let file = object(g, &data, &format!("{UT}graph")).ok_or("graphData without ut:graph")?;
        let name = literal(object(
            g,
            &data,
            "http://www.w3.org/2000/01/rdf-schema#label",
        ))
        .ok_or("graphData without a label")?;
        let file = file.to_string();
        let file = file
            .trim_matches(['<', '>'])
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        let body = std::fs::read(dir.join(&file)).map_err(|e| format!("{file}: {e}"))?;
        let r = http(
            &s.addr,
            "PUT",
            &format!("/store?graph={}", enc(&name)),
            &[("Content-Type", "application/n-triples")],
            &body,
        );
        if r.status >= 300 {
            return Err(format!("loading {file}: {}", r.text()));
        }
    }
    let action = object(g, &test, &format!("{MF}action"))
        .and_then(|a| subject(&a))
        .ok_or("no mf:action")?;
    let requests = object(g, &action, &format!("{HT}requests")).ok_or("no ht:requests")?;
    let mut location = String::new();
    for (i, request) in list(g, requests).into_iter().enumerate() {
        let request = subject(&request).ok_or("bad request")?;
        let method = literal(object(g, &request, &format!("{HT}methodName"))).ok_or("no method")?;
        let mut path =
            literal(object(g, &request, &format!("{HT}absolutePath"))).ok_or("no path")?;
        path = path.replace("$LOCATION$", &enc(&location));
        if let Some(rest) = path.strip_prefix("/gsp") {
            path = format!("/store{rest}");
        }
        let mut headers = Vec::new();
        if let Some(list_node) = object(g, &request, &format!("{HT}headers")) {
            for h in list(g, list_node) {
                let h = subject(&h).ok_or("bad header")?;
                let name = literal(object(g, &h, &format!("{HT}fieldName"))).unwrap_or_default();
                let value = literal(object(g, &h, &format!("{HT}fieldValue"))).unwrap_or_default();
                headers.push((name, value));
            }
        }
        let body = object(g, &request, &format!("{HT}body"))
            .and_then(|b| subject(&b))
            .and_then(|b| literal(object(g, &b, "http://www.w3.org/2011/content#chars")))
            .unwrap_or_default();
        let header_refs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = try_http(
            &s.addr,
            &method,
            &path,
            &header_refs,
            body.as_bytes(),
            Duration::from_secs(30),
        )
        .map_err(|e| format!("request {i} ({method} {path}): {e}"))?;
        if let Some(l) = r.header("location") {
            location = l.to_owned();
        }
        let response = object(g, &request, &format!("{HT}resp"))
            .and_then(|r| subject(&r))
            .ok_or("no ht:resp")?;
        let expected: Vec<Term> = objects(g, &response, &format!("{MF}expectedStatus"));
        if !expected.is_empty() && !expected.iter().any(|e| status_matches(e, r.status)) {
            return Err(format!(
                "request {i} ({method} {path}): status {} not among {:?}: {}",
                r.status,
                expected.iter().map(ToString::to_string).collect::<Vec<_>>(),
                r.text()
            ));
        }
        let content_type = r.header("content-type").unwrap_or_default().to_owned();
        if let Some(format) = literal(object(g, &response, &format!("{MF}expectedFormat"))) {
            let ok = match format.as_str() {
                "boolean" | "tabular" => content_type.contains("sparql-results"),
                "RDF" => [
                    "turtle",
                    "n-triples",
                    "rdf+xml",
                    "ld+json",
                    "trig",
                    "n-quads",
                ]
                .iter()
                .any(|m| content_type.contains(m)),
                _ => true,
            };
            if !ok {
                return Err(format!(
                    "request {i}: {format} expected, got {content_type}"
                ));
            }
        }
        if let Some(b) = literal(object(g, &response, &format!("{MF}expectedBoolean"))) {
            let text = r.text().replace(' ', "");
            let got = text.contains("\"boolean\":true") || text.contains("<boolean>true</boolean>");
            if got != (b == "true") {
                return Err(format!("request {i}: boolean {b} expected, got {text}"));
            }
        }
        // A Graph Store response body: the same graph as the expected one.
        let expected_body = object(g, &response, &format!("{HT}body"))
            .and_then(|b| subject(&b))
            .and_then(|b| literal(object(g, &b, "http://www.w3.org/2011/content#chars")));
        if let Some(expected_body) = expected_body {
            let parse = |text: &[u8]| -> Result<Graph, String> {
                let mut graph: Graph = RdfParser::from_format(RdfFormat::Turtle)
                    .with_base_iri(format!("http://{}{}", s.addr, path))
                    .unwrap()
                    .for_slice(text)
                    .map(|q| q.map(oxigraph::model::Triple::from))
                    .collect::<Result<_, _>>()
                    .map_err(|e| e.to_string())?;
                graph.canonicalize(oxigraph::model::dataset::CanonicalizationAlgorithm::Unstable);
                Ok(graph)
            };
            let want = parse(expected_body.as_bytes())?;
            let got = parse(&r.body)?;
            if want != got {
                return Err(format!("request {i}: graph differs:\n{}", r.text()));
            }
            if !content_type.starts_with("text/turtle") {
                return Err(format!("request {i}: Turtle expected, got {content_type}"));
            }
        }
    }
    Ok(())
}

fn status_matches(expected: &Term, status: u16) -> bool {
    let iri = expected.to_string();
    let name = iri
        .trim_matches(['<', '>'])
        .strip_prefix(HTS)
        .unwrap_or_default();
    match name {
        "StatusCode2xx" => (200..300).contains(&status),
        "StatusCode3xx" => (300..400).contains(&status),
        "StatusCode4xx" => (400..500).contains(&status),
        "StatusCode5xx" => (500..600).contains(&status),
        "OK" => status == 200,
        "Created" => status == 201,
        "NoContent" => status == 204,
        "NotFound" => status == 404,
        "BadRequest" => status == 400,
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// The workbench in headless Chromium.
// ---------------------------------------------------------------------------------------------

#[test]
fn the_workbench_completes_runs_links_and_shows_evidence_in_chromium() {
    let Some(py) = python() else { return };
    if !have("chromium") || !have("chromedriver") {
        return;
    }
    let t = TestDir::new();
    t.run(&["seed"]);
    let docs = shared().join("seeds");
    let s = Server::start(&t, &["--docs", docs.to_str().unwrap()]);
    // Screenshots are kept as the test's artifacts.
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-workbench");
    std::fs::create_dir_all(&shots).unwrap();
    let script = r##"
import sys, time
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from selenium.webdriver.support import expected_conditions as EC
url, shots = sys.argv[1], sys.argv[2]
options = Options()
options.binary_location = "/usr/bin/chromium"
for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,900"]:
    options.add_argument(a)
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
d.set_page_load_timeout(30)
d.set_script_timeout(30)
wait = WebDriverWait(d, 20)
def status():
    return d.find_element(By.ID, "status").text
try:
    d.get(url)
    content = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".cm-content")))
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#saved option")) > 1)
    d.execute_script("const e = window.kgEditor; e.dispatch({changes: {from: 0, to: e.state.doc.length, insert: ''}})")
    content.click()
    content.send_keys("SELECT ?x WHERE { ?x a kg:PolicyMe")
    wait.until(lambda d: "kg:PolicyMeasure" in " ".join(e.text for e in d.find_elements(By.CSS_SELECTOR, ".cm-tooltip-autocomplete li")))
    content.send_keys(Keys.ENTER)
    text = d.execute_script("return window.kgEditor.state.doc.toString()")
    assert "kg:PolicyMeasure" in text and "kg:PolicyMeasureMe" not in text, text
    d.find_element(By.ID, "run").click()
    wait.until(lambda d: " in " in status())
    rows = d.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    assert len(rows) > 0 and "rows in" in status(), status()
    assert len(d.find_elements(By.CSS_SELECTOR, "#downloads a")) == 5
    first = rows[0].find_element(By.CSS_SELECTOR, "a")
    assert first.text.startswith("kgi:"), first.text
    d.save_screenshot(shots + "/workbench.png")
    # A syntax error is marked where it is.
    d.execute_script("const e = window.kgEditor; e.dispatch({changes: {from: 0, to: e.state.doc.length, insert: 'SELECT * WHERE { ?s ?p }'}})")
    d.find_element(By.ID, "run").click()
    wait.until(lambda d: d.find_element(By.ID, "error").is_displayed())
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".cm-lintRange-error"))
    assert "<query>:1:" in d.find_element(By.ID, "error").text
    # The cancel button stops a long query on the server.
    d.execute_script("const e = window.kgEditor; e.dispatch({changes: {from: 0, to: e.state.doc.length, insert: 'SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }'}})")
    d.find_element(By.ID, "run").click()
    time.sleep(0.5)
    d.find_element(By.ID, "cancel").click()
    wait.until(lambda d: "cancel" in status() or "503" in status())
    # Back to the answer: follow an entity link to its page and its evidence.
    d.execute_script("const e = window.kgEditor; e.dispatch({changes: {from: 0, to: e.state.doc.length, insert: 'SELECT ?x WHERE { ?x a kg:PolicyMeasure } ORDER BY ?x'}})")
    d.find_element(By.ID, "run").click()
    wait.until(lambda d: "rows in" in status())
    d.find_element(By.CSS_SELECTOR, "#results tbody tr a").click()
    mark = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "blockquote.evidence mark")))
    assert d.find_elements(By.CSS_SELECTOR, "svg.neighbourhood circle")
    d.save_screenshot(shots + "/entity.png")
    print(mark.text)
finally:
    d.quit()
"##;
    let out = run_python(&py, script, &[s.url.as_ref(), shots.as_os_str()]);
    assert!(!out.is_empty(), "no evidence quote shown");
    assert!(shots.join("entity.png").exists());
    assert!(s.log().contains("POST /api/complete 200"), "{}", s.log());
}

// ---------------------------------------------------------------------------------------------
// Faults.
// ---------------------------------------------------------------------------------------------

#[test]
fn sixteen_readers_and_a_writer_see_consistent_snapshots_and_keep_every_acknowledged_write() {
    let t = loaded();
    let s = Server::start(&t, &["--writable", "--quiet"]);
    let addr = s.addr.clone();
    let stop = Instant::now() + Duration::from_secs(3);
    let count_query = format!(
        "/sparql?query={}",
        enc("SELECT (COUNT(*) AS ?n) WHERE { ?s <http://e/written> ?o }")
    );
    let readers: Vec<_> = (0..16)
        .map(|_| {
            let (addr, q) = (addr.clone(), count_query.clone());
            std::thread::spawn(move || {
                let (mut n, mut last, mut errors) = (0u32, 0u64, Vec::new());
                while Instant::now() < stop && n < 5000 {
                    match try_http(
                        &addr,
                        "GET",
                        &q,
                        &[("Accept", "text/csv")],
                        b"",
                        Duration::from_secs(10),
                    ) {
                        Ok(r) if r.status == 200 => {
                            let seen: u64 = r
                                .text()
                                .lines()
                                .nth(1)
                                .and_then(|l| l.trim().parse().ok())
                                .unwrap_or(0);
                            if seen < last {
                                errors.push(format!("count went back from {last} to {seen}"));
                            }
                            last = seen;
                        }
                        Ok(r) => errors.push(format!("{}: {}", r.status, r.text())),
                        Err(e) => errors.push(e.to_string()),
                    }
                    n += 1;
                }
                (n, errors)
            })
        })
        .collect();
    let mut acknowledged = Vec::new();
    let mut writer_errors = Vec::new();
    for i in 0..2000 {
        if Instant::now() >= stop {
            break;
        }
        let update = format!("INSERT DATA {{ <http://e/w{i}> <http://e/written> {i} }}");
        match try_http(
            &addr,
            "POST",
            "/sparql",
            &[("Content-Type", "application/sparql-update")],
            update.as_bytes(),
            Duration::from_secs(10),
        ) {
            Ok(r) if r.status == 204 => acknowledged.push(i),
            Ok(r) => writer_errors.push(format!("{}: {}", r.status, r.text())),
            Err(e) => writer_errors.push(e.to_string()),
        }
    }
    let mut reads = 0;
    for r in readers {
        let (n, errors) = r.join().unwrap();
        assert!(errors.is_empty(), "reader errors: {errors:?}");
        reads += n;
    }
    assert!(writer_errors.is_empty(), "writer errors: {writer_errors:?}");
    assert!(
        acknowledged.len() > 10 && reads > 100,
        "{} writes, {reads} reads",
        acknowledged.len()
    );
    let r = s.get(
        &format!(
            "/sparql?query={}",
            enc("SELECT ?s WHERE { ?s <http://e/written> ?o }")
        ),
        &[("Accept", "text/csv")],
    );
    let present: std::collections::BTreeSet<String> =
        r.text().lines().skip(1).map(str::to_owned).collect();
    for i in &acknowledged {
        assert!(
            present.contains(&format!("http://e/w{i}")),
            "acknowledged write {i} is missing"
        );
    }
    eprintln!("{reads} reads and {} writes in 3 s", acknowledged.len());
}

#[test]
fn kill_9_during_a_large_put_leaves_the_graph_all_or_nothing() {
    let t = loaded();
    let graph = format!("/store?graph={}", enc("http://e/big"));
    let mut body = Vec::new();
    for i in 0..200_000 {
        writeln!(body, "<http://e/s{i}> <http://e/p> \"value number {i}\" .").unwrap();
    }
    for (round, delay) in [5u64, 200, 600].into_iter().enumerate() {
        let s = Server::start(&t, &["--writable", "--quiet"]);
        // The graph holds one old triple before each PUT.
        let old = http(
            &s.addr,
            "PUT",
            &graph,
            &[("Content-Type", "application/n-triples")],
            b"<http://e/old> <http://e/p> \"1\" .\n",
        );
        assert!(old.status == 201 || old.status == 204, "{}", old.text());
        let (addr, body) = (s.addr.clone(), body.clone());
        let g = graph.clone();
        let put = std::thread::spawn(move || {
            try_http(
                &addr,
                "PUT",
                &g,
                &[("Content-Type", "application/n-triples")],
                &body,
                Duration::from_secs(30),
            )
            .map(|r| r.status)
        });
        std::thread::sleep(Duration::from_millis(delay));
        unsafe { libc::kill(s.pid(), libc::SIGKILL) };
        let answered = put.join().unwrap();
        drop(s);
        let out = t.run(&[
            "query",
            "--format",
            "csv",
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://e/big> { ?s ?p ?o } }",
        ]);
        let n: u64 = out.lines().nth(1).unwrap().trim().parse().unwrap();
        assert!(
            n == 1 || n == 200_000,
            "round {round}: the graph holds {n} triples, neither the old one nor the new 200000"
        );
        if let Ok(status) = answered {
            if status == 204 || status == 201 {
                assert_eq!(n, 200_000, "round {round}: the PUT was acknowledged");
            }
        }
    }
}

#[test]
fn malformed_requests_each_get_their_status_and_the_server_goes_on() {
    let t = loaded();
    let s = Server::start(&t, &["--max-body", "10000", "--timeout", "2"]);
    let raw = |bytes: &[u8]| -> Option<u16> {
        let mut stream = TcpStream::connect(&s.addr).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .ok()?;
        // No half-close: hyper takes the end of the client's stream for a client gone.
        stream.write_all(bytes).ok()?;
        let mut out = Vec::new();
        let _ = stream.read_to_end(&mut out);
        parse_response(&out, false).ok().map(|r| r.status)
    };
    let cases: &[(&str, &[u8], Option<u16>)] = &[
        ("garbage", b"\x00\x01\x02 hello\r\n\r\n", Some(400)),
        ("no version", b"GET /sparql\r\n\r\n", Some(400)),
        ("bad header", b"GET /sparql HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", Some(400)),
        ("huge header", &[b"GET /sparql HTTP/1.1\r\nX: ".as_slice(), &[b'a'; 1 << 20], b"\r\n\r\n"].concat(), Some(431)),
        ("bad chunk", b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nASK\r\n0\r\n\r\n", Some(400)),
        ("body shorter than announced", b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 500\r\n\r\nASK {}", Some(408)),
        ("announced too big", b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 99999999\r\n\r\nASK {}", Some(413)),
        // Not a URI at all: hyper refuses it before kg sees it.
        ("bad percent", b"GET /sparql?query=ASK%7B%7D%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", Some(400)),
        ("lone percent", b"GET /sparql?query=ASK%7B%7D% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", Some(400)),
        ("unknown method", b"BREW /sparql HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", Some(405)),
        ("bad gzip", b"PUT /store?default HTTP/1.1\r\nHost: x\r\nContent-Type: text/turtle\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\nConnection: close\r\n\r\nabcd", Some(403)),
        ("dataset IRI", b"GET /sparql?query=ASK%7B%7D&named-graph-uri=%20 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", Some(400)),
    ];
    for (what, bytes, expected) in cases {
        let got = raw(bytes);
        assert_eq!(got, *expected, "{what}");
        // The server still answers after each one.
        assert_eq!(
            s.get("/sparql?query=ASK%7B%7D", &[]).status,
            200,
            "after {what}"
        );
    }
}

#[test]
fn shutdown_finishes_the_query_in_flight_and_releases_the_store() {
    let t = loaded();
    let mut s = Server::start(&t, &["--timeout", "2"]);
    // Meanwhile another kg on the store works through the server...
    let out = t
        .kg()
        .args([
            "query",
            "SELECT ?n WHERE { ex:bob ex:name ?n }",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains(&format!("served by kg serve at {}", s.url)),
        "{said}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "n\r\nBob\r\n");
    // ...and what needs the store itself is told where the server is.
    let out = t.kg().arg("optimize").output().unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!("served by kg serve at {}", s.url)),
        "{said}"
    );
    let addr = s.addr.clone();
    let q = format!("/sparql?query={}", enc(SLOW));
    let slow = std::thread::spawn(move || {
        try_http(&addr, "GET", &q, &[], b"", Duration::from_secs(30)).map(|r| r.status)
    });
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    let status = s
        .stop(Duration::from_secs(15))
        .expect("the server did not stop within 15 s");
    assert!(status.success(), "{status:?}");
    assert!(start.elapsed() < Duration::from_secs(12));
    assert_eq!(
        slow.join().unwrap().ok(),
        Some(503),
        "the query in flight got its answer (the timeout)"
    );
    assert!(s.log().contains("stopping"), "{}", s.log());
    // The store is free again for the CLI.
    assert!(t.run(&["stats"]).contains("quads"));
}

#[test]
fn a_client_that_disconnects_cancels_its_query() {
    let t = loaded();
    let s = Server::start(&t, &["--timeout", "60"]);
    let q = format!("/sparql?query={}", enc(SLOW));
    let _ = try_http(&s.addr, "GET", &q, &[], b"", Duration::from_millis(500));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !s.log().contains("client left") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(s.log().contains("its query was cancelled"), "{}", s.log());
    // The worker is free again: a short query answers at once.
    let start = Instant::now();
    assert_eq!(s.get("/sparql?query=ASK%7B%7D", &[]).status, 200);
    assert!(start.elapsed() < Duration::from_secs(5));
}
