//! Which endpoint to use and how to reach it: `--endpoint` and its companions, and the named
//! remotes of `kg remote add`, kept in `remotes.toml` in the platform's config directory.
//! Passwords and tokens are never written there: they come from the environment or `~/.netrc`.

use super::transport::{Auth, AuthKind, Secret};
use super::Engine;
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// The environment variables secrets are read from.
pub const PASSWORD_ENV: &str = "KG_ENDPOINT_PASSWORD";
pub const TOKEN_ENV: &str = "KG_ENDPOINT_TOKEN";

/// One endpoint as configured: URLs, authentication (without the secret), engine and timeouts.
#[derive(Debug, Clone)]
pub struct EndpointConfig {
    /// The SPARQL query endpoint.
    pub url: String,
    /// Where updates go [default: by engine].
    pub update_url: Option<String>,
    /// The Graph Store Protocol endpoint [default: by engine; none for an unknown engine].
    pub store_url: Option<String>,
    pub auth: AuthKind,
    pub user: Option<String>,
    /// The engine, when not told from the endpoint's `Server` header.
    pub engine: Option<Engine>,
    pub connect_timeout: Duration,
    /// How long a request may wait for its answer [default: no limit].
    pub timeout: Option<Duration>,
    /// `--verbose`: told one line per HTTP exchange (never with a secret); the CLI prints it.
    pub log: Option<fn(&str)>,
}

impl EndpointConfig {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            update_url: None,
            store_url: None,
            auth: AuthKind::None,
            user: None,
            engine: None,
            connect_timeout: Duration::from_secs(10),
            timeout: None,
            log: None,
        }
    }

    /// The credentials: the user given, the secret from the environment or `~/.netrc`.
    pub(crate) fn auth(&self) -> Result<Auth> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let host = host_of(&self.url);
        let netrc = || netrc_entry(&host);
        let (user, secret) = match self.auth {
            AuthKind::None => (None, None),
            AuthKind::Bearer => (None, env(TOKEN_ENV).or_else(|| netrc().map(|(_, p)| p))),
            AuthKind::Basic | AuthKind::Digest => {
                let from_netrc = netrc();
                let user = self
                    .user
                    .clone()
                    .or_else(|| from_netrc.as_ref().map(|(u, _)| u.clone()));
                let secret = env(PASSWORD_ENV).or_else(|| from_netrc.map(|(_, p)| p));
                (user, secret)
            }
        };
        if self.auth != AuthKind::None && secret.is_none() {
            let var = if self.auth == AuthKind::Bearer {
                TOKEN_ENV
            } else {
                PASSWORD_ENV
            };
            return Err(Error::BadInput(format!(
                "--auth {} needs a secret: set {var}, or add a 'machine {host}' line to ~/.netrc",
                self.auth.name()
            )));
        }
        if matches!(self.auth, AuthKind::Basic | AuthKind::Digest) && user.is_none() {
            return Err(Error::BadInput(format!(
                "--auth {} needs a user: pass --user NAME",
                self.auth.name()
            )));
        }
        Ok(Auth {
            kind: self.auth,
            user,
            secret: Secret::new(secret.unwrap_or_default()),
        })
    }
}

fn host_of(url: &str) -> String {
    url.split_once("://")
        .map_or(url, |(_, rest)| rest)
        .split(['/', ':', '?'])
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// `login` and `password` of the `machine` entry for `host` (or `default`) in `~/.netrc`.
fn netrc_entry(host: &str) -> Option<(String, String)> {
    let path = std::env::var_os("NETRC")
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".netrc")))?;
    let text = std::fs::read_to_string(path).ok()?;
    // Entries in order: the machine (None for `default`), its login and password.
    let mut entries: Vec<(Option<String>, Option<String>, Option<String>)> = Vec::new();
    let mut words = text.split_whitespace();
    while let Some(word) = words.next() {
        match (word, entries.last_mut()) {
            ("machine", _) => entries.push((words.next().map(str::to_owned), None, None)),
            ("default", _) => entries.push((None, None, None)),
            ("login", Some(e)) => e.1 = words.next().map(str::to_owned),
            ("password", Some(e)) => e.2 = words.next().map(str::to_owned),
            _ => {}
        }
    }
    let pick = |want: Option<&str>| {
        entries
            .iter()
            .find(|(m, _, p)| m.as_deref() == want && p.is_some())
            .map(|(_, l, p)| (l.clone().unwrap_or_default(), p.clone().unwrap_or_default()))
    };
    pick(Some(host)).or_else(|| pick(None))
}

/// One named remote as kept in `remotes.toml`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RemoteEntry {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    #[serde(default, skip_serializing_if = "is_none_auth")]
    pub auth: AuthKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<Engine>,
}

fn is_none_auth(a: &AuthKind) -> bool {
    *a == AuthKind::None
}

impl RemoteEntry {
    pub fn config(&self) -> EndpointConfig {
        EndpointConfig {
            update_url: self.update.clone(),
            store_url: self.store.clone(),
            auth: self.auth,
            user: self.user.clone(),
            engine: self.engine,
            ..EndpointConfig::new(self.url.clone())
        }
    }
}

/// The named remotes, sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Remotes {
    #[serde(default)]
    pub remote: BTreeMap<String, RemoteEntry>,
}

impl Remotes {
    /// kg's config directory: `KG_CONFIG_DIR`, else the platform's (`~/.config/kg`).
    pub fn dir() -> Option<PathBuf> {
        std::env::var_os("KG_CONFIG_DIR")
            .map(PathBuf::from)
            .or_else(|| dirs::config_dir().map(|d| d.join("kg")))
    }

    pub fn path() -> Result<PathBuf> {
        Self::dir().map(|d| d.join("remotes.toml")).ok_or_else(|| {
            Error::BadInput("no config directory on this platform; set KG_CONFIG_DIR".to_owned())
        })
    }

    pub fn read() -> Result<Self> {
        let path = Self::path()?;
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text)
                .map_err(|e| Error::BadInput(format!("{}: {}", path.display(), e.message()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(Error::Io { path, source: e }),
        }
    }

    /// Writes the file by rename, so a crash never leaves half of it.
    pub fn write(&self) -> Result<()> {
        let path = Self::path()?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::Io {
                path: dir.to_owned(),
                source: e,
            })?;
        }
        let text = toml::to_string(self)
            .map_err(|e| Error::BadInput(format!("cannot write the remotes: {e}")))?;
        let tmp = path.with_extension("toml.partial");
        std::fs::write(&tmp, text).map_err(|e| Error::Io {
            path: tmp.clone(),
            source: e,
        })?;
        std::fs::rename(&tmp, &path).map_err(|e| Error::Io { path, source: e })
    }

    pub fn get(&self, name: &str) -> Result<&RemoteEntry> {
        self.remote.get(name).ok_or_else(|| Error::NotFound {
            kind: "remote",
            name: name.to_owned(),
            candidates: self
                .remote
                .keys()
                .filter(|n| strsim::jaro_winkler(n, name) > 0.8)
                .cloned()
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_of_urls() {
        assert_eq!(host_of("http://127.0.0.1:8890/sparql"), "127.0.0.1");
        assert_eq!(
            host_of("https://query.wikidata.org/sparql?x"),
            "query.wikidata.org"
        );
    }

    #[test]
    fn remotes_round_trip_without_secrets() {
        let mut r = Remotes::default();
        r.remote.insert(
            "v".into(),
            RemoteEntry {
                url: "http://127.0.0.1:8890/sparql".into(),
                update: None,
                store: None,
                auth: AuthKind::Digest,
                user: Some("dba".into()),
                engine: Some(Engine::Virtuoso),
            },
        );
        let text = toml::to_string(&r).unwrap();
        assert!(text.contains("auth = \"digest\""), "{text}");
        assert_eq!(toml::from_str::<Remotes>(&text).unwrap(), r);
    }
}
