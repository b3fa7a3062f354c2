#!/usr/bin/env bash
# kg on a remote engine against the same work without kg, on the Oxigraph server (LUBM-10):
# the load (kg --endpoint … load, oxigraph load, one curl Graph Store POST), the 14 LUBM queries
# (kg --endpoint … query against the same request by curl) and a path (remote against embedded).
#
#   bash benches/remote.sh                     # all three parts: about 5 minutes
#   bash benches/remote.sh --parts queries     # one part; further options: --help of remote.py
#
# Prints markdown tables and records them in the `remote` section of benches/RESULTS.md.
# Exit code 1 when a count differs or a step fails; never because of a timing.
#
# Environment: KG_BIN, KG_SHARED, KG_BENCH_VENV, PYTHON as for reasoning.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
case "${1:-}" in -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
# shellcheck source=benches/venv.sh
source "$ROOT/benches/venv.sh"
# The Oxigraph server: the binary the oxigraph wheel installs.
if [ ! -x "$venv/bin/oxigraph" ]; then
  echo "$0: installing the Oxigraph server (oxigraph==0.5.13) into $venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check 'oxigraph==0.5.13'
fi
command -v curl >/dev/null || { echo "$0: needs curl (scripts/setup.sh --test installs it)" >&2; exit 2; }
cmd="bash benches/remote.sh${*:+ $*}"
exec "$venv/bin/python" "$ROOT/benches/remote.py" --kg "$KG_BIN" --oxigraph "$venv/bin/oxigraph" --data "$data" --command "$cmd" "$@"
