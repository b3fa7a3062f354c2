#!/usr/bin/env python3
"""OWL 2 RL materialisation: kg against owlrl and reasonable on LUBM, in one run, plus kg's
incremental update (`kg load --infer`). Prints markdown tables and records them in the
`reasoning` section of benches/RESULTS.md. Normally started by benches/reasoning.sh, which sets up
the peers' venv.

Input for every engine: the univ-bench ontology (univ-bench.ttl) and lubmN.nt (the raw generated
data, decompressed once). Every measured step is a fresh child process started by spawner.py
(wall time and peak RSS from wait4; see bench.py), killed when it passes its timeout.

  kg          `kg --store S load univ-bench.ttl lubmN.nt`, then `kg --store S infer --profile owl-rl`
              (two processes: the infer step, and load + infer as the whole)
  owlrl       rdflib Graph().parse() of both files, then
              owlrl.DeductiveClosure(OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(g)
  reasonable  reasonable.PyReasoner(): load_file() of both files, then reason()

Incremental: the inferred LUBM-10 kg store (compacted), then `kg load --infer` of LUBM-1's data
re-based to a new university (`University0` -> `University9999` in every IRI), on a fresh copy of
the store per run; checked against a full `kg infer` of the result.

The exit code is 1 when a step fails or a check fails (kg's closure missing LUBM's reference
entailments, the incremental update differing from a full recomputation), never for a timing
or a peer's timeout.
"""
import argparse
import collections
import datetime
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402  (the measuring machinery: spawner, measure, formatting, RESULTS.md)
from bench import fmt_ratio, fmt_rss, fmt_time, log, loadavg, machine, problem, ratio  # noqa: E402

ROOT = bench.ROOT
PY = sys.executable
PEERS2 = os.path.join(HERE, "peers2.py")
INFERRED_GRAPH = "https://w3id.org/kg/graph/inferred"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
PREFIXES = [
    ("ub:", "http://swat.cse.lehigh.edu/onto/univ-bench.owl#"),
    ("owl:", "http://www.w3.org/2002/07/owl#"),
    ("rdf:", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs:", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd:", "http://www.w3.org/2001/XMLSchema#"),
]


def short(term):
    if term.startswith("_:"):
        return "_:b (a blank node)"
    if term.startswith("<") and term.endswith(">"):
        iri = term[1:-1]
        for p, ns in PREFIXES:
            if iri.startswith(ns):
                return p + iri[len(ns):]
    return term


# --- processes --------------------------------------------------------------------------------


def peer2(op, spec, tmp, what, timeout):
    """One step of owlrl, reasonable or pyoxigraph (peers2.py) in a fresh process. Returns its
    JSON result (partial when it was killed on timeout, with "timed_out": True) or None."""
    import json

    spec_path = os.path.join(tmp, f"spec-{op}.json")
    result_path = os.path.join(tmp, f"result-{op}.json")
    with open(spec_path, "w", encoding="utf-8") as f:
        json.dump(spec, f)
    if os.path.exists(result_path):
        os.remove(result_path)
    r = bench.measure([PY, PEERS2, op, spec_path, result_path], timeout=timeout)
    result = {}
    if os.path.exists(result_path):
        with open(result_path, encoding="utf-8") as f:
            result = json.load(f)
    result["wall"] = r["wall"]
    result["proc_rss_kb"] = r["rss_kb"]
    result.setdefault("rss_kb", r["rss_kb"])
    if r["timed_out"]:
        log(f"  {what}: killed after the {timeout:.0f} s timeout")
        result["timed_out"] = True
        return result
    if r["rc"] != 0 or not result.get("done"):
        problem(f"{what}: exit code {r['rc']}: {r['stderr'].strip()[-2000:]}")
        return None
    if r["stderr"].strip():
        log(r["stderr"].rstrip())
    return result


def kg_run(a, args, what, timeout=None, stdout=None):
    r = bench.measure([a.kg, *args], env=bench.kg_env(), timeout=timeout or a.kg_timeout, stdout=stdout)
    if not bench.checked(r, f"{what}: kg {' '.join(args)}"):
        return None
    return r


SUMMARY = re.compile(r"entailments (computed|updated incrementally): (\d+) inferred from (\d+) asserted quads in ([\d.]+) s \(\+(\d+) −(\d+)\)")


def kg_summary(stderr):
    m = SUMMARY.search(stderr)
    if not m:
        return None
    return {"how": m.group(1), "inferred": int(m.group(2)), "asserted": int(m.group(3)), "own_secs": float(m.group(4)),
            "added": int(m.group(5)), "removed": int(m.group(6))}


def kg_select(a, store, query, out):
    r = bench.measure([a.kg, "--store", store, "query", "--format", "tsv", query], env=bench.kg_env(), stdout=out, timeout=a.kg_timeout)
    return bench.checked(r, f"kg query on {store}")


def kg_count_inferred(a, store, tmp):
    out = os.path.join(tmp, "count.tsv")
    if not kg_select(a, store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}", out):
        return None
    with open(out, encoding="utf-8") as f:
        m = re.search(r"\d+", f.read().splitlines()[-1])
    return int(m.group()) if m else None


def kg_dump_inferred(a, store, path):
    out = path + ".tsv"
    if not kg_select(a, store, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}", out):
        return False
    with open(out, encoding="utf-8") as f, open(path, "w", encoding="utf-8") as o:
        next(f, None)  # header
        for line in f:
            o.write(line)
    os.remove(out)
    return True


# --- data -------------------------------------------------------------------------------------


def decompress(gz, out):
    with open(out, "wb") as o:
        subprocess.run(["gzip", "-dc", gz], stdout=o, check=True)
    with open(out, "rb") as f:
        return sum(1 for _ in f)


REBASE = re.compile(rb"University0(?![0-9])")


def rebase(src, dst, new="University9999"):
    """LUBM-1's data moved to a university that LUBM-10 does not have: University0 -> new in
    every IRI (the degrees that point at other universities keep pointing at them)."""
    n = changed = 0
    with open(src, "rb") as f, open(dst, "wb") as o:
        for line in f:
            nl = REBASE.sub(new.encode(), line)
            changed += nl != line
            o.write(nl)
            n += 1
    return n, changed


def reference_entailments(data, size, tmp):
    """The datasets' own LUBM entailments (the tail of lubmN-inferred.nt after lubmN.nt's lines):
    the triples the 14 LUBM queries need. Every OWL 2 RL closure must include them."""
    gz = os.path.join(data, f"lubm{size}-inferred.nt.gz")
    if not os.path.exists(gz):
        return None
    with open(os.path.join(tmp, f"lubm{size}.nt"), "rb") as f:
        n_orig = sum(1 for _ in f)
    ref = set()
    with subprocess.Popen(["gzip", "-dc", gz], stdout=subprocess.PIPE) as p:
        for i, line in enumerate(p.stdout):
            if i >= n_orig:
                ref.add(tuple(line.decode("utf-8").rstrip(" .\n").split(" ", 2)))
    return ref


def read_dump(path):
    """Inferred triples from a dump (tab-separated terms): the IRI-only ones as a set, and a
    count by predicate (rdf:type by class) of all of them."""
    iri_only = set()
    by = collections.Counter()
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3:
                continue
            s, p, o = parts
            by[f"rdf:type {short(o)}" if p == RDF_TYPE else short(p)] += 1
            if s.startswith("<") and o.startswith("<"):
                iri_only.add((s, p, o))
    return iri_only, by


# --- phases -----------------------------------------------------------------------------------


def phase_closure(a, size, tmp, R):
    """Full materialisation of LUBM-size by the three engines."""
    onto = a.ontology
    nt = os.path.join(tmp, f"lubm{size}.nt")
    ttl = os.path.join(tmp, f"lubm{size}.ttl")  # the same file, under a name reasonable accepts
    if not os.path.exists(ttl):
        os.symlink(nt, ttl)
    res = R.setdefault("closure", {}).setdefault(size, {"asserted_lines": R["lines"][size]})
    files = [(onto, "turtle"), (nt, "nt")]
    dumps = {}

    # kg
    if "kg" in a.engines:
        runs = []
        for i in range(a.runs):
            bench.note_busy(f"LUBM-{size} closure")
            log(f"LUBM-{size}: kg load + infer, run {i + 1}/{a.runs}")
            store = bench.fresh(os.path.join(tmp, f"kg-lubm{size}"))
            ld = kg_run(a, ["--store", store, "load", onto, nt], f"LUBM-{size} load")
            if not ld:
                break
            inf = kg_run(a, ["--store", store, "infer", "--profile", "owl-rl"], f"LUBM-{size} infer")
            if not inf:
                break
            s = kg_summary(inf["stderr"])
            if not s:
                problem(f"kg infer on LUBM-{size}: no summary line on stderr: {inf['stderr'].strip()[-500:]}")
                break
            runs.append({"load": ld["wall"], "load_rss": ld["rss_kb"], "infer": inf["wall"], "infer_rss": inf["rss_kb"], **s})
            log(f"  kg: load {fmt_time(ld['wall'])}, infer {fmt_time(inf['wall'])} ({s['inferred']:,} inferred, kg's own figure {s['own_secs']:.2f} s)")
        if runs:
            kg = res["kg"] = {
                "load": statistics.median(r["load"] for r in runs), "load_rss": max(r["load_rss"] for r in runs),
                "infer": statistics.median(r["infer"] for r in runs), "infer_rss": max(r["infer_rss"] for r in runs),
                "total": statistics.median(r["load"] + r["infer"] for r in runs),
                "own": statistics.median(r["own_secs"] for r in runs),
                "inferred": runs[-1]["inferred"], "asserted": runs[-1]["asserted"], "n": len(runs),
            }
            kg["rss"] = max(kg["load_rss"], kg["infer_rss"])
            if len({r["inferred"] for r in runs}) > 1:
                problem(f"kg infer on LUBM-{size}: the runs inferred different counts: {[r['inferred'] for r in runs]}")
            n = kg_count_inferred(a, store, tmp)
            if n != kg["inferred"]:
                problem(f"kg infer on LUBM-{size}: the summary says {kg['inferred']} inferred, the graph <{INFERRED_GRAPH}> holds {n}")
            dumps["kg"] = os.path.join(tmp, f"kg-{size}.tsv")
            if not kg_dump_inferred(a, store, dumps["kg"]):
                dumps.pop("kg")
            R.setdefault("stores", {})[size] = store

    # reasonable
    if "reasonable" in a.engines:
        runs = []
        for i in range(a.runs):
            bench.note_busy(f"LUBM-{size} closure")
            log(f"LUBM-{size}: reasonable, run {i + 1}/{a.runs}")
            dump = os.path.join(tmp, f"reasonable-{size}.tsv") if i == 0 else None
            p = peer2("reasonable_closure", {"files": [(onto, "turtle"), (ttl, "turtle")], "orig_files": files, "dump": dump},
                      tmp, f"reasonable on LUBM-{size}", a.peer_timeout)
            if not p:
                break
            runs.append(p)
            if p.get("timed_out"):
                break
            if dump:
                dumps["reasonable"] = dump
            log(f"  reasonable: load {fmt_time(p['parse_secs'])}, reason {fmt_time(p['reason_secs'])}, {p['inferred']:,} inferred, {fmt_rss(p['rss_kb'])}")
        if runs:
            res["reasonable"] = summarise_peer(runs, a.peer_timeout)

    # owlrl: once (the slow one), with its own timeout
    if "owlrl" in a.engines:
        bench.note_busy(f"LUBM-{size} closure")
        timeout = a.owlrl_timeout.get(size, a.peer_timeout)
        log(f"LUBM-{size}: owlrl (timeout {timeout:.0f} s)")
        dump = os.path.join(tmp, f"owlrl-{size}.tsv")
        p = peer2("owlrl_closure", {"files": files, "dump": dump}, tmp, f"owlrl on LUBM-{size}", timeout)
        if p:
            res["owlrl"] = summarise_peer([p], timeout)
            if not p.get("timed_out"):
                dumps["owlrl"] = dump
                log(f"  owlrl: parse {fmt_time(p['parse_secs'])}, expand {fmt_time(p['reason_secs'])}, {p['inferred']:,} inferred, {fmt_rss(p['rss_kb'])}")

    # what each closure holds
    ref = reference_entailments(a.data, size, tmp)
    cmp = res["compare"] = {"ref_n": len(ref) if ref is not None else None, "by": {}, "covers": {}, "iri_only": {}}
    sets = {}
    for who, path in dumps.items():
        iri_only, by = read_dump(path)
        sets[who] = iri_only
        cmp["by"][who] = by
        cmp["iri_only"][who] = len(iri_only)
        if ref is not None:
            cmp["covers"][who] = len(ref & iri_only)
    if ref is not None:
        cmp["by"]["reference"] = collections.Counter(f"rdf:type {short(o)}" if p == RDF_TYPE else short(p) for _, p, o in ref)
        if "kg" in sets and cmp["covers"]["kg"] != len(ref):
            missing = sorted(ref - sets["kg"])[:5]
            problem(f"kg's LUBM-{size} closure lacks {len(ref) - cmp['covers']['kg']} of the datasets' {len(ref)} reference entailments, e.g. {missing}")
    pairs = cmp["pairs"] = {}
    for peer in ("owlrl", "reasonable"):
        if "kg" in sets and peer in sets:
            only_kg = collections.Counter(f"rdf:type {short(o)}" if p == RDF_TYPE else short(p) for _, p, o in sets["kg"] - sets[peer])
            only_peer = collections.Counter(f"rdf:type {short(o)}" if p == RDF_TYPE else short(p) for _, p, o in sets[peer] - sets["kg"])
            pairs[peer] = {"only_kg": only_kg, "only_peer": only_peer}
    for path in dumps.values():
        os.remove(path)


def summarise_peer(runs, timeout):
    done = [r for r in runs if not r.get("timed_out")]
    if not done:
        r = runs[-1]
        return {"timed_out": True, "timeout": timeout, "parse": r.get("parse_secs"), "rss": r.get("proc_rss_kb")}
    return {
        "parse": statistics.median(r["parse_secs"] for r in done),
        "reason": statistics.median(r["reason_secs"] for r in done),
        "total": statistics.median(r["total_secs"] for r in done),
        "rss": max(r["rss_kb"] for r in done),
        "inferred": done[0]["inferred"], "closure": done[0]["closure"], "asserted": done[0].get("asserted"), "n": len(done),
        "timed_out": len(done) < len(runs),
    }


def phase_incremental(a, tmp, R):
    """`kg load --infer` of re-based LUBM-1 data into the inferred LUBM-10 store."""
    base = R.get("stores", {}).get(10)
    if not base:
        log("incremental: no inferred LUBM-10 kg store (kg's LUBM-10 closure failed or was not run): skipped")
        return
    inc = R["incremental"] = {}
    part = os.path.join(tmp, "lubm1-part.nt")
    n, changed = rebase(os.path.join(tmp, "lubm1.nt"), part)
    inc["part_lines"], inc["part_changed"] = n, changed
    log(f"incremental: {part}: {n:,} triples, {changed:,} of them re-based to University9999")
    r = kg_run(a, ["--store", base, "optimize"], "optimize the inferred LUBM-10 store")
    inc["optimize"] = r["wall"] if r else None
    before = kg_count_inferred(a, base, tmp)
    runs = []
    for i in range(a.inc_runs):
        bench.note_busy("incremental")
        store = os.path.join(tmp, "kg-inc")
        shutil.rmtree(store, ignore_errors=True)
        shutil.copytree(base, store)
        r = kg_run(a, ["--store", store, "load", "--infer", part], "incremental load")
        if not r:
            break
        s = kg_summary(r["stderr"])
        m = re.search(r"loaded (\d+) quads", r["stderr"])
        if not s:
            problem(f"kg load --infer: no entailment summary on stderr: {r['stderr'].strip()[-500:]}")
            break
        runs.append({"wall": r["wall"], "rss": r["rss_kb"], "loaded": int(m.group(1)) if m else None, **s})
        log(f"  run {i + 1}/{a.inc_runs}: {fmt_time(r['wall'])} ({s['how']}, +{s['added']:,} −{s['removed']:,}, kg's own figure {s['own_secs']:.2f} s)")
    if not runs:
        return
    inc.update({
        "wall": statistics.median(r["wall"] for r in runs), "rss": max(r["rss"] for r in runs),
        "own": statistics.median(r["own_secs"] for r in runs), "how": runs[-1]["how"], "added": runs[-1]["added"],
        "removed": runs[-1]["removed"], "inferred": runs[-1]["inferred"], "asserted": runs[-1]["asserted"],
        "loaded": runs[-1]["loaded"], "before": before, "n": len(runs), "walls": [r["wall"] for r in runs],
    })
    if runs[-1]["how"] != "updated incrementally":
        problem(f"kg load --infer recomputed the entailments instead of updating them incrementally: {runs[-1]['how']}")
    # check: a full recomputation of the updated store must give the same entailments
    after = kg_count_inferred(a, store, tmp)
    full = kg_run(a, ["--store", store, "infer", "--profile", "owl-rl"], "full re-infer after the incremental update")
    if full:
        s = kg_summary(full["stderr"])
        inc["full"] = {"wall": full["wall"], "rss": full["rss_kb"], "own": s["own_secs"] if s else None,
                       "inferred": s["inferred"] if s else None, "added": s["added"] if s else None, "removed": s["removed"] if s else None}
        if s and (s["inferred"] != after or s["added"] or s["removed"]):
            problem(f"incremental update differs from a full recomputation: incremental {after} inferred, "
                    f"full {s['inferred']} (+{s['added']} −{s['removed']})")
    inc["after"] = after
    if "reasonable" in a.engines:
        log("incremental: reasonable (LUBM-10 reasoned untimed, then the same triples added and reason() again)")
        ttl10 = os.path.join(tmp, "lubm10.ttl")
        part_ttl = os.path.join(tmp, "lubm1-part.ttl")
        if not os.path.exists(part_ttl):
            os.symlink(part, part_ttl)
        p = peer2("reasonable_incremental", {"files": [(a.ontology, "turtle"), (ttl10, "turtle")], "add": [(part_ttl, "turtle")]},
                  tmp, "reasonable incremental", a.peer_timeout)
        if p and not p.get("timed_out"):
            inc["reasonable"] = p
            log(f"  reasonable: {fmt_time(p['add_secs'])} (parse {fmt_time(p['add_parse_secs'])}, reason {fmt_time(p['add_reason_secs'])})")


# --- report -----------------------------------------------------------------------------------


def cell_time(peer, key):
    if peer is None:
        return "—"
    if peer.get("timed_out") and key in ("reason", "total") and peer.get(key) is None:
        return f"> {peer['timeout']:.0f} s (timeout)"
    return fmt_time(peer.get(key))


def render(a, R):
    out = []
    for size in a.sizes:
        c = R.get("closure", {}).get(size)
        if not c:
            continue
        kg, ow, rs = c.get("kg"), c.get("owlrl"), c.get("reasonable")
        n = (kg or {}).get("runs") or a.runs
        out += [f"### OWL 2 RL materialisation of LUBM-{size} ({c['asserted_lines']:,} triples + univ-bench.ttl; kg and reasonable median of {a.runs}, owlrl 1 run)", ""]
        out += ["| engine | load / parse | reasoning | whole | peak RSS | inferred triples | closure (input + inferred) |",
                "|---|---:|---:|---:|---:|---:|---:|"]
        if kg:
            out.append(f"| kg (`load`, then `infer --profile owl-rl`; each a process) | {fmt_time(kg['load'])} | {fmt_time(kg['infer'])} (kg's own: {fmt_time(kg['own'])}) | {fmt_time(kg['total'])} | load {fmt_rss(kg['load_rss'])}, infer {fmt_rss(kg['infer_rss'])} | {kg['inferred']:,} | {kg['asserted'] + kg['inferred']:,} |")
        for name, label, p in (("reasonable", "reasonable 0.4.4 (`load_file`, `reason()`)", rs), ("owlrl", "owlrl (rdflib `parse`, `DeductiveClosure(OWLRL_Semantics).expand`)", ow)):
            if p is None:
                continue
            if p.get("timed_out") and p.get("reason") is None:
                out.append(f"| {label} | {fmt_time(p.get('parse'))} | **> {p['timeout']:.0f} s (timeout, killed)** | > {p['timeout']:.0f} s | ≥ {fmt_rss(p.get('rss'))} | — | — |")
            else:
                out.append(f"| {label} | {fmt_time(p['parse'])} | {fmt_time(p['reason'])} | {fmt_time(p['total'])} | {fmt_rss(p['rss'])} | {p['inferred']:,} | {p['closure']:,} |")
        out.append("")
        if kg:
            out += ["| kg / peer | reasoning time | whole time | peak RSS (kg's higher process) |", "|---|---:|---:|---:|"]
            for name, p in (("reasonable", rs), ("owlrl", ow)):
                if p is None:
                    continue
                if p.get("timed_out") and p.get("reason") is None:
                    out.append(f"| kg / {name} | < {fmt_ratio(ratio(kg['infer'], p['timeout']))} | < {fmt_ratio(ratio(kg['total'], p['timeout']))} | — |")
                else:
                    out.append(f"| kg / {name} | {fmt_ratio(ratio(kg['infer'], p['reason']))} | {fmt_ratio(ratio(kg['total'], p['total']))} | {fmt_ratio(ratio(kg['rss'], p['rss']))} |")
            out.append("")
        cmp = c.get("compare") or {}
        if cmp.get("by"):
            engines = [e for e in ("kg", "owlrl", "reasonable") if e in cmp["by"]]
            cols = engines + (["reference"] if "reference" in cmp["by"] else [])
            keys = collections.Counter()
            for e in cols:
                for k, v in cmp["by"][e].items():
                    keys[k] = max(keys[k], v)
            top = [k for k, _ in keys.most_common(a.top)]
            out += [f"#### What the LUBM-{size} closures hold (inferred triples by predicate, `rdf:type` by class; the {len(top)} largest rows)", ""]
            out += ["| inferred | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
            for k in top:
                out.append(f"| `{k}` | " + " | ".join(f"{cmp['by'][e].get(k, 0):,}" for e in cols) + " |")
            out.append("| other rows | " + " | ".join(f"{sum(v for kk, v in cmp['by'][e].items() if kk not in top):,}" for e in cols) + " |")
            out.append("| **total** | " + " | ".join(f"**{sum(cmp['by'][e].values()):,}**" for e in cols) + " |")
            if cmp.get("covers"):
                out.append("| of the datasets' reference entailments (`lubmN-inferred` less `lubmN`) | " + " | ".join(
                    f"{cmp['covers'][e]:,} / {cmp['ref_n']:,}" if e in cmp["covers"] else "—" for e in cols) + " |")
            out.append("")
            for peer, d in (cmp.get("pairs") or {}).items():
                out.append(f"Triples of IRIs only, kg against {peer}: only in kg {sum(d['only_kg'].values()):,}"
                           + (" (" + ", ".join(f"`{k}` {v:,}" for k, v in d["only_kg"].most_common(6)) + ")" if d["only_kg"] else "")
                           + f"; only in {peer} {sum(d['only_peer'].values()):,}"
                           + (" (" + ", ".join(f"`{k}` {v:,}" for k, v in d["only_peer"].most_common(6)) + ")" if d["only_peer"] else "") + ".")
                out.append("")
    inc = R.get("incremental")
    if inc and inc.get("wall") is not None:
        out += [f"### Incremental: `kg load --infer` of {inc['part_lines']:,} re-based LUBM-1 triples into the inferred LUBM-10 store (median of {inc['n']})", ""]
        out += ["| step | time | kg's own figure (entailment update) | peak RSS | result |", "|---|---:|---:|---:|---|"]
        out.append(f"| `kg load --infer lubm1-part.nt` on a copy of the compacted LUBM-10 store ({inc['before']:,} inferred) | **{fmt_time(inc['wall'])}** (runs: {', '.join(fmt_time(w) for w in inc['walls'])}) | {fmt_time(inc['own'])} | {fmt_rss(inc['rss'])} | {inc['how']}: {inc['loaded'] if inc['loaded'] is not None else '?'} quads loaded, +{inc['added']:,} −{inc['removed']:,} entailments, {inc['inferred']:,} inferred from {inc['asserted']:,} asserted; target ≤ 2 s: {'met' if inc['wall'] <= 2 else '**missed**'} |")
        f = inc.get("full")
        if f:
            same = f["inferred"] == inc["after"] and not f["added"] and not f["removed"]
            out.append(f"| for comparison: a full `kg infer` of the updated store | {fmt_time(f['wall'])} | {fmt_time(f['own'])} | {fmt_rss(f['rss'])} | {f['inferred']:,} inferred (+{f['added']} −{f['removed']}): {'the same as the incremental update' if same else '**DIFFERENT from the incremental update**'} |")
        p = inc.get("reasonable")
        if p:
            out.append(f"| reasonable: LUBM-10 reasoned (untimed, {fmt_time(p['base_secs'])}), then `load_file(lubm1-part.ttl)` + `reason()` | {fmt_time(p['add_secs'])} | reason() {fmt_time(p['add_reason_secs'])}, parse {fmt_time(p['add_parse_secs'])} | {fmt_rss(p['rss_kb'])} (the process, LUBM-10 included) | closure {p['base_closure']:,} → {p['closure']:,} |")
            out.append("")
            out.append(f"kg / reasonable on the update: {fmt_ratio(ratio(inc['wall'], p['add_secs']))} (kg's whole process against reasonable's calls).")
        out.append("")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kg", required=True, help="the kg binary (release build)")
    ap.add_argument("--data", required=True, help="the datasets directory (lubm*.nt.gz, univ-bench.ttl)")
    ap.add_argument("--sizes", default="1,10", help="LUBM sizes, comma-separated [1,10]")
    ap.add_argument("--engines", default="kg,reasonable,owlrl", help="which engines [kg,reasonable,owlrl]")
    ap.add_argument("--runs", type=int, default=1, help="runs of kg and of reasonable per size (owlrl runs once) [1]")
    ap.add_argument("--inc-runs", type=int, default=3, help="runs of the incremental update, each on a fresh copy of the store [3]")
    ap.add_argument("--owlrl-timeout", default="1=600,10=900", help="owlrl's timeout per size, seconds [1=600,10=900]")
    ap.add_argument("--peer-timeout", type=float, default=1200.0, help="timeout of any other peer step, seconds [1200]")
    ap.add_argument("--kg-timeout", type=float, default=1200.0, help="timeout of one kg command, seconds [1200]")
    ap.add_argument("--no-incremental", action="store_true", help="skip the incremental case")
    ap.add_argument("--top", type=int, default=16, help="rows of the closure comparison table [16]")
    ap.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"), help="markdown file to record the results in ('' for none)")
    ap.add_argument("--command", default=None, help="the command line to record")
    ap.add_argument("--tmp", default=None, help="work directory (default: a new temp dir, removed at the end)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()
    a.sizes = [int(s) for s in a.sizes.split(",") if s]
    a.engines = set(a.engines.split(","))
    a.owlrl_timeout = {int(k): float(v) for k, v in (kv.split("=") for kv in a.owlrl_timeout.split(",") if kv)}
    a.kg = os.path.abspath(a.kg)
    a.ontology = os.path.join(a.data, "univ-bench.ttl")

    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = loadavg()
    meta = bench.versions(a.kg) if "kg" in a.engines else {}
    peers = subprocess.run([PY, "-c", "import importlib.metadata as m; print(' '.join(m.version(p) for p in ('owlrl', 'reasonable', 'rdflib', 'pyoxigraph')))"],
                           capture_output=True, text=True).stdout.split()
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "-C", ROOT, "status", "--porcelain"], capture_output=True, text=True).stdout.strip())
    bench.SPAWNER = bench.Spawner()
    tmp = a.tmp or tempfile.mkdtemp(prefix="kg-reasoning-")
    os.makedirs(tmp, exist_ok=True)
    if "kg" in a.engines:
        snapshot = os.path.join(tmp, "kg")
        shutil.copy2(a.kg, snapshot)  # a build finishing mid-run must not swap the binary
        a.kg_path, a.kg = a.kg, snapshot
    R = {"lines": {}}
    try:
        for size in sorted(set(a.sizes) | ({1} if not a.no_incremental and 10 in a.sizes else set())):
            log(f"decompressing lubm{size}.nt.gz")
            R["lines"][size] = decompress(os.path.join(a.data, f"lubm{size}.nt.gz"), os.path.join(tmp, f"lubm{size}.nt"))
        for size in a.sizes:
            phase_closure(a, size, tmp, R)
        if not a.no_incremental and "kg" in a.engines and 10 in a.sizes:
            phase_incremental(a, tmp, R)
    finally:
        bench.SPAWNER.close()
        if not a.keep and not a.tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"work directory kept: {tmp}")
    finished = datetime.datetime.now(datetime.timezone.utc)
    cmd = a.command or " ".join(["python", os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:])
    busy = "; ".join(f"{k}: {', '.join(sorted(v))}" for k, v in bench.BUSY.items())
    kgv = (f"{meta['kg']} (release binary `{a.kg_path}`, built {meta['built']}" + (", **older than a file in src/**" if meta.get("stale") else "") + "); ") if meta else ""
    lines = [
        "## reasoning (OWL 2 RL materialisation: kg, owlrl, reasonable)",
        "",
        f"- date: {started:%Y-%m-%d %H:%M} – {finished:%H:%M} UTC ({(finished - started).total_seconds() / 60:.1f} min)",
        f"- machine: {machine()}; load average {load_before} before, {loadavg()} after",
        f"- command: `{cmd}`",
        f"- kg commit: `{commit}`" + (" with uncommitted changes" if dirty else ""),
        f"- versions: {kgv}owlrl {peers[0] if peers else '?'}, reasonable {peers[1] if len(peers) > 1 else '?'}, rdflib {peers[2] if len(peers) > 2 else '?'}; Python {sys.version.split()[0]}",
        f"- data: `{a.data}`: univ-bench.ttl + " + ", ".join(f"`lubm{s}.nt.gz` ({R['lines'].get(s, 0):,} triples)" for s in a.sizes) + ", decompressed once to a temp dir",
        "- other builds running during the run: " + (f"**yes** ({busy}): timings may be noisy" if busy else "none seen"),
        "- times: kg's are whole processes (start-up, store open, work, commit, exit); the peers' are their calls inside one process, interpreter start-up and imports excluded. Peak RSS: the process's `ru_maxrss` when the measured work ended.",
        "",
        render(a, R),
    ]
    bench.publish(lines, a.results, "reasoning")


if __name__ == "__main__":
    main()
