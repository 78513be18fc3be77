//! Bulk actions: one action over many items, each item under its own version guard (changed by
//! someone else meanwhile: skipped and reported, never overwritten), each change audited with
//! the bulk's id and written with the step that undoes it; and the undo of a whole bulk.

use super::api::{Event, Response};
use super::{Engine, EngineError};
use crate::domain::bulk::{
    BulkAction, BulkId, BulkMark, BulkReport, BulkRequest, BulkRow, BulkSkip, BulkStep, BulkTarget,
    BulkUndo, StoredDraft,
};
use crate::domain::query::{Filter, ListQuery};
use crate::domain::remote::RemoteAction;
use crate::domain::{Change, Item, ItemId, Status, Timestamp};
use crate::i18n::{ph, Phrase};
use crate::store::UpdateOutcome;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

mod steps;

/// Rows listed in one answer at most (a dry run over the whole store must still fit a frame).
const MAX_ROWS: usize = 100_000;
/// Progress is told about this many times per bulk (and at the end).
const PROGRESS_STEPS: u64 = 20;
/// Characters of an item's text a listed row keeps.
const EXCERPT: usize = 100;

/// The last bulk id given out: ids are start times in ms, kept strictly increasing.
static LAST_ID: AtomicU64 = AtomicU64::new(0);

fn next_id(now: Timestamp) -> BulkId {
    let now = now.0.max(0) as u64;
    let mut last = LAST_ID.load(Ordering::Relaxed);
    loop {
        let id = now.max(last + 1);
        match LAST_ID.compare_exchange(last, id, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return BulkId(id),
            Err(seen) => last = seen,
        }
    }
}

/// What one item would see.
enum Plan {
    Skip(BulkSkip),
    /// Already as asked.
    Nothing,
    Do,
}

/// Counts and the events that tell front ends how far a bulk is.
struct Tally<'a> {
    engine: &'a Engine,
    op: &'a str,
    report: BulkReport,
    total: u64,
    done: u64,
    every: u64,
    changed_ids: Vec<ItemId>,
}

impl Tally<'_> {
    fn step(&mut self) {
        self.done += 1;
        if self.done % self.every == 0 || self.done == self.total {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if !self.changed_ids.is_empty() {
            let ids = std::mem::take(&mut self.changed_ids);
            self.engine.emit(Event::ItemsChanged(ids));
        }
        self.engine.emit(Event::BulkProgress {
            bulk: self.report.id,
            operator: self.op.to_string(),
            done: self.done,
            total: self.total,
            changed: self.report.changed,
            skipped: self.report.skipped.len() as u64,
        });
    }

    fn changed(&mut self, id: ItemId) {
        self.report.changed += 1;
        self.changed_ids.push(id);
    }

    fn skip(&mut self, s: BulkSkip) {
        self.report.skipped.push(s);
    }
}

impl Engine {
    /// Runs a bulk (on the blocking pool: store work item by item; a like waits for its
    /// platform call here).
    pub(super) fn bulk(
        self: &Arc<Self>,
        op: &str,
        req: BulkRequest,
        now: Timestamp,
    ) -> Result<Response, EngineError> {
        if req.action == BulkAction::Rules {
            self.fresh_rules(true)?;
        }
        check_action(&req.action, now, self.store.rules_run().is_some())?;
        let targets = self.bulk_targets(&req.target)?;
        let id = next_id(now);
        let total = targets.len() as u64;
        let mut tally = Tally {
            engine: self,
            op,
            report: BulkReport::new(id, req.dry_run),
            total,
            done: 0,
            every: (total / PROGRESS_STEPS).max(1),
            changed_ids: Vec::new(),
        };
        tally.report.matched = total;
        let list = req.list.min(MAX_ROWS);
        for (item_id, seen) in targets {
            let step = self.bulk_step(op, item_id, seen, &req, list, now, &mut tally);
            if let Err(e) = step {
                // What was done stands (and is undoable): say where it stopped, unless it
                // stopped before doing anything.
                if tally.report.changed == 0 {
                    return Err(e);
                }
                tally.report.stopped = Some(error_phrase(&e));
                break;
            }
            if !req.dry_run {
                tally.step();
            }
        }
        if !req.dry_run {
            // Each step flushed every `every` items and at the end; a bulk stopped early (or
            // over nothing) says where it got to here.
            if tally.done == 0 || tally.done != tally.total {
                tally.flush();
            }
            if matches!(
                req.action,
                BulkAction::Change(Change::SetStatus { .. }) | BulkAction::Rules
            ) {
                self.snooze_changed.notify_one();
            }
        }
        Ok(Response::Bulk(Box::new(tally.report)))
    }

    /// One item of a bulk: planned, listed, and (unless a dry run) done.
    #[allow(clippy::too_many_arguments)]
    fn bulk_step(
        self: &Arc<Self>,
        op: &str,
        item_id: ItemId,
        seen: u64,
        req: &BulkRequest,
        list: usize,
        now: Timestamp,
        tally: &mut Tally<'_>,
    ) -> Result<(), EngineError> {
        let item = self.store.get(item_id)?;
        let plan = match &item {
            None => Plan::Skip(gone(item_id)),
            Some(i) => self.plan(op, i, seen, &req.action, now)?,
        };
        if let Some(i) = item.as_ref().filter(|_| tally.report.rows.len() < list) {
            tally.report.rows.push(row(i, matches!(plan, Plan::Do)));
        }
        match plan {
            Plan::Skip(s) => tally.skip(s),
            Plan::Nothing => tally.report.unchanged += 1,
            Plan::Do if req.dry_run => tally.report.changed += 1,
            Plan::Do => {
                let id = tally.report.id;
                self.apply_one(op, item_id, seen, &req.action, id, now, tally)?
            }
        }
        Ok(())
    }

    /// The items a target names, each with the version it is held to. A filter is read page by
    /// page to its end (the store's scan budget ends a page early, never the listing).
    fn bulk_targets(&self, target: &BulkTarget) -> Result<Vec<(ItemId, u64)>, EngineError> {
        match target {
            BulkTarget::Items(v) => {
                let mut seen = HashSet::new();
                Ok(v.iter().copied().filter(|(i, _)| seen.insert(*i)).collect())
            }
            BulkTarget::Filter(f) => self.matching(f),
        }
    }

    fn matching(&self, f: &Filter) -> Result<Vec<(ItemId, u64)>, EngineError> {
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let page = self.store.list(&ListQuery {
                filter: f.clone(),
                after,
                before: None,
                limit: 1000,
            })?;
            out.extend(page.items.iter().map(|i| (i.id, i.version)));
            match page.cursor {
                Some(c) if page.more => after = Some(c),
                _ => break,
            }
        }
        Ok(out)
    }

    /// What the action would do to an item the operator saw at version `seen`.
    fn plan(
        &self,
        op: &str,
        item: &Item,
        seen: u64,
        action: &BulkAction,
        now: Timestamp,
    ) -> Result<Plan, EngineError> {
        if item.version != seen {
            return Ok(Plan::Skip(self.skip_changed(item.id, seen, item)));
        }
        let change_plan = |c: &Change| {
            let mut after = item.clone();
            if c.apply(&mut after) {
                Plan::Do
            } else {
                Plan::Nothing
            }
        };
        Ok(match action {
            BulkAction::Change(c) => change_plan(c),
            BulkAction::Claim => match item.assignee.as_deref().filter(|a| *a != op) {
                Some(by) => Plan::Skip(BulkSkip {
                    id: item.id,
                    by: None,
                    why: ph("bulk.claimed", &[("who", &by)]),
                }),
                None => change_plan(&Change::Assign(Some(op.to_string()))),
            },
            BulkAction::Like => match RemoteAction::Like.refusal_for(item) {
                Some(why) => Plan::Skip(BulkSkip {
                    id: item.id,
                    by: None,
                    why,
                }),
                None => Plan::Do,
            },
            BulkAction::SendDrafts => {
                let why = match item.why_no_reply() {
                    Some(why) => Some(why),
                    None if self.store.draft(item.id)?.is_none() => Some(ph("bulk.no_draft", &[])),
                    None => None,
                };
                match why {
                    Some(why) => Plan::Skip(BulkSkip {
                        id: item.id,
                        by: None,
                        why,
                    }),
                    None => Plan::Do,
                }
            }
            BulkAction::Rules => {
                if self.rules_outcome(item, BulkId(0), op, now)?.is_empty() {
                    Plan::Nothing
                } else {
                    Plan::Do
                }
            }
            BulkAction::Draft { .. } => {
                if let Some(why) = item.why_no_reply() {
                    Plan::Skip(BulkSkip {
                        id: item.id,
                        by: None,
                        why,
                    })
                } else if self.store.draft(item.id)?.is_some() {
                    Plan::Skip(BulkSkip {
                        id: item.id,
                        by: None,
                        why: ph("bulk.has_draft", &[]),
                    })
                } else {
                    Plan::Do
                }
            }
        })
    }

    /// Does the action to one item, under its version guard once more (the item may move
    /// between the plan and the write).
    #[allow(clippy::too_many_arguments)]
    fn apply_one(
        self: &Arc<Self>,
        op: &str,
        id: ItemId,
        seen: u64,
        action: &BulkAction,
        bulk: BulkId,
        now: Timestamp,
        tally: &mut Tally<'_>,
    ) -> Result<(), EngineError> {
        let mark = Some(BulkMark::Apply(bulk));
        let change = match action {
            BulkAction::Change(c) => Some(c.clone()),
            BulkAction::Claim => Some(Change::Assign(Some(op.to_string()))),
            _ => None,
        };
        if let Some(c) = change {
            match self
                .store
                .update_marked(id, &c, Some(seen), op, now, mark)?
            {
                UpdateOutcome::Updated(..) => tally.changed(id),
                UpdateOutcome::Unchanged(..) => tally.report.unchanged += 1,
                UpdateOutcome::Conflict(now_item) => {
                    tally.skip(self.skip_changed(id, seen, &now_item))
                }
                UpdateOutcome::NotFound => tally.skip(gone(id)),
            }
            return Ok(());
        }
        match action {
            BulkAction::Like => {
                let rt = tokio::runtime::Handle::try_current().map_err(|_| EngineError::Stopped)?;
                match rt.block_on(self.act_in(op, id, RemoteAction::Like, Some(seen), Some(bulk))) {
                    Ok(_) => {
                        let step = BulkStep {
                            version: seen,
                            undo: BulkUndo::Like,
                        };
                        self.store.put_bulk_step(bulk, id, &step)?;
                        tally.changed(id);
                    }
                    Err(EngineError::Conflict { .. }) => {
                        let now_item = self.store.get(id)?;
                        tally.skip(match now_item {
                            Some(i) => self.skip_changed(id, seen, &i),
                            None => gone(id),
                        });
                    }
                    Err(e) => tally.skip(BulkSkip {
                        id,
                        by: None,
                        why: error_phrase(&e),
                    }),
                }
            }
            BulkAction::Draft { template } => {
                let Some(item) = self.store.get(id)? else {
                    tally.skip(gone(id));
                    return Ok(());
                };
                let draft = StoredDraft {
                    item: id,
                    text: crate::domain::saved_reply::expand(template, &item, op),
                    operator: op.to_string(),
                    at: now,
                    bulk: Some(bulk),
                };
                self.draft_one(id, seen, &draft, now, tally)?;
            }
            BulkAction::Rules => self.apply_rules_one(op, id, seen, bulk, now, tally)?,
            BulkAction::SendDrafts => self.send_draft_one(op, id, seen, now, tally)?,
            BulkAction::Change(_) | BulkAction::Claim => {}
        }
        Ok(())
    }
}

impl Engine {
    /// Takes back what bulk `bulk` changed, item by item; an item changed since the bulk is
    /// skipped (with who changed it), never overwritten.
    pub(super) fn undo_bulk(
        self: &Arc<Self>,
        op: &str,
        bulk: BulkId,
        now: Timestamp,
    ) -> Result<Response, EngineError> {
        let steps = self.store.bulk_steps(bulk)?;
        if steps.is_empty() {
            return Err(EngineError::Invalid(ph(
                "bulk.nothing_to_undo",
                &[("bulk", &bulk)],
            )));
        }
        let total = steps.len() as u64;
        let mut tally = Tally {
            engine: self,
            op,
            report: BulkReport::new(bulk, false),
            total,
            done: 0,
            every: (total / PROGRESS_STEPS).max(1),
            changed_ids: Vec::new(),
        };
        tally.report.matched = total;
        let mark = Some(BulkMark::Undo(bulk));
        let mut statuses = false;
        for (id, step) in steps {
            let with_draft = matches!(step.undo, BulkUndo::ChangeAndDraft(_));
            match step.undo {
                BulkUndo::Change(c) | BulkUndo::ChangeAndDraft(c) => {
                    if with_draft {
                        // The draft first: gone already (sent, or taken back) is fine.
                        self.store.undo_draft(id, bulk, op, now)?;
                    }
                    statuses |= matches!(c, Change::SetStatus { .. } | Change::Triage(_));
                    match self
                        .store
                        .update_marked(id, &c, Some(step.version), op, now, mark)?
                    {
                        UpdateOutcome::Updated(..) => tally.changed(id),
                        UpdateOutcome::Unchanged(..) => tally.report.unchanged += 1,
                        UpdateOutcome::Conflict(now_item) => {
                            tally.skip(self.skip_changed(id, step.version, &now_item))
                        }
                        UpdateOutcome::NotFound => tally.skip(gone(id)),
                    }
                }
                BulkUndo::Draft => {
                    if self.store.undo_draft(id, bulk, op, now)? {
                        tally.changed(id);
                    } else {
                        tally.skip(BulkSkip {
                            id,
                            by: None,
                            why: ph("bulk.draft_gone", &[]),
                        });
                    }
                }
                BulkUndo::Like => tally.skip(BulkSkip {
                    id,
                    by: None,
                    why: ph("bulk.like_stays", &[]),
                }),
            }
            tally.step();
        }
        self.store.clear_bulk(bulk)?;
        if statuses {
            self.snooze_changed.notify_one();
        }
        Ok(Response::Bulk(Box::new(tally.report)))
    }

    /// An item changed by someone else since `seen`: what it is now and who changed it last.
    fn skip_changed(&self, id: ItemId, seen: u64, now_item: &Item) -> BulkSkip {
        let by = self
            .store
            .last_change(id, 2000)
            .ok()
            .flatten()
            .map(|e| e.operator);
        let why = match self.conflict(id, seen, now_item) {
            EngineError::Conflict { what, .. } => what,
            e => error_phrase(&e),
        };
        BulkSkip { id, by, why }
    }

    /// A reply draft prepared for an item.
    pub(super) fn stored_draft(&self, id: ItemId) -> Result<Response, EngineError> {
        Ok(Response::Draft(self.store.draft(id)?))
    }
}

/// Refuses what no item could take: a snooze into the past, an empty tag or template.
fn check_action(
    action: &BulkAction,
    now: Timestamp,
    rules_in_force: bool,
) -> Result<(), EngineError> {
    let bad = |key: &str| Err(EngineError::Invalid(ph(key, &[])));
    match action {
        BulkAction::Change(Change::SetStatus {
            status: Status::Snoozed,
            snoozed_until,
        }) if !snoozed_until.is_some_and(|t| t > now) => bad("err.snooze_future"),
        BulkAction::Change(Change::AddTag(t) | Change::RemoveTag(t))
            if t.trim().is_empty() || t.chars().any(char::is_control) =>
        {
            bad("err.tag")
        }
        BulkAction::Draft { template } if template.trim().is_empty() => bad("bulk.empty_draft"),
        BulkAction::Rules if !rules_in_force => bad("bulk.no_rules"),
        _ => Ok(()),
    }
}

fn gone(id: ItemId) -> BulkSkip {
    BulkSkip {
        id,
        by: None,
        why: ph("err.not_found", &[("id", &id)]),
    }
}

/// An error as words a front end can put in its own language where it can.
fn error_phrase(e: &EngineError) -> Phrase {
    match e {
        EngineError::Invalid(p) | EngineError::Rewarded(p) => p.clone(),
        EngineError::Remote { message, .. } => message.clone(),
        EngineError::Conflict { what, .. } => what.clone(),
        e => Phrase::raw(e.to_string()),
    }
}

fn row(item: &Item, changes: bool) -> BulkRow {
    BulkRow {
        id: item.id,
        version: item.version,
        platform: item.platform_name().to_string(),
        author: item.author.label().to_string(),
        text: item.text.chars().take(EXCERPT).collect(),
        changes,
    }
}
