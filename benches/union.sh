#!/usr/bin/env bash
# The cost of kg's set-semantics union default graph: the 14 LUBM queries, kg against pyoxigraph,
# (a) on LUBM-10-inferred in one graph, (b) on LUBM-1-inferred in named graphs sharing triples
# (the same file in three graphs; three graphs overlapping partly), pyoxigraph with
# use_default_graph_as_union=True (bag semantics) beside kg (set semantics).
#
#   bash benches/union.sh               # both parts: about 10 minutes
#   bash benches/union.sh --parts b     # only the shared-triples part; further options: --help of union.py
#
# Prints markdown tables and records them in the `union` section of benches/RESULTS.md.
# Exit code 1 when a kg count differs from the one-graph answer or a step fails; never because of a timing.
#
# Environment: KG_BIN, KG_SHARED, KG_BENCH_VENV, PYTHON as for reasoning.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
case "${1:-}" in -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
# shellcheck source=benches/venv.sh
source "$ROOT/benches/venv.sh"
cmd="bash benches/union.sh${*:+ $*}"
exec "$venv/bin/python" "$ROOT/benches/union.py" --kg "$KG_BIN" --data "$data" --command "$cmd" "$@"
