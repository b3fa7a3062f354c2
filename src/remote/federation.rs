//! `SERVICE` in kg's own queries, when asked (`--allow-federation`): the pattern is sent to the
//! service as a SPARQL 1.1 Protocol query by the same client as `--endpoint`, and its JSON
//! results stream back into the evaluation. Without the flag kg never reaches the network for
//! a query (the evaluator has no service handler), so a query cannot make kg fetch a URL.

use super::transport::{Auth, Client, Request};
use oxigraph::model::NamedNode;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser};
use oxigraph::sparql::{QueryEvaluationError, QueryResults, QuerySolutionIter};
use spargebra::algebra::GraphPattern;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct Federation {
    client: Arc<Client>,
}

impl Federation {
    /// `timeout`: how long a service may take to start answering.
    pub fn new(timeout: Option<Duration>) -> Self {
        Self {
            client: Arc::new(Client::new(
                Auth::default(),
                Duration::from_secs(10),
                timeout,
                None,
            )),
        }
    }
}

fn error(e: impl std::fmt::Display) -> QueryEvaluationError {
    QueryEvaluationError::Service(e.to_string().into())
}

impl spareval::DefaultServiceHandler for Federation {
    type Error = QueryEvaluationError;

    fn handle(
        &self,
        service_name: &NamedNode,
        pattern: &GraphPattern,
        base_iri: Option<&oxiri::Iri<String>>,
    ) -> Result<QuerySolutionIter<'static>, Self::Error> {
        let url = service_name.as_str();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(error(format!(
                "SERVICE <{url}>: only http:// and https:// services can be called"
            )));
        }
        let text = spargebra::Query::Select {
            dataset: None,
            pattern: pattern.clone(),
            base_iri: base_iri.cloned(),
        }
        .to_string();
        let request =
            Request::query(url, &text, Vec::new()).accept("application/sparql-results+json");
        let response = self.client.send(&request).map_err(error)?;
        let media = response.media_type();
        let format = QueryResultsFormat::from_media_type(&media).ok_or_else(|| {
            error(format!(
                "SERVICE <{url}> answered with '{media}', not SPARQL results"
            ))
        })?;
        let parsed = QueryResultsParser::from_format(format)
            .for_reader(response.body)
            .map_err(|e| error(format!("SERVICE <{url}>: {e}")))?;
        match QueryResults::from(parsed) {
            QueryResults::Solutions(s) => Ok(s),
            _ => Err(error(format!(
                "SERVICE <{url}> did not answer with solutions"
            ))),
        }
    }
}
