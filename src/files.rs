//! Every file gcmc reads or writes goes through here.
//!
//! Writes are atomic: the bytes go to a temporary file in the target's directory, are synced, and
//! the temporary file is renamed over the target, so a crash, a full disk or a failing writer
//! leaves either the old file or the new one, never a truncated mix (a half-written catalogue
//! would be refused by the next `check`; a half-written replay could pin nothing).
//!
//! Reads are bounded: an input must be a regular file (a FIFO would block, `/dev/zero` would never
//! end) no larger than its limit, and is read through `take(limit + 1)` so a file that grows
//! after its size was checked still cannot exhaust memory.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The largest catalogue gcmc reads (the shipped one is under 100 KiB).
pub const MAX_CATALOGUE_BYTES: u64 = 4 << 20;
/// The largest replay file gcmc reads (the largest pinned one, a loom checkpoint, is under 64 KiB).
pub const MAX_REPLAY_BYTES: u64 = 16 << 20;

/// Reads the text of `path`, refusing anything but a regular file of at most `limit` bytes in
/// UTF-8. The error is the problem alone, one line; the caller names the file.
pub fn read_bounded(path: &Path, limit: u64) -> Result<String, String> {
    let metadata = std::fs::metadata(path).map_err(|e| format!("cannot read it: {e}"))?;
    if !metadata.is_file() {
        return Err(format!("not a regular file ({}): gcmc reads only regular files", kind(&metadata)));
    }
    if metadata.len() > limit {
        return Err(format!("{} bytes, over the limit of {limit} bytes", metadata.len()));
    }
    let file = File::open(path).map_err(|e| format!("cannot read it: {e}"))?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read it: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!("grew past the limit of {limit} bytes while being read"));
    }
    String::from_utf8(bytes).map_err(|e| format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()))
}

fn kind(metadata: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = metadata.file_type();
    match () {
        () if t.is_dir() => "a directory",
        () if t.is_symlink() => "a symlink",
        () if t.is_fifo() => "a FIFO",
        () if t.is_char_device() || t.is_block_device() => "a device",
        () if t.is_socket() => "a socket",
        () => "not a plain file",
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with(path, |out| out.write_all(bytes))
}

/// Whether `write` could put a file at `path`, asked before a run so that a run of minutes does
/// not end in "cannot write": its directory must exist and be a directory, and what is at `path`,
/// if anything, a regular file. The problem alone, one line; the caller names the option.
pub fn writable_file(path: &Path) -> Result<(), String> {
    if let Ok(metadata) = std::fs::symlink_metadata(path) {
        if !metadata.is_file() {
            return Err(format!("it is {}, and gcmc replaces only regular files", kind(&metadata)));
        }
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    match std::fs::metadata(parent) {
        Ok(metadata) if metadata.is_dir() => Ok(()),
        Ok(_) => Err(format!("{} is not a directory", parent.display())),
        Err(e) => Err(format!("its directory {} cannot be used: {e}", parent.display())),
    }
}

/// Whether gcmc could create files in `dir`, creating it first if need be: `dir` must be a
/// directory if it exists, and otherwise its nearest existing ancestor must be one.
pub fn usable_dir(dir: &Path) -> Result<(), String> {
    let existing = dir.ancestors().find(|p| !p.as_os_str().is_empty() && std::fs::symlink_metadata(p).is_ok());
    match existing.map(|p| (p, std::fs::metadata(p))) {
        Some((p, Ok(metadata))) if !metadata.is_dir() => Err(format!("{} is not a directory", p.display())),
        Some((p, Err(e))) => Err(format!("{} cannot be used: {e}", p.display())),
        _ => Ok(()),
    }
}

/// Writes to `path` atomically what `fill` writes to the file it is given: the target keeps its
/// old content (or stays absent) unless `fill` succeeds and the new content is synced.
///
/// Only a regular file is replaced: a rename over a symlink or a device (`--svg /dev/stdout`) would
/// replace the link or the device node itself, not write through it.
pub fn write_with(path: &Path, fill: impl FnOnce(&mut File) -> io::Result<()>) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(metadata) if !metadata.is_file() => {
            let problem = format!("it is {}, and gcmc replaces only regular files", kind(&metadata));
            return Err(io::Error::new(io::ErrorKind::InvalidInput, problem));
        }
        _ => {}
    }
    let temporary = temporary_beside(path)?;
    let written = File::options().write(true).create_new(true).open(&temporary).and_then(|mut file| {
        fill(&mut file)?;
        file.sync_all()
    });
    let renamed = written.and_then(|()| std::fs::rename(&temporary, path));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    renamed
}

/// A fresh name in `path`'s directory: a rename is atomic only within one file system.
fn temporary_beside(path: &Path) -> io::Result<PathBuf> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name to write"))?;
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let mut temporary = std::ffi::OsString::from(".");
    temporary.push(name);
    temporary.push(format!(".gcmc-{}-{n}.tmp", std::process::id()));
    Ok(path.with_file_name(temporary))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("gcmc-files-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        names.sort();
        names
    }

    #[test]
    fn a_write_that_fails_midway_leaves_the_old_content_and_no_temporary() {
        let dir = scratch("midway");
        let target = dir.join("catalogue.toml");
        std::fs::write(&target, "old content\n").unwrap();
        let failed = write_with(&target, |out| {
            out.write_all(b"new con")?;
            // What the target holds while the writer is midway: still all of the old file.
            assert_eq!(std::fs::read_to_string(&target).unwrap(), "old content\n");
            Err(io::Error::other("disk full"))
        });
        assert_eq!(failed.unwrap_err().to_string(), "disk full");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old content\n");
        assert_eq!(entries(&dir), ["catalogue.toml"]);
        write(&target, b"new content\n").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new content\n");
        assert_eq!(entries(&dir), ["catalogue.toml"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_write_replaces_only_a_regular_file() {
        let dir = scratch("symlink");
        std::fs::write(dir.join("elsewhere"), "keep\n").unwrap();
        std::os::unix::fs::symlink(dir.join("elsewhere"), dir.join("link")).unwrap();
        let refused = write(&dir.join("link"), b"new\n").unwrap_err().to_string();
        assert_eq!(refused, "it is a symlink, and gcmc replaces only regular files");
        assert!(std::fs::symlink_metadata(dir.join("link")).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(dir.join("elsewhere")).unwrap(), "keep\n");
        assert!(write(&dir, b"new\n").unwrap_err().to_string().starts_with("it is a directory"));
        assert_eq!(entries(&dir), ["elsewhere", "link"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn output_paths_are_judged_before_anything_is_written() {
        let dir = scratch("outputs");
        assert_eq!(writable_file(&dir.join("chart.svg")), Ok(()));
        assert!(writable_file(&dir.join("absent/chart.svg")).unwrap_err().contains("cannot be used"));
        assert!(writable_file(&dir).unwrap_err().contains("a directory"));
        std::fs::write(dir.join("file"), "x").unwrap();
        assert!(writable_file(&dir.join("file/chart.svg")).unwrap_err().contains("is not a directory"));
        assert_eq!(usable_dir(&dir.join("new/deeper")), Ok(()));
        assert!(usable_dir(&dir.join("file/replays")).unwrap_err().contains("is not a directory"));
        assert!(usable_dir(&dir.join("file")).unwrap_err().contains("is not a directory"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reads_refuse_what_is_not_a_small_regular_file() {
        let dir = scratch("reads");
        assert!(read_bounded(&dir, 100).unwrap_err().contains("not a regular file (a directory)"));
        assert!(read_bounded(Path::new("/dev/zero"), 100).unwrap_err().contains("not a regular file (a device)"));
        std::fs::write(dir.join("big"), "x".repeat(101)).unwrap();
        assert_eq!(read_bounded(&dir.join("big"), 100).unwrap_err(), "101 bytes, over the limit of 100 bytes");
        assert_eq!(read_bounded(&dir.join("big"), 101).unwrap(), "x".repeat(101));
        std::fs::write(dir.join("binary"), [b'a', 0xff]).unwrap();
        assert!(read_bounded(&dir.join("binary"), 100).unwrap_err().contains("not UTF-8"));
        assert!(read_bounded(&dir.join("absent"), 100).unwrap_err().starts_with("cannot read it:"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
