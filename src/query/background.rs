//! Threads that outlive the call that started them (an abandoned query, the REPL's vocabulary
//! refresh) are tracked here, so the process can wait for them before it exits.
//!
//! RocksDB must be closed by the last thread holding the store before static destructors run;
//! returning from `main` while a worker still reads the store aborts the process.

use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

static THREADS: Mutex<Vec<JoinHandle<()>>> = Mutex::new(Vec::new());

/// Remembers a thread to be joined before the process exits.
pub fn track(handle: JoinHandle<()>) {
    if let Ok(mut threads) = THREADS.lock() {
        threads.retain(|h| !h.is_finished());
        threads.push(handle);
    }
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
    for handle in threads {
        while !handle.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if handle.is_finished() {
            let _ = handle.join();
        } else {
            all_finished = false;
        }
    }
    all_finished
}
