#!/usr/bin/env bash
# Builds kg (release) and runs it; with no arguments, the interactive session on the seeded graph.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kg-target}"
exec cargo run --release --quiet -- "$@"
