//! Every case the fuzzers found (tests/fixtures/fuzz/TARGET/) and every seed they start from, replayed
//! through the targets' own checks, on stable Rust. The checks are not a library of their own: they
//! are the fuzz crate's source, included here, so the two can never drift apart.

#[path = "../../fuzz/src/checks.rs"]
#[allow(dead_code)]
mod checks;

use std::path::{Path, PathBuf};

fn cases(dirs: &[&str]) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).into_iter().flatten())
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && !p.ends_with("README.md"))
        .collect();
    files.sort();
    files
}

fn replay(dirs: &[&str], check: fn(&[u8])) {
    let files = cases(dirs);
    assert!(files.len() >= 3, "no cases found in {dirs:?}");
    for file in files {
        let data = std::fs::read(&file).unwrap();
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            panic!("fuzz case {} fails its check again", file.display());
        }
    }
}

#[test]
fn fact_sheet_cases() {
    replay(
        &[
            "tests/fixtures/fuzz/fact_sheet",
            "fuzz/seeds/fact_sheet",
            "seeds",
        ],
        checks::fact_sheet,
    );
}

#[test]
fn repl_input_cases() {
    replay(
        &[
            "tests/fixtures/fuzz/repl_input",
            "fuzz/seeds/repl_input",
            "queries",
        ],
        checks::repl_input,
    );
}
