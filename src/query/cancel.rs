//! Cancellation and timeouts, both through one Oxigraph `CancellationToken` per query.

use oxigraph::sparql::CancellationToken;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::Duration;

/// The token a query runs with, plus a timer that cancels it when the timeout passes.
/// Dropping the deadline stops the timer.
pub struct Deadline {
    token: CancellationToken,
    timed_out: Arc<AtomicBool>,
    timeout: Option<Duration>,
    _stop_timer: Option<Sender<()>>,
}

impl Deadline {
    /// Uses the caller's token (so Ctrl-C can cancel) or a fresh one, and arms the timer if asked.
    pub fn new(token: Option<CancellationToken>, timeout: Option<Duration>) -> Self {
        let token = token.unwrap_or_default();
        let timed_out = Arc::new(AtomicBool::new(false));
        let stop = timeout.map(|limit| {
            let (tx, rx) = channel::<()>();
            let token = token.clone();
            let flag = Arc::clone(&timed_out);
            std::thread::spawn(move || {
                if rx.recv_timeout(limit) == Err(RecvTimeoutError::Timeout) {
                    flag.store(true, Ordering::SeqCst);
                    token.cancel();
                }
            });
            tx
        });
        Self {
            token,
            timed_out,
            timeout,
            _stop_timer: stop,
        }
    }

    pub fn token(&self) -> CancellationToken {
        self.token.clone()
    }

    /// The timeout in seconds when the timer fired, `None` when the query was cancelled otherwise.
    pub fn timed_out(&self) -> Option<u64> {
        self.timed_out
            .load(Ordering::SeqCst)
            .then(|| self.timeout.map_or(0, |t| t.as_secs().max(1)))
    }
}
