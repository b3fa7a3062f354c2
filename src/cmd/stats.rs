//! `kg stats` and `.stats`.

use super::{io_err, Ctx, Io};
use kg::prefixes::PrefixTable;
use kg::query::render::Table;
use kg::Result;

pub fn run(ctx: &mut Ctx, io: &mut Io<'_>) -> Result<u8> {
    if ctx.is_remote() {
        let kg::Backend::Remote(remote) = ctx.backend()? else {
            return Ok(0);
        };
        let stats = remote.stats(super::remote::STATS_LIMIT)?;
        let status = format!(
            "on {} ({}); inference is the engine's own",
            remote.url(),
            remote.engine().name()
        );
        write(
            io,
            remote.prefixes(),
            stats.total,
            &status,
            [&stats.graphs, &stats.classes, &stats.predicates],
        )?;
        for cut in &stats.cut_short {
            writeln!(io.err, "warning: not counted: {cut}").map_err(io_err)?;
        }
        return Ok(0);
    }
    let stats = ctx.store()?.stats()?;
    let status = super::infer::status_line(ctx)?;
    let store = ctx.store()?;
    write(
        io,
        store.prefixes(),
        stats.total,
        &status,
        [&stats.graphs, &stats.classes, &stats.predicates],
    )?;
    Ok(0)
}

fn write(
    io: &mut Io<'_>,
    prefixes: &PrefixTable,
    total: usize,
    status: &str,
    [graphs, classes, predicates]: [&Vec<(String, usize)>; 3],
) -> Result<()> {
    let short = |t: &str| {
        t.strip_prefix('<')
            .and_then(|t| t.strip_suffix('>'))
            .and_then(|iri| prefixes.shorten(iri))
            .unwrap_or_else(|| t.to_owned())
    };
    writeln!(io.out, "{total} quads").map_err(io_err)?;
    writeln!(io.out, "{status}").map_err(io_err)?;
    for (heading, count, rows) in [
        ("graph", "quads", graphs),
        ("class", "instances", classes),
        ("predicate", "uses", predicates),
    ] {
        let mut table = Table::new(vec![heading.into(), count.into()]);
        for (x, n) in rows {
            table.push(vec![short(x), n.to_string()]);
        }
        table.write(io.out).map_err(io_err)?;
    }
    Ok(())
}
