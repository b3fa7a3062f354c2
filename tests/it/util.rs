//! Test helpers: a fresh directory per test and a `kg` command bound to a store inside it.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub struct TestDir {
    dir: tempfile::TempDir,
}

impl TestDir {
    pub fn new() -> Self {
        Self {
            dir: tempfile::Builder::new()
                .prefix("kg-test-")
                .tempdir()
                .expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file in the test directory and returns its path.
    pub fn create(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, contents).expect("write fixture");
        path
    }

    pub fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    /// `kg --store <dir>/store`, isolated from the user's environment (home, data dir, colours).
    pub fn kg(&self) -> Command {
        let mut cmd = self.kg_default_store();
        cmd.arg("--store").arg(self.store());
        cmd
    }

    /// `kg` with no `--store`: the default store, inside this test's private data directory.
    pub fn kg_default_store(&self) -> Command {
        let mut cmd = Command::cargo_bin("kg").expect("kg binary");
        cmd.current_dir(self.path())
            .env_remove("KG_STORE")
            // Tables fit the terminal's width; a test's output must not depend on the caller's.
            .env_remove("COLUMNS")
            .env("NO_COLOR", "1")
            .env("HOME", self.path().join("home"))
            .env("XDG_DATA_HOME", self.path().join("data"));
        cmd
    }

    /// Runs kg and returns stdout, failing the test on a non-zero exit.
    pub fn run(&self, args: &[&str]) -> String {
        self.run_both(args).0
    }

    /// Runs kg and returns stdout and stderr, failing the test on a non-zero exit.
    pub fn run_both(&self, args: &[&str]) -> (String, String) {
        let out = self.kg().args(args).output().expect("run kg");
        assert!(
            out.status.success(),
            "kg {args:?} failed ({:?}):\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8(out.stdout).expect("utf-8 output"),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// The store's content as sorted N-Quads: equal strings mean an unchanged store.
    pub fn nquads(&self) -> String {
        let text = self.run(&["export", "--format", "nquads"]);
        let mut lines: Vec<&str> = text.lines().collect();
        lines.sort_unstable();
        lines.join("\n")
    }
}

/// Where the shared data (source documents, LUBM, W3C suites) lives.
pub fn shared() -> PathBuf {
    std::env::var_os("KG_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

/// The Python of the test venv with rdflib and networkx; `None` when it is absent outside CI.
pub fn python() -> Option<PathBuf> {
    let venv = std::env::var_os("KG_VENV")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/kg-venv")))?;
    let py = venv.join("bin/python");
    if py.exists() {
        Some(py)
    } else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have the test venv ({}); run scripts/setup.sh --test",
            py.display()
        );
        None
    }
}

/// Runs a Python script with the test venv's interpreter; fails the test with Python's stderr if the
/// script fails, and returns its trimmed standard output.
pub fn run_python(py: &Path, script: &str, args: &[&std::ffi::OsStr]) -> String {
    let out = succeed(
        std::process::Command::new(py)
            .arg("-c")
            .arg(script)
            .args(args),
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Runs an external tool (Python, serd, raptor, Graphviz); fails the test with the tool's stderr
/// if it fails, and returns its output.
pub fn succeed(cmd: &mut std::process::Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd.get_program(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Whether an external tool is on PATH; in CI its absence is a failure, not a skip.
pub fn have(tool: &str) -> bool {
    let found = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found || std::env::var_os("CI").is_none(),
        "CI must have {tool}; run scripts/setup.sh --test"
    );
    found
}

pub const SMALL_TTL: &str = r#"@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:alice a ex:Person ; ex:name "Alice" , "Alicia"@es ; ex:age 42 ; ex:knows ex:bob .
ex:bob a ex:Person ; ex:name "Bob" ; ex:height "1.80"^^xsd:decimal ; ex:address [ ex:city "Köln" ; ex:zip "50667" ] .
"#;
