//! The sled store: one database per data dir, opened by exactly one process.
//!
//! All key spaces live in sled's default tree, told apart by a one-byte prefix (see `keys`), so an
//! item, all of its index entries, the counters it moves and its audit record are written by one
//! atomic `apply_batch`, and nothing is acknowledged before `flush()` returns.

mod approvals;
pub mod audit;
mod batch;
mod blocks;
mod bulk;
mod check;
mod codec;
mod compact;
mod due;
mod keys;
mod lock;
mod member_edit;
mod member_model;
pub mod member_read;
mod member_rebuild;
mod member_settle;
pub mod members;
mod natives;
mod notes;
pub mod outbox;
mod pattern_list;
mod postings;
mod private;
mod read;
mod records;
mod replies;
mod seek;
mod sync;
mod tags;
mod views;
mod word_chunk;
mod words_pending;
mod write;

pub use approvals::ReplyDecision;
pub use audit::{AuditQuery, AuditReport};
pub use bulk::DraftOutcome;
pub use codec::{decode, encode, FORMAT_VERSION};
pub use compact::Compacted;
pub use lock::Holder;
pub use member_edit::{MemberChange, MemberOutcome};
pub use member_read::{Handle, Named, Profile, RankQuery, Ranked, Ranking, Suggestion};
pub use members::{Member, MemberNote, Reward};
pub use outbox::PostRefusal;
pub use records::{Account, AuditEntry, Quarantined};
pub use replies::{ReplyDraft, ReplyOutcome};
pub use sync::{PageReport, PageWrite, Reactions, SyncState};
pub use tags::{RenameStep, RENAME_BATCH};
pub use views::ViewChange;
pub use write::UpdateOutcome;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Schema of the whole store; bump with a migration in `migrate`.
pub const SCHEMA_VERSION: u32 = 10;

/// Messages come from the UI string catalog.
#[derive(Debug)]
pub enum StoreError {
    Locked {
        dir: PathBuf,
        holder: Holder,
    },
    Open {
        dir: PathBuf,
        source: sled::Error,
    },
    TooNew {
        dir: PathBuf,
        found: u32,
    },
    Corrupt(String),
    Io(sled::Error),
    Disk(std::io::Error),
    /// No space left on the device: writes are refused until space is back (see `reopen`).
    Full,
    /// A list's pattern does not parse (README: Patterns).
    Pattern(crate::domain::pattern::PatternError),
}

/// Whether an I/O error means the disk is full.
fn no_space(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull || e.raw_os_error() == Some(libc::ENOSPC)
}

impl std::error::Error for StoreError {}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        match &e {
            sled::Error::Io(io) if no_space(io) => StoreError::Full,
            _ => StoreError::Io(e),
        }
    }
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        if no_space(&e) {
            StoreError::Full
        } else {
            StoreError::Disk(e)
        }
    }
}

impl StoreError {
    /// What went wrong, to be worded by whoever shows it.
    pub fn phrase(&self) -> crate::i18n::Phrase {
        use crate::i18n::ph;
        match self {
            StoreError::Locked { dir, holder } => {
                ph("err.locked", &[("dir", &dir.display())]).with("holder", holder.phrase())
            }
            StoreError::Open { dir, source } => {
                ph("err.open", &[("dir", &dir.display()), ("error", source)])
            }
            StoreError::TooNew { dir, found } => ph(
                "err.too_new",
                &[
                    ("dir", &dir.display()),
                    ("found", found),
                    ("max", &SCHEMA_VERSION),
                ],
            ),
            StoreError::Corrupt(d) => ph("err.corrupt", &[("detail", d)]),
            StoreError::Io(e) => ph("err.io", &[("error", e)]),
            StoreError::Disk(e) => ph("err.io", &[("error", e)]),
            StoreError::Full => ph("err.disk_full_short", &[]),
            StoreError::Pattern(e) => e.phrase.clone(),
        }
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.phrase())
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

pub struct Store {
    /// The data dir's lock (see `lock::DirLock`), held while the store is open.
    _dir_lock: lock::DirLock,
    /// Behind a lock so that a store sled gave up on (a full disk) can be opened again.
    db: std::sync::RwLock<sled::Db>,
    dir: PathBuf,
    writer: Mutex<batch::WriteState>,
    words_pending: words_pending::PendingWordsCache,
    scoring: std::sync::RwLock<crate::domain::member::Scoring>,
    /// Off only in benchmarks that measure what member counting costs ingest.
    count_members: std::sync::atomic::AtomicBool,
    warnings: Vec<crate::i18n::Phrase>,
    /// A write failed for want of disk space: writes are refused until `reopen`.
    full: std::sync::atomic::AtomicBool,
    /// Inbox rules run on every arriving item, in its batch (`set_rules`).
    rules: std::sync::RwLock<Option<std::sync::Arc<RulesRun>>>,
}

/// The rules in force and what their patterns need beyond the item (its `now` is set per batch).
#[derive(Debug, Clone)]
pub struct RulesRun {
    pub rules: crate::domain::rules::Rules,
    pub ctx: crate::domain::pattern::PatternCtx,
    /// The saved replies `draft:` actions name (lower-cased name → template), checked when the
    /// rules were put in force.
    pub drafts: std::collections::HashMap<String, String>,
}

/// sled's database in `db_dir`, its open errors told apart (`lock::classify`).
fn open_db(db_dir: &Path, cache_bytes: u64) -> Result<sled::Db> {
    sled::Config::new()
        .path(db_dir)
        .cache_capacity(cache_bytes)
        .flush_every_ms(None)
        .open()
        .map_err(|e| lock::classify(db_dir.parent().unwrap_or(db_dir), e))
}

impl Store {
    /// Opens (creating if needed) the store in `dir`. A store held by another process gives
    /// `StoreError::Locked` naming that process; it never falls back to another location.
    pub fn open(dir: &Path) -> Result<Store> {
        Self::open_with_cache(dir, 64 * 1024 * 1024)
    }

    pub fn open_with_cache(dir: &Path, cache_bytes: u64) -> Result<Store> {
        let warnings = private::prepare(dir)?;
        for w in &warnings {
            tracing::warn!("{w}");
        }
        let mut attempt = 0;
        let (dir_lock, db) = loop {
            let opened = lock::lock_dir(dir).and_then(|l| {
                compact::recover(dir)?;
                Ok((l, open_db(&dir.join("store"), cache_bytes)?))
            });
            match opened {
                Ok(both) => break both,
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
            _dir_lock: dir_lock,
            db: std::sync::RwLock::new(db),
            dir: dir.to_path_buf(),
            writer: Mutex::new(batch::WriteState::default()),
            words_pending: Default::default(),
            scoring: Default::default(),
            count_members: std::sync::atomic::AtomicBool::new(true),
            warnings,
            full: std::sync::atomic::AtomicBool::new(false),
            rules: Default::default(),
        };
        store.migrate()?;
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The database. A clone of sled's handle (cheap), so that `reopen` can swap it.
    pub(crate) fn db(&self) -> sled::Db {
        self.db.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Opens the database again: after a write failed for want of disk space, sled refuses
    /// every later write even once space is back, so the engine reopens it. Nothing is lost:
    /// only what was flushed was ever acknowledged, and that is what the files hold. Holds the
    /// writer, so no write is under way meanwhile. A compaction whose files were left half moved
    /// is finished first (`compact::recover`).
    pub fn reopen(&self) -> Result<()> {
        let mut state = self.lock_writer();
        self.swap_in(&mut state, || compact::recover(&self.dir))
    }

    /// Closes the database, runs `between` (which may replace its files, see `compact.rs`) and
    /// opens it again. The caller holds the writer.
    fn swap_in(
        &self,
        state: &mut batch::WriteState,
        between: impl FnOnce() -> Result<()>,
    ) -> Result<()> {
        let mut slot = self.db.write().unwrap_or_else(|p| p.into_inner());
        // The old handle goes first: sled locks its files for one handle at a time.
        let placeholder = sled::Config::new().temporary(true).open()?;
        drop(std::mem::replace(&mut *slot, placeholder));
        if let Err(e) = between() {
            // The files are half moved: refuse writes (the placeholder would lose them) until
            // `reopen`, which finishes the move (`compact::recover`), succeeds.
            self.full.store(true, std::sync::atomic::Ordering::SeqCst);
            return Err(e);
        }
        let mut attempt = 0;
        let db = loop {
            match open_db(&self.dir.join("store"), 64 * 1024 * 1024) {
                Ok(db) => break db,
                // Iterators still holding the old handle let go within moments.
                Err(StoreError::Locked { .. }) if attempt < 250 => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => return Err(e),
            }
        };
        *slot = db;
        // Caches follow the files again (a batch applied in memory but never flushed is gone).
        *state = batch::WriteState::default();
        self.full.store(false, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    /// Whether a write failed for want of space since the store was (re)opened.
    pub fn is_full(&self) -> bool {
        self.full.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Notes a failed write: a full disk makes the store refuse writes until reopened.
    pub(crate) fn note<T>(&self, r: Result<T>) -> Result<T> {
        if let Err(StoreError::Full) = &r {
            self.full.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        r
    }

    /// Puts rules in force for items stored from now on (`None`: no rules).
    pub fn set_rules(&self, run: Option<std::sync::Arc<RulesRun>>) {
        *self.rules.write().unwrap_or_else(|p| p.into_inner()) = run;
    }

    pub(crate) fn rules_run(&self) -> Option<std::sync::Arc<RulesRun>> {
        self.rules.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Free space on the data dir's file system, in bytes.
    pub fn free_bytes(&self) -> Option<u64> {
        free_bytes_at(&self.dir)
    }
}

/// Space free for unprivileged writes on the file system holding `dir`.
pub fn free_bytes_at(dir: &Path) -> Option<u64> {
    {
        use std::os::unix::ffi::OsStrExt;
        let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
        // SAFETY: statvfs writes into the zeroed struct we own and reads a NUL-terminated path.
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        if unsafe { libc::statvfs(path.as_ptr(), &mut st) } != 0 {
            return None;
        }
        Some(st.f_bavail as u64 * st.f_frsize as u64)
    }
}

impl Store {
    /// What the user should hear about the data dir (e.g. readable by others).
    pub fn warnings(&self) -> &[crate::i18n::Phrase] {
        &self.warnings
    }

    /// Runs migrations from the stored schema to `SCHEMA_VERSION`.
    fn migrate(&self) -> Result<()> {
        let key = keys::meta("schema");
        let found = match self.db().get(&key)? {
            Some(v) => decode::<u32>(&v)?,
            None => {
                // A new store is written in today's layout: nothing to pack or move later.
                let mut batch = sled::Batch::default();
                batch.insert(key, encode(&SCHEMA_VERSION)?);
                for done in [blocks::PACKED, natives::BUCKETED] {
                    batch.insert(keys::meta(done), encode(&true)?);
                }
                self.db().apply_batch(batch)?;
                self.db().flush()?;
                return Ok(());
            }
        };
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                dir: self.dir.clone(),
                found,
            });
        }
        // Each step is one batch + flush, schema number included, so a crash repeats it whole.
        if found < 2 {
            self.migrate_team_counters()?;
        }
        if found < 3 {
            self.migrate_members()?;
        }
        if found < 4 {
            self.migrate_author_lists()?;
        }
        if found < 6 {
            // Schema 5 (one key per one-platform person) and 6 (all time without decay) both
            // come down to writing every person's ranking keys again: once is enough.
            self.rewrite_rankings(6)?;
        }
        if found < 7 {
            self.migrate_waiting_by_kind()?;
        }
        if found < 8 {
            self.migrate_tags()?;
        }
        if found < 9 {
            // Schema 9 keeps items in blocks (`blocks.rs`). A one-item value is a block of one,
            // so an older store reads as it is; the engine packs it in the background. The
            // number keeps an older kith, which cannot read blocks, from opening the store.
            self.db().insert(keys::meta("schema"), encode(&9u32)?)?;
            self.db().flush()?;
        }
        if found < 10 {
            // Schema 10 finds native ids in hashed buckets (`natives.rs`) and still reads the
            // one-key-per-id `n` keys an older store has; the engine moves those in the
            // background. The number keeps an older kith, which would miss the buckets and store
            // every item again, from opening the store.
            self.db().insert(keys::meta("schema"), encode(&10u32)?)?;
            self.db().flush()?;
        }
        Ok(())
    }

    /// Schema 7 counts items waiting for an answer per kind (the reviews to answer).
    fn migrate_waiting_by_kind(&self) -> Result<()> {
        let mut counts: std::collections::HashMap<String, i64> = Default::default();
        for item in self.all_items() {
            let item: crate::domain::Item = item?;
            if item.is_ours() {
                continue;
            }
            if let Some(c) = keys::counters::waiting(&item) {
                *counts.entry(c).or_default() += 1;
            }
        }
        let mut batch = sled::Batch::default();
        for k in crate::domain::Kind::ALL {
            let name = keys::counters::waiting_kind(k);
            let n = counts.get(&name).copied().unwrap_or(0);
            batch.insert(keys::counter(&name), &n.to_be_bytes()[..]);
        }
        batch.insert(keys::meta("schema"), encode(&7u32)?);
        self.db().apply_batch(batch)?;
        self.db().flush()?;
        Ok(())
    }

    /// Schema 2 counts items waiting for an answer per assignee (team views).
    fn migrate_team_counters(&self) -> Result<()> {
        let mut counts: std::collections::HashMap<String, i64> = Default::default();
        for item in self.all_items() {
            let item: crate::domain::Item = item?;
            if item.is_ours() {
                continue;
            }
            if let Some(c) = keys::counters::team(&item) {
                *counts.entry(c).or_default() += 1;
            }
        }
        let mut batch = sled::Batch::default();
        for (name, n) in counts {
            batch.insert(keys::counter(&name), &n.to_be_bytes()[..]);
        }
        batch.insert(keys::meta("schema"), encode(&2u32)?);
        self.db().apply_batch(batch)?;
        self.db().flush()?;
        Ok(())
    }

    /// Makes everything written so far durable.
    pub fn flush(&self) -> Result<()> {
        self.db().flush()?;
        Ok(())
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        let _ = self.db().flush();
        lock::clear_holder(&self.dir);
    }
}

#[cfg(test)]
mod member_edit_tests;
#[cfg(test)]
mod member_migration_tests;
#[cfg(test)]
mod member_prop_tests;
#[cfg(test)]
mod member_tests;
#[cfg(test)]
mod pattern_tests;
#[cfg(test)]
mod read_tests;
#[cfg(test)]
mod sync_tests;
#[cfg(test)]
mod tag_tests;
#[cfg(test)]
mod team_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod views_tests;
