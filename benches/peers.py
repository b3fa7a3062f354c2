"""The peer side of the benchmark: one measured step of pyoxigraph or rdflib per process.

bench.py runs `python peers.py OP SPEC_JSON RESULT_JSON` in a fresh process for each step, so
the peak RSS it reads from wait4() belongs to that step alone. Each op times its own work with
perf_counter (interpreter start-up and `import` excluded: that is the stricter comparison for
kg, whose figures are whole CLI processes) and writes a JSON object to RESULT_JSON.
"""
import gzip
import json
import os
import resource
import signal
import statistics
import sys
import time


def rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# --- pyoxigraph -------------------------------------------------------------------------------


def pyox_load(spec):
    """A bulk load into an on-disk store (new, or holding data already)."""
    from pyoxigraph import RdfFormat, Store

    t0 = time.perf_counter()
    store = Store(spec["store"])
    if spec.get("gz"):
        with gzip.open(spec["file"], "rb") as f:
            store.bulk_load(input=f, format=RdfFormat.N_TRIPLES)
    else:
        store.bulk_load(path=spec["file"], format=RdfFormat.N_TRIPLES)
    del store
    return {"secs": time.perf_counter() - t0}


def pyox_count(spec):
    from pyoxigraph import Store

    return {"count": len(Store(spec["store"]))}


def pyox_optimize(spec):
    from pyoxigraph import Store

    t0 = time.perf_counter()
    store = Store(spec["store"])
    store.optimize()
    del store
    return {"secs": time.perf_counter() - t0}


def parse_count(spec):
    """Untimed check: how many triples a file parses to."""
    from pyoxigraph import RdfFormat, parse

    fmt = {"nt": RdfFormat.N_TRIPLES, "ttl": RdfFormat.TURTLE}[spec["format"]]
    return {"count": sum(1 for _ in parse(path=spec["file"], format=fmt))}


def pyox_dump(spec):
    from pyoxigraph import DefaultGraph, RdfFormat, Store

    fmt = {"nt": RdfFormat.N_TRIPLES, "ttl": RdfFormat.TURTLE}[spec["format"]]
    t0 = time.perf_counter()
    store = Store(spec["store"])
    store.dump(spec["out"], fmt, from_graph=DefaultGraph())
    del store
    return {"secs": time.perf_counter() - t0}


def pyox_queries(spec):
    """In-process: the store opened once, every query run to completion as TSV to /dev/null."""
    from pyoxigraph import QueryResultsFormat, Store

    t0 = time.perf_counter()
    store = Store(spec["store"])
    open_secs = time.perf_counter() - t0
    out = {"open_secs": open_secs, "queries": {}}
    with open(os.devnull, "wb") as devnull:
        for name, text in spec["queries"]:
            # Untimed warm-up that also counts the rows (TSV: one header line, one line per row).
            tsv = store.query(text).serialize(None, QueryResultsFormat.TSV)
            count = tsv.count(b"\n") - 1
            times = []
            for _ in range(spec["runs"]):
                t = time.perf_counter()
                store.query(text).serialize(devnull, QueryResultsFormat.TSV)
                times.append(time.perf_counter() - t)
            # diagnostic: the union default graph, as kg queries it
            union = []
            for _ in range(spec["runs"]):
                t = time.perf_counter()
                store.query(text, use_default_graph_as_union=True).serialize(devnull, QueryResultsFormat.TSV)
                union.append(time.perf_counter() - t)
            out["queries"][name] = {"count": count, "times": times, "median": statistics.median(times), "union_median": statistics.median(union)}
    out["rss_kb"] = rss_kb()
    return out


# --- rdflib -----------------------------------------------------------------------------------


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def limited(seconds, fn):
    """Runs fn() with a wall-clock limit (rdflib is pure Python, so SIGALRM interrupts it)."""
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def rdflib_all(spec):
    """rdflib has no on-disk store of its own: one process parses the file into an in-memory Graph
    (the load figure), then runs the queries and the exports on it. Peak RSS is recorded after each
    phase (ru_maxrss only grows, so each phase's figure includes the graph held since the parse)."""
    import rdflib

    out = {"queries": {}, "exports": {}}
    g = rdflib.Graph()
    t0 = time.perf_counter()
    try:
        limited(spec["parse_timeout"], lambda: g.parse(spec["file"], format="nt"))
    except Timeout:
        out["load"] = {"timeout": True, "secs": spec["parse_timeout"], "rss_kb": rss_kb()}
        return out
    out["load"] = {"secs": time.perf_counter() - t0, "rss_kb": rss_kb(), "count": len(g)}
    for name, text in spec["queries"]:
        times, count, timed_out = [], None, False
        for _ in range(spec["runs"]):
            t = time.perf_counter()
            try:
                n = limited(spec["query_timeout"], lambda: sum(1 for _ in g.query(text)))
            except Timeout:
                timed_out = True
                break
            times.append(time.perf_counter() - t)
            count = n
            if times[-1] > spec["slow_secs"]:
                break  # one slow run is enough to compare; more would only make the run longer
        out["queries"][name] = {
            "count": count,
            "times": times,
            "median": statistics.median(times) if times else None,
            "timeout": timed_out and not times,
        }
        sys.stderr.write(f"  rdflib {name}: {'timeout' if timed_out and not times else f'{statistics.median(times):.3f} s'}\n")
    out["queries_rss_kb"] = rss_kb()
    for fmt, path in spec["exports"]:
        t = time.perf_counter()
        try:
            limited(spec["export_timeout"], lambda: g.serialize(destination=path, format=fmt))
            out["exports"][fmt] = {"secs": time.perf_counter() - t, "rss_kb": rss_kb()}
        except Timeout:
            out["exports"][fmt] = {"timeout": True, "secs": spec["export_timeout"], "rss_kb": rss_kb()}
        sys.stderr.write(f"  rdflib export {fmt}: {out['exports'][fmt]['secs']:.2f} s\n")
    return out


OPS = {
    "pyox_load": pyox_load,
    "pyox_count": pyox_count,
    "pyox_optimize": pyox_optimize,
    "pyox_dump": pyox_dump,
    "parse_count": parse_count,
    "pyox_queries": pyox_queries,
    "rdflib_all": rdflib_all,
}

if __name__ == "__main__":
    op, spec_path, result_path = sys.argv[1:4]
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    result = OPS[op](spec)
    with open(result_path, "w", encoding="utf-8") as f:
        json.dump(result, f)
