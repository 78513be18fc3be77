//! Records the store keeps besides items: accounts, members, audit entries, quarantined input.

use crate::domain::{ItemId, Kind, Platform, Timestamp};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub name: String,
    pub platform: Platform,
    /// Accounts of the bundled demo workspace: replies are recorded by the demo connector.
    pub demo: bool,
    pub created_at: Timestamp,
}

/// One person on one platform, with running counters updated on ingest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Member {
    pub platform: Option<Platform>,
    pub author_id: String,
    pub handle: Option<String>,
    pub name: Option<String>,
    pub followers: Option<u64>,
    pub items: u64,
    /// Interactions by kind, indexed by `Kind::code() - 1`.
    pub by_kind: [u64; 6],
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
}

impl Member {
    pub fn count(&mut self, kind: Kind, at: Timestamp) {
        self.items += 1;
        self.by_kind[(kind.code() - 1) as usize] += 1;
        if self.first_seen.0 == 0 || at < self.first_seen {
            self.first_seen = at;
        }
        if at > self.last_seen {
            self.last_seen = at;
        }
    }
}

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

/// Input kith could not take, kept with its raw bytes for `kith doctor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quarantined {
    pub seq: u64,
    pub at: Timestamp,
    pub source: String,
    pub reason: String,
    pub raw: Vec<u8>,
}
