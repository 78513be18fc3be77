//! Connect-or-spawn: when no engine serves a data dir, start `kith serve` in the background
//! (its own session, so it outlives the terminal) and wait until it answers. A lock file keeps
//! two front ends starting at once from spawning two engines; a socket file nobody listens on
//! is removed first.

use super::IpcError;
use crate::i18n::tf;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::net::UnixStream;

#[derive(Debug, Clone)]
pub struct SpawnOptions {
    pub exe: PathBuf,
    pub data_dir: PathBuf,
    pub config: Option<PathBuf>,
    pub lang: Option<String>,
    pub operator: String,
    pub socket: PathBuf,
}

/// How long a spawned engine may take to open its store and listen.
const READY_WITHIN: Duration = Duration::from_secs(20);

pub async fn probe(socket: &Path) -> bool {
    UnixStream::connect(socket).await.is_ok()
}

/// Makes sure an engine serves the data dir, starting one if needed.
pub async fn ensure_running(opts: &SpawnOptions) -> Result<(), IpcError> {
    if probe(&opts.socket).await {
        return Ok(());
    }
    super::path::prepare_dir(&opts.socket).map_err(IpcError::Refused)?;
    let run = super::path::run_dir(&opts.data_dir);
    std::fs::create_dir_all(&run).map_err(|e| IpcError::Io(e.to_string()))?;
    let lock = SpawnLock::take(&run.join("spawn.lock")).await?;
    // Someone else may have started it while we waited for the lock.
    if probe(&opts.socket).await {
        return Ok(());
    }
    if opts.socket.exists() {
        let _ = std::fs::remove_file(&opts.socket);
    }
    let log = run.join("serve.log");
    let stderr = std::fs::File::create(&log).map_err(|e| IpcError::Io(e.to_string()))?;
    let mut cmd = std::process::Command::new(&opts.exe);
    cmd.arg("--data-dir").arg(&opts.data_dir);
    if let Some(c) = &opts.config {
        cmd.arg("--config").arg(c);
    }
    if let Some(l) = &opts.lang {
        cmd.arg("--lang").arg(l);
    }
    cmd.arg("--as")
        .arg(&opts.operator)
        .arg("serve")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr);
    // SAFETY: setsid is async-signal-safe and touches nothing of the parent's state; it puts the
    // engine in its own session so closing the terminal does not send it SIGHUP.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let mut child = cmd.spawn().map_err(|e| {
        IpcError::Io(tf(
            "err.ipc_spawn",
            &[("exe", &opts.exe.display()), ("error", &e)],
        ))
    })?;
    let deadline = tokio::time::Instant::now() + READY_WITHIN;
    let result = loop {
        if probe(&opts.socket).await {
            break Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            let why = std::fs::read_to_string(&log).unwrap_or_default();
            let why = crate::text::sanitize_line(why.trim(), 2000).text;
            break Err(IpcError::Refused(tf(
                "err.ipc_engine_exited",
                &[("status", &status), ("why", &why)],
            )));
        }
        if tokio::time::Instant::now() > deadline {
            break Err(IpcError::Io(tf(
                "err.ipc_not_ready",
                &[("secs", &READY_WITHIN.as_secs()), ("log", &log.display())],
            )));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    // Reap the engine whenever it exits so it never lingers as a zombie of this process.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    drop(lock);
    result
}

/// An exclusive `flock` on a file, released on drop.
struct SpawnLock(std::fs::File);

impl SpawnLock {
    async fn take(path: &Path) -> Result<SpawnLock, IpcError> {
        use std::os::fd::AsRawFd;
        let f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| IpcError::Io(e.to_string()))?;
        let deadline = tokio::time::Instant::now() + READY_WITHIN;
        loop {
            // SAFETY: the descriptor is open for the life of `f`.
            if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
                return Ok(SpawnLock(f));
            }
            if tokio::time::Instant::now() > deadline {
                return Err(IpcError::Io(tf(
                    "err.ipc_spawn_lock",
                    &[("file", &path.display())],
                )));
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

impl Drop for SpawnLock {
    fn drop(&mut self) {
        use std::os::fd::AsRawFd;
        // SAFETY: the descriptor is still open here.
        unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
    }
}
