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
}
