//! A handoff note on an item: internal, never sent anywhere.

use super::{ItemId, Timestamp};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub seq: u64,
    pub item: ItemId,
    pub at: Timestamp,
    pub operator: String,
    /// Raw, as typed; sanitized wherever it is shown.
    pub text: String,
}
