//! `kg serve`: the store over the SPARQL 1.1 Protocol and the Graph Store Protocol, with the
//! workbench and entity pages (`crate::serve`).

use super::{Ctx, Io};
use clap::ValueHint;
use kg::{Error, Result};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Address and port to listen on; port 0 picks a free one (the URL is printed)
    #[arg(long, default_value = "127.0.0.1:7878", value_name = "ADDR:PORT")]
    pub bind: SocketAddr,
    /// Allow SPARQL updates and Graph Store writes (PUT, POST, DELETE)
    #[arg(long)]
    pub writable: bool,
    /// Name of the environment variable holding the bearer token writes must carry
    ///
    /// Required with --writable on an address other than loopback. The token is never printed.
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,
    /// Origin allowed to call the server from a browser page (CORS); repeat it, or '*'
    #[arg(long, value_name = "ORIGIN")]
    pub cors: Vec<String>,
    /// Stop a query, or the reading of a request body, after this many seconds (503 / 408)
    #[arg(long, default_value_t = 60.0, value_name = "SECS")]
    pub timeout: f64,
    /// Largest request body accepted, in bytes (413 beyond)
    #[arg(long, default_value_t = 256 * 1024 * 1024, value_name = "BYTES")]
    pub max_body: u64,
    /// Queries evaluated at once; more wait for a free worker [default: 2 per core, at least 4]
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,
    /// Open connections at once; more wait to be accepted
    #[arg(long, default_value_t = 512, value_name = "N")]
    pub max_connections: usize,
    /// Directory of the source documents, so entity pages show each quote in its sentence
    #[arg(long, value_hint = ValueHint::DirPath)]
    pub docs: Option<PathBuf>,
    /// No request log on stderr
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(ctx: &mut Ctx, args: Args, io: &mut Io<'_>) -> Result<u8> {
    let token = match &args.token_env {
        None => None,
        Some(var) => match std::env::var(var) {
            Ok(t) if !t.trim().is_empty() => Some(t.trim().to_owned()),
            _ => {
                return Err(Error::BadInput(format!(
                    "--token-env {var}: the environment variable {var} is not set or empty"
                )))
            }
        },
    };
    let timeout = super::query::seconds(args.timeout)?;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let config = crate::serve::Config {
        bind: args.bind,
        writable: args.writable,
        token,
        cors: args.cors,
        timeout,
        max_body: args.max_body,
        quiet: args.quiet,
        workers: args.workers.unwrap_or((2 * cores).max(4)).max(1),
        max_connections: args.max_connections,
        grace: std::time::Duration::from_secs(10),
        docs: args.docs,
        inference: ctx.inference,
    };
    let store = ctx.store()?.clone();
    crate::serve::run(store, config, io.out)?;
    Ok(0)
}
