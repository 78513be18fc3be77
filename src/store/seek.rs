//! Seekable id streams over the posting lists, and their union and intersection (a leapfrog
//! join): a pattern's index lists are combined before any item is read, and a sparse list
//! skips a dense one a day bucket at a time instead of walking it.

use super::postings::{self, bucket, decode_ids, prefix_end};
use super::Result;
use crate::domain::ItemId;
use std::ops::Bound;

/// Work done by one page request, in index steps and item reads (see `SCAN_BUDGET`).
#[derive(Debug, Default)]
pub(super) struct Budget {
    pub used: usize,
    pub limit: usize,
}

impl Budget {
    pub fn spent(&self) -> bool {
        self.used >= self.limit
    }
}

/// A stream of ids in one direction that can jump ahead.
pub(super) trait Seek {
    /// The first id at or past `target` in the direction of travel (the largest id ≤ target
    /// going newest first, the smallest ≥ target going oldest first), or None when none is
    /// left. Targets never move backwards. When the budget is spent an intersection may answer
    /// an id it has not confirmed: callers check every id against the item anyway.
    fn seek(&mut self, target: ItemId, budget: &mut Budget) -> Result<Option<ItemId>>;
}

pub(super) type Cursor = Box<dyn Seek>;

/// One posting list within exclusive bounds, read one bucket at a time.
pub(super) struct ListSeek {
    db: sled::Db,
    list: Vec<u8>,
    lo: Option<ItemId>,
    hi: Option<ItemId>,
    forward: bool,
    /// The loaded bucket's ids in the direction of travel.
    buf: Vec<ItemId>,
    idx: usize,
    bucket: Option<u32>,
    done: bool,
}

impl ListSeek {
    pub fn new(
        db: &sled::Db,
        list: Vec<u8>,
        lo: Option<ItemId>,
        hi: Option<ItemId>,
        forward: bool,
    ) -> ListSeek {
        ListSeek {
            db: db.clone(),
            list,
            lo,
            hi,
            forward,
            buf: Vec::new(),
            idx: 0,
            bucket: None,
            done: false,
        }
    }

    fn bucket_key(&self, b: u32) -> Vec<u8> {
        let mut k = self.list.clone();
        k.extend_from_slice(&b.to_be_bytes());
        k
    }

    /// Loads the nearest non-empty bucket at or past `from` in the direction of travel.
    fn load(&mut self, from: u32) -> Result<bool> {
        let range: (Bound<Vec<u8>>, Bound<Vec<u8>>) = if self.forward {
            let end = prefix_end(&self.list).map_or(Bound::Unbounded, Bound::Excluded);
            (Bound::Included(self.bucket_key(from)), end)
        } else {
            let end = match from.checked_add(1) {
                Some(n) => Bound::Excluded(self.bucket_key(n)),
                None => prefix_end(&self.list).map_or(Bound::Unbounded, Bound::Excluded),
            };
            (Bound::Included(self.list.clone()), end)
        };
        let mut r = self.db.range::<Vec<u8>, _>(range);
        let first = if self.forward {
            r.next()
        } else {
            r.next_back()
        };
        let Some(first) = first else { return Ok(false) };
        let (k, _) = first?;
        let Some(b) = k
            .get(self.list.len()..self.list.len() + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_be_bytes)
        else {
            return Ok(false);
        };
        let past_bound = if self.forward {
            self.hi.is_some_and(|hi| b > bucket(&self.list, hi))
        } else {
            self.lo.is_some_and(|lo| b < bucket(&self.list, lo))
        };
        if past_bound {
            return Ok(false);
        }
        let mut ids = Vec::new();
        for kv in self.db.scan_prefix(self.bucket_key(b)) {
            decode_ids(&kv?.1, &mut ids);
        }
        let (lo, hi) = (self.lo, self.hi);
        ids.retain(|id| lo.is_none_or(|l| *id > l) && hi.is_none_or(|h| *id < h));
        ids.sort_unstable();
        ids.dedup();
        if !self.forward {
            ids.reverse();
        }
        self.buf = ids;
        self.idx = 0;
        self.bucket = Some(b);
        Ok(true)
    }
}

/// Advances `idx` in `buf` (in travel order) to the first id at or past `t`.
fn skip_to(buf: &[ItemId], idx: &mut usize, t: ItemId, forward: bool) -> Option<ItemId> {
    let rest = buf.get(*idx..).unwrap_or_default();
    *idx += if forward {
        rest.partition_point(|x| *x < t)
    } else {
        rest.partition_point(|x| *x > t)
    };
    buf.get(*idx).copied()
}

impl Seek for ListSeek {
    fn seek(&mut self, t: ItemId, budget: &mut Budget) -> Result<Option<ItemId>> {
        budget.used += 1;
        loop {
            if let Some(id) = skip_to(&self.buf, &mut self.idx, t, self.forward) {
                return Ok(Some(id));
            }
            if self.done {
                return Ok(None);
            }
            let tb = bucket(&self.list, t);
            let from = match (self.bucket, self.forward) {
                (None, _) => Some(tb),
                (Some(b), true) => b.checked_add(1).map(|n| n.max(tb)),
                (Some(b), false) => b.checked_sub(1).map(|n| n.min(tb)),
            };
            let Some(from) = from else {
                self.done = true;
                return Ok(None);
            };
            budget.used += 1;
            if !self.load(from)? {
                self.done = true;
                return Ok(None);
            }
        }
    }
}

/// Ids already in memory (words not yet merged into their lists, a prefix's gathered lists).
pub(super) struct VecSeek {
    ids: Vec<ItemId>,
    idx: usize,
    forward: bool,
}

impl VecSeek {
    /// `ids` sorted ascending; only those within the exclusive bounds are kept.
    pub fn new(
        mut ids: Vec<ItemId>,
        lo: Option<ItemId>,
        hi: Option<ItemId>,
        forward: bool,
    ) -> VecSeek {
        ids.retain(|id| lo.is_none_or(|l| *id > l) && hi.is_none_or(|h| *id < h));
        ids.sort_unstable();
        ids.dedup();
        if !forward {
            ids.reverse();
        }
        VecSeek {
            ids,
            idx: 0,
            forward,
        }
    }
}

impl Seek for VecSeek {
    fn seek(&mut self, t: ItemId, budget: &mut Budget) -> Result<Option<ItemId>> {
        budget.used += 1;
        Ok(skip_to(&self.ids, &mut self.idx, t, self.forward))
    }
}

/// Ids in any of the streams.
pub(super) struct Union {
    parts: Vec<Cursor>,
    forward: bool,
}

impl Union {
    pub fn new(parts: Vec<Cursor>, forward: bool) -> Union {
        Union { parts, forward }
    }
}

impl Seek for Union {
    fn seek(&mut self, t: ItemId, budget: &mut Budget) -> Result<Option<ItemId>> {
        let mut best: Option<ItemId> = None;
        for p in &mut self.parts {
            if let Some(id) = p.seek(t, budget)? {
                let better = best.is_none_or(|b| if self.forward { id < b } else { id > b });
                if better {
                    best = Some(id);
                }
            }
        }
        Ok(best)
    }
}

/// Ids in every stream: each one seeks to where the last one landed until all agree.
pub(super) struct Intersect {
    parts: Vec<Cursor>,
}

impl Intersect {
    pub fn new(parts: Vec<Cursor>) -> Intersect {
        Intersect { parts }
    }
}

impl Seek for Intersect {
    fn seek(&mut self, t: ItemId, budget: &mut Budget) -> Result<Option<ItemId>> {
        let mut x = t;
        loop {
            let mut agreed = true;
            for p in &mut self.parts {
                match p.seek(x, budget)? {
                    None => return Ok(None),
                    Some(y) if y != x => {
                        x = y;
                        agreed = false;
                    }
                    Some(_) => {}
                }
            }
            if agreed || budget.spent() {
                return Ok(Some(x));
            }
        }
    }
}

/// The ids of every token starting with `prefix` (and the pending ones), as the text search
/// gathers them.
pub(super) fn prefix_ids(db: &sled::Db, prefix: &str, pending: &[ItemId]) -> Result<Vec<ItemId>> {
    let mut start = vec![super::keys::WORD];
    start.extend_from_slice(prefix.as_bytes());
    let mut ids: Vec<ItemId> = pending.to_vec();
    for kv in db.scan_prefix(&start) {
        postings::decode_ids(&kv?.1, &mut ids);
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[u64]) -> Vec<ItemId> {
        v.iter().map(|x| ItemId(*x)).collect()
    }

    fn all(c: &mut dyn Seek, forward: bool) -> Vec<u64> {
        let mut budget = Budget {
            used: 0,
            limit: usize::MAX,
        };
        let mut out = Vec::new();
        let mut t = Some(if forward { ItemId(0) } else { ItemId(u64::MAX) });
        while let Some(x) = t {
            match c.seek(x, &mut budget).expect("seek") {
                Some(id) => {
                    out.push(id.0);
                    t = if forward {
                        id.0.checked_add(1).map(ItemId)
                    } else {
                        id.0.checked_sub(1).map(ItemId)
                    };
                }
                None => break,
            }
        }
        out
    }

    #[test]
    fn union_and_intersection_in_both_directions() {
        for forward in [false, true] {
            let a = || -> Cursor {
                Box::new(VecSeek::new(ids(&[1, 3, 5, 7, 9, 11]), None, None, forward))
            };
            let b = || -> Cursor {
                Box::new(VecSeek::new(
                    ids(&[2, 3, 6, 7, 11, 12]),
                    None,
                    None,
                    forward,
                ))
            };
            let c =
                || -> Cursor { Box::new(VecSeek::new(ids(&[3, 4, 7, 8]), None, None, forward)) };
            let mut and = Intersect::new(vec![a(), b(), c()]);
            let mut or = Union::new(vec![a(), c()], forward);
            let mut want_and = vec![3, 7];
            let mut want_or = vec![1, 3, 4, 5, 7, 8, 9, 11];
            if !forward {
                want_and.reverse();
                want_or.reverse();
            }
            assert_eq!(all(&mut and, forward), want_and);
            assert_eq!(all(&mut or, forward), want_or);
            // Bounds are exclusive.
            let mut bounded = VecSeek::new(
                ids(&[1, 2, 3, 4]),
                Some(ItemId(1)),
                Some(ItemId(4)),
                forward,
            );
            let mut want = vec![2, 3];
            if !forward {
                want.reverse();
            }
            assert_eq!(all(&mut bounded, forward), want);
        }
    }

    #[test]
    fn a_spent_budget_stops_an_intersection_where_it_stands() {
        // Two long lists with nothing in common: without a budget the join walks them both.
        let evens: Vec<u64> = (0..10_000).map(|x| x * 2).collect();
        let odds: Vec<u64> = (0..10_000).map(|x| x * 2 + 1).collect();
        let mut and = Intersect::new(vec![
            Box::new(VecSeek::new(ids(&evens), None, None, false)),
            Box::new(VecSeek::new(ids(&odds), None, None, false)),
        ]);
        let mut budget = Budget {
            used: 0,
            limit: 100,
        };
        let x = and.seek(ItemId(u64::MAX), &mut budget).expect("seek");
        assert!(budget.spent());
        // An unconfirmed position inside the lists, not the end: the caller continues there.
        assert!(x.is_some_and(|x| x.0 > 19_000), "{x:?}");
        let mut budget = Budget {
            used: 0,
            limit: usize::MAX,
        };
        assert_eq!(and.seek(ItemId(u64::MAX), &mut budget).expect("seek"), None);
    }
}
