# Sourced by reasoning.sh and union.sh: finds kg ($KG_BIN), the datasets ($data) and the peers'
# private venv ($venv), installing pyoxigraph 0.5.x, rdflib 7.x, owlrl 7.x and reasonable 0.4.4
# into it when one is missing (run.sh's venv, with two packages more).
if [ -n "${KG_BIN:-}" ]; then
  [ -x "$KG_BIN" ] || { echo "$0: KG_BIN=$KG_BIN is not an executable" >&2; exit 2; }
else
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kg-target}"
  KG_BIN="$CARGO_TARGET_DIR/release/kg"
  if [ ! -x "$KG_BIN" ]; then
    echo "$0: no release build at $KG_BIN: building it (first run in a fresh clone)" >&2
    (cd "$ROOT" && bash scripts/setup.sh && cargo build --release)
  fi
fi

shared="${KG_SHARED:-$ROOT/../shared}"
if [ -f "$shared/datasets/README.md" ]; then data="$shared/datasets"
elif [ -f "$shared/README.md" ] && [ -f "$shared/lubm1.nt.gz" ]; then data="$shared"
else echo "$0: no LUBM datasets at $shared/datasets (set KG_SHARED to the shared directory)" >&2; exit 2
fi

venv="${KG_BENCH_VENV:-$HOME/.cache/kg-bench-venv}"
if [ ! -x "$venv/bin/python" ]; then
  echo "$0: creating the peers' venv in $venv" >&2
  "${PYTHON:-python3}" -m venv "$venv" || {
    echo "$0: could not create a venv: on Debian, apt-get install python3-venv" >&2; exit 2; }
fi
if ! "$venv/bin/python" - <<'PYEOF' 2>/dev/null
import importlib.metadata as m
import pyoxigraph, rdflib, owlrl, reasonable
ok = (pyoxigraph.__version__.startswith("0.5.") and rdflib.__version__.split(".")[0] == "7"
      and m.version("owlrl").split(".")[0] == "7" and m.version("reasonable") == "0.4.4")
raise SystemExit(0 if ok else 1)
PYEOF
then
  echo "$0: installing pyoxigraph 0.5.x, rdflib 7.x, owlrl 7.x and reasonable 0.4.4 into $venv" >&2
  "$venv/bin/python" -m pip install --quiet 'pyoxigraph>=0.5,<0.6' 'rdflib>=7,<8' 'owlrl>=7,<8' 'reasonable==0.4.4'
fi
