#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit and integration tests (the binary driven as a user
# drives it, the REPL through a pseudo-terminal, rdflib/serd/raptor reading our Turtle).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
# A target directory outside the clone keeps repeated runs fast; a fresh machine still builds from scratch.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kg-target}"
export KG_VENV="${KG_VENV:-$HOME/.cache/kg-venv}"
export KG_SHARED="${KG_SHARED:-$(cd .. && pwd)/shared}"
start=$(date +%s)
cargo fmt --all -- --check
# One profile (release) for lints, tests and the binary, so RocksDB is compiled once.
cargo clippy --release --all-targets --quiet -- -D warnings
cargo test --release --quiet 2>&1 | tee "${TMPDIR:-/tmp}/kg-test.log"
echo "test suite finished in $(( $(date +%s) - start )) s"
