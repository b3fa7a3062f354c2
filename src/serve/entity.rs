//! `/resource?iri=…`: an entity page. HTML for browsers: labels in every language, types, edges
//! both ways, each evidence quote with its document and the sentence around it highlighted, and
//! a picture of the neighbourhood (inline SVG). With `Accept: text/turtle` (or another RDF type)
//! the same URL returns the entity's triples, so it works as Linked Data.
//!
//! The facts come from `kg::describe`, the code behind the REPL's `.describe`.

use super::answer::{self, refuse, Refusal};
use super::request::Params;
use super::{workbench, App};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use kg::describe::{Description, Edge};
use kg::format::AnswerKind;
use kg::query::QueryOptions;
use kg::OutputFormat;
use oxigraph::model::{NamedNode, Term};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const LABELS: &[&str] = &[
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel",
];

pub async fn resource(State(app): State<Arc<App>>, uri: Uri, headers: HeaderMap) -> Response {
    handle(&app, &uri, &headers)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn handle(app: &Arc<App>, uri: &Uri, headers: &HeaderMap) -> Result<Response, Refusal> {
    let params = Params::parse(uri.query().unwrap_or_default().as_bytes())?;
    let Some(iri) = params.one("iri")? else {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "name the entity: /resource?iri=IRI",
        ));
    };
    let node = NamedNode::new(iri.clone()).map_err(|e| {
        refuse(
            StatusCode::BAD_REQUEST,
            format!("<{iri}> is not an IRI: {e}"),
        )
    })?;
    let inference = params.flag("inference")?.unwrap_or(app.config.inference);
    let options = QueryOptions {
        no_inference: !inference,
        // answer::run enforces --timeout for the whole request.
        timeout: None,
        ..QueryOptions::default()
    };
    let accept = headers.get(header::ACCEPT).and_then(|a| a.to_str().ok());
    let wants_html = accept.is_none_or(|a| a.contains("text/html") || a.trim() == "*/*");
    if !wants_html {
        let format = OutputFormat::negotiate(accept, AnswerKind::Graph).ok_or_else(|| {
            refuse(
                StatusCode::NOT_ACCEPTABLE,
                "an entity is HTML or RDF: text/html, text/turtle, application/n-triples, application/rdf+xml, application/ld+json",
            )
        })?;
        // The entity's triples both ways, and what the blank nodes it points to hold.
        let query = format!(
            "CONSTRUCT {{ {node} ?p ?o . ?o ?p2 ?o2 . ?s ?q {node} }} WHERE {{ {{ {node} ?p ?o OPTIONAL {{ ?o ?p2 ?o2 FILTER(isBlank(?o)) }} }} UNION {{ ?s ?q {node} }} }}"
        );
        return Ok(answer::run(app, None, move |store, token, sink| {
            let options = QueryOptions {
                cancel: Some(token),
                ..options
            };
            let outcome = kg::query::execute(store, &query, &options)?;
            sink.ok(format.media_type(AnswerKind::Graph))?;
            let context = kg::query::render::RenderContext {
                prefixes: store.prefixes(),
            };
            kg::query::render::render(outcome, format, &context, sink)?;
            Ok(())
        })
        .await);
    }
    let labels = workbench::vocabulary(app).map(|v| v.label.clone());
    let docs = app.config.docs.clone();
    Ok(answer::run(app, None, move |store, token, sink| {
        let options = QueryOptions {
            cancel: Some(token),
            ..options
        };
        let description =
            kg::describe::describe(&kg::Backend::Embedded(store.clone()), &node, &options)?;
        let page = page(
            store,
            &description,
            &labels.unwrap_or_default(),
            docs.as_deref(),
        );
        sink.ok("text/html; charset=utf-8")?;
        std::io::Write::write_all(sink, page.as_bytes()).map_err(|_| kg::Error::Cancelled)?;
        Ok(())
    })
    .await)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn url_encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A term as the page shows it: IRIs as links to their own page with prefixed name and label.
fn term_html(term: &Term, store: &kg::KgStore, labels: &BTreeMap<String, String>) -> String {
    match term {
        Term::NamedNode(n) => {
            let name = store
                .prefixes()
                .shorten(n.as_str())
                .unwrap_or_else(|| n.to_string());
            let label = labels
                .get(n.as_str())
                .map(|l| format!(" <span class=\"label\">{}</span>", escape(l)))
                .unwrap_or_default();
            format!(
                "<a href=\"/resource?iri={}\" title=\"{}\">{}</a>{label}",
                url_encode(n.as_str()),
                escape(n.as_str()),
                escape(&name)
            )
        }
        Term::Literal(l) => {
            let tag = match l.language() {
                Some(lang) => format!(" <span class=\"lang\">@{}</span>", escape(lang)),
                None if l.datatype().as_str() != "http://www.w3.org/2001/XMLSchema#string" => {
                    format!(
                        " <span class=\"lang\">{}</span>",
                        escape(
                            &store
                                .prefixes()
                                .shorten(l.datatype().as_str())
                                .unwrap_or_else(|| l.datatype().to_string())
                        )
                    )
                }
                None => String::new(),
            };
            format!("<span class=\"literal\">{}</span>{tag}", escape(l.value()))
        }
        other => format!(
            "<span class=\"blank\">{}</span>",
            escape(&other.to_string())
        ),
    }
}

fn page(
    store: &kg::KgStore,
    d: &Description,
    labels: &BTreeMap<String, String>,
    docs: Option<&std::path::Path>,
) -> String {
    let name = store
        .prefixes()
        .shorten(d.node.as_str())
        .unwrap_or_else(|| d.node.to_string());
    let is = |e: &Edge, iris: &[&str]| {
        e.outgoing && matches!(&e.predicate, Term::NamedNode(p) if iris.contains(&p.as_str()))
    };
    let own_labels: Vec<&Edge> = d.edges.iter().filter(|e| is(e, LABELS)).collect();
    let types: Vec<&Edge> = d.edges.iter().filter(|e| is(e, &[RDF_TYPE])).collect();
    let title = labels
        .get(d.node.as_str())
        .cloned()
        .unwrap_or_else(|| name.clone());
    let mut html = String::new();
    let _ = write!(
        html,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} — kg</title><link rel=\"stylesheet\" href=\"/assets/kg.css\"></head><body class=\"entity\"><nav><a href=\"/\">kg workbench</a></nav><h1>{}</h1><p class=\"iri\">{} · <a href=\"/resource?iri={}\" type=\"text/turtle\" id=\"as-turtle\">as Turtle</a> (send <code>Accept: text/turtle</code>)</p>",
        escape(&title),
        escape(&title),
        escape(d.node.as_str()),
        url_encode(d.node.as_str())
    );
    if d.edges.is_empty() {
        html.push_str("<p class=\"empty\">The store says nothing about this IRI.</p>");
    }
    if !own_labels.is_empty() {
        html.push_str("<h2>Labels</h2><ul class=\"labels\">");
        for e in &own_labels {
            let _ = write!(html, "<li>{}</li>", term_html(&e.value, store, labels));
        }
        html.push_str("</ul>");
    }
    if !types.is_empty() {
        html.push_str("<h2>Types</h2><ul class=\"types\">");
        for e in &types {
            let _ = write!(html, "<li>{}</li>", term_html(&e.value, store, labels));
        }
        html.push_str("</ul>");
    }
    html.push_str(&neighbourhood(store, d, labels));
    for (outgoing, heading) in [(true, "Facts"), (false, "Referenced by")] {
        let rows: Vec<&Edge> = d
            .edges
            .iter()
            .filter(|e| e.outgoing == outgoing && !is(e, LABELS) && !is(e, &[RDF_TYPE]))
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = write!(
            html,
            "<h2>{heading}</h2><table class=\"edges\"><thead><tr><th>property</th><th>value</th></tr></thead><tbody>"
        );
        for e in rows {
            let value = match d.inline.get(&e.value.to_string()) {
                Some(text) if outgoing => format!("<span class=\"inline\">{}</span>", escape(text)),
                _ => term_html(&e.value, store, labels),
            };
            let _ = write!(
                html,
                "<tr><td>{}</td><td>{value}</td></tr>",
                term_html(&e.predicate, store, labels)
            );
        }
        html.push_str("</tbody></table>");
    }
    if !d.evidence.is_empty() {
        html.push_str("<h2>Evidence</h2>");
        for ev in &d.evidence {
            let document = ev
                .document
                .as_ref()
                .map(|doc| term_html(doc, store, labels))
                .unwrap_or_default();
            let file = ev
                .file
                .as_deref()
                .map(|f| format!(" <span class=\"file\">{}</span>", escape(f)))
                .unwrap_or_default();
            let text = match (docs, ev.file.as_deref()) {
                (Some(dir), Some(f)) => kg::describe::read_document(dir, f),
                _ => None,
            };
            let sentence = text
                .as_deref()
                .and_then(|t| kg::describe::sentence(t, &ev.quote))
                .map(|(before, quote, after)| {
                    format!(
                        "{}<mark>{}</mark>{}",
                        escape(before),
                        escape(quote),
                        escape(after)
                    )
                })
                .unwrap_or_else(|| format!("<mark>{}</mark>", escape(&ev.quote)));
            let _ = write!(
                html,
                "<blockquote class=\"evidence\"><p>{sentence}</p><footer>{document}{file}</footer></blockquote>"
            );
        }
    }
    html.push_str("</body></html>\n");
    html
}

/// The entity and up to 24 neighbours on a circle, an arrow per direction, each a link.
fn neighbourhood(
    store: &kg::KgStore,
    d: &Description,
    labels: &BTreeMap<String, String>,
) -> String {
    let mut neighbours: Vec<(String, bool, String)> = Vec::new();
    for e in &d.edges {
        let (Term::NamedNode(n), Term::NamedNode(p)) = (&e.value, &e.predicate) else {
            continue;
        };
        if p.as_str() == RDF_TYPE || neighbours.iter().any(|(iri, _, _)| iri == n.as_str()) {
            continue;
        }
        let predicate = store
            .prefixes()
            .shorten(p.as_str())
            .unwrap_or_else(|| p.to_string());
        neighbours.push((n.as_str().to_owned(), e.outgoing, predicate));
        if neighbours.len() == 24 {
            break;
        }
    }
    if neighbours.is_empty() {
        return String::new();
    }
    let (w, h, r) = (760.0_f64, 420.0_f64, 160.0_f64);
    let (cx, cy) = (w / 2.0, h / 2.0);
    let short = |iri: &str| {
        let text = labels
            .get(iri)
            .cloned()
            .or_else(|| store.prefixes().shorten(iri))
            .unwrap_or_else(|| iri.to_owned());
        if text.chars().count() > 28 {
            format!("{}…", text.chars().take(27).collect::<String>())
        } else {
            text
        }
    };
    let mut svg = format!(
        "<h2>Neighbourhood</h2><svg class=\"neighbourhood\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\"><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\"/></marker></defs>"
    );
    let n = neighbours.len() as f64;
    for (i, (iri, outgoing, predicate)) in neighbours.iter().enumerate() {
        let angle = std::f64::consts::TAU * i as f64 / n - std::f64::consts::FRAC_PI_2;
        let (x, y) = (cx + r * 1.6 * angle.cos(), cy + r * angle.sin());
        let (x1, y1, x2, y2) = if *outgoing {
            (cx, cy, cx + (x - cx) * 0.82, cy + (y - cy) * 0.82)
        } else {
            (x, y, cx + (x - cx) * 0.18, cy + (y - cy) * 0.18)
        };
        let _ = write!(
            svg,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" marker-end=\"url(#arrow)\"><title>{}</title></line><a href=\"/resource?iri={}\"><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\"/><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text></a>",
            escape(predicate),
            url_encode(iri),
            y - 9.0,
            escape(&short(iri))
        );
    }
    let _ = write!(
        svg,
        "<circle class=\"centre\" cx=\"{cx}\" cy=\"{cy}\" r=\"9\"/><text class=\"centre\" x=\"{cx}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text></svg>",
        cy + 24.0,
        escape(&short(d.node.as_str()))
    );
    svg
}
