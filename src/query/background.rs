//! Threads that outlive the call that started them (an abandoned query, the REPL's vocabulary
//! refresh) are tracked here, so the process can wait for them before it exits.
//!
//! RocksDB must be closed by the last thread holding the store before static destructors run;
//! returning from `main` while a worker still reads the store aborts the process.

use std::sync::Mutex;
use std::thread::JoinHandle;

static THREADS: Mutex<Vec<JoinHandle<()>>> = Mutex::new(Vec::new());

/// Remembers a thread to be joined before the process exits.
pub fn track(handle: JoinHandle<()>) {
    if let Ok(mut threads) = THREADS.lock() {
        threads.retain(|h| !h.is_finished());
        threads.push(handle);
    }
}

/// Waits for every tracked thread; cancelled queries stop at Oxigraph's next cancellation check.
pub fn join_all() {
    let threads = THREADS
        .lock()
        .map(|mut t| std::mem::take(&mut *t))
        .unwrap_or_default();
    for handle in threads {
        let _ = handle.join();
    }
}
