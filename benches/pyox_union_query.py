"""pyox_query.py with pyoxigraph's union default graph: a fresh process opens the on-disk store,
runs one query with use_default_graph_as_union=True (bag semantics: a triple held by several named
graphs is matched once per graph) and writes the results as TSV to stdout.

Usage: python pyox_union_query.py STORE_DIR QUERY_FILE > out.tsv
Kept minimal on purpose: its start-up is part of what union.py measures.
"""
import sys

from pyoxigraph import QueryResultsFormat, Store

store = Store(sys.argv[1])
with open(sys.argv[2], encoding="utf-8") as f:
    query = f.read()
store.query(query, use_default_graph_as_union=True).serialize(sys.stdout.buffer, QueryResultsFormat.TSV)
sys.stdout.buffer.flush()
