//! Running a query on a worker thread so that cancelling returns at once.
//!
//! Oxigraph checks its cancellation token only at some operators: a large cross product can run for
//! seconds after `cancel()`. The worker renders into chunks sent over a channel; the caller writes
//! them out and, when cancelled or timed out, stops listening at once. The abandoned worker stops at
//! Oxigraph's next check, and nothing it renders afterwards reaches the output.

use super::render::{render, RenderContext};
use super::{Outcome, QueryOptions};
use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::format::{AnswerKind, OutputFormat};
use oxigraph::sparql::CancellationToken;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{
    sync_channel, Receiver, RecvTimeoutError, SendError, SyncSender, TryRecvError,
};
use std::sync::{Arc, Mutex};
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
    /// Set by the worker once it has finished with the query and let go of the store.
    finished: Arc<AtomicBool>,
}

/// Starts a query: parsed and started on a worker, rendered in `format` (or the kind's default).
pub fn spawn(
    store: &Backend,
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
    let finished = Arc::new(AtomicBool::new(false));
    let flag = finished.clone();
    on_worker(Box::new(move || {
        let result = run(&store, &text, format, &worker_options, &sender);
        // Whoever reads `Done` may end the process: the store must be released before.
        drop(store);
        let _ = sender.send(Message::Done(result));
        flag.store(true, Ordering::Release);
    }));
    Job {
        receiver,
        token,
        timeout,
        finished,
    }
}

type Task = Box<dyn FnOnce() + Send>;

/// Idle query workers, each waiting on its own channel. A short query spent more on creating its
/// thread and unmapping the thread's stack than on evaluation (0.2-0.3 ms a statement instead of
/// 0.1), so workers are kept; an abandoned query keeps its worker until Oxigraph stops it.
static IDLE: Mutex<Vec<SyncSender<Task>>> = Mutex::new(Vec::new());

fn on_worker(mut task: Task) {
    while let Some(worker) = IDLE.lock().ok().and_then(|mut idle| idle.pop()) {
        match worker.send(task) {
            Ok(()) => return,
            Err(SendError(t)) => task = t,
        }
    }
    let (sender, receiver) = sync_channel::<Task>(1);
    if sender.send(task).is_err() {
        return;
    }
    std::thread::spawn(move || {
        while let Ok(task) = receiver.recv() {
            task();
            match IDLE.lock() {
                Ok(mut idle) => idle.push(sender.clone()),
                Err(_) => return,
            }
        }
    });
}

fn run(
    store: &Backend,
    text: &str,
    format: Option<OutputFormat>,
    options: &QueryOptions,
    sender: &SyncSender<Message>,
) -> Result<u64> {
    let outcome: Outcome = store.query(text, options)?;
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
        if result.is_err() {
            // The worker stops at Oxigraph's next check; whoever ends the process waits for it.
            self.token.cancel();
            super::background::track_flag(self.finished.clone());
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
            match self.next_message(start) {
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

    /// Most answers are ready within a fraction of a millisecond: polling for the first 100 µs
    /// spares both threads a sleep and a wake-up through the kernel (a quarter of a short
    /// query's time in perf), then the wait blocks.
    fn next_message(&self, start: Instant) -> Result<Message, RecvTimeoutError> {
        while start.elapsed() < SPIN {
            match self.receiver.try_recv() {
                Ok(m) => return Ok(m),
                Err(TryRecvError::Empty) => std::hint::spin_loop(),
                Err(TryRecvError::Disconnected) => return Err(RecvTimeoutError::Disconnected),
            }
        }
        self.receiver.recv_timeout(Duration::from_millis(50))
    }
}

const SPIN: Duration = Duration::from_micros(100);

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
