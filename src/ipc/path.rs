//! Where a data dir's engine listens, and whether that place is safe: a directory only its owner
//! can enter, so no other local user can reach the socket or swap it.

use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Unix socket paths are limited to ~108 bytes; stay well under.
const MAX_SOCKET_PATH: usize = 100;

/// `DATA_DIR/run/engine.sock`, or, when that path is too long for a socket, a per-user runtime
/// directory with a name derived from the data dir.
pub fn socket_path(data_dir: &Path) -> PathBuf {
    let plain = run_dir(data_dir).join("engine.sock");
    if plain.as_os_str().len() <= MAX_SOCKET_PATH {
        return plain;
    }
    let base = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    // SAFETY: geteuid takes no arguments and cannot fail.
    let uid = unsafe { libc::geteuid() };
    let canon = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    base.join(format!("kith-{uid}")).join(format!(
        "{:016x}.sock",
        fnv(canon.as_os_str().as_encoded_bytes())
    ))
}

/// The private directory next to the store: socket, spawn lock, the engine's start-up errors.
pub fn run_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("run")
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x100000001b3)
    })
}

/// Creates the socket's directory (mode 0700) if needed and checks it: owned by us, and no one
/// else may write to it. Returns a catalog message when it is unsafe.
pub fn prepare_dir(socket: &Path) -> Result<(), String> {
    let Some(dir) = socket.parent() else {
        return Err(crate::i18n::t("err.ipc_socket_path"));
    };
    let new = !dir.exists();
    if let Err(e) = std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
    {
        return Err(crate::i18n::tf(
            "err.ipc_dir",
            &[("dir", &dir.display()), ("error", &e)],
        ));
    }
    // The mode asked for is masked by the umask of the moment (another thread may be binding
    // a socket under umask 0177): a folder we made gets exactly 0700.
    if new {
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    check_dir(dir)
}

/// A directory others can write to (or that someone else owns) could hold a planted socket.
pub fn check_dir(dir: &Path) -> Result<(), String> {
    let md = std::fs::metadata(dir)
        .map_err(|e| crate::i18n::tf("err.ipc_dir", &[("dir", &dir.display()), ("error", &e)]))?;
    let uid = unsafe { libc::geteuid() };
    let mode = md.permissions().mode();
    if md.uid() != uid || mode & 0o022 != 0 {
        return Err(crate::i18n::tf(
            "err.ipc_unsafe_dir",
            &[
                ("dir", &dir.display()),
                ("mode", &format!("{:o}", mode & 0o777)),
            ],
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_data_dirs_get_a_short_socket() {
        let short = socket_path(Path::new("/tmp/d"));
        assert_eq!(short, PathBuf::from("/tmp/d/run/engine.sock"));
        let long = PathBuf::from(format!("/tmp/{}", "x".repeat(120)));
        let s = socket_path(&long);
        assert!(s.as_os_str().len() <= MAX_SOCKET_PATH, "{}", s.display());
        assert_ne!(socket_path(&long), socket_path(&long.join("y")));
    }

    #[test]
    fn world_writable_dir_is_refused() {
        let d = tempfile::tempdir().expect("tmp");
        let dir = d.path().join("run");
        std::fs::create_dir(&dir).expect("mkdir");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
        let e = prepare_dir(&dir.join("engine.sock")).expect_err("unsafe");
        assert!(e.contains("777"), "{e}");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        prepare_dir(&dir.join("engine.sock")).expect("safe");
    }
}
