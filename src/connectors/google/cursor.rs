//! Where a Google reviews sync stands: the location under way and its next page, the newest
//! `updateTime` each location has shown, and a fingerprint of the latest reviews' text and
//! stars (so an edit is told from a review that only moved up the list).
//!
//! Reviews are listed by `updateTime desc`; a review Google held back or re-indexed can land
//! below the mark, so each poll reads down to `WINDOW_MS` behind it, not to the mark itself;
//! what it reads again is deduplicated by native id in the store.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Each poll re-reads this far behind a location's mark.
pub(super) const WINDOW_MS: i64 = 24 * 3600 * 1000;
/// Reviews whose fingerprint is remembered (the newest ones, across locations).
const PRINTS: usize = 600;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Cursor {
    /// The location under way: an index into the account's `locations`.
    #[serde(default)]
    pub(super) loc: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) page: Option<String>,
    /// Page tokens this location has followed: one coming back ends it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) tokens: Vec<String>,
    #[serde(default)]
    pub(super) pages: u32,
    /// The newest `updateTime` (ms) each location showed in a finished pass, by location id.
    #[serde(default)]
    pub(super) marks: BTreeMap<String, i64>,
    /// The newest `updateTime` the location under way has shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) top: Option<i64>,
    /// Review name and fingerprint of its text and stars, newest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) prints: Vec<(String, u64)>,
}

impl Cursor {
    /// A stored cursor; anything unreadable starts over (the store deduplicates).
    pub(super) fn parse(s: Option<&str>, locations: usize) -> Cursor {
        let mut c: Cursor = s
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        if c.loc >= locations.max(1) {
            c.loc = 0;
            c.page = None;
            c.tokens.clear();
            c.pages = 0;
            c.top = None;
        }
        c
    }

    pub(super) fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub(super) fn mark(&self, location: &str) -> Option<i64> {
        self.marks.get(location).copied()
    }

    /// Where this location's pass stops reading (`None`: first sync, read it all).
    pub(super) fn floor(&self, location: &str) -> Option<i64> {
        self.mark(location).map(|m| m - WINDOW_MS)
    }

    pub(super) fn saw(&mut self, at: i64) {
        self.top = Some(self.top.map_or(at, |t| t.max(at)));
    }

    /// The fingerprint last seen for a review, if remembered.
    pub(super) fn print(&self, name: &str) -> Option<u64> {
        self.prints.iter().find(|(n, _)| n == name).map(|(_, p)| *p)
    }

    pub(super) fn remember(&mut self, name: &str, print: u64) {
        self.prints.retain(|(n, _)| n != name);
        self.prints.insert(0, (name.to_string(), print));
        self.prints.truncate(PRINTS);
    }

    /// Ends the location under way; true when it was the last one (the sync is over).
    pub(super) fn end_location(&mut self, location: &str, count: usize) -> bool {
        if let Some(t) = self.top.take() {
            let m = self.marks.entry(location.to_string()).or_insert(t);
            *m = (*m).max(t);
        }
        self.page = None;
        self.tokens.clear();
        self.pages = 0;
        self.loc += 1;
        if self.loc >= count {
            self.loc = 0;
            return true;
        }
        false
    }
}

/// FNV-1a over a review's stars and text: stable across runs and versions (unlike std's
/// hasher), which a stored cursor needs.
pub(super) fn fingerprint(rating: Option<u8>, text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in [rating.unwrap_or(0)].iter().chain(text.as_bytes()) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_cycle_and_marks_only_move_forward() {
        let mut c = Cursor::parse(Some("not json"), 2);
        assert_eq!(c, Cursor::default());
        c.saw(100);
        c.saw(50);
        c.page = Some("p2".into());
        assert!(!c.end_location("11", 2));
        assert_eq!((c.loc, c.mark("11"), c.page.clone()), (1, Some(100), None));
        assert!(c.end_location("22", 2), "no review there: no mark");
        assert_eq!(c.mark("22"), None);
        c.saw(40);
        c.end_location("11", 2);
        assert_eq!(c.mark("11"), Some(100));
        assert_eq!(c.floor("11"), Some(100 - WINDOW_MS));
        c.remember("r1", 7);
        c.remember("r1", 8);
        assert_eq!((c.print("r1"), c.prints.len()), (Some(8), 1));
        assert_eq!(Cursor::parse(Some(&c.encode()), 2), c);
        let far = Cursor {
            loc: 5,
            page: Some("x".into()),
            ..c.clone()
        };
        let back = Cursor::parse(Some(&far.encode()), 2);
        assert_eq!((back.loc, back.page, back.marks), (0, None, c.marks));
        assert_ne!(fingerprint(Some(4), "ok"), fingerprint(Some(5), "ok"));
        assert_eq!(fingerprint(None, "ok"), fingerprint(None, "ok"));
    }
}
