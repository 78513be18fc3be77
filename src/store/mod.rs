//! The sled store: one database per data dir, opened by exactly one process.
//!
//! All key spaces live in sled's default tree, told apart by a one-byte prefix (see `keys`), so an
//! item, all of its index entries, the counters it moves and its audit record are written by one
//! atomic `apply_batch`, and nothing is acknowledged before `flush()` returns.

mod codec;
mod keys;
mod lock;
mod postings;
mod read;
mod records;
mod write;

pub use codec::{decode, encode, FORMAT_VERSION};
pub use lock::Holder;
pub use records::{Account, AuditEntry, Member, Quarantined};
pub use write::outcomes as write_outcomes;
pub use write::ReplyDraft;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Schema of the whole store; bump with a migration in `migrate`.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the store at {dir} is in use by {holder}; close that kith (or run `kith serve --stop`), or use another --data-dir")]
    Locked { dir: PathBuf, holder: Holder },
    #[error("cannot open the store at {dir}: {source}")]
    Open { dir: PathBuf, source: sled::Error },
    #[error("the store at {dir} was written by a newer kith (schema {found}, this kith reads up to {SCHEMA_VERSION}); upgrade kith")]
    TooNew { dir: PathBuf, found: u32 },
    #[error("stored value is damaged ({0})")]
    Corrupt(String),
    #[error("store I/O failed: {0}")]
    Io(#[from] sled::Error),
    #[error("store I/O failed: {0}")]
    Disk(#[from] std::io::Error),
}

pub type Result<T> = std::result::Result<T, StoreError>;

pub struct Store {
    db: sled::Db,
    dir: PathBuf,
    writer: Mutex<write::WriteState>,
}

impl Store {
    /// Opens (creating if needed) the store in `dir`. A store held by another process gives
    /// `StoreError::Locked` naming that process; it never falls back to another location.
    pub fn open(dir: &Path) -> Result<Store> {
        Self::open_with_cache(dir, 64 * 1024 * 1024)
    }

    pub fn open_with_cache(dir: &Path, cache_bytes: u64) -> Result<Store> {
        std::fs::create_dir_all(dir)?;
        let db_dir = dir.join("store");
        let config = sled::Config::new()
            .path(&db_dir)
            .cache_capacity(cache_bytes)
            .flush_every_ms(None);
        let mut attempt = 0;
        let db = loop {
            match config.open().map_err(|e| lock::classify(dir, e)) {
                Ok(db) => break db,
                // A store this process just closed can stay locked while sled's threads wind
                // down; wait for them (up to ~2 s) rather than report ourselves as the holder.
                Err(StoreError::Locked { holder, .. })
                    if holder.pid.is_none_or(|p| p == std::process::id()) && attempt < 100 =>
                {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => return Err(e),
            }
        };
        lock::write_holder(dir)?;
        let store = Store {
            db,
            dir: dir.to_path_buf(),
            writer: Mutex::new(write::WriteState::default()),
        };
        store.migrate()?;
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Runs migrations from the stored schema to `SCHEMA_VERSION`.
    fn migrate(&self) -> Result<()> {
        let key = keys::meta("schema");
        let found = match self.db.get(&key)? {
            Some(v) => decode::<u32>(&v)?,
            None => {
                self.db.insert(key, encode(&SCHEMA_VERSION)?)?;
                self.db.flush()?;
                return Ok(());
            }
        };
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                dir: self.dir.clone(),
                found,
            });
        }
        // Schema 1 is the first; later versions add steps here, each in one batch + flush.
        Ok(())
    }

    /// Makes everything written so far durable.
    pub fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        let _ = self.db.flush();
        lock::clear_holder(&self.dir);
    }
}

#[cfg(test)]
mod tests;
