//! Saved views in the engine: the team's views (in the store) and an operator's own (from their
//! config, sent with the request) each counted live, capped so a 1M-item store answers fast;
//! saving checks the name and reads the pattern first; every change is told to every front end.

use super::api::{Event, Filter, ListQuery, Response};
use super::{Engine, EngineError};
use crate::domain::pattern::Pattern;
use crate::domain::saved_view::{self, Move, ViewRow, COUNT_CAP};
use crate::domain::Timestamp;
use crate::i18n::ph;
use crate::store::ViewChange;

impl Engine {
    /// The team's views in their order, then `personal` ones (name, pattern) not named like a
    /// shared one, each with its live count as `op` would see it (`~o me`).
    pub(super) fn views(
        &self,
        op: &str,
        personal: &[(String, String)],
    ) -> Result<Response, EngineError> {
        let mut out = Vec::new();
        for v in self.store.saved_views()? {
            let (count, more) = self.view_count(op, &v.pattern)?;
            out.push(ViewRow {
                name: v.name,
                pattern: v.pattern,
                shared: true,
                count,
                more,
                saved_by: Some(v.saved_by),
                at: Some(v.at),
            });
        }
        for (name, pattern) in personal {
            if out
                .iter()
                .any(|r: &ViewRow| saved_view::fold(&r.name) == saved_view::fold(name))
            {
                continue;
            }
            let (count, more) = self.view_count(op, pattern)?;
            out.push(ViewRow {
                name: name.clone(),
                pattern: pattern.clone(),
                shared: false,
                count,
                more,
                saved_by: None,
                at: None,
            });
        }
        Ok(Response::Views(out))
    }

    /// How many items a pattern matches, up to [`COUNT_CAP`]: one pattern page, so the work is
    /// bounded by the page's scan budget whatever the store's size; `more` when it stopped
    /// early. A pattern that no longer reads counts nothing.
    fn view_count(&self, op: &str, pattern: &str) -> Result<(u64, bool), EngineError> {
        let Ok(p) = Pattern::parse(pattern) else {
            return Ok((0, false));
        };
        let ctx = self.pattern_ctx(op, &p)?;
        let q = ListQuery {
            filter: Filter {
                pattern: Some(pattern.to_string()),
                ..Filter::default()
            },
            limit: COUNT_CAP as usize,
            ..ListQuery::default()
        };
        let page = self.store.list_with(&q, &ctx)?;
        Ok((page.items.len() as u64, page.more))
    }

    /// Saves a view for the team; a bad name or pattern is refused (the pattern's error says
    /// where it went wrong).
    pub(super) fn view_save(
        &self,
        op: &str,
        name: &str,
        pattern: &str,
        now: Timestamp,
    ) -> Result<Response, EngineError> {
        check_name(name)?;
        Pattern::parse(pattern).map_err(|e| EngineError::Invalid(e.phrase))?;
        let replaced = match self.store.save_view(name, pattern, op, now)? {
            ViewChange::Saved { replaced } => replaced,
            _ => false,
        };
        self.emit(Event::ViewsChanged);
        Ok(Response::ViewSaved { replaced })
    }

    pub(super) fn view_delete(
        &self,
        op: &str,
        name: &str,
        now: Timestamp,
    ) -> Result<Response, EngineError> {
        match self.store.delete_view(name, op, now)? {
            ViewChange::NotFound => Err(not_found(name)),
            _ => {
                self.emit(Event::ViewsChanged);
                Ok(Response::Done)
            }
        }
    }

    /// Moves a view one place; at the top (or bottom) already, nothing changes and it says so.
    pub(super) fn view_move(
        &self,
        op: &str,
        name: &str,
        dir: Move,
        now: Timestamp,
    ) -> Result<Response, EngineError> {
        match self.store.move_view(name, dir, op, now)? {
            ViewChange::NotFound => Err(not_found(name)),
            ViewChange::AtEdge => Ok(Response::ViewMoved(false)),
            _ => {
                self.emit(Event::ViewsChanged);
                Ok(Response::ViewMoved(true))
            }
        }
    }
}

fn check_name(name: &str) -> Result<(), EngineError> {
    if saved_view::valid_name(name) {
        return Ok(());
    }
    let shown = crate::text::sanitize_line(name, 60).text;
    Err(EngineError::Invalid(ph(
        "views.err.name",
        &[("name", &shown), ("max", &saved_view::MAX_NAME_CHARS)],
    )))
}

fn not_found(name: &str) -> EngineError {
    let shown = crate::text::sanitize_line(name, 60).text;
    EngineError::Invalid(ph("views.err.not_found", &[("name", &shown)]))
}
