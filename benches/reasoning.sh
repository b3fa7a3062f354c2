#!/usr/bin/env bash
# OWL 2 RL materialisation: kg against owlrl and reasonable on LUBM-1 and LUBM-10, and kg's
# incremental update (`kg load --infer`) of the inferred LUBM-10 store.
#
#   bash benches/reasoning.sh                    # LUBM-1 and LUBM-10 + incremental: about 25 minutes,
#                                                # most of it owlrl (bounded: 600 s on LUBM-1, 900 s on LUBM-10)
#   bash benches/reasoning.sh --sizes 1          # LUBM-1 only, about 2 minutes
#   bash benches/reasoning.sh --engines kg,reasonable --owlrl-timeout 10=300   # further options: --help of reasoning.py
#
# Prints markdown tables and records them in the `reasoning` section of benches/RESULTS.md.
# Exit code 1 when a step or a check fails; never because of a timing or a peer's timeout.
#
# Environment:
#   KG_BIN         the kg binary [${CARGO_TARGET_DIR:-$HOME/.cache/kg-target}/release/kg];
#                  built with `cargo build --release` only when that default is missing
#   KG_SHARED      the shared directory holding datasets/ [../shared next to the repo]
#   KG_BENCH_VENV  the peers' private venv [$HOME/.cache/kg-bench-venv]
#   PYTHON         the Python that makes the venv [python3]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
case "${1:-}" in -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
# shellcheck source=benches/venv.sh
source "$ROOT/benches/venv.sh"
cmd="bash benches/reasoning.sh${*:+ $*}"
exec "$venv/bin/python" "$ROOT/benches/reasoning.py" --kg "$KG_BIN" --data "$data" --command "$cmd" "$@"
