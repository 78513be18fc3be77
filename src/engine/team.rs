//! The team on one engine: roles, claims, and who is writing a reply where.

use super::api::{Operator, Presence, Response};
use super::{Engine, EngineError};
pub use crate::domain::settings::TeamSettings as TeamConfig;
use crate::domain::{Change, ItemId, Timestamp};
use crate::store::UpdateOutcome;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Audit entries read (newest first) for the operators the team has seen.
const AUDIT_SCAN: usize = 2000;

/// Open reply drafts: item → operator → how many of their front ends have one open.
#[derive(Default)]
pub(super) struct Drafts(HashMap<ItemId, BTreeMap<String, u32>>);

impl Drafts {
    /// Records a draft opened or closed; returns the operators drafting on the item afterwards.
    fn set(&mut self, id: ItemId, op: &str, active: bool) -> Vec<String> {
        let ops = self.0.entry(id).or_default();
        if active {
            *ops.entry(op.to_string()).or_insert(0) += 1;
        } else if let Some(n) = ops.get_mut(op) {
            *n -= 1;
            if *n == 0 {
                ops.remove(op);
            }
        }
        let now: Vec<String> = ops.keys().cloned().collect();
        if now.is_empty() {
            self.0.remove(&id);
        }
        now
    }

    fn snapshot(&self) -> Presence {
        let mut drafting: Vec<(ItemId, Vec<String>)> = self
            .0
            .iter()
            .map(|(id, ops)| (*id, ops.keys().cloned().collect()))
            .collect();
        drafting.sort();
        Presence { drafting }
    }
}

impl Engine {
    /// Where the engine's settings come from (None: built-in defaults only).
    pub fn set_settings_file(&self, path: Option<std::path::PathBuf>) {
        *self
            .settings_file
            .write()
            .unwrap_or_else(|p| p.into_inner()) = path;
    }

    pub fn settings_file(&self) -> Option<std::path::PathBuf> {
        self.settings_file
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Tells every front end something its operator should read.
    pub fn notice(&self, phrase: crate::i18n::Phrase, error: bool) {
        self.emit(super::api::Event::Notice { phrase, error });
    }

    pub fn set_team(&self, team: TeamConfig) {
        if let Ok(mut t) = self.team.write() {
            *t = team;
        }
    }

    pub(super) fn read_only(&self, op: &str) -> bool {
        self.team
            .read()
            .map(|t| t.read_only.iter().any(|r| r == op))
            .unwrap_or(false)
    }

    pub(super) fn whoami(&self, op: &str) -> Response {
        Response::Operator(Operator {
            name: op.to_string(),
            read_only: self.read_only(op),
            targets: self.targets(),
            approver: self.is_approver(op),
            needs_approval: self.needs_approval(op),
        })
    }

    /// Everyone known to the team: the config's roster and read-only list, the asking
    /// operator, and whoever made one of the newest audit entries (the store has no index by
    /// operator; the newest entries are where the current team shows up).
    pub(super) fn operators(&self, op: &str) -> Result<Response, EngineError> {
        let mut names: std::collections::BTreeSet<String> = self
            .team
            .read()
            .map(|t| t.operators.iter().chain(&t.read_only).cloned().collect())
            .unwrap_or_default();
        names.insert(op.to_string());
        let recent = self.store.audit_query(&crate::store::AuditQuery {
            limit: AUDIT_SCAN,
            ..Default::default()
        })?;
        names.extend(recent.into_iter().map(|e| e.operator));
        // kith's own workers write audit entries under these names.
        for worker in ["kith", "engine"] {
            names.remove(worker);
        }
        names.retain(|n| !n.trim().is_empty());
        Ok(Response::Operators(names.into_iter().collect()))
    }

    /// Assigns the item to `op`. Compare-and-swap against the version read here, so of two
    /// operators claiming at once exactly one wins; the other hears who has it.
    pub(super) fn claim(
        self: &Arc<Self>,
        op: &str,
        id: ItemId,
        force: bool,
        now: Timestamp,
    ) -> Result<Response, EngineError> {
        let item = self.store.get(id)?.ok_or(EngineError::NotFound(id))?;
        if let Some(by) = item.assignee.as_deref().filter(|a| *a != op) {
            if !force {
                return Err(EngineError::Claimed {
                    id,
                    by: by.to_string(),
                    version: item.version,
                });
            }
        }
        let change = Change::Assign(Some(op.to_string()));
        match self
            .store
            .update(id, &change, Some(item.version), op, now)?
        {
            UpdateOutcome::Updated(item, undo) => {
                self.emit(super::api::Event::ItemsChanged(vec![id]));
                Ok(Response::Updated { item, undo })
            }
            UpdateOutcome::Unchanged(item, undo) => Ok(Response::Updated { item, undo }),
            // Someone changed it between our read and our write: whoever they are, tell.
            UpdateOutcome::Conflict(now_item) => match now_item.assignee.clone() {
                Some(by) if by != op => Err(EngineError::Claimed {
                    id,
                    by,
                    version: now_item.version,
                }),
                _ => Err(self.conflict(id, item.version, &now_item)),
            },
            UpdateOutcome::NotFound => Err(EngineError::NotFound(id)),
        }
    }

    /// A reply draft opened or closed; every attached front end hears who is writing where.
    pub fn drafting(&self, op: &str, id: ItemId, active: bool) -> Response {
        let operators = match self.drafts.lock() {
            Ok(mut d) => d.set(id, op, active),
            Err(_) => return Response::Done,
        };
        self.emit(super::api::Event::Presence {
            item: id,
            operators,
        });
        Response::Done
    }

    pub(super) fn presence(&self) -> Response {
        Response::Presence(self.drafts.lock().map(|d| d.snapshot()).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_count_front_ends_per_operator() {
        let mut d = Drafts::default();
        let id = ItemId(7);
        assert_eq!(d.set(id, "ann", true), vec!["ann"]);
        assert_eq!(d.set(id, "ann", true), vec!["ann"]);
        assert_eq!(d.set(id, "bob", true), vec!["ann", "bob"]);
        assert_eq!(d.set(id, "ann", false), vec!["ann", "bob"]);
        assert_eq!(d.set(id, "ann", false), vec!["bob"]);
        assert_eq!(d.set(id, "bob", false), Vec::<String>::new());
        assert!(d.snapshot().drafting.is_empty());
        // Closing a draft nobody opened changes nothing.
        assert_eq!(d.set(id, "eve", false), Vec::<String>::new());
    }
}
