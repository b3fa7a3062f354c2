#!/usr/bin/env python3
"""kg on a remote engine, against the same work done without kg, on the Oxigraph server, in one
run. Prints markdown tables and records them in the `remote` section of benches/RESULTS.md.
Normally started by benches/remote.sh.

  load     LUBM-10 into an empty Oxigraph server: `kg --endpoint … load` (checked locally, skolemised,
           batched Graph Store POSTs into a staging graph, then one ADD) against `oxigraph load` into an
           empty store offline and against one Graph Store POST of the whole file with curl.
  queries  each of the 14 LUBM queries on lubm10-inferred in the server: `kg --endpoint … query
           --format tsv` (JSON results parsed and rendered by kg) against the same request made by curl
           (TSV as the server writes it); target: kg ≤ 1.1× curl + 5 ms.
  path     `kg --endpoint … path` on LUBM-10: time and requests, against `kg --store … path` on the
           embedded store (first run, which builds the projection, and a later one, which opens it).

Every measured step is a fresh process (spawner.py, see bench.py): wall time and peak RSS from
wait4(). Exit code 1 when a count differs or a step fails, never because of a timing.
"""
import argparse
import datetime
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402
from bench import checked, fmt_ratio, fmt_rss, fmt_time, log, loadavg, machine, measure, problem, ratio  # noqa: E402
from reasoning import decompress  # noqa: E402

ROOT = bench.ROOT


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """An Oxigraph server on a fresh directory, on loopback."""

    def __init__(self, oxigraph, location):
        self.port = free_port()
        self.p = subprocess.Popen([oxigraph, "serve", "--location", location, "--bind", f"127.0.0.1:{self.port}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.p.terminate()
        try:
            self.p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def kg_env(tmp):
    env = bench.kg_env()
    env["KG_CONFIG_DIR"] = os.path.join(tmp, "kg-config")
    return env


def count(url, env, kg):
    out = subprocess.run([kg, "--endpoint", f"{url}/query", "query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv"],
                         capture_output=True, text=True, env=env).stdout
    m = re.search(r"(\d+)", out.split("\n", 1)[-1])
    return int(m.group(1)) if m else None


def phase_load(a, tmp, R, nt, triples):
    env = kg_env(tmp)
    res = R["load"] = {}
    s = Server(a.oxigraph, os.path.join(tmp, "ox-load-kg"))
    r = measure([a.kg, "--endpoint", f"{s.url}/query", "load", nt], env=env, timeout=a.timeout)
    if checked(r, "kg --endpoint … load"):
        res["kg --endpoint … load"] = (r["wall"], r["rss_kb"])
        n = count(s.url, env, a.kg)
        if n != triples:
            problem(f"kg load into the Oxigraph server: {n} triples, expected {triples}")
    s.stop()
    loc = os.path.join(tmp, "ox-load-offline")
    r = measure([a.oxigraph, "load", "--location", loc, "--file", nt], timeout=a.timeout)
    if checked(r, "oxigraph load"):
        res["oxigraph load (offline, no server)"] = (r["wall"], r["rss_kb"])
    s = Server(a.oxigraph, os.path.join(tmp, "ox-load-curl"))
    r = measure(["curl", "-sf", "-X", "POST", "-H", "Content-Type: application/n-triples", "--data-binary", f"@{nt}",
                 f"{s.url}/store?default"], timeout=a.timeout)
    if checked(r, "curl Graph Store POST"):
        res["curl: one Graph Store POST of the file"] = (r["wall"], r["rss_kb"])
    s.stop()


def phase_queries(a, tmp, R, inferred, queries, expected):
    env = kg_env(tmp)
    loc = os.path.join(tmp, "ox-queries")
    r = measure([a.oxigraph, "load", "--location", loc, "--file", inferred], timeout=a.timeout)
    if not checked(r, "oxigraph load (queries)"):
        return
    s = Server(a.oxigraph, loc)
    res = R["queries"] = {}
    try:
        for name, path in queries:
            out = os.path.join(tmp, "q.out")
            kg_cmd = [a.kg, "--endpoint", f"{s.url}/query", "query", "--file", path, "--format", "tsv"]
            curl_cmd = ["curl", "-sf", "-G", "--data-urlencode", f"query@{path}", "-H", "Accept: text/tab-separated-values", f"{s.url}/query"]
            times = {"kg": [], "curl": []}
            rows = {}
            for who, cmd in (("kg", kg_cmd), ("curl", curl_cmd)):
                for i in range(a.runs + 1):
                    r = measure(cmd, stdout=out, env=env, timeout=a.timeout)
                    if not checked(r, f"{who} {name}"):
                        break
                    if i == 0:
                        with open(out, encoding="utf-8", errors="replace") as f:
                            rows[who] = max(0, sum(1 for _ in f) - 1)
                    else:
                        times[who].append(r["wall"])
            if rows.get("kg") != expected.get(name):
                problem(f"{name}: kg --endpoint gave {rows.get('kg')} rows, expected {expected.get(name)}")
            res[name] = {w: statistics.median(t) if t else None for w, t in times.items()}
            res[name]["rows"] = rows.get("kg")
    finally:
        s.stop()


def phase_path(a, tmp, R, nt):
    env = kg_env(tmp)
    loc = os.path.join(tmp, "ox-path")
    r = measure([a.oxigraph, "load", "--location", loc, "--file", nt], timeout=a.timeout)
    if not checked(r, "oxigraph load (path)"):
        return
    src = "http://www.Department0.University0.edu/UndergraduateStudent0"
    dst = "http://www.Department5.University9.edu/FullProfessor1"
    s = Server(a.oxigraph, loc)
    res = R["path"] = {}
    try:
        r = measure([a.kg, "--endpoint", f"{s.url}/query", "path", src, dst], env=env, timeout=a.timeout)
        if checked(r, "kg --endpoint … path"):
            m = re.search(r"explored (\d+) nodes in (\d+) requests", r["stderr"])
            res["kg --endpoint … path (remote)"] = (r["wall"], r["rss_kb"], m.group(2) if m else "?", m.group(1) if m else "?")
    finally:
        s.stop()
    store = os.path.join(tmp, "kg-path-store")
    if checked(measure([a.kg, "--store", store, "load", nt], env=env, timeout=a.timeout), "kg load (path)"):
        for label in ("kg --store … path (first run: builds the projection)", "kg --store … path (later run: opens it)"):
            r = measure([a.kg, "--store", store, "path", src, dst], env=env, timeout=a.timeout)
            if checked(r, label):
                res[label] = (r["wall"], r["rss_kb"], "—", "—")


def report(a, R, meta, started, load_before, commit, dirty, triples):
    L = [f"## kg on a remote engine (the Oxigraph server), {started:%Y-%m-%d %H:%M} UTC", ""]
    L.append(f"`{a.command or 'bash benches/remote.sh'}` at {commit}{' (uncommitted changes)' if dirty else ''}; {machine()}; "
             f"load average {load_before} before, {loadavg()} after; {meta}.")
    L.append("")
    if R.get("load"):
        L += [f"### Load LUBM-10 ({triples:,} triples) into the Oxigraph server", "", "| how | time | peak RSS |", "|---|---|---|"]
        for k, (w, rss) in R["load"].items():
            L.append(f"| {k} | {fmt_time(w)} | {fmt_rss(rss)} |")
        L.append("")
    if R.get("queries"):
        L += ["### The 14 LUBM queries on lubm10-inferred, as whole processes (median)", "",
              "| query | rows | kg --endpoint | curl | kg / curl | kg − curl |", "|---|---|---|---|---|---|"]
        worst = []
        for q, r in R["queries"].items():
            k, c = r.get("kg"), r.get("curl")
            diff = f"{(k - c) * 1000:+.1f} ms" if k is not None and c is not None else "—"
            ok = k is not None and c is not None and k <= 1.1 * c + 0.005
            worst.append(ok)
            L.append(f"| {q} | {r.get('rows')} | {fmt_time(k)} | {fmt_time(c)} | {fmt_ratio(ratio(k, c))} | {diff}{'' if ok else ' (over the target)'} |")
        L += ["", f"Target kg ≤ 1.1× curl + 5 ms: met on {sum(worst)} of {len(worst)} queries.", ""]
    if R.get("path"):
        L += ["### A path on LUBM-10", "", "| how | time | peak RSS | requests | nodes explored |", "|---|---|---|---|---|"]
        for k, (w, rss, req, nodes) in R["path"].items():
            L.append(f"| {k} | {fmt_time(w)} | {fmt_rss(rss)} | {req} | {nodes} |")
        L.append("")
    return L


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kg", required=True)
    ap.add_argument("--oxigraph", required=True, help="the Oxigraph server binary")
    ap.add_argument("--data", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--parts", default="load,queries,path")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--command", default=None)
    a = ap.parse_args()
    parts = set(a.parts.split(","))
    a.kg = os.path.abspath(a.kg)
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = loadavg()
    meta = bench.versions(a.kg)
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "-C", ROOT, "status", "--porcelain"], capture_output=True, text=True).stdout.strip())
    bench.SPAWNER = bench.Spawner()
    tmp = tempfile.mkdtemp(prefix="kg-remote-")
    R = {}
    try:
        nt = os.path.join(tmp, "lubm10.nt")
        triples = decompress(os.path.join(a.data, "lubm10.nt.gz"), nt)
        if "load" in parts:
            phase_load(a, tmp, R, nt, triples)
        if "queries" in parts:
            _, expected = bench.parse_expected(os.path.join(a.data, "README.md"), 10)
            qdir = os.path.join(a.data, "lubm-queries")
            queries = [(n, os.path.join(qdir, f"{n}.rq")) for n in sorted(expected)]
            inferred = os.path.join(tmp, "lubm10-inferred.nt")
            decompress(os.path.join(a.data, "lubm10-inferred.nt.gz"), inferred)
            phase_queries(a, tmp, R, inferred, queries, expected)
        if "path" in parts:
            phase_path(a, tmp, R, nt)
    finally:
        bench.SPAWNER.close()
        shutil.rmtree(tmp, ignore_errors=True)
    bench.publish(report(a, R, meta, started, load_before, commit, dirty, triples), a.results, "remote")


if __name__ == "__main__":
    main()
