//! Who holds the store. sled locks its files; kith adds a holder file so a second process can
//! say which process has the store instead of showing a raw lock error.

use super::StoreError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;

const HOLDER_FILE: &str = "engine.pid";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub pid: Option<u32>,
    pub command: Option<String>,
}

impl Holder {
    pub fn phrase(&self) -> crate::i18n::Phrase {
        use crate::i18n::ph;
        match (&self.pid, &self.command) {
            (Some(pid), Some(cmd)) => ph("err.holder_pid_cmd", &[("pid", pid), ("cmd", cmd)]),
            (Some(pid), None) => ph("err.holder_pid", &[("pid", pid)]),
            _ => ph("err.holder_unknown", &[]),
        }
    }
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.phrase())
    }
}

pub fn write_holder(dir: &Path) -> std::io::Result<()> {
    let cmd: Vec<String> = std::env::args().take(3).collect();
    let body = format!("{}\n{}\n", std::process::id(), cmd.join(" "));
    std::fs::write(dir.join(HOLDER_FILE), body)
}

pub fn clear_holder(dir: &Path) {
    let path = dir.join(HOLDER_FILE);
    if let Ok(body) = std::fs::read_to_string(&path) {
        if body.lines().next() == Some(&std::process::id().to_string()) {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn read_holder(dir: &Path) -> Holder {
    let body = std::fs::read_to_string(dir.join(HOLDER_FILE)).unwrap_or_default();
    let mut lines = body.lines();
    Holder {
        pid: lines.next().and_then(|l| l.trim().parse().ok()),
        command: lines
            .next()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
    }
}

/// The data dir's own lock: an exclusive `flock` on `store.lock`, held by an open `Store` for its
/// life (closing the file lets go). sled locks its files too, but a compaction replaces those
/// files (see `compact.rs`); this lock stays put, so only its holder ever touches them.
pub struct DirLock(#[allow(dead_code)] std::fs::File);

pub fn lock_dir(dir: &Path) -> Result<DirLock, StoreError> {
    use std::os::fd::AsRawFd;
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("store.lock"))
        .map_err(StoreError::Disk)?;
    // SAFETY: the descriptor is open for the life of `f`.
    if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        return Ok(DirLock(f));
    }
    let e = std::io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        return Err(StoreError::Locked {
            dir: dir.to_path_buf(),
            holder: read_holder(dir),
        });
    }
    Err(StoreError::Disk(e))
}

/// Turns sled's open error into `Locked` when another process holds the files, `Full` when
/// the disk has no room left.
pub fn classify(dir: &Path, e: sled::Error) -> StoreError {
    let locked = match &e {
        sled::Error::Io(io) => {
            io.kind() == std::io::ErrorKind::WouldBlock
                || io.to_string().to_ascii_lowercase().contains("lock")
                || io.raw_os_error() == Some(libc::EWOULDBLOCK)
        }
        _ => false,
    };
    if matches!(&e, sled::Error::Io(io) if super::no_space(io)) {
        return StoreError::Full;
    }
    if locked {
        StoreError::Locked {
            dir: dir.to_path_buf(),
            holder: read_holder(dir),
        }
    } else {
        StoreError::Open {
            dir: dir.to_path_buf(),
            source: e,
        }
    }
}
