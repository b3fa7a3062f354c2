//! The seeded graph compiled into the binary: the ontology and the fact sheets of `seeds/`,
//! so an installed kg works from any directory.

pub const ONTOLOGY: &str = include_str!("../ontology/kg.ttl");
pub const ONTOLOGY_GRAPH: &str = "https://w3id.org/kg/graph/ontology";

/// (file name, TOML text) of every built-in fact sheet.
pub const SHEETS: &[(&str, &str)] = &[
    (
        "seeds/000_db2f327f11732eb6.toml",
        include_str!("../seeds/000_db2f327f11732eb6.toml"),
    ),
    (
        "seeds/001_e430e66f4d54f0ca.toml",
        include_str!("../seeds/001_e430e66f4d54f0ca.toml"),
    ),
    (
        "seeds/002_f19ac7643f7d17dd.toml",
        include_str!("../seeds/002_f19ac7643f7d17dd.toml"),
    ),
];

/// (name, SPARQL text) of every saved query in `queries/`, sorted by name.
pub const QUERIES: &[(&str, &str)] = &include!(concat!(env!("OUT_DIR"), "/queries.rs"));
