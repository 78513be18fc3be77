//! Words of synced items, indexed later.
//!
//! A sync page is small (40–100 items) but its words are many: most are new (word, bucket) pairs,
//! and sled pays per key. So a page's words go into ONE chunk (`W ++ seq`, token → ids) in the
//! same batch as its items; `merge_words` later folds all pending chunks into the posting lists in
//! one large batch (after a sync pass, at start, or when too many are pending), where each word
//! costs one key however many pages used it. Searches read the pending words too (a small
//! in-memory map), so an item is findable the moment it is stored.

use super::batch::Batch;
use super::keys::{self, counters};
use super::postings::ListChanges;
use super::{decode, Result, Store};
use crate::domain::{ItemId, Timestamp};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Token → ids (ascending) of every pending chunk.
pub type PendingWords = HashMap<String, Vec<ItemId>>;

use super::word_chunk::Chunk;

/// Pending (token, item) pairs above which a page write merges at once, so searches never
/// scan a large pending map.
pub const MERGE_AT: i64 = 1_000_000;

/// The readers' copy of the pending words; `None` until first needed.
#[derive(Default)]
pub struct PendingWordsCache(RwLock<Option<Arc<PendingWords>>>);

impl Store {
    /// The pending words (loaded once, then kept current by the writer).
    pub fn pending_words(&self) -> Result<Arc<PendingWords>> {
        if let Some(p) = self.words_pending.0.read().ok().and_then(|g| g.clone()) {
            return Ok(p);
        }
        // Load under the write lock so a concurrent writer's update cannot be lost.
        let mut guard = self
            .words_pending
            .0
            .write()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(p) = guard.clone() {
            return Ok(p);
        }
        let mut map = PendingWords::new();
        for kv in self.db().scan_prefix([keys::PENDING_WORDS]) {
            let chunk: Chunk = decode(&kv?.1)?;
            add_chunk(&mut map, &chunk);
        }
        let arc = Arc::new(map);
        *guard = Some(Arc::clone(&arc));
        Ok(arc)
    }

    /// After a chunk was applied: readers see its words at once.
    pub(super) fn pending_added(&self, chunk: &Chunk) {
        let mut guard = self
            .words_pending
            .0
            .write()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(arc) = guard.as_mut() {
            add_chunk(Arc::make_mut(arc), chunk);
        }
    }

    /// Pending (token, item) pairs.
    pub fn pending_word_pairs(&self) -> Result<i64> {
        self.read_counter(counters::WORDS_PENDING)
    }

    /// Folds every pending chunk into the word lists: one batch, one flush. Returns the pairs
    /// merged (0 when nothing was pending).
    pub fn merge_words(&self, now: Timestamp) -> Result<u64> {
        let mut state = self.lock_writer();
        let mut lists = ListChanges::default();
        let mut p = Batch::new(self);
        let mut pairs = 0u64;
        let mut word_key = vec![keys::WORD];
        for kv in self.db().scan_prefix([keys::PENDING_WORDS]) {
            let (k, v) = kv?;
            let chunk: Chunk = decode(&v)?;
            for (token, ids) in &chunk {
                word_key.truncate(1);
                word_key.extend_from_slice(token.as_bytes());
                word_key.push(0);
                for id in ids {
                    lists.add(&word_key, ItemId(*id));
                    pairs += 1;
                }
            }
            p.batch.remove(k);
        }
        if pairs == 0 {
            return Ok(0);
        }
        p.lists = lists;
        p.bump(counters::WORDS_PENDING.into(), -(pairs as i64));
        p.commit(&mut state, "kith", now)?;
        // The lists now hold these words; readers may drop the pending copy (a reader that saw
        // both meanwhile got duplicates, which the merge of id streams removes).
        *self
            .words_pending
            .0
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Some(Arc::default());
        Ok(pairs)
    }
}

fn add_chunk(map: &mut PendingWords, chunk: &Chunk) {
    for (token, ids) in chunk {
        let list = map.entry(token.clone()).or_default();
        list.extend(ids.iter().map(|i| ItemId(*i)));
        list.sort_unstable();
        list.dedup();
    }
}
