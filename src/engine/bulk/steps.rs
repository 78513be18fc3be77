//! The bulk steps that are more than one store change: the rules over one item (changes and
//! draft in one batch and one undo step), a prepared draft stored, a prepared draft sent.

use super::{error_phrase, gone, Tally};
use crate::domain::bulk::{BulkId, BulkMark, BulkSkip, StoredDraft};
use crate::domain::{ItemId, Timestamp};
use crate::engine::{Engine, EngineError};
use crate::i18n::ph;
use crate::store::{DraftOutcome, UpdateOutcome};
use std::sync::Arc;

impl Engine {
    /// The rules over one item: its triage change and its draft in one batch and one undo step.
    pub(super) fn apply_rules_one(
        &self,
        op: &str,
        id: ItemId,
        seen: u64,
        bulk: BulkId,
        now: Timestamp,
        tally: &mut Tally<'_>,
    ) -> Result<(), EngineError> {
        let Some(item) = self.store.get(id)? else {
            tally.skip(gone(id));
            return Ok(());
        };
        if item.version != seen {
            tally.skip(self.skip_changed(id, seen, &item));
            return Ok(());
        }
        let out = self.rules_outcome(&item, bulk, op, now)?;
        let mark = Some(BulkMark::Apply(bulk));
        let outcome = match (out.change, out.draft) {
            (Some(c), draft) => {
                self.store
                    .update_with_draft(id, &c, Some(seen), op, now, mark, draft.as_ref())?
            }
            (None, Some(d)) => {
                return self.draft_one(id, seen, &d, now, tally);
            }
            (None, None) => {
                tally.report.unchanged += 1;
                return Ok(());
            }
        };
        match outcome {
            UpdateOutcome::Updated(..) => tally.changed(id),
            UpdateOutcome::Unchanged(..) => tally.report.unchanged += 1,
            UpdateOutcome::Conflict(now_item) => tally.skip(self.skip_changed(id, seen, &now_item)),
            UpdateOutcome::NotFound => tally.skip(gone(id)),
        }
        Ok(())
    }

    /// Sends one item's prepared draft as its reply, as `kith reply` would (checked, stored,
    /// then sent with its idempotency key; the draft goes in the reply's batch).
    pub(super) fn send_draft_one(
        self: &Arc<Self>,
        op: &str,
        id: ItemId,
        seen: u64,
        now: Timestamp,
        tally: &mut Tally<'_>,
    ) -> Result<(), EngineError> {
        let Some(draft) = self.store.draft(id)? else {
            tally.skip(BulkSkip {
                id,
                by: None,
                why: ph("bulk.no_draft", &[]),
            });
            return Ok(());
        };
        let text = draft.text.replace("{operator}", op);
        match self.reply(op, id, text, Some(seen), false, now) {
            Ok(_) => tally.changed(id),
            Err(EngineError::Conflict { .. }) => match self.store.get(id)? {
                Some(i) => tally.skip(self.skip_changed(id, seen, &i)),
                None => tally.skip(gone(id)),
            },
            Err(EngineError::NotFound(_)) => tally.skip(gone(id)),
            Err(e @ EngineError::Invalid(_)) => tally.skip(BulkSkip {
                id,
                by: None,
                why: error_phrase(&e),
            }),
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// Stores one prepared draft of a bulk.
    pub(super) fn draft_one(
        &self,
        id: ItemId,
        seen: u64,
        draft: &StoredDraft,
        now: Timestamp,
        tally: &mut Tally<'_>,
    ) -> Result<(), EngineError> {
        match self.store.put_draft(draft, Some(seen), now)? {
            DraftOutcome::Stored => tally.changed(id),
            DraftOutcome::Conflict(now_item) => tally.skip(self.skip_changed(id, seen, &now_item)),
            DraftOutcome::Exists => tally.skip(BulkSkip {
                id,
                by: None,
                why: ph("bulk.has_draft", &[]),
            }),
            DraftOutcome::NotFound => tally.skip(gone(id)),
        }
        Ok(())
    }
}
