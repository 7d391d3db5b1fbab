//! The last line of a time budget. The engines check `max_seconds` between executions, so one
//! execution (or a set-up) that never ends would never look at it; a watchdog gives the whole
//! run its budget plus a grace period, then says so and ends it.
//!
//! Used by `explore` (the process exits with code 3, `budget-exhausted`) and by a catalogue
//! case's child process (the parent kills it: see `check::worker`). Wall-clock time here only
//! decides when to give up on a run, never what a run explores.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread;
use std::time::Duration;

/// The grace a run gets past its own budget: the engines stop at the first check after the
/// budget ends, and an execution (milliseconds here) or the pinned replay's check may still be
/// under way.
pub fn grace(budget: Duration) -> Duration {
    Duration::from_secs(5).max(budget / 2)
}

/// Disarms the watchdog when dropped.
pub struct Armed {
    _disarm: Sender<()>,
}

/// Runs `fire` on a watchdog thread if the returned guard is still alive after `after`.
pub fn arm(after: Duration, fire: impl FnOnce() + Send + 'static) -> Armed {
    let (disarm, disarmed) = mpsc::channel::<()>();
    thread::Builder::new()
        .name("gcmc-watchdog".into())
        .spawn(move || {
            // A message or a dropped sender both mean the run ended in time.
            if let Err(RecvTimeoutError::Timeout) = disarmed.recv_timeout(after) {
                fire();
            }
        })
        .expect("spawning the watchdog thread");
    Armed { _disarm: disarm }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    #[test]
    fn fires_only_if_still_armed_when_the_time_is_up() {
        let fired = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&fired);
        let guard = arm(Duration::from_secs(30), move || flag.store(true, Ordering::SeqCst));
        drop(guard);
        thread::sleep(Duration::from_millis(50));
        assert!(!fired.load(Ordering::SeqCst), "a disarmed watchdog fired");
        let (tx, rx) = mpsc::channel();
        let _kept = arm(Duration::from_millis(10), move || tx.send(()).unwrap());
        rx.recv_timeout(Duration::from_secs(30)).expect("an armed watchdog did not fire");
    }
}
