"""Peer steps for reasoning.py and union.py: one measured step of owlrl, reasonable or pyoxigraph
per process, in the manner of peers.py (which serves bench.py and is left as it is).

The drivers run `python peers2.py OP SPEC_JSON RESULT_JSON` in a fresh child per measurement, so
the peak RSS belongs to that step alone. Each op times its own work with perf_counter (interpreter
start-up and `import` excluded: the stricter comparison for kg, whose figures are whole CLI
processes), records ru_maxrss when the measured work is done, and only then does any untimed
diagnostic work (writing the inferred triples out for the closure comparison).

Triples written for the comparison: one per line, the three terms tab-separated in N-Triples
syntax (rdflib's n3(); blank nodes as _:id). The drivers compare only triples of IRIs, whose
spelling is the same in every engine.
"""
import json
import os
import resource
import statistics
import sys
import time


def rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def write_json(path, obj):
    tmp = path + ".part"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f)
    os.replace(tmp, path)


def rdflib_parse(files):
    """The input files into a new rdflib Graph: (path, format) pairs."""
    import rdflib

    g = rdflib.Graph()
    for path, fmt in files:
        g.parse(path, format=fmt)
    return g


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def norm(t):
    """A triple with its literals made comparable across engines: in RDF 1.1 a plain literal is an
    xsd:string, but rdflib keeps `"x"` and `"x"^^xsd:string` apart (reasonable returns the latter)."""
    from rdflib import Literal

    o = t[2]
    if isinstance(o, Literal) and o.datatype is not None and str(o.datatype) == XSD_STRING:
        return (t[0], t[1], Literal(str(o)))
    return t


def dump_triples(triples, path):
    with open(path, "w", encoding="utf-8") as f:
        for s, p, o in triples:
            f.write(f"{s.n3()}\t{p.n3()}\t{o.n3()}\n")


# --- owlrl ------------------------------------------------------------------------------------


def owlrl_closure(spec, result_path):
    """OWL 2 RL closure with owlrl on an rdflib Graph, as its documentation shows it."""
    import owlrl

    out = {}
    t0 = time.perf_counter()
    g = rdflib_parse(spec["files"])
    out["parse_secs"] = time.perf_counter() - t0
    out["asserted"] = len(g)
    out["parse_rss_kb"] = rss_kb()
    write_json(result_path, out)  # so a run killed on timeout still tells how long the parse took
    t1 = time.perf_counter()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(g)
    out["reason_secs"] = time.perf_counter() - t1
    out["total_secs"] = time.perf_counter() - t0
    out["rss_kb"] = rss_kb()
    out["closure"] = len(g)
    # untimed: the inferred triples are the closure less the input (parsed again)
    base = {norm(t) for t in rdflib_parse(spec["files"])}
    inferred = [t for t in g if norm(t) not in base]
    out["inferred"] = len(inferred)
    if spec.get("dump"):
        dump_triples(inferred, spec["dump"])
    return out


# --- reasonable -------------------------------------------------------------------------------


def _reasonable_load(r, files):
    # PyReasoner.load_file reads Turtle or N3 and goes by the file name's extension: drivers pass
    # N-Triples files under a .ttl name (N-Triples is a subset of Turtle).
    for path, _ in files:
        r.load_file(path)


def reasonable_closure(spec, result_path):
    """OWL 2 RL closure with the `reasonable` package: load_file() then reason(), which returns
    every triple of the closure (input and inferred) as rdflib terms."""
    import reasonable

    out = {}
    t0 = time.perf_counter()
    r = reasonable.PyReasoner()
    _reasonable_load(r, spec["files"])
    out["parse_secs"] = time.perf_counter() - t0
    out["parse_rss_kb"] = rss_kb()
    write_json(result_path, out)
    t1 = time.perf_counter()
    closure = r.reason()
    out["reason_secs"] = time.perf_counter() - t1
    out["total_secs"] = time.perf_counter() - t0
    out["rss_kb"] = rss_kb()
    out["closure_list"] = len(closure)
    # untimed: distinct triples, and those not in the input
    closure = {norm(t) for t in closure}
    out["closure"] = len(closure)
    base = {norm(t) for t in rdflib_parse([(p, f) for p, f in spec["orig_files"]])}
    out["asserted"] = len(base)
    inferred = [t for t in closure if t not in base]
    out["inferred"] = len(inferred)
    out["base_kept"] = sum(1 for t in base if t in closure)
    if spec.get("dump"):
        dump_triples(inferred, spec["dump"])
    return out


def reasonable_incremental(spec, result_path):
    """reasonable's own incremental case: the base closure computed untimed, then more triples
    loaded and reason() called again (timed; the package keeps its state between calls)."""
    import reasonable

    out = {}
    r = reasonable.PyReasoner()
    t0 = time.perf_counter()
    _reasonable_load(r, spec["files"])
    n0 = len(set(r.reason()))
    out["base_secs"] = time.perf_counter() - t0
    out["base_closure"] = n0
    out["base_rss_kb"] = rss_kb()
    write_json(result_path, out)
    t1 = time.perf_counter()
    _reasonable_load(r, spec["add"])
    t2 = time.perf_counter()
    closure = r.reason()
    t3 = time.perf_counter()
    out["add_parse_secs"] = t2 - t1
    out["add_reason_secs"] = t3 - t2
    out["add_secs"] = t3 - t1
    out["rss_kb"] = rss_kb()
    out["closure"] = len(set(closure))
    return out


# --- pyoxigraph -------------------------------------------------------------------------------


def pyox_load_graphs(spec, result_path):
    """Bulk loads into an on-disk store: (file, graph IRI or None) pairs, then optimize()."""
    from pyoxigraph import NamedNode, RdfFormat, Store

    t0 = time.perf_counter()
    store = Store(spec["store"])
    for path, graph in spec["loads"]:
        if graph:
            store.bulk_load(path=path, format=RdfFormat.N_TRIPLES, to_graph=NamedNode(graph))
        else:
            store.bulk_load(path=path, format=RdfFormat.N_TRIPLES)
    load_secs = time.perf_counter() - t0
    t1 = time.perf_counter()
    store.optimize()
    return {"load_secs": load_secs, "optimize_secs": time.perf_counter() - t1, "quads": len(store), "rss_kb": rss_kb()}


def pyox_queries(spec, result_path):
    """In-process: the store opened once, every query run to completion as TSV to /dev/null,
    with or without use_default_graph_as_union."""
    from pyoxigraph import QueryResultsFormat, Store

    union = bool(spec.get("union"))
    store = Store(spec["store"])
    out = {"queries": {}}
    with open(os.devnull, "wb") as devnull:
        for name, text in spec["queries"]:
            tsv = store.query(text, use_default_graph_as_union=union).serialize(None, QueryResultsFormat.TSV)
            count = tsv.count(b"\n") - 1
            times = []
            for _ in range(spec["runs"]):
                t = time.perf_counter()
                store.query(text, use_default_graph_as_union=union).serialize(devnull, QueryResultsFormat.TSV)
                times.append(time.perf_counter() - t)
            out["queries"][name] = {"count": count, "times": times, "median": statistics.median(times)}
    out["rss_kb"] = rss_kb()
    return out


OPS = {
    "owlrl_closure": owlrl_closure,
    "reasonable_closure": reasonable_closure,
    "reasonable_incremental": reasonable_incremental,
    "pyox_load_graphs": pyox_load_graphs,
    "pyox_queries": pyox_queries,
}

if __name__ == "__main__":
    op, spec_path, result_path = sys.argv[1:4]
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    result = OPS[op](spec, result_path)
    result["done"] = True
    write_json(result_path, result)
