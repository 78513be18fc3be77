//! Items packed in blocks: `i ++ first id` → up to `BLOCK_MAX` items with ascending ids.
//!
//! sled 0.34 pays per key: per page on open (its page table), per entry on disk and per node
//! rewrite. One key per item made items the largest key space of the store (a million keys for a
//! million items). A block holds the items from its key up to the next block's key.
//!
//! A block value starts with its own format byte (`BLOCK`), then the count, each item's id and
//! length, and the items' bytes, each exactly as `codec::encode` writes one item. A value in the
//! one-item format (`codec::FORMAT_VERSION`) is a block of one, under the key of its id: so a store
//! written one key per item is already a valid store of blocks, and writes pack it as they go
//! (no migration needed to read it).
//!
//! Writes go through `Batch::put_item`; the batch packs its items into blocks when it commits
//! (`stage_blocks`), reading each block it touches once.

use super::codec::FORMAT_VERSION;
use super::keys;
use super::{Result, Store, StoreError};
use crate::domain::{Item, ItemId};
use std::collections::BTreeMap;
use std::ops::Bound;

/// The format byte of a block of several items.
const BLOCK: u8 = 2;
/// The format byte of a `BLOCK` compressed with LZ4 (size-prepended), behind the count and the
/// ids uncompressed.
const COMPRESSED: u8 = 3;

/// Items per block at most: a block of ~32 items of ~350 bytes stays near 11 KB, far below sled's
/// 64 KB limit for values kept in its pages.
pub const BLOCK_MAX: usize = 32;

/// Blocks read per batch by `pack_items`.
const PACK_BATCH: usize = 2_000;

/// Meta key set once `pack_items` finished a pass over the store (or when the store was created
/// in blocks).
pub(super) const PACKED: &str = "items_packed";

/// One block's entries: id and the item's stored bytes.
type Entries = Vec<(ItemId, Vec<u8>)>;

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("item block: {what}"))
}

/// The entries of a block stored under `key` (`i ++ id`).
pub(super) fn entries(key: &[u8], value: &[u8]) -> Result<Entries> {
    match value.first() {
        Some(&FORMAT_VERSION) => {
            let id = key
                .get(1..)
                .and_then(ItemId::from_bytes)
                .ok_or_else(|| corrupt("bad key"))?;
            Ok(vec![(id, value.to_vec())])
        }
        Some(&BLOCK) => parse(value),
        Some(&COMPRESSED) => {
            let ids = compressed_ids(value)?;
            let raw = lz4_flex::decompress_size_prepended(&value[3 + ids.len() * 8..])
                .map_err(|e| corrupt(&e.to_string()))?;
            match raw.first() {
                Some(&BLOCK) => parse(&raw),
                _ => Err(corrupt("compressed value is not a block")),
            }
        }
        Some(v) => Err(StoreError::Corrupt(format!("unknown value format {v}"))),
        None => Err(corrupt("empty value")),
    }
}

/// The ids a `COMPRESSED` block lists before its compressed part, so that asking whether an item
/// is stored (every ingested item asks) decompresses nothing.
fn compressed_ids(value: &[u8]) -> Result<Vec<ItemId>> {
    let n = header_count(value)?;
    let ids = value
        .get(3..3 + n * 8)
        .ok_or_else(|| corrupt("short id list"))?;
    ids.chunks(8)
        .map(|b| ItemId::from_bytes(b).ok_or_else(|| corrupt("bad id")))
        .collect()
}

/// The item count in the header of a `BLOCK` or `COMPRESSED` value.
fn header_count(value: &[u8]) -> Result<usize> {
    value
        .get(1..3)
        .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)
        .ok_or_else(|| corrupt("short header"))
}

/// How many items a block holds, from its header alone.
fn count(value: &[u8]) -> Result<usize> {
    match value.first() {
        Some(&FORMAT_VERSION) => Ok(1),
        Some(&BLOCK) | Some(&COMPRESSED) => header_count(value),
        Some(v) => Err(StoreError::Corrupt(format!("unknown value format {v}"))),
        None => Err(corrupt("empty value")),
    }
}

/// A block in the `BLOCK` format.
fn parse(value: &[u8]) -> Result<Entries> {
    let n = header_count(value)?;
    let mut at = 3 + n * 12;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let e = value
            .get(3 + i * 12..3 + (i + 1) * 12)
            .ok_or_else(|| corrupt("short index"))?;
        let id = ItemId::from_bytes(&e[..8]).ok_or_else(|| corrupt("bad id"))?;
        let len = u32::from_be_bytes(e[8..12].try_into().unwrap_or_default()) as usize;
        let bytes = value
            .get(at..at + len)
            .ok_or_else(|| corrupt("short item"))?;
        at += len;
        out.push((id, bytes.to_vec()));
    }
    Ok(out)
}

/// A block's value: one item's own bytes when alone, else the block format.
fn encode(entries: &[(ItemId, Vec<u8>)]) -> Vec<u8> {
    if let [(_, only)] = entries {
        return only.clone();
    }
    let body: usize = entries.iter().map(|(_, b)| b.len()).sum();
    let mut out = Vec::with_capacity(3 + entries.len() * 12 + body);
    out.push(BLOCK);
    out.extend_from_slice(&(entries.len() as u16).to_be_bytes());
    for (id, bytes) in entries {
        out.extend_from_slice(&id.to_bytes());
        out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    }
    for (_, bytes) in entries {
        out.extend_from_slice(bytes);
    }
    // Customer text compresses about twofold; a block is read whole anyway.
    let mut packed = vec![COMPRESSED];
    packed.extend_from_slice(&(entries.len() as u16).to_be_bytes());
    for (id, _) in entries {
        packed.extend_from_slice(&id.to_bytes());
    }
    packed.extend_from_slice(&lz4_flex::compress_prepend_size(&out));
    if packed.len() < out.len() {
        packed
    } else {
        out
    }
}

impl Store {
    /// The block whose range holds `id`: the last block key at or before it.
    fn block_at(&self, id: ItemId) -> Result<Option<(sled::IVec, sled::IVec)>> {
        let lo = keys::item(ItemId(0));
        match self.db().range(lo..=keys::item(id)).next_back() {
            Some(kv) => Ok(Some(kv?)),
            None => Ok(None),
        }
    }

    /// The stored bytes of one item.
    pub(super) fn item_bytes(&self, id: ItemId) -> Result<Option<Vec<u8>>> {
        let Some((k, v)) = self.block_at(id)? else {
            return Ok(None);
        };
        Ok(entries(&k, &v)?
            .into_iter()
            .find(|(i, _)| *i == id)
            .map(|(_, b)| b))
    }

    /// Keys the items take (blocks).
    pub fn item_keys(&self) -> Result<u64> {
        Ok(self.db().scan_prefix([keys::ITEM]).count() as u64)
    }

    pub(super) fn item_exists(&self, id: ItemId) -> Result<bool> {
        let Some((k, v)) = self.block_at(id)? else {
            return Ok(false);
        };
        if v.first() == Some(&COMPRESSED) {
            return Ok(compressed_ids(&v)?.contains(&id));
        }
        Ok(entries(&k, &v)?.iter().any(|(i, _)| *i == id))
    }

    /// Every stored item in id order.
    pub(super) fn all_items(&self) -> impl Iterator<Item = Result<Item>> + '_ {
        self.db().scan_prefix([keys::ITEM]).flat_map(|kv| {
            let items: Vec<Result<Item>> = match kv {
                Ok((k, v)) => match entries(&k, &v) {
                    Ok(e) => e.into_iter().map(|(_, b)| super::decode(&b)).collect(),
                    Err(e) => vec![Err(e)],
                },
                Err(e) => vec![Err(e.into())],
            };
            items
        })
    }

    /// Packs blocks smaller than `BLOCK_MAX` (a store written one key per item, or blocks left
    /// small by inserts in the middle) with their neighbours, in key order, `PACK_BATCH` blocks
    /// per batch, each batch replacing its blocks atomically: a pack cut by a crash loses nothing
    /// and the next one goes over the store again (`M items_packed` marks a finished pass, so it
    /// runs once per store). Holds the writer for one batch at a time, so writes interleave.
    /// `progress(blocks read, blocks written)` after each batch. Returns the keys it saved.
    pub fn pack_items(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<u64> {
        if self.db().contains_key(keys::meta(PACKED))? {
            return Ok(0);
        }
        let mut from = keys::item(ItemId(0)).to_vec();
        let (mut read, mut written) = (0u64, 0u64);
        loop {
            let state = self.lock_writer();
            let mut run: Entries = Vec::new();
            let mut old: Vec<sled::IVec> = Vec::new();
            let mut last = None;
            for kv in self.db().range(from.clone()..).take(PACK_BATCH) {
                let (k, v) = kv?;
                if k.first() != Some(&keys::ITEM) {
                    break;
                }
                last = Some(k.clone());
                // Full blocks are passed over without being decoded.
                if count(&v)? >= BLOCK_MAX && run.is_empty() {
                    continue;
                }
                run.extend(entries(&k, &v)?);
                old.push(k);
            }
            let Some(last) = last else {
                self.db()
                    .insert(keys::meta(PACKED), super::encode(&true)?)?;
                self.db().flush()?;
                return Ok(read.saturating_sub(written));
            };
            from = last.to_vec();
            from.push(0);
            let chunks: Vec<&[(ItemId, Vec<u8>)]> = run.chunks(BLOCK_MAX).collect();
            if chunks.len() < old.len() {
                let mut batch = sled::Batch::default();
                for k in &old {
                    batch.remove(k.clone());
                }
                for chunk in &chunks {
                    batch.insert(&keys::item(chunk[0].0)[..], encode(chunk));
                }
                self.db().apply_batch(batch)?;
                self.db().flush()?;
                read += old.len() as u64;
                written += chunks.len() as u64;
                // A short last block goes again with what follows it.
                if let Some(tail) = chunks
                    .last()
                    .filter(|c| c.len() < BLOCK_MAX && chunks.len() > 1)
                {
                    from = keys::item(tail[0].0).to_vec();
                }
            }
            drop(state);
            progress(read, written);
        }
    }

    /// Packs `items` (id → stored bytes) into the blocks they belong to and puts the blocks into
    /// `batch`: each block touched is read once, merged (a new version of an item replaces the
    /// old) and split into blocks of `BLOCK_MAX` keyed by their first ids.
    pub(super) fn stage_blocks(
        &self,
        batch: &mut sled::Batch,
        items: BTreeMap<ItemId, Vec<u8>>,
    ) -> Result<()> {
        let mut items = items.into_iter().peekable();
        while let Some((first, _)) = items.peek() {
            let first = *first;
            // The block holding `first` (if any) and where the next block starts.
            let (old_key, mut merged) = match self.block_at(first)? {
                Some((k, v)) => {
                    let e = entries(&k, &v)?;
                    (Some(k), e)
                }
                None => (None, Vec::new()),
            };
            let next = self
                .db()
                .range((Bound::Excluded(keys::item(first)), Bound::Unbounded))
                .next()
                .transpose()?
                .map(|(k, _)| k)
                .filter(|k| k.first() == Some(&keys::ITEM));
            let mut add: BTreeMap<ItemId, Vec<u8>> = BTreeMap::new();
            while let Some((id, _)) = items.peek() {
                if next.as_ref().is_some_and(|n| keys::item(*id)[..] >= n[..]) {
                    break;
                }
                if let Some((id, bytes)) = items.next() {
                    add.insert(id, bytes);
                }
            }
            merged.retain(|(i, _)| !add.contains_key(i));
            merged.extend(add);
            merged.sort_unstable_by_key(|(i, _)| *i);
            let mut kept_old = false;
            for chunk in merged.chunks(BLOCK_MAX) {
                let key = keys::item(chunk[0].0);
                kept_old |= old_key.as_ref().is_some_and(|k| k[..] == key[..]);
                batch.insert(&key[..], encode(chunk));
            }
            if let (Some(k), false) = (old_key, kept_old) {
                batch.remove(k);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_keeps_each_items_bytes_and_one_item_is_its_own_value() {
        let e: Entries = (1..=3u64)
            .map(|i| (ItemId(i * 10), vec![FORMAT_VERSION, i as u8, 7]))
            .collect();
        let v = encode(&e);
        assert!(matches!(v[0], BLOCK | COMPRESSED));
        assert_eq!(entries(&keys::item(ItemId(10)), &v).unwrap(), e);
        let one = encode(&e[1..2]);
        assert_eq!(one, vec![FORMAT_VERSION, 2, 7]);
        assert_eq!(
            entries(&keys::item(ItemId(20)), &one).unwrap(),
            vec![(ItemId(20), one.clone())]
        );
        assert!(entries(&keys::item(ItemId(10)), &v[..v.len() - 1]).is_err());
        assert!(entries(&keys::item(ItemId(10)), &[9, 1]).is_err());
        // Text repeats across a block's items: it is stored compressed and reads back the same.
        let text: Entries = (1..=32u64)
            .map(|i| {
                let mut b = vec![FORMAT_VERSION];
                b.extend_from_slice(
                    format!("Где мой заказ #{i}? Доставка опаздывает 快递").as_bytes(),
                );
                (ItemId(i), b)
            })
            .collect();
        let v = encode(&text);
        assert_eq!(v[0], COMPRESSED);
        let raw: usize = text.iter().map(|(_, b)| b.len() + 12).sum();
        assert!(v.len() * 2 < raw, "{} bytes for {raw}", v.len());
        assert_eq!(entries(&keys::item(ItemId(1)), &v).unwrap(), text);
        assert_eq!(
            compressed_ids(&v).unwrap(),
            text.iter().map(|(i, _)| *i).collect::<Vec<_>>()
        );
        assert!(entries(&keys::item(ItemId(1)), &v[..v.len() - 3]).is_err());
    }

    /// Random batches of new items (anywhere in id order) and new versions of stored ones, against
    /// a map: every item reads back as last written, a scan yields them all in order, and every
    /// block holds at most `BLOCK_MAX` items under its first id.
    #[test]
    fn blocks_hold_every_item_as_last_written_whatever_the_order() {
        use crate::domain::{NewItem, Platform, Timestamp};
        let d = tempfile::tempdir().expect("tmp");
        let s = Store::open(d.path()).expect("open");
        let mut model: BTreeMap<ItemId, Item> = BTreeMap::new();
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut rng = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for round in 0..40u64 {
            let mut state = s.lock_writer();
            let mut p = super::super::batch::Batch::new(&s);
            for _ in 0..1 + rng(120) {
                let item = if !model.is_empty() && rng(3) == 0 {
                    let at = rng(model.len() as u64) as usize;
                    let mut old = model.values().nth(at).cloned().expect("some");
                    old.version += 1;
                    old.text = format!("v{} {}", old.version, "ё".repeat(rng(40) as usize));
                    old
                } else {
                    // Mostly appends, sometimes far back in time.
                    let t = if rng(4) == 0 {
                        rng(1_000_000)
                    } else {
                        2_000_000 + round * 1000 + rng(1000)
                    };
                    let new = NewItem::comment(
                        Platform::Vk,
                        "acc",
                        &format!("n{t}"),
                        "u",
                        "x",
                        Timestamp(t as i64),
                    );
                    Item::from_new(ItemId(t << 20 | rng(1 << 20)), &new, Timestamp(0))
                };
                p.put_item(&item).expect("put");
                model.insert(item.id, item);
            }
            p.commit(&mut state, "t", Timestamp(0)).expect("commit");
            drop(state);
            for (id, item) in &model {
                assert_eq!(
                    s.get(*id).expect("get").as_ref(),
                    Some(item),
                    "round {round}"
                );
            }
            let all: Vec<Item> = s.all_items().collect::<Result<_>>().expect("scan");
            assert_eq!(
                all,
                model.values().cloned().collect::<Vec<_>>(),
                "round {round}"
            );
            for kv in s.db().scan_prefix([keys::ITEM]) {
                let (k, v) = kv.expect("kv");
                let e = entries(&k, &v).expect("block");
                assert!(!e.is_empty() && e.len() <= BLOCK_MAX);
                assert_eq!(&keys::item(e[0].0)[..], &k[..]);
            }
            assert!(!s.item_exists(ItemId(1)).expect("exists"));
        }
        let blocks = s.db().scan_prefix([keys::ITEM]).count();
        assert!(
            blocks * 8 < model.len(),
            "{blocks} blocks for {} items",
            model.len()
        );
        assert_eq!(
            s.check()
                .expect("check")
                .iter()
                .filter(|p| p.contains("block"))
                .count(),
            0
        );
    }
}
