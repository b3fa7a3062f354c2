//! `kg remote add|list|remove`, the global endpoint options, and the local prefix table that
//! queries on a remote are sent with.

use super::{io_err, Io};
use clap::ValueHint;
use kg::prefixes::PrefixTable;
use kg::query::render::Table;
use kg::remote::config::{RemoteEntry, Remotes};
use kg::remote::transport::AuthKind;
use kg::remote::{EndpointConfig, Engine};
use kg::{Error, Result};
use std::time::Duration;

/// Where the data is, when it is not kg's own store: global options of every command.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct EndpointArgs {
    /// Work on this SPARQL endpoint instead of the store (its query URL)
    #[arg(long, env = "KG_ENDPOINT", global = true, value_name = "URL", value_hint = ValueHint::Url)]
    pub endpoint: Option<String>,
    /// Where updates go, when not the engine's usual URL
    #[arg(long, global = true, value_name = "URL", value_hint = ValueHint::Url)]
    pub update_endpoint: Option<String>,
    /// The Graph Store Protocol endpoint, when not the engine's usual URL
    #[arg(long, global = true, value_name = "URL", value_hint = ValueHint::Url)]
    pub store_endpoint: Option<String>,
    /// Work on a remote named with `kg remote add`
    #[arg(long, global = true, value_name = "NAME", conflicts_with = "endpoint")]
    pub remote: Option<String>,
    /// Authentication: basic, digest or bearer; the secret comes from KG_ENDPOINT_PASSWORD,
    /// KG_ENDPOINT_TOKEN or ~/.netrc, never from the command line
    #[arg(long, global = true, value_name = "KIND")]
    pub auth: Option<String>,
    /// The user name for basic and digest authentication
    #[arg(long, global = true, value_name = "USER")]
    pub user: Option<String>,
    /// The engine behind the endpoint: kg, oxigraph, virtuoso or generic [default: told from its Server header]
    #[arg(long, global = true, value_name = "ENGINE")]
    pub engine: Option<String>,
    /// Seconds to wait for a connection to the endpoint
    #[arg(long, global = true, value_name = "SECS", default_value_t = 10.0)]
    pub connect_timeout: f64,
    /// Seconds to wait for the endpoint's answer to any request [default: no limit; queries take --timeout]
    #[arg(long, global = true, value_name = "SECS")]
    pub request_timeout: Option<f64>,
    /// Show each request to the endpoint on stderr: method, URL, status, time (never a secret)
    #[arg(long, global = true)]
    pub verbose: bool,
}

impl EndpointArgs {
    /// The endpoint these options name, if any.
    pub fn config(&self) -> Result<Option<EndpointConfig>> {
        let mut config = match (&self.endpoint, &self.remote) {
            (Some(url), _) => EndpointConfig::new(url.clone()),
            (None, Some(name)) => Remotes::read()?.get(name)?.config(),
            (None, None) => return Ok(None),
        };
        if let Some(u) = &self.update_endpoint {
            config.update_url = Some(u.clone());
        }
        if let Some(s) = &self.store_endpoint {
            config.store_url = Some(s.clone());
        }
        if let Some(a) = &self.auth {
            config.auth = AuthKind::from_name(a)?;
        }
        if let Some(u) = &self.user {
            config.user = Some(u.clone());
        }
        if let Some(e) = &self.engine {
            config.engine = Some(Engine::from_name(e)?);
        }
        config.connect_timeout = super::query::seconds(self.connect_timeout)?;
        config.timeout = self
            .request_timeout
            .map(super::query::seconds)
            .transpose()?;
        if self.verbose {
            config.log = Some(|line| eprintln!("{line}"));
        }
        check_url(&config.url)?;
        Ok(Some(config))
    }
}

fn check_url(url: &str) -> Result<()> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(())
    } else {
        Err(Error::BadInput(format!(
            "'{}' is not an http:// or https:// URL",
            kg::remote::transport::strip_credentials(url)
        )))
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Action {
    /// Name an endpoint, to use it with `kg --remote NAME …`
    Add {
        name: String,
        /// The SPARQL query endpoint
        url: String,
        /// Where updates go, when not the engine's usual URL
        #[arg(long, value_name = "URL")]
        update: Option<String>,
        /// The Graph Store Protocol endpoint, when not the engine's usual URL
        #[arg(long, value_name = "URL")]
        store: Option<String>,
        /// basic, digest or bearer (the secret is never stored: KG_ENDPOINT_PASSWORD, KG_ENDPOINT_TOKEN or ~/.netrc)
        #[arg(long = "auth", value_name = "KIND")]
        auth_kind: Option<String>,
        /// The user name for basic and digest authentication
        #[arg(long = "user", value_name = "USER")]
        user_name: Option<String>,
        /// kg, oxigraph, virtuoso or generic
        #[arg(long = "engine", value_name = "ENGINE")]
        engine_name: Option<String>,
    },
    /// List the named remotes
    List,
    /// Forget a named remote
    Remove { name: String },
}

pub fn run(args: Args, io: &mut Io<'_>) -> Result<u8> {
    let mut remotes = Remotes::read()?;
    match args.action.unwrap_or(Action::List) {
        Action::List => {
            let mut table = Table::new(vec![
                "name".into(),
                "url".into(),
                "engine".into(),
                "auth".into(),
            ]);
            for (name, r) in &remotes.remote {
                table.push(vec![
                    name.clone(),
                    r.url.clone(),
                    r.engine.map_or("(detected)", Engine::name).to_owned(),
                    match &r.user {
                        Some(u) => format!("{} as {u}", r.auth.name()),
                        None => r.auth.name().to_owned(),
                    },
                ]);
            }
            table.write(io.out).map_err(io_err)?;
        }
        Action::Add {
            name,
            url,
            update,
            store,
            auth_kind,
            user_name,
            engine_name,
        } => {
            check_url(&url)?;
            if url
                .split_once("://")
                .is_some_and(|(_, rest)| rest.split('/').next().is_some_and(|a| a.contains('@')))
            {
                return Err(Error::BadInput(
                    "put no credentials in the URL: pass --user, and the secret in KG_ENDPOINT_PASSWORD or ~/.netrc".to_owned(),
                ));
            }
            let entry = RemoteEntry {
                url,
                update,
                store,
                auth: auth_kind
                    .as_deref()
                    .map(AuthKind::from_name)
                    .transpose()?
                    .unwrap_or_default(),
                user: user_name,
                engine: engine_name.as_deref().map(Engine::from_name).transpose()?,
            };
            let replaced = remotes.remote.insert(name.clone(), entry).is_some();
            remotes.write()?;
            writeln!(
                io.err,
                "{} remote '{name}' in {}",
                if replaced { "replaced" } else { "added" },
                Remotes::path()?.display()
            )
            .map_err(io_err)?;
        }
        Action::Remove { name } => {
            remotes.get(&name)?;
            remotes.remote.remove(&name);
            remotes.write()?;
            writeln!(io.err, "removed remote '{name}'").map_err(io_err)?;
        }
    }
    Ok(0)
}

const PREFIX_FILE: &str = "prefixes.tsv";

/// The prefix table used on remotes: kept in kg's config directory (a remote holds no kg
/// files); the standard prefixes and the ontology's until changed.
pub fn local_prefixes() -> Result<PrefixTable> {
    let saved = Remotes::dir()
        .map(|d| d.join(PREFIX_FILE))
        .and_then(|p| std::fs::read_to_string(p).ok());
    Ok(match saved {
        Some(text) => PrefixTable::from_tsv(&text),
        None => {
            let mut table = PrefixTable::standard();
            for (p, iri) in kg::ingest::ontology::builtin_prefixes() {
                table.learn(&p, &iri);
            }
            table
        }
    })
}

pub fn save_local_prefixes(table: &PrefixTable) -> Result<()> {
    let dir = Remotes::dir().ok_or_else(|| {
        Error::BadInput("no config directory on this platform; set KG_CONFIG_DIR".to_owned())
    })?;
    std::fs::create_dir_all(&dir).map_err(|e| Error::Io {
        path: dir.clone(),
        source: e,
    })?;
    let path = dir.join(PREFIX_FILE);
    let tmp = dir.join("prefixes.tsv.partial");
    std::fs::write(&tmp, table.to_tsv()).map_err(|e| Error::Io {
        path: tmp.clone(),
        source: e,
    })?;
    std::fs::rename(&tmp, &path).map_err(|e| Error::Io { path, source: e })
}

/// Adds the prefixes a load met to the local table; returns the ones it did not have.
pub fn learn_prefixes(prefixes: Vec<(String, String)>) -> Result<Vec<(String, String)>> {
    let mut table = local_prefixes()?;
    let mut learned = Vec::new();
    for (p, iri) in prefixes {
        if table.learn(&p, &iri) {
            learned.push((p, iri));
        }
    }
    if !learned.is_empty() {
        save_local_prefixes(&table)?;
    }
    Ok(learned)
}

/// A seconds value for stats' per-figure limit.
pub const STATS_LIMIT: Duration = Duration::from_secs(30);
