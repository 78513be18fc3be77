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
use super::{decode, encode, Result, Store};
use crate::domain::{ItemId, Timestamp};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

/// Token → ids (ascending) of every pending chunk.
pub type PendingWords = HashMap<String, Vec<ItemId>>;

use super::word_chunk::Chunk;

/// Pending (token, item) pairs above which a page write merges at once, so searches never
/// scan a large pending map.
pub const MERGE_AT: i64 = 1_000_000;

/// Pairs merged per batch (see `merge_words`).
const MERGE_SLICE: usize = 100_000;

/// Meta key of a merge under way: (last chunk seq, last token merged).
const MERGE_CURSOR: &str = "words_merge";
#[cfg(test)]
pub(super) const MERGE_CURSOR_FOR_TESTS: &str = MERGE_CURSOR;

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

    /// Merges the pending words once there are too many for searches to scan quickly.
    pub(super) fn merge_words_if_many(&self, now: Timestamp) -> Result<()> {
        if self.pending_word_pairs()? > MERGE_AT {
            self.merge_words(now)?;
        }
        Ok(())
    }

    /// Folds every pending chunk into the word lists. Returns the pairs merged (0 when nothing
    /// was pending).
    ///
    /// The words go in token order, `MERGE_SLICE` pairs per batch: a slice's keys are
    /// neighbours in the store, so each batch touches few of sled's pages and memory stays
    /// bounded however much waited. Each slice's batch records how far it got (`M
    /// words_merge`: the last chunk and the last token merged), so a merge cut by a crash goes on
    /// where it stopped, over the same chunks; the last slice removes them. Meanwhile readers see
    /// some words both pending and in the lists, which the merge of id streams makes one.
    pub fn merge_words(&self, now: Timestamp) -> Result<u64> {
        self.merge_words_in(now, MERGE_SLICE, usize::MAX)
    }

    /// `merge_words` with `slice` pairs per batch, stopping (as a crash would) after `batches`
    /// batches; returns the pairs merged once it finished, 0 while it is cut short.
    pub(super) fn merge_words_in(
        &self,
        now: Timestamp,
        slice: usize,
        batches: usize,
    ) -> Result<u64> {
        let mut state = self.lock_writer();
        let done: Option<(u64, String)> = match self.db().get(keys::meta(MERGE_CURSOR))? {
            Some(v) => Some(decode(&v)?),
            None => None,
        };
        let mut words: BTreeMap<String, Vec<ItemId>> = BTreeMap::new();
        let mut chunks = Vec::new();
        let mut pairs = 0u64;
        for kv in self.db().scan_prefix([keys::PENDING_WORDS]) {
            let (k, v) = kv?;
            let seq = k
                .get(1..9)
                .and_then(|b| b.try_into().ok())
                .map_or(0, u64::from_be_bytes);
            // A merge cut short finishes its own chunks first; later ones wait for the next.
            if done.as_ref().is_some_and(|(upto, _)| seq > *upto) {
                break;
            }
            let chunk: Chunk = decode(&v)?;
            for (token, ids) in chunk {
                pairs += ids.len() as u64;
                let merged = done.as_ref().is_some_and(|(_, after)| token <= *after);
                if !merged {
                    words
                        .entry(token)
                        .or_default()
                        .extend(ids.into_iter().map(ItemId));
                }
            }
            chunks.push((k, seq));
        }
        if chunks.is_empty() {
            return Ok(0);
        }
        let last_seq = chunks.iter().map(|(_, s)| *s).max().unwrap_or(0);
        let mut word_key = vec![keys::WORD];
        let mut words = words.into_iter().peekable();
        for _ in 0..batches {
            let mut p = Batch::new(self);
            let mut last = None;
            let mut taken = 0usize;
            while taken < slice {
                let Some((token, ids)) = words.next() else {
                    break;
                };
                word_key.truncate(1);
                word_key.extend_from_slice(token.as_bytes());
                word_key.push(0);
                for id in &ids {
                    p.lists.add(&word_key, *id);
                }
                taken += ids.len();
                last = Some(token);
            }
            if words.peek().is_some() {
                let cursor = (last_seq, last.unwrap_or_default());
                p.batch.insert(keys::meta(MERGE_CURSOR), encode(&cursor)?);
                p.commit(&mut state, "kith", now)?;
                continue;
            }
            for (k, _) in &chunks {
                p.batch.remove(k.clone());
            }
            p.batch.remove(keys::meta(MERGE_CURSOR));
            p.bump(counters::WORDS_PENDING.into(), -(pairs as i64));
            p.commit(&mut state, "kith", now)?;
            // The lists now hold these words; readers load what still waits afresh (a reader
            // that saw both meanwhile got duplicates, which the merge of id streams removes).
            *self
                .words_pending
                .0
                .write()
                .unwrap_or_else(|p| p.into_inner()) = None;
            return Ok(pairs);
        }
        Ok(0)
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
