//! Compaction: the store copied key by key into a fresh sled database that then takes its place.
//!
//! sled 0.34 writes every change to a log and reclaims old page versions only once a log segment
//! is mostly garbage, so a store that was rewritten a lot (a bulk load: member counts, word lists
//! and native id buckets rewritten batch after batch) takes about twice the disk of its data, and
//! opening it reads all of that. A copy holds only the live keys: at 1M items 2.4 GB → 1.3 GB,
//! and the store opens faster.
//!
//! Crash safety, by the files in the data dir: the copy goes to `store.compact`; once it is
//! complete and closed, `store.compact.done` is written; then `store` becomes `store.old`,
//! `store.compact` becomes `store`, and the marker and `store.old` are removed. `recover` (run
//! before every open) finishes or undoes whatever a crash interrupted: with the marker, the copy
//! is the store; without it, the copy is dropped and the old store stays.

use super::{Result, Store, StoreError};
use std::path::{Path, PathBuf};

/// Keys per batch of the copy.
const COPY_BATCH: usize = 20_000;
/// Bytes per batch of the copy: item blocks are ~7 KB each, and 20,000 of them in one batch
/// took sled to 1.4 GB (4 MB batches: 0.67 GB at 1M items).
const COPY_BYTES: usize = 4 * 1024 * 1024;
/// sled's cache while copying: the copy reads each key once.
const COPY_CACHE: u64 = 16 * 1024 * 1024;

/// What a compaction did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compacted {
    pub keys: u64,
    /// Bytes the store took on disk before and after.
    pub before: u64,
    pub after: u64,
}

fn paths(dir: &Path) -> (PathBuf, PathBuf, PathBuf, PathBuf) {
    (
        dir.join("store"),
        dir.join("store.compact"),
        dir.join("store.compact.done"),
        dir.join("store.old"),
    )
}

fn disk(e: std::io::Error) -> StoreError {
    StoreError::Disk(e)
}

fn remove_dir(p: &Path) -> Result<()> {
    match std::fs::remove_dir_all(p) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(disk(e)),
        _ => Ok(()),
    }
}

/// Bytes the files under `p` take.
pub(super) fn dir_bytes(p: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(p) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Finishes or undoes a compaction a crash interrupted (see the module comment).
pub(super) fn recover(dir: &Path) -> Result<()> {
    let (store, copy, done, old) = paths(dir);
    if done.exists() {
        if copy.exists() {
            if store.exists() {
                remove_dir(&old)?;
                std::fs::rename(&store, &old).map_err(disk)?;
            }
            std::fs::rename(&copy, &store).map_err(disk)?;
        }
        std::fs::remove_file(&done).map_err(disk)?;
    } else {
        remove_dir(&copy)?;
        if !store.exists() && old.exists() {
            std::fs::rename(&old, &store).map_err(disk)?;
        }
    }
    remove_dir(&old)
}

/// Copies every key of `db` into a fresh database at `copy`, flushed and closed; returns the keys.
fn copy_into(
    db: &sled::Db,
    copy: &Path,
    total: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64> {
    let fresh = sled::Config::new()
        .path(copy)
        .cache_capacity(COPY_CACHE)
        .flush_every_ms(None)
        .open()?;
    let mut batch = sled::Batch::default();
    let (mut keys, mut n, mut bytes) = (0u64, 0, 0);
    for kv in db.iter() {
        let (k, v) = kv?;
        bytes += k.len() + v.len();
        batch.insert(k, v);
        n += 1;
        keys += 1;
        if n == COPY_BATCH || bytes >= COPY_BYTES {
            fresh.apply_batch(std::mem::take(&mut batch))?;
            // Written pages stay in memory until flushed: keep that bounded.
            fresh.flush()?;
            (n, bytes) = (0, 0);
            progress(keys, total.max(keys));
        }
    }
    fresh.apply_batch(batch)?;
    fresh.flush()?;
    Ok(keys)
}

impl Store {
    /// Copies every key into a fresh database and swaps it in (see the module comment). Holds
    /// the writer throughout, so no write is lost; readers keep reading meanwhile.
    /// `progress(keys copied, keys in all)` after each batch.
    pub fn compact(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<Compacted> {
        let mut state = self.lock_writer();
        let (store, copy, done, _) = paths(&self.dir);
        let before = dir_bytes(&store);
        remove_dir(&copy)?;
        let db = self.db();
        db.flush()?;
        let total = db.len() as u64;
        let copied = copy_into(&db, &copy, total, progress);
        let keys = match copied {
            Ok(keys) => keys,
            Err(e) => {
                // A copy cut short (a full disk) gives its space back at once; the store is
                // untouched.
                let _ = remove_dir(&copy);
                return Err(e);
            }
        };
        drop(db);
        std::fs::write(&done, b"").map_err(disk)?;
        self.swap_in(&mut state, || recover(&self.dir))?;
        progress(keys, keys);
        Ok(Compacted {
            keys,
            before,
            after: dir_bytes(&store),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{item, T0};
    use super::*;
    use crate::domain::{Platform, Timestamp};

    fn everything(s: &Store) -> Vec<(Vec<u8>, Vec<u8>)> {
        s.db()
            .iter()
            .map(|kv| kv.map(|(k, v)| (k.to_vec(), v.to_vec())).expect("kv"))
            .collect()
    }

    /// A compaction keeps every key and value as it was, takes less disk after a store was
    /// rewritten many times, and the store goes on working (writes, reopening).
    #[test]
    fn compaction_keeps_every_key_and_the_store_goes_on() {
        let d = tempfile::tempdir().expect("tmp");
        let s = Store::open(d.path()).expect("open");
        for round in 0..30u32 {
            let items: Vec<_> = (0..50)
                .map(|n| item(round * 50 + n, Platform::Vk, "доставка 你好 refund"))
                .collect();
            s.ingest(&items, false, "t", Timestamp(T0)).expect("ingest");
        }
        s.settle_members(u64::MAX, Timestamp(T0)).expect("settle");
        let before = everything(&s);
        let mut calls = Vec::new();
        let c = s
            .compact(&mut |done, total| calls.push((done, total)))
            .expect("compact");
        assert_eq!(c.keys, before.len() as u64);
        assert_eq!(calls.last(), Some(&(c.keys, c.keys)));
        assert!(c.after < c.before, "{c:?}");
        assert_eq!(everything(&s), before);
        assert_eq!(s.check().expect("check"), Vec::<String>::new());
        for left in ["store.compact", "store.compact.done", "store.old"] {
            assert!(!d.path().join(left).exists(), "{left} left behind");
        }
        let more = vec![item(5000, Platform::Vk, "after")];
        assert_eq!(
            s.ingest(&more, false, "t", Timestamp(T0)).expect("in"),
            (1, 0)
        );
        drop(s);
        let s = Store::open(d.path()).expect("reopen");
        assert_eq!(s.all_items().count(), 1501);
        assert_eq!(s.check().expect("check"), Vec::<String>::new());
    }

    /// A store with one marker key written straight into sled at `path`.
    fn raw_store(path: &Path, marker: &str) {
        let db = sled::Config::new().path(path).open().expect("db");
        db.insert(
            super::super::keys::meta(marker),
            super::super::encode(&true).expect("e"),
        )
        .expect("insert");
        db.flush().expect("flush");
    }

    fn has(s: &Store, marker: &str) -> bool {
        s.db()
            .contains_key(super::super::keys::meta(marker))
            .expect("get")
    }

    /// A data dir as a crash left it: sled stores (dir name, marker key) and whether the
    /// compaction's marker file was written; opened as kith opens it.
    fn crashed(stores: &[(&str, &str)], done: bool) -> (tempfile::TempDir, Store) {
        let d = tempfile::tempdir().expect("tmp");
        for (dir, marker) in stores {
            raw_store(&d.path().join(dir), marker);
        }
        if done {
            std::fs::write(d.path().join("store.compact.done"), b"").expect("done");
        }
        let s = Store::open(d.path()).expect("open");
        (d, s)
    }

    /// Whatever step a crash interrupted, opening finishes or undoes it: a copy without its
    /// marker is dropped, a copy with it is the store, and nothing is left behind.
    #[test]
    fn an_interrupted_compaction_is_finished_or_undone_at_open() {
        // Cut during the copy: the old store stays.
        let (d, s) = crashed(&[("store", "old"), ("store.compact", "copy")], false);
        assert!(has(&s, "old") && !has(&s, "copy"));
        assert!(!d.path().join("store.compact").exists());
        // Cut after the copy was complete: the copy becomes the store.
        let (_d, s) = crashed(&[("store", "old"), ("store.compact", "copy")], true);
        assert!(has(&s, "copy") && !has(&s, "old"));
        // Cut between the two renames: the copy becomes the store.
        let (_d, s) = crashed(&[("store.old", "old"), ("store.compact", "copy")], true);
        assert!(has(&s, "copy"));
        // Cut after both renames: the store is the copy; the rest is cleaned up.
        let (d, s) = crashed(&[("store.old", "old"), ("store", "copy")], true);
        assert!(has(&s, "copy") && !has(&s, "old"));
        for left in ["store.compact", "store.compact.done", "store.old"] {
            assert!(!d.path().join(left).exists(), "{left} left behind");
        }
    }

    /// While a store is open, a second open of its data dir is refused as locked and touches
    /// none of its files.
    #[test]
    fn a_second_open_is_locked_out_and_leaves_the_files_alone() {
        let d = tempfile::tempdir().expect("tmp");
        let s = Store::open(d.path()).expect("open");
        raw_store(&d.path().join("store.compact"), "copy");
        let t = std::time::Instant::now();
        match Store::open(d.path()) {
            Err(StoreError::Locked { .. }) => {}
            other => panic!("expected Locked, got {:?}", other.map(|_| ())),
        }
        assert!(t.elapsed().as_secs() < 10);
        assert!(d.path().join("store.compact").exists());
        drop(s);
    }
}
