"""`bash benches/run.sh --scale`: LUBM-1, LUBM-10 and LUBM-100 side by side with pyoxigraph, so the
growth of each step with the data is visible: time and peak memory per million triples.

Per size, on the generated data `lubmN.nt` (decompressed once) with the ontology `univ-bench.ttl`:
1. load into a new store (kg `load`, which saves the projection of what it loaded; pyoxigraph
   `bulk_load`), `kg path` right after it (opens that projection), then compact both
   (`kg optimize`, `Store.optimize()`);
2. `kg infer` (OWL 2 RL); pyoxigraph gets the same entailments, exported by kg as N-Triples and
   bulk-loaded (untimed), and both stores are compacted again (untimed);
3. the 14 LUBM queries on the inferred stores, each a fresh process writing TSV to /dev/null
   (one untimed run, then the median of `--runs`); kg's and pyoxigraph's row counts must agree;
4. export: kg's Turtle against pyoxigraph's N-Triples dump of its (compacted) store;
5. projection and a shortest path: `kg path` the first time (opens the projection `kg infer`
   saved from its read of the store), with the saved file removed (builds it from the store), and
   again (opens the saved one); then a one-triple `kg update` (INSERT DATA: the entailments
   are updated incrementally and the saved projection patched), and the path after it, twice.
Every step is a fresh child process started by bench.py's spawner (wall time, peak RSS).

Usage: python scale.py --kg KG --data DATASETS [--sizes 1,10,100] [--runs 1] [--results RESULTS.md]
"""
import argparse
import gzip
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
from bench import fmt_rss, fmt_time, log, measure, peer, problem  # noqa: E402

INFERRED = "https://w3id.org/kg/graph/inferred"


def rows(path):
    """Result rows of a TSV file (its header line left out)."""
    with open(path, "rb") as f:
        return max(0, sum(1 for _ in f) - 1)


def step(R, size, name, kg=None, py=None, note=""):
    R.setdefault(size, []).append({"step": name, "kg": kg, "py": py, "note": note})


def run_size(a, size, tmp, R):
    gz = os.path.join(a.data, f"lubm{size}.nt.gz")
    if not os.path.exists(gz):
        problem(f"{gz} is missing")
        return
    nt = os.path.join(tmp, f"lubm{size}.nt")
    log(f"LUBM-{size}: decompressing")
    with gzip.open(gz, "rb") as src, open(nt, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    with open(nt, "rb") as f:
        triples = sum(1 for _ in f)
    R[("triples", size)] = triples
    onto = os.path.join(a.data, "univ-bench.ttl")
    kg_store = os.path.join(tmp, f"kg-{size}")
    py_store = os.path.join(tmp, f"py-{size}")
    env = bench.kg_env()

    log(f"LUBM-{size}: load ({triples:,} triples)")
    r = measure([a.kg, "--store", kg_store, "load", nt, onto], env=env)
    bench.checked(r, f"kg load lubm{size}")
    p = peer("pyox_load", {"store": py_store, "file": nt}, tmp, f"pyoxigraph load lubm{size}")
    saved = next((l.strip() for l in r["stderr"].splitlines() if "saved the projection" in l), "")
    step(R, size, "load", r, p and {"wall": p["secs"], "rss_kb": p["proc_rss_kb"]}, saved)
    # The first load into a new store saved its projection: the first traversal opens it.
    src = "http://www.Department0.University0.edu/UndergraduateStudent0"
    dst = "http://www.Department14.University0.edu/FullProfessor1" if size == 1 else "http://www.Department5.University9.edu/FullProfessor1"
    r = measure([a.kg, "--store", kg_store, "path", src, dst], env=env)
    bench.checked(r, "kg path (after the load)")
    line = next((l for l in r["stderr"].splitlines() if "projection" in l or "projected" in l), "")
    step(R, size, "`kg path` after the load: opens the projection the load saved", r, None, line.strip())

    r = measure([a.kg, "--store", kg_store, "optimize"], env=env)
    bench.checked(r, "kg optimize")
    p = peer("pyox_optimize", {"store": py_store}, tmp, "pyoxigraph optimize")
    step(R, size, "optimize", r, p and {"wall": p["secs"], "rss_kb": p["proc_rss_kb"]})

    log(f"LUBM-{size}: kg infer")
    r = measure([a.kg, "--store", kg_store, "infer"], env=env)
    bench.checked(r, "kg infer")
    saved = next((l.strip() for l in r["stderr"].splitlines() if "saved the projection" in l), "")
    step(R, size, "infer (OWL 2 RL)", r, None, "pyoxigraph has no reasoner: it loads kg's entailments, untimed; " + saved)
    ent = os.path.join(tmp, f"entailments-{size}.nt")
    bench.checked(measure([a.kg, "--store", kg_store, "export", "--graph", INFERRED, "--format", "ntriples", "-o", ent], env=env), "kg export entailments")
    peer("pyox_load", {"store": py_store, "file": ent}, tmp, "pyoxigraph load entailments")
    os.remove(ent)
    bench.checked(measure([a.kg, "--store", kg_store, "optimize"], env=env), "kg optimize")
    peer("pyox_optimize", {"store": py_store}, tmp, "pyoxigraph optimize")

    log(f"LUBM-{size}: queries")
    qdir = os.path.join(a.data, "lubm-queries")
    kg_sum = py_sum = 0.0
    for q in sorted(f for f in os.listdir(qdir) if f.endswith(".rq")):
        qf = os.path.join(qdir, q)
        outs = {}
        for who, argv in (("kg", [a.kg, "--store", kg_store, "query", "--format", "tsv", "--file", qf]),
                          ("py", [bench.PY, bench.PYOX_QUERY, py_store, qf])):
            out = os.path.join(tmp, f"{who}-{q}.tsv")
            bench.checked(measure(argv, env=env, stdout=out), f"{who} {q} (warm-up)")
            outs[who] = rows(out)
            os.remove(out)
        if outs["kg"] != outs["py"]:
            problem(f"LUBM-{size} {q}: kg gives {outs['kg']} rows, pyoxigraph {outs['py']}")
        times = {"kg": [], "py": []}
        peaks = {"kg": 0, "py": 0}
        for _ in range(a.runs):
            for who, argv in (("kg", [a.kg, "--store", kg_store, "query", "--format", "tsv", "--file", qf]),
                              ("py", [bench.PY, bench.PYOX_QUERY, py_store, qf])):
                r = measure(argv, env=env)
                bench.checked(r, f"{who} {q}")
                times[who].append(r["wall"])
                peaks[who] = max(peaks[who], r["rss_kb"])
        kt, pt = statistics.median(times["kg"]), statistics.median(times["py"])
        kg_sum += kt
        py_sum += pt
        step(R, size, f"{q[:-3]} ({outs['kg']:,} rows)", {"wall": kt, "rss_kb": peaks["kg"]}, {"wall": pt, "rss_kb": peaks["py"]})
    step(R, size, "the 14 queries, sum of medians", {"wall": kg_sum, "rss_kb": None}, {"wall": py_sum, "rss_kb": None})

    log(f"LUBM-{size}: export")
    out = os.path.join(tmp, f"kg-{size}.ttl")
    r = measure([a.kg, "--store", kg_store, "export", "--format", "turtle", "-o", out], env=env)
    bench.checked(r, "kg export turtle")
    os.remove(out)
    out = os.path.join(tmp, f"py-{size}.nt")
    p = peer("pyox_dump", {"store": py_store, "out": out, "format": "nt"}, tmp, "pyoxigraph dump")
    if os.path.exists(out):
        os.remove(out)
    step(R, size, "export (kg Turtle; pyoxigraph N-Triples dump)", r, p and {"wall": p["secs"], "rss_kb": p["proc_rss_kb"]})

    log(f"LUBM-{size}: projection and path")
    for label in ("first run: opens the projection `kg infer` saved",
                  "saved projection removed: builds from the store and saves",
                  "second run: opens the saved projection"):
        if "removed" in label:
            for name in os.listdir(kg_store):
                if name.startswith("kg-projection-"):
                    os.remove(os.path.join(kg_store, name))
        r = measure([a.kg, "--store", kg_store, "path", src, dst], env=env)
        bench.checked(r, f"kg path ({label})")
        line = next((l for l in r["stderr"].splitlines() if "projection" in l or "projected" in l), "")
        step(R, size, f"`kg path`, {label}", r, None, line.strip())
    # A write through kg makes the next traversal project again, and that traversal sees it: the
    # edge added joins the two ends directly.
    edge = f"INSERT DATA {{ <{src}> <http://example.org/scale#knows> <{dst}> }}"
    r = measure([a.kg, "--store", kg_store, "update", edge], env=env)
    bench.checked(r, "kg update (one edge)")
    line = next((l for l in r["stderr"].splitlines() if "patched" in l), "no patch")
    step(R, size, "`kg update`, one triple (entailments incremental, saved projection patched)", r, None, line.strip())
    for label in ("after the one-triple write: opens the patched projection", "after that: opens the saved projection"):
        shown = os.path.join(tmp, "path.txt")
        r = measure([a.kg, "--store", kg_store, "path", src, dst], env=env, stdout=shown)
        bench.checked(r, f"kg path ({label})")
        with open(shown, encoding="utf-8") as f:
            hops = f.read().count("scale#knows")
        os.remove(shown)
        if hops != 1:
            problem(f"LUBM-{size}: the path after the write does not take the new edge ({label})")
        line = next((l for l in r["stderr"].splitlines() if "projection" in l or "projected" in l), "")
        step(R, size, f"`kg path`, {label}", r, None, line.strip())
    shutil.rmtree(kg_store, ignore_errors=True)
    shutil.rmtree(py_store, ignore_errors=True)
    os.remove(nt)


def per_million(value, triples):
    return value / (triples / 1e6)


def render(a, R, meta):
    w = []
    w.append("## scale (LUBM-1, 10, 100)\n")
    for k, v in meta.items():
        w.append(f"- {k}: {v}")
    w.append("")
    w.append("Per million triples of the generated data (`lubmN.nt`): *s/M* is seconds per million triples, *MiB/M* peak RSS per million triples. Queries and export run on the inferred stores. Ratios are kg/pyoxigraph.\n")
    sizes = [s for s in a.sizes if s in R]
    head = "| step | " + " | ".join(f"LUBM-{s} kg | s/M | MiB/M | pyox | kg/pyox" for s in sizes) + " |"
    w.append(head)
    w.append("|---|" + "---:|" * (5 * len(sizes)))
    names = []
    for s in sizes:
        for row in R[s]:
            if row["step"] not in names and not row["step"].startswith("q"):
                names.append(row["step"])
    for name in names:
        cells = []
        for s in sizes:
            row = next((r for r in R[s] if r["step"] == name), None)
            n = R[("triples", s)]
            if row is None or not row["kg"]:
                cells.append("— | | | |")
                continue
            k, p = row["kg"], row["py"]
            rss = k.get("rss_kb")
            cell = f"{fmt_time(k['wall'])} {fmt_rss(rss) if rss else ''} | {per_million(k['wall'], n):.2f} | {per_million(rss / 1024, n):.0f}" if rss else f"{fmt_time(k['wall'])} | {per_million(k['wall'], n):.2f} | "
            if p:
                prss = p.get("rss_kb")
                cell += f" | {fmt_time(p['wall'])} {fmt_rss(prss) if prss else ''} | {k['wall'] / p['wall']:.2f}×"
            else:
                cell += " | — | "
            cells.append(cell)
        w.append(f"| {name} | " + " | ".join(cells) + " |")
    w.append("")
    for s in sizes:
        w.append(f"### LUBM-{s} queries ({R[('triples', s)]:,} triples before inference)\n")
        w.append("| query | kg | kg RSS | pyox | pyox RSS | kg/pyox |")
        w.append("|---|---:|---:|---:|---:|---:|")
        for row in R[s]:
            if row["step"].startswith("q"):
                k, p = row["kg"], row["py"]
                w.append(f"| {row['step']} | {fmt_time(k['wall'])} | {fmt_rss(k['rss_kb'])} | {fmt_time(p['wall'])} | {fmt_rss(p['rss_kb'])} | {k['wall'] / p['wall']:.2f}× |")
        w.append("")
        notes = [f"- {r['step']}: {r['note']}" for r in R[s] if r["note"]]
        w.extend(notes)
        w.append("")
    return "\n".join(w)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kg", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--sizes", default="1,10,100", help="comma-separated LUBM sizes")
    ap.add_argument("--runs", type=int, default=1, help="timed runs per query after an untimed one")
    ap.add_argument("--results", default=os.path.join(bench.HERE, "RESULTS.md"))
    ap.add_argument("--command", default=None)
    ap.add_argument("--tmp", default=None)
    a = ap.parse_args()
    a.sizes = [int(s) for s in a.sizes.split(",") if s]
    bench.SPAWNER = bench.Spawner()
    tmp = a.tmp or tempfile.mkdtemp(prefix="kg-scale-")
    kg = os.path.join(tmp, "kg")
    shutil.copy2(a.kg, kg)  # a build finishing mid-run must not swap the binary
    a.kg = kg
    R = {}
    start = time.time()
    load_before = bench.loadavg()
    for size in a.sizes:
        run_size(a, size, tmp, R)
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(start)) + f" ({(time.time() - start) / 60:.1f} min)",
        "machine": bench.machine() + f"; load average {load_before} before, {bench.loadavg()} after",
        "command": f"`{a.command or 'python benches/scale.py'}`",
        "versions": ", ".join(f"{k} {v}" for k, v in bench.versions(a.kg).items()),
    }
    section = render(a, R, meta)
    print(section)
    if a.results:
        bench.write_results(a.results, "scale", section)
    bench.SPAWNER.close()
    if not a.tmp:
        shutil.rmtree(tmp, ignore_errors=True)
    if bench.PROBLEMS:
        log("problems:\n" + "\n".join(bench.PROBLEMS))
        sys.exit(1)


if __name__ == "__main__":
    main()
