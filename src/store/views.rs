//! Views saved for the team: one key per view (`V ++ folded name`), written with an audit entry.
//!
//! One key per view rather than one key holding the ordered list: saving or deleting a view
//! writes only its own key, so the key *is* "replace by name, any case", and two operators
//! saving different views never rewrite each other's. The order is a `position` in each view;
//! a move swaps two neighbours and renumbers what changed place, in one atomic batch.

use super::batch::Batch;
use super::keys;
use super::{decode, encode, Result, Store};
use crate::domain::saved_view::{fold, Move, SavedView};
use crate::domain::Timestamp;

/// What a change to the saved views did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewChange {
    /// Saved: a new view, or (`replaced`) one of the same name in any case, which keeps its place.
    Saved {
        replaced: bool,
    },
    Deleted,
    Moved,
    /// Already first (moving up) or last (moving down): nothing written.
    AtEdge,
    NotFound,
}

impl Store {
    /// The team's saved views in the sidebar's order.
    pub fn saved_views(&self) -> Result<Vec<SavedView>> {
        let mut out: Vec<SavedView> = Vec::new();
        for kv in self.db().scan_prefix([keys::SAVED_VIEW]) {
            out.push(decode(&kv?.1)?);
        }
        out.sort_by(|a, b| {
            a.position
                .cmp(&b.position)
                .then_with(|| fold(&a.name).cmp(&fold(&b.name)))
        });
        Ok(out)
    }

    /// The saved view named `name` (any case).
    pub fn saved_view(&self, name: &str) -> Result<Option<SavedView>> {
        match self.db().get(keys::saved_view(&fold(name)))? {
            Some(v) => Ok(Some(decode(&v)?)),
            None => Ok(None),
        }
    }

    /// Saves `pattern` as view `name`: a new view goes last; a view of the same name (any
    /// case) is replaced and keeps its place. The caller has checked the name and the pattern.
    pub fn save_view(
        &self,
        name: &str,
        pattern: &str,
        operator: &str,
        now: Timestamp,
    ) -> Result<ViewChange> {
        let mut state = self.lock_writer();
        let name = name.trim();
        let pattern = pattern.trim();
        let old = self.saved_view(name)?;
        let position = match &old {
            Some(v) => v.position,
            None => self
                .saved_views()?
                .last()
                .map_or(0, |v| v.position.saturating_add(1)),
        };
        let view = SavedView {
            name: name.to_string(),
            pattern: pattern.to_string(),
            position,
            saved_by: operator.to_string(),
            at: now,
        };
        let mut p = Batch::new(self);
        p.batch
            .insert(keys::saved_view(&fold(name)), encode(&view)?);
        p.audit(
            "view-save",
            None,
            old.as_ref().map(describe),
            Some(describe(&view)),
        );
        p.commit(&mut state, operator, now)?;
        Ok(ViewChange::Saved {
            replaced: old.is_some(),
        })
    }

    /// Deletes the saved view named `name` (any case).
    pub fn delete_view(&self, name: &str, operator: &str, now: Timestamp) -> Result<ViewChange> {
        let mut state = self.lock_writer();
        let Some(old) = self.saved_view(name)? else {
            return Ok(ViewChange::NotFound);
        };
        let mut p = Batch::new(self);
        p.batch.remove(keys::saved_view(&fold(&old.name)));
        p.audit("view-delete", None, Some(describe(&old)), None);
        p.commit(&mut state, operator, now)?;
        Ok(ViewChange::Deleted)
    }

    /// Moves the saved view named `name` one place up or down: it swaps places with its
    /// neighbour, both written in one batch.
    pub fn move_view(
        &self,
        name: &str,
        dir: Move,
        operator: &str,
        now: Timestamp,
    ) -> Result<ViewChange> {
        let mut state = self.lock_writer();
        let mut all = self.saved_views()?;
        let key = fold(name);
        let Some(i) = all.iter().position(|v| fold(&v.name) == key) else {
            return Ok(ViewChange::NotFound);
        };
        let j = match dir {
            Move::Up if i > 0 => i - 1,
            Move::Down if i + 1 < all.len() => i + 1,
            _ => return Ok(ViewChange::AtEdge),
        };
        let moved = all[i].name.clone();
        all.swap(i, j);
        let mut p = Batch::new(self);
        // Renumbered in the new order; only views whose place changed are written (the two
        // swapped ones, unless older positions had gaps or ties).
        for (n, v) in all.iter_mut().enumerate() {
            if v.position != n as u64 {
                v.position = n as u64;
                p.batch
                    .insert(keys::saved_view(&fold(&v.name)), encode(&*v)?);
            }
        }
        let after = match dir {
            Move::Up => "up",
            Move::Down => "down",
        };
        p.audit("view-move", None, Some(moved), Some(after.to_string()));
        p.commit(&mut state, operator, now)?;
        Ok(ViewChange::Moved)
    }
}

/// How a view reads in the audit log.
fn describe(v: &SavedView) -> String {
    format!("{}={}", v.name, v.pattern)
}
