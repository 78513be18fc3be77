//! Shift work: handoff notes, response clocks (items by due time), and the handoff summary.

use super::api::{Event, Filter, Handoff, Response};
use super::{Engine, EngineError};
use crate::domain::clock::{Level, Targets};
use crate::domain::{ItemId, Status, Timestamp};
use crate::i18n::ph;

/// Longest note kept; a handoff note is a few sentences, not a document.
pub const NOTE_MAX_CHARS: usize = 4000;

/// Waiting items the summary reads at most to count overdue and due-soon ones.
const HANDOFF_SCAN: usize = 20_000;

impl Engine {
    pub fn set_targets(&self, targets: Targets) {
        if let Ok(mut t) = self.targets.write() {
            *t = targets;
        }
    }

    pub(super) fn targets(&self) -> Targets {
        self.targets.read().map(|t| *t).unwrap_or_default()
    }

    pub(super) fn add_note(
        &self,
        op: &str,
        id: ItemId,
        text: &str,
        now: Timestamp,
    ) -> Result<Response, EngineError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(EngineError::Invalid(ph("err.note_empty", &[])));
        }
        if text.chars().count() > NOTE_MAX_CHARS {
            return Err(EngineError::Invalid(ph(
                "err.note_too_long",
                &[("limit", &NOTE_MAX_CHARS)],
            )));
        }
        let note = self
            .store
            .add_note(id, text, op, now)?
            .ok_or(EngineError::NotFound(id))?;
        self.emit(Event::NotesChanged(id));
        Ok(Response::Notes(vec![note]))
    }

    pub(super) fn due(
        &self,
        op: &str,
        filter: &Filter,
        limit: usize,
    ) -> Result<Response, EngineError> {
        let ctx = self.due_ctx(op, filter)?;
        Ok(Response::Page(self.store.due_with(
            filter,
            &self.targets(),
            limit,
            &ctx,
        )?))
    }

    pub(super) fn handoff(&self, now: Timestamp) -> Result<Response, EngineError> {
        let o = self.store.overview()?;
        let targets = self.targets();
        let scan = self.store.due(&Filter::default(), &targets, HANDOFF_SCAN)?;
        let (mut overdue, mut due_soon) = (0, 0);
        for it in &scan.items {
            match targets.clock(it, now).map(|c| c.1) {
                Some(Level::Breached) => overdue += 1,
                Some(Level::Soon) => due_soon += 1,
                _ => {}
            }
        }
        let oldest = scan
            .items
            .iter()
            .filter(|i| matches!(targets.clock(i, now), Some((_, Level::Breached))))
            .take(10)
            .cloned()
            .collect();
        Ok(Response::Handoff(Box::new(Handoff {
            open: o.status(Status::New) + o.status(Status::Open),
            unassigned: o.unassigned,
            claimed: o.by_assignee.clone(),
            snoozed: o.status(Status::Snoozed),
            overdue,
            due_soon,
            partial: scan.more,
            oldest,
            notes_last_24h: self.store.notes_since(Timestamp(now.0 - 86_400_000))?,
        })))
    }
}
