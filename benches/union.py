#!/usr/bin/env python3
"""The cost of kg's set-semantics union default graph: the 14 LUBM queries in kg against
pyoxigraph, on one graph and on named graphs that share triples. Prints markdown tables and
records them in the `union` section of benches/RESULTS.md. Normally started by benches/union.sh.

kg's default graph, when a store has named graphs, is their union as a set: a triple held by
several graphs is matched once. pyoxigraph's `use_default_graph_as_union=True` is a bag: once per
graph. kg takes Oxigraph's plain union when no triple is shared between graphs and a deduplicating
path when some are; these cases measure both.

  (a) one graph: lubm10-inferred.nt in the default graph, kg against pyoxigraph (no union).
  (b) LUBM-1-inferred (lubm1-inferred.nt, 138,508 triples; the inferred file, so that all 14 queries
      have answers: on the raw lubm1.nt 10 of them return nothing) in named graphs:
        one graph  the file in the default graph: the baseline, kg's plain path
        shared     the same file in g1, g2 and g3: every triple in three graphs
        partial    line i of the file goes by i mod 6 to g1 | g2 | g3 | g1+g2 | g2+g3 | g1+g2+g3:
                   half the triples in one graph, a third in two, a sixth in all three (230,847
                   quads for 138,508 triples, 1.67 each), spread evenly over every predicate and class
      kg's counts must be the one-graph answers (the datasets README's LUBM-1 counts); pyoxigraph's
      union counts are inflated by the bag semantics and shown beside them.

Every measured step is a fresh process started by spawner.py (see bench.py): kg as a user runs it
(`kg --store S query --format tsv --file qNN.rq`), pyoxigraph the same way (pyox_query.py, or
pyox_union_query.py with the union flag), both stores compacted first (kg optimize,
Store.optimize()); and in-process: every query in one scripted `kg repl` session (kg's own timer)
against pyoxigraph with the store open (peers2.py). Untimed warm-up runs count the rows, then the
median of --runs runs. Exit code 1 when a count is wrong or a step fails, never for a timing.
"""
import argparse
import datetime
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402
from bench import fmt_ratio, fmt_rss, fmt_time, log, loadavg, machine, problem, ratio  # noqa: E402
from reasoning import decompress, peer2  # noqa: E402

ROOT = bench.ROOT
PY = sys.executable
PYOX_QUERY = os.path.join(HERE, "pyox_query.py")
PYOX_UNION_QUERY = os.path.join(HERE, "pyox_union_query.py")
G = ["http://example.org/g1", "http://example.org/g2", "http://example.org/g3"]
SPLIT = {0: (0,), 1: (1,), 2: (2,), 3: (0, 1), 4: (1, 2), 5: (0, 1, 2)}  # i mod 6 -> graphs
TIMING = re.compile(r"rows? in ([\d.]+) (ms|s)\b")


def split_partial(src, tmp):
    outs = [open(os.path.join(tmp, f"partial-g{k + 1}.nt"), "wb") for k in range(3)]
    quads = 0
    with open(src, "rb") as f:
        for i, line in enumerate(f):
            for k in SPLIT[i % 6]:
                outs[k].write(line)
                quads += 1
    for o in outs:
        o.close()
    return [(o.name, G[k]) for k, o in enumerate(outs)], quads


def build(a, name, loads, tmp):
    """A kg store and a pyoxigraph store holding loads ((file, graph IRI or None) pairs), compacted."""
    kg_store = bench.fresh(os.path.join(tmp, f"kg-{name}"))
    py_store = bench.fresh(os.path.join(tmp, f"pyox-{name}"))
    env = bench.kg_env()
    for path, graph in loads:
        r = bench.measure([a.kg, "--store", kg_store, "load", *(["--graph", graph] if graph else []), path], env=env, timeout=a.timeout)
        bench.checked(r, f"kg load {path} into {graph or 'the default graph'}")
    r = bench.measure([a.kg, "--store", kg_store, "optimize"], env=env, timeout=a.timeout)
    bench.checked(r, f"kg optimize {kg_store}")
    p = peer2("pyox_load_graphs", {"store": py_store, "loads": loads}, tmp, f"pyoxigraph load {name}", a.timeout)
    return kg_store, py_store, (p or {}).get("quads")


def count_rows(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f) - 1


def run_case(a, name, kg_store, py_store, union, queries, tmp):
    """The 14 queries: processes, then in-process. Returns {query: {...}}."""
    env = bench.kg_env()
    pyq = PYOX_UNION_QUERY if union else PYOX_QUERY
    res = {}
    for qname, qfile, _ in queries:
        bench.note_busy(name)
        row = res[qname] = {}
        cmds = {"kg": [a.kg, "--store", kg_store, "query", "--format", "tsv", "--file", qfile], "pyox": [PY, pyq, py_store, qfile]}
        for who, cmd in cmds.items():
            out = os.path.join(tmp, f"{who}-{qname}.tsv")
            r = bench.measure(cmd, stdout=out, env=env, timeout=a.timeout)
            if bench.checked(r, " ".join(cmd)):
                row[f"{who}_count"] = count_rows(out)
            os.remove(out)
        for who, cmd in cmds.items():
            times, rss = [], []
            for _ in range(a.runs):
                r = bench.measure(cmd, env=env, timeout=a.timeout)
                if not bench.checked(r, " ".join(cmd)):
                    break
                times.append(r["wall"])
                rss.append(r["rss_kb"])
            if times:
                row[who] = {"secs": statistics.median(times), "rss_kb": max(rss)}
        log(f"  {name} {qname}: kg {row.get('kg_count')} rows {fmt_time(row.get('kg', {}).get('secs'))}, "
            f"pyoxigraph{' (union)' if union else ''} {row.get('pyox_count')} rows {fmt_time(row.get('pyox', {}).get('secs'))}")
    # in-process: one kg session, store open
    script = os.path.join(tmp, f"session-{name}.rq")
    order = []
    with open(script, "w", encoding="utf-8") as f:
        f.write(".format tsv\n")
        for qname, _, text in queries:
            for i in range(a.runs + 1):  # the first run warms up
                f.write(text.strip() + "\n;\n")
                order.append((qname, i))
    r = bench.measure([a.kg, "--store", kg_store, "repl"], env=env, stdin=script, timeout=a.timeout * len(queries))
    if bench.checked(r, f"kg repl session on {kg_store}"):
        timings = [float(m.group(1)) / (1000 if m.group(2) == "ms" else 1) for m in TIMING.finditer(r["stderr"])]
        if len(timings) != len(order):
            problem(f"kg session on {name}: {len(timings)} timings for {len(order)} statements")
        else:
            per = {}
            for (qname, i), t in zip(order, timings):
                if i > 0:
                    per.setdefault(qname, []).append(t)
            for qname, ts in per.items():
                res[qname]["kg_session"] = statistics.median(ts)
    p = peer2("pyox_queries", {"store": py_store, "queries": [(n, t) for n, _, t in queries], "runs": a.runs, "union": union},
              tmp, f"pyoxigraph in-process on {name}", a.timeout * len(queries))
    if p:
        for qname, q in p["queries"].items():
            res[qname]["pyox_inproc"] = q["median"]
            res[qname]["pyox_inproc_count"] = q["count"]
    return res


def check_counts(name, res, expected, who_list):
    for qname, row in res.items():
        for who in who_list:
            c = row.get(f"{who}_count")
            if c != expected[qname]:
                problem(f"{name} {qname}: {who} returned {c} rows, the one-graph answer is {expected[qname]}")


def fmt_count(n):
    return "—" if n is None else f"{n:,}"


def render(a, R):
    out = []
    A = R.get("a")
    if A:
        res, exp = A["res"], A["expected"]
        out += [f"### (a) One graph: `lubm10-inferred.nt` ({A['triples']:,} triples) in the default graph, both stores compacted (median of {a.runs})", ""]
        out += ["| query | rows | kg process | kg RSS | pyoxigraph process | pyox RSS | kg/pyox | kg session | pyoxigraph in-process | kg/pyox in-process |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for q, row in res.items():
            rows = row.get("kg_count")
            rows_s = fmt_count(rows) if rows == exp[q] and row.get("pyox_count") == exp[q] else f"**kg {fmt_count(rows)}, pyox {fmt_count(row.get('pyox_count'))}, expected {exp[q]:,}**"
            kg, py = row.get("kg", {}), row.get("pyox", {})
            out.append(f"| {q} | {rows_s} | {fmt_time(kg.get('secs'))} | {fmt_rss(kg.get('rss_kb'))} | {fmt_time(py.get('secs'))} | {fmt_rss(py.get('rss_kb'))} | "
                       f"{fmt_ratio(ratio(kg.get('secs'), py.get('secs')))} | {fmt_time(row.get('kg_session'))} | {fmt_time(row.get('pyox_inproc'))} | "
                       f"{fmt_ratio(ratio(row.get('kg_session'), row.get('pyox_inproc')))} |")
        out += [geo_line(res, "kg", "pyox", "processes") + " " + geo_line(res, "kg_session", "pyox_inproc", "in-process"), ""]
    B = R.get("b")
    if B:
        base = B["cases"]["one"]["res"]
        for case in ("shared", "partial"):
            c = B["cases"].get(case)
            if not c:
                continue
            res = c["res"]
            out += [f"### (b) {c['title']} (median of {a.runs})", ""]
            out += [f"Store: {c['desc']}.", ""]
            out += ["| query | one-graph rows | kg rows (set) | pyox union rows (bag) | kg process | kg one graph | kg cost (÷ one graph) | pyox union process | kg/pyox | kg session | kg session, one graph | pyox union in-process | kg/pyox in-process |",
                    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
            for q, row in res.items():
                b = base.get(q, {})
                kc = row.get("kg_count")
                kc_s = fmt_count(kc) if kc == B["expected"][q] else f"**{fmt_count(kc)} (MISMATCH)**"
                kg, py, kb = row.get("kg", {}), row.get("pyox", {}), b.get("kg", {})
                out.append(f"| {q} | {B['expected'][q]:,} | {kc_s} | {fmt_count(row.get('pyox_count'))} | {fmt_time(kg.get('secs'))} | {fmt_time(kb.get('secs'))} | "
                           f"{fmt_ratio(ratio(kg.get('secs'), kb.get('secs')))} | {fmt_time(py.get('secs'))} | {fmt_ratio(ratio(kg.get('secs'), py.get('secs')))} | "
                           f"{fmt_time(row.get('kg_session'))} | {fmt_time(b.get('kg_session'))} | {fmt_time(row.get('pyox_inproc'))} | "
                           f"{fmt_ratio(ratio(row.get('kg_session'), row.get('pyox_inproc')))} |")
            out += [geo_line(res, "kg", "pyox", "processes") + " " + geo_line(res, "kg_session", "pyox_inproc", "in-process")
                    + " " + geo_cost(res, base), ""]
        one = B["cases"]["one"]["res"]
        out += [f"Baseline, one graph (`lubm1-inferred.nt` in the default graph), pyoxigraph without the union flag: "
                + ", ".join(f"{q} kg {fmt_time(r.get('kg', {}).get('secs'))} / pyox {fmt_time(r.get('pyox', {}).get('secs'))} (session {fmt_time(r.get('kg_session'))} / in-process {fmt_time(r.get('pyox_inproc'))})" for q, r in one.items())
                + ".", ""]
    return "\n".join(out)


def _geo(xs):
    xs = [x for x in xs if x]
    if not xs:
        return None
    p = 1.0
    for x in xs:
        p *= x
    return p ** (1 / len(xs))


def _get(row, key):
    v = row.get(key)
    return v.get("secs") if isinstance(v, dict) else v


def geo_line(res, k1, k2, what):
    g = _geo([ratio(_get(r, k1), _get(r, k2)) for r in res.values()])
    return f"Geometric mean of kg/pyox, {what}: {fmt_ratio(g)}."


def geo_cost(res, base):
    g = _geo([ratio(_get(r, "kg"), _get(base.get(q, {}), "kg")) for q, r in res.items()])
    s = _geo([ratio(_get(r, "kg_session"), _get(base.get(q, {}), "kg_session")) for q, r in res.items()])
    return f"Geometric mean of kg's cost against one graph: processes {fmt_ratio(g)}, session {fmt_ratio(s)}."


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kg", required=True, help="the kg binary (release build)")
    ap.add_argument("--data", required=True, help="the datasets directory")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per query after an untimed one [3]")
    ap.add_argument("--parts", default="a,b", help="which parts: a (one graph, LUBM-10), b (shared triples, LUBM-1) [a,b]")
    ap.add_argument("--timeout", type=float, default=300.0, help="timeout of one process (a load, a query), seconds [300]")
    ap.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"), help="markdown file to record the results in ('' for none)")
    ap.add_argument("--command", default=None)
    ap.add_argument("--tmp", default=None)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    a.parts = set(a.parts.split(","))
    a.kg = os.path.abspath(a.kg)
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = loadavg()
    meta = bench.versions(a.kg)
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "-C", ROOT, "status", "--porcelain"], capture_output=True, text=True).stdout.strip())
    readme = os.path.join(a.data, "README.md")
    qdir = os.path.join(a.data, "lubm-queries")
    bench.SPAWNER = bench.Spawner()
    tmp = a.tmp or tempfile.mkdtemp(prefix="kg-union-")
    os.makedirs(tmp, exist_ok=True)
    snapshot = os.path.join(tmp, "kg")
    shutil.copy2(a.kg, snapshot)
    a.kg_path, a.kg = a.kg, snapshot
    R = {}
    try:
        if "a" in a.parts:
            _, exp = bench.parse_expected(readme, 10)
            queries = [(n, os.path.join(qdir, f"{n}.rq"), open(os.path.join(qdir, f"{n}.rq"), encoding="utf-8").read()) for n in sorted(exp)]
            f = os.path.join(tmp, "lubm10-inferred.nt")
            log("(a) decompressing lubm10-inferred.nt.gz, loading kg and pyoxigraph")
            n = decompress(os.path.join(a.data, "lubm10-inferred.nt.gz"), f)
            kg_store, py_store, _ = build(a, "a", [(f, None)], tmp)
            res = run_case(a, "(a)", kg_store, py_store, False, queries, tmp)
            check_counts("(a) one graph", res, exp, ("kg", "pyox", "pyox_inproc"))
            R["a"] = {"res": res, "expected": exp, "triples": n}
            shutil.rmtree(kg_store, ignore_errors=True)
            shutil.rmtree(py_store, ignore_errors=True)
        if "b" in a.parts:
            _, exp = bench.parse_expected(readme, 1)
            queries = [(n, os.path.join(qdir, f"{n}.rq"), open(os.path.join(qdir, f"{n}.rq"), encoding="utf-8").read()) for n in sorted(exp)]
            f = os.path.join(tmp, "lubm1-inferred.nt")
            n = decompress(os.path.join(a.data, "lubm1-inferred.nt.gz"), f)
            parts, pquads = split_partial(f, tmp)
            cases = {}
            for case, title, desc, loads, union in (
                ("one", "one graph", f"`lubm1-inferred.nt` ({n:,} triples) in the default graph", [(f, None)], False),
                ("shared", "Every triple in three graphs", f"`lubm1-inferred.nt` loaded three times, into g1, g2 and g3: {3 * n:,} quads, {n:,} distinct triples", [(f, g) for g in G], True),
                ("partial", "Graphs overlapping partly", f"`lubm1-inferred.nt` split by line number i mod 6 into g1 | g2 | g3 | g1+g2 | g2+g3 | g1+g2+g3: {pquads:,} quads, {n:,} distinct triples (half in one graph, a third in two, a sixth in three)", parts, True),
            ):
                log(f"(b) {case}: loading")
                kg_store, py_store, quads = build(a, case, loads, tmp)
                res = run_case(a, f"(b) {case}", kg_store, py_store, union, queries, tmp)
                check_counts(f"(b) {case}", res, exp, ("kg",) if union else ("kg", "pyox", "pyox_inproc"))
                for q, row in res.items():
                    if union and row.get("pyox_count") is not None and row["pyox_count"] < exp[q]:
                        problem(f"(b) {case} {q}: pyoxigraph's union returned {row['pyox_count']} rows, fewer than the {exp[q]} of one graph")
                cases[case] = {"res": res, "title": title, "desc": desc, "quads": quads}
                shutil.rmtree(kg_store, ignore_errors=True)
                shutil.rmtree(py_store, ignore_errors=True)
            R["b"] = {"cases": cases, "expected": exp}
    finally:
        bench.SPAWNER.close()
        if not a.keep and not a.tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"work directory kept: {tmp}")
    finished = datetime.datetime.now(datetime.timezone.utc)
    cmd = a.command or " ".join(["python", os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:])
    busy = "; ".join(f"{k}: {', '.join(sorted(v))}" for k, v in bench.BUSY.items())
    lines = [
        "## union (kg's set-semantics union default graph against pyoxigraph's)",
        "",
        f"- date: {started:%Y-%m-%d %H:%M} – {finished:%H:%M} UTC ({(finished - started).total_seconds() / 60:.1f} min)",
        f"- machine: {machine()}; load average {load_before} before, {loadavg()} after",
        f"- command: `{cmd}`",
        f"- kg commit: `{commit}`" + (" with uncommitted changes" if dirty else ""),
        f"- versions: {meta['kg']} (release binary `{a.kg_path}`, built {meta['built']}" + (", **older than a file in src/**" if meta["stale"] else "")
        + f"); pyoxigraph {meta['pyoxigraph']}; Python {meta['python']}",
        "- other builds running during the run: " + (f"**yes** ({busy}): timings may be noisy" if busy else "none seen"),
        "- result counts: " + ("kg's all equal the one-graph answers" if not any("rows" in p for p in bench.PROBLEMS) else "**MISMATCHES**, see Problems"),
        "- process figures are whole processes (kg CLI; `python pyox_query.py` / `pyox_union_query.py`); session figures are kg's own timer in one `kg repl`, against pyoxigraph's `store.query(…)` with the store open.",
        "",
        render(a, R),
    ]
    bench.publish(lines, a.results, "union")


if __name__ == "__main__":
    main()
