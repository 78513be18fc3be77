//! One batch under construction: what a change adds (keys, list entries, words, counter deltas,
//! audit records, members touched) before `commit` (in `write.rs`) writes it in one atomic
//! `apply_batch` and a flush; and the writer's state that moves only once a batch is durable.

use super::postings::ListChanges;
use super::Store;
use crate::domain::ItemId;
use std::collections::HashMap;

/// Counter values as last written; the writer is the only one moving them.
#[derive(Default)]
pub(super) struct WriteState {
    pub(super) counters: HashMap<String, i64>,
    /// The newest audit entry's hash, once read; moves only after a batch is durable.
    pub(super) audit_head: Option<[u8; 32]>,
    pub(super) segments: super::postings::SegmentCounts,
    /// The ranking's day (see `members.rs`), once read.
    pub(super) rank_day: Option<u32>,
}

/// An audit record waiting for its batch: action, item, before, after.
pub(super) type BatchAudit = (String, Option<ItemId>, Option<String>, Option<String>);

/// Counter deltas and records gathered for one batch.
pub(super) struct Batch<'a> {
    pub(super) store: &'a Store,
    pub(super) batch: sled::Batch,
    pub(super) lists: ListChanges,
    /// When set, item words go into one pending chunk instead of the word lists.
    pub(super) words: Option<super::word_chunk::WordChunk>,
    pub(super) deltas: HashMap<String, i64>,
    pub(super) audit: Vec<BatchAudit>,
    /// Members counted or changed by this batch; finished (re-scored) in `commit`.
    pub(super) members: super::member_model::Touched,
    /// Items written by this batch (id → stored bytes), packed into blocks in `commit`.
    pub(super) items: std::collections::BTreeMap<ItemId, Vec<u8>>,
    /// Native identities of new items (hash, id), put into their buckets in `commit`.
    pub(super) natives: Vec<(u64, ItemId)>,
}

impl<'a> Batch<'a> {
    pub(super) fn new(store: &'a Store) -> Self {
        Batch {
            store,
            batch: sled::Batch::default(),
            lists: ListChanges::default(),
            words: None,
            deltas: HashMap::new(),
            audit: Vec::new(),
            members: Default::default(),
            items: Default::default(),
            natives: Vec::new(),
        }
    }

    /// Writes `item` in this batch (into its block, see `blocks.rs`).
    pub(super) fn put_item(&mut self, item: &crate::domain::Item) -> super::Result<()> {
        self.items.insert(item.id, super::encode(item)?);
        Ok(())
    }

    /// Makes a new item findable by its native identity (see `natives.rs`).
    pub(super) fn put_native(&mut self, account: &str, native_id: &str, id: ItemId) {
        self.natives
            .push((super::natives::hash(account, native_id), id));
    }

    pub(super) fn bump(&mut self, name: String, by: i64) {
        *self.deltas.entry(name).or_insert(0) += by;
    }

    pub(super) fn audit(
        &mut self,
        action: &str,
        item: Option<ItemId>,
        before: Option<String>,
        after: Option<String>,
    ) {
        self.audit.push((action.to_string(), item, before, after));
    }
}
