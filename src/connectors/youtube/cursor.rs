//! Where a YouTube sync stands: which of the three passes (published, held for review, likely
//! spam) is under way and its next page, the newest `publishedAt` each pass has seen, and the
//! reply counts of threads whose replies were all read.
//!
//! `commentThreads.list` with `order=time` lists threads newest first, but a comment held for
//! review and then published, or one from a client with a wrong clock, lands below threads
//! kith already has. So each poll reads down to `WINDOW_MS` behind its pass's mark, not to the
//! mark itself; what it reads again is deduplicated by native id in the store.

use serde::{Deserialize, Serialize};

/// Each poll re-reads this far behind the pass's mark.
pub(super) const WINDOW_MS: i64 = 6 * 3600 * 1000;
/// Threads whose reply count is remembered (so their replies are not listed again).
const COUNTS: usize = 500;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Cursor {
    /// The pass under way: an index into `Pass::ALL`.
    #[serde(default)]
    pub(super) pass: usize,
    /// The pass's next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) page: Option<String>,
    /// Page tokens the pass has followed: one coming back ends the pass.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) tokens: Vec<String>,
    /// Pages the pass has read.
    #[serde(default)]
    pub(super) pages: u32,
    /// The newest `publishedAt` (ms) each finished pass has seen.
    #[serde(default)]
    pub(super) marks: [Option<i64>; 3],
    /// The newest `publishedAt` the pass under way has seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) top: Option<i64>,
    /// Quota units the sync under way has spent (all passes).
    #[serde(default)]
    pub(super) cost: u64,
    /// Threads whose replies were all read, with the reply count then, newest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) counts: Vec<(String, u64)>,
}

impl Cursor {
    /// A stored cursor; anything unreadable starts over (the store deduplicates).
    pub(super) fn parse(s: Option<&str>) -> Cursor {
        let mut c: Cursor = s
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        if c.pass >= 3 {
            c.pass = 0;
        }
        c
    }

    pub(super) fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Where this pass stops reading: `WINDOW_MS` behind its mark (`None`: first sync).
    pub(super) fn floor(&self) -> Option<i64> {
        self.marks[self.pass].map(|m| m - WINDOW_MS)
    }

    /// True when every reply of `thread` was read while it had `total` of them.
    pub(super) fn knows(&self, thread: &str, total: u64) -> bool {
        self.counts.iter().any(|(t, n)| t == thread && *n == total)
    }

    pub(super) fn remember(&mut self, thread: &str, total: u64) {
        self.counts.retain(|(t, _)| t != thread);
        self.counts.insert(0, (thread.to_string(), total));
        self.counts.truncate(COUNTS);
    }

    pub(super) fn saw(&mut self, at: i64) {
        self.top = Some(self.top.map_or(at, |t| t.max(at)));
    }

    /// Ends the pass under way; true when it was the last one (the sync is over).
    pub(super) fn end_pass(&mut self) -> bool {
        let mark = &mut self.marks[self.pass];
        *mark = match (*mark, self.top) {
            (Some(m), Some(t)) => Some(m.max(t)),
            (m, t) => m.or(t),
        };
        self.top = None;
        self.page = None;
        self.tokens.clear();
        self.pages = 0;
        self.pass = (self.pass + 1) % 3;
        self.pass == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_cycle_and_marks_only_move_forward() {
        let mut c = Cursor::parse(Some("not json"));
        assert_eq!(c, Cursor::default());
        c.saw(100);
        c.saw(50);
        c.page = Some("p2".into());
        assert!(!c.end_pass());
        assert_eq!((c.pass, c.marks[0], c.page.clone()), (1, Some(100), None));
        assert!(!c.end_pass());
        assert!(c.end_pass());
        assert_eq!(c.pass, 0);
        c.saw(40);
        c.end_pass();
        assert_eq!(c.marks[0], Some(100));
        assert_eq!(c.floor(), None, "the held pass has no mark yet");
        c.remember("t1", 7);
        assert!(c.knows("t1", 7) && !c.knows("t1", 8));
        assert_eq!(Cursor::parse(Some(&c.encode())), c);
    }
}
