//! Where a Bluesky sync stands, and the window each poll re-reads behind its mark.
//!
//! The AppView lists notifications by a sort time, the earlier of the record's `createdAt` and
//! when the AppView indexed it (the `indexedAt` a notification shows is that sort time). A reply
//! from a client whose clock is behind, or one indexed late, is therefore listed *below*
//! notifications kith already has: "stop at the newest stored one" loses it for good. So the
//! cursor keeps, besides the mark, the identities of every notification handled down to a floor,
//! and every poll reads down to that floor: what it finds there that is not known is new. The
//! floor lies `WINDOW_MS` behind the mark or `WINDOW_COUNT` notifications back, whichever reaches
//! further, but never more than `KNOWN_MAX` notifications back, so an idle poll of a normal
//! account is still one page of `PAGE`.

use serde::{Deserialize, Serialize};

/// Notifications per page: the API's maximum, so the window fits in the first page.
pub(super) const PAGE: usize = 100;
/// A first sync reads at most this many pages back.
pub(super) const FIRST_SYNC_PAGES: u32 = 5;
/// Each poll re-reads at least this far behind the mark: a client clock up to this far behind
/// (and any indexing delay shorter than it) is still caught.
pub(super) const WINDOW_MS: i64 = 6 * 3600 * 1000;
/// …and at least this many notifications, however old (a quiet account's window is its last
/// notifications, still in the first page).
pub(super) const WINDOW_COUNT: usize = 50;
/// The window never holds more than this many notifications (a busy account's idle poll reads
/// at most ~`KNOWN_MAX / PAGE` + 1 pages).
pub(super) const KNOWN_MAX: usize = 300;
/// A poll stops after this many pages wholly at or below the mark, whatever the floor says.
pub(super) const DEEP_PAGES: u32 = 4;

/// One handled notification: its sort time (ms) and a hash of its uri.
pub(super) type Seen = (i64, u64);

/// Stored by the engine as JSON. Fields of a poll under way (`top`, `next`, `pages`, `low`,
/// `fresh`, `deep`) are empty between polls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Cursor {
    /// The mark: sort time of the newest notification handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seen: Option<i64>,
    /// Every notification handled with a sort time at or above this is in `known`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    floor: Option<i64>,
    /// Notifications handled at or above `floor`, newest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    known: Vec<Seen>,
    /// Poll under way: the newest sort time it handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    top: Option<i64>,
    /// Poll under way: the API cursor of the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) next: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pages: u32,
    /// Poll under way: the lowest sort time it has read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    low: Option<i64>,
    /// Poll under way: what it handled (the newest `KNOWN_MAX` kept).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    fresh: Vec<Seen>,
    /// Poll under way: pages read wholly at or below the mark.
    #[serde(default, skip_serializing_if = "is_zero")]
    deep: u32,
    /// Cursors written before the window knew only the mark and the uris at it (and at the top
    /// of a poll under way); read once, never written.
    #[serde(default, skip_serializing)]
    seen_uris: Vec<String>,
    #[serde(default, skip_serializing)]
    top_uris: Vec<String>,
    /// The current page reached the floor.
    #[serde(skip)]
    reached: bool,
    /// The newest sort time on the current page.
    #[serde(skip)]
    page_top: Option<i64>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A stable 64-bit hash (FNV-1a) naming a notification by its uri, or by its raw bytes when
/// the uri cannot be read.
pub(super) fn id_of(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Newest first; ties by id, so the same set always encodes the same way.
fn sort(v: &mut Vec<Seen>) {
    v.sort_by(|a, b| b.cmp(a));
    v.dedup_by_key(|e| e.1);
}

/// The sort time of the `n`-th newest entry (1-based; the oldest when there are fewer).
fn nth_time(v: &[Seen], n: usize) -> Option<i64> {
    v.get(n.min(v.len()).checked_sub(1)?).map(|e| e.0)
}

impl Cursor {
    /// Reads a stored cursor (nothing, or something unreadable, is a first sync). A cursor from
    /// before the window gets a floor one window behind its mark: its first poll re-reads that
    /// window once (the store drops what it already has) and recovers what the old rule missed.
    pub(super) fn parse(stored: Option<&str>) -> Cursor {
        let mut c: Cursor = stored
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        let legacy_mark = c.floor.is_none() && c.known.is_empty() && c.seen.is_some();
        if legacy_mark {
            let seen = c.seen.unwrap_or_default();
            c.floor = Some(seen - WINDOW_MS);
            c.known = c
                .seen_uris
                .iter()
                .map(|u| (seen, id_of(u.as_bytes())))
                .collect();
            sort(&mut c.known);
        }
        if let Some(top) = c.top.filter(|_| c.fresh.is_empty()) {
            c.fresh = c
                .top_uris
                .iter()
                .map(|u| (top, id_of(u.as_bytes())))
                .collect();
            sort(&mut c.fresh);
        }
        c.seen_uris.clear();
        c.top_uris.clear();
        c
    }

    pub(super) fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A poll continues from an earlier page (not from the top).
    pub(super) fn resuming(&self) -> bool {
        self.next.is_some()
    }

    fn first_sync(&self) -> bool {
        self.seen.is_none() && self.floor.is_none()
    }

    /// One listed notification, at sort time `at` (`None` when unreadable) named `id`: true when
    /// it is new and must be handled (stored, or quarantined when `valid` is false).
    pub(super) fn see(&mut self, at: Option<i64>, id: u64, valid: bool) -> bool {
        // A notification whose time cannot be read sits where the listing puts it.
        let Some(at) = at.or(self.low).or(self.top).or(self.seen) else {
            return self.remember(0, id, false);
        };
        self.page_top = self.page_top.max(Some(at));
        self.low = Some(self.low.map_or(at, |l| l.min(at)));
        if let Some(floor) = self.floor {
            if at <= floor {
                self.reached = true;
            }
            if at < floor {
                // Below the window: handled by an earlier poll.
                return false;
            }
        }
        self.remember(at, id, valid)
    }

    fn remember(&mut self, at: i64, id: u64, valid: bool) -> bool {
        let known = |v: &[Seen]| v.iter().any(|e| e.1 == id);
        if known(&self.known) || known(&self.fresh) {
            return false;
        }
        self.fresh.push((at, id));
        if valid {
            self.top = self.top.max(Some(at));
        }
        if self.fresh.len() > 2 * KNOWN_MAX {
            // Keyset paging never lists one notification twice in a poll; only the newest
            // matter to the window the next poll reads.
            sort(&mut self.fresh);
            if let Some(cut) = nth_time(&self.fresh, KNOWN_MAX) {
                self.fresh.retain(|e| e.0 >= cut);
            }
        }
        true
    }

    /// After a page: true when the poll is done (the cursor is then complete). `api_next` is the
    /// API's cursor for the page after this one.
    pub(super) fn page_read(&mut self, api_next: Option<String>, empty: bool) -> bool {
        self.pages += 1;
        if self
            .seen
            .is_some_and(|s| self.page_top.is_none_or(|t| t <= s))
        {
            self.deep += 1;
        }
        let ended = api_next.is_none() || empty;
        let done = ended
            || self.reached
            || (self.first_sync() && self.pages >= FIRST_SYNC_PAGES)
            || self.deep >= DEEP_PAGES;
        self.page_top = None;
        if done {
            self.complete(ended);
        } else {
            self.reached = false;
            self.next = api_next;
        }
        done
    }

    /// Ends a poll: the new mark, and the window the next poll reads.
    fn complete(&mut self, ended: bool) {
        // How far down everything is known: all of it at the end of the list; down to the old
        // floor when the poll reached it; else (a first sync or a deep poll cut short) down to
        // where this poll stopped.
        let covered = if ended {
            i64::MIN
        } else if self.reached {
            self.floor.unwrap_or(i64::MIN)
        } else {
            self.low.unwrap_or(i64::MIN)
        };
        let mut all = std::mem::take(&mut self.known);
        all.append(&mut self.fresh);
        sort(&mut all);
        let mark = self.seen.max(self.top);
        let by_count = nth_time(&all, WINDOW_COUNT);
        let target = match (mark, by_count) {
            (Some(m), Some(c)) => Some((m - WINDOW_MS).min(c)),
            (_, c) => c,
        };
        let floor = target
            .map(|t| t.max(covered))
            .map(|f| match nth_time(&all, KNOWN_MAX) {
                Some(cap) if all.len() > KNOWN_MAX => f.max(cap),
                _ => f,
            });
        all.retain(|e| floor.is_some_and(|f| e.0 >= f));
        *self = Cursor {
            seen: mark,
            floor,
            known: all,
            ..Cursor::default()
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3600 * 1000;

    fn poll(c: &mut Cursor, pages: &[&[(i64, u64)]], last_has_next: bool) -> Vec<u64> {
        let mut new = Vec::new();
        for (i, p) in pages.iter().enumerate() {
            for (at, id) in p.iter() {
                if c.see(Some(*at), *id, true) {
                    new.push(*id);
                }
            }
            let next = (i + 1 < pages.len() || last_has_next).then(|| format!("p{i}"));
            let done = c.page_read(next, p.is_empty());
            assert_eq!(done, i + 1 == pages.len(), "page {i}");
        }
        new
    }

    #[test]
    fn a_cursor_from_before_the_window_re_reads_one_window_behind_its_mark() {
        let old = r#"{"seen":1000000000000,"seen_uris":["at://a/1"],"top":null,"top_uris":[],"next":null,"pages":0}"#;
        let c = Cursor::parse(Some(old));
        assert_eq!(c.seen, Some(1_000_000_000_000));
        assert_eq!(c.floor, Some(1_000_000_000_000 - WINDOW_MS));
        assert_eq!(c.known, vec![(1_000_000_000_000, id_of(b"at://a/1"))]);
        assert!(!c.encode().contains("seen_uris"));
        // Unreadable or absent: a first sync.
        assert!(Cursor::parse(Some("garbage")).first_sync());
        assert!(Cursor::parse(None).first_sync());
    }

    #[test]
    fn below_the_mark_inside_the_window_is_new_below_the_floor_is_not() {
        let t = 100 * H;
        let mut c = Cursor::default();
        let first: Vec<(i64, u64)> = (0..10).map(|i| (t - i * H / 2, i as u64)).collect();
        assert_eq!(poll(&mut c, &[&first, &[]], true).len(), 10);
        assert_eq!(c.seen, Some(t));
        // The whole list was read: the window reaches a full WINDOW_MS back.
        assert_eq!(c.floor, Some(t - WINDOW_MS));
        let backdated = (t - H, 99);
        let too_old = (t - WINDOW_MS - H, 98);
        let again: Vec<(i64, u64)> = std::iter::once(backdated)
            .chain(first.iter().copied())
            .chain(std::iter::once(too_old))
            .collect();
        assert_eq!(poll(&mut c, &[&again], true), vec![99]);
        assert_eq!(c.known.len(), 11);
        assert_eq!(c.seen, Some(t), "a backdated one does not move the mark");
        // Idle: nothing new, and the cursor is exactly as it was.
        let before = c.encode();
        let idle: Vec<(i64, u64)> = c.known.iter().copied().chain([too_old]).collect();
        assert!(poll(&mut c, &[&idle], true).is_empty());
        assert_eq!(c.encode(), before);
    }

    #[test]
    fn a_busy_account_keeps_at_most_known_max_and_reads_a_bounded_number_of_pages() {
        let t = 1000 * H;
        let mut c = Cursor::default();
        // 1000 notifications a minute apart, the first sync reads five pages of them.
        let all: Vec<(i64, u64)> = (0..1000).map(|i| (t - i * 60_000, i as u64)).collect();
        let pages: Vec<&[(i64, u64)]> = all.chunks(PAGE).take(5).collect();
        poll(&mut c, &pages, true);
        assert_eq!(c.known.len(), KNOWN_MAX);
        // The next idle poll stops at the floor: within four pages.
        let pages: Vec<&[(i64, u64)]> = all.chunks(PAGE).take(3).collect();
        assert!(poll(&mut c, &pages, true).is_empty());
    }
}
