//! Records the store keeps besides items: accounts, members, audit entries, quarantined input.

use crate::domain::{Platform, Timestamp};
use serde::{Deserialize, Serialize};

pub use crate::domain::audit::{AuditEntry, Quarantined};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub name: String,
    pub platform: Platform,
    /// Accounts of the bundled demo workspace: replies are recorded by the demo connector.
    pub demo: bool,
    pub created_at: Timestamp,
}
