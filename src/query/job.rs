//! Running a query on a worker thread so that cancelling returns at once.
//!
//! Oxigraph checks its cancellation token only at some operators: a large cross product can run for
//! seconds after `cancel()`. The worker renders into chunks sent over a channel; the caller writes
//! them out and, when cancelled or timed out, stops listening at once. The abandoned worker stops at
//! Oxigraph's next check, and nothing it renders afterwards reaches the output.

use super::render::{render, RenderContext};
use super::{execute, Outcome, QueryOptions};
use crate::error::{Error, Result};
use crate::format::{AnswerKind, OutputFormat};
use crate::store::KgStore;
use oxigraph::sparql::CancellationToken;
use std::io::Write;
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

enum Message {
    Bytes(Vec<u8>),
    Done(Result<u64>),
}

/// A query running on a worker thread.
pub struct Job {
    receiver: Receiver<Message>,
    token: CancellationToken,
    timeout: Option<Duration>,
    handle: Option<JoinHandle<()>>,
}

/// Starts a query: parsed and started on a worker, rendered in `format` (or the kind's default).
pub fn spawn(
    store: &KgStore,
    text: &str,
    format: Option<OutputFormat>,
    options: QueryOptions,
) -> Job {
    let (sender, receiver) = sync_channel(16);
    let token = options.cancel.clone().unwrap_or_default();
    let timeout = options.timeout;
    let worker_options = QueryOptions {
        cancel: Some(token.clone()),
        // The caller enforces the timeout, so it is exact even where Oxigraph checks rarely.
        timeout: None,
        ..options
    };
    let store = store.clone();
    let text = text.to_owned();
    let handle = std::thread::spawn(move || {
        let result = run(&store, &text, format, &worker_options, &sender);
        let _ = sender.send(Message::Done(result));
    });
    Job {
        receiver,
        token,
        timeout,
        handle: Some(handle),
    }
}

fn run(
    store: &KgStore,
    text: &str,
    format: Option<OutputFormat>,
    options: &QueryOptions,
    sender: &SyncSender<Message>,
) -> Result<u64> {
    let outcome: Outcome = execute(store, text, options)?;
    let format = format.unwrap_or(match outcome.kind() {
        AnswerKind::Graph => OutputFormat::Turtle,
        _ => OutputFormat::Table,
    });
    let context = RenderContext {
        prefixes: store.prefixes(),
    };
    let mut writer = ChunkWriter {
        buffer: Vec::with_capacity(CHUNK),
        sender,
    };
    let rows = render(outcome, format, &context, &mut writer)?;
    writer.flush().map_err(|e| Error::io("<output>", e))?;
    Ok(rows)
}

const CHUNK: usize = 64 * 1024;

impl Job {
    /// Writes the answer to `out` as it comes; returns the row count. Returns `Cancelled` or `Timeout`
    /// as soon as the token is cancelled or the time is up, without waiting for the worker.
    pub fn wait(mut self, out: &mut dyn Write) -> Result<u64> {
        let result = self.pump(out);
        if let Some(handle) = self.handle.take() {
            if result.is_ok() {
                let _ = handle.join();
            } else {
                // The worker stops at Oxigraph's next check; whoever ends the process waits for it.
                self.token.cancel();
                super::background::track(handle);
            }
        }
        result
    }

    fn pump(&mut self, out: &mut dyn Write) -> Result<u64> {
        let start = Instant::now();
        loop {
            if self.token.is_cancelled() {
                return Err(Error::Cancelled);
            }
            if let Some(limit) = self.timeout {
                if start.elapsed() >= limit {
                    self.token.cancel();
                    return Err(Error::Timeout(limit.as_secs().max(1)));
                }
            }
            match self.receiver.recv_timeout(Duration::from_millis(50)) {
                Ok(Message::Bytes(bytes)) => out
                    .write_all(&bytes)
                    .map_err(|e| Error::io("<output>", e))?,
                Ok(Message::Done(result)) => return result,
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(Error::Evaluation(
                        "the query worker stopped unexpectedly".to_owned(),
                    ))
                }
            }
        }
    }
}

/// Buffers rendered output and hands it to the caller in chunks; fails once the caller has gone.
struct ChunkWriter<'a> {
    buffer: Vec<u8>,
    sender: &'a SyncSender<Message>,
}

impl Write for ChunkWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        if self.buffer.len() >= CHUNK {
            self.flush()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.buffer.is_empty() {
            let bytes = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK));
            self.sender.send(Message::Bytes(bytes)).map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::BrokenPipe, "query abandoned")
            })?;
        }
        Ok(())
    }
}
