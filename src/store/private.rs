//! The data dir holds customer messages, so nobody else on the machine may read it: kith creates
//! it 0700 (its files 0600, its folders 0700), repairs looser modes in a dir it made (stores
//! written before this rule, or under a careless umask), and warns about a dir it did not make,
//! which it leaves as the user set it.

use crate::i18n::{ph, Phrase};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;

/// Written into a data dir kith created.
const MARK: &str = ".kith-data";
/// What kith itself puts in a data dir; a dir holding only these is kith's even without the mark.
const OURS: &[&str] = &[
    MARK,
    "store",
    "run",
    "sessions",
    "secrets",
    "drafts",
    "exports",
    "engine.pid",
];

/// Makes `dir` private (see the module comment). Returns what the user should hear about.
pub fn prepare(dir: &Path) -> std::io::Result<Vec<Phrase>> {
    if !dir.exists() {
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::DirBuilder::new().mode(0o700).create(dir)?;
        // The mode asked for is masked by the umask: set it outright.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        mark(dir)?;
        return Ok(Vec::new());
    }
    let ours = dir.join(MARK).exists()
        || std::fs::read_dir(dir)?
            .filter_map(|e| e.ok())
            .all(|e| OURS.iter().any(|n| e.file_name() == *n));
    let mode = std::fs::metadata(dir)?.permissions().mode() & 0o777;
    let mut warnings = Vec::new();
    if ours {
        tighten(dir)?;
        mark(dir)?;
    } else if mode & 0o077 != 0 {
        warnings.push(ph(
            "err.data_dir_open",
            &[("dir", &dir.display()), ("mode", &format!("{mode:o}"))],
        ));
    }
    // What kith made inside a dir it did not make is still kith's.
    for name in OURS.iter().filter(|n| **n != MARK) {
        let p = dir.join(name);
        if p.exists() {
            tighten(&p)?;
        }
    }
    Ok(warnings)
}

fn mark(dir: &Path) -> std::io::Result<()> {
    let p = dir.join(MARK);
    if !p.exists() {
        std::fs::write(
            &p,
            "This folder is kith's data dir (customer messages): keep it 0700.\n",
        )?;
    }
    Ok(())
}

/// Takes group and other permissions away from `path` and everything under it (never follows
/// a symlink, never adds a permission). This runs before the store is locked, while another
/// kith may be writing it: an entry that vanishes meanwhile (a sled snapshot being replaced) had
/// nothing left to tighten.
fn tighten(path: &Path) -> std::io::Result<()> {
    let gone = |e: &std::io::Error| e.kind() == std::io::ErrorKind::NotFound;
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if gone(&e) => return Ok(()),
        Err(e) => return Err(e),
    };
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    let mode = meta.permissions().mode();
    if mode & 0o077 != 0 {
        match std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o7700)) {
            Err(e) if !gone(&e) => return Err(e),
            _ => {}
        }
    }
    if meta.is_dir() {
        let entries = match std::fs::read_dir(path) {
            Ok(r) => r,
            Err(e) if gone(&e) => return Ok(()),
            Err(e) => return Err(e),
        };
        for e in entries {
            match e {
                Ok(e) => tighten(&e.path())?,
                Err(e) if gone(&e) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).expect("meta").permissions().mode() & 0o777
    }

    #[test]
    fn an_entry_that_vanished_meanwhile_is_not_an_error() {
        let root = tempfile::tempdir().expect("tmp");
        // What another kith's sled removed between the listing and the look.
        assert!(tighten(&root.path().join("store/snap.0000000000001234.generating")).is_ok());
    }

    #[test]
    fn new_dirs_are_private_old_ones_repaired_and_foreign_ones_named() {
        let root = tempfile::tempdir().expect("tmp");
        // New: 0700 whatever the umask.
        let new = root.path().join("a/b/data");
        assert!(prepare(&new).expect("prepare").is_empty());
        assert_eq!(mode(&new), 0o700);
        // A store written under umask 022: repaired.
        let old = root.path().join("old");
        std::fs::create_dir_all(old.join("store/blobs")).expect("mkdir");
        std::fs::write(old.join("store/db"), "x").expect("write");
        for (p, m) in [
            (old.clone(), 0o755),
            (old.join("store"), 0o755),
            (old.join("store/blobs"), 0o755),
            (old.join("store/db"), 0o644),
        ] {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(m)).expect("chmod");
        }
        assert!(prepare(&old).expect("prepare").is_empty());
        assert_eq!(mode(&old), 0o700);
        assert_eq!(mode(&old.join("store")), 0o700);
        assert_eq!(mode(&old.join("store/blobs")), 0o700);
        assert_eq!(mode(&old.join("store/db")), 0o600);
        // The user's own folder: left as it is, named in a warning; kith's store inside it is
        // still made private.
        let mine = root.path().join("mine");
        std::fs::create_dir_all(mine.join("store")).expect("mkdir");
        std::fs::write(mine.join("notes.txt"), "mine").expect("write");
        std::fs::write(mine.join("store/db"), "x").expect("write");
        std::fs::set_permissions(&mine, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        std::fs::set_permissions(
            mine.join("store/db"),
            std::fs::Permissions::from_mode(0o644),
        )
        .expect("chmod");
        let w = prepare(&mine).expect("prepare");
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].key, "err.data_dir_open");
        assert_eq!(mode(&mine), 0o755);
        assert_eq!(mode(&mine.join("notes.txt")), 0o644);
        assert_eq!(mode(&mine.join("store/db")), 0o600);
    }
}
