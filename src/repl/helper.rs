//! rustyline's helper: completion, highlighting and history hints, as thin adapters over
//! `kg::query::lexer` and `kg::query::complete`.

use super::commands::COMMANDS;
use kg::prefixes::PrefixTable;
use kg::query::complete::{complete, CompletionVocabulary};
use kg::query::lexer::{tokenize, TokenKind};
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::validate::Validator;
use rustyline::{Context, Helper};
use std::borrow::Cow;
use std::sync::{Arc, RwLock};

/// What the helper reads from the session: refreshed in the background when the store changes.
#[derive(Default)]
pub struct Shared {
    pub vocabulary: CompletionVocabulary,
    pub prefixes: PrefixTable,
}

pub struct KgHelper {
    shared: Arc<RwLock<Shared>>,
    color: bool,
    files: FilenameCompleter,
    hinter: HistoryHinter,
}

impl KgHelper {
    pub fn new(shared: Arc<RwLock<Shared>>, color: bool) -> Self {
        Self {
            shared,
            color,
            files: FilenameCompleter::new(),
            hinter: HistoryHinter::new(),
        }
    }
}

impl Helper for KgHelper {}

/// Multi-line input is decided by the session loop (it shows the `...>` prompt), not here.
impl Validator for KgHelper {}

impl Completer for KgHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let trimmed = line.trim_start();
        if trimmed.starts_with('.') {
            let offset = line.len() - trimmed.len();
            let before = &line[..pos];
            match before[offset..].split_once(char::is_whitespace) {
                None => {
                    let word = &before[offset..];
                    let pairs = COMMANDS
                        .iter()
                        .filter(|c| c.name.starts_with(word))
                        .map(|c| Pair {
                            display: format!("{:<12} {}", c.name, c.help),
                            replacement: format!("{} ", c.name),
                        })
                        .collect();
                    return Ok((offset, pairs));
                }
                Some((name, _)) => {
                    if let Some(c) = COMMANDS.iter().find(|c| c.name == name) {
                        if c.takes_file {
                            return self.files.complete(line, pos, ctx);
                        }
                        if c.name == ".format" {
                            let start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
                            let word = &before[start..];
                            let pairs = kg::OutputFormat::all_names()
                                .filter(|n| n.starts_with(word))
                                .map(|n| Pair {
                                    display: n.to_owned(),
                                    replacement: n.to_owned(),
                                })
                                .collect();
                            return Ok((start, pairs));
                        }
                        if c.name == ".run" {
                            let start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
                            let word = &before[start..];
                            let pairs = kg::seed::QUERIES
                                .iter()
                                .filter(|(n, _)| n.starts_with(word))
                                .map(|(n, _)| Pair {
                                    display: (*n).to_owned(),
                                    replacement: (*n).to_owned(),
                                })
                                .collect();
                            return Ok((start, pairs));
                        }
                    }
                }
            }
        }
        let Ok(shared) = self.shared.read() else {
            return Ok((pos, Vec::new()));
        };
        let (start, candidates) = complete(line, pos, &shared.vocabulary, &shared.prefixes);
        Ok((
            start,
            candidates
                .into_iter()
                .map(|c| Pair {
                    display: c.display,
                    replacement: c.replacement,
                })
                .collect(),
        ))
    }
}

impl Hinter for KgHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<String> {
        self.hinter.hint(line, pos, ctx)
    }
}

impl Highlighter for KgHelper {
    fn highlight<'l>(&self, line: &'l str, pos: usize) -> Cow<'l, str> {
        if !self.color || line.trim_start().starts_with('.') {
            return Cow::Borrowed(line);
        }
        let matching = matching_bracket(line, pos);
        let mut out = String::with_capacity(line.len() * 2);
        for t in tokenize(line) {
            let text = &line[t.start..t.end];
            let style = match t.kind {
                TokenKind::Keyword => "\x1b[1;34m",
                TokenKind::A => "\x1b[1;34m",
                TokenKind::Iri | TokenKind::PrefixedName => "\x1b[36m",
                TokenKind::String | TokenKind::Unterminated => "\x1b[32m",
                TokenKind::Number => "\x1b[33m",
                TokenKind::Variable => "\x1b[35m",
                TokenKind::Comment => "\x1b[2;37m",
                TokenKind::Punct if matching.contains(&t.start) => "\x1b[1;7m",
                _ => "",
            };
            if style.is_empty() {
                out.push_str(text);
            } else {
                out.push_str(style);
                out.push_str(text);
                out.push_str("\x1b[0m");
            }
        }
        Cow::Owned(out)
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.color
    }
}

/// The bracket at or before the cursor and its partner, as byte offsets.
fn matching_bracket(line: &str, pos: usize) -> Vec<usize> {
    let tokens: Vec<_> = tokenize(line)
        .into_iter()
        .filter(|t| t.kind == TokenKind::Punct)
        .collect();
    let at = tokens
        .iter()
        .position(|t| t.start == pos || t.end == pos && pos > 0 && t.start == pos - 1);
    let Some(i) = at else { return Vec::new() };
    let open = |c: &str| matches!(c, "{" | "(" | "[");
    let close = |c: &str| matches!(c, "}" | ")" | "]");
    let text = |k: usize| &line[tokens[k].start..tokens[k].end];
    let mut depth = 0i32;
    if open(text(i)) {
        for k in i..tokens.len() {
            if open(text(k)) {
                depth += 1;
            } else if close(text(k)) {
                depth -= 1;
                if depth == 0 {
                    return vec![tokens[i].start, tokens[k].start];
                }
            }
        }
    } else if close(text(i)) {
        for k in (0..=i).rev() {
            if close(text(k)) {
                depth += 1;
            } else if open(text(k)) {
                depth -= 1;
                if depth == 0 {
                    return vec![tokens[k].start, tokens[i].start];
                }
            }
        }
    }
    Vec::new()
}
