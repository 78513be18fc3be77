//! Records the store keeps besides items: accounts, members, audit entries, quarantined input.

use crate::domain::{ItemId, Platform, Timestamp};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub name: String,
    pub platform: Platform,
    /// Accounts of the bundled demo workspace: replies are recorded by the demo connector.
    pub demo: bool,
    pub created_at: Timestamp,
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
