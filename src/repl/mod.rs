//! The interactive session: one loop over input lines, whether from a terminal (rustyline, with
//! completion, highlighting and history) or from a script on stdin (no prompts, no colour).
//!
//! Statements run through `cmd::query::statement` and `cmd::update::statement`, the same code as
//! `kg query` and `kg update`; dot-commands live in `commands`.

mod commands;
mod helper;

use crate::cmd::repl_args::Args;
use crate::cmd::{self, Ctx, Io};
use helper::{KgHelper, Shared};
use kg::query::lexer;
use kg::query::QueryOptions;
use kg::{Error, OutputFormat, Result};
use rustyline::error::ReadlineError;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

/// What the loop does after a line.
pub enum Flow {
    Continue,
    Quit,
}

/// Session settings that dot-commands change.
pub struct Settings {
    pub format: Option<OutputFormat>,
    pub output: Option<(PathBuf, std::fs::File)>,
    pub color: bool,
}

/// An open session.
pub struct Session {
    pub ctx: Ctx,
    pub settings: Settings,
    shared: Arc<RwLock<Shared>>,
    vocabulary_generation: Option<u64>,
}

pub fn run(mut ctx: Ctx, args: Args) -> Result<u8> {
    let interactive = std::io::stdin().is_terminal();
    let color = interactive
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    ctx.store()?;
    let mut session = Session {
        ctx,
        settings: Settings {
            format: None,
            output: None,
            color,
        },
        shared: Arc::new(RwLock::new(Shared::default())),
        vocabulary_generation: None,
    };
    if interactive {
        session.interactive()
    } else {
        cmd::install_interrupt_handler(false);
        session.scripted(std::io::stdin().lock(), args.keep_going)
    }
}

impl Session {
    fn interactive(&mut self) -> Result<u8> {
        let config = rustyline::Config::builder()
            .auto_add_history(false)
            .history_ignore_dups(true)
            .map_err(|e| Error::BadInput(e.to_string()))?
            .max_history_size(10_000)
            .map_err(|e| Error::BadInput(e.to_string()))?
            .completion_type(rustyline::CompletionType::List)
            .build();
        let mut editor: rustyline::Editor<KgHelper, rustyline::history::FileHistory> =
            rustyline::Editor::with_config(config).map_err(|e| Error::BadInput(e.to_string()))?;
        editor.set_helper(Some(KgHelper::new(
            Arc::clone(&self.shared),
            self.settings.color,
        )));
        // rustyline takes SIGINT for itself when the editor is created and reads it only while editing;
        // ours goes in afterwards so Ctrl-C cancels a running query. At the prompt the terminal is in
        // raw mode, so Ctrl-C reaches rustyline as a key and still clears the line.
        cmd::install_interrupt_handler(false);
        let history = history_path();
        if let Some(h) = &history {
            let _ = editor.load_history(h);
        }
        self.refresh_vocabulary();
        let mut err = std::io::stderr();
        let _ = writeln!(
            err,
            "kg {} — SPARQL on {}; .help for commands, Ctrl-D to quit",
            env!("CARGO_PKG_VERSION"),
            self.store_name()
        );
        let mut buffer = String::new();
        loop {
            let prompt = if buffer.is_empty() { "kg> " } else { "...> " };
            match editor.readline(prompt) {
                Ok(line) => {
                    if buffer.is_empty() && line.trim_start().starts_with('.') {
                        // Leaving is not worth recalling: Up after a restart should bring back work.
                        if !matches!(line.trim(), ".quit" | ".exit" | ".q") {
                            let _ = editor.add_history_entry(line.trim());
                            if let Some(h) = &history {
                                let _ = editor.append_history(h);
                            }
                        }
                        match self.dot(line.trim()) {
                            Ok(Flow::Quit) => break,
                            Ok(Flow::Continue) => {}
                            Err(e) => self.report(&e),
                        }
                        continue;
                    }
                    if !buffer.is_empty() {
                        buffer.push('\n');
                    }
                    buffer.push_str(&line);
                    if lexer::strip_comments(&buffer).is_empty() {
                        buffer.clear();
                        continue;
                    }
                    if !is_complete(
                        self.ctx.store().ok().map(|s| &*s),
                        &buffer,
                        line.trim().is_empty(),
                    ) {
                        continue;
                    }
                    let statement = std::mem::take(&mut buffer);
                    let _ = editor.add_history_entry(statement.trim());
                    if let Some(h) = &history {
                        let _ = editor.append_history(h);
                    }
                    if let Err(e) = self.statement(&statement) {
                        self.report(&e);
                    }
                    self.refresh_vocabulary();
                }
                Err(ReadlineError::Interrupted) => {
                    buffer.clear();
                }
                Err(ReadlineError::Eof) => break,
                Err(e) => return Err(Error::BadInput(format!("terminal error: {e}"))),
            }
        }
        Ok(0)
    }

    /// Runs statements from a script: no prompt, no colour; the first error stops it unless told otherwise.
    pub fn scripted(&mut self, input: impl BufRead, keep_going: bool) -> Result<u8> {
        let mut buffer = String::new();
        let mut failed = None;
        let mut lines = input.lines();
        loop {
            let line = match lines.next() {
                Some(Ok(l)) => Some(l),
                Some(Err(e)) => {
                    return Err(Error::Io {
                        path: "<stdin>".into(),
                        source: e,
                    })
                }
                None => None,
            };
            let result = match &line {
                Some(l) if buffer.is_empty() && l.trim_start().starts_with('.') => {
                    match self.dot(l.trim()) {
                        Ok(Flow::Quit) => return Ok(failed.unwrap_or(0)),
                        Ok(Flow::Continue) => Ok(()),
                        Err(e) => Err(e),
                    }
                }
                Some(l) => {
                    if !buffer.is_empty() {
                        buffer.push('\n');
                    }
                    buffer.push_str(l);
                    if lexer::strip_comments(&buffer).is_empty() {
                        buffer.clear();
                        Ok(())
                    } else if is_complete(
                        self.ctx.store().ok().map(|s| &*s),
                        &buffer,
                        l.trim().is_empty(),
                    ) {
                        let statement = std::mem::take(&mut buffer);
                        self.statement(&statement)
                    } else {
                        Ok(())
                    }
                }
                None => {
                    if lexer::strip_comments(&buffer).is_empty() {
                        return Ok(failed.unwrap_or(0));
                    }
                    let statement = std::mem::take(&mut buffer);
                    let r = self.statement(&statement);
                    if let Err(e) = r {
                        self.report(&e);
                        return Ok(e.exit_code());
                    }
                    return Ok(failed.unwrap_or(0));
                }
            };
            if let Err(e) = result {
                self.report(&e);
                if !keep_going {
                    return Ok(e.exit_code());
                }
                failed = Some(e.exit_code());
            }
        }
    }

    /// Runs one SPARQL statement, a query or an update, through the one-shot commands' code.
    pub fn statement(&mut self, text: &str) -> Result<()> {
        let trimmed = strip_terminator(text);
        let options = QueryOptions {
            timeout: self.ctx.timeout,
            source: Some("<statement>".to_owned()),
            ..QueryOptions::default()
        };
        let format = self.settings.format;
        let mut stdout = std::io::stdout();
        let mut stderr = std::io::stderr();
        let out: &mut dyn Write = match &mut self.settings.output {
            Some((_, file)) => file,
            None => &mut stdout,
        };
        let mut io = Io {
            out,
            err: &mut stderr,
        };
        if is_update(trimmed) {
            cmd::update::statement(&mut self.ctx, text.trim(), options, &mut io)
        } else {
            cmd::query::statement(&mut self.ctx, trimmed, format, options, &mut io)
        }
    }

    fn report(&self, e: &Error) {
        let _ = writeln!(std::io::stderr(), "error: {}", e.render());
    }

    fn store_name(&mut self) -> String {
        self.ctx
            .store()
            .ok()
            .and_then(|s| s.dir().map(|d| d.display().to_string()))
            .unwrap_or_default()
    }

    /// Recomputes the completion vocabulary in the background when the store has changed.
    fn refresh_vocabulary(&mut self) {
        if self.vocabulary_generation == Some(self.ctx.generation) {
            return;
        }
        self.vocabulary_generation = Some(self.ctx.generation);
        let Ok(store) = self.ctx.store() else { return };
        let store = store.clone();
        if let Ok(mut shared) = self.shared.write() {
            shared.prefixes = store.prefixes().clone();
        }
        let shared = Arc::clone(&self.shared);
        kg::query::background::track(std::thread::spawn(move || {
            if let Ok(v) = kg::query::completion_vocabulary(&store) {
                if let Ok(mut s) = shared.write() {
                    s.vocabulary = v;
                }
            }
        }));
    }
}

/// A statement is complete when it ends with `;`, or when brackets balance and it parses as a query or
/// an update; an empty line sends whatever is balanced, so a broken statement still gets its error.
fn is_complete(store: Option<&kg::KgStore>, text: &str, blank_line: bool) -> bool {
    if lexer::ends_with_terminator(text) {
        return true;
    }
    if !lexer::is_balanced(text) {
        return false;
    }
    if blank_line {
        return true;
    }
    match store {
        Some(s) => {
            kg::query::parse_query(s, text, "").is_ok()
                || kg::query::parse_update(s, text, "").is_ok()
        }
        None => true,
    }
}

fn strip_terminator(text: &str) -> &str {
    let t = text.trim_end();
    t.strip_suffix(';').unwrap_or(t)
}

/// Whether the statement is an update: its first keyword after the prologue is not a query form.
fn is_update(text: &str) -> bool {
    let tokens = lexer::tokenize(text);
    let mut words = tokens
        .iter()
        .filter(|t| matches!(t.kind, lexer::TokenKind::Keyword))
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

fn history_path() -> Option<PathBuf> {
    let dir = dirs::data_dir()?.join("kg");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("history"))
}
