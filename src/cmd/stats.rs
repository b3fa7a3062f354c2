//! `kg stats` and `.stats`.

use super::{io_err, Ctx, Io};
use kg::query::render::Table;
use kg::Result;

pub fn run(ctx: &mut Ctx, io: &mut Io<'_>) -> Result<u8> {
    let stats = ctx.store()?.stats()?;
    let status = super::infer::status_line(ctx)?;
    let store = ctx.store()?;
    let prefixes = store.prefixes();
    let short = |t: &str| {
        t.strip_prefix('<')
            .and_then(|t| t.strip_suffix('>'))
            .and_then(|iri| prefixes.shorten(iri))
            .unwrap_or_else(|| t.to_owned())
    };
    writeln!(io.out, "{} quads", stats.total).map_err(io_err)?;
    writeln!(io.out, "{status}").map_err(io_err)?;
    let mut graphs = Table::new(vec!["graph".into(), "quads".into()]);
    for (g, n) in &stats.graphs {
        graphs.push(vec![short(g), n.to_string()]);
    }
    graphs.write(io.out).map_err(io_err)?;
    let mut classes = Table::new(vec!["class".into(), "instances".into()]);
    for (c, n) in &stats.classes {
        classes.push(vec![short(c), n.to_string()]);
    }
    classes.write(io.out).map_err(io_err)?;
    let mut predicates = Table::new(vec!["predicate".into(), "uses".into()]);
    for (p, n) in &stats.predicates {
        predicates.push(vec![short(p), n.to_string()]);
    }
    predicates.write(io.out).map_err(io_err)?;
    Ok(0)
}
