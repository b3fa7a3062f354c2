//! The workbench at `/`: one page, its assets compiled into the binary (CodeMirror 6 vendored by
//! `scripts/vendor-editor.sh`, kg's own small script and styles), and the JSON endpoints it uses:
//! completion (the REPL's `query::complete` on the same vocabulary), the saved queries, terms'
//! prefixed names and labels, and the cancel button.

use super::answer::plain;
use super::request::Params;
use super::{App, Vocabulary};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use oxigraph::sparql::CancellationToken;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

const INDEX: &str = include_str!("assets/index.html");
/// (name, media type, contents) of every asset.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "codemirror.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/codemirror.js"),
    ),
    (
        "codemirror.LICENSE.txt",
        "text/plain; charset=utf-8",
        include_str!("assets/codemirror.LICENSE.txt"),
    ),
    (
        "workbench.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/workbench.js"),
    ),
    (
        "kg.css",
        "text/css; charset=utf-8",
        include_str!("assets/kg.css"),
    ),
];

/// The page; opening it starts computing the completion vocabulary (only the workbench and
/// entity pages need it, so a server that only answers queries never pays for it).
pub async fn index(State(app): State<Arc<App>>) -> Response {
    refresh_vocabulary(&app);
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        INDEX,
    )
        .into_response()
}

pub async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, media, text)) => (
            [
                (header::CONTENT_TYPE, *media),
                (header::CACHE_CONTROL, "max-age=3600"),
            ],
            *text,
        )
            .into_response(),
        None => plain(StatusCode::NOT_FOUND, format!("no asset named {name}")),
    }
}

/// Recomputes the vocabulary on a blocking thread when the store has changed since it was made;
/// requests meanwhile use the old one (or none, at start).
pub fn refresh_vocabulary(app: &Arc<App>) {
    let version = app.store.state().version;
    let current = app
        .vocabulary
        .read()
        .ok()
        .and_then(|v| v.as_ref().map(|(n, _)| *n));
    if current == Some(version) || app.vocabulary_busy.swap(true, Ordering::AcqRel) {
        return;
    }
    let app = app.clone();
    app.jobs.fetch_add(1, Ordering::AcqRel);
    tokio::task::spawn_blocking(move || {
        let token = CancellationToken::new();
        if let Ok(mut running) = app.running.lock() {
            running.insert(0, ("vocabulary".to_owned(), token.clone()));
        }
        if let Ok(completion) = kg::query::completion_vocabulary(&app.store, &token) {
            let mut label: BTreeMap<String, String> = BTreeMap::new();
            // The labels come sorted by (label, IRI); keep, for each IRI, an English or plain one
            // if there is one, else the first.
            for (text, iri) in &completion.labels {
                label.entry(iri.clone()).or_insert_with(|| text.clone());
            }
            let english = english_labels(&app.store).unwrap_or_default();
            label.extend(english);
            if let Ok(mut v) = app.vocabulary.write() {
                *v = Some((version, Arc::new(Vocabulary { completion, label })));
            }
        }
        if let Ok(mut running) = app.running.lock() {
            running.remove(&0);
        }
        app.vocabulary_busy.store(false, Ordering::Release);
        app.jobs.fetch_sub(1, Ordering::AcqRel);
    });
}

fn english_labels(store: &kg::KgStore) -> kg::Result<BTreeMap<String, String>> {
    let query = "SELECT ?s (MIN(?l) AS ?label) WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(isIRI(?s) && (LANG(?l) = \"\" || LANGMATCHES(LANG(?l), \"en\"))) } GROUP BY ?s";
    let mut out = BTreeMap::new();
    if let kg::query::Outcome::Solutions { solutions, .. } =
        kg::query::execute(store, query, &kg::query::QueryOptions::default())?
    {
        for s in solutions {
            let s = s?;
            if let (
                Some(oxigraph::model::Term::NamedNode(n)),
                Some(oxigraph::model::Term::Literal(l)),
            ) = (s.get("s"), s.get("label"))
            {
                out.insert(n.as_str().to_owned(), l.value().to_owned());
            }
        }
    }
    Ok(out)
}

pub(crate) fn vocabulary(app: &Arc<App>) -> Option<Arc<Vocabulary>> {
    refresh_vocabulary(app);
    app.vocabulary
        .read()
        .ok()
        .and_then(|v| v.as_ref().map(|(_, v)| v.clone()))
}

fn json(value: &serde_json::Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

/// Byte offset of the `units`-th UTF-16 code unit (the browser's cursor unit), and back.
fn byte_offset(text: &str, units: usize) -> usize {
    let mut seen = 0;
    for (i, c) in text.char_indices() {
        if seen >= units {
            return i;
        }
        seen += c.len_utf16();
    }
    text.len()
}

fn utf16_units(text: &str) -> usize {
    text.encode_utf16().count()
}

/// `POST /api/complete` with form fields `text` and `cursor` (UTF-16 units): the REPL's
/// completion, as `{"from": N, "options": [{"label", "apply"}]}`.
pub async fn complete(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let params = match Params::parse(&body) {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    let text = params.all("text").pop().unwrap_or_default();
    let cursor: usize = params
        .all("cursor")
        .pop()
        .and_then(|c| c.parse().ok())
        .unwrap_or(usize::MAX);
    let Some(vocabulary) = vocabulary(&app) else {
        return json(
            &serde_json::json!({"from": cursor.min(utf16_units(&text)), "options": [], "pending": true}),
        );
    };
    let at = byte_offset(&text, cursor);
    let (start, candidates) =
        kg::query::complete::complete(&text, at, &vocabulary.completion, app.store.prefixes());
    let options: Vec<_> = candidates
        .iter()
        .take(200)
        .map(|c| serde_json::json!({"label": c.display, "apply": c.replacement}))
        .collect();
    json(&serde_json::json!({"from": utf16_units(&text[..start]), "options": options}))
}

/// `GET /api/queries`: the saved queries (`queries/`, as `kg queries` lists them).
pub async fn queries() -> Response {
    let list: Vec<_> = kg::seed::QUERIES
        .iter()
        .map(|(name, text)| {
            let question = text
                .lines()
                .find_map(|l| l.trim().strip_prefix('#'))
                .map(|q| q.trim().to_owned())
                .unwrap_or_default();
            serde_json::json!({"name": name, "question": question, "text": text})
        })
        .collect();
    json(&serde_json::Value::Array(list))
}

/// `POST /api/terms` with one IRI a line: each IRI's prefixed name and label, for the table.
pub async fn terms(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let text = String::from_utf8_lossy(&body);
    let vocabulary = vocabulary(&app);
    let mut out = serde_json::Map::new();
    for iri in text.lines().take(5000) {
        let iri = iri.trim();
        if iri.is_empty() || out.contains_key(iri) {
            continue;
        }
        let name = app.store.prefixes().shorten(iri);
        let label = vocabulary.as_ref().and_then(|v| v.label.get(iri).cloned());
        out.insert(
            iri.to_owned(),
            serde_json::json!({"name": name, "label": label}),
        );
    }
    json(&serde_json::Value::Object(out))
}

/// `POST /api/cancel?id=…`: stops the workbench's query of that id on the server.
pub async fn cancel(State(app): State<Arc<App>>, uri: axum::http::Uri) -> Response {
    let id = Params::parse(uri.query().unwrap_or_default().as_bytes())
        .ok()
        .and_then(|p| p.all("id").pop())
        .unwrap_or_default();
    let mut cancelled = 0;
    if !id.is_empty() {
        if let Ok(running) = app.running.lock() {
            for (name, token) in running.values() {
                if *name == id {
                    token.cancel();
                    cancelled += 1;
                }
            }
        }
    }
    json(&serde_json::json!({"cancelled": cancelled}))
}
