#!/usr/bin/env bash
# Runs one fuzz target for a while, then replays what it found.
#
#   bash fuzz/run.sh fact_sheet 600     # the fact-sheet loader, 10 minutes
#   bash fuzz/run.sh repl_input 600     # the REPL's statement splitter, lexer and completer
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain for the sanitizer flags; with
# only stable installed, RUSTC_BOOTSTRAP=1 lets stable accept them. The build is kg without RocksDB
# (in-memory Oxigraph), in its own target directory, so it never disturbs the main build.
# New corpus entries go to fuzz/corpus/TARGET (not committed); crashes to fuzz/artifacts/TARGET.
# A crash, once fixed, becomes a regression case in tests/fixtures/fuzz/TARGET/, which the ordinary
# test suite replays on stable (tests/it/fuzz_regressions.rs).
set -euo pipefail
cd "$(dirname "$0")"
target="${1:?usage: fuzz/run.sh fact_sheet|repl_input [seconds]}"
seconds="${2:-600}"
export CARGO_TARGET_DIR="${KG_FUZZ_TARGET_DIR:-$HOME/.cache/kg-fuzz-target}"
toolchain=()
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then toolchain=(+nightly); else export RUSTC_BOOTSTRAP=1; fi
case "$target" in
  fact_sheet) seeds=(seeds/fact_sheet ../seeds) max_len=24000 ;;
  repl_input) seeds=(seeds/repl_input ../queries) max_len=4096 ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
esac
mkdir -p "corpus/$target" "artifacts/$target"
cargo "${toolchain[@]}" fuzz run -O "$target" "corpus/$target" "${seeds[@]}" -- \
  -dict="dict/$target.dict" -max_len="$max_len" -max_total_time="$seconds" \
  -artifact_prefix="artifacts/$target/" -print_final_stats=1
