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
    ///
    /// With no width (output that is not a terminal, and no `COLUMNS`) every row stays on one
    /// line, as always. With a width, a table wider than it wraps its long cells (at most
    /// [`MAX_CELL_LINES`] lines each, then an ellipsis); when even that cannot fit, or in
    /// [`Mode::Line`], each row is written as a block of `name │ value` lines.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.rows.is_empty() {
            return writeln!(out, "(no results)");
        }
        let (width, mode) = layout();
        match (mode, width) {
            (Mode::Line, w) => return self.write_expanded(out, w),
            (Mode::Auto, Some(w)) if !self.fits_wrapped(w) => {
                return self.write_expanded(out, Some(w))
            }
            _ => {}
        }
        let mut table = comfy_table::Table::new();
        table
            .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(comfy_table::ContentArrangement::Disabled)
            .set_header(self.header.clone());
        let wrap = width.filter(|w| self.natural_width() > usize::from(*w));
        if let Some(w) = wrap {
            table
                .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
                .set_width(w)
                .set_truncation_indicator("…");
        }
        for row in &self.rows {
            let mut r = comfy_table::Row::from(row.clone());
            if wrap.is_some() {
                r.max_height(MAX_CELL_LINES);
            }
            table.add_row(r);
        }
        writeln!(out, "{table}")
    }

    /// The width of each column's widest cell or header, in terminal cells.
    fn column_widths(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self.header.iter().map(|h| text_width(h)).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                let w = text_width(cell);
                match widths.get_mut(i) {
                    Some(c) => *c = (*c).max(w),
                    None => widths.push(w),
                }
            }
        }
        widths
    }

    /// The width of the table with every row on one line: cells, one space of padding on each
    /// side, and the borders.
    fn natural_width(&self) -> usize {
        let widths = self.column_widths();
        widths.iter().sum::<usize>() + 3 * widths.len() + 1
    }

    /// Whether a wrapped table leaves every column at least [`MIN_COLUMN`] cells (or its whole
    /// content, when narrower).
    fn fits_wrapped(&self, width: u16) -> bool {
        let widths = self.column_widths();
        let needed: usize =
            widths.iter().map(|w| (*w).min(MIN_COLUMN)).sum::<usize>() + 3 * widths.len() + 1;
        needed <= usize::from(width)
    }

    /// One block per row, psql's expanded display (`\x`) and sqlite's `.mode line` in one:
    /// a `-[ N ]-` rule, then each column's name and value, long values wrapped to the width.
    fn write_expanded(&self, out: &mut dyn Write, width: Option<u16>) -> io::Result<()> {
        let name_width = self.header.iter().map(|h| text_width(h)).max().unwrap_or(0);
        let value_width = width.map(|w| {
            usize::from(w)
                .saturating_sub(name_width + 3)
                .max(MIN_COLUMN)
        });
        let rule_width = width.map_or(name_width + 20, |w| usize::from(w).min(name_width + 40));
        for (n, row) in self.rows.iter().enumerate() {
            let label = format!("-[ {} ]", n + 1);
            let rule = rule_width.saturating_sub(text_width(&label));
            writeln!(out, "{label}{}", "-".repeat(rule))?;
            for (i, name) in self.header.iter().enumerate() {
                let value = row.get(i).map_or("", String::as_str);
                let pad = " ".repeat(name_width - text_width(name));
                let lines = match value_width {
                    Some(w) => wrap_text(value, w),
                    None => vec![value.to_owned()],
                };
                for (k, line) in lines.iter().enumerate() {
                    if k == 0 {
                        writeln!(out, "{name}{pad} │ {line}")?;
                    } else {
                        writeln!(out, "{} │ {line}", " ".repeat(name_width))?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// How tables are laid out, chosen by the binary (which knows the terminal) or the REPL's `.mode`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    /// A table, wrapped to the width when wider; blocks when even the wrapped table cannot fit.
    #[default]
    Auto,
    /// Always a table (wrapped to the width when there is one).
    Table,
    /// Always one block per row.
    Line,
}

/// The most lines a wrapped cell takes before it is cut with an ellipsis.
pub const MAX_CELL_LINES: usize = 6;

/// The narrowest a column is wrapped to before the table gives way to blocks.
const MIN_COLUMN: usize = 12;

/// Where the width comes from: set once by the binary; read at each table so a resized terminal counts.
static WIDTH_SOURCE: std::sync::RwLock<Option<WidthSource>> = std::sync::RwLock::new(None);

/// Asks the terminal (or the environment) for the output's width.
type WidthSource = fn() -> Option<u16>;
static MODE: std::sync::RwLock<Mode> = std::sync::RwLock::new(Mode::Auto);

/// Tells tables how wide the output is (`None`: unknown, every row on one line).
pub fn set_width_source(source: WidthSource) {
    if let Ok(mut w) = WIDTH_SOURCE.write() {
        *w = Some(source);
    }
}

/// Chooses the layout of every table from now on.
pub fn set_mode(mode: Mode) {
    if let Ok(mut m) = MODE.write() {
        *m = mode;
    }
}

/// The layout in force: the width, if any, and the mode.
pub fn layout() -> (Option<u16>, Mode) {
    let width = WIDTH_SOURCE
        .read()
        .ok()
        .and_then(|s| *s)
        .and_then(|f| f())
        .filter(|w| *w >= 20);
    let mode = MODE.read().map_or(Mode::Auto, |m| *m);
    (width, mode)
}

fn text_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Greedy word wrap by terminal cells; a word longer than the width is split.
fn wrap_text(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_width = 0;
    for word in s.split(' ') {
        let w = text_width(word);
        if line_width > 0 && line_width + 1 + w > width {
            lines.push(std::mem::take(&mut line));
            line_width = 0;
        }
        if line_width > 0 {
            line.push(' ');
            line_width += 1;
        }
        for c in word.chars() {
            let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if line_width + cw > width && line_width > 0 {
                lines.push(std::mem::take(&mut line));
                line_width = 0;
            }
            line.push(c);
            line_width += cw;
        }
    }
    lines.push(line);
    lines
}
