//! Graph traversals over a petgraph projection of the store.
