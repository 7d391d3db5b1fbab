//! Ctrl-C and SIGTERM during `gcmc check`: the run stops, the rows of the cases that finished are
//! printed, and gcmc exits with 128 + the signal's number (130 for SIGINT, 143 for SIGTERM), as a
//! shell reports a process the signal ended.
//!
//! The handler only records the signal (an atomic store is all a handler may safely do); the
//! threads that wait for the case workers poll it ([`crate::check::Options::stop`]) and kill
//! their workers. The workers themselves ignore both signals: a terminal's Ctrl-C reaches the
//! whole foreground process group, and a worker that died of it first would look like a crashed
//! case, not an interrupted one.

use std::sync::atomic::{AtomicI32, Ordering};

/// The signal received, 0 before any.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

extern "C" fn record(signal: libc::c_int) {
    RECEIVED.store(signal, Ordering::SeqCst);
}

/// From now on, SIGINT and SIGTERM are recorded instead of ending the process.
pub(super) fn catch() -> std::io::Result<()> {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // Safety: a zeroed sigaction is valid once its mask is emptied; the handler only performs
        // an atomic store, which is async-signal-safe.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = record as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            if libc::sigaction(signal, &action, std::ptr::null_mut()) != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
    }
    Ok(())
}

/// The signal [`catch`] recorded, if one came.
pub(super) fn received() -> Option<i32> {
    Some(RECEIVED.load(Ordering::SeqCst)).filter(|&s| s != 0)
}

/// Whether a signal came: [`crate::check::Options::stop`] for `check`.
pub(super) fn stop() -> bool {
    received().is_some()
}

/// The exit status a shell gives a process that `signal` ended.
pub(super) fn exit_code(signal: i32) -> i32 {
    128 + signal
}

/// `SIGINT`, `SIGTERM`: how the report names the signal.
pub(super) fn name(signal: i32) -> String {
    match signal {
        libc::SIGINT => "SIGINT (Ctrl-C)".into(),
        libc::SIGTERM => "SIGTERM".into(),
        other => format!("signal {other}"),
    }
}
