//! Members: one record per person on one platform (`m ++ member id`), with their interaction
//! buckets, links, tags, notes and rewards; the ranking index kept in the same batch as the
//! items that move it.
//!
//! Key spaces:
//! - `m ++ id` → `Member`
//! - `R ++ period ++ scope ++ desc(score key) ++ person` → (): ranking per period (`w`, `m`, `q`,
//!   `a`, and `l` for opinion leaders), scope 0 = every platform, else the platform's code
//! - `E ++ period ++ day ++ person` → (): the day a person's windowed score next changes by
//!   itself (the oldest interaction in the window leaves it)
//! - `K ++ 'h' ++ handle ++ 0 ++ id` (lookup by handle), `K ++ 's' ++ link key ++ 0 ++ id`
//!   (link suggestions), `T ++ tag ++ 0 ++ id` (tags)
//! - `G ++ id` → posting list (see `postings.rs`) of every item a member wrote
//! - `U ++ seq` → interactions counted by one batch and not yet applied to the records
//!
//! A person is a group of linked members; its root is the lowest member id and holds the index
//! entries. Counting, linking and every index change go through `Touched`, which `Batch::commit`
//! finishes: the day's roll (expired window entries re-scored), then each touched person
//! re-scored from its buckets. A score is always recomputed from integer counts, never adjusted,
//! so the incremental index equals a rebuild bit for bit.
//!
//! Counting items is the hot path: a bulk load or a first sync touches the same persons in batch
//! after batch, and rewriting a member's record, author index and ranking entries in every batch
//! cost ingest more than the items themselves. So an item's batch records what it counts as one
//! chunk (`U ++ seq`: platform, author, act, day, ±1, item) — durable with the items, so a crash
//! loses no count — and `settle_members` applies the waiting chunks together: each person's
//! record, author index and ranking written once for many batches. Every read of members settles
//! first, so no read sees a count missing; operator changes (links, tags) apply at once.
//!
//! Here: records, keys, counting and the index entries of a person. `member_settle.rs` applies
//! waiting counts, `member_edit.rs` holds operators' changes, `member_rebuild.rs` the rebuild
//! and the schema migrations, `member_read.rs` the reads.

use super::batch::{Batch, WriteState};
use super::keys;
pub use super::member_model::*;
use super::{decode, encode, Result, Store};
use crate::domain::member::{day_of, MemberId, Period, Scoring};
use crate::domain::{Item, ItemId, Platform, Status, Timestamp};
use std::collections::BTreeSet;

impl Store {
    pub fn set_scoring(&self, s: Scoring) {
        *self.scoring.write().unwrap_or_else(|e| e.into_inner()) = s;
    }
    pub fn scoring(&self) -> Scoring {
        self.scoring
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Benchmarks only: ingest without counting members (to measure what counting costs).
    /// A store written this way needs `rebuild_members` before its ranking is right.
    pub fn set_member_counting(&self, on: bool) {
        self.count_members
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn member_record(&self, id: MemberId) -> Result<Option<Member>> {
        match self.db().get(member_key(id))? {
            Some(v) => Ok(Some(decode(&v)?)),
            None => Ok(None),
        }
    }

    /// The member record in this batch (loaded once).
    pub(super) fn touch<'t>(
        &self,
        t: &'t mut Touched,
        id: MemberId,
    ) -> Result<Option<&'t mut Member>> {
        if !t.records.contains_key(&id) {
            let Some(m) = self.member_record(id)? else {
                return Ok(None);
            };
            t.loaded.insert(id, Some(lookup_keys(&m)));
            t.records.insert(id, m);
        }
        Ok(t.records.get_mut(&id))
    }

    /// The member id of an author, creating the record when new.
    pub(super) fn resolve_author(
        &self,
        t: &mut Touched,
        platform: Platform,
        author_id: &str,
    ) -> Result<MemberId> {
        if let Some(id) = t.resolved.get(&(platform, author_id.to_string())) {
            return Ok(*id);
        }
        let mut id = MemberId::derive(platform, author_id);
        loop {
            match self.touch(t, id)? {
                Some(m) if m.platform == platform && m.author_id == author_id => break,
                Some(_) => id = id.next(),
                None => {
                    t.records.insert(id, Member::new(id, platform, author_id));
                    t.loaded.insert(id, None);
                    t.dirty.insert(id);
                    break;
                }
            }
        }
        t.resolved.insert((platform, author_id.to_string()), id);
        Ok(id)
    }

    /// Counts (or takes back) one interaction in this batch's chunk; `item` is the new item it
    /// counts, for the author's list.
    pub(super) fn count_interaction(
        &self,
        t: &mut Touched,
        i: &Interaction<'_>,
        item: Option<ItemId>,
    ) {
        if i.author.id.is_empty()
            || !self
                .count_members
                .load(std::sync::atomic::Ordering::Relaxed)
        {
            return;
        }
        t.counted.push(Counted {
            platform: i.platform,
            author: i.author.clone(),
            act: i.act,
            at: i.at,
            stored_at: i.stored_at,
            delta: i.delta,
            item,
        });
    }

    /// Applies one waiting interaction to its member's record; returns the member.
    pub(super) fn apply_counted(&self, t: &mut Touched, c: &Counted) -> Result<Option<MemberId>> {
        let id = self.resolve_author(t, c.platform, &c.author.id)?;
        let day = day_of(c.at.min(c.stored_at));
        let Some(m) = t.records.get_mut(&id) else {
            return Ok(None);
        };
        m.see(&c.author, c.at);
        if c.delta != 0 {
            m.buckets.add(day, c.act, c.delta);
        }
        let person = m.person;
        t.dirty.insert(id);
        t.persons.insert(person);
        Ok(Some(id))
    }

    /// The effective ranking day: the store's rank day never goes back.
    pub(super) fn rank_day(&self, state: &mut WriteState) -> Result<Option<u32>> {
        if state.rank_day.is_none() {
            state.rank_day = match self.db().get(keys::meta("rank_day"))? {
                Some(v) => Some(decode::<u32>(&v)?),
                None => None,
            };
        }
        Ok(state.rank_day)
    }

    /// Finishes the members part of a batch: rolls the ranking to today (re-scoring persons whose
    /// window lost its oldest day), re-scores every touched person, writes records and lookups.
    /// Returns the new rank day, to be cached once the batch is durable.
    pub(super) fn finish_members(
        &self,
        p: &mut Batch<'_>,
        state: &mut WriteState,
        now: Timestamp,
    ) -> Result<Option<u32>> {
        let stored = self.rank_day(state)?;
        let today = stored.map_or(day_of(now), |d| d.max(day_of(now)));
        let mut t = std::mem::take(&mut p.members);
        if stored != Some(today) {
            for period in Period::ALL {
                if period.days().is_none() {
                    continue;
                }
                let mut lo = vec![EXPIRE, period.code()];
                let mut hi = lo.clone();
                lo.extend_from_slice(&0u32.to_be_bytes());
                hi.extend_from_slice(&(today + 1).to_be_bytes());
                for kv in self.db().range(lo..hi) {
                    let (k, _) = kv?;
                    if let Some(id) = k.get(6..14).and_then(MemberId::from_bytes) {
                        t.persons.insert(id);
                    }
                }
            }
            p.batch.insert(keys::meta("rank_day"), encode(&today)?);
        } else if t.is_empty() {
            return Ok(None);
        }
        let scoring = self.scoring();
        for id in std::mem::take(&mut t.demoted) {
            if let Some(m) = self.touch(&mut t, id)? {
                if m.person != m.id || !m.indexed.is_empty() {
                    for k in std::mem::take(&mut m.indexed) {
                        p.batch.remove(k);
                    }
                    t.dirty.insert(id);
                }
            }
        }
        let counted = std::mem::take(&mut t.counted);
        if !counted.is_empty() {
            // Chunks of a few hundred: sled 0.34 writes a value over 64 KB as a file of its own.
            let mut seq = self.counter_cached(state, keys::counters::MEMBERS_SEQ)? as u64;
            for part in counted.chunks(CHUNK) {
                seq += 1;
                p.batch.insert(&unranked_key(seq)[..], encode(&part)?);
                p.bump(keys::counters::MEMBERS_SEQ.into(), 1);
            }
            p.bump(keys::counters::MEMBERS_PENDING.into(), counted.len() as i64);
        }
        for root in std::mem::take(&mut t.persons) {
            self.reindex(&mut t, p, root, today, &scoring)?;
        }
        for id in std::mem::take(&mut t.dirty) {
            let Some(m) = t.records.get_mut(&id) else {
                continue;
            };
            let new = lookup_keys(m);
            let old = t.loaded.get(&id).cloned().flatten().unwrap_or_default();
            for k in old.difference(&new) {
                p.batch.remove(k.clone());
            }
            for k in new.difference(&old) {
                p.batch.insert(k.clone(), &[][..]);
            }
            p.batch.insert(&member_key(id)[..], encode(&*m)?);
            t.loaded.insert(id, Some(new));
        }
        Ok(Some(today))
    }

    /// Rewrites a person's ranking entries from their members' buckets.
    fn reindex(
        &self,
        t: &mut Touched,
        p: &mut Batch<'_>,
        root: MemberId,
        today: u32,
        scoring: &Scoring,
    ) -> Result<()> {
        let Some(r) = self.touch(t, root)? else {
            return Ok(());
        };
        if r.person != root {
            // Stale: the person moved under another root (it is re-scored there).
            let real = r.person;
            return self.reindex(t, p, real, today, scoring);
        }
        let group = if r.group.is_empty() {
            vec![root]
        } else {
            r.group.clone()
        };
        for id in &group {
            self.touch(t, *id)?;
        }
        let members: Vec<&Member> = group.iter().filter_map(|id| t.records.get(id)).collect();
        let new = index_entries(&members, root, today, scoring);
        let r = t.records.get_mut(&root).expect("loaded above");
        let old: BTreeSet<Vec<u8>> = r.indexed.iter().cloned().collect();
        if old == new {
            return Ok(());
        }
        for k in old.difference(&new) {
            p.batch.remove(k.clone());
        }
        for k in new.difference(&old) {
            p.batch.insert(k.clone(), &[][..]);
        }
        r.indexed = new.into_iter().collect();
        t.dirty.insert(root);
        Ok(())
    }
}

impl Store {
    /// An item marked spam stops counting for its author; taken out of spam, it counts again.
    pub(super) fn recount_spam(
        &self,
        p: &mut Batch<'_>,
        before: &Item,
        after: &Item,
    ) -> Result<()> {
        let (was, is) = (before.status == Status::Spam, after.status == Status::Spam);
        if was == is {
            return Ok(());
        }
        if let Some(mut i) = item_interaction(after, 0) {
            i.delta = if is { -1 } else { 1 };
            self.count_interaction(&mut p.members, &i, None);
        }
        Ok(())
    }
}
