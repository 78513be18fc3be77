//! Settings shared by the layers as plain data (the config module reads them from the file).

use serde::Deserialize;

/// Team settings (`[team]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TeamSettings {
    /// Operators who may read but not change anything. The engine enforces it.
    pub read_only: Vec<String>,
    /// The team's roster: names `@` (assign) offers; others seen in the audit log are offered
    /// too, and any other name is asked about first.
    pub operators: Vec<String>,
    /// Operators whose posts (and replies, with `approve_replies`) wait for an approver.
    pub needs_approval: Vec<String>,
    /// Operators who approve or send back what waits.
    pub approvers: Vec<String>,
    /// Replies by `needs_approval` operators wait too (posts always do).
    pub approve_replies: bool,
}

impl TeamSettings {
    /// Whether what `op` writes waits for an approver.
    pub fn needs_approval(&self, op: &str) -> bool {
        self.needs_approval.iter().any(|n| n == op)
    }

    pub fn approver(&self, op: &str) -> bool {
        self.approvers.iter().any(|n| n == op)
    }
}
