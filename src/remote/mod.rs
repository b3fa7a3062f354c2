//! kg on an existing SPARQL engine: the SPARQL 1.1 Protocol for queries and updates, the Graph
//! Store Protocol for loads and exports, over HTTP (`transport`). Everything a command does on a remote goes
//! through `Remote`; `backend::Backend` puts it beside the embedded store.
//!
//! Engines differ in three ways that matter to kg, and `Engine` records them: where the query,
//! update and Graph Store endpoints live, how their default graph is formed, and which request
//! shapes they answer (Virtuoso never answers a direct `application/sparql-query` POST, so queries
//! go by GET, or form-encoded POST when long).

pub mod config;
pub mod federation;
mod load;
pub mod transport;
pub mod traverse;

use crate::error::{sparql_syntax_error, Error, Result};
use crate::format::AnswerKind;
use crate::prefixes::PrefixTable;
use crate::query::{Deadline, Outcome, QueryOptions};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{NamedNode, Term};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser};
use oxigraph::sparql::{QueryEvaluationError, QueryResults, QuerySolution, QueryTripleIter};
use std::sync::Arc;
use std::time::{Duration, Instant};
use transport::{Client, Request};

pub use config::{EndpointConfig, Remotes};
pub use load::{load, seed};

/// The engine behind an endpoint, told from its `Server` header or named with `--engine`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// `kg serve`: the union default graph as a set, kg's own request parameters.
    Kg,
    /// The Oxigraph server: a separate default graph; `union-default-graph` asks for the union.
    Oxigraph,
    /// Virtuoso: the default graph is the union of every graph, its own system graphs included.
    Virtuoso,
    /// Any other SPARQL 1.1 engine: the default graph is assumed to be its own graph, and the
    /// union is asked for in the query itself.
    Generic,
}

impl Engine {
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "kg" => Ok(Self::Kg),
            "oxigraph" => Ok(Self::Oxigraph),
            "virtuoso" => Ok(Self::Virtuoso),
            "generic" | "sparql" => Ok(Self::Generic),
            other => Err(Error::BadInput(format!(
                "unknown engine '{other}' (expected kg, oxigraph, virtuoso or generic)"
            ))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Kg => "kg",
            Self::Oxigraph => "oxigraph",
            Self::Virtuoso => "virtuoso",
            Self::Generic => "generic",
        }
    }

    fn from_server_header(server: &str) -> Self {
        let s = server.to_ascii_lowercase();
        if s.starts_with("kg/") {
            Self::Kg
        } else if s.contains("oxigraph") {
            Self::Oxigraph
        } else if s.contains("virtuoso") {
            Self::Virtuoso
        } else {
            Self::Generic
        }
    }
}

/// Graphs Virtuoso keeps for itself, left out of kg's union default graph, listings and exports:
/// its RDF views, LDP, and the service and WebDAV descriptions named after the address it first
/// started on.
fn virtuoso_system_graph(iri: &str) -> bool {
    if iri == "http://www.openlinksw.com/schemas/virtrdf#" || iri == "http://www.w3.org/ns/ldp#" {
        return true;
    }
    iri.split_once("://").is_some_and(|(scheme, rest)| {
        (scheme == "http" || scheme == "https")
            && rest
                .split_once('/')
                .is_some_and(|(_, path)| path == "sparql" || path == "DAV/")
    })
}

/// One remote endpoint, ready for requests. Cheap to clone: the connection pool is shared.
#[derive(Clone)]
pub struct Remote {
    inner: Arc<Inner>,
}

struct Inner {
    query_url: String,
    update_url: String,
    store_url: Option<String>,
    engine: Engine,
    client: Client,
    prefixes: PrefixTable,
    /// Whether two graphs of the remote hold the same triple: only then does the union need the
    /// rewrite that makes it a set (costly on large data). Checked once per process, on demand.
    overlap: std::sync::OnceLock<bool>,
    /// The user's graphs, for engines whose default graph includes their own system graphs.
    graphs: std::sync::OnceLock<Vec<NamedNode>>,
}

impl Remote {
    /// Connects: asks the endpoint a trivial question (which also tells the engine when it is
    /// not named) so a wrong URL, a server that is down or bad credentials fail here, clearly.
    pub fn connect(config: &EndpointConfig, prefixes: PrefixTable) -> Result<Self> {
        let auth = config.auth()?;
        let client = Client::new(auth, config.connect_timeout, config.timeout, config.log);
        let query_url = config.url.trim_end_matches('/').to_owned();
        let probe = Request::get(&query_url)
            .param("query", "ASK {}")
            .accept("application/sparql-results+json");
        let response = client.send(&probe)?;
        let engine = match config.engine {
            Some(e) => e,
            None => response
                .server
                .as_deref()
                .map_or(Engine::Generic, Engine::from_server_header),
        };
        let base = origin(&query_url);
        let (update_default, store_default) = match engine {
            Engine::Kg => (query_url.clone(), Some(format!("{base}/store"))),
            Engine::Oxigraph => (
                replace_last(&query_url, "query", "update"),
                Some(replace_last(&query_url, "query", "store")),
            ),
            Engine::Virtuoso => (
                format!("{base}/sparql-auth"),
                Some(format!("{base}/sparql-graph-crud-auth")),
            ),
            Engine::Generic => (query_url.clone(), None),
        };
        Ok(Self {
            inner: Arc::new(Inner {
                update_url: config.update_url.clone().unwrap_or(update_default),
                store_url: config.store_url.clone().or(store_default),
                query_url,
                engine,
                client,
                prefixes,
                overlap: std::sync::OnceLock::new(),
                graphs: std::sync::OnceLock::new(),
            }),
        })
    }

    pub fn engine(&self) -> Engine {
        self.inner.engine
    }

    pub fn url(&self) -> &str {
        &self.inner.query_url
    }

    pub fn prefixes(&self) -> &PrefixTable {
        &self.inner.prefixes
    }

    /// Runs a query. It is parsed here first (with the local prefix table), so a syntax error is
    /// located in the user's text exactly as on the embedded store; what is sent is the user's
    /// text with `PREFIX` lines for the table's prefixes it uses, or, when the engine's union
    /// default graph is not a set, the rewritten algebra.
    pub fn query(&self, text: &str, options: &QueryOptions) -> Result<Outcome> {
        let source = options.source.as_deref().unwrap_or("<query>");
        let parsed = self.parse_query(text, options.base_iri.as_deref());
        let deadline = Deadline::new(options.cancel.clone(), options.timeout);
        let (kind, sent, mut params, local_error) = match parsed {
            Ok(query) => {
                let kind = match &query {
                    spargebra::Query::Select { .. } => AnswerKind::Solutions,
                    spargebra::Query::Ask { .. } => AnswerKind::Boolean,
                    _ => AnswerKind::Graph,
                };
                let (sent, params) = self.request_text(text, query, options)?;
                (kind, sent, params, None)
            }
            // The engine may know what kg does not (its own prefixes, extensions): it is asked
            // as written, and if it refuses too, the error is kg's, located in the user's text.
            Err(e) => (
                form_of(text),
                self.with_prefix_lines(text),
                Vec::new(),
                Some(sparql_syntax_error(&e, source, text)),
            ),
        };
        params.extend(dataset_params(
            options,
            "default-graph-uri",
            "named-graph-uri",
        ));
        // One exact type per form: Virtuoso answers with whatever its own ranking of a list puts
        // first, even a results format for a graph.
        let accept = match kind {
            AnswerKind::Graph => "application/n-triples",
            AnswerKind::Solutions => self.solutions_type(),
            AnswerKind::Boolean => "application/sparql-results+json",
        };
        let response = match (self.send_query(&sent, params, accept), local_error) {
            (Ok(r), _) => r,
            (Err(_), Some(local)) => return Err(local),
            (Err(e), None) => return Err(e),
        };
        let media = response.media_type();
        let url = self.inner.query_url.clone();
        let results: QueryResults<'static> = match kind {
            AnswerKind::Graph => {
                let format = RdfFormat::from_media_type(&media).ok_or_else(|| {
                    self.unexpected(&media, "an RDF graph (N-Triples, Turtle or RDF/XML)")
                })?;
                let parser = RdfParser::from_format(format).for_reader(response.body);
                QueryTripleIter::new(parser.map(move |q| {
                    q.map(Into::into).map_err(|e| {
                        QueryEvaluationError::Service(
                            format!("{url}: the answer is not valid RDF: {e}").into(),
                        )
                    })
                }))
                .into()
            }
            _ => {
                let format = QueryResultsFormat::from_media_type(&media)
                    .ok_or_else(|| self.unexpected(&media, "SPARQL results"))?;
                QueryResultsParser::from_format(format)
                    .for_reader(response.body)
                    .map_err(|e| Error::Remote {
                        url: url.clone(),
                        status: None,
                        message: format!("the answer is not valid SPARQL results: {e}"),
                    })?
                    .into()
            }
        };
        Ok(crate::query::outcome(results, deadline))
    }

    /// Runs an update: parsed here first, then sent form-encoded (every engine takes that).
    pub fn update(&self, text: &str, options: &QueryOptions) -> Result<Duration> {
        let start = Instant::now();
        let source = options.source.as_deref().unwrap_or("<update>");
        let parser = self
            .inner
            .prefixes
            .sparql_parser(options.base_iri.as_deref())
            .map_err(Error::BadInput)?;
        parser
            .parse_update(text)
            .map_err(|e| sparql_syntax_error(&e, source, text))?;
        let sent = self.with_prefix_lines(text);
        self.send_update(
            &sent,
            dataset_params(options, "using-graph-uri", "using-named-graph-uri"),
        )?;
        Ok(start.elapsed())
    }

    /// Sends an update text as it is: kg's own (load, staging graphs).
    pub(crate) fn send_update(
        &self,
        text: &str,
        params: Vec<(&'static str, String)>,
    ) -> Result<()> {
        let mut fields: Vec<(&str, &str)> = vec![("update", text)];
        fields.extend(params.iter().map(|(k, v)| (*k, v.as_str())));
        let request = Request::form(&self.inner.update_url, &fields)
            .accept("text/plain, application/json;q=0.5, */*;q=0.1");
        let mut response = self.inner.client.send(&request)?;
        // Drain the answer so the connection can be reused.
        let _ = std::io::copy(&mut response.body, &mut std::io::sink());
        Ok(())
    }

    /// Runs one of kg's own SELECT queries (full IRIs, no user text) and collects the rows.
    /// `union`: over kg's union default graph; otherwise over the engine's own default graph.
    pub(crate) fn select(&self, text: &str, union: bool) -> Result<Vec<QuerySolution>> {
        let options = QueryOptions {
            default_graph_only: !union,
            source: Some("<kg>".to_owned()),
            ..QueryOptions::default()
        };
        match self.query(text, &options)? {
            Outcome::Solutions { solutions, .. } => solutions.collect(),
            _ => Err(Error::Evaluation(format!("not a SELECT query: {text}"))),
        }
    }

    /// The named graphs that hold the user's data: every graph but the engine's own.
    pub fn graphs(&self) -> Result<Vec<NamedNode>> {
        if let Some(g) = self.inner.graphs.get() {
            return Ok(g.clone());
        }
        // `GRAPH ?g {}` lists the graphs from the engine's graph index (Oxigraph, kg); Virtuoso
        // answers it with nothing, and there the quads are asked.
        let mut rows = Vec::new();
        if self.inner.engine != Engine::Virtuoso {
            rows = self.select_raw("SELECT ?g WHERE { GRAPH ?g {} } ORDER BY ?g", Vec::new())?;
        }
        if rows.is_empty()
            && self.inner.engine != Engine::Oxigraph
            && self.inner.engine != Engine::Kg
        {
            rows = self.select_raw(
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g",
                Vec::new(),
            )?;
        }
        let graphs: Vec<NamedNode> = rows
            .iter()
            .filter_map(|r| match r.get("g") {
                Some(Term::NamedNode(n)) if !self.is_system_graph(n.as_str()) => Some(n.clone()),
                _ => None,
            })
            .collect();
        let _ = self.inner.graphs.set(graphs.clone());
        Ok(graphs)
    }

    fn is_system_graph(&self, iri: &str) -> bool {
        self.inner.engine == Engine::Virtuoso && virtuoso_system_graph(iri)
    }

    /// A fixed query sent exactly as written, with extra request parameters.
    pub(crate) fn select_raw(
        &self,
        text: &str,
        params: Vec<(&'static str, String)>,
    ) -> Result<Vec<QuerySolution>> {
        self.solutions_raw(text, params)?.collect()
    }

    /// The rows of a fixed query as they arrive.
    pub(crate) fn solutions_raw(
        &self,
        text: &str,
        params: Vec<(&'static str, String)>,
    ) -> Result<Box<dyn Iterator<Item = Result<QuerySolution>>>> {
        let response = self.send_query(text, params, self.solutions_type())?;
        let media = response.media_type();
        let format = QueryResultsFormat::from_media_type(&media)
            .ok_or_else(|| self.unexpected(&media, "SPARQL results"))?;
        let parsed = QueryResultsParser::from_format(format)
            .for_reader(response.body)
            .map_err(|e| self.invalid(e))?;
        let url = self.inner.query_url.clone();
        match QueryResults::from(parsed) {
            QueryResults::Solutions(s) => Ok(Box::new(s.map(move |s| {
                s.map_err(|e| Error::Remote {
                    url: url.clone(),
                    status: None,
                    message: format!("the answer was cut short or is not valid: {e}"),
                })
            }))),
            _ => Err(Error::Evaluation(format!("not a SELECT query: {text}"))),
        }
    }

    /// Exports the selection through `export::write_quads`, as the store's export does: the
    /// same formats and the same pretty, sorted Turtle. Skolem IRIs of kg's loads become blank
    /// nodes again, so the export is the graph that was loaded.
    pub fn export(
        &self,
        format: RdfFormat,
        selection: &crate::export::GraphSelection,
        out: &mut dyn std::io::Write,
    ) -> Result<u64> {
        use crate::export::GraphSelection as S;
        let inferred = crate::store::INFERRED_GRAPH;
        let user_graphs = || -> Result<String> {
            Ok(self
                .graphs()?
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" "))
        };
        let mut params = Vec::new();
        if self.inner.engine == Engine::Kg {
            params.push(("default-graph-only", "true".to_owned()));
        }
        let virtuoso = self.inner.engine == Engine::Virtuoso;
        let (text, several) = match selection {
            S::All | S::Asserted => {
                let filter = if *selection == S::Asserted {
                    format!("FILTER(?g != <{inferred}>)")
                } else {
                    String::new()
                };
                let named = if virtuoso {
                    format!("VALUES ?g {{ {} }} GRAPH ?g {{ ?s ?p ?o }} {filter}", user_graphs()?)
                } else {
                    format!("GRAPH ?g {{ ?s ?p ?o }} {filter}")
                };
                let text = if virtuoso {
                    format!("SELECT ?s ?p ?o ?g WHERE {{ {named} }}")
                } else {
                    format!("SELECT ?s ?p ?o ?g WHERE {{ {{ ?s ?p ?o }} UNION {{ {named} }} }}")
                };
                (text, true)
            }
            S::Default if virtuoso => {
                return Err(Error::BadInput(
                    "Virtuoso has no default graph of its own (its default graph is the union of all graphs): export a named graph with --graph IRI, or all of them".to_owned(),
                ))
            }
            S::Default => ("SELECT ?s ?p ?o WHERE { ?s ?p ?o }".to_owned(), false),
            S::Named(g) => {
                if !self.graphs()?.contains(g) {
                    return Err(Error::NotFound {
                        kind: "graph",
                        name: g.to_string(),
                        candidates: Vec::new(),
                    });
                }
                (format!("SELECT ?s ?p ?o WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}"), false)
            }
        };
        let rows = self.solutions_raw(&text, params)?;
        let this = self.clone();
        let quads = rows.filter_map(move |row| {
            let row = match row {
                Ok(r) => r,
                Err(e) => return Some(Err(e)),
            };
            let node = |t: Option<&Term>| t.map(|t| this.deskolemise(t.clone()));
            let subject = match node(row.get("s"))? {
                Term::NamedNode(n) => oxigraph::model::NamedOrBlankNode::NamedNode(n),
                Term::BlankNode(b) => oxigraph::model::NamedOrBlankNode::BlankNode(b),
                _ => return None,
            };
            let Some(Term::NamedNode(predicate)) = row.get("p").cloned() else {
                return None;
            };
            let object = node(row.get("o"))?;
            let graph_name = match row.get("g") {
                Some(Term::NamedNode(g)) => oxigraph::model::GraphName::NamedNode(g.clone()),
                _ => oxigraph::model::GraphName::DefaultGraph,
            };
            Some(Ok(oxigraph::model::Quad {
                subject,
                predicate,
                object,
                graph_name,
            }))
        });
        crate::export::write_quads(quads, format, several, false, &self.inner.prefixes, out)
    }

    fn send_query(
        &self,
        text: &str,
        params: Vec<(&'static str, String)>,
        accept: &str,
    ) -> Result<transport::Response> {
        let url = &self.inner.query_url;
        self.inner
            .client
            .send(&Request::query(url, text, params).accept(accept))
    }

    fn parse_query(
        &self,
        text: &str,
        base: Option<&str>,
    ) -> std::result::Result<spargebra::Query, spargebra::SparqlSyntaxError> {
        // An invalid base was refused when the query was parsed for its errors.
        let parser = self
            .inner
            .prefixes
            .sparql_parser(base)
            .or_else(|_| self.inner.prefixes.sparql_parser(None))
            .unwrap_or_default();
        parser.parse_query(text)
    }

    /// The text to send and the request parameters that give it kg's default graph.
    fn request_text(
        &self,
        text: &str,
        query: spargebra::Query,
        options: &QueryOptions,
    ) -> Result<(String, Vec<(&'static str, String)>)> {
        let own_dataset = options.dataset.is_some() || query_dataset(&query);
        let mut params = Vec::new();
        if own_dataset {
            return Ok((self.with_prefix_lines(text), params));
        }
        match self.inner.engine {
            Engine::Kg => {
                if options.no_inference {
                    params.push(("inference", "false".to_owned()));
                }
                if options.default_graph_only {
                    params.push(("default-graph-only", "true".to_owned()));
                }
                Ok((self.with_prefix_lines(text), params))
            }
            _ if options.default_graph_only => Ok((self.with_prefix_lines(text), params)),
            Engine::Oxigraph => {
                if self.overlap()? {
                    let rewritten = crate::query::union::rewrite(
                        query,
                        &crate::query::union::Sources::DefaultAndNamed,
                    );
                    return Ok((rewritten.to_string(), params));
                }
                // Without named graphs the default graph is the union already, and Oxigraph's
                // union flag makes it read every pattern through its all-graphs indexes
                // (LUBM q09 0.4 s slower).
                if !self.graphs()?.is_empty() {
                    params.push(("union-default-graph", "true".to_owned()));
                }
                Ok((self.with_prefix_lines(text), params))
            }
            Engine::Virtuoso => {
                let graphs = self.graphs()?;
                let rewritten = crate::query::union::rewrite(
                    query,
                    &crate::query::union::Sources::Graphs(graphs),
                );
                Ok((rewritten.to_string(), params))
            }
            Engine::Generic => {
                let rewritten = crate::query::union::rewrite(
                    query,
                    &crate::query::union::Sources::DefaultAndNamed,
                );
                Ok((rewritten.to_string(), params))
            }
        }
    }

    /// Whether any triple is in two graphs (the default graph counting as one), asked once.
    fn overlap(&self) -> Result<bool> {
        if let Some(o) = self.inner.overlap.get() {
            return Ok(*o);
        }
        let graphs = self.graphs()?;
        let default_empty = self
            .select_raw("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", Vec::new())?
            .is_empty();
        let overlap = if graphs.len() + usize::from(!default_empty) < 2 {
            false
        } else {
            let rows = self.select_raw(
                "SELECT ?s WHERE { { GRAPH ?a { ?s ?p ?o } GRAPH ?b { ?s ?p ?o } FILTER(STR(?a) < STR(?b)) } \
                 UNION { ?s ?p ?o GRAPH ?b { ?s ?p ?o } } } LIMIT 1",
                Vec::new(),
            )?;
            !rows.is_empty()
        };
        let _ = self.inner.overlap.set(overlap);
        Ok(overlap)
    }

    /// `PREFIX` lines for the table's prefixes the text uses, then the text.
    fn with_prefix_lines(&self, text: &str) -> String {
        use crate::query::lexer::{tokenize, TokenKind};
        let mut used = std::collections::BTreeSet::new();
        for t in tokenize(text) {
            if t.kind == TokenKind::PrefixedName {
                if let Some((p, _)) = text[t.start..t.end].split_once(':') {
                    used.insert(p.to_owned());
                }
            }
        }
        let mut out = String::new();
        for p in used {
            if let Some(iri) = self.inner.prefixes.get(&p) {
                out.push_str(&format!("PREFIX {p}: <{iri}>\n"));
            }
        }
        out.push_str(text);
        out
    }

    fn unexpected(&self, media: &str, wanted: &str) -> Error {
        Error::Remote {
            url: self.inner.query_url.clone(),
            status: None,
            message: format!(
                "the endpoint answered with '{}' where kg asked for {wanted}",
                if media.is_empty() {
                    "no media type"
                } else {
                    media
                }
            ),
        }
    }

    fn invalid(&self, e: impl std::fmt::Display) -> Error {
        Error::Remote {
            url: self.inner.query_url.clone(),
            status: None,
            message: format!("the answer is not valid SPARQL results: {e}"),
        }
    }

    /// A skolem IRI of kg's loads (`/.well-known/genid/` under this endpoint) as the blank node it
    /// stood for; any other term as it is.
    pub(crate) fn deskolemise(&self, t: Term) -> Term {
        if let Term::NamedNode(n) = &t {
            let genid = format!("{}/.well-known/genid/", origin(&self.inner.query_url));
            if let Some(id) = n.as_str().strip_prefix(genid.as_str()) {
                return Term::BlankNode(oxigraph::model::BlankNode::new_unchecked(format!(
                    "g{id}"
                )));
            }
        }
        t
    }

    /// The results format asked for rows: TSV where the engine writes it term for term (it costs
    /// both sides less than JSON: q06 of LUBM-10, 99,566 rows, 0.15 s by curl against 0.19 s),
    /// JSON elsewhere.
    fn solutions_type(&self) -> &'static str {
        match self.inner.engine {
            Engine::Kg | Engine::Oxigraph => "text/tab-separated-values",
            _ => "application/sparql-results+json",
        }
    }

    pub(crate) fn client(&self) -> &Client {
        &self.inner.client
    }

    pub(crate) fn store_url(&self) -> Option<&str> {
        self.inner.store_url.as_deref()
    }

    /// The Graph Store Protocol's name for the graph parameter (`graph`, Virtuoso's `graph-uri`).
    pub(crate) fn graph_param(&self) -> &'static str {
        if self.inner.engine == Engine::Virtuoso {
            "graph-uri"
        } else {
            "graph"
        }
    }

    /// Statistics by aggregate queries, each within `limit`; a figure cut short is said so.
    pub fn stats(&self, limit: Duration) -> Result<RemoteStats> {
        let mut stats = RemoteStats::default();
        let mut timed = |text: &str, what: &str, own: bool| -> Option<Vec<(String, usize)>> {
            let options = QueryOptions {
                timeout: Some(limit),
                default_graph_only: own,
                source: Some("<kg>".to_owned()),
                ..QueryOptions::default()
            };
            let rows: Result<Vec<QuerySolution>> = match self.timed_query(text, &options) {
                Ok(Outcome::Solutions { solutions, .. }) => solutions.collect(),
                Ok(_) => Err(Error::Evaluation("not a SELECT".to_owned())),
                Err(e) => Err(e),
            };
            match rows {
                Ok(rows) => Some(
                    rows.iter()
                        .map(|s| {
                            let name = s.get("x").map(ToString::to_string).unwrap_or_default();
                            let n = match s.get("n") {
                                Some(Term::Literal(l)) => l.value().parse().unwrap_or(0),
                                _ => 0,
                            };
                            (name, n)
                        })
                        .collect(),
                ),
                Err(e) => {
                    stats.cut_short.push(format!("{what}: {e}"));
                    None
                }
            }
        };
        let mut graphs = Vec::new();
        if let Some(rows) = timed(
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
            "quads in the default graph",
            true,
        ) {
            if self.inner.engine != Engine::Virtuoso {
                graphs.push(("default".to_owned(), rows.first().map_or(0, |r| r.1)));
            }
        }
        let per_graph = timed(
            "SELECT ?x (COUNT(*) AS ?n) WHERE { GRAPH ?x { ?s ?p ?o } } GROUP BY ?x ORDER BY ?x",
            "quads per graph",
            false,
        );
        let classes = timed(
            "SELECT ?x (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?x } GROUP BY ?x ORDER BY DESC(?n) STR(?x)",
            "classes",
            false,
        );
        let predicates = timed(
            "SELECT ?x (COUNT(*) AS ?n) WHERE { ?s ?x ?o } GROUP BY ?x ORDER BY DESC(?n) STR(?x)",
            "predicates",
            false,
        );
        if self.inner.engine == Engine::Virtuoso {
            // Virtuoso's default graph is the union: its own count is not a graph of its own.
            graphs.clear();
        }
        for (g, n) in per_graph.unwrap_or_default() {
            let iri = g.trim_start_matches('<').trim_end_matches('>');
            if !self.is_system_graph(iri) {
                graphs.push((g, n));
            }
        }
        stats.total = graphs.iter().map(|(_, n)| n).sum();
        stats.graphs = graphs;
        stats.classes = classes.unwrap_or_default();
        stats.predicates = predicates.unwrap_or_default();
        Ok(stats)
    }

    /// A query with its timeout applied here, since kg's own queries do not go through a `Job`.
    fn timed_query(&self, text: &str, options: &QueryOptions) -> Result<Outcome> {
        let deadline = Deadline::new(options.cancel.clone(), options.timeout);
        let options = QueryOptions {
            cancel: Some(deadline.token()),
            ..options.clone()
        };
        self.query(text, &options)
    }
}

/// What `kg stats` shows for a remote, with the figures that could not be computed in time.
#[derive(Debug, Clone, Default)]
pub struct RemoteStats {
    pub total: usize,
    pub graphs: Vec<(String, usize)>,
    pub classes: Vec<(String, usize)>,
    pub predicates: Vec<(String, usize)>,
    pub cut_short: Vec<String>,
}

/// The form of a query kg could not parse, from its first keyword, to ask for the right answer.
fn form_of(text: &str) -> AnswerKind {
    use crate::query::lexer::{tokenize, TokenKind};
    for t in tokenize(text) {
        if t.kind == TokenKind::Keyword {
            match text[t.start..t.end].to_ascii_uppercase().as_str() {
                "SELECT" => return AnswerKind::Solutions,
                "ASK" => return AnswerKind::Boolean,
                "CONSTRUCT" | "DESCRIBE" => return AnswerKind::Graph,
                _ => {}
            }
        }
    }
    AnswerKind::Solutions
}

fn query_dataset(query: &spargebra::Query) -> bool {
    match query {
        spargebra::Query::Select { dataset, .. }
        | spargebra::Query::Construct { dataset, .. }
        | spargebra::Query::Describe { dataset, .. }
        | spargebra::Query::Ask { dataset, .. } => dataset.is_some(),
    }
}

fn dataset_params(
    options: &QueryOptions,
    default: &'static str,
    named: &'static str,
) -> Vec<(&'static str, String)> {
    let mut params = Vec::new();
    if let Some(d) = &options.dataset {
        params.extend(
            d.default_graphs
                .iter()
                .map(|g| (default, g.as_str().to_owned())),
        );
        params.extend(
            d.named_graphs
                .iter()
                .map(|g| (named, g.as_str().to_owned())),
        );
    }
    params
}

/// `scheme://host:port` of a URL.
fn origin(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split('/').next().unwrap_or(rest);
            format!("{scheme}://{host}")
        }
        None => url.to_owned(),
    }
}

/// The URL with its last path segment `from` replaced by `to` (Oxigraph's `/query` → `/update`).
fn replace_last(url: &str, from: &str, to: &str) -> String {
    match url.strip_suffix(from) {
        Some(head) => format!("{head}{to}"),
        None => format!("{}/{to}", origin(url)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_of_an_engine() {
        assert_eq!(
            origin("http://127.0.0.1:7878/sparql"),
            "http://127.0.0.1:7878"
        );
        assert_eq!(
            replace_last("http://h:1/query", "query", "update"),
            "http://h:1/update"
        );
        assert_eq!(
            replace_last("http://h:1/sparql", "query", "store"),
            "http://h:1/store"
        );
        assert_eq!(
            Engine::from_server_header("Virtuoso/07.20.3229 (Linux)"),
            Engine::Virtuoso
        );
        assert_eq!(Engine::from_server_header("kg/0.1.0"), Engine::Kg);
    }
}

/// How long a remote's completion vocabulary is kept before it is asked again.
const VOCABULARY_EXPIRY: Duration = Duration::from_secs(3600);
/// How long each of the vocabulary's queries may run on the engine.
const VOCABULARY_QUERY_LIMIT: Duration = Duration::from_secs(10);

#[derive(serde::Serialize, serde::Deserialize)]
struct CachedVocabulary {
    url: String,
    /// Seconds since the Unix epoch when it was asked.
    at: u64,
    vocabulary: crate::query::complete::CompletionVocabulary,
}

impl Remote {
    /// The completion vocabulary from bounded queries (`LIMIT`, each within a time limit, never
    /// a full listing of a large store), cached in `cache_dir` per endpoint for an hour.
    pub fn completion_vocabulary(
        &self,
        cache_dir: Option<&std::path::Path>,
        cancel: &oxigraph::sparql::CancellationToken,
    ) -> Result<crate::query::complete::CompletionVocabulary> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let file = cache_dir.map(|d| {
            let mut h = <sha2::Sha256 as sha2::Digest>::new();
            sha2::Digest::update(&mut h, self.inner.query_url.as_bytes());
            let digest = sha2::Digest::finalize(h);
            let name: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
            d.join(format!("vocabulary-{name}.json"))
        });
        if let Some(f) = &file {
            if let Some(cached) = std::fs::read(f)
                .ok()
                .and_then(|t| serde_json::from_slice::<CachedVocabulary>(&t).ok())
                .filter(|c| {
                    c.url == self.inner.query_url
                        && now.saturating_sub(c.at) < VOCABULARY_EXPIRY.as_secs()
                })
            {
                return Ok(cached.vocabulary);
            }
        }
        let mut v = crate::query::complete::CompletionVocabulary::default();
        let rows = |text: &str| -> Vec<QuerySolution> {
            if cancel.is_cancelled() {
                return Vec::new();
            }
            let options = QueryOptions {
                timeout: Some(VOCABULARY_QUERY_LIMIT),
                cancel: Some(cancel.clone()),
                source: Some("<kg>".to_owned()),
                ..QueryOptions::default()
            };
            // A figure the engine cannot give in time is left out of completion, not an error.
            match self.timed_query(text, &options) {
                Ok(Outcome::Solutions { solutions, .. }) => {
                    solutions.take_while(Result::is_ok).flatten().collect()
                }
                _ => Vec::new(),
            }
        };
        let iri = |t: Option<&Term>| match t {
            Some(Term::NamedNode(n)) => Some(n.as_str().to_owned()),
            _ => None,
        };
        for r in rows("SELECT DISTINCT ?c WHERE { ?x a ?c } LIMIT 5000") {
            v.classes.extend(iri(r.get("c")));
        }
        let counted = rows("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p LIMIT 5000");
        if counted.is_empty() {
            for r in rows("SELECT DISTINCT ?p WHERE { ?s ?p ?o } LIMIT 2000") {
                if let Some(p) = iri(r.get("p")) {
                    v.properties.insert(p, 0);
                }
            }
        }
        for r in counted {
            if let Some(p) = iri(r.get("p")) {
                let n = match r.get("n") {
                    Some(Term::Literal(l)) => l.value().parse().unwrap_or(0),
                    _ => 0,
                };
                v.properties.insert(p, n);
            }
        }
        for r in rows("SELECT DISTINCT ?c ?p WHERE { ?s a ?c ; ?p ?o } LIMIT 20000") {
            if let (Some(c), Some(p)) = (iri(r.get("c")), iri(r.get("p"))) {
                v.class_properties.entry(c).or_default().insert(p);
            }
        }
        for r in rows("SELECT DISTINCT ?s WHERE { ?s a ?c FILTER(isIRI(?s)) } LIMIT 20000") {
            if let Some(s) = iri(r.get("s")) {
                if !v.classes.contains(&s) && !v.properties.contains_key(&s) {
                    v.individuals.insert(s);
                }
            }
        }
        for r in rows("SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(isIRI(?s)) } LIMIT 20000") {
            if let (Some(s), Some(Term::Literal(l))) = (iri(r.get("s")), r.get("l")) {
                v.labels.push((l.value().to_owned(), s));
            }
        }
        v.labels.sort();
        v.labels.dedup();
        if let (Some(f), false) = (&file, cancel.is_cancelled()) {
            let cached = CachedVocabulary {
                url: self.inner.query_url.clone(),
                at: now,
                vocabulary: v,
            };
            if let Ok(text) = serde_json::to_vec(&cached) {
                if let Some(dir) = f.parent() {
                    let _ = std::fs::create_dir_all(dir);
                }
                let tmp = f.with_extension("partial");
                // Not caching only makes the next session ask again.
                if std::fs::write(&tmp, text).is_ok() {
                    let _ = std::fs::rename(&tmp, f);
                }
            }
            return Ok(cached.vocabulary);
        }
        Ok(v)
    }
}
