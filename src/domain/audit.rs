//! The audit log as data: one entry per change (who, what, before, after, chained by hash),
//! which entries to show, what a walk over the chain found; and input kith could not take,
//! kept for `kith doctor`.

use super::{ItemId, Timestamp};
use serde::{Deserialize, Serialize};

/// One change in the append-only audit log. `hash` chains it to the entry before (see
/// `store/audit.rs`); entries written before the chain existed have none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub at: Timestamp,
    pub operator: String,
    pub action: String,
    pub item: Option<ItemId>,
    pub before: Option<String>,
    pub after: Option<String>,
    #[serde(default)]
    pub hash: Option<[u8; 32]>,
}

/// Which entries `kith audit` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AuditQuery {
    pub operator: Option<String>,
    pub item: Option<ItemId>,
    pub since: Option<Timestamp>,
    /// The newest `limit` matching entries, shown oldest first.
    pub limit: usize,
}

/// What a walk over the whole chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditReport {
    pub entries: u64,
    /// Hex of the newest entry's hash: note it elsewhere to detect a rewrite of the whole tail.
    pub head: String,
    /// The first entry that does not check out, and why.
    pub problem: Option<(u64, String)>,
}

/// Input kith could not take, kept with its raw bytes for `kith doctor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quarantined {
    pub seq: u64,
    pub at: Timestamp,
    pub source: String,
    pub reason: String,
    pub raw: Vec<u8>,
}

/// A hash as lowercase hex.
pub fn hex(h: &[u8; 32]) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}
