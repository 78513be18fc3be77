//! Where a Mastodon sync stands, and the few notifications each forward poll reads again.
//!
//! Notification ids come from a database sequence when the notification is inserted, so they
//! follow arrival on the instance (a late-federated status gets a new, higher notification id
//! when it arrives). Two inserts in flight at once can still commit out of order: a poll may see
//! id 10 before 9 is visible. So a forward poll starts just below the last `WINDOW` ids it
//! handled, not at the newest, and skips what it already has; within Mastodon's page of 40 that
//! costs no request.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// Ids each forward poll reads again.
pub(super) const WINDOW: usize = 20;

/// Sync position, stored by the engine as JSON and given back on the next `fetch`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Cursor {
    /// Newest notification id seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) newest: Option<String>,
    /// First sync only: the `max_id` of the next older page still to backfill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) older: Option<String>,
    /// First sync only: pages read so far (capped at `FIRST_SYNC_PAGES`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub(super) pages: u32,
    /// Our account id, so a restart needs no `verify_credentials` call before the first poll.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) me: Option<String>,
    /// The newest ids handled, newest first (at most `WINDOW`): the next poll reads from just
    /// below the oldest of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) recent: Vec<String>,
    /// A forward poll is walking up page by page: the next page starts at `newest`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) paging: bool,
    /// Hashes of elements quarantined without a readable id (so a re-read does not quarantine
    /// them again).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) bad: Vec<u64>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Mastodon ids are decimal strings; forks use fixed-length sortable ids (flake ids, ULIDs).
/// Longer is newer, then by characters.
pub(super) fn id_order(a: &str, b: &str) -> Ordering {
    (a.len(), a).cmp(&(b.len(), b))
}

/// FNV-1a of an element's bytes.
pub(super) fn hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Cursor {
    /// Reads a stored cursor. A bare id (not JSON) is taken as the newest notification id, so a
    /// hand-made or legacy cursor still polls forward instead of starting over.
    pub(super) fn parse(s: Option<&str>) -> Cursor {
        let Some(s) = s.map(str::trim).filter(|s| !s.is_empty()) else {
            return Cursor::default();
        };
        serde_json::from_str(s).unwrap_or_else(|_| Cursor {
            newest: Some(s.to_string()),
            ..Cursor::default()
        })
    }

    pub(super) fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The `min_id` of a forward poll's next page.
    pub(super) fn since(&self) -> Option<&String> {
        if self.paging {
            return self.newest.as_ref();
        }
        self.recent.last().or(self.newest.as_ref())
    }

    pub(super) fn knows(&self, id: &str) -> bool {
        self.recent.iter().any(|r| r == id)
    }

    /// Adds handled ids to the window, keeping the newest `WINDOW`.
    pub(super) fn remember(&mut self, ids: impl IntoIterator<Item = String>) {
        self.recent.extend(ids);
        self.recent.sort_by(|a, b| id_order(b, a));
        self.recent.dedup();
        self.recent.truncate(WINDOW);
    }

    /// Records an element quarantined without a readable id; true when it was not seen yet.
    pub(super) fn first_bad(&mut self, raw: &[u8]) -> bool {
        let h = hash(raw);
        if self.bad.contains(&h) {
            return false;
        }
        self.bad.insert(0, h);
        self.bad.truncate(WINDOW);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_accepts_a_bare_id() {
        let c = Cursor {
            newest: Some("9".into()),
            older: Some("3".into()),
            pages: 2,
            me: Some("42".into()),
            recent: vec!["9".into(), "8".into()],
            paging: false,
            bad: vec![7],
        };
        assert_eq!(Cursor::parse(Some(&c.encode())), c);
        assert_eq!(
            Cursor::parse(Some("12345")).newest.as_deref(),
            Some("12345")
        );
        assert_eq!(Cursor::parse(None), Cursor::default());
        // A cursor from before the window polls from its newest id.
        let old = Cursor::parse(Some(r#"{"newest":"120","me":"42"}"#));
        assert_eq!(old.since().map(String::as_str), Some("120"));
    }

    #[test]
    fn the_window_keeps_the_newest_ids_by_id_order() {
        let mut c = Cursor::default();
        c.remember((1..=30).map(|i| i.to_string()));
        assert_eq!(c.recent.len(), WINDOW);
        assert_eq!(c.recent[0], "30");
        assert_eq!(c.since().map(String::as_str), Some("11"));
        c.remember(["9".to_string(), "31".to_string()]);
        assert_eq!(
            (c.recent[0].as_str(), c.since().map(String::as_str)),
            ("31", Some("12"))
        );
    }
}
