//! Native ids in hashed buckets: `B ++ bucket (u16)` holds, for every item whose (account,
//! native id) hashes into that bucket, 12 bytes: 32 more bits of the hash and the item id. A
//! million items take 65,536 keys of ~180 bytes instead of a million keys (sled's cost is per
//! key), and every ingest still finds a duplicate exactly: a hash match is confirmed against the
//! item itself, so a collision costs one item read and never hides a comment.
//!
//! Ids the platform gave a reply we sent (`set_outgoing`) differ from the reply's own native id,
//! so they cannot be confirmed that way: they stay one key each under `n` (`keys::native`), as
//! every native id did before schema 10. `bucket_natives` moves an older store's `n` keys into
//! the buckets, a batch at a time, and leaves those aliases where they are.

use super::{keys, Result, Store, StoreError};
use crate::domain::ItemId;
use std::collections::BTreeMap;

/// Native id buckets: `B ++ bucket`.
pub const NATIVE_BUCKET: u8 = b'B';
/// Bytes per bucket entry: hash tag (u32) + item id (u64).
const ENTRY: usize = 12;
/// `n` keys moved per batch by `bucket_natives`.
const MOVE_BATCH: usize = 5_000;
/// Marks a store whose `n` keys were all looked at (`M natives_bucketed`), or that was created
/// with buckets.
pub(super) const BUCKETED: &str = "natives_bucketed";

/// The 64-bit hash of a native identity; its top 16 bits pick the bucket, the next 32 are kept.
pub(super) fn hash(account: &str, native_id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let len = |s: &str| (s.len() as u32).to_be_bytes();
    for b in len(account)
        .iter()
        .chain(account.as_bytes())
        .chain(len(native_id).iter())
        .chain(native_id.as_bytes())
    {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // FNV's low bits are weak in its high bits for short keys: mix (splitmix64's finaliser).
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

fn bucket_key(h: u64) -> [u8; 3] {
    let b = ((h >> 48) as u16).to_be_bytes();
    [NATIVE_BUCKET, b[0], b[1]]
}

fn tag(h: u64) -> u32 {
    (h >> 16) as u32
}

fn entry(h: u64, id: ItemId) -> [u8; ENTRY] {
    let mut e = [0u8; ENTRY];
    e[..4].copy_from_slice(&tag(h).to_be_bytes());
    e[4..].copy_from_slice(&id.to_bytes());
    e
}

/// A bucket's entries as (hash tag, item id).
fn parse(value: &[u8]) -> Result<Vec<(u32, ItemId)>> {
    if value.len() % ENTRY != 0 {
        return Err(StoreError::Corrupt(format!(
            "native id bucket of {} bytes is not made of {ENTRY}-byte entries",
            value.len()
        )));
    }
    Ok(value
        .chunks_exact(ENTRY)
        .filter_map(|e| {
            let t = u32::from_be_bytes(e[..4].try_into().ok()?);
            Some((t, ItemId::from_bytes(&e[4..])?))
        })
        .collect())
}

impl Store {
    /// The item stored with this native identity (or a platform id a reply of ours was given).
    pub fn id_by_native(&self, account: &str, native_id: &str) -> Result<Option<ItemId>> {
        let h = hash(account, native_id);
        if let Some(v) = self.db().get(bucket_key(h))? {
            for (t, id) in parse(&v)? {
                if t != tag(h) {
                    continue;
                }
                if let Some(item) = self.get(id)? {
                    if item.account == account && item.native_id == native_id {
                        return Ok(Some(id));
                    }
                }
            }
        }
        Ok(self
            .db()
            .get(keys::native(account, native_id))?
            .and_then(|v| ItemId::from_bytes(&v)))
    }

    /// Appends (hash, item id) entries to their buckets in `batch`, each bucket read once.
    pub(super) fn stage_natives(
        &self,
        batch: &mut sled::Batch,
        adds: Vec<(u64, ItemId)>,
    ) -> Result<()> {
        let mut by_bucket: BTreeMap<[u8; 3], Vec<u8>> = BTreeMap::new();
        for (h, id) in adds {
            let key = bucket_key(h);
            let value = match by_bucket.entry(key) {
                std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::btree_map::Entry::Vacant(v) => {
                    let old = self.db().get(key)?;
                    v.insert(old.map(|o| o.to_vec()).unwrap_or_default())
                }
            };
            value.extend_from_slice(&entry(h, id));
        }
        for (k, v) in by_bucket {
            batch.insert(&k[..], v);
        }
        Ok(())
    }

    /// Every bucket entry as (the 48 hash bits it keeps: bucket and tag, low 16 bits zero; item
    /// id), for the store check.
    pub(super) fn native_entries(&self) -> Result<Vec<(u64, ItemId)>> {
        let mut out = Vec::new();
        for kv in self.db().scan_prefix([NATIVE_BUCKET]) {
            let (k, v) = kv?;
            let Some(&[hi, lo]) = k.get(1..3) else {
                return Err(StoreError::Corrupt("native id bucket key too short".into()));
            };
            let bucket = u16::from_be_bytes([hi, lo]) as u64;
            for (t, id) in parse(&v)? {
                out.push(((bucket << 48) | ((t as u64) << 16), id));
            }
        }
        Ok(out)
    }

    /// Moves the `n` keys an older store wrote (one per item) into the buckets, `MOVE_BATCH`
    /// per batch, each batch removing the keys it moved: a move cut short by a crash goes on
    /// from what is left. Keys whose item has another native id (ids platforms gave our
    /// replies) stay. `progress(keys looked at, keys moved)` after each batch. Runs once per
    /// store (`M natives_bucketed`); returns the keys moved.
    pub fn bucket_natives(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<u64> {
        if self.db().contains_key(keys::meta(BUCKETED))? {
            return Ok(0);
        }
        let (mut seen, mut moved) = (0u64, 0u64);
        let mut from = vec![keys::NATIVE];
        loop {
            let state = self.lock_writer();
            let mut batch = sled::Batch::default();
            let mut adds = Vec::new();
            let mut last = None;
            for kv in self.db().range(from.clone()..).take(MOVE_BATCH) {
                let (k, v) = kv?;
                if k.first() != Some(&keys::NATIVE) {
                    break;
                }
                seen += 1;
                last = Some(k.clone());
                let Some(((account, native), id)) =
                    keys::parse_native(&k).zip(ItemId::from_bytes(&v))
                else {
                    continue;
                };
                match self.get(id)? {
                    Some(item) if item.account == account && item.native_id == native => {
                        adds.push((hash(&account, &native), id));
                        batch.remove(k);
                    }
                    _ => {}
                }
            }
            let Some(last) = last else {
                self.db()
                    .insert(keys::meta(BUCKETED), super::encode(&true)?)?;
                self.db().flush()?;
                return Ok(moved);
            };
            from = last.to_vec();
            from.push(0);
            if !adds.is_empty() {
                moved += adds.len() as u64;
                self.stage_natives(&mut batch, adds)?;
                self.db().apply_batch(batch)?;
                self.db().flush()?;
            }
            drop(state);
            progress(seen, moved);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{item, store, T0};
    use super::*;
    use crate::domain::{Platform, Timestamp};

    fn id_of(s: &Store, n: u32) -> Option<ItemId> {
        s.id_by_native("acc", &format!("n{n}")).expect("lookup")
    }

    /// A hash match is only a candidate: an entry whose item has another identity (a collision)
    /// neither hides a new item nor answers a lookup for someone else.
    #[test]
    fn a_colliding_entry_neither_hides_an_item_nor_answers_for_another() {
        let (_d, s) = store();
        let items: Vec<_> = (0..3).map(|n| item(n, Platform::Vk, "x")).collect();
        assert_eq!(
            s.ingest(&items, false, "t", Timestamp(T0)).expect("in"),
            (3, 0)
        );
        let n1 = id_of(&s, 1).expect("n1");
        // Entries for n3 (not stored) and for n2, both pointing at n1's item.
        let mut batch = sled::Batch::default();
        let fake = vec![(hash("acc", "n3"), n1), (hash("acc", "n2"), n1)];
        s.stage_natives(&mut batch, fake).expect("stage");
        s.db().apply_batch(batch).expect("apply");
        assert_eq!(id_of(&s, 3), None);
        assert_ne!(id_of(&s, 2), Some(n1));
        assert!(id_of(&s, 2).is_some());
        let more = vec![item(3, Platform::Vk, "y"), item(1, Platform::Vk, "x")];
        assert_eq!(
            s.ingest(&more, false, "t", Timestamp(T0)).expect("in"),
            (1, 1)
        );
        assert_ne!(id_of(&s, 3), Some(n1));
        assert_eq!(s.all_items().count(), 4);
        assert_eq!(
            s.check().expect("check"),
            vec![
                "native id bucket entry for {n1} in the wrong place"
                    .replace("{n1}", &n1.to_string());
                2
            ]
        );
    }

    /// An older store's `n` keys move into the buckets with nothing lost: every item is found
    /// as before, a duplicate is still one, the alias of a sent reply stays an `n` key, and the
    /// move runs once.
    #[test]
    fn an_older_stores_native_keys_move_into_buckets_and_aliases_stay() {
        let (_d, s) = store();
        let items: Vec<_> = (0..40).map(|n| item(n, Platform::Vk, "x")).collect();
        s.ingest(&items, false, "t", Timestamp(T0)).expect("in");
        // Back to schema 9's layout: one `n` key per item, no buckets, plus one alias.
        let mut batch = sled::Batch::default();
        for kv in s.db().scan_prefix([NATIVE_BUCKET]) {
            batch.remove(kv.expect("kv").0);
        }
        for n in 0..40 {
            let id = id_of(&s, n).expect("id");
            batch.insert(keys::native("acc", &format!("n{n}")), &id.to_bytes()[..]);
        }
        let alias = id_of(&s, 7).expect("n7");
        batch.insert(keys::native("acc", "platform-7"), &alias.to_bytes()[..]);
        batch.remove(keys::meta(BUCKETED));
        s.db().apply_batch(batch).expect("apply");
        assert_eq!(s.db().scan_prefix([NATIVE_BUCKET]).count(), 0);
        assert_eq!(
            id_of(&s, 5),
            s.db()
                .get(keys::native("acc", "n5"))
                .expect("g")
                .and_then(|v| ItemId::from_bytes(&v))
        );
        assert_eq!(s.check().expect("check"), Vec::<String>::new());
        let mut calls = 0;
        assert_eq!(s.bucket_natives(&mut |_, _| calls += 1).expect("move"), 40);
        assert!(calls >= 1);
        assert_eq!(
            s.db().scan_prefix([keys::NATIVE]).count(),
            1,
            "the alias stays"
        );
        assert_eq!(s.id_by_native("acc", "platform-7").expect("g"), Some(alias));
        assert_eq!(native_count(&s), 40);
        assert_eq!(s.check().expect("check"), Vec::<String>::new());
        for n in 0..40 {
            assert!(id_of(&s, n).is_some(), "n{n}");
        }
        assert_eq!(
            s.ingest(&items, false, "t", Timestamp(T0)).expect("in"),
            (0, 40)
        );
        assert_eq!(s.bucket_natives(&mut |_, _| {}).expect("again"), 0);
    }

    /// A store created today is in today's layout: the engine's background passes over older
    /// stores (packing items, moving native ids) have nothing to read in it.
    #[test]
    fn a_new_store_is_marked_as_packed_and_bucketed() {
        let (_d, s) = store();
        for done in [BUCKETED, super::super::blocks::PACKED] {
            assert!(
                s.db().contains_key(keys::meta(done)).expect("get"),
                "{done}"
            );
        }
    }

    fn native_count(s: &Store) -> usize {
        s.native_entries().expect("entries").len()
    }

    #[test]
    fn buckets_spread_and_entries_round_trip() {
        let mut used = std::collections::HashSet::new();
        for n in 0..10_000 {
            used.insert(bucket_key(hash("acc", &format!("n{n}"))));
        }
        // 10,000 ids over 65,536 buckets: nearly every id in a bucket of its own.
        assert!(used.len() > 9_200, "{}", used.len());
        let h = hash("acc", "n1");
        let id = ItemId(42);
        assert_eq!(parse(&entry(h, id)).expect("parse"), vec![(tag(h), id)]);
        assert!(parse(&[1, 2, 3]).is_err());
        assert_ne!(hash("ab", "c"), hash("a", "bc"));
    }
}
