//! `/store`: the SPARQL 1.1 Graph Store Protocol with indirect identification (`?graph=IRI` or
//! `?default`, the store's own default graph, not the union queries see). GET and HEAD read;
//! PUT replaces, POST adds, DELETE removes, each one atomic step (`ingest::graph_store`).
//! A POST without a graph creates a new graph and names it in `Location`.

use super::answer::{self, refuse, Refusal};
use super::request::{self, Params};
use super::{guard, App};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use kg::export::GraphSelection;
use kg::format::{AnswerKind, InputFormat};
use kg::ingest::graph_store::{self as gsp, GraphTarget};
use kg::{Error, OutputFormat};
use oxigraph::model::NamedNode;
use sha2::Digest;
use std::sync::Arc;

pub async fn store(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    handle(&app, method, uri, headers, body)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn handle(
    app: &Arc<App>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    let params = Params::parse(uri.query().unwrap_or_default().as_bytes())?;
    let target = match (params.one("graph")?, params.has("default")) {
        (Some(_), true) => {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "name one graph: ?graph=IRI or ?default, not both",
            ))
        }
        (Some(iri), false) => Some(GraphTarget::Named(NamedNode::new(iri.clone()).map_err(
            |e| {
                refuse(
                    StatusCode::BAD_REQUEST,
                    format!("?graph=<{iri}> is not an IRI: {e}"),
                )
            },
        )?)),
        (None, true) => Some(GraphTarget::Default),
        (None, false) => None,
    };
    match method {
        Method::GET | Method::HEAD => read(app, &method, &headers, target).await,
        Method::PUT | Method::POST => {
            guard::authorize(app, &headers)?;
            let replace = method == Method::PUT;
            let (target, location) = match target {
                Some(t) => (t, None),
                None if !replace => {
                    // A new graph named after the server and a digest of the body and the time.
                    let base = request::own_url(&headers, "/store/", app);
                    let id = sha2::Sha256::digest(format!(
                        "{:?}{}",
                        std::time::SystemTime::now(),
                        app.next_id
                            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                    ));
                    let hex: String = id[..8].iter().map(|b| format!("{b:02x}")).collect();
                    let iri = NamedNode::new(format!("{base}{hex}"))
                        .map_err(|e| refuse(StatusCode::BAD_REQUEST, e.to_string()))?;
                    (GraphTarget::Named(iri.clone()), Some(iri))
                }
                None => {
                    return Err(refuse(
                        StatusCode::BAD_REQUEST,
                        "name the graph to replace: ?graph=IRI or ?default",
                    ))
                }
            };
            let Some((media, _)) = request::content_type(&headers) else {
                return Err(refuse(
                    StatusCode::BAD_REQUEST,
                    "the body needs a Content-Type (text/turtle, application/n-triples, application/rdf+xml, application/ld+json, …)",
                ));
            };
            let Some(format) = InputFormat::from_media_type(&media) else {
                return Err(refuse(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    format!("{media} is not an RDF format kg reads (text/turtle, application/n-triples, application/n-quads, application/trig, application/rdf+xml, application/ld+json)"),
                ));
            };
            let bytes = request::body(app, &headers, body).await?;
            let base = match &target {
                GraphTarget::Named(n) => n.as_str().to_owned(),
                GraphTarget::Default => request::own_url(&headers, "/store", app),
            };
            let shared = app.clone();
            let mut response = answer::run(app, None, move |store, _token, sink| {
                let _one_writer = shared.writer.lock().map_err(|_| {
                    Error::Evaluation(
                        "a previous write failed badly; restart the server".to_owned(),
                    )
                })?;
                let before = kg::write::Before::take(store)?;
                let (written, quads) =
                    gsp::write_graph(store, &target, format, &bytes[..], Some(&base), replace)?;
                let added = (!replace).then_some(kg::infer::Added {
                    quads: &quads[..],
                    all_new: false,
                });
                before.after(store, added, true)?;
                let status = if written.created {
                    StatusCode::CREATED
                } else {
                    StatusCode::NO_CONTENT
                };
                sink.start(status, Vec::new())
            })
            .await;
            if let Some(iri) = location {
                if response.status() == StatusCode::CREATED {
                    if let Ok(v) = HeaderValue::from_str(iri.as_str()) {
                        response.headers_mut().insert(header::LOCATION, v);
                    }
                }
            }
            Ok(response)
        }
        Method::DELETE => {
            guard::authorize(app, &headers)?;
            let Some(target) = target else {
                return Err(refuse(
                    StatusCode::BAD_REQUEST,
                    "name the graph to delete: ?graph=IRI or ?default",
                ));
            };
            let shared = app.clone();
            Ok(answer::run(app, None, move |store, _token, sink| {
                let _one_writer = shared.writer.lock().map_err(|_| {
                    Error::Evaluation(
                        "a previous write failed badly; restart the server".to_owned(),
                    )
                })?;
                let before = kg::write::Before::take(store)?;
                if !gsp::delete_graph(store, &target)? {
                    return Err(not_found(&target));
                }
                before.after(store, None, true)?;
                sink.start(StatusCode::NO_CONTENT, Vec::new())
            })
            .await)
        }
        other => Err(guard::wrong_method(&other, "GET, HEAD, PUT, POST, DELETE")),
    }
}

fn not_found(target: &GraphTarget) -> Error {
    Error::NotFound {
        kind: "graph",
        name: match target {
            GraphTarget::Default => "default".to_owned(),
            GraphTarget::Named(n) => n.to_string(),
        },
        candidates: Vec::new(),
    }
}

async fn read(
    app: &Arc<App>,
    method: &Method,
    headers: &HeaderMap,
    target: Option<GraphTarget>,
) -> Result<Response, Refusal> {
    let accept = headers.get(header::ACCEPT).and_then(|a| a.to_str().ok());
    // The whole store is a dataset: N-Quads unless TriG is asked for.
    let format = match &target {
        Some(_) => OutputFormat::negotiate(accept, AnswerKind::Graph),
        None => match OutputFormat::negotiate(accept, AnswerKind::Graph) {
            Some(OutputFormat::TriG) => Some(OutputFormat::TriG),
            Some(_) => Some(OutputFormat::NQuads),
            None => None,
        },
    }
    .ok_or_else(|| {
        refuse(
            StatusCode::NOT_ACCEPTABLE,
            "graphs are RDF: ask for text/turtle, application/n-triples, application/n-quads, application/trig, application/rdf+xml or application/ld+json",
        )
    })?;
    let rdf = format
        .rdf_format()
        .ok_or_else(|| refuse(StatusCode::NOT_ACCEPTABLE, "not an RDF format"))?;
    let head = method == Method::HEAD;
    Ok(answer::run(app, None, move |store, _token, sink| {
        let selection = match &target {
            None => GraphSelection::All,
            Some(GraphTarget::Default) => GraphSelection::Default,
            Some(t @ GraphTarget::Named(n)) => {
                if !gsp::graph_exists(store, t)? {
                    return Err(not_found(t));
                }
                GraphSelection::Named(n.clone())
            }
        };
        sink.ok(format.media_type(AnswerKind::Graph))?;
        if !head {
            kg::export::export(store, rdf, &selection, sink)?;
        }
        Ok(())
    })
    .await)
}
