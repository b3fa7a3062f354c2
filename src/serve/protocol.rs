//! `/sparql`: the SPARQL 1.1 Protocol. Queries by GET `?query=`, POST form (`query=`) or POST
//! `application/sparql-query`; updates by POST form (`update=`) or `application/sparql-update`;
//! the service description on a GET without a query.
//!
//! Request parameters beyond the protocol's: `inference=false` leaves `kg infer`'s entailments
//! out, `default-graph-only=true` queries the store's own default graph instead of the union,
//! `format=NAME` overrides `Accept`, `download=true` asks for an attachment, `id=` names the query
//! for `/api/cancel`.

use super::answer::{self, refuse, Refusal};
use super::request::{self, Params};
use super::{guard, App};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use kg::format::AnswerKind;
use kg::query::{Dataset, QueryOptions};
use kg::{Error, OutputFormat};
use oxigraph::model::NamedNode;
use std::sync::Arc;

enum Operation {
    Query(String),
    Update(String),
}

pub async fn sparql(
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
    let mut params = Params::parse(uri.query().unwrap_or_default().as_bytes())?;
    let operation = if method == Method::GET || method == Method::HEAD {
        if params.has("update") {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "an update must be POSTed: as the form field update= or with Content-Type: application/sparql-update",
            ));
        }
        match params.one("query")? {
            Some(q) => Operation::Query(q),
            None => return service_description(app, &headers, uri.path()),
        }
    } else if method == Method::POST {
        let Some((media, utf8)) = request::content_type(&headers) else {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "a POST to /sparql needs a Content-Type: application/x-www-form-urlencoded, application/sparql-query or application/sparql-update",
            ));
        };
        if !utf8 {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "queries and updates are UTF-8: send charset=utf-8 or no charset",
            ));
        }
        let text = |bytes: axum::body::Bytes| {
            String::from_utf8(bytes.to_vec()).map_err(|e| {
                refuse(
                    StatusCode::BAD_REQUEST,
                    format!("the request body is not UTF-8 text: {e}"),
                )
            })
        };
        match media.as_str() {
            "application/x-www-form-urlencoded" => {
                let bytes = request::body(app, &headers, body).await?;
                let form = Params::parse(&bytes)?;
                if params.has("query") || params.has("update") {
                    return Err(refuse(
                        StatusCode::BAD_REQUEST,
                        "give the query or update in the form body or in the URL, not both",
                    ));
                }
                let operation = match (form.one("query")?, form.one("update")?) {
                    (Some(q), None) => Operation::Query(q),
                    (None, Some(u)) => Operation::Update(u),
                    (Some(_), Some(_)) => {
                        return Err(refuse(
                            StatusCode::BAD_REQUEST,
                            "a request carries a query or an update, not both",
                        ))
                    }
                    (None, None) => {
                        return Err(refuse(
                            StatusCode::BAD_REQUEST,
                            "the form has neither a query= nor an update= field",
                        ))
                    }
                };
                params.0.extend(form.0);
                operation
            }
            "application/sparql-query" => {
                Operation::Query(text(request::body(app, &headers, body).await?)?)
            }
            "application/sparql-update" => {
                Operation::Update(text(request::body(app, &headers, body).await?)?)
            }
            other => {
                return Err(refuse(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    format!("a POST to /sparql is application/x-www-form-urlencoded, application/sparql-query or application/sparql-update, not {other}"),
                ))
            }
        }
    } else {
        return Err(guard::wrong_method(&method, "GET, HEAD, POST"));
    };
    let base = request::own_url(&headers, uri.path(), app);
    match operation {
        Operation::Query(text) => query(app, &params, &headers, text, base).await,
        Operation::Update(text) => {
            guard::authorize(app, &headers)?;
            update(app, &params, text, base).await
        }
    }
}

fn dataset(params: &Params, default: &str, named: &str) -> Result<Option<Dataset>, Refusal> {
    let iris = |name: &str| {
        params
            .all(name)
            .into_iter()
            .map(|iri| {
                NamedNode::new(iri.clone()).map_err(|e| {
                    refuse(
                        StatusCode::BAD_REQUEST,
                        format!("{name}: <{iri}> is not an IRI: {e}"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let dataset = Dataset {
        default_graphs: iris(default)?,
        named_graphs: iris(named)?,
    };
    Ok((dataset != Dataset::default()).then_some(dataset))
}

fn options(
    app: &App,
    params: &Params,
    dataset: Option<Dataset>,
    base: String,
) -> Result<QueryOptions, Refusal> {
    Ok(QueryOptions {
        base_iri: Some(base),
        // answer::run enforces --timeout for the whole request.
        timeout: None,
        cancel: None,
        default_graph_only: params.flag("default-graph-only")?.unwrap_or(false),
        no_inference: !params.flag("inference")?.unwrap_or(app.config.inference),
        source: Some("<query>".to_owned()),
        dataset,
    })
}

async fn query(
    app: &Arc<App>,
    params: &Params,
    headers: &HeaderMap,
    text: String,
    base: String,
) -> Result<Response, Refusal> {
    let dataset = dataset(params, "default-graph-uri", "named-graph-uri")?;
    let mut options = options(app, params, dataset, base)?;
    let forced = params
        .one("format")?
        .map(|f| OutputFormat::from_name(&f))
        .transpose()
        .map_err(|e| Refusal::from(&e))?;
    let download = params.flag("download")?.unwrap_or(false);
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .map(str::to_owned);
    let id = params.one("id")?;
    Ok(answer::run(app, id, move |store, token, sink| {
        options.cancel = Some(token);
        // A failure that shows only when the answer is read (an unsupported SERVICE) still gets
        // its status: the Sink holds the status until the first 64 KiB are written.
        let outcome = kg::query::execute(store, &text, &options)?;
        let kind = outcome.kind();
        let format = match forced {
            Some(f) => f,
            None => OutputFormat::negotiate(accept.as_deref(), kind).ok_or_else(|| {
                Error::FormatMismatch {
                    what: what(kind),
                    format: accept.clone().unwrap_or_default(),
                    expected: OutputFormat::served(kind)
                        .iter()
                        .map(|f| f.media_type(kind).split(';').next().unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            })?,
        };
        if !format.supports(kind) {
            return Err(Error::FormatMismatch {
                what: what(kind),
                format: format.name().to_owned(),
                expected: OutputFormat::names_for(kind),
            });
        }
        let mut headers = vec![(header::CONTENT_TYPE, format.media_type(kind).to_owned())];
        if download {
            headers.push((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"answer.{}\"", format.extension(kind)),
            ));
        }
        sink.start(StatusCode::OK, headers)?;
        let context = kg::query::render::RenderContext {
            prefixes: store.prefixes(),
        };
        kg::query::render::render(outcome, format, &context, sink)?;
        Ok(())
    })
    .await)
}

fn what(kind: AnswerKind) -> &'static str {
    match kind {
        AnswerKind::Graph => "a graph (CONSTRUCT/DESCRIBE answer)",
        _ => "solutions (SELECT/ASK answer)",
    }
}

async fn update(
    app: &Arc<App>,
    params: &Params,
    text: String,
    base: String,
) -> Result<Response, Refusal> {
    let dataset = dataset(params, "using-graph-uri", "using-named-graph-uri")?;
    let mut options = options(app, params, dataset, base)?;
    options.source = Some("<update>".to_owned());
    let shared = app.clone();
    Ok(answer::run(app, None, move |store, token, _sink| {
        options.cancel = Some(token);
        let _one_writer = shared.writer.lock().map_err(|_| {
            Error::Evaluation("a previous write failed badly; restart the server".to_owned())
        })?;
        kg::write::update(store, &text, &options)?;
        Ok(())
    })
    .await)
}

const SD: &str = "http://www.w3.org/ns/sparql-service-description#";

/// The service description (`sd:` vocabulary) in the format `Accept` asks for (Turtle by default).
fn service_description(app: &App, headers: &HeaderMap, path: &str) -> Result<Response, Refusal> {
    let accept = headers.get(header::ACCEPT).and_then(|a| a.to_str().ok());
    let format = OutputFormat::negotiate(accept, AnswerKind::Graph).ok_or_else(|| {
        refuse(
            StatusCode::NOT_ACCEPTABLE,
            "the service description is RDF: ask for text/turtle, application/n-triples, application/rdf+xml or application/ld+json",
        )
    })?;
    let endpoint = NamedNode::new(request::own_url(headers, path, app))
        .map_err(|e| refuse(StatusCode::BAD_REQUEST, format!("bad Host header: {e}")))?;
    let store = &app.store;
    let fail = |e: Error| Refusal::from(&e);
    let regime = match kg::infer::status(store).map_err(fail)? {
        kg::infer::Status::None => "<http://www.w3.org/ns/entailment/Simple>".to_owned(),
        kg::infer::Status::Current(s) | kg::infer::Status::Stale(s) if s.profile == "rdfs" => {
            "<http://www.w3.org/ns/entailment/RDFS>".to_owned()
        }
        kg::infer::Status::Current(_) | kg::infer::Status::Stale(_) => {
            "<http://www.w3.org/ns/entailment/OWL-RDF-Based> ; sd:defaultSupportedEntailmentProfile <http://www.w3.org/ns/owl-profile/RL>".to_owned()
        }
    };
    let mut formats: Vec<&str> = vec![
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "N-Quads",
        "TriG",
        "RDF_XML",
        "JSON-LD",
    ];
    formats.sort_unstable();
    let formats = formats
        .iter()
        .map(|f| format!("<http://www.w3.org/ns/formats/{f}>"))
        .collect::<Vec<_>>()
        .join(", ");
    let named: Vec<String> = store
        .named_graphs()
        .map_err(fail)?
        .iter()
        .take(1000)
        .map(|g| format!("sd:namedGraph [ a sd:NamedGraph ; sd:name {g} ]"))
        .collect();
    let languages = if app.config.writable {
        "sd:SPARQL11Query, sd:SPARQL11Update"
    } else {
        "sd:SPARQL11Query"
    };
    let turtle = format!(
        "@prefix sd: <{SD}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<#service> a sd:Service ;
  rdfs:label \"kg serve\" ;
  rdfs:comment \"The default graph is the union of every graph of the store as a set: a triple stated in several graphs is one triple. It includes the entailments of kg infer unless a request says inference=false; default-graph-only=true queries the store's own default graph instead; default-graph-uri and named-graph-uri (using-graph-uri and using-named-graph-uri for updates) replace both. Stored prefixes work without PREFIX lines. SERVICE and LOAD never reach the network.\" ;
  sd:endpoint {endpoint} ;
  sd:supportedLanguage {languages} ;
  sd:feature sd:UnionDefaultGraph ;
  sd:resultFormat {formats} ;
  sd:defaultEntailmentRegime {regime} ;
  sd:defaultDataset [ a sd:Dataset ;
    sd:defaultGraph [ a sd:Graph ; rdfs:comment \"the RDF merge (a set) of every graph\" ] {named} ] .
",
        named = if named.is_empty() {
            String::new()
        } else {
            format!("; {}", named.join(" ; "))
        }
    );
    let parser = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
        .with_base_iri(endpoint.as_str())
        .map_err(|e| refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let triples = parser
        .for_slice(turtle.as_bytes())
        .map(|q| q.map(oxigraph::model::Triple::from))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let mut prefixes = store.prefixes().clone();
    prefixes.insert("sd", SD);
    let mut body = Vec::new();
    let written = match format {
        OutputFormat::Turtle => kg::export::write_turtle(&triples, &prefixes, &mut body),
        other => match other.rdf_format() {
            Some(rdf) => kg::export::write_triples(&triples, rdf, &prefixes, &mut body),
            None => Ok(()),
        },
    };
    written.map_err(fail)?;
    Ok((
        [(header::CONTENT_TYPE, format.media_type(AnswerKind::Graph))],
        body,
    )
        .into_response())
}
