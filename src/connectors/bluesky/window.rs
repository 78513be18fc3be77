//! Where a Bluesky sync stands.

use serde::{Deserialize, Serialize};

/// Where a sync stands. `seen`/`seen_uris`: the newest stored notification (ms, uris at that
/// instant). While a poll walks down: `top`/`top_uris` (its newest) and `next` (API cursor).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Cursor {
    #[serde(default)]
    pub(super) seen: Option<i64>,
    #[serde(default)]
    pub(super) seen_uris: Vec<String>,
    #[serde(default)]
    pub(super) top: Option<i64>,
    #[serde(default)]
    pub(super) top_uris: Vec<String>,
    #[serde(default)]
    pub(super) next: Option<String>,
    #[serde(default)]
    pub(super) pages: u32,
}
