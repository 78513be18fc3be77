//! A full disk: the engine refuses changes while the data dir's disk is full, tells every front
//! end, and comes back by itself when space is freed (sled refuses every write after one failed
//! for want of space, so the store is opened again). Nothing acknowledged is ever lost: a change
//! is acknowledged only after its flush, and a failed flush is reported as failed.

use super::{Engine, EngineError};
use crate::i18n::ph;
use crate::store::Store;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// Space the store needs before it is opened again (sled writes its log in 512 KiB segments).
const ENOUGH: u64 = 8 * 1024 * 1024;
/// How often free space is checked while the disk is full.
const CHECK: Duration = Duration::from_secs(2);

/// "Disk full at PATH, N MB free", with the store's numbers.
pub(super) fn full_error(store: &Store) -> EngineError {
    EngineError::DiskFull {
        path: store.dir().display().to_string(),
        free_mb: store.free_bytes().unwrap_or(0) / (1024 * 1024),
    }
}

impl Engine {
    /// Starts (once) the watch that reopens the store when space is back.
    pub(super) fn watch_disk(self: &Arc<Self>) {
        if self.disk_watch.swap(true, Ordering::SeqCst) {
            return;
        }
        let free_mb = self.store.free_bytes().unwrap_or(0) / (1024 * 1024);
        let path = self.store.dir().display().to_string();
        tracing::error!(
            "disk full at {path} ({free_mb} MB free): changes refused until space is back"
        );
        self.notice(
            ph("err.disk_full", &[("path", &path), ("free", &free_mb)]),
            true,
        );
        let me = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(CHECK).await;
                if me.store.free_bytes().unwrap_or(0) < ENOUGH {
                    continue;
                }
                let store = Arc::clone(&me.store);
                match tokio::task::spawn_blocking(move || store.reopen()).await {
                    Ok(Ok(())) => break,
                    Ok(Err(e)) => tracing::warn!("reopening the store: {e}"),
                    Err(e) => tracing::warn!("reopening the store: {e}"),
                }
            }
            me.disk_watch.store(false, Ordering::SeqCst);
            tracing::info!("disk space is back: the store is open for changes again");
            me.notice(ph("notice.disk_back", &[]), false);
            // Work that waited on the disk goes on.
            me.sync_wake.notify_one();
            me.outbox_wake.notify_one();
        });
    }
}
