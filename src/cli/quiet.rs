//! Keeping the engines' own chatter off the command line's stderr.
//!
//! shuttle prints "test panicked in task '...'" on every failing execution, unconditionally; the
//! harness reports failures its own way. While an engine runs, the CLI points file descriptor 2 at
//! /dev/null and restores it afterwards; the progress bar draws to a duplicate of the real stderr.
//! (The library and the tests do not do this: there, the test harness captures such output.)

use indicatif::TermLike;
use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{FromRawFd, RawFd};

/// While alive, stderr goes to /dev/null.
pub struct Silenced {
    saved: RawFd,
}

impl Silenced {
    /// Silences stderr; `None` (and nothing changed) if the descriptors cannot be set up.
    pub fn begin() -> Option<Silenced> {
        let _ = io::stderr().flush();
        // Safety: plain descriptor calls on descriptors this function opens or owns; fd 2 is
        // restored by Drop before anything else in the CLI writes an error.
        unsafe {
            let saved = libc::dup(2);
            if saved < 0 {
                return None;
            }
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
            if null < 0 || libc::dup2(null, 2) < 0 {
                if null >= 0 {
                    libc::close(null);
                }
                libc::close(saved);
                return None;
            }
            libc::close(null);
            Some(Silenced { saved })
        }
    }

    /// A handle on the real stderr, for the progress bar.
    pub fn real_stderr(&self) -> Option<File> {
        // Safety: a fresh duplicate, owned by the returned File.
        let fd = unsafe { libc::dup(self.saved) };
        (fd >= 0).then(|| unsafe { File::from_raw_fd(fd) })
    }
}

impl Drop for Silenced {
    fn drop(&mut self) {
        // Safety: restores fd 2 from the duplicate taken in begin, then closes the duplicate.
        unsafe {
            libc::dup2(self.saved, 2);
            libc::close(self.saved);
        }
    }
}

/// A terminal for indicatif over a file descriptor (the real stderr while fd 2 is silenced).
#[derive(Debug)]
pub(super) struct FileTerm(pub(super) File);

impl FileTerm {
    fn write(&self, s: &str) -> io::Result<()> {
        (&self.0).write_all(s.as_bytes())
    }
}

impl TermLike for FileTerm {
    fn width(&self) -> u16 {
        100
    }
    fn move_cursor_up(&self, n: usize) -> io::Result<()> {
        if n > 0 {
            self.write(&format!("\x1b[{n}A"))
        } else {
            Ok(())
        }
    }
    fn move_cursor_down(&self, n: usize) -> io::Result<()> {
        if n > 0 {
            self.write(&format!("\x1b[{n}B"))
        } else {
            Ok(())
        }
    }
    fn move_cursor_right(&self, n: usize) -> io::Result<()> {
        if n > 0 {
            self.write(&format!("\x1b[{n}C"))
        } else {
            Ok(())
        }
    }
    fn move_cursor_left(&self, n: usize) -> io::Result<()> {
        if n > 0 {
            self.write(&format!("\x1b[{n}D"))
        } else {
            Ok(())
        }
    }
    fn write_line(&self, s: &str) -> io::Result<()> {
        self.write(&format!("{s}\n"))
    }
    fn write_str(&self, s: &str) -> io::Result<()> {
        self.write(s)
    }
    fn clear_line(&self) -> io::Result<()> {
        self.write("\r\x1b[2K")
    }
    fn flush(&self) -> io::Result<()> {
        (&self.0).flush()
    }
}
