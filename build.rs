//! Embeds every saved query of `queries/` into the binary, so `kg query --saved NAME` works anywhere.

use std::fmt::Write as _;

fn main() {
    println!("cargo:rerun-if-changed=queries");
    let mut entries: Vec<_> = std::fs::read_dir("queries")
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "rq"))
                .collect()
        })
        .unwrap_or_default();
    entries.sort();
    let mut out = String::from("[\n");
    for path in entries {
        let name = path.file_stem().unwrap_or_default().to_string_lossy();
        println!("cargo:rerun-if-changed={}", path.display());
        // Resolved when the crate compiles, not here: cargo may reuse this output for a checkout
        // at another path that shares the target directory (CI clones beside the cache).
        let _ = writeln!(
            out,
            "    ({name:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/queries/{name}.rq\"))),"
        );
    }
    out.push(']');
    let dest =
        std::path::Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("queries.rs");
    std::fs::write(dest, out).unwrap_or_else(|e| panic!("cannot write queries.rs: {e}"));
}
