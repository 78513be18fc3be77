//! Recomputing members from the items (`kith members rebuild`, and the schema migrations that
//! change member keys).

use super::batch::Batch;
use super::keys;
use super::members::{
    by_author_prefix, index_entries, item_interaction, lookup_keys, member_key, Member, Touched,
    BY_AUTHOR, EXPIRE, LOOKUP, MTAG, RANK, TO_RANK, UNRANKED,
};
use super::{decode, encode, Result, Store};
use crate::domain::member::{day_of, Act, MemberId};
use crate::domain::{Author, Item, Platform, Timestamp};
use std::collections::HashMap;

/// Schema 3 kept a key per (member, item) here; schema 4 turned them into posting lists.
const OLD_BY_AUTHOR: u8 = b'g';

/// Progress of a rebuild: items read of the total.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

impl Store {
    /// Recomputes every member record, ranking entry, lookup and author index from the items and
    /// the stored reactions, keeping what people entered (links, tags, notes, rewards) and each
    /// member's id. One batch: a crash leaves the old state whole.
    pub fn rebuild_members(&self, now: Timestamp, progress: Progress<'_>) -> Result<u64> {
        let mut state = self.lock_writer();
        let today = self
            .rank_day(&mut state)?
            .map_or(day_of(now), |d| d.max(day_of(now)));
        let mut p = Batch::new(self);
        // Every old segment goes in this batch: the lists are written from scratch.
        p.lists = super::postings::ListChanges::replacing();
        // What people entered, by (platform, author id).
        let mut kept: HashMap<(Platform, String), Member> = HashMap::new();
        for kv in self.db().scan_prefix([keys::MEMBER]) {
            let (k, v) = kv?;
            p.batch.remove(k);
            let m: Member = decode(&v)?;
            kept.insert((m.platform, m.author_id.clone()), m);
        }
        for space in [RANK, EXPIRE, LOOKUP, MTAG, BY_AUTHOR, UNRANKED, TO_RANK] {
            for kv in self.db().scan_prefix([space]) {
                p.batch.remove(kv?.0);
            }
        }
        let mut fresh: HashMap<MemberId, Member> = HashMap::new();
        let mut ids: HashMap<(Platform, String), MemberId> = HashMap::new();
        // Ids kept first, so a probed id stays with its owner.
        for ((pl, a), m) in &kept {
            ids.insert((*pl, a.clone()), m.id);
            let mut n = Member::new(m.id, *pl, a);
            n.person = m.person;
            n.group = m.group.clone();
            n.tags = m.tags.clone();
            n.notes = m.notes.clone();
            n.rewards = m.rewards.clone();
            fresh.insert(m.id, n);
        }
        let total = self.read_counter(keys::counters::TOTAL)?.max(0) as u64;
        let mut done = 0u64;
        let mut resolve = |fresh: &mut HashMap<MemberId, Member>, pl: Platform, a: &str| {
            if let Some(id) = ids.get(&(pl, a.to_string())) {
                return *id;
            }
            let mut id = MemberId::derive(pl, a);
            while fresh.contains_key(&id) {
                id = id.next();
            }
            fresh.insert(id, Member::new(id, pl, a));
            ids.insert((pl, a.to_string()), id);
            id
        };
        for item in self.all_items() {
            let item: Item = item?;
            let Some(i) = item_interaction(&item, 1) else {
                continue;
            };
            done += 1;
            if done % 10_000 == 0 {
                progress(done, total);
            }
            if i.author.id.is_empty() {
                continue;
            }
            let id = resolve(&mut fresh, i.platform, &i.author.id);
            p.lists.add(&by_author_prefix(id), item.id);
            let m = fresh.get_mut(&id).expect("resolved");
            m.see(i.author, i.at);
            if i.delta != 0 {
                m.buckets.add(day_of(i.at.min(i.stored_at)), i.act, i.delta);
            }
        }
        progress(done, total);
        for (pl, author, act, at) in self.stored_reactions()? {
            let id = resolve(&mut fresh, pl, &author.id);
            let m = fresh.get_mut(&id).expect("resolved");
            m.see(&author, at);
            m.buckets.add(day_of(at), act, 1);
        }
        let scoring = self.scoring();
        let n = fresh.len() as u64;
        let roots: Vec<MemberId> = fresh
            .values()
            .filter(|m| m.person == m.id)
            .map(|m| m.id)
            .collect();
        for root in roots {
            let r = &fresh[&root];
            let group = if r.group.is_empty() {
                vec![root]
            } else {
                r.group.clone()
            };
            let members: Vec<&Member> = group.iter().filter_map(|g| fresh.get(g)).collect();
            let entries = index_entries(&members, root, today, &scoring);
            for k in &entries {
                p.batch.insert(k.clone(), &[][..]);
            }
            if let Some(r) = fresh.get_mut(&root) {
                r.indexed = entries.into_iter().collect();
            }
        }
        for m in fresh.values() {
            for k in lookup_keys(m) {
                p.batch.insert(k, &[][..]);
            }
            p.batch.insert(&member_key(m.id)[..], encode(m)?);
        }
        p.batch.insert(keys::meta("rank_day"), encode(&today)?);
        p.batch
            .insert(keys::meta("scoring"), encode(&scoring.fingerprint())?);
        // The waiting chunks went with the other member keys: the items hold their counts.
        let waiting = self.counter_cached(&mut state, keys::counters::MEMBERS_PENDING)?;
        p.bump(keys::counters::MEMBERS_PENDING.into(), -waiting);
        let to_rank = self.counter_cached(&mut state, keys::counters::MEMBERS_TO_RANK)?;
        p.bump(keys::counters::MEMBERS_TO_RANK.into(), -to_rank);
        p.audit("members-rebuild", None, None, Some(format!("{n} members")));
        p.commit(&mut state, "kith", now)?;
        state.rank_day = Some(today);
        Ok(n)
    }

    /// Records the scoring of an index that needs no rebuild (a store without items).
    pub fn set_index_scoring(&self, fingerprint: &str) -> Result<()> {
        self.db()
            .insert(keys::meta("scoring"), encode(&fingerprint.to_string())?)?;
        self.db().flush()?;
        Ok(())
    }

    /// Whether the store holds no items and no members at all.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.db().scan_prefix([keys::ITEM]).next().is_none()
            && self.db().scan_prefix([keys::MEMBER]).next().is_none())
    }

    /// The scoring the index was built with (None on a store that never ranked).
    pub fn index_scoring(&self) -> Result<Option<String>> {
        match self.db().get(keys::meta("scoring"))? {
            Some(v) => Ok(Some(decode(&v)?)),
            None => Ok(None),
        }
    }

    /// Reactions as stored by sync: each one with its author and time when known; older marks
    /// without them count from the per-author totals at the author's last reaction.
    fn stored_reactions(&self) -> Result<Vec<(Platform, Author, Act, Timestamp)>> {
        let mut out = Vec::new();
        let mut counted: HashMap<(Platform, String), [u64; 3]> = HashMap::new();
        for kv in self.db().scan_prefix([keys::ACTIVITY]) {
            let (_, v) = kv?;
            if let Some((pl, author, act, at)) = super::sync::decode_mark(&v) {
                let c = counted.entry((pl, author.id.clone())).or_default();
                c[act.index() - Act::Like.index()] += 1;
                out.push((pl, author, act, at));
            }
        }
        for kv in self.db().scan_prefix([keys::REACTIONS]) {
            let (k, v) = kv?;
            let Some(pl) = k.get(1).and_then(|c| Platform::from_code(*c)) else {
                continue;
            };
            let id = k
                .get(4..)
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            let r: super::sync::Reactions = decode(&v)?;
            let c = counted.get(&(pl, id.clone())).copied().unwrap_or_default();
            let author = Author {
                id,
                handle: None,
                name: None,
                followers: None,
            };
            for (act, total, seen) in [
                (Act::Like, r.likes, c[0]),
                (Act::Repost, r.reposts, c[1]),
                (Act::Follow, r.follows, c[2]),
            ] {
                for _ in seen..total {
                    out.push((pl, author.clone(), act, r.last_at));
                }
            }
        }
        Ok(out)
    }
}

impl Store {
    /// Schema 4: a member's items are a posting list (one segment per settle, not one key per
    /// item). The old keys, sorted by member, become lists in batches of 50,000: a crash leaves
    /// the rest of the old keys to the next open, which goes on from there.
    pub(super) fn migrate_author_lists(&self) -> Result<()> {
        loop {
            let mut state = self.lock_writer();
            let mut p = Batch::new(self);
            let mut n = 0usize;
            for kv in self.db().scan_prefix([OLD_BY_AUTHOR]).take(50_000) {
                let (k, _) = kv?;
                let member = k.get(1..9).and_then(MemberId::from_bytes);
                if let (Some(m), Some(item)) = (member, keys::trailing_id(&k)) {
                    p.lists.add(&by_author_prefix(m), item);
                }
                p.batch.remove(k);
                n += 1;
            }
            if n == 0 {
                break;
            }
            let at = self.ranking_time(&mut state, Timestamp::now())?;
            p.commit(&mut state, "kith", at)?;
        }
        self.db().insert(keys::meta("schema"), encode(&4u32)?)?;
        self.db().flush()?;
        Ok(())
    }

    /// Schema 5: a person on one platform is ranked once (see `PART`). Schema 6: all time counts
    /// every interaction without decay. Both write every person's entries again from their
    /// records, 20,000 persons per batch; the old keys go first (a crash before the schema mark
    /// starts over, harmlessly). The keys are written with the scoring the store has while it
    /// opens (the defaults), and the recorded fingerprint says so: an engine configured with
    /// other weights sees the difference and re-scores.
    pub(super) fn rewrite_rankings(&self, schema: u32) -> Result<()> {
        let mut batch = sled::Batch::default();
        for kv in self.db().scan_prefix([RANK]) {
            batch.remove(kv?.0);
        }
        self.db().apply_batch(batch)?;
        let mut from = vec![keys::MEMBER];
        loop {
            let mut state = self.lock_writer();
            let mut p = Batch::new(self);
            let mut t = Touched::default();
            let mut n = 0;
            let mut last = None;
            for kv in self.db().range(from.clone()..).take(20_000) {
                let (k, v) = kv?;
                if k.first() != Some(&keys::MEMBER) {
                    break;
                }
                let mut m: Member = decode(&v)?;
                if m.person == m.id {
                    // Its old keys are gone: reindex writes them all.
                    m.indexed.clear();
                    t.loaded.insert(m.id, Some(lookup_keys(&m)));
                    t.persons.insert(m.id);
                    t.records.insert(m.id, m);
                }
                last = Some(k);
                n += 1;
            }
            let Some(last) = last else {
                break;
            };
            from = last.to_vec();
            from.push(0);
            p.members = t;
            let at = self.ranking_time(&mut state, Timestamp::now())?;
            p.commit(&mut state, "kith", at)?;
            if n < 20_000 {
                break;
            }
        }
        let mut batch = sled::Batch::default();
        batch.insert(
            keys::meta("scoring"),
            encode(&self.scoring().fingerprint())?,
        );
        batch.insert(keys::meta("schema"), encode(&schema)?);
        self.db().apply_batch(batch)?;
        self.db().flush()?;
        Ok(())
    }

    fn rebuild_logged(&self) -> Result<()> {
        let started = std::time::Instant::now();
        self.rebuild_members(Timestamp::now(), &mut |done, total| {
            if total > 50_000 {
                tracing::info!(
                    done,
                    total,
                    secs = started.elapsed().as_secs(),
                    "rebuilding members"
                );
            }
        })?;
        Ok(())
    }

    /// Schema 3: member records are keyed by member id and carry day buckets. The old records
    /// held only counts derived from items, so they go and everything is rebuilt.
    pub(super) fn migrate_members(&self) -> Result<()> {
        let mut batch = sled::Batch::default();
        for kv in self.db().scan_prefix([keys::MEMBER]) {
            batch.remove(kv?.0);
        }
        self.db().apply_batch(batch)?;
        self.rebuild_logged()?;
        self.db().insert(keys::meta("schema"), encode(&3u32)?)?;
        self.db().flush()?;
        Ok(())
    }
}
