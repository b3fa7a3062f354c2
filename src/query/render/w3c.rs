//! The W3C SPARQL 1.1 result formats (JSON, XML, CSV, TSV), exactly as sparesults writes them.

use crate::error::{Error, Result};
use oxigraph::model::Variable;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::QuerySolution;
use std::io::Write;

pub(super) fn solutions(
    format: QueryResultsFormat,
    variables: Vec<Variable>,
    solutions: impl Iterator<Item = Result<QuerySolution>>,
    out: &mut dyn Write,
) -> Result<u64> {
    let io = |e: std::io::Error| Error::io("<output>", e);
    let mut writer = QueryResultsSerializer::from_format(format)
        .serialize_solutions_to_writer(out, variables)
        .map_err(io)?;
    let mut n = 0;
    for s in solutions {
        writer.serialize(&s?).map_err(io)?;
        n += 1;
    }
    writer.finish().map_err(io)?;
    Ok(n)
}

pub(super) fn boolean(format: QueryResultsFormat, value: bool, out: &mut dyn Write) -> Result<()> {
    QueryResultsSerializer::from_format(format)
        .serialize_boolean_to_writer(out, value)
        .map_err(|e| Error::io("<output>", e))?;
    Ok(())
}
