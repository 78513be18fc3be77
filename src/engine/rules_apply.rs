//! The rules in force run over stored items (`kith rules apply`, a bulk): what they would change
//! on one item now, as one triage change and the draft a `draft:` rule prepares, written as one
//! undoable step of the bulk.

use super::{Engine, EngineError};
use crate::domain::bulk::{BulkId, StoredDraft};
use crate::domain::{Change, Item, Timestamp, Triage};

/// What the rules do to one item.
pub(super) struct RulesOutcome {
    /// The item's triage fields after the rules (None: the rules change none of them).
    pub change: Option<Change>,
    /// The draft to prepare (None: no `draft:` rule, or the item has one, or it takes no reply).
    pub draft: Option<StoredDraft>,
}

impl RulesOutcome {
    pub fn is_empty(&self) -> bool {
        self.change.is_none() && self.draft.is_none()
    }
}

impl Engine {
    /// Runs the rules in force on a copy of `item` as if it arrived at `now`.
    pub(super) fn rules_outcome(
        &self,
        item: &Item,
        bulk: BulkId,
        op: &str,
        now: Timestamp,
    ) -> Result<RulesOutcome, EngineError> {
        let none = RulesOutcome {
            change: None,
            draft: None,
        };
        let Some(run) = self.store.rules_run() else {
            return Ok(none);
        };
        if item.is_ours() {
            return Ok(none);
        }
        let mut ctx = run.ctx.clone();
        ctx.now = now;
        let mut after = item.clone();
        let touched = run.rules.apply(&mut after, &ctx);
        let note: Vec<String> = touched
            .rules
            .iter()
            .filter(|(_, done)| !done.is_empty())
            .map(|(name, done)| format!("rule:{name} {}", done.join(", ")))
            .collect();
        let triage = Triage::of(&after, note.join("; "));
        let change = Change::Triage(Box::new(triage));
        let change = change.apply(&mut item.clone()).then_some(change);
        let mut draft = None;
        if let Some(reply) = &touched.draft {
            let template = run.drafts.get(&reply.to_lowercase());
            if let (Some(template), None, None) =
                (template, item.why_no_reply(), self.store.draft(item.id)?)
            {
                draft = Some(StoredDraft {
                    item: item.id,
                    text: crate::domain::saved_reply::expand(template, item, "{operator}"),
                    operator: op.to_string(),
                    at: now,
                    bulk: Some(bulk),
                });
            }
        }
        Ok(RulesOutcome { change, draft })
    }
}
