//! The words of one synced page, gathered for its batch and written as one chunk (`W ++ seq`,
//! token → ids); `words_pending.rs` keeps what readers see of them and merges them later.

use super::keys;
use super::{encode, Result};
use crate::domain::ItemId;
use std::collections::HashMap;

/// (token, ids) pairs of one chunk, as stored.
pub(super) type Chunk = Vec<(String, Vec<u64>)>;

/// Words gathered for one batch, written as one chunk.
#[derive(Default)]
pub(super) struct WordChunk {
    words: HashMap<String, Vec<u64>>,
    pairs: i64,
}

impl WordChunk {
    pub fn add(&mut self, token: &str, id: ItemId) {
        match self.words.get_mut(token) {
            Some(v) => v.push(id.0),
            None => {
                self.words.insert(token.to_string(), vec![id.0]);
            }
        }
        self.pairs += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.pairs == 0
    }

    /// Puts the chunk into `batch` under the next sequence number; returns what readers must
    /// learn once the batch is applied.
    pub fn write(self, batch: &mut sled::Batch, seq: u64) -> Result<(Chunk, i64)> {
        let chunk: Chunk = self.words.into_iter().collect();
        batch.insert(keys::pending_words(seq), encode(&chunk)?);
        Ok((chunk, self.pairs))
    }
}
