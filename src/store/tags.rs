//! Item tags across the store: how many items carry each tag (counters kept in every item's
//! batch, so completion reads one key per tag, never the items), renaming or merging a tag in
//! batches with one audit entry per item, and the migration that indexes tags of older stores.

use super::batch::Batch;
use super::keys::{self, counters};
use super::{encode, Result, Store};
use crate::domain::tag::{self, TagCount};
use crate::domain::{Item, ItemId, Timestamp};
use std::collections::HashMap;

/// Items one rename batch changes: big enough that 100k items take a few hundred batches,
/// small enough that the writer lock is never held long and other writes go in between.
pub const RENAME_BATCH: usize = 500;

/// What one rename batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenameStep {
    /// Items changed, in this batch.
    pub changed: Vec<ItemId>,
    /// Of those, items that carried both names (they end with the new one once).
    pub merged: u64,
    /// Where the next batch goes on (exclusive; the list is read newest first); `None` when
    /// the list has been read to its end.
    pub next: Option<ItemId>,
}

impl Store {
    /// Every tag carried by at least one inbox item, with how many carry it, by name. Reads
    /// the tag counters only (one key per tag), whatever the number of items.
    pub fn tag_counts(&self) -> Result<Vec<TagCount>> {
        let prefix = keys::counter(counters::TAG_PREFIX);
        let mut out = Vec::new();
        for kv in self.db().scan_prefix(&prefix) {
            let (k, v) = kv?;
            let Ok(b) = <[u8; 8]>::try_from(&v[..]) else {
                continue;
            };
            let n = i64::from_be_bytes(b);
            if n > 0 {
                out.push(TagCount {
                    name: String::from_utf8_lossy(&k[prefix.len()..]).into_owned(),
                    items: n as u64,
                });
            }
        }
        Ok(out)
    }

    /// How many inbox items carry a tag (any case).
    pub fn tag_count(&self, name: &str) -> Result<u64> {
        Ok(self.read_counter(&counters::tag(&tag::fold(name)))?.max(0) as u64)
    }

    /// One batch of renaming `old` to `new` (see `domain::tag::rename`): up to `max` items
    /// carrying `old` older than `below`, each changed with its version bumped, its indexes and
    /// counters moved and its own audit entry, in one atomic batch and flush. Call again from
    /// `next` until it is `None`.
    pub fn rename_tag_step(
        &self,
        old: &str,
        new: &str,
        below: Option<ItemId>,
        max: usize,
        operator: &str,
        now: Timestamp,
    ) -> Result<RenameStep> {
        let mut state = self.lock_writer();
        let list = keys::tag_prefix(&tag::fold(old));
        let max = max.max(1);
        let ids: Vec<ItemId> = self
            .index_ids(list, None, below, false)
            .take(max)
            .collect::<Result<_>>()?;
        let mut step = RenameStep {
            next: (ids.len() == max).then(|| ids.last().copied()).flatten(),
            ..Default::default()
        };
        let mut p = Batch::new(self);
        for id in ids {
            let Some(before) = self.get(id)? else {
                continue;
            };
            let mut after = before.clone();
            if !tag::rename(&mut after.tags, old, new) {
                continue;
            }
            if before.tags.iter().any(|t| tag::same(t, new)) && !tag::same(old, new) {
                step.merged += 1;
            }
            after.version += 1;
            p.index(Some(&before), &after);
            p.put_item(&after)?;
            Self::count_item(&mut p, &before, -1);
            Self::count_item(&mut p, &after, 1);
            p.audit(
                "tag-rename",
                Some(id),
                Some(super::write::describe_state(&before)),
                Some(format!("tags={}", after.tags.join(","))),
            );
            step.changed.push(id);
        }
        if !step.changed.is_empty() {
            p.commit(&mut state, operator, now)?;
        }
        Ok(step)
    }

    /// Schema 8 indexes items by tag and counts them per tag.
    pub(super) fn migrate_tags(&self) -> Result<()> {
        let mut lists = super::postings::ListChanges::replacing();
        let mut counts: HashMap<String, i64> = HashMap::new();
        for item in self.all_items() {
            let item: Item = item?;
            if item.is_ours() {
                continue;
            }
            for t in counters::folded_tags(&item) {
                lists.add(&keys::tag_prefix(&t), item.id);
                *counts.entry(counters::tag(&t)).or_default() += 1;
            }
        }
        let mut batch = sled::Batch::default();
        for kv in self.db().scan_prefix([keys::BY_TAG]) {
            batch.remove(kv?.0);
        }
        let mut seq = self.read_counter(counters::SEGMENT_SEQ)? as u64;
        let mut segs = Default::default();
        lists.write(&self.db(), &mut batch, &mut seq, &mut segs)?;
        batch.insert(
            keys::counter(counters::SEGMENT_SEQ),
            &(seq as i64).to_be_bytes()[..],
        );
        for (name, n) in counts {
            batch.insert(keys::counter(&name), &n.to_be_bytes()[..]);
        }
        batch.insert(keys::meta("schema"), encode(&8u32)?);
        self.db().apply_batch(batch)?;
        self.db().flush()?;
        Ok(())
    }
}
