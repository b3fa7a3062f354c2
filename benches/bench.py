#!/usr/bin/env python3
"""kg against pyoxigraph and rdflib on LUBM, in one run: load, the 14 LUBM queries, export, and
kg's REPL start-up and completion latency. Prints markdown tables and records them in
benches/RESULTS.md. Normally started by benches/run.sh, which sets up the peers' venv.

Every measured step runs in a fresh child process and its peak RSS comes from wait4(), so each
figure's memory belongs to that step alone (rdflib excepted: see peers.py). The driver itself
needs only the standard library.
"""
import argparse
import datetime
import fcntl
import hashlib
import json
import os
import platform
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = sys.executable
PEERS = os.path.join(HERE, "peers.py")
PYOX_QUERY = os.path.join(HERE, "pyox_query.py")
UB = "http://swat.cse.lehigh.edu/onto/univ-bench.owl#"

PROBLEMS = []  # wrong counts, failed commands: printed loudly, and the exit code is 1
BUSY = {}  # phase -> compiler processes seen running beside the benchmark


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def problem(msg):
    PROBLEMS.append(msg)
    log(f"\n!!!!!!!! PROBLEM: {msg}\n")


# --- processes --------------------------------------------------------------------------------


class Spawner:
    """The small process (spawner.py) that starts every measured child: see there for why."""

    def __init__(self):
        self.p = subprocess.Popen([PY, "-S", os.path.join(HERE, "spawner.py")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def start(self, argv, env=None, stdout=None, stderr=None, tty=None, stdin=None):
        req = {"argv": [shutil.which(argv[0]) or argv[0], *argv[1:]], "env": env if env is not None else dict(os.environ),
               "stdin": stdin, "stdout": stdout, "stderr": stderr, "tty": tty}
        self.p.stdin.write(json.dumps(req) + "\n")
        self.p.stdin.flush()
        return json.loads(self.p.stdout.readline())["pid"]

    def finish(self):
        return json.loads(self.p.stdout.readline())

    def close(self):
        self.p.stdin.close()
        self.p.wait()


SPAWNER = None


def measure(cmd, stdout=None, env=None, timeout=None, stdin=None):
    """Runs cmd in a fresh process: wall time, peak RSS (KiB, from wait4), exit code, stderr."""
    fd, err = tempfile.mkstemp(prefix="stderr-")
    os.close(fd)
    timed_out = []
    pid = SPAWNER.start(cmd, env=env, stdout=stdout, stderr=err, stdin=stdin)
    timer = None
    if timeout:

        def kill():
            timed_out.append(True)
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
    done = SPAWNER.finish()
    if timer:
        timer.cancel()
    with open(err, encoding="utf-8", errors="replace") as f:
        stderr = f.read()
    os.remove(err)
    return {"wall": done["wall"], "rss_kb": done["rss_kb"], "rc": os.waitstatus_to_exitcode(done["status"]), "stderr": stderr, "timed_out": bool(timed_out)}


def checked(r, what):
    if r["timed_out"]:
        problem(f"{what}: timed out")
        return False
    if r["rc"] != 0:
        problem(f"{what}: exit code {r['rc']}: {r['stderr'].strip()[-2000:]}")
        return False
    return True


def peer(op, spec, tmp, what, timeout=None):
    """One step of pyoxigraph or rdflib in a fresh process; its JSON result plus wall and RSS."""
    spec_path = os.path.join(tmp, f"spec-{op}.json")
    result_path = os.path.join(tmp, f"result-{op}.json")
    with open(spec_path, "w", encoding="utf-8") as f:
        json.dump(spec, f)
    if os.path.exists(result_path):
        os.remove(result_path)
    r = measure([PY, PEERS, op, spec_path, result_path], timeout=timeout)
    if not checked(r, what):
        return None
    with open(result_path, encoding="utf-8") as f:
        result = json.load(f)
    result["wall"] = r["wall"]
    result["rss_kb"] = result.get("rss_kb") or r["rss_kb"]
    result["proc_rss_kb"] = r["rss_kb"]
    if r["stderr"].strip():
        log(r["stderr"].rstrip())
    return result


def note_busy(phase):
    """Records compilers or linkers running beside the benchmark (another build skews timings)."""
    names = {"rustc", "cargo", "cc1", "cc1plus", "ld", "ld.lld", "rust-lld", "clang", "c++", "cc", "lld", "clippy-driver"}
    seen = set()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm") as f:
                name = f.read().strip()
        except OSError:
            continue
        if name in names:
            seen.add(name)
    if seen:
        BUSY.setdefault(phase, set()).update(seen)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


# --- data -------------------------------------------------------------------------------------


def parse_expected(readme, size):
    """Triple counts of the decompressed files and the 14 query counts for LUBM-size, from the
    datasets README."""
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    triples = {}
    for m in re.finditer(r"^\|\s*`(lubm\d+(?:-inferred)?\.nt)`\s*\|\s*([\d,]+)\s*\|", text, re.M):
        triples[m.group(1)] = int(m.group(2).replace(",", ""))
    section = text[text.index("Result counts on the materialised files") :]
    lines = [l for l in section.splitlines() if l.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    col = header.index(f"LUBM-{size}")
    queries = {}
    for l in lines[2:]:
        cells = [c.strip() for c in l.strip("|").split("|")]
        if re.fullmatch(r"q\d\d", cells[0]):
            queries[cells[0]] = int(cells[col].replace(",", ""))
    if len(queries) != 14:
        sys.exit(f"could not read the 14 expected query counts for LUBM-{size} from {readme}")
    return triples, queries


def prepare(data, size, tmp, expected_triples):
    """Decompresses once: the original file, the inferred file, and the inferred file's tail (its
    entailments, for loading into a store that already holds the original)."""
    orig_gz = os.path.join(data, f"lubm{size}.nt.gz")
    inf_gz = os.path.join(data, f"lubm{size}-inferred.nt.gz")
    orig = os.path.join(tmp, f"lubm{size}.nt")
    inf = os.path.join(tmp, f"lubm{size}-inferred.nt")
    ent = os.path.join(tmp, f"lubm{size}-entailments.nt")
    log(f"decompressing {orig_gz} and {inf_gz} into {tmp}")
    h_orig = hashlib.sha256()
    n_orig = 0
    with subprocess.Popen(["gzip", "-dc", orig_gz], stdout=subprocess.PIPE) as p, open(orig, "wb") as o:
        for line in p.stdout:
            o.write(line)
            h_orig.update(line)
            n_orig += 1
    h_head = hashlib.sha256()
    n_inf = 0
    with subprocess.Popen(["gzip", "-dc", inf_gz], stdout=subprocess.PIPE) as p, open(inf, "wb") as o, open(ent, "wb") as e:
        for line in p.stdout:
            o.write(line)
            if n_inf < n_orig:
                h_head.update(line)
            else:
                e.write(line)
            n_inf += 1
    for name, n in ((os.path.basename(orig), n_orig), (os.path.basename(inf), n_inf)):
        if expected_triples.get(name) not in (None, n):
            problem(f"{name} has {n} lines, the datasets README says {expected_triples[name]}")
    if h_head.digest() != h_orig.digest():
        problem(f"the first {n_orig} lines of {inf_gz} are not {orig_gz}: the entailment split is wrong")
    return {
        "orig": orig, "orig_n": n_orig, "inf": inf, "inf_n": n_inf, "inf_gz": inf_gz,
        "ent": ent, "ent_n": n_inf - n_orig,
    }


# --- kg ---------------------------------------------------------------------------------------


def kg_env():
    env = dict(os.environ)
    env.pop("KG_STORE", None)
    env["NO_COLOR"] = "1"
    return env


def kg_count(kg, store):
    out = os.path.join(os.path.dirname(store), "count.tsv")
    r = measure([kg, "--store", store, "query", "--format", "tsv", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"], stdout=out, env=kg_env())
    if not checked(r, f"kg count on {store}"):
        return None
    with open(out, encoding="utf-8") as f:
        m = re.search(r"\d+", f.read().splitlines()[-1])
    return int(m.group()) if m else None


def fresh(path):
    shutil.rmtree(path, ignore_errors=True)
    return path


# --- phases -----------------------------------------------------------------------------------


def phase_load(a, d, tmp, R):
    """Load figures; leaves tmp/kg-store and tmp/pyox-store holding the inferred file for queries."""
    note_busy("load")
    env = kg_env()
    rows = {}

    def add(row, who, secs, rss):
        rows.setdefault(row, {}).setdefault(who, []).append((secs, rss))

    inf, orig, ent = d["inf"], d["orig"], d["ent"]
    for rep in range(a.load_reps):
        log(f"load, round {rep + 1}/{a.load_reps}")
        # 1. new store, inferred .nt
        kg_store = fresh(os.path.join(tmp, "kg-store"))
        r = measure([a.kg, "--store", kg_store, "load", inf], env=env)
        if checked(r, f"kg --store {kg_store} load {inf}"):
            add("new", "kg", r["wall"], r["rss_kb"])
        py_store = fresh(os.path.join(tmp, "pyox-store"))
        p = peer("pyox_load", {"store": py_store, "file": inf}, tmp, f"pyoxigraph bulk_load {inf}")
        if p:
            add("new", "pyox", p["secs"], p["rss_kb"])
        # 2. new store, read from the .nt.gz
        s = fresh(os.path.join(tmp, "kg-store-gz"))
        r = measure([a.kg, "--store", s, "load", d["inf_gz"]], env=env)
        if checked(r, f"kg load {d['inf_gz']}"):
            add("gz", "kg", r["wall"], r["rss_kb"])
        s = fresh(os.path.join(tmp, "pyox-store-gz"))
        p = peer("pyox_load", {"store": s, "file": d["inf_gz"], "gz": True}, tmp, "pyoxigraph bulk_load gzip stream")
        if p:
            add("gz", "pyox", p["secs"], p["rss_kb"])
        # 3. new store, original .nt; 4. the entailments into that store, which now holds data
        s = fresh(os.path.join(tmp, "kg-store-2"))
        r = measure([a.kg, "--store", s, "load", orig], env=env)
        if checked(r, f"kg load {orig}"):
            add("orig", "kg", r["wall"], r["rss_kb"])
        r = measure([a.kg, "--store", s, "load", ent], env=env)
        if checked(r, f"kg --store {s} load {ent} (store holding {orig})"):
            add("existing", "kg", r["wall"], r["rss_kb"])
        s = fresh(os.path.join(tmp, "pyox-store-2"))
        p = peer("pyox_load", {"store": s, "file": orig}, tmp, "pyoxigraph bulk_load original")
        if p:
            add("orig", "pyox", p["secs"], p["rss_kb"])
        p = peer("pyox_load", {"store": s, "file": ent}, tmp, "pyoxigraph bulk_load entailments into a store with data")
        if p:
            add("existing", "pyox", p["secs"], p["rss_kb"])
    # every store must end up with exactly the inferred file's triples
    for who, names in (("kg", ("kg-store", "kg-store-gz", "kg-store-2")), ("pyox", ("pyox-store", "pyox-store-gz", "pyox-store-2"))):
        for name in names:
            path = os.path.join(tmp, name)
            if who == "kg":
                n = kg_count(a.kg, path)
            else:
                n = (peer("pyox_count", {"store": path}, tmp, f"pyoxigraph count {path}") or {}).get("count")
            if n != d["inf_n"]:
                problem(f"{who} store {name} holds {n} triples after loading, expected {d['inf_n']}")
            if name != names[0]:
                shutil.rmtree(path, ignore_errors=True)
    for row, by in rows.items():
        for who, vals in by.items():
            by[who] = {"secs": statistics.median(v[0] for v in vals), "rss_kb": max(v[1] for v in vals), "n": len(vals)}
    R["load"] = rows
    # Both stores compacted before they are queried: a bulk load leaves overlapping files (kg's 100k-quad
    # batches more than pyoxigraph's 1M ones) that RocksDB merges during whichever command comes next,
    # and the same query's time and memory differ between a compacted store and a fresh one.
    opt = R["optimize"] = {}
    r = measure([a.kg, "--store", os.path.join(tmp, "kg-store"), "optimize"], env=env)
    if checked(r, "kg optimize"):
        opt["kg"] = {"secs": r["wall"], "rss_kb": r["rss_kb"]}
    p = peer("pyox_optimize", {"store": os.path.join(tmp, "pyox-store")}, tmp, "pyoxigraph optimize")
    if p:
        opt["pyox"] = p


def phase_queries(a, d, tmp, R, queries, expected):
    note_busy("queries")
    env = kg_env()
    kg_store = os.path.join(tmp, "kg-store")
    py_store = os.path.join(tmp, "pyox-store")
    res = {}
    for name, qfile, _ in queries:
        note_busy("queries")
        row = res[name] = {"expected": expected[name]}
        # untimed warm-up runs that also count the rows
        for who, cmd in (
            ("kg", [a.kg, "--store", kg_store, "query", "--format", "tsv", "--file", qfile]),
            ("pyox_cli", [PY, PYOX_QUERY, py_store, qfile]),
        ):
            out = os.path.join(tmp, f"{who}-{name}.tsv")
            r = measure(cmd, stdout=out, env=env)
            if checked(r, " ".join(cmd)):
                with open(out, "rb") as f:
                    row[f"{who}_count"] = sum(1 for _ in f) - 1
            os.remove(out)
        times = {"kg": [], "pyox_cli": []}
        rss = {"kg": [], "pyox_cli": []}
        own = []
        for _ in range(a.runs):
            for who, cmd in (
                ("kg", [a.kg, "--store", kg_store, "query", "--format", "tsv", "--file", qfile]),
                ("pyox_cli", [PY, PYOX_QUERY, py_store, qfile]),
            ):
                r = measure(cmd, env=env)
                if checked(r, " ".join(cmd)):
                    times[who].append(r["wall"])
                    rss[who].append(r["rss_kb"])
                    if who == "kg":
                        m = re.search(r"rows? in ([\d.]+) (ms|s)\b", r["stderr"])
                        if m:
                            own.append(float(m.group(1)) / (1000 if m.group(2) == "ms" else 1))
        for who in times:
            if times[who]:
                row[who] = {"secs": statistics.median(times[who]), "rss_kb": max(rss[who]), "times": times[who]}
        if own:
            row["kg_own"] = statistics.median(own)
        log(f"  {name}: kg {fmt_time(row.get('kg', {}).get('secs'))}, pyoxigraph (process) {fmt_time(row.get('pyox_cli', {}).get('secs'))}")
    log("kg session queries (one scripted REPL session, store open, as pyoxigraph in-process)")
    script = os.path.join(tmp, "session.rq")
    order = []
    with open(script, "w", encoding="utf-8") as f:
        f.write(".format tsv\n")
        for name, _, text in queries:
            for i in range(a.runs + 1):  # the first run warms up, like the peers' first run
                f.write(text.strip() + "\n;\n")
                order.append((name, i))
    r = measure([a.kg, "--store", kg_store, "repl"], env=env, stdin=script)
    if checked(r, "kg repl session"):
        timings = [
            float(m.group(1)) / (1000 if m.group(2) == "ms" else 1)
            for m in re.finditer(r"rows? in ([\d.]+) (ms|s)\b", r["stderr"])
        ]
        if len(timings) != len(order):
            problem(f"kg session: {len(timings)} timings for {len(order)} statements")
        else:
            per = {}
            for (name, i), t in zip(order, timings):
                if i > 0:
                    per.setdefault(name, []).append(t)
            for name, ts in per.items():
                res[name]["kg_session"] = {"secs": statistics.median(ts), "times": ts}
            R["kg_session_rss_kb"] = r["rss_kb"]
    log("pyoxigraph in-process queries")
    p = peer("pyox_queries", {"store": py_store, "queries": [(n, t) for n, _, t in queries], "runs": a.runs}, tmp, "pyoxigraph in-process queries")
    if p:
        R["pyox_inproc_rss_kb"] = p["rss_kb"]
        R["pyox_open_secs"] = p["open_secs"]
        for name, q in p["queries"].items():
            res[name]["pyox_inproc"] = {"secs": q["median"], "times": q["times"]}
            res[name]["pyox_inproc_count"] = q["count"]
            res[name]["pyox_union"] = q.get("union_median")
    R["queries"] = res


def phase_export(a, d, tmp, R):
    note_busy("export")
    env = kg_env()
    kg_store = os.path.join(tmp, "kg-store")
    py_store = os.path.join(tmp, "pyox-store")
    runs = {}
    for rep in range(a.load_reps):
        log(f"export, round {rep + 1}/{a.load_reps}")
        for fmt, kgfmt in (("ttl", "turtle"), ("nt", "ntriples")):
            out = os.path.join(tmp, f"kg-export.{fmt}")
            r = measure([a.kg, "--store", kg_store, "export", "--format", kgfmt, "-o", out], env=env)
            if checked(r, f"kg --store {kg_store} export --format {kgfmt} -o {out}"):
                runs.setdefault(("kg", fmt), []).append((r["wall"], r["rss_kb"]))
            out = os.path.join(tmp, f"pyox-export.{fmt}")
            p = peer("pyox_dump", {"store": py_store, "format": fmt, "out": out}, tmp, f"pyoxigraph dump {fmt}")
            if p:
                runs.setdefault(("pyox", fmt), []).append((p["secs"], p["rss_kb"]))
    res = {}
    for (who, fmt), vals in runs.items():
        path = os.path.join(tmp, f"{who}-export.{fmt}")
        res.setdefault(fmt, {})[who] = {
            "secs": statistics.median(v[0] for v in vals), "rss_kb": max(v[1] for v in vals),
            "bytes": os.path.getsize(path) if os.path.exists(path) else None,
        }
    # what kg wrote must read back as the same number of triples
    for fmt in ("ttl", "nt"):
        path = os.path.join(tmp, f"kg-export.{fmt}")
        if os.path.exists(path):
            p = peer("parse_count", {"file": path, "format": fmt}, tmp, f"pyoxigraph parse {path}")
            if p and p["count"] != d["inf_n"]:
                problem(f"kg's {fmt} export parses to {p['count']} triples, expected {d['inf_n']}")
    R["export"] = res


def phase_rdflib(a, d, tmp, R, queries):
    note_busy("rdflib")
    exports = [("turtle", os.path.join(tmp, "rdflib-export.ttl")), ("nt", os.path.join(tmp, "rdflib-export.nt"))]
    if a.mode == "quick":
        exports = exports[1:]  # rdflib's Turtle writer alone would take a third of the quick run
    names = " and ".join({"turtle": "Turtle", "nt": "N-Triples"}[f] for f, _ in exports)
    log(f"rdflib: parse {d['inf']}, {len(queries)} queries (timeout {a.rdflib_timeout:g} s each), {names} export")
    spec = {
        "file": d["inf"],
        "queries": [(n, t) for n, _, t in queries],
        "runs": a.runs,
        "query_timeout": a.rdflib_timeout,
        "slow_secs": 5.0,
        "parse_timeout": a.rdflib_parse_timeout,
        "export_timeout": a.rdflib_parse_timeout,
        "exports": exports,
    }
    limit = 3 * a.rdflib_parse_timeout + len(queries) * a.rdflib_timeout * a.runs + 600
    p = peer("rdflib_all", spec, tmp, "rdflib parse/queries/export", timeout=limit)
    if not p:
        return
    R["rdflib"] = p
    if p["load"].get("count") not in (None, d["inf_n"]):
        problem(f"rdflib parsed {p['load']['count']} triples, expected {d['inf_n']}")


def phase_traversal(a, d, tmp, R):
    """kg alone: graph projection and the commands built on it, each a fresh process."""
    note_busy("traversal")
    env = kg_env()
    help_text = subprocess.run([a.kg, "--help"], capture_output=True, text=True).stdout
    have = set(re.findall(r"^  (\w[\w-]*) ", help_text, re.M))
    if not {"path", "neighbors"} <= have:
        R["traversal"] = None
        return
    # On `lubmN.nt` as generated (LUBM-10: 1,272,953 triples), the graph issue 6 sets its targets on;
    # the inferred store (more edges: entailed memberOf, degreeFrom, …) gets one extra row.
    kg_store = os.path.join(tmp, "kg-trav-store")
    fresh(kg_store)
    if not checked(measure([a.kg, "--store", kg_store, "load", d["orig"]], env=env), f"kg load {d['orig']}"):
        return
    # Untimed, as for the queries: compacted like the query stores, then one warm-up run.
    checked(measure([a.kg, "--store", kg_store, "optimize"], env=env), "kg optimize")
    # The warm-up also saves each store's projection, so every timed run below opens the saved one
    # (the first-run cost of projecting is in the --scale table).
    checked(measure([a.kg, "--store", kg_store, "components"], env=env), "kg components (warm-up)")
    inferred_store = os.path.join(tmp, "kg-store")
    if os.path.isdir(inferred_store):
        checked(measure([a.kg, "--store", inferred_store, "components"], env=env), "kg components (warm-up, inferred store)")
    src = "http://www.Department0.University0.edu/UndergraduateStudent0"
    dst = "http://www.Department14.University0.edu/FullProfessor1" if a.size == 1 else "http://www.Department5.University9.edu/FullProfessor1"
    prof = "http://www.Department0.University0.edu/FullProfessor1"
    cases = [
        ("shortest path", ["path", "--undirected", src, dst]),
        ("3 shortest paths", ["path", "--undirected", "--k", "3", src, dst]),
        ("neighbours, 2 hops", ["neighbors", "--depth", "2", prof]),
    ]
    if "rank" in have:
        cases.append(("PageRank", ["rank"]))
    if "components" in have:
        cases.append(("connected components", ["components"]))
        cases.append(("connected components, inferred store", ["components"]))
    res = R["traversal"] = {}
    for label, args in cases:
        store = os.path.join(tmp, "kg-store") if "inferred" in label else kg_store
        log(f"traversal: kg {' '.join(args)}")
        walls, rss, proj = [], [], []
        for _ in range(a.trav_reps):
            out = os.path.join(tmp, "traversal.out")
            r = measure([a.kg, "--store", store, *args], stdout=out, env=env)
            if not checked(r, f"kg --store {store} {' '.join(args)}"):
                break
            walls.append(r["wall"])
            rss.append(r["rss_kb"])
            m = re.search(r"(?:projected|opened the saved projection of) (\d+) nodes? and (\d+) edges? in ([\d.]+) (ms|s)\b", r["stderr"])
            if m:
                proj.append(float(m.group(3)) / (1000 if m.group(4) == "ms" else 1))
                graph = (int(m.group(1)), int(m.group(2)))
            if args[0] == "path":
                with open(out, encoding="utf-8", errors="replace") as f:
                    shown = f.read()
                    if "hops)" not in shown and "hop)" not in shown:
                        problem(f"kg {' '.join(args)} found no path on LUBM-{a.size}")
        if walls:
            res[label] = {"secs": statistics.median(walls), "rss_kb": max(rss), "projection": statistics.median(proj) if proj else None,
                          "cmd": "kg " + " ".join(args), "nodes": graph[0] if proj else 0, "edges": graph[1] if proj else 0}


# --- the REPL through a pty -------------------------------------------------------------------

ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r")


class Pty:
    """A child on a pseudo-terminal, started through the spawner (so its peak RSS is its own)."""

    def __init__(self, argv, env):
        self.master, self.slave = os.openpty()
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
        self.t0 = time.perf_counter()
        self.pid = SPAWNER.start(argv, env=env, tty=os.ttyname(self.slave))
        self.buf, self.eof = b"", False

    def _read(self, timeout):
        r, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not r:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: no process has the terminal open any more
            data = b""
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def text(self):
        return ANSI.sub(b"", self.buf)

    def wait_for(self, needle, timeout):
        """The perf_counter time when needle appeared in the (colour-stripped) output, or None."""
        end = time.perf_counter() + timeout
        while needle not in self.text():
            left = end - time.perf_counter()
            if left <= 0 or self.eof:
                return None
            self._read(left)
        return time.perf_counter()

    def drain(self, secs):
        end = time.perf_counter() + secs
        while not self.eof and time.perf_counter() < end:
            self._read(end - time.perf_counter())

    def send(self, data):
        self.buf = b""
        os.write(self.master, data)

    def close(self, timeout=120):
        """Ctrl-U Ctrl-D, then waits for the exit; returns peak RSS (KiB)."""
        if self.slave is not None:
            os.close(self.slave)  # from now on EOF (EIO) means the child has gone
            self.slave = None
        try:
            os.write(self.master, b"\x15\x04")
        except OSError:
            pass
        end = time.perf_counter() + timeout
        while not self.eof and time.perf_counter() < end:
            self._read(end - time.perf_counter())
        if not self.eof:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        done = SPAWNER.finish()
        os.close(self.master)
        return done["rss_kb"]


def repl_env(home):
    env = kg_env()
    env.pop("NO_COLOR", None)
    env.update({
        "HOME": home, "XDG_DATA_HOME": os.path.join(home, ".local/share"),
        "XDG_CONFIG_HOME": os.path.join(home, ".config"), "XDG_STATE_HOME": os.path.join(home, ".local/state"),
        "XDG_CACHE_HOME": os.path.join(home, ".cache"), "TERM": "xterm-256color",
    })
    return env


def repl_startup(argv, env, n):
    times, rss = [], []
    for _ in range(n):
        s = Pty(argv, env)
        t = s.wait_for(b"kg> ", 60)
        if t is None:
            problem(f"{' '.join(argv)}: no 'kg> ' prompt within 60 s; output: {s.text()[-500:]!r}")
            s.close(5)
            return None
        times.append(t - s.t0)
        rss.append(s.close())
    return {"secs": statistics.median(times), "rss_kb": max(rss), "times": times}


def phase_repl(a, d, tmp, R):
    note_busy("repl")
    out = R["repl"] = {}
    home = os.path.join(tmp, "home")
    os.makedirs(home, exist_ok=True)
    env = repl_env(home)
    r = measure([a.kg, "stats"], env=env)  # seeds the default store on first use
    checked(r, "kg stats (seeding the default store)")
    log("REPL start-up on the seeded default store")
    out["startup_seeded"] = repl_startup([a.kg], env, a.tab_reps)
    kg_store = os.path.join(tmp, "kg-store")
    log(f"REPL start-up on the LUBM-{a.size} store")
    out["startup_lubm"] = repl_startup([a.kg, "--store", kg_store], env, 5)

    # Completion needs the ub: prefix (done last: it writes to the store)
    r = measure([a.kg, "--store", kg_store, "prefixes", "add", "ub", UB], env=env)
    if not checked(r, "kg prefixes add ub"):
        return
    log(f"completion latency on the LUBM-{a.size} store")
    s = Pty([a.kg, "--store", kg_store], env)
    if s.wait_for(b"kg> ", 60) is None:
        problem("completion: no prompt")
        s.close(5)
        return
    prompt_at = time.perf_counter()
    cases = [
        ("class after `a`", b"SELECT * WHERE { ?s a ub:Undergr", b"ub:UndergraduateStudent"),
        ("property of the subject's class", b"SELECT * WHERE { ?s a ub:UndergraduateStudent ; ub:advi", b"ub:advisor"),
        ("keyword", b"CONSTR", b"CONSTRUCT"),
    ]
    # The vocabulary is computed in the background after the prompt: Tab every 50 ms until a class completes.
    s.send(cases[0][1])
    s.drain(0.05)
    ready = None
    while time.perf_counter() - prompt_at < a.completion_wait:
        s.send(b"\t")
        t = s.wait_for(cases[0][2], 0.05)
        if t is not None:
            ready = t - prompt_at
            break
    out["vocabulary_ready"] = ready
    if ready is None:
        problem(f"completion: `ub:Undergr` + Tab never completed to ub:UndergraduateStudent within {a.completion_wait} s of the prompt")
    else:
        for label, typed, want in cases:
            lat = []
            for _ in range(a.tab_reps):
                s.send(b"\x15")  # Ctrl-U: clear the line
                s.drain(0.05)
                s.send(typed)
                s.drain(0.05)
                s.send(b"\t")
                t0 = time.perf_counter()
                t = s.wait_for(want, 5)
                if t is None:
                    problem(f"completion of {typed!r} + Tab did not show {want!r}; output {s.text()[-300:]!r}")
                    break
                lat.append(t - t0)
            out.setdefault("tab", {})[label] = {"secs": statistics.median(lat) if lat else None, "typed": typed.decode(), "want": want.decode(), "times": lat}
    out["completion_rss_kb"] = s.close()


# --- formatting -------------------------------------------------------------------------------


def fmt_time(s):
    if s is None:
        return "—"
    if s < 1:
        return f"{s * 1000:.1f} ms"
    return f"{s:.2f} s"


def fmt_rate(n, s, unit=""):
    if not s or n is None:
        return "—"
    r = n / s
    if r >= 1e6:
        return f"{r / 1e6:.2f} M{unit}/s"
    if r >= 1e3:
        return f"{r / 1e3:.0f} k{unit}/s"
    return f"{r:.0f}{unit}/s"


def fmt_rss(kb):
    return "—" if kb is None else f"{kb / 1024:.0f} MiB"


def ratio(x, y):
    return None if x is None or not y else x / y


def fmt_ratio(r):
    return "—" if r is None else (f"{r:.2f}×" if r < 100 else f"{r:.0f}×")


def verdict(ok):
    return "met" if ok else "**missed**"


class Targets:
    """Tallies target checks: name -> [met, missed]."""

    def __init__(self):
        self.tally = {}

    def check(self, name, value, limit, cmp="<="):
        if value is None:
            return None
        ok = value <= limit if cmp == "<=" else value >= limit
        self.tally.setdefault(name, [0, 0])[0 if ok else 1] += 1
        shown = fmt_ratio(value)
        if shown == fmt_ratio(limit) and value != limit:
            shown = f"{value:.4f}×"  # a near miss must not read as equal
        return f"{name} {shown}: {verdict(ok)}"


def render(a, d, R, meta):
    T = Targets()
    out = []
    w = out.append
    n = d["inf_n"]
    rd = R.get("rdflib") or {}

    w(f"### Load (LUBM-{a.size}; median of {a.load_reps}, peak RSS the highest)")
    w("")
    w("| step | triples | kg time | kg rate | kg RSS | pyoxigraph time | rate | RSS | rdflib time | rate | RSS | kg/pyox time | kg/pyox RSS | kg/rdflib time | targets |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    names = {
        "new": (f"new store: `lubm{a.size}-inferred.nt` (kg `load`, pyoxigraph `bulk_load(path=)`, rdflib `Graph().parse`)", n),
        "gz": (f"new store: `lubm{a.size}-inferred.nt.gz` (kg reads .gz; pyoxigraph `bulk_load(input=gzip.open())`)", n),
        "orig": (f"new store: `lubm{a.size}.nt`", d["orig_n"]),
        "existing": (f"store holding `lubm{a.size}.nt` + its {d['ent_n']:,} entailments", d["ent_n"]),
    }
    for key, (label, triples) in names.items():
        row = R.get("load", {}).get(key, {})
        kg, py = row.get("kg", {}), row.get("pyox", {})
        rl = rd.get("load", {}) if key == "new" else {}
        rl_secs = None if rl.get("timeout") else rl.get("secs")
        t_ratio = ratio(kg.get("secs"), py.get("secs"))
        m_ratio = ratio(kg.get("rss_kb"), py.get("rss_kb"))
        r_ratio = ratio(kg.get("secs"), rl_secs)
        thr = ratio(py.get("secs"), kg.get("secs"))  # kg rate / pyoxigraph rate
        tg = [T.check("load rate ≥0.9× pyox", thr, 0.9, ">="), T.check("memory ≤ pyox", m_ratio, 1.0)]
        if rl:
            tg.append(T.check("≥10× faster than rdflib", r_ratio, 0.1))
        rl_time = "timeout" if rl.get("timeout") else fmt_time(rl_secs) if rl else "—"
        w(f"| {label} | {triples:,} | {fmt_time(kg.get('secs'))} | {fmt_rate(triples, kg.get('secs'))} | {fmt_rss(kg.get('rss_kb'))} "
          f"| {fmt_time(py.get('secs'))} | {fmt_rate(triples, py.get('secs'))} | {fmt_rss(py.get('rss_kb'))} "
          f"| {rl_time} | {fmt_rate(triples, rl_secs) if rl else '—'} | {fmt_rss(rl.get('rss_kb')) if rl else '—'} "
          f"| {fmt_ratio(t_ratio)} | {fmt_ratio(m_ratio)} | {fmt_ratio(r_ratio)} | {'; '.join(x for x in tg if x)} |")
    w("")
    opt = R.get("optimize", {})
    w(f"Before the queries both inferred stores are compacted, untimed in the targets: `kg optimize` {fmt_time(opt.get('kg', {}).get('secs'))} "
      f"({fmt_rss(opt.get('kg', {}).get('rss_kb'))}), pyoxigraph `Store.optimize()` {fmt_time(opt.get('pyox', {}).get('secs'))} "
      f"({fmt_rss(opt.get('pyox', {}).get('rss_kb'))}): a fresh bulk-loaded store is merged by whichever command comes next, "
      "which would charge the compaction to the first query.")
    w("")

    w(f"### The 14 LUBM queries on `lubm{a.size}-inferred` (median of {a.runs} runs; results written as TSV to /dev/null)")
    w("")
    w("kg and pyoxigraph (process) are each a fresh process that opens the store, runs the query and writes TSV: "
      "`kg --store DIR query --format tsv --file qNN.rq > /dev/null` and `python pyox_query.py DIR qNN.rq > /dev/null`. "
      "pyoxigraph (in-process) has the store open already; rdflib runs in-process on a parsed Graph "
      f"(rows iterated; {a.rdflib_timeout:g} s timeout; one run only when a run takes over 5 s). "
      "*kg own timer* is what kg prints on stderr (store open + evaluation + writing, without process start-up and exit). "
      "*kg (session)* is the same query in one scripted `kg repl` session with the store open, the time kg prints for each statement "
      "(parse + evaluation + TSV to /dev/null): the in-process figures (pyoxigraph in-process, rdflib) are compared with it. "
      "*pyox (in-process, union)* runs with `use_default_graph_as_union=True`, the default-graph semantics kg uses: both are diagnostics, not targets.")
    w("")
    w("| query | rows | kg | kg rows/s | kg RSS | kg own timer | kg (session) | pyox (process) | pyox RSS | pyox (in-process) | pyox (in-process, union) | rdflib | kg/pyox (process) | kg session/pyox (in-process) | kg/pyox RSS | kg session/rdflib | targets |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    tot = {"kg": 0.0, "kg_session": 0.0, "pyox_cli": 0.0, "pyox_inproc": 0.0}
    tot_ok = {k: True for k in tot}
    for name, q in sorted(R.get("queries", {}).items()):
        exp = q["expected"]
        counts = {"kg": q.get("kg_count"), "pyoxigraph": q.get("pyox_cli_count"), "pyoxigraph in-process": q.get("pyox_inproc_count")}
        rq = rd.get("queries", {}).get(name, {})
        if rq.get("count") is not None:
            counts["rdflib"] = rq["count"]
        bad = {k: v for k, v in counts.items() if v != exp}
        rows = f"{exp:,} ✓" if not bad else f"**MISMATCH** expected {exp:,}: " + ", ".join(f"{k} {v if v is not None else 'no answer'}" for k, v in bad.items())
        kg, ks, pc, pi = q.get("kg", {}), q.get("kg_session", {}), q.get("pyox_cli", {}), q.get("pyox_inproc", {})
        for k, v in (("kg", kg), ("kg_session", ks), ("pyox_cli", pc), ("pyox_inproc", pi)):
            if v.get("secs") is None:
                tot_ok[k] = False
            else:
                tot[k] += v["secs"]
        rs = None if rq.get("timeout") else rq.get("median")
        rl_cell = "timeout" if rq.get("timeout") else fmt_time(rs) + (f" (n={len(rq['times'])})" if rq.get("times") and len(rq["times"]) < a.runs else "") if rq else "—"
        r_cli, r_in = ratio(kg.get("secs"), pc.get("secs")), ratio(ks.get("secs"), pi.get("secs"))
        m = ratio(kg.get("rss_kb"), pc.get("rss_kb"))
        r_rd = ratio(ks.get("secs"), rs) if rs else (0.0 if rq.get("timeout") and ks.get("secs") is not None and ks["secs"] * 10 <= a.rdflib_timeout else None)
        tg = [
            T.check("≤1.1× pyox (process)", r_cli, 1.1),
            T.check("≤1.1× pyox (in-process), kg in a session", r_in, 1.1),
            T.check("memory ≤ pyox (process)", m, 1.0),
        ]
        if rq:
            if rq.get("timeout") and r_rd == 0.0:
                T.tally.setdefault("≥10× faster than rdflib", [0, 0])[0] += 1
                tg.append("≥10× faster than rdflib: met (rdflib timed out)")
            else:
                tg.append(T.check("≥10× faster than rdflib", r_rd, 0.1))
        w(f"| {name} | {rows} | {fmt_time(kg.get('secs'))} | {fmt_rate(q.get('kg_count'), kg.get('secs'))} | {fmt_rss(kg.get('rss_kb'))} | {fmt_time(q.get('kg_own'))} | {fmt_time(ks.get('secs'))} "
          f"| {fmt_time(pc.get('secs'))} | {fmt_rss(pc.get('rss_kb'))} | {fmt_time(pi.get('secs'))} | {fmt_time(q.get('pyox_union'))} | {rl_cell} "
          f"| {fmt_ratio(r_cli)} | {fmt_ratio(r_in)} | {fmt_ratio(m)} | {fmt_ratio(r_rd) if not rq.get('timeout') else '—'} | {'; '.join(x for x in tg if x)} |")
    if R.get("queries"):
        t = {k: (v if tot_ok[k] else None) for k, v in tot.items()}
        w(f"| **sum of medians** | | {fmt_time(t['kg'])} | | | | {fmt_time(t['kg_session'])} | {fmt_time(t['pyox_cli'])} | | {fmt_time(t['pyox_inproc'])} | | | "
          f"{fmt_ratio(ratio(t['kg'], t['pyox_cli']))} | {fmt_ratio(ratio(t['kg_session'], t['pyox_inproc']))} | | | |")
    w("")
    if R.get("pyox_inproc_rss_kb"):
        w(f"kg session: peak RSS over all 14 queries, {a.runs + 1} runs each, {fmt_rss(R.get('kg_session_rss_kb'))}. "
          f"pyoxigraph in-process: store opened in {fmt_time(R.get('pyox_open_secs'))}, peak RSS over all 14 queries {fmt_rss(R['pyox_inproc_rss_kb'])}. "
          f"rdflib's peak RSS over the queries (graph included): {fmt_rss(rd.get('queries_rss_kb'))}.")
        w("")

    w(f"### Export (LUBM-{a.size}-inferred, {n:,} triples; median of {a.load_reps})")
    w("")
    w("| export | kg time | kg rate | kg RSS | kg bytes | pyox N-Triples dump | pyox same format | pyox RSS (same format) | rdflib same format | rdflib RSS | kg/pyox N-Triples | kg/pyox same format | kg/pyox RSS | kg/rdflib | targets |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    ex = R.get("export", {})
    for fmt, label, rfmt in (("ttl", "Turtle (kg: pretty, sorted, grouped)", "turtle"), ("nt", "N-Triples", "nt")):
        kg = ex.get(fmt, {}).get("kg", {})
        same = ex.get(fmt, {}).get("pyox", {})
        ntd = ex.get("nt", {}).get("pyox", {})
        re_ = rd.get("exports", {}).get(rfmt, {})
        rs = None if re_.get("timeout") else re_.get("secs")
        r_nt, r_same = ratio(kg.get("secs"), ntd.get("secs")), ratio(kg.get("secs"), same.get("secs"))
        m = ratio(kg.get("rss_kb"), same.get("rss_kb"))
        r_rd = ratio(kg.get("secs"), rs)
        tg = []
        if fmt == "ttl":
            tg.append(T.check("Turtle ≤1.5× pyox N-Triples dump", r_nt, 1.5))
        tg.append(T.check("memory ≤ pyox", m, 1.0))
        if re_:
            tg.append(T.check("≥10× faster than rdflib", r_rd, 0.1) if rs else "≥10× faster than rdflib: met (rdflib timed out)")
        w(f"| {label} | {fmt_time(kg.get('secs'))} | {fmt_rate(n, kg.get('secs'))} | {fmt_rss(kg.get('rss_kb'))} | {kg.get('bytes') or 0:,} "
          f"| {fmt_time(ntd.get('secs'))} | {fmt_time(same.get('secs'))} | {fmt_rss(same.get('rss_kb'))} "
          f"| {'timeout' if re_.get('timeout') else fmt_time(rs)} | {fmt_rss(re_.get('rss_kb'))} "
          f"| {fmt_ratio(r_nt)} | {fmt_ratio(r_same)} | {fmt_ratio(m)} | {fmt_ratio(r_rd)} | {'; '.join(x for x in tg if x)} |")
    w("")
    w("rdflib's export RSS includes the parsed graph it serialises (it has no store to read from).")
    w("")

    rp = R.get("repl", {})
    w("### kg alone")
    w("")
    w("| figure | time | peak RSS | how |")
    w("|---|---:|---:|---|")
    ss = rp.get("startup_seeded") or {}
    w(f"| REPL start-up to the first `kg> ` prompt, seeded default store | {fmt_time(ss.get('secs'))} | {fmt_rss(ss.get('rss_kb'))} | median of {len(ss.get('times') or [])} spawns in a pty |")
    sl = rp.get("startup_lubm") or {}
    w(f"| REPL start-up to the first prompt, LUBM-{a.size} store ({n:,} triples) | {fmt_time(sl.get('secs'))} | {fmt_rss(sl.get('rss_kb'))} | median of {len(sl.get('times') or [])} |")
    w(f"| completion vocabulary ready (prompt → class completion works), LUBM-{a.size} store | {fmt_time(rp.get('vocabulary_ready'))} | {fmt_rss(rp.get('completion_rss_kb'))} | Tab every 50 ms after the prompt |")
    for label, v in (rp.get("tab") or {}).items():
        w(f"| Tab completion latency: {label} (`{v['typed']}` → `{v['want']}`) | {fmt_time(v['secs'])} | | median of {len(v['times'])}, keystroke → text on screen |")
    tr = R.get("traversal")
    if tr is None:
        w(f"| projection and shortest path on LUBM-{a.size} | n/a | | not measured: this kg has no `path`/`neighbors` command |")
    else:
        for label, v in tr.items():
            if isinstance(v, dict):
                data = f"`lubm{a.size}-inferred`, {n:,} triples" if "inferred" in label else f"`lubm{a.size}.nt`, {d['orig_n']:,} triples"
                w(f"| {label.replace(', inferred store', '')}, LUBM-{a.size} ({data}; `{v['cmd'].replace(' http://www.', ' …')}`) | {fmt_time(v['secs'])} | {fmt_rss(v['rss_kb'])} "
                  f"| whole process, median of {a.trav_reps}; of which opening the saved projection {fmt_time(v['projection'])} ({v.get('nodes', 0):,} nodes, {v.get('edges', 0):,} edges, kg's own timer) |")
    w("")

    w("### Targets")
    w("")
    w("| target | met | missed |")
    w("|---|---:|---:|")
    for name, (ok, bad) in T.tally.items():
        w(f"| {name} | {ok} | {bad} |")
    w("")
    return "\n".join(out), T.tally


def machine():
    with open("/proc/meminfo") as f:
        mem = next(l for l in f if l.startswith("MemTotal")).split()[1]
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model or platform.machine()}), {int(mem) / 1024 / 1024:.1f} GiB memory, {platform.system()} {platform.release()}"


def versions(kg):
    v = subprocess.run([kg, "--version"], capture_output=True, text=True).stdout.strip()
    peers = subprocess.run([PY, "-c", "import pyoxigraph, rdflib, sys; print(pyoxigraph.__version__, rdflib.__version__, sys.version.split()[0])"],
                           capture_output=True, text=True).stdout.split()
    commit = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True, text=True).stdout.strip()
    built = datetime.datetime.fromtimestamp(os.path.getmtime(kg), datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    newest = 0.0
    for base in ("src", "Cargo.toml", "Cargo.lock", "build.rs"):
        p = os.path.join(ROOT, base)
        for dirpath, _, files in os.walk(p) if os.path.isdir(p) else [(os.path.dirname(p), None, [os.path.basename(p)])]:
            for fn in files:
                try:
                    newest = max(newest, os.path.getmtime(os.path.join(dirpath, fn)))
                except OSError:
                    pass
    stale = newest > os.path.getmtime(kg)
    return {"kg": v, "pyoxigraph": peers[0] if peers else "?", "rdflib": peers[1] if len(peers) > 1 else "?",
            "python": peers[2] if len(peers) > 2 else "?", "commit": commit, "built": built, "stale": stale}


def publish(lines, results, mode):
    """Prints a run's section (with its problems), records it in `results` unless that is empty,
    and exits 1 when there were problems."""
    if PROBLEMS:
        lines = lines + ["### Problems", ""] + [f"- {p}" for p in PROBLEMS] + [""]
    section = "\n".join(lines)
    print(section)
    if results:
        write_results(results, mode, section)
        log(f"recorded in {results}")
    if PROBLEMS:
        log(f"\n{len(PROBLEMS)} PROBLEM(S):\n" + "\n".join(f"  - {p}" for p in PROBLEMS))
        sys.exit(1)


def write_results(path, mode, section):
    begin, end = f"<!-- results:{mode}:begin -->", f"<!-- results:{mode}:end -->"
    block = f"{begin}\n{section}\n{end}"
    head = ("# Benchmark results\n\n"
            "Written by `bash benches/run.sh` (see `benches/README.md`): one section per mode, replaced on each run of that mode.\n")
    text = open(path, encoding="utf-8").read() if os.path.exists(path) else head
    start = text.find(begin)
    stop = text.find(end, start) if start >= 0 else -1
    if stop >= 0:
        # The end after this section's begin: a stray marker elsewhere must not swallow sections.
        text = text[:start] + block + text[stop + len(end) :]
    else:
        # full before quick
        other = "<!-- results:quick:begin -->"
        if mode == "full" and other in text:
            i = text.index(other)
            text = text[:i] + block + "\n\n" + text[i:]
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mode", choices=("quick", "full"), default="quick")
    ap.add_argument("--kg", required=True, help="the kg binary (release build)")
    ap.add_argument("--data", required=True, help="the datasets directory (lubm*.nt.gz, lubm-queries/, README.md)")
    ap.add_argument("--runs", type=int, help="runs per query after an untimed one (default 1 quick, 3 full)")
    ap.add_argument("--load-reps", type=int, help="repetitions of each load and export (default 1 quick, 2 full)")
    ap.add_argument("--rdflib-timeout", type=float, help="per-query timeout for rdflib, seconds (default 0.5 quick, 60 full)")
    ap.add_argument("--trav-reps", type=int, help="repetitions of each traversal command (default 1 quick, 2 full)")
    ap.add_argument("--rdflib-parse-timeout", type=float, default=1800.0)
    ap.add_argument("--completion-wait", type=float, default=300.0, help="how long to wait for completion to become available")
    ap.add_argument("--no-rdflib", action="store_true", help="skip rdflib (it is the slow part of --full)")
    ap.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"), help="markdown file to record the results in ('' for none)")
    ap.add_argument("--command", default=None, help="the command line to record")
    ap.add_argument("--tmp", default=None, help="work directory (default: a new temp dir, removed at the end)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()
    a.size = 1 if a.mode == "quick" else 10
    a.runs = a.runs or (1 if a.mode == "quick" else 3)
    a.load_reps = a.load_reps or (1 if a.mode == "quick" else 2)
    a.rdflib_timeout = a.rdflib_timeout or (0.5 if a.mode == "quick" else 60.0)
    a.tab_reps = 3 if a.mode == "quick" else 10  # REPL start-ups and keystrokes per completion case
    a.trav_reps = a.trav_reps or (1 if a.mode == "quick" else 2)
    a.kg = os.path.abspath(a.kg)

    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = loadavg()
    meta = versions(a.kg)
    if meta["stale"]:
        log(f"WARNING: {a.kg} is older than a file in src/: the figures are for the binary, not the working tree")
    triples, expected = parse_expected(os.path.join(a.data, "README.md"), a.size)
    qdir = os.path.join(a.data, "lubm-queries")
    queries = []
    for name in sorted(expected):
        path = os.path.join(qdir, f"{name}.rq")
        with open(path, encoding="utf-8") as f:
            queries.append((name, path, f.read()))

    global SPAWNER
    SPAWNER = Spawner()
    tmp = a.tmp or tempfile.mkdtemp(prefix="kg-bench-")
    os.makedirs(tmp, exist_ok=True)
    # A copy of the binary: a build running beside the benchmark must not swap it half-way.
    snapshot = os.path.join(tmp, "kg")
    shutil.copy2(a.kg, snapshot)
    h = hashlib.sha256()
    with open(snapshot, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    meta["sha256"] = h.hexdigest()[:16]
    a.kg_path, a.kg = a.kg, snapshot
    R = {}
    try:
        d = prepare(a.data, a.size, tmp, triples)
        phase_load(a, d, tmp, R)
        log("queries")
        phase_queries(a, d, tmp, R, queries, expected)
        phase_export(a, d, tmp, R)
        if not a.no_rdflib:
            phase_rdflib(a, d, tmp, R, queries)
        phase_traversal(a, d, tmp, R)
        phase_repl(a, d, tmp, R)
    finally:
        SPAWNER.close()
        if not a.keep and not a.tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"work directory kept: {tmp}")
    # a count that is wrong is a problem whoever got it
    for name, q in R.get("queries", {}).items():
        for who in ("kg_count", "pyox_cli_count", "pyox_inproc_count"):
            if q.get(who) is not None and q[who] != q["expected"]:
                problem(f"{name}: {who.replace('_count', '')} returned {q[who]} rows, the datasets README expects {q['expected']}")
        rq = (R.get("rdflib") or {}).get("queries", {}).get(name, {})
        if rq.get("count") is not None and rq["count"] != q["expected"]:
            problem(f"{name}: rdflib returned {rq['count']} rows, the datasets README expects {q['expected']}")

    finished = datetime.datetime.now(datetime.timezone.utc)
    tables, tally = render(a, d, R, meta)
    cmd = a.command or " ".join([os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:])
    busy = "; ".join(f"{k}: {', '.join(sorted(v))}" for k, v in BUSY.items())
    lines = [
        f"## {a.mode} (LUBM-{a.size})",
        "",
        f"- date: {started:%Y-%m-%d %H:%M} – {finished:%H:%M} UTC ({(finished - started).total_seconds() / 60:.1f} min)",
        f"- machine: {machine()}; load average {load_before} before, {loadavg()} after",
        f"- command: `{cmd}`",
        f"- versions: {meta['kg']} (release binary `{a.kg_path}`, built {meta['built']}, sha256 {meta['sha256']}…, repo at `{meta['commit']}`"
        + (", **binary older than src/**" if meta["stale"] else "") + f"); pyoxigraph {meta['pyoxigraph']}; rdflib {meta['rdflib']}; Python {meta['python']}",
        f"- data: `{a.data}`: `lubm{a.size}.nt.gz` ({d['orig_n']:,} triples), `lubm{a.size}-inferred.nt.gz` ({d['inf_n']:,} triples), decompressed once to a temp dir",
        "- other builds running during the run: " + (f"**yes** ({busy}): timings may be noisy" if busy else "none seen"),
        "- result counts: " + ("all as the datasets README expects" if not any("rows" in p for p in PROBLEMS) else "**MISMATCHES**, see below"),
        "",
        tables,
    ]
    publish(lines, a.results, a.mode)


if __name__ == "__main__":
    main()
