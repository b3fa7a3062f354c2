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
    if ctx.is_remote() {
        // A remote holds no kg files: its queries are sent with the local table.
        let mut table = super::remote::local_prefixes()?;
        let changed = edit(&mut table, &args, io)?;
        if changed {
            super::remote::save_local_prefixes(&table)?;
        }
        return Ok(0);
    }
    let store = ctx.store()?;
    let mut table = store.prefixes().clone();
    if edit(&mut table, &args, io)? {
        store.set_prefixes(table)?;
    }
    Ok(0)
}

/// Lists or changes `table`; true when it changed.
fn edit(table: &mut kg::prefixes::PrefixTable, args: &Args, io: &mut Io<'_>) -> Result<bool> {
    match args.action.clone() {
        None => {
            let mut listing = Table::new(vec!["prefix".into(), "namespace".into()]);
            for (p, iri) in table.iter() {
                listing.push(vec![format!("{p}:"), format!("<{iri}>")]);
            }
            listing.write(io.out).map_err(io_err)?;
            Ok(false)
        }
        Some(Action::Add { prefix, iri }) => {
            let prefix = prefix.trim_end_matches(':').to_owned();
            let iri = iri.trim_start_matches('<').trim_end_matches('>').to_owned();
            if !table.insert(&prefix, &iri) {
                return Err(Error::BadInput(format!(
                    "cannot add prefix '{prefix}' <{iri}>: the name must be a valid prefix name and the IRI absolute"
                )));
            }
            writeln!(io.err, "added {prefix}: <{iri}>").map_err(io_err)?;
            Ok(true)
        }
        Some(Action::Remove { prefix }) => {
            let prefix = prefix.trim_end_matches(':').to_owned();
            if table.remove(&prefix).is_none() {
                return Err(Error::NotFound {
                    kind: "prefix",
                    name: prefix,
                    candidates: Vec::new(),
                });
            }
            writeln!(io.err, "removed {prefix}:").map_err(io_err)?;
            Ok(true)
        }
    }
}
