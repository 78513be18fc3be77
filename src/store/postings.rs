//! Packed posting lists: every index (all, status, platform, kind, account, each search word)
//! is a list of item ids stored as segments `list ++ day(4) ++ seq(8) -> delta-varint ids`.
//!
//! Why: sled 0.34 spends ~9 µs per key, so one key per (index, item) caps ingest near 2,000
//! items/s. A batch instead writes one segment per (list, day) it touches. Readers load one day
//! bucket at a time and merge its segments; removals (status changes) and buckets with too many
//! segments are compacted into one segment on write.

use super::Result;
use crate::domain::ItemId;
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

/// Segments per bucket before the writer compacts them into one.
const MAX_SEGMENTS_PER_BUCKET: usize = 16;
/// Segments smaller than this are rewritten with the next addition to their bucket (~1,000 ids):
/// a bucket keeps a few large segments and one small one, whatever the size of the batches.
const FOLD_BELOW: usize = 2048;
const DAY_MS: u64 = 86_400_000;

/// Word and tag lists are sparse per day, so they use 64-day buckets; a member's items are sparser
/// still and short enough to read whole (4,096-day buckets: a settle writes one segment per
/// member); the other lists hold most items of a day and use one-day buckets so a page reads
/// little beyond itself.
fn span_ms(list: &[u8]) -> u64 {
    match list.first() {
        Some(&super::keys::WORD) | Some(&super::keys::BY_TAG) => 64 * DAY_MS,
        Some(&super::member_model::BY_AUTHOR) => 4096 * DAY_MS,
        _ => DAY_MS,
    }
}

pub fn bucket(list: &[u8], id: ItemId) -> u32 {
    ((id.0 >> 20) / span_ms(list)).min(u32::MAX as u64) as u32
}

pub fn encode_ids(ids: &[ItemId]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ids.len() * 4);
    let mut prev = 0u64;
    for id in ids {
        let mut d = id.0 - prev;
        prev = id.0;
        loop {
            let byte = (d & 0x7F) as u8;
            d >>= 7;
            if d == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
    }
    out
}

pub fn decode_ids(bytes: &[u8], out: &mut Vec<ItemId>) {
    let mut prev = 0u64;
    let mut cur = 0u64;
    let mut shift = 0u32;
    for &b in bytes {
        cur |= ((b & 0x7F) as u64) << shift.min(63);
        if b & 0x80 == 0 {
            prev = prev.wrapping_add(cur);
            out.push(ItemId(prev));
            cur = 0;
            shift = 0;
        } else {
            shift += 7;
        }
    }
}

fn seg_key(list: &[u8], b: u32, seq: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(list.len() + 12);
    k.extend_from_slice(list);
    k.extend_from_slice(&b.to_be_bytes());
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

fn bucket_prefix(list: &[u8], b: u32) -> Vec<u8> {
    let mut k = list.to_vec();
    k.extend_from_slice(&b.to_be_bytes());
    k
}

/// Ids added and removed in one bucket of one list.
type BucketChange = (Vec<ItemId>, Vec<ItemId>);

/// Changes to lists gathered during one write, applied in the same sled batch.
#[derive(Default)]
pub struct ListChanges {
    /// list key -> bucket -> (added, removed)
    changes: HashMap<Vec<u8>, BTreeMap<u32, BucketChange>>,
    /// The batch removes every old segment of these lists (a rebuild): write them from scratch.
    replacing: bool,
}

impl ListChanges {
    /// Changes to lists whose old segments the same batch removes (a rebuild).
    pub fn replacing() -> ListChanges {
        ListChanges {
            replacing: true,
            ..Default::default()
        }
    }

    fn slot(&mut self, list: &[u8], id: ItemId) -> Option<&mut BucketChange> {
        // Look up before inserting so the hot path (list already present) allocates nothing.
        if !self.changes.contains_key(list) {
            self.changes.insert(list.to_vec(), BTreeMap::new());
        }
        let b = bucket(list, id);
        self.changes.get_mut(list).map(|m| m.entry(b).or_default())
    }

    pub fn add(&mut self, list: &[u8], id: ItemId) {
        if let Some(s) = self.slot(list, id) {
            s.0.push(id);
        }
    }

    pub fn remove(&mut self, list: &[u8], id: ItemId) {
        if let Some(s) = self.slot(list, id) {
            s.1.push(id);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Writes segments into `batch`. `seq` numbers new segments and is advanced. `counts` caches
    /// how many segments each bucket has, so appending to a known bucket reads nothing (sled's
    /// range scans are the costliest part of a small write); it must be cleared if the batch is
    /// not applied.
    pub fn write(
        self,
        db: &sled::Db,
        batch: &mut sled::Batch,
        seq: &mut u64,
        counts: &mut SegmentCounts,
    ) -> Result<()> {
        if counts.map.len() > SegmentCounts::CAP {
            counts.map.clear();
        }
        for (list, buckets) in self.changes {
            for (b, (mut added, removed)) in buckets {
                // Add and remove of the same id in one write cancel out, in order of arrival.
                added.retain(|id| !removed.contains(id));
                let prefix = bucket_prefix(&list, b);
                let known = match counts.map.get(&prefix) {
                    _ if self.replacing => 0,
                    Some(n) => *n,
                    None => count_segments(db, &prefix)?,
                };
                if removed.is_empty() && known < MAX_SEGMENTS_PER_BUCKET {
                    if added.is_empty() {
                        counts.map.insert(prefix, known);
                        continue;
                    }
                    // Small segments already there fold into the new one, so a list that grows
                    // a little at a time (a rare word, a quiet day) keeps one key per bucket.
                    let mut folded = 0;
                    if known > 0 {
                        for kv in db.scan_prefix(&prefix) {
                            let (k, v) = kv?;
                            if v.len() < FOLD_BELOW {
                                decode_ids(&v, &mut added);
                                batch.remove(k);
                                folded += 1;
                            }
                        }
                    }
                    added.sort_unstable();
                    added.dedup();
                    *seq += 1;
                    batch.insert(seg_key(&list, b, *seq), encode_ids(&added));
                    counts.map.insert(prefix, known + 1 - folded);
                    continue;
                }
                let existing: Vec<(sled::IVec, sled::IVec)> =
                    db.scan_prefix(&prefix)
                        .collect::<std::result::Result<_, _>>()?;
                let mut written = 0;
                let mut ids = added;
                for (k, v) in &existing {
                    decode_ids(v, &mut ids);
                    batch.remove(k.clone());
                }
                ids.sort_unstable();
                ids.dedup();
                ids.retain(|id| !removed.contains(id));
                if !ids.is_empty() {
                    *seq += 1;
                    batch.insert(seg_key(&list, b, *seq), encode_ids(&ids));
                    written = 1;
                }
                counts.map.insert(prefix, written);
            }
        }
        Ok(())
    }
}

/// Segments per bucket as last written, kept by the single writer.
#[derive(Default)]
pub struct SegmentCounts {
    map: HashMap<Vec<u8>, usize>,
}

impl SegmentCounts {
    /// Entries kept before the cache starts over (~25 MB at most).
    const CAP: usize = 300_000;

    pub fn clear(&mut self) {
        self.map.clear();
    }
}

/// Segments stored for one bucket. A point lookup answers the common case (a bucket never
/// written) without setting up a range scan.
fn count_segments(db: &sled::Db, prefix: &[u8]) -> Result<usize> {
    match db.get_gt(prefix)? {
        Some((k, _)) if k.starts_with(prefix) => Ok(db.scan_prefix(prefix).keys().count()),
        _ => Ok(0),
    }
}

/// Ids of one list within exclusive bounds, newest first (or oldest first when `forward`),
/// loading one day bucket at a time.
pub struct ListIter {
    /// Its own handle (a cheap clone), so the iterator outlives any borrow of the store.
    db: sled::Db,
    list: Vec<u8>,
    lo: Option<ItemId>,
    hi: Option<ItemId>,
    forward: bool,
    /// Next bucket boundary to continue from (exclusive), in the direction of travel.
    next_key: Option<Bound<Vec<u8>>>,
    buf: std::vec::IntoIter<ItemId>,
    done: bool,
}

impl ListIter {
    pub fn new(
        db: &sled::Db,
        list: Vec<u8>,
        lo: Option<ItemId>,
        hi: Option<ItemId>,
        forward: bool,
    ) -> Self {
        ListIter {
            db: db.clone(),
            list,
            lo,
            hi,
            forward,
            next_key: None,
            buf: Vec::new().into_iter(),
            done: false,
        }
    }

    /// Loads the next non-empty bucket in the direction of travel into `buf`.
    fn load_bucket(&mut self) -> Result<bool> {
        loop {
            let list_end = prefix_end(&self.list);
            let (start, end) = if self.forward {
                let start = match self.next_key.take() {
                    Some(b) => b,
                    None => match self.lo {
                        Some(lo) => {
                            Bound::Included(bucket_prefix(&self.list, bucket(&self.list, lo)))
                        }
                        None => Bound::Included(self.list.clone()),
                    },
                };
                let end = match self.hi {
                    Some(hi) => Bound::Excluded(bucket_prefix(
                        &self.list,
                        bucket(&self.list, hi).saturating_add(1),
                    )),
                    None => list_end.map_or(Bound::Unbounded, Bound::Excluded),
                };
                (start, end)
            } else {
                let end = match self.next_key.take() {
                    Some(b) => b,
                    None => match self.hi {
                        Some(hi) => Bound::Excluded(bucket_prefix(
                            &self.list,
                            bucket(&self.list, hi).saturating_add(1),
                        )),
                        None => list_end.map_or(Bound::Unbounded, Bound::Excluded),
                    },
                };
                let start = match self.lo {
                    Some(lo) => Bound::Included(bucket_prefix(&self.list, bucket(&self.list, lo))),
                    None => Bound::Included(self.list.clone()),
                };
                (start, end)
            };
            let mut range = self.db.range::<Vec<u8>, _>((start, end));
            let first = if self.forward {
                range.next()
            } else {
                range.next_back()
            };
            let Some(first) = first else { return Ok(false) };
            let (k, v) = first?;
            let Some(b) = read_bucket(&k, self.list.len()) else {
                return Ok(false);
            };
            let mut ids = Vec::new();
            decode_ids(&v, &mut ids);
            // The rest of this bucket's segments.
            for kv in self.db.scan_prefix(bucket_prefix(&self.list, b)) {
                let (k2, v2) = kv?;
                if k2 != k {
                    decode_ids(&v2, &mut ids);
                }
            }
            ids.retain(|id| self.lo.is_none_or(|lo| *id > lo) && self.hi.is_none_or(|hi| *id < hi));
            ids.sort_unstable();
            ids.dedup();
            if !self.forward {
                ids.reverse();
            }
            self.next_key = Some(if self.forward {
                Bound::Included(bucket_prefix(&self.list, b.saturating_add(1)))
            } else {
                Bound::Excluded(bucket_prefix(&self.list, b))
            });
            if self.forward && b == u32::MAX || !self.forward && b == 0 {
                self.done = true;
            }
            if !ids.is_empty() {
                self.buf = ids.into_iter();
                return Ok(true);
            }
            if self.done {
                return Ok(false);
            }
        }
    }
}

impl Iterator for ListIter {
    type Item = Result<ItemId>;
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(id) = self.buf.next() {
                return Some(Ok(id));
            }
            if self.done {
                return None;
            }
            match self.load_bucket() {
                Ok(true) => continue,
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

/// All ids of one bucket of a list (for intersecting search terms).
pub fn bucket_ids(db: &sled::Db, list: &[u8], b: u32) -> Result<Vec<ItemId>> {
    let mut ids = Vec::new();
    for kv in db.scan_prefix(bucket_prefix(list, b)) {
        decode_ids(&kv?.1, &mut ids);
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

fn read_bucket(key: &[u8], list_len: usize) -> Option<u32> {
    let b: [u8; 4] = key.get(list_len..list_len + 4)?.try_into().ok()?;
    Some(u32::from_be_bytes(b))
}

/// The smallest key greater than every key starting with `prefix`.
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_round_trip() {
        let ids = vec![
            ItemId(1),
            ItemId(300),
            ItemId(1 << 40),
            ItemId(u64::MAX >> 1),
        ];
        let mut out = Vec::new();
        decode_ids(&encode_ids(&ids), &mut out);
        assert_eq!(out, ids);
    }

    /// A large segment stays as written; the small ones after it fold into one.
    #[test]
    fn small_segments_fold_and_large_ones_stay() {
        let d = tempfile::tempdir().expect("tmp");
        let db = sled::Config::new().path(d.path()).open().expect("db");
        let id = |n: u64| ItemId(((5 * DAY_MS + n) << 20) | 1);
        let list = b"Ly\0".to_vec();
        let (mut seq, mut counts) = (0, SegmentCounts::default());
        let mut write = |ids: &[u64]| {
            let mut ch = ListChanges::default();
            for n in ids {
                ch.add(&list, id(*n));
            }
            let mut batch = sled::Batch::default();
            ch.write(&db, &mut batch, &mut seq, &mut counts)
                .expect("write");
            db.apply_batch(batch).expect("apply");
        };
        let big: Vec<u64> = (0..1000).collect();
        write(&big);
        for n in 1000..1010 {
            write(&[n]);
        }
        let sizes: Vec<usize> = db
            .scan_prefix(bucket_prefix(&list, 5))
            .map(|kv| kv.expect("kv").1.len())
            .collect();
        assert_eq!(sizes.len(), 2, "{sizes:?}");
        assert!(sizes[0] >= FOLD_BELOW, "{sizes:?}");
        let all = ListIter::new(&db, list.clone(), None, None, true).count();
        assert_eq!(all, 1010);
    }

    #[test]
    fn lists_add_remove_compact_and_iterate_across_buckets() {
        let d = tempfile::tempdir().expect("tmp");
        let db = sled::Config::new().path(d.path()).open().expect("db");
        let day = |d: u64, n: u64| ItemId(((d * DAY_MS + n) << 20) | 1);
        let list = b"Lx\0".to_vec();
        let mut seq = 0;
        let mut counts = SegmentCounts::default();
        // Many small writes into one bucket trigger compaction; ids spread over 3 days. Halfway
        // the count cache starts over (as after a failed batch) and counts from the store.
        for round in 0..40u64 {
            if round == 23 {
                counts.clear();
            }
            let mut ch = ListChanges::default();
            ch.add(&list, day(10, round));
            ch.add(&list, day(12, round));
            if round % 10 == 0 {
                ch.add(&list, day(11, round));
            }
            let mut batch = sled::Batch::default();
            ch.write(&db, &mut batch, &mut seq, &mut counts)
                .expect("write");
            db.apply_batch(batch).expect("apply");
            let segs = db.scan_prefix(bucket_prefix(&list, 12)).count();
            assert_eq!(counts.map.get(&bucket_prefix(&list, 12)), Some(&segs));
            // Small additions fold into one segment.
            assert_eq!(segs, 1);
        }
        let segs = db.scan_prefix(bucket_prefix(&list, 10)).count();
        assert!(segs <= MAX_SEGMENTS_PER_BUCKET, "{segs} segments");
        let all: Vec<ItemId> = ListIter::new(&db, list.clone(), None, None, false)
            .map(|r| r.expect("id"))
            .collect();
        assert_eq!(all.len(), 84);
        assert!(all.windows(2).all(|w| w[0] > w[1]));
        assert_eq!(all[0], day(12, 39));
        // Bounds are exclusive and cross buckets.
        let below: Vec<ItemId> = ListIter::new(&db, list.clone(), None, Some(day(11, 20)), false)
            .take(3)
            .map(|r| r.expect("id"))
            .collect();
        assert_eq!(below, vec![day(11, 10), day(11, 0), day(10, 39)]);
        let above: Vec<ItemId> = ListIter::new(&db, list.clone(), Some(day(11, 30)), None, true)
            .take(2)
            .map(|r| r.expect("id"))
            .collect();
        assert_eq!(above, vec![day(12, 0), day(12, 1)]);
        // Removal rewrites the bucket without the id.
        let mut ch = ListChanges::default();
        ch.remove(&list, day(11, 10));
        let mut batch = sled::Batch::default();
        ch.write(&db, &mut batch, &mut seq, &mut counts)
            .expect("write");
        db.apply_batch(batch).expect("apply");
        assert_eq!(
            bucket_ids(&db, &list, 11).expect("ids"),
            vec![day(11, 0), day(11, 20), day(11, 30)]
        );
    }
}
