"""pyoxigraph the way `kg query --format tsv --file Q` is used: a fresh process opens the on-disk
store, runs one query and writes the results as TSV to stdout.

Usage: python pyox_query.py STORE_DIR QUERY_FILE > out.tsv
Kept minimal on purpose: its start-up is part of what bench.py measures.
"""
import sys

from pyoxigraph import QueryResultsFormat, Store

store = Store(sys.argv[1])
with open(sys.argv[2], encoding="utf-8") as f:
    query = f.read()
store.query(query).serialize(sys.stdout.buffer, QueryResultsFormat.TSV)
sys.stdout.buffer.flush()
