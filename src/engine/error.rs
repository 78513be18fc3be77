//! Errors the engine reports to front ends. Serializable so they cross the socket unchanged.

use crate::domain::ItemId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum EngineError {
    #[error("no item {0}")]
    NotFound(ItemId),
    #[error("item {id} changed since you opened it (version {expected}, now {actual}): {what}")]
    Conflict {
        id: ItemId,
        expected: u64,
        actual: u64,
        what: String,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("store: {0}")]
    Store(String),
    #[error("the engine has stopped")]
    Stopped,
}
