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
use kg::query::statement::{is_update, strip_terminator, Piece, Splitter};
use kg::query::QueryOptions;
use kg::{Error, OutputFormat, Result};
use oxigraph::sparql::CancellationToken;
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
    /// Stops the vocabulary computation in flight: superseded by a newer one, or the session ends.
    vocabulary_cancel: CancellationToken,
}

impl Drop for Session {
    fn drop(&mut self) {
        // Leaving must not wait for the vocabulary or a projection of a large store (seconds on LUBM-10).
        self.vocabulary_cancel.cancel();
        if let Some(pending) = &self.ctx.pending_projection {
            pending.cancel();
        }
    }
}

pub fn run(mut ctx: Ctx, args: Args) -> Result<u8> {
    let interactive = std::io::stdin().is_terminal();
    let color = interactive
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    ctx.backend()?;
    let mut session = Session {
        ctx,
        settings: Settings {
            format: None,
            output: None,
            color,
        },
        shared: Arc::new(RwLock::new(Shared::default())),
        vocabulary_generation: None,
        vocabulary_cancel: CancellationToken::new(),
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
        let _ = writeln!(err, "{}", self.inference_status());
        let mut splitter = Splitter::default();
        // On a remote endpoint the prompt says which one.
        let (first, more) = match self.ctx.backend() {
            Ok(kg::Backend::Remote(r)) => {
                let host = r
                    .url()
                    .split_once("://")
                    .map_or(r.url(), |(_, rest)| rest)
                    .split('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                (
                    format!("kg@{host}> "),
                    format!("{}> ", ".".repeat(host.len() + 3)),
                )
            }
            _ => ("kg> ".to_owned(), "...> ".to_owned()),
        };
        loop {
            let prompt = if splitter.is_empty() { &first } else { &more };
            match editor.readline(prompt) {
                Ok(line) => {
                    let piece = {
                        let backend = self.ctx.backend().ok();
                        splitter.push(&line, |t| backend.as_ref().is_none_or(|b| b.parses(t)))
                    };
                    match piece {
                        Some(Piece::Dot(command)) => {
                            // Leaving is not worth recalling: Up after a restart should bring back work.
                            if !matches!(command.as_str(), ".quit" | ".exit" | ".q") {
                                let _ = editor.add_history_entry(&command);
                                if let Some(h) = &history {
                                    let _ = editor.append_history(h);
                                }
                            }
                            match self.dot(&command) {
                                Ok(Flow::Quit) => break,
                                Ok(Flow::Continue) => {}
                                Err(e) => self.report(&e),
                            }
                            // A dot-command may have written (`.rank --write-back`, `.load`).
                            self.refresh_vocabulary();
                        }
                        Some(Piece::Statement(statement)) => {
                            let _ = editor.add_history_entry(statement.trim());
                            if let Some(h) = &history {
                                let _ = editor.append_history(h);
                            }
                            if let Err(e) = self.statement(&statement) {
                                self.report(&e);
                            }
                            self.refresh_vocabulary();
                        }
                        None => {}
                    }
                }
                Err(ReadlineError::Interrupted) => {
                    splitter.clear();
                }
                Err(ReadlineError::Eof) => break,
                Err(e) => return Err(Error::BadInput(format!("terminal error: {e}"))),
            }
        }
        Ok(0)
    }

    /// Runs statements from a script: no prompt, no colour; the first error stops it unless told otherwise.
    pub fn scripted(&mut self, input: impl BufRead, keep_going: bool) -> Result<u8> {
        let mut splitter = Splitter::default();
        let mut failed = None;
        for line in input.lines() {
            let line = line.map_err(|e| Error::Io {
                path: "<stdin>".into(),
                source: e,
            })?;
            let piece = {
                let backend = self.ctx.backend().ok();
                splitter.push(&line, |t| backend.as_ref().is_none_or(|b| b.parses(t)))
            };
            let result = match piece {
                Some(Piece::Dot(command)) => match self.dot(&command) {
                    Ok(Flow::Quit) => return Ok(failed.unwrap_or(0)),
                    Ok(Flow::Continue) => Ok(()),
                    Err(e) => Err(e),
                },
                Some(Piece::Statement(statement)) => self.statement(&statement),
                None => Ok(()),
            };
            if let Err(e) = result {
                self.report(&e);
                if !keep_going {
                    return Ok(e.exit_code());
                }
                failed = Some(e.exit_code());
            }
        }
        if let Some(statement) = splitter.finish() {
            if let Err(e) = self.statement(&statement) {
                self.report(&e);
                return Ok(e.exit_code());
            }
        }
        Ok(failed.unwrap_or(0))
    }

    /// Runs one SPARQL statement, a query or an update, through the one-shot commands' code.
    pub fn statement(&mut self, text: &str) -> Result<()> {
        let trimmed = strip_terminator(text);
        let options = QueryOptions {
            timeout: self.ctx.timeout,
            no_inference: !self.ctx.inference,
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

    fn inference_status(&mut self) -> String {
        if self.ctx.is_remote() {
            return "inference: as the engine does (kg infer works on kg's own store)".to_owned();
        }
        cmd::infer::status_line(&mut self.ctx).unwrap_or_else(|e| format!("inference: {e}"))
    }

    fn store_name(&mut self) -> String {
        self.ctx.backend().map(|b| b.describe()).unwrap_or_default()
    }

    /// Recomputes the completion vocabulary in the background when the store has changed, and
    /// prepares the projection the next traversal will want.
    fn refresh_vocabulary(&mut self) {
        if self.vocabulary_generation == Some(self.ctx.generation) {
            return;
        }
        cmd::graph::prepare_in_background(&mut self.ctx);
        self.vocabulary_generation = Some(self.ctx.generation);
        if let Ok(kg::Backend::Remote(remote)) = self.ctx.backend() {
            self.vocabulary_cancel.cancel();
            self.vocabulary_cancel = CancellationToken::new();
            if let Ok(mut shared) = self.shared.write() {
                shared.prefixes = remote.prefixes().clone();
            }
            let shared = Arc::clone(&self.shared);
            let cancel = self.vocabulary_cancel.clone();
            let cache = kg::remote::Remotes::dir().map(|d| d.join("cache"));
            kg::query::background::track(std::thread::spawn(move || {
                if let Ok(v) = remote.completion_vocabulary(cache.as_deref(), &cancel) {
                    if let Ok(mut s) = shared.write() {
                        s.vocabulary = v;
                    }
                }
            }));
            return;
        }
        let Ok(store) = self.ctx.store() else { return };
        let store = store.clone();
        // A computation in flight is for older data: its answer must not replace a newer one.
        self.vocabulary_cancel.cancel();
        self.vocabulary_cancel = CancellationToken::new();
        // A session on a store opened before finds the vocabulary saved: ready at once.
        let saved = kg::query::saved_vocabulary(&store);
        let ready = saved.is_some();
        if let Ok(mut shared) = self.shared.write() {
            shared.prefixes = store.prefixes().clone();
            if let Some(v) = saved {
                shared.vocabulary = v;
            }
        }
        if ready {
            return;
        }
        let shared = Arc::clone(&self.shared);
        let cancel = self.vocabulary_cancel.clone();
        kg::query::background::track(std::thread::spawn(move || {
            if let Ok(v) = kg::query::refresh_vocabulary(&store, &cancel) {
                if let Ok(mut s) = shared.write() {
                    s.vocabulary = v;
                }
            }
        }));
    }
}

fn history_path() -> Option<PathBuf> {
    let dir = dirs::data_dir()?.join("kg");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("history"))
}
