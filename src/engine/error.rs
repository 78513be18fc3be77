//! Errors the engine reports to front ends. Serializable so they cross the socket unchanged;
//! they carry catalog keys with arguments (`Phrase`) and are worded by the front end that shows
//! them, in its operator's language.

use crate::domain::ItemId;
use crate::i18n::{t, tf, Phrase};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EngineError {
    NotFound(ItemId),
    Conflict {
        id: ItemId,
        expected: u64,
        actual: u64,
        what: Phrase,
    },
    Invalid(Phrase),
    Store(Phrase),
    /// A platform call failed; the message names the account.
    Remote {
        message: Phrase,
        needs_reauth: bool,
    },
    Stopped,
    /// The operator may read but not change anything (config `team.read_only`).
    ReadOnly(String),
    /// Someone else has claimed the item; claim again with force to take it over.
    Claimed {
        id: ItemId,
        by: String,
        version: u64,
    },
    /// The engine this client talks to went away; the request may or may not have been done.
    Disconnected,
    /// The person was rewarded before; reward again to confirm.
    Rewarded(Phrase),
    /// The disk of the data dir is full: writes are refused until space is back (the engine
    /// then opens the store again by itself).
    DiskFull {
        path: String,
        free_mb: u64,
    },
}

impl std::error::Error for EngineError {}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = match self {
            EngineError::NotFound(id) => tf("err.not_found", &[("id", id)]),
            EngineError::Conflict {
                id,
                expected,
                actual,
                what,
            } => tf(
                "err.conflict",
                &[
                    ("id", id),
                    ("expected", expected),
                    ("actual", actual),
                    ("what", what),
                ],
            ),
            EngineError::Invalid(m) | EngineError::Rewarded(m) => m.to_string(),
            EngineError::Store(m) => tf("err.store", &[("error", m)]),
            EngineError::Remote { message, .. } => message.to_string(),
            EngineError::Stopped => t("err.stopped"),
            EngineError::ReadOnly(op) => tf(
                "err.read_only",
                &[("operator", &crate::text::sanitize_line(op, 64).text)],
            ),
            EngineError::Claimed { id, by, .. } => tf(
                "err.claimed",
                &[
                    ("id", id),
                    ("who", &crate::text::sanitize_line(by, 64).text),
                ],
            ),
            EngineError::Disconnected => t("err.disconnected"),
            EngineError::DiskFull { path, free_mb } => {
                tf("err.disk_full", &[("path", path), ("free", free_mb)])
            }
        };
        f.write_str(&s)
    }
}
