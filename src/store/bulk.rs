//! What the store keeps for bulk actions: per changed item, the step that undoes it (written in
//! the same batch as the change, so a crash mid-bulk leaves every done change undoable), and the
//! reply drafts a bulk prepares (one per item, not a change of the item: its version stays).

use super::batch::Batch;
use super::keys;
use super::{decode, encode, Result, Store};
use crate::domain::bulk::{BulkId, BulkMark, BulkStep, BulkUndo, StoredDraft};
use crate::domain::{Change, ItemId, Timestamp};

/// What `put_draft` did.
#[derive(Debug, PartialEq, Eq)]
pub enum DraftOutcome {
    Stored,
    /// The item moved on since the version given: nothing written.
    Conflict(Box<crate::domain::Item>),
    /// The item has a draft already (kept: never overwritten).
    Exists,
    NotFound,
}

impl Store {
    /// Adds to batch `p` the bulk step for a change of item `id` (now at `version`), or removes
    /// it when the change is the bulk's undo.
    pub(super) fn bulk_step_in(
        p: &mut Batch<'_>,
        mark: BulkMark,
        id: ItemId,
        version: u64,
        undo: &Change,
        with_draft: bool,
    ) -> Result<()> {
        let key = keys::bulk_step(mark.id().0, id);
        match mark {
            BulkMark::Apply(_) => {
                let undo = if with_draft {
                    BulkUndo::ChangeAndDraft(undo.clone())
                } else {
                    BulkUndo::Change(undo.clone())
                };
                let step = BulkStep { version, undo };
                p.batch.insert(key, encode(&step)?);
            }
            BulkMark::Undo(_) => p.batch.remove(key),
        }
        Ok(())
    }

    /// Records a step that is not a store change (a like sent on the platform).
    pub fn put_bulk_step(&self, bulk: BulkId, id: ItemId, step: &BulkStep) -> Result<()> {
        let mut state = self.lock_writer();
        let mut p = Batch::new(self);
        p.batch.insert(keys::bulk_step(bulk.0, id), encode(step)?);
        p.commit(&mut state, "kith", Timestamp::now())
    }

    /// A bulk's steps not yet undone, by item id.
    pub fn bulk_steps(&self, bulk: BulkId) -> Result<Vec<(ItemId, BulkStep)>> {
        let mut out = Vec::new();
        for kv in self.db().scan_prefix(keys::bulk_prefix(bulk.0)) {
            let (k, v) = kv?;
            if let Some(id) = keys::trailing_id(&k) {
                out.push((id, decode(&v)?));
            }
        }
        Ok(out)
    }

    /// Forgets what is left of a bulk's steps (after its undo: what could not be undone then
    /// cannot be later either).
    pub fn clear_bulk(&self, bulk: BulkId) -> Result<()> {
        let mut state = self.lock_writer();
        let mut p = Batch::new(self);
        for kv in self.db().scan_prefix(keys::bulk_prefix(bulk.0)) {
            p.batch.remove(kv?.0);
        }
        p.commit(&mut state, "kith", Timestamp::now())
    }

    /// The draft prepared for an item, if any.
    pub fn draft(&self, id: ItemId) -> Result<Option<StoredDraft>> {
        match self.db().get(keys::draft(id))? {
            Some(v) => Ok(Some(decode(&v)?)),
            None => Ok(None),
        }
    }

    /// Stores a draft for an item as it was at `if_version`, with its audit entry (and, for a
    /// bulk, its undo step) in one batch.
    pub fn put_draft(
        &self,
        draft: &StoredDraft,
        if_version: Option<u64>,
        now: Timestamp,
    ) -> Result<DraftOutcome> {
        let mut state = self.lock_writer();
        let Some(item) = self.get(draft.item)? else {
            return Ok(DraftOutcome::NotFound);
        };
        if if_version.is_some_and(|v| v != item.version) {
            return Ok(DraftOutcome::Conflict(Box::new(item)));
        }
        if self.db().contains_key(keys::draft(draft.item))? {
            return Ok(DraftOutcome::Exists);
        }
        let mut p = Batch::new(self);
        p.batch.insert(&keys::draft(draft.item)[..], encode(draft)?);
        let mut detail = crate::text::sanitize_line(&draft.text, 120).text;
        if let Some(b) = draft.bulk {
            detail = format!("{detail} · {}", BulkMark::Apply(b).note());
            let step = BulkStep {
                version: item.version,
                undo: BulkUndo::Draft,
            };
            p.batch
                .insert(keys::bulk_step(b.0, draft.item), encode(&step)?);
        }
        p.audit("draft", Some(draft.item), None, Some(detail));
        p.commit(&mut state, &draft.operator, now)?;
        Ok(DraftOutcome::Stored)
    }

    /// Removes the draft bulk `bulk` wrote on an item, with its step and an audit entry. False
    /// (nothing written) when the draft is gone or is not that bulk's any more.
    pub fn undo_draft(
        &self,
        id: ItemId,
        bulk: BulkId,
        operator: &str,
        now: Timestamp,
    ) -> Result<bool> {
        let mut state = self.lock_writer();
        let ours = self.draft(id)?.is_some_and(|d| d.bulk == Some(bulk));
        if !ours {
            return Ok(false);
        }
        let mut p = Batch::new(self);
        p.batch.remove(&keys::draft(id)[..]);
        p.batch.remove(keys::bulk_step(bulk.0, id));
        p.audit(
            "draft",
            Some(id),
            None,
            Some(format!("removed · {}", BulkMark::Undo(bulk).note())),
        );
        p.commit(&mut state, operator, now)?;
        Ok(true)
    }
}
