//! Splitting lines, typed or piped, into dot-commands and SPARQL statements.
//!
//! The REPL's interactive and scripted modes feed their lines through one [`Splitter`], so a script
//! behaves exactly as the same lines typed at the prompt. The fuzz target `repl_input` drives it too.

use super::lexer::{self, TokenKind};

/// What a line completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// A dot-command, trimmed (only recognised at the start of a statement).
    Dot(String),
    /// A whole SPARQL statement, possibly spanning several lines, terminator included.
    Statement(String),
}

/// Collects lines until they make a whole statement.
#[derive(Debug, Default)]
pub struct Splitter {
    buffer: String,
}

impl Splitter {
    /// Whether no statement is under way (the REPL then shows its main prompt).
    pub fn is_empty(&self) -> bool {
        self.buffer.is_empty()
    }

    /// Drops a half-typed statement (Ctrl-C at the continuation prompt).
    pub fn clear(&mut self) {
        self.buffer.clear();
    }

    /// Feeds one line. `parses` says whether a text is a whole query or update; it decides when a
    /// statement without `;` has ended.
    pub fn push(&mut self, line: &str, parses: impl Fn(&str) -> bool) -> Option<Piece> {
        if self.buffer.is_empty() && line.trim_start().starts_with('.') {
            return Some(Piece::Dot(line.trim().to_owned()));
        }
        if !self.buffer.is_empty() {
            self.buffer.push('\n');
        }
        self.buffer.push_str(line);
        if is_empty_statement(&self.buffer) {
            self.buffer.clear();
            return None;
        }
        if is_complete(&self.buffer, line.trim().is_empty(), parses) {
            Some(Piece::Statement(std::mem::take(&mut self.buffer)))
        } else {
            None
        }
    }

    /// The end of input: whatever is left is the last statement, if it holds more than comments.
    pub fn finish(&mut self) -> Option<String> {
        let rest = std::mem::take(&mut self.buffer);
        (!is_empty_statement(&rest)).then_some(rest)
    }
}

/// Nothing but comments, or a lone `;` (typed after a statement that had already run, as in
/// `SELECT … }` then `;` on the next line): nothing to run, and not worth an error.
fn is_empty_statement(text: &str) -> bool {
    matches!(lexer::strip_comments(text).as_str(), "" | ";")
}

/// A statement is complete when it ends with `;`, or when brackets balance and it parses as a query or
/// an update; an empty line sends whatever is balanced, so a broken statement still gets its error.
pub fn is_complete(text: &str, blank_line: bool, parses: impl Fn(&str) -> bool) -> bool {
    if lexer::ends_with_terminator(text) {
        return true;
    }
    if !lexer::is_balanced(text) {
        return false;
    }
    blank_line || parses(text)
}

/// The statement without its trailing `;`.
pub fn strip_terminator(text: &str) -> &str {
    let t = text.trim_end();
    t.strip_suffix(';').unwrap_or(t)
}

/// Whether the statement is an update: its first keyword after the prologue is not a query form.
pub fn is_update(text: &str) -> bool {
    let tokens = lexer::tokenize(text);
    let mut words = tokens
        .iter()
        .filter(|t| matches!(t.kind, TokenKind::Keyword))
        .map(|t| text[t.start..t.end].to_ascii_uppercase())
        .filter(|w| w != "PREFIX" && w != "BASE");
    matches!(
        words.next().as_deref(),
        Some(
            "INSERT"
                | "DELETE"
                | "LOAD"
                | "CLEAR"
                | "DROP"
                | "CREATE"
                | "ADD"
                | "MOVE"
                | "COPY"
                | "WITH"
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(lines: &[&str]) -> Vec<Piece> {
        let mut s = Splitter::default();
        let mut out: Vec<Piece> = lines
            .iter()
            .filter_map(|l| s.push(l, |t| t.contains('}')))
            .collect();
        out.extend(s.finish().map(Piece::Statement));
        out
    }

    #[test]
    fn splits_statements_and_dot_commands() {
        assert_eq!(
            split(&[
                ".stats",
                "SELECT * {",
                "?s ?p ?o",
                "}",
                "# only a comment",
                "ASK {} ;"
            ]),
            vec![
                Piece::Dot(".stats".into()),
                Piece::Statement("SELECT * {\n?s ?p ?o\n}".into()),
                Piece::Statement("ASK {} ;".into()),
            ]
        );
        // A dot inside a statement is part of it; an unbalanced statement waits for more.
        assert_eq!(
            split(&["SELECT * { ?s ?p ?o", ".", "}"]),
            vec![Piece::Statement("SELECT * { ?s ?p ?o\n.\n}".into())]
        );
        // A blank line sends a balanced statement that does not parse, so its error is shown.
        assert_eq!(
            split(&["SELEC *", ""]),
            vec![Piece::Statement("SELEC *\n".into())]
        );
        assert_eq!(
            split(&["SELECT * { ?s"]),
            vec![Piece::Statement("SELECT * { ?s".into())]
        );
        // A `;` after a statement that was already complete is not a statement of its own.
        assert_eq!(
            split(&["ASK { }", ";", "  ; # done", "ASK { }"]),
            vec![
                Piece::Statement("ASK { }".into()),
                Piece::Statement("ASK { }".into())
            ]
        );
    }

    #[test]
    fn updates_and_terminators() {
        assert!(is_update("PREFIX x: <http://x/> INSERT DATA {}"));
        assert!(!is_update("PREFIX x: <http://x/> SELECT * {}"));
        assert_eq!(strip_terminator("ASK {} ;  "), "ASK {} ");
    }
}
