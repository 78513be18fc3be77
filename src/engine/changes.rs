//! Changes to an item's triage state (status, tags, assignee) under compare-and-swap, and the
//! conflict a stale version meets: what the item is now and who changed it last.

use super::api::{Event, Response};
use super::{Engine, EngineError};
use crate::domain::{Change, Item, ItemId, Status, Timestamp};
use crate::i18n::{ph, Phrase};

impl Engine {
    pub(super) fn update(
        &self,
        op: &str,
        id: ItemId,
        change: Change,
        if_version: Option<u64>,
        now: Timestamp,
    ) -> Result<Response, EngineError> {
        use crate::store::UpdateOutcome;
        if let Change::SetStatus {
            status: Status::Snoozed,
            snoozed_until,
        } = &change
        {
            match snoozed_until {
                Some(t) if *t > now => {}
                _ => return Err(EngineError::Invalid(ph("err.snooze_future", &[]))),
            }
        }
        if let Change::AddTag(t) = &change {
            if !crate::domain::tag::valid(t) {
                return Err(EngineError::Invalid(ph(
                    "tags.err.name",
                    &[
                        ("tag", &crate::text::sanitize_line(t, 60).text),
                        ("max", &crate::domain::tag::MAX_CHARS),
                    ],
                )));
            }
        }
        match self.store.update(id, &change, if_version, op, now)? {
            UpdateOutcome::Updated(item, undo) => {
                self.emit(Event::ItemsChanged(vec![id]));
                if matches!(change, Change::SetStatus { .. }) {
                    self.snooze_changed.notify_one();
                }
                Ok(Response::Updated { item, undo })
            }
            UpdateOutcome::Unchanged(item, undo) => Ok(Response::Updated { item, undo }),
            UpdateOutcome::Conflict(now_item) => {
                Err(self.conflict(id, if_version.unwrap_or(0), &now_item))
            }
            UpdateOutcome::NotFound => Err(EngineError::NotFound(id)),
        }
    }

    /// "The item moved on": what it is now, and who changed it last and how (from the recent
    /// audit log), so the operator sees what happened before trying again.
    pub(super) fn conflict(&self, id: ItemId, expected: u64, now: &Item) -> EngineError {
        let mut e = conflict(id, expected, now);
        if let EngineError::Conflict { what, .. } = &mut e {
            if let Ok(Some(last)) = self.store.last_change(id, 2000) {
                let before = std::mem::replace(what, Phrase::raw(""));
                *what = Phrase::concat(vec![
                    before,
                    ph(
                        "err.changed_by",
                        &[
                            ("who", &crate::text::sanitize_line(&last.operator, 40).text),
                            (
                                "what",
                                &crate::text::sanitize_line(
                                    last.after.as_deref().unwrap_or(&last.action),
                                    120,
                                )
                                .text,
                            ),
                        ],
                    ),
                ]);
            }
        }
        e
    }
}

fn conflict(id: ItemId, expected: u64, now: &Item) -> EngineError {
    let mut what = vec![ph("err.conflict_what", &[("status", &now.status)])];
    if let Some(a) = &now.assignee {
        what.push(ph("err.assigned_to", &[("who", a)]));
    }
    if !now.tags.is_empty() {
        what.push(ph("err.tagged", &[("tags", &now.tags.join(","))]));
    }
    EngineError::Conflict {
        id,
        expected,
        actual: now.version,
        what: Phrase::concat(what),
    }
}
