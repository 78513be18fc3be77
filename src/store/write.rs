//! The single writer. Every change is one atomic batch (item + indexes + counters + audit),
//! followed by `flush()` before the caller hears about it.

use super::batch::{Batch, WriteState};
use super::keys::{self, counters};
use super::records::{Account, AuditEntry, Quarantined};
use super::{encode, Result, Store, StoreError};
use crate::domain::bulk::BulkMark;
use crate::domain::{search, Change, Item, ItemId, NewItem, Status, Timestamp};
use std::collections::HashSet;

impl Batch<'_> {
    /// Writes counters and audit entries into the batch, applies it, flushes.
    pub(super) fn commit(
        mut self,
        state: &mut WriteState,
        operator: &str,
        now: Timestamp,
    ) -> Result<()> {
        let store = self.store;
        let rank_day = store.finish_members(&mut self, state, now)?;
        let audit = std::mem::take(&mut self.audit);
        let mut new_head = None;
        if !audit.is_empty() {
            let first = self.store.counter_cached(state, counters::AUDIT_SEQ)? as u64;
            let mut seq = first;
            let mut head = match state.audit_head {
                Some(h) => h,
                None => self.store.audit_head()?,
            };
            for (action, item, before, after) in audit {
                seq += 1;
                let mut entry = AuditEntry {
                    seq,
                    at: now,
                    operator: operator.to_string(),
                    action,
                    item,
                    before,
                    after,
                    hash: None,
                };
                head = super::audit::chain(&head, &entry)?;
                entry.hash = Some(head);
                self.batch.insert(keys::audit(seq), encode(&entry)?);
            }
            new_head = Some(head);
            self.deltas
                .insert(counters::AUDIT_SEQ.to_string(), (seq - first) as i64);
        }
        let mut chunk = None;
        if let Some(words) = self.words.take().filter(|w| !w.is_empty()) {
            let seq = self.store.counter_cached(state, counters::WORDS_SEQ)? as u64 + 1;
            let (c, pairs) = words.write(&mut self.batch, seq)?;
            self.bump(counters::WORDS_SEQ.into(), 1);
            self.bump(counters::WORDS_PENDING.into(), pairs);
            chunk = Some(c);
        }
        let lists = std::mem::take(&mut self.lists);
        if !lists.is_empty() {
            let before = self.store.counter_cached(state, counters::SEGMENT_SEQ)? as u64;
            let mut seq = before;
            if let Err(e) = lists.write(
                &self.store.db(),
                &mut self.batch,
                &mut seq,
                &mut state.segments,
            ) {
                state.segments.clear();
                return Err(e);
            }
            *self
                .deltas
                .entry(counters::SEGMENT_SEQ.to_string())
                .or_insert(0) += (seq - before) as i64;
        }
        let mut new_values = Vec::with_capacity(self.deltas.len());
        for (name, delta) in &self.deltas {
            if *delta == 0 {
                continue;
            }
            let v = self.store.counter_cached(state, name)? + delta;
            self.batch.insert(keys::counter(name), &v.to_be_bytes()[..]);
            new_values.push((name.clone(), v));
        }
        if self.store.is_full() {
            return Err(StoreError::Full);
        }
        let items = std::mem::take(&mut self.items);
        if !items.is_empty() {
            self.store.stage_blocks(&mut self.batch, items)?;
        }
        let natives = std::mem::take(&mut self.natives);
        if !natives.is_empty() {
            self.store.stage_natives(&mut self.batch, natives)?;
        }
        if let Err(e) = self.store.db().apply_batch(self.batch) {
            // The segment counts assumed this batch; start over from the store.
            state.segments.clear();
            return self.store.note(Err(e.into()));
        }
        if let Err(e) = self.store.db().flush() {
            state.segments.clear();
            return self.store.note(Err(e.into()));
        }
        // Only now, with the batch durable, does the in-memory view move.
        for (name, v) in new_values {
            state.counters.insert(name, v);
        }
        if new_head.is_some() {
            state.audit_head = new_head;
        }
        if rank_day.is_some() {
            state.rank_day = rank_day;
        }
        if let Some(c) = chunk {
            self.store.pending_added(&c);
        }
        Ok(())
    }
}

/// Plain keys an item owns besides itself: its place under its parent, its snooze wake-up.
fn index_keys(item: &Item) -> Vec<Vec<u8>> {
    let mut out = Vec::with_capacity(2);
    if let Some(parent) = &item.parent_native_id {
        out.push(keys::with_id(
            keys::children_prefix(&item.account, parent),
            item.id,
        ));
    }
    if let (false, Status::Snoozed, Some(until)) = (item.is_ours(), item.status, item.snoozed_until)
    {
        out.push(keys::snooze(until.0, item.id));
    }
    out
}

/// Posting lists an inbox item belongs to (our own replies belong to none).
fn lists(item: &Item) -> Vec<Vec<u8>> {
    if item.is_ours() {
        return Vec::new();
    }
    let mut v = vec![
        keys::all_prefix(),
        keys::status_prefix(item.status),
        keys::platform_prefix(item.platform),
        keys::kind_prefix(item.kind),
        keys::account_prefix(&item.account),
    ];
    v.extend(
        counters::folded_tags(item)
            .iter()
            .map(|t| keys::tag_prefix(t)),
    );
    v
}

impl Batch<'_> {
    pub(super) fn index(&mut self, before: Option<&Item>, after: &Item) {
        let old = before.map(lists).unwrap_or_default();
        let new = lists(after);
        for l in old.iter().filter(|l| !new.contains(l)) {
            self.lists.remove(l, after.id);
        }
        for l in new.into_iter().filter(|l| !old.contains(l)) {
            self.lists.add(&l, after.id);
        }
        if let Some(b) = before {
            for k in index_keys(b) {
                self.batch.remove(k);
            }
        }
        for k in index_keys(after) {
            self.batch.insert(k, &[][..]);
        }
    }
}

/// The text a search looks at: body, title, author name and handle.
pub use crate::domain::search::searchable_text;

impl Store {
    pub(super) fn counter_cached(&self, state: &mut WriteState, name: &str) -> Result<i64> {
        if let Some(v) = state.counters.get(name) {
            return Ok(*v);
        }
        let v = self.read_counter(name)?;
        state.counters.insert(name.to_string(), v);
        Ok(v)
    }

    pub(super) fn lock_writer(&self) -> std::sync::MutexGuard<'_, WriteState> {
        // A panic while holding the lock leaves counters as last committed; keep going.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn count_item(p: &mut Batch<'_>, item: &Item, sign: i64) {
        if item.is_ours() {
            return;
        }
        p.bump(counters::TOTAL.into(), sign);
        p.bump(counters::status(item.status), sign);
        p.bump(counters::platform(item.platform), sign);
        p.bump(counters::kind(item.kind), sign);
        p.bump(counters::account(&item.account), sign);
        if item.status == Status::New {
            p.bump(counters::platform_new(item.platform), sign);
        }
        if let Some(c) = counters::team(item) {
            p.bump(c, sign);
        }
        if let Some(c) = counters::waiting(item) {
            p.bump(c, sign);
        }
        for c in counters::tags(item) {
            p.bump(c, sign);
        }
    }

    /// Stores new items. Items already stored (same account and native id) are skipped, so
    /// ingest is idempotent. One batch, one flush, one audit entry for the whole call.
    pub fn ingest(
        &self,
        items: &[NewItem],
        demo: bool,
        operator: &str,
        now: Timestamp,
    ) -> Result<(u64, u64)> {
        let mut state = self.lock_writer();
        let mut p = Batch::new(self);
        // Words go into one pending chunk per batch (see `words_pending.rs`): a bulk load
        // writes each word's list once per merge, not once per batch.
        p.words = Some(Default::default());
        let (added, dups) = self.stage_items(&mut p, items, demo, now)?;
        if added > 0 {
            p.audit(
                if demo { "ingest-demo" } else { "ingest" },
                None,
                None,
                Some(format!("{added} items")),
            );
            if demo {
                p.batch.insert(keys::meta("demo"), encode(&true)?);
            }
        }
        p.commit(&mut state, operator, now)?;
        drop(state);
        self.merge_words_if_many(now)?;
        Ok((added, dups))
    }

    /// Puts new items (with their indexes, counters and member counts) into `p`'s batch.
    /// Returns (added, duplicates).
    pub(super) fn stage_items(
        &self,
        p: &mut Batch,
        items: &[NewItem],
        demo: bool,
        now: Timestamp,
    ) -> Result<(u64, u64)> {
        let mut seen_native: HashSet<(&str, &str)> = HashSet::new();
        let mut taken_ids: HashSet<ItemId> = HashSet::new();
        let mut accounts: HashSet<String> = HashSet::new();
        let (mut added, mut dups) = (0u64, 0u64);
        let mut word_key = vec![keys::WORD];
        // Rules see "now" as the batch's time.
        let rules = self.rules_run().map(|run| {
            let mut ctx = run.ctx.clone();
            ctx.now = now;
            (run, ctx)
        });
        for new in items {
            let native = (new.account.as_str(), new.native_id.as_str());
            if seen_native.contains(&native) || self.id_by_native(native.0, native.1)?.is_some() {
                dups += 1;
                continue;
            }
            let mut id = ItemId::derive(new.created_at.0, &new.account, &new.native_id);
            while taken_ids.contains(&id) || self.item_exists(id)? {
                id = id.probe_next();
            }
            taken_ids.insert(id);
            let mut item = Item::from_new(id, new, now);
            // Rules change the item before it and its indexes are written: one batch.
            if let (Some((run, ctx)), false) = (&rules, item.is_ours()) {
                let touched = run.rules.apply(&mut item, ctx);
                if let Some(reply) = &touched.draft {
                    stage_rule_draft(p, run, &touched, reply, &item, now)?;
                }
                for (name, done) in touched.rules {
                    p.audit(
                        &format!("rule:{name}"),
                        Some(id),
                        None,
                        Some(done.join(", ")),
                    );
                }
            }
            p.put_item(&item)?;
            p.put_native(native.0, native.1, id);
            p.index(None, &item);
            seen_native.insert(native);
            added += 1;
            if item.is_ours() {
                continue;
            }
            for token in search::index_tokens(&searchable_text(&item)) {
                if let Some(words) = p.words.as_mut() {
                    words.add(&token, id);
                    continue;
                }
                word_key.truncate(1);
                word_key.extend_from_slice(token.as_bytes());
                word_key.push(0);
                p.lists.add(&word_key, id);
            }
            Self::count_item(p, &item, 1);
            if let Some(i) = super::member_model::item_interaction(&item, 1) {
                self.count_interaction(&mut p.members, &i, Some(id));
            }
            if !accounts.contains(&item.account)
                && !self.db().contains_key(keys::account(&item.account))?
            {
                let acc = Account {
                    name: item.account.clone(),
                    platform: item.platform,
                    demo,
                    created_at: now,
                };
                p.batch.insert(keys::account(&item.account), encode(&acc)?);
            }
            accounts.insert(item.account.clone());
        }
        Ok((added, dups))
    }

    /// Applies a change with compare-and-swap on the version. Returns the item after the change
    /// and the change that undoes it.
    pub fn update(
        &self,
        id: ItemId,
        change: &Change,
        if_version: Option<u64>,
        operator: &str,
        now: Timestamp,
    ) -> Result<UpdateOutcome> {
        self.update_marked(id, change, if_version, operator, now, None)
    }

    /// `update`, as part of a bulk when `mark` says so: the audit entry names the bulk, and the
    /// step that undoes the change is written (or, undoing, removed) in the same batch.
    pub fn update_marked(
        &self,
        id: ItemId,
        change: &Change,
        if_version: Option<u64>,
        operator: &str,
        now: Timestamp,
        mark: Option<BulkMark>,
    ) -> Result<UpdateOutcome> {
        self.update_with_draft(id, change, if_version, operator, now, mark, None)
    }

    /// `update_marked`, writing `draft` in the same batch unless the item has one already
    /// (rules run over a stored item: their changes and their draft are one step).
    #[allow(clippy::too_many_arguments)]
    pub fn update_with_draft(
        &self,
        id: ItemId,
        change: &Change,
        if_version: Option<u64>,
        operator: &str,
        now: Timestamp,
        mark: Option<BulkMark>,
        draft: Option<&crate::domain::bulk::StoredDraft>,
    ) -> Result<UpdateOutcome> {
        let mut state = self.lock_writer();
        let Some(before) = self.get(id)? else {
            return Ok(UpdateOutcome::NotFound);
        };
        if let Some(v) = if_version {
            if v != before.version {
                return Ok(UpdateOutcome::Conflict(Box::new(before)));
            }
        }
        let undo = change.inverse(&before);
        let mut after = before.clone();
        if !change.apply(&mut after) {
            return Ok(UpdateOutcome::Unchanged(Box::new(before), undo));
        }
        after.version += 1;
        let mut p = Batch::new(self);
        p.index(Some(&before), &after);
        p.put_item(&after)?;
        Self::count_item(&mut p, &before, -1);
        Self::count_item(&mut p, &after, 1);
        self.recount_spam(&mut p, &before, &after)?;
        let mut detail = change.describe();
        let draft = match draft {
            Some(d) if !self.db().contains_key(keys::draft(id))? => Some(d),
            _ => None,
        };
        if let Some(d) = draft {
            p.batch.insert(&keys::draft(id)[..], encode(d)?);
            let text = crate::text::sanitize_line(&d.text, 60).text;
            detail = format!("{detail}; draft: {text}");
        }
        if let Some(m) = mark {
            detail = format!("{detail} · {}", m.note());
            Self::bulk_step_in(&mut p, m, id, after.version, &undo, draft.is_some())?;
        }
        p.audit(
            "update",
            Some(id),
            Some(describe_state(&before)),
            Some(detail),
        );
        p.commit(&mut state, operator, now)?;
        Ok(UpdateOutcome::Updated(Box::new(after), undo))
    }

    /// Keeps input that could not be parsed, with its raw bytes.
    pub fn quarantine(
        &self,
        source: &str,
        reason: &str,
        raw: &[u8],
        now: Timestamp,
    ) -> Result<u64> {
        let mut state = self.lock_writer();
        let seq = self.counter_cached(&mut state, counters::QUARANTINE_SEQ)? as u64 + 1;
        let rec = Quarantined {
            seq,
            at: now,
            source: source.to_string(),
            reason: reason.to_string(),
            raw: raw.to_vec(),
        };
        let mut p = Batch::new(self);
        p.batch.insert(keys::quarantine(seq), encode(&rec)?);
        p.bump(counters::QUARANTINE_SEQ.into(), 1);
        p.commit(&mut state, "kith", now)?;
        Ok(seq)
    }
}

pub(super) fn describe_state(item: &Item) -> String {
    let mut s = format!("status={} v{}", item.status, item.version);
    if !item.tags.is_empty() {
        s.push_str(&format!(" tags={}", item.tags.join(",")));
    }
    if let Some(a) = &item.assignee {
        s.push_str(&format!(" assignee={a}"));
    }
    s
}

/// What `Store::update` did: the item after the change and the change that undoes it; or why not.
pub enum UpdateOutcome {
    Updated(Box<Item>, Change),
    Unchanged(Box<Item>, Change),
    Conflict(Box<Item>),
    NotFound,
}

impl From<postcard::Error> for StoreError {
    fn from(e: postcard::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// A saved reply a rule prepares on an arriving item, filled from it, in the item's batch.
/// `{operator}` stays for the person who sends it (the reply editor fills it in).
fn stage_rule_draft(
    p: &mut Batch,
    run: &super::RulesRun,
    touched: &crate::domain::rules::Touched,
    reply: &str,
    item: &Item,
    now: Timestamp,
) -> Result<()> {
    let Some(template) = run.drafts.get(&reply.to_lowercase()) else {
        return Ok(());
    };
    // A draft nobody could send (an imported review, a platform without replies) is not made.
    if item.why_no_reply().is_some() {
        return Ok(());
    }
    let did = format!("draft:{reply}");
    let rule = touched
        .rules
        .iter()
        .find(|(_, done)| done.contains(&did))
        .map_or("", |(name, _)| name.as_str());
    let draft = crate::domain::bulk::StoredDraft {
        item: item.id,
        text: crate::domain::saved_reply::expand(template, item, "{operator}"),
        operator: format!("rule:{rule}"),
        at: now,
        bulk: None,
    };
    p.batch.insert(&keys::draft(item.id)[..], encode(&draft)?);
    Ok(())
}
