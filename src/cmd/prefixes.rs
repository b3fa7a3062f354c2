//! `kg prefixes` and `.prefixes` / `.prefix`.

use super::{io_err, Ctx, Io};
use kg::query::render::Table;
use kg::{Error, Result};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Action {
    /// Add or replace a prefix
    Add { prefix: String, iri: String },
    /// Remove a prefix
    Remove { prefix: String },
}

pub fn run(ctx: &mut Ctx, args: Args, io: &mut Io<'_>) -> Result<u8> {
    let store = ctx.store()?;
    match args.action {
        None => {
            let mut table = Table::new(vec!["prefix".into(), "namespace".into()]);
            for (p, iri) in store.prefixes().iter() {
                table.push(vec![format!("{p}:"), format!("<{iri}>")]);
            }
            table.write(io.out).map_err(io_err)?;
        }
        Some(Action::Add { prefix, iri }) => {
            let prefix = prefix.trim_end_matches(':').to_owned();
            let iri = iri.trim_start_matches('<').trim_end_matches('>').to_owned();
            let mut table = store.prefixes().clone();
            if !table.insert(&prefix, &iri) {
                return Err(Error::BadInput(format!(
                    "cannot add prefix '{prefix}' <{iri}>: the name must be a valid prefix name and the IRI absolute"
                )));
            }
            store.set_prefixes(table)?;
            writeln!(io.err, "added {prefix}: <{iri}>").map_err(io_err)?;
        }
        Some(Action::Remove { prefix }) => {
            let prefix = prefix.trim_end_matches(':').to_owned();
            let mut table = store.prefixes().clone();
            if table.remove(&prefix).is_none() {
                return Err(Error::NotFound {
                    kind: "prefix",
                    name: prefix,
                    candidates: Vec::new(),
                });
            }
            store.set_prefixes(table)?;
            writeln!(io.err, "removed {prefix}:").map_err(io_err)?;
        }
    }
    Ok(0)
}
