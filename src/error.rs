//! The one error type of the library, and the caret renderer shared by the CLI and the REPL.
//!
//! Every error a user can cause maps to one variant that says what they must do differently.
//! Oxigraph's errors are wrapped here at the boundary, so no other module matches on their text.

use std::fmt;
use std::path::PathBuf;

/// A position in a user's input, 1-based like every editor shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// File name, `<stdin>`, `<query>` or similar; what the user will recognise.
    pub source: String,
    pub line: u64,
    /// Counted in characters (Unicode code points), not bytes.
    pub column: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            // Position unknown (e.g. a corrupt gzip stream): the file name is all we can say.
            write!(f, "{}", self.source)
        } else {
            write!(f, "{}:{}:{}", self.source, self.line, self.column)
        }
    }
}

/// One problem found while validating input; validation collects all of them, not just the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub location: Location,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Everything that can go wrong in kg, one variant per thing the user must do differently.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that does not parse: a data file, a query, an update.
    #[error("{location}: {message}")]
    Syntax {
        location: Location,
        message: String,
        /// The text the error points into, when we have it, so a caret can be drawn.
        snippet: Option<String>,
    },
    /// Input that parses but breaks the rules (fact sheets against the ontology).
    #[error("{}", render_diagnostics(.0))]
    Invalid(Vec<Diagnostic>),
    #[error("the store at {} is in use by another kg process", .path.display())]
    StoreLocked { path: PathBuf },
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A bad input value that is not a syntax error of a document (an IRI given on the command line, a format name).
    #[error("{0}")]
    BadInput(String),
    #[error("unknown format '{name}' (expected one of: {expected})")]
    UnknownFormat { name: String, expected: String },
    #[error("{what} cannot be rendered as {format}; use one of: {expected}")]
    FormatMismatch {
        what: &'static str,
        format: String,
        expected: String,
    },
    #[error("no {kind} named '{name}'{}", suggest(.candidates))]
    NotFound {
        kind: &'static str,
        name: String,
        candidates: Vec<String>,
    },
    #[error("'{name}' is ambiguous; it may mean:\n{}", .candidates.iter().map(|c| format!("  {c}")).collect::<Vec<_>>().join("\n"))]
    Ambiguous {
        name: String,
        candidates: Vec<String>,
    },
    #[error("no path from {from} to {to}{hint}")]
    NoPath {
        from: String,
        to: String,
        hint: &'static str,
    },
    #[error("query cancelled")]
    Cancelled,
    #[error("query stopped after the {0} s timeout")]
    Timeout(u64),
    /// A query or update that parsed but failed while running.
    #[error("evaluation failed: {0}")]
    Evaluation(String),
    #[error("storage error: {0}")]
    Storage(#[from] oxigraph::store::StorageError),
    /// A remote SPARQL endpoint that could not be reached or refused a request: the URL (never
    /// with credentials), the HTTP status when there was one, and the engine's own words.
    #[error("{url}: {}{message}", .status.map(|s| format!("HTTP {s}: ")).unwrap_or_default())]
    Remote {
        url: String,
        status: Option<u16>,
        message: String,
    },
}

fn suggest(candidates: &[String]) -> String {
    if candidates.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", candidates.join(", "))
    }
}

fn render_diagnostics(diagnostics: &[Diagnostic]) -> String {
    let mut out = diagnostics
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    if diagnostics.len() > 1 {
        out.push_str(&format!(
            "\n{} errors; nothing was loaded",
            diagnostics.len()
        ));
    }
    out
}

impl Error {
    /// The process exit code, sysexits style: 65 for input that does not parse or validate, 1 otherwise.
    /// Usage errors (2) are clap's and never reach this type.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Syntax { .. } | Error::Invalid(_) => 65,
            _ => 1,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// The error as a person should read it, with the offending line and a caret when the input is known.
    pub fn render(&self) -> String {
        match self {
            Error::Syntax {
                location,
                message,
                snippet: Some(text),
            } => {
                let mut out = format!("{location}: {message}");
                if let Some(s) = render_snippet(text, location) {
                    out.push('\n');
                    out.push_str(&s);
                }
                out
            }
            other => other.to_string(),
        }
    }
}

/// Draws the line a location points at, with a caret under the column.
/// Returns `None` when the location lies outside the text.
pub fn render_snippet(text: &str, location: &Location) -> Option<String> {
    let line_no = usize::try_from(location.line).ok()?;
    let line = text.lines().nth(line_no.checked_sub(1)?)?;
    let column = usize::try_from(location.column.max(1)).ok()? - 1;
    let gutter = format!("{line_no} | ");
    // Wide characters (CJK) take two cells and tabs stay tabs, so the caret lines up under the character.
    let caret_pad: String = line
        .chars()
        .take(column)
        .map(|c| match c {
            '\t' => "\t".to_owned(),
            c => " ".repeat(unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)),
        })
        .collect();
    Some(format!(
        "{gutter}{line}\n{}{caret_pad}^",
        " ".repeat(gutter.len())
    ))
}

/// Turns the text of a SPARQL syntax error into a location.
///
/// spargebra 0.4 has no `location()` accessor; its message is peg's `error at L:C: expected …`
/// with a 1-based line and a column counted in characters. Newer spargebra adds `location()`,
/// and then this function is the one place to change.
pub(crate) fn sparql_syntax_error(
    error: &oxigraph::sparql::SparqlSyntaxError,
    source: &str,
    text: &str,
) -> Error {
    let message = error.to_string();
    let parsed = message.strip_prefix("error at ").and_then(|rest| {
        let (pos, expected) = rest.split_once(": ")?;
        let (line, column) = pos.split_once(':')?;
        Some((
            line.parse::<u64>().ok()?,
            column.parse::<u64>().ok()?,
            expected.to_owned(),
        ))
    });
    match parsed {
        Some((line, column, expected)) => Error::Syntax {
            location: Location {
                source: source.to_owned(),
                line,
                column,
            },
            message: describe_expected(&expected),
            snippet: Some(text.to_owned()),
        },
        None => Error::Syntax {
            location: Location {
                source: source.to_owned(),
                line: 1,
                column: 1,
            },
            message: message.clone(),
            snippet: None,
        },
    }
}

/// peg lists every token it could have accepted; past a few, the list helps nobody.
fn describe_expected(expected: &str) -> String {
    if expected.contains("Prefix not found") {
        return "unknown prefix: declare it with PREFIX, or store it with `kg prefixes add`"
            .to_owned();
    }
    let one_line = expected.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= 120 {
        return format!("syntax error, {one_line}");
    }
    let cut: String = one_line.chars().take(100).collect();
    format!("syntax error, {cut}…")
}

/// Wraps an RDF parse error with the name of the input it came from.
pub(crate) fn rdf_parse_error(error: oxigraph::io::RdfParseError, source: &str) -> Error {
    match error {
        oxigraph::io::RdfParseError::Io(e) => {
            // Invalid UTF-8, corrupt gzip and over-long tokens arrive as I/O errors; they are bad input all the same.
            let too_long = e.to_string().contains("buffer maximal size");
            if too_long {
                return Error::Syntax {
                    location: Location {
                        source: source.to_owned(),
                        line: 0,
                        column: 0,
                    },
                    message: "a line or token is longer than the parser's 16 MiB limit".to_owned(),
                    snippet: None,
                };
            }
            if e.kind() == std::io::ErrorKind::InvalidData {
                // Invalid UTF-8 and corrupt gzip streams arrive as I/O errors; they are bad input all the same.
                Error::Syntax {
                    location: Location {
                        source: source.to_owned(),
                        line: 0,
                        column: 0,
                    },
                    message: e.to_string(),
                    snippet: None,
                }
            } else {
                Error::io(source, e)
            }
        }
        oxigraph::io::RdfParseError::Syntax(e) => {
            let (line, column) = e
                .location()
                .map_or((0, 0), |r| (r.start.line + 1, r.start.column + 1));
            let text = e.to_string();
            // oxttl prefixes its message with the position, which the location already says.
            let message = match text.strip_prefix("Parser error ") {
                Some(rest) => rest
                    .split_once(": ")
                    .map_or(text.clone(), |(_, m)| m.to_owned()),
                None => text,
            };
            Error::Syntax {
                location: Location {
                    source: source.to_owned(),
                    line,
                    column,
                },
                message,
                snippet: None,
            }
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
