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
//! entries. Counting, linking and every index change go through `Touched`, which `Pending::commit`
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

use super::keys;
use super::write::{Pending, WriteState};
use super::{decode, encode, Result, Store};
use crate::domain::member::{
    self, day_of, desc_bytes, link_key, Act, Buckets, MemberId, Period, Scoring, Source,
};
use crate::domain::{Author, Item, ItemId, Platform, Status, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};

pub const RANK: u8 = b'R';
pub const EXPIRE: u8 = b'E';
pub const LOOKUP: u8 = b'K';
pub const MTAG: u8 = b'T';
pub const BY_AUTHOR: u8 = b'G';
/// Schema 3 kept a key per (member, item) here; schema 4 turned them into posting lists.
const OLD_BY_AUTHOR: u8 = b'g';
/// The opinion-leader ranking: followers × the 30-day score.
pub const LEADERS: u8 = b'l';
/// Interactions counted but not yet applied (see the module comment).
pub const UNRANKED: u8 = b'U';
/// Ranking scopes (the third byte of an `R` key): a person on one platform is ranked once, in
/// that platform's code; a person on several is ranked by their total in scope 0 and by their
/// part on each platform in `code | PART`. The ranking of every platform merges scope 0 with each
/// platform's code; the ranking of one platform merges its code with `code | PART`.
pub const PART: u8 = 0x80;

/// Interactions applied per settle batch (bounds its memory; persons coalesce within it).
const SETTLE_BATCH: u64 = 100_000;
/// Interactions per stored chunk (~20 KB).
const CHUNK: usize = 256;

/// An internal note on a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberNote {
    pub at: Timestamp,
    pub operator: String,
    pub text: String,
}

/// A reward given to a member ("rewarded on DATE with WHAT").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reward {
    pub at: Timestamp,
    pub operator: String,
    pub what: String,
}

/// One person on one platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub id: MemberId,
    pub platform: Platform,
    pub author_id: String,
    pub handle: Option<String>,
    pub name: Option<String>,
    pub followers: Option<u64>,
    /// When the handle, name and followers above were seen (each keeps its newest sighting, so
    /// the order in which items arrive does not matter).
    pub profile_at: [Timestamp; 3],
    /// First and last item or reaction seen, spam included.
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    pub buckets: Buckets,
    /// The root of this member's person (itself when not linked).
    pub person: MemberId,
    /// On a root of linked members: the whole group, sorted (empty when not linked).
    pub group: Vec<MemberId>,
    pub tags: Vec<String>,
    pub notes: Vec<MemberNote>,
    pub rewards: Vec<Reward>,
    /// Ranking entries this member holds as a person's root.
    pub indexed: Vec<Vec<u8>>,
}

impl Member {
    fn new(id: MemberId, platform: Platform, author_id: &str) -> Member {
        Member {
            id,
            platform,
            author_id: author_id.to_string(),
            handle: None,
            name: None,
            followers: None,
            profile_at: [Timestamp(i64::MIN); 3],
            first_seen: Timestamp(i64::MAX),
            last_seen: Timestamp(i64::MIN),
            buckets: Buckets::default(),
            person: id,
            group: Vec::new(),
            tags: Vec::new(),
            notes: Vec::new(),
            rewards: Vec::new(),
            indexed: Vec::new(),
        }
    }

    /// The best short label: name, else handle, else id. Raw text; sanitize before display.
    pub fn label(&self) -> &str {
        self.name
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .or(self.handle.as_deref())
            .unwrap_or(&self.author_id)
    }

    fn see(&mut self, author: &Author, at: Timestamp) {
        self.first_seen = self.first_seen.min(at);
        self.last_seen = self.last_seen.max(at);
        if author.handle.is_some() && at >= self.profile_at[0] {
            self.profile_at[0] = at;
            self.handle = author.handle.clone();
        }
        if author.name.is_some() && at >= self.profile_at[1] {
            self.profile_at[1] = at;
            self.name = author.name.clone();
        }
        if author.followers.is_some() && at >= self.profile_at[2] {
            self.profile_at[2] = at;
            self.followers = author.followers;
        }
    }
}

pub fn member_key(id: MemberId) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = keys::MEMBER;
    k[1..].copy_from_slice(&id.to_bytes());
    k
}

/// The posting list of a member's items.
pub fn by_author_prefix(id: MemberId) -> Vec<u8> {
    let mut k = vec![BY_AUTHOR];
    k.extend_from_slice(&id.to_bytes());
    k
}

fn rank_key(code: u8, scope: u8, key: f64, person: MemberId) -> Vec<u8> {
    let mut k = vec![RANK, code, scope];
    k.extend_from_slice(&desc_bytes(key));
    k.extend_from_slice(&person.to_bytes());
    k
}
fn unranked_key(seq: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = UNRANKED;
    k[1..].copy_from_slice(&seq.to_be_bytes());
    k
}
fn expire_key(code: u8, day: u32, person: MemberId) -> Vec<u8> {
    let mut k = vec![EXPIRE, code];
    k.extend_from_slice(&day.to_be_bytes());
    k.extend_from_slice(&person.to_bytes());
    k
}
fn text_key(space: u8, sub: Option<u8>, text: &str, id: MemberId) -> Vec<u8> {
    let mut k = vec![space];
    k.extend(sub);
    k.extend(text.bytes().filter(|&b| b != 0));
    k.push(0);
    k.extend_from_slice(&id.to_bytes());
    k
}
pub fn handle_norm(h: &str) -> String {
    h.trim().trim_start_matches('@').to_lowercase()
}
pub fn tag_norm(t: &str) -> String {
    t.trim().to_lowercase()
}

/// Handle, suggestion and tag keys of a record.
fn lookup_keys(m: &Member) -> BTreeSet<Vec<u8>> {
    let mut out = BTreeSet::new();
    if let Some(h) = m
        .handle
        .as_deref()
        .map(handle_norm)
        .filter(|h| !h.is_empty())
    {
        out.insert(text_key(LOOKUP, Some(b'h'), &h, m.id));
    }
    for s in [m.handle.as_deref(), m.name.as_deref()]
        .into_iter()
        .flatten()
    {
        if let Some(k) = link_key(s) {
            out.insert(text_key(LOOKUP, Some(b's'), &k, m.id));
        }
    }
    for t in &m.tags {
        out.insert(text_key(MTAG, None, &tag_norm(t), m.id));
    }
    out
}

/// Members loaded and changed by one batch.
#[derive(Default)]
pub(super) struct Touched {
    records: HashMap<MemberId, Member>,
    /// Lookup keys of each record as it was loaded (None = new record).
    loaded: HashMap<MemberId, Option<BTreeSet<Vec<u8>>>>,
    dirty: HashSet<MemberId>,
    persons: BTreeSet<MemberId>,
    /// Roots that stopped being roots: their index entries go.
    demoted: BTreeSet<MemberId>,
    /// Author ids resolved in this batch.
    resolved: HashMap<(Platform, String), MemberId>,
    /// Interactions this batch counts, written as its chunk for `settle_members`.
    counted: Vec<Counted>,
}

impl Touched {
    pub(super) fn is_empty(&self) -> bool {
        self.dirty.is_empty()
            && self.persons.is_empty()
            && self.demoted.is_empty()
            && self.counted.is_empty()
    }
}

/// One interaction waiting in a chunk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Counted {
    platform: Platform,
    author: Author,
    act: Act,
    at: Timestamp,
    stored_at: Timestamp,
    delta: i64,
    /// The item, when this counts a new one (for the author index).
    item: Option<ItemId>,
}

/// Everything needed to count one interaction.
pub(super) struct Interaction<'a> {
    pub platform: Platform,
    pub author: &'a Author,
    pub act: Act,
    pub at: Timestamp,
    /// When kith stored it: an interaction never counts on a day after it was stored.
    pub stored_at: Timestamp,
    /// +1 to count, -1 to take back (an item marked spam), 0 only to see the author.
    pub delta: i64,
}

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
        match self.db.get(member_key(id))? {
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
    fn apply_counted(&self, t: &mut Touched, c: &Counted) -> Result<Option<MemberId>> {
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

    /// Interactions counted but not yet applied to members (see `settle_members`).
    pub fn members_unsettled(&self) -> Result<u64> {
        Ok(self.read_counter(keys::counters::MEMBERS_PENDING)?.max(0) as u64)
    }

    /// Applies waiting interactions to the member records, author lists and ranking: chunks in
    /// the order they were written, up to `SETTLE_BATCH` interactions per batch, until about
    /// `max` are applied or none wait. Ranks at the ranking's own day (`now` only when the
    /// store never ranked): moving the day is `roll_members`' job. Returns (interactions
    /// applied, whether some still wait).
    pub fn settle_members(&self, max: u64, now: Timestamp) -> Result<(u64, bool)> {
        let mut done = 0u64;
        loop {
            if self.db.scan_prefix([UNRANKED]).next().is_none() {
                return Ok((done, false));
            }
            if done >= max.max(1) {
                return Ok((done, true));
            }
            let mut state = self.lock_writer();
            let at = self.ranking_time(&mut state, now)?;
            let mut p = Pending::new(self);
            let mut t = Touched::default();
            let mut n = 0u64;
            for kv in self.db.scan_prefix([UNRANKED]) {
                let (k, v) = kv?;
                let chunk: Vec<Counted> = decode(&v)?;
                for c in &chunk {
                    if let (Some(id), Some(item)) = (self.apply_counted(&mut t, c)?, c.item) {
                        p.lists.add(&by_author_prefix(id), item);
                    }
                }
                n += chunk.len() as u64;
                p.batch.remove(k);
                if n >= SETTLE_BATCH {
                    break;
                }
            }
            p.members = t;
            p.bump(keys::counters::MEMBERS_PENDING.into(), -(n as i64));
            p.commit(&mut state, "kith", at)?;
            done += n;
        }
    }

    /// A time on the ranking's own day (`now` when the store never ranked): what work that must
    /// not move the ranking's day commits with (moving it is `roll_members`' job).
    fn ranking_time(&self, state: &mut WriteState, now: Timestamp) -> Result<Timestamp> {
        Ok(match self.rank_day(state)? {
            Some(day) => Timestamp(day as i64 * member::MS_PER_DAY),
            None => now,
        })
    }

    /// The effective ranking day: the store's rank day never goes back.
    pub(super) fn rank_day(&self, state: &mut WriteState) -> Result<Option<u32>> {
        if state.rank_day.is_none() {
            state.rank_day = match self.db.get(keys::meta("rank_day"))? {
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
        p: &mut Pending<'_>,
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
                for kv in self.db.range(lo..hi) {
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
        p: &mut Pending<'_>,
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

/// A person's ranking and expiry entries: every period for every platform scope it has.
fn index_entries(
    members: &[&Member],
    root: MemberId,
    today: u32,
    scoring: &Scoring,
) -> BTreeSet<Vec<u8>> {
    let mut out = BTreeSet::new();
    let mut platforms: Vec<Platform> = members.iter().map(|m| m.platform).collect();
    platforms.sort_by_key(|p| p.code());
    platforms.dedup();
    let followers = members
        .iter()
        .filter_map(|m| m.followers)
        .max()
        .unwrap_or(0);
    // See `Scope`: one entry per period for a person on one platform, else the total and one
    // per platform.
    let all = sources(members, None);
    let mut scopes: Vec<(u8, Vec<Source<'_>>)> = Vec::new();
    if let [only] = platforms[..] {
        scopes.push((only.code(), sources(members, None)));
    } else {
        scopes.push((0, sources(members, None)));
        for pl in &platforms {
            scopes.push((pl.code() | PART, sources(members, Some(*pl))));
        }
    }
    for (scope, src) in &scopes {
        for period in Period::ALL {
            let Some(key) = member::rank_key(src, period, today, scoring) else {
                continue;
            };
            out.insert(rank_key(period.code(), *scope, key, root));
            if period == Period::Month {
                let lk = member::leader_key(key, followers);
                out.insert(rank_key(LEADERS, *scope, lk, root));
            }
        }
    }
    for period in Period::ALL {
        if let Some(day) = member::expiry(&all, period, today) {
            out.insert(expire_key(period.code(), day, root));
        }
    }
    out
}

fn sources<'a>(members: &[&'a Member], only: Option<Platform>) -> Vec<Source<'a>> {
    members
        .iter()
        .filter(|m| only.is_none_or(|p| p == m.platform))
        .map(|m| Source {
            platform: m.platform,
            buckets: &m.buckets,
        })
        .collect()
}

/// The interaction an item counts as, when it counts at all.
pub(super) fn item_interaction(item: &Item, delta: i64) -> Option<Interaction<'_>> {
    if item.is_ours() {
        return None;
    }
    Some(Interaction {
        platform: item.platform,
        author: &item.author,
        act: Act::from(item.kind),
        at: item.created_at,
        stored_at: item.received_at,
        delta: if item.status == Status::Spam {
            0
        } else {
            delta
        },
    })
}

/// Errors of member operations that the caller can act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MemberOutcome {
    Done,
    NotFound,
    AlreadyLinked,
    NotLinked,
    /// Someone in this person was rewarded before: the latest reward.
    AlreadyRewarded(Reward),
}

/// A change to members made by an operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberChange {
    Link(MemberId, MemberId),
    Unlink(MemberId),
    Tag {
        id: MemberId,
        tag: String,
        on: bool,
    },
    Note {
        id: MemberId,
        text: String,
    },
    Reward {
        id: MemberId,
        what: String,
        force: bool,
    },
}

impl Store {
    /// Links, unlinks, tags, notes and rewards, each one audited batch.
    pub fn member_change(
        &self,
        change: &MemberChange,
        operator: &str,
        now: Timestamp,
    ) -> Result<MemberOutcome> {
        let mut state = self.lock_writer();
        let mut p = Pending::new(self);
        let mut t = Touched::default();
        let (action, detail) = match change {
            MemberChange::Link(a, b) => {
                let (Some(ra), Some(rb)) =
                    (self.person_of(&mut t, *a)?, self.person_of(&mut t, *b)?)
                else {
                    return Ok(MemberOutcome::NotFound);
                };
                if ra == rb {
                    return Ok(MemberOutcome::AlreadyLinked);
                }
                let mut group: Vec<MemberId> = self.group_of(&mut t, ra)?;
                group.extend(self.group_of(&mut t, rb)?);
                group.sort();
                group.dedup();
                self.regroup(&mut t, &group, &[ra, rb])?;
                ("member-link", format!("{a} + {b}"))
            }
            MemberChange::Unlink(id) => {
                let Some(root) = self.person_of(&mut t, *id)? else {
                    return Ok(MemberOutcome::NotFound);
                };
                let group = self.group_of(&mut t, root)?;
                if group.len() < 2 {
                    return Ok(MemberOutcome::NotLinked);
                }
                let rest: Vec<MemberId> = group.iter().copied().filter(|g| g != id).collect();
                self.regroup(&mut t, &[*id], &[root])?;
                self.regroup(&mut t, &rest, &[root])?;
                ("member-unlink", format!("{id}"))
            }
            MemberChange::Tag { id, tag, on } => {
                let tag = tag.trim().to_string();
                let Some(m) = self.touch(&mut t, *id)? else {
                    return Ok(MemberOutcome::NotFound);
                };
                let had = m.tags.iter().any(|x| tag_norm(x) == tag_norm(&tag));
                if had == *on || tag.is_empty() {
                    return Ok(MemberOutcome::Done);
                }
                if *on {
                    m.tags.push(tag.clone());
                } else {
                    m.tags.retain(|x| tag_norm(x) != tag_norm(&tag));
                }
                t.dirty.insert(*id);
                (
                    if *on { "member-tag" } else { "member-untag" },
                    format!("{id} {tag}"),
                )
            }
            MemberChange::Note { id, text } => {
                let Some(m) = self.touch(&mut t, *id)? else {
                    return Ok(MemberOutcome::NotFound);
                };
                m.notes.push(MemberNote {
                    at: now,
                    operator: operator.to_string(),
                    text: text.clone(),
                });
                t.dirty.insert(*id);
                ("member-note", format!("{id} {text}"))
            }
            MemberChange::Reward { id, what, force } => {
                let Some(root) = self.person_of(&mut t, *id)? else {
                    return Ok(MemberOutcome::NotFound);
                };
                let group = self.group_of(&mut t, root)?;
                let last = group
                    .iter()
                    .filter_map(|g| t.records.get(g))
                    .flat_map(|m| m.rewards.iter())
                    .max_by_key(|r| r.at)
                    .cloned();
                if let (Some(last), false) = (last, *force) {
                    return Ok(MemberOutcome::AlreadyRewarded(last));
                }
                let m = t.records.get_mut(id).expect("loaded by person_of");
                m.rewards.push(Reward {
                    at: now,
                    operator: operator.to_string(),
                    what: what.clone(),
                });
                t.dirty.insert(*id);
                ("member-reward", format!("{id} {what}"))
            }
        };
        p.members = t;
        p.audit(action, None, None, Some(detail));
        p.commit(&mut state, operator, now)?;
        Ok(MemberOutcome::Done)
    }

    fn person_of(&self, t: &mut Touched, id: MemberId) -> Result<Option<MemberId>> {
        Ok(self.touch(t, id)?.map(|m| m.person))
    }

    fn group_of(&self, t: &mut Touched, root: MemberId) -> Result<Vec<MemberId>> {
        let Some(r) = self.touch(t, root)? else {
            return Ok(vec![]);
        };
        let g = if r.group.is_empty() {
            vec![root]
        } else {
            r.group.clone()
        };
        for id in &g {
            self.touch(t, *id)?;
        }
        Ok(g)
    }

    /// Makes `group` one person under its lowest id; `old_roots` lose their entries unless one
    /// of them is the new root.
    fn regroup(&self, t: &mut Touched, group: &[MemberId], old_roots: &[MemberId]) -> Result<()> {
        let Some(&root) = group.iter().min() else {
            return Ok(());
        };
        for id in group {
            self.touch(t, *id)?;
            if let Some(m) = t.records.get_mut(id) {
                m.person = root;
                m.group = if *id == root && group.len() > 1 {
                    group.to_vec()
                } else {
                    Vec::new()
                };
                t.dirty.insert(*id);
            }
        }
        for r in old_roots {
            if *r != root {
                t.demoted.insert(*r);
            }
        }
        t.persons.insert(root);
        Ok(())
    }
}

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
        let mut p = Pending::new(self);
        // Every old segment goes in this batch: the lists are written from scratch.
        p.lists = super::postings::ListChanges::replacing();
        // What people entered, by (platform, author id).
        let mut kept: HashMap<(Platform, String), Member> = HashMap::new();
        for kv in self.db.scan_prefix([keys::MEMBER]) {
            let (k, v) = kv?;
            p.batch.remove(k);
            let m: Member = decode(&v)?;
            kept.insert((m.platform, m.author_id.clone()), m);
        }
        for space in [RANK, EXPIRE, LOOKUP, MTAG, BY_AUTHOR, UNRANKED] {
            for kv in self.db.scan_prefix([space]) {
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
        for kv in self.db.scan_prefix([keys::ITEM]) {
            let (_, v) = kv?;
            let item: Item = decode(&v)?;
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
        p.audit("members-rebuild", None, None, Some(format!("{n} members")));
        p.commit(&mut state, "kith", now)?;
        state.rank_day = Some(today);
        Ok(n)
    }

    /// Records the scoring of an index that needs no rebuild (a store without items).
    pub fn set_index_scoring(&self, fingerprint: &str) -> Result<()> {
        self.db
            .insert(keys::meta("scoring"), encode(&fingerprint.to_string())?)?;
        self.db.flush()?;
        Ok(())
    }

    /// Whether the store holds no items and no members at all.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.db.scan_prefix([keys::ITEM]).next().is_none()
            && self.db.scan_prefix([keys::MEMBER]).next().is_none())
    }

    /// The scoring the index was built with (None on a store that never ranked).
    pub fn index_scoring(&self) -> Result<Option<String>> {
        match self.db.get(keys::meta("scoring"))? {
            Some(v) => Ok(Some(decode(&v)?)),
            None => Ok(None),
        }
    }

    /// Reactions as stored by sync: each one with its author and time when known; older marks
    /// without them count from the per-author totals at the author's last reaction.
    fn stored_reactions(&self) -> Result<Vec<(Platform, Author, Act, Timestamp)>> {
        let mut out = Vec::new();
        let mut counted: HashMap<(Platform, String), [u64; 3]> = HashMap::new();
        for kv in self.db.scan_prefix([keys::ACTIVITY]) {
            let (_, v) = kv?;
            if let Some((pl, author, act, at)) = super::sync::decode_mark(&v) {
                let c = counted.entry((pl, author.id.clone())).or_default();
                c[act.index() - Act::Like.index()] += 1;
                out.push((pl, author, act, at));
            }
        }
        for kv in self.db.scan_prefix([keys::REACTIONS]) {
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
    /// An item marked spam stops counting for its author; taken out of spam, it counts again.
    pub(super) fn recount_spam(
        &self,
        p: &mut Pending<'_>,
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

    /// Schema 4: a member's items are a posting list (one segment per settle, not one key per
    /// item). The old keys, sorted by member, become lists in batches of 50,000: a crash leaves
    /// the rest of the old keys to the next open, which goes on from there.
    pub(super) fn migrate_author_lists(&self) -> Result<()> {
        loop {
            let mut state = self.lock_writer();
            let mut p = Pending::new(self);
            let mut n = 0usize;
            for kv in self.db.scan_prefix([OLD_BY_AUTHOR]).take(50_000) {
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
        self.db.insert(keys::meta("schema"), encode(&4u32)?)?;
        self.db.flush()?;
        Ok(())
    }

    /// Schema 5: a person on one platform is ranked once (see `PART`). Every person's entries
    /// are written again from their records, 20,000 persons per batch; the old-layout keys go
    /// first (a crash before the schema mark starts over, harmlessly).
    pub(super) fn migrate_rank_scopes(&self) -> Result<()> {
        let mut batch = sled::Batch::default();
        for kv in self.db.scan_prefix([RANK]) {
            batch.remove(kv?.0);
        }
        self.db.apply_batch(batch)?;
        let mut from = vec![keys::MEMBER];
        loop {
            let mut state = self.lock_writer();
            let mut p = Pending::new(self);
            let mut t = Touched::default();
            let mut n = 0;
            let mut last = None;
            for kv in self.db.range(from.clone()..).take(20_000) {
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
        self.db.insert(keys::meta("schema"), encode(&5u32)?)?;
        self.db.flush()?;
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
        for kv in self.db.scan_prefix([keys::MEMBER]) {
            batch.remove(kv?.0);
        }
        self.db.apply_batch(batch)?;
        self.rebuild_logged()?;
        self.db.insert(keys::meta("schema"), encode(&3u32)?)?;
        self.db.flush()?;
        Ok(())
    }
}
