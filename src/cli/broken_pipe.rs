//! A closed stdout or stderr ends the process quietly.
//!
//! Rust ignores SIGPIPE, so `gcmc list | head -1` sees EPIPE on its next write and `print!`
//! panics with a backtrace hint. Restoring SIGPIPE's default would also kill `check --jobs` when a
//! case worker dies before reading its request (the parent writes it into a pipe), so the signal
//! stays ignored and the panic that `print!` raises on EPIPE is turned into an exit instead.

use std::panic::{self, PanicHookInfo};
use std::sync::Once;

/// What a shell reports for a process ended by SIGPIPE (128 + 13), the usual status of a writer
/// whose reader went away.
pub const EXIT_CODE: i32 = 141;

/// Installs, once per process, a panic hook that exits with [`EXIT_CODE`] and says nothing when
/// the panic is std's "failed printing to stdout/stderr" on a broken pipe; any other panic goes
/// to the hook that was in place before.
pub fn exit_quietly_on_broken_pipe() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
            if is_broken_pipe_print(info.payload()) {
                std::process::exit(EXIT_CODE);
            }
            previous(info);
        }));
    });
}

/// Whether `payload` is the panic `print!`/`eprint!` raise when the stream's reader is gone.
fn is_broken_pipe_print(payload: &(dyn std::any::Any + Send)) -> bool {
    let message = match (payload.downcast_ref::<String>(), payload.downcast_ref::<&'static str>()) {
        (Some(s), _) => s.as_str(),
        (None, Some(s)) => s,
        (None, None) => return false,
    };
    // The OS error number, not its text: strerror's wording is not a contract.
    let printing = message.starts_with("failed printing to stdout") || message.starts_with("failed printing to stderr");
    printing && message.ends_with(&format!("(os error {})", libc::EPIPE))
}

#[cfg(test)]
mod tests {
    use super::is_broken_pipe_print;

    #[test]
    fn only_a_print_on_a_broken_pipe_counts() {
        let epipe = std::io::Error::from_raw_os_error(libc::EPIPE);
        assert!(is_broken_pipe_print(&format!("failed printing to stdout: {epipe}")));
        assert!(is_broken_pipe_print(&format!("failed printing to stderr: {epipe}")));
        let full = std::io::Error::from_raw_os_error(libc::ENOSPC);
        assert!(!is_broken_pipe_print(&format!("failed printing to stdout: {full}")));
        assert!(!is_broken_pipe_print(&format!("index out of bounds ({epipe})")));
        assert!(!is_broken_pipe_print(&42u32));
    }
}
