//! The human table: aligned columns, IRIs shortened with the store's prefixes, literals as a person reads them.

use crate::prefixes::PrefixTable;
use oxigraph::model::{LiteralRef, TermRef};
use std::io::{self, Write};

const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

/// How one term looks in a table: `schema:Country`, `<http://…>`, `Japan`, `엔비디아 @ko`, `2030 (xsd:gYear)`.
pub fn display_term(term: TermRef<'_>, prefixes: &PrefixTable) -> String {
    match term {
        TermRef::NamedNode(n) => prefixes
            .shorten(n.as_str())
            .unwrap_or_else(|| format!("<{}>", n.as_str())),
        TermRef::BlankNode(b) => format!("_:{}", b.as_str()),
        TermRef::Literal(l) => display_literal(l, prefixes),
        #[allow(unreachable_patterns)] // RDF 1.2 triple terms, when Oxigraph is built with them.
        other => other.to_string(),
    }
}

fn display_literal(l: LiteralRef<'_>, prefixes: &PrefixTable) -> String {
    let value = escape_controls(l.value());
    if let Some(lang) = l.language() {
        return format!("{value} @{lang}");
    }
    let dt = l.datatype().as_str();
    match dt.strip_prefix(XSD) {
        Some("string") => value,
        Some("integer" | "decimal" | "double" | "float" | "boolean" | "int" | "long") => value,
        _ => {
            let dt = prefixes.shorten(dt).unwrap_or_else(|| format!("<{dt}>"));
            format!("{value} ({dt})")
        }
    }
}

/// Keeps every row on one line: newlines and tabs inside values are shown escaped.
fn escape_controls(s: &str) -> String {
    if !s.contains(|c: char| c.is_control()) {
        return s.to_owned();
    }
    s.chars()
        .map(|c| match c {
            '\n' => "\\n".to_owned(),
            '\r' => "\\r".to_owned(),
            '\t' => "\\t".to_owned(),
            c if c.is_control() => format!("\\u{{{:04x}}}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// Rows of text under a header, written as an aligned table.
#[derive(Debug, Clone, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: Vec<String>) -> Self {
        Self {
            header,
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Writes the table; an empty one says so instead of drawing an empty frame.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.rows.is_empty() {
            return writeln!(out, "(no results)");
        }
        let mut table = comfy_table::Table::new();
        table
            .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(comfy_table::ContentArrangement::Disabled)
            .set_header(self.header.clone());
        for row in &self.rows {
            table.add_row(row.clone());
        }
        writeln!(out, "{table}")
    }
}
