//! Threads that outlive the call that started them (an abandoned query, the REPL's vocabulary
//! refresh) are tracked here, so the process can wait for them before it exits.
//!
//! RocksDB must be closed by the last thread holding the store before static destructors run;
//! returning from `main` while a worker still reads the store aborts the process.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

enum Pending {
    Thread(JoinHandle<()>),
    /// Work on a pooled thread, finished when the flag is set.
    Flag(Arc<AtomicBool>),
}

impl Pending {
    fn is_finished(&self) -> bool {
        match self {
            Pending::Thread(h) => h.is_finished(),
            Pending::Flag(f) => f.load(Ordering::Acquire),
        }
    }
}

static THREADS: Mutex<Vec<Pending>> = Mutex::new(Vec::new());

fn remember(pending: Pending) {
    if let Ok(mut threads) = THREADS.lock() {
        threads.retain(|h| !h.is_finished());
        threads.push(pending);
    }
}

/// Remembers a thread to be joined before the process exits.
pub fn track(handle: JoinHandle<()>) {
    remember(Pending::Thread(handle));
}

/// Remembers work on a pooled thread that sets `finished` when it has let go of the store.
pub fn track_flag(finished: Arc<AtomicBool>) {
    remember(Pending::Flag(finished));
}

/// Waits up to `patience` for every tracked thread; returns whether they all finished.
/// Cancelled queries stop at Oxigraph's next cancellation check, which can be seconds away.
pub fn join_all(patience: Duration) -> bool {
    let deadline = Instant::now() + patience;
    let threads = THREADS
        .lock()
        .map(|mut t| std::mem::take(&mut *t))
        .unwrap_or_default();
    let mut all_finished = true;
    for pending in threads {
        while !pending.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if !pending.is_finished() {
            all_finished = false;
        } else if let Pending::Thread(handle) = pending {
            let _ = handle.join();
        }
    }
    all_finished
}
