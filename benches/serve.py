#!/usr/bin/env python3
"""kg serve against oxigraph serve: the LUBM query mix over HTTP at 1, 4 and 16 clients.

Both servers get the same data (LUBM-10-inferred by default), each in a fresh on-disk store
loaded by its own CLI and compacted; both listen on 127.0.0.1 only. Each client is a thread with
one keep-alive connection that sends the 14 LUBM queries in turn (each client starts at another
query), GET ?query=, Accept: text/tab-separated-values, and reads every answer whole. A cell runs
for --seconds or --max-requests per client, whichever comes first, after one untimed warm-up
round that checks both servers return the same number of rows for every query.

Reported: queries/s, p50 and p99 latency, and the server's peak RSS (VmHWM) after all cells.
Results go to benches/RESULTS.md under "## serve (...)", replacing that section.

  python3 benches/serve.py                      # LUBM-10-inferred, 15 s per cell
  python3 benches/serve.py --data lubm1-inferred.nt.gz --seconds 3

Needs the kg release binary ($KG_BIN or $CARGO_TARGET_DIR/release/kg) and the oxigraph server
binary that the oxigraph wheel installs ($KG_VENV/bin/oxigraph; scripts/setup.sh --test).
Nothing here asserts a timing.
"""

import argparse
import datetime
import gzip
import http.client
import os
import pathlib
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"no server on port {port} after {seconds} s")


def peak_rss_mib(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


class Server:
    def __init__(self, name, argv, path, port):
        self.name, self.path, self.port = name, path, port
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(port)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def rows_of(body):
    lines = body.count(b"\n")
    return max(lines - 1, 0)


def client(server, queries, start, stop_at, max_requests, latencies, errors):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
    i = start
    for _ in range(max_requests):
        if time.time() >= stop_at:
            break
        name, text = queries[i % len(queries)]
        i += 1
        url = server.path + "?" + urllib.parse.urlencode({"query": text})
        t0 = time.perf_counter()
        try:
            conn.request("GET", url, headers={"Accept": "text/tab-separated-values"})
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                errors.append(f"{name}: {response.status} {body[:200]!r}")
        except (OSError, http.client.HTTPException) as e:
            errors.append(f"{name}: {e}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
            continue
        latencies.append(time.perf_counter() - t0)
    conn.close()


def cell(server, queries, clients, seconds, max_requests):
    latencies, errors = [], []
    stop_at = time.time() + seconds
    threads = [
        threading.Thread(target=client, args=(server, queries, k * 5, stop_at, max_requests, latencies, errors))
        for k in range(clients)
    ]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float("nan")
    return {
        "requests": len(latencies),
        "qps": len(latencies) / elapsed,
        "p50": p(0.50),
        "p99": p(0.99),
        "errors": errors,
    }


def warm_up(server, queries):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    counts = {}
    for name, text in queries:
        conn.request("GET", server.path + "?" + urllib.parse.urlencode({"query": text}),
                     headers={"Accept": "text/tab-separated-values"})
        r = conn.getresponse()
        body = r.read()
        if r.status != 200:
            raise SystemExit(f"{server.name} {name}: {r.status} {body[:300]!r}")
        counts[name] = rows_of(body)
    conn.close()
    return counts


def ms(x):
    return f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    shared = pathlib.Path(os.environ.get("KG_SHARED", ROOT.parent / "shared"))
    parser.add_argument("--data", default="lubm10-inferred.nt.gz")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--max-requests", type=int, default=20000, help="per client and cell")
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--results", default=str(ROOT / "benches" / "RESULTS.md"), help="'' to write nothing")
    args = parser.parse_args()
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", pathlib.Path.home() / ".cache/kg-target"))
    kg_source = pathlib.Path(os.environ.get("KG_BIN", target / "release" / "kg"))
    venv = pathlib.Path(os.environ.get("KG_VENV", pathlib.Path.home() / ".cache/kg-venv"))
    oxigraph = venv / "bin" / "oxigraph"
    for tool in (kg_source, oxigraph):
        if not tool.exists():
            raise SystemExit(f"missing {tool}: build kg with cargo build --release; run scripts/setup.sh --test")
    data = shared / "datasets" / args.data
    queries = sorted((p.stem, p.read_text()) for p in (shared / "datasets" / "lubm-queries").glob("q*.rq"))
    clients = [int(c) for c in args.clients.split(",")]
    work = pathlib.Path(tempfile.mkdtemp(prefix="kg-serve-bench-"))
    started = datetime.datetime.now(datetime.timezone.utc)
    try:
        # A copy of the binary: a build finishing during the run must not swap it.
        kg = work / "kg"
        shutil.copy2(kg_source, kg)
        nt = work / data.name.removesuffix(".gz")
        with gzip.open(data, "rb") as src, open(nt, "wb") as dst:
            shutil.copyfileobj(src, dst)
        prepare = {}
        t0 = time.perf_counter()
        subprocess.run([kg, "--store", work / "kg-store", "load", nt], check=True, capture_output=True)
        subprocess.run([kg, "--store", work / "kg-store", "optimize"], check=True, capture_output=True)
        prepare["kg"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        subprocess.run([oxigraph, "load", "--location", work / "ox-store", "--file", nt], check=True, capture_output=True)
        subprocess.run([oxigraph, "optimize", "--location", work / "ox-store"], check=True, capture_output=True)
        prepare["oxigraph"] = time.perf_counter() - t0
        results, rss, counts = {}, {}, {}
        for name in ("kg", "oxigraph"):
            port = free_port()
            if name == "kg":
                argv = [kg, "--store", work / "kg-store", "serve", "--bind", f"127.0.0.1:{port}", "--quiet", "--timeout", "300"]
                server = Server(name, argv, "/sparql", port)
            else:
                argv = [oxigraph, "serve-read-only", "--location", work / "ox-store", "--bind", f"127.0.0.1:{port}"]
                server = Server(name, argv, "/query", port)
            try:
                counts[name] = warm_up(server, queries)
                for c in clients:
                    results[(name, c)] = cell(server, queries, c, args.seconds, args.max_requests)
                    r = results[(name, c)]
                    print(f"{name:9} {c:2} clients: {r['qps']:8.2f} q/s  p50 {ms(r['p50'])}  p99 {ms(r['p99'])}  "
                          f"{r['requests']} requests, {len(r['errors'])} errors", flush=True)
                rss[name] = peak_rss_mib(server.process.pid)
            finally:
                server.stop()
        mismatches = [q for q, _ in queries if counts["kg"][q] != counts["oxigraph"][q]]
        lines = [
            f"## serve ({data.name}: kg serve against oxigraph serve)",
            "",
            f"- date: {started:%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} cores; load average before {os.getloadavg()[0]:.2f}",
            f"- command: `python3 benches/serve.py --data {args.data} --seconds {args.seconds:g} --clients {args.clients}`",
            f"- kg: `{kg_source}` (copied at start); oxigraph: `{oxigraph}` (the oxigraph 0.5.13 wheel's server, `serve-read-only`)",
            f"- stores loaded and compacted by each CLI: kg {prepare['kg']:.1f} s, oxigraph {prepare['oxigraph']:.1f} s",
            "- clients: Python threads, one keep-alive connection each, the 14 LUBM queries in turn (GET, TSV answers read whole), "
            f"{args.seconds:g} s or {args.max_requests} requests per client and cell, after one untimed warm-up round",
            "- row counts: " + ("the same from both servers for all 14 queries" if not mismatches else "**differ** for " + ", ".join(mismatches)),
            "",
            "| clients | kg q/s | oxigraph q/s | kg/ox q/s | kg p50 | ox p50 | kg p99 | ox p99 | kg/ox p99 | errors (kg, ox) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for c in clients:
            k, o = results[("kg", c)], results[("oxigraph", c)]
            lines.append(
                f"| {c} | {k['qps']:.2f} | {o['qps']:.2f} | {k['qps'] / o['qps']:.2f}× | {ms(k['p50'])} | {ms(o['p50'])} | "
                f"{ms(k['p99'])} | {ms(o['p99'])} | {k['p99'] / o['p99']:.2f}× | {len(k['errors'])}, {len(o['errors'])} |"
            )
        lines += ["", f"Peak RSS of the server process over all cells (VmHWM): kg {rss['kg']:.0f} MiB, oxigraph {rss['oxigraph']:.0f} MiB ({rss['kg'] / rss['oxigraph']:.2f}×).", ""]
        section = "\n".join(lines)
        print(section)
        for name, c in results:
            for e in results[(name, c)]["errors"][:5]:
                print(f"error ({name}, {c} clients): {e}", file=sys.stderr)
        if args.results:
            path = pathlib.Path(args.results)
            text = path.read_text() if path.exists() else "# Benchmark results\n"
            head = section.splitlines()[0]
            start = text.find(head)
            if start >= 0:
                end = text.find("\n## ", start + 1)
                text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
            else:
                text = text.rstrip("\n") + "\n\n" + section
            path.write_text(text)
        return 1 if mismatches or any(r["errors"] for r in results.values()) else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
