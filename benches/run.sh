#!/usr/bin/env bash
# kg against pyoxigraph and rdflib on LUBM: load, the 14 LUBM queries, export, REPL start-up.
#
#   bash benches/run.sh            # --quick: LUBM-1, about 25 s, no timing assertions (CI)
#   bash benches/run.sh --full     # LUBM-10, 1.7 M triples: 15-20 minutes, a third of it rdflib
#   bash benches/run.sh --full --no-rdflib    # any further option goes to bench.py (--help)
#   bash benches/run.sh --scale    # LUBM-1, 10, 100 beside pyoxigraph, per million triples (scale.py;
#                                  # --sizes 1,10 to leave out LUBM-100, which takes most of an hour)
#
# Prints markdown tables and records them in benches/RESULTS.md. Exit code 1 when a result count
# differs from the datasets README or a step fails; never because of a timing.
#
# Environment:
#   KG_BIN         the kg binary [${CARGO_TARGET_DIR:-$HOME/.cache/kg-target}/release/kg];
#                  built with `cargo build --release` only when that default is missing
#   KG_SHARED      the shared directory holding datasets/ [../shared next to the repo]
#   KG_BENCH_VENV  the peers' private venv [$HOME/.cache/kg-bench-venv]
#   PYTHON         the Python that makes the venv [python3]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

mode=quick
args=()
for a in "$@"; do
  case "$a" in
    --quick) mode=quick ;;
    --full) mode=full ;;
    --scale) mode=scale ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$a") ;;
  esac
done

# --- kg ---
if [ -n "${KG_BIN:-}" ]; then
  [ -x "$KG_BIN" ] || { echo "run.sh: KG_BIN=$KG_BIN is not an executable" >&2; exit 2; }
else
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kg-target}"
  KG_BIN="$CARGO_TARGET_DIR/release/kg"
  if [ ! -x "$KG_BIN" ]; then
    echo "run.sh: no release build at $KG_BIN: building it (first run in a fresh clone)" >&2
    (cd "$ROOT" && bash scripts/setup.sh && cargo build --release)
  fi
fi

# --- data ---
shared="${KG_SHARED:-$ROOT/../shared}"
if [ -f "$shared/datasets/README.md" ]; then data="$shared/datasets"
elif [ -f "$shared/README.md" ] && [ -f "$shared/lubm1.nt.gz" ]; then data="$shared"
else echo "run.sh: no LUBM datasets at $shared/datasets (set KG_SHARED to the shared directory)" >&2; exit 2
fi

# --- peers, in a private venv ---
venv="${KG_BENCH_VENV:-$HOME/.cache/kg-bench-venv}"
if [ ! -x "$venv/bin/python" ]; then
  echo "run.sh: creating the peers' venv in $venv" >&2
  "${PYTHON:-python3}" -m venv "$venv" || {
    echo "run.sh: could not create a venv: on Debian, apt-get install python3-venv" >&2; exit 2; }
fi
if ! "$venv/bin/python" - <<'EOF' 2>/dev/null
import pyoxigraph, rdflib
ok = pyoxigraph.__version__.startswith("0.5.") and rdflib.__version__.split(".")[0] == "7"
raise SystemExit(0 if ok else 1)
EOF
then
  echo "run.sh: installing pyoxigraph 0.5.x and rdflib 7.x into $venv" >&2
  "$venv/bin/python" -m pip install --quiet 'pyoxigraph>=0.5,<0.6' 'rdflib>=7,<8'
fi

cmd="bash benches/run.sh --$mode${args[*]:+ ${args[*]}}"
if [ "$mode" = scale ]; then
  exec "$venv/bin/python" "$ROOT/benches/scale.py" --kg "$KG_BIN" --data "$data" --command "$cmd" ${args[@]+"${args[@]}"}
fi
exec "$venv/bin/python" "$ROOT/benches/bench.py" --mode "$mode" --kg "$KG_BIN" --data "$data" --command "$cmd" ${args[@]+"${args[@]}"}
