//! Reading members: the ranking (an index read), a person's profile with the explanation of
//! their score, naming a member by id or handle, and link suggestions.

use super::batch::Batch;
use super::members::{
    by_author_prefix, handle_norm, tag_norm, Member, MemberNote, Reward, LEADERS, LOOKUP, MTAG,
    PART, RANK,
};
use super::{Result, Store};
use crate::domain::member::{self, day_of, MemberId, Period, Source, ACTS};
use crate::domain::{Platform, Timestamp};
use std::collections::{BTreeMap, BTreeSet};

pub use crate::domain::ranking::{Handle, Named, Profile, RankQuery, Ranked, Ranking, Suggestion};

impl From<&Member> for Handle {
    fn from(m: &Member) -> Handle {
        Handle {
            id: m.id,
            platform: m.platform,
            author_id: m.author_id.clone(),
            handle: m.handle.clone(),
            name: m.name.clone(),
            followers: m.followers,
        }
    }
}

impl Store {
    /// Brings the ranking up to date before a read: re-scores the persons counted since (see
    /// `settle_members`) and moves it to today when the day changed since the last write
    /// (re-scoring the persons whose window lost a day). Returns the ranking day.
    pub fn roll_members(&self, now: Timestamp) -> Result<u32> {
        self.settle_members(u64::MAX, now)?;
        let mut state = self.lock_writer();
        let stored = self.rank_day(&mut state)?;
        let today = stored.map_or(day_of(now), |d| d.max(day_of(now)));
        if stored != Some(today) {
            Batch::new(self).commit(&mut state, "kith", now)?;
        }
        Ok(today)
    }

    /// Applies every waiting interaction (a read of members, handles or authors' items needs
    /// them; see `settle_members`). Cheap when none wait.
    pub(super) fn settled(&self) -> Result<()> {
        self.settle_members(u64::MAX, Timestamp::now())?;
        Ok(())
    }

    /// A person's accounts (root first).
    fn person_members(&self, root: MemberId) -> Result<Vec<Member>> {
        let Some(r) = self.member_record(root)? else {
            return Ok(vec![]);
        };
        if r.group.is_empty() {
            return Ok(vec![r]);
        }
        let mut out = vec![];
        for id in r.group.iter().filter(|g| **g != root) {
            if let Some(m) = self.member_record(*id)? {
                out.push(m);
            }
        }
        out.insert(0, r);
        Ok(out)
    }

    fn row(
        &self,
        members: &[Member],
        period: Period,
        scope: Option<Platform>,
        today: u32,
        rank: usize,
    ) -> Ranked {
        let scoring = self.scoring();
        let src: Vec<Source<'_>> = members
            .iter()
            .filter(|m| scope.is_none_or(|p| p == m.platform))
            .map(|m| Source {
                platform: m.platform,
                buckets: &m.buckets,
            })
            .collect();
        let now = member::explain(&src, period, today, 0, &scoring);
        let previous = (period != Period::All)
            .then(|| member::explain(&src, period, today, 1, &scoring).score);
        let mut counts = [0u64; ACTS];
        for p in &now.parts {
            counts[p.kind.index()] += p.count;
        }
        let mut tags: Vec<String> = Vec::new();
        for t in members.iter().flat_map(|m| m.tags.iter()) {
            if !tags.iter().any(|x| tag_norm(x) == tag_norm(t)) {
                tags.push(t.clone());
            }
        }
        // The accounts on the scope's platform come first (they name the row).
        let mut handles: Vec<Handle> = members.iter().map(Handle::from).collect();
        if let Some(p) = scope {
            handles.sort_by_key(|h| h.platform != p);
        }
        Ranked {
            rank,
            person: members.first().map(|m| m.person).unwrap_or(MemberId(0)),
            members: handles,
            score: now.score,
            previous,
            trend: previous.map(|p| member::trend(now.score, p)),
            counts,
            series: member::series(&src, period, today),
            followers: members
                .iter()
                .filter_map(|m| m.followers)
                .max()
                .unwrap_or(0),
            last_seen: members
                .iter()
                .map(|m| m.last_seen)
                .max()
                .unwrap_or_default(),
            tags,
            last_reward: members
                .iter()
                .flat_map(|m| m.rewards.iter())
                .max_by_key(|r| r.at)
                .cloned(),
        }
    }

    /// One page of a ranking, read from the index (a tag filter reads the tag's members).
    pub fn members_top(&self, q: &RankQuery, now: Timestamp) -> Result<Ranking> {
        let today = self.roll_members(now)?;
        let period = if q.leaders { Period::Month } else { q.period };
        let limit = q.limit.clamp(1, 10_000);
        let code = if q.leaders { LEADERS } else { period.code() };
        let mut rows = Vec::with_capacity(limit);
        let mut more = false;
        if let Some(tag) = q.tag.as_deref().map(tag_norm).filter(|t| !t.is_empty()) {
            let mut prefix = vec![MTAG];
            prefix.extend(tag.bytes().filter(|&b| b != 0));
            prefix.push(0);
            let mut persons = BTreeSet::new();
            for kv in self.db().scan_prefix(&prefix) {
                let (k, _) = kv?;
                if let Some(m) = k
                    .get(prefix.len()..)
                    .and_then(MemberId::from_bytes)
                    .and_then(|id| self.member_record(id).transpose())
                {
                    persons.insert(m?.person);
                }
            }
            let mut scored = Vec::new();
            for root in persons {
                let members = self.person_members(root)?;
                if q.platform
                    .is_some_and(|p| !members.iter().any(|m| m.platform == p))
                {
                    continue;
                }
                let row = self.row(&members, period, q.platform, today, 0);
                let key = if q.leaders {
                    row.influence()
                } else {
                    row.score
                };
                scored.push((key, row));
            }
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.person.cmp(&b.1.person)));
            more = scored.len() > q.offset + limit;
            for (i, (_, mut row)) in scored.into_iter().skip(q.offset).take(limit).enumerate() {
                row.rank = q.offset + i + 1;
                rows.push(row);
            }
        } else {
            for (i, root) in self.ranked(code, q.platform).skip(q.offset).enumerate() {
                if rows.len() == limit {
                    more = true;
                    break;
                }
                let root = root?;
                let members = self.person_members(root)?;
                if members.is_empty() {
                    continue;
                }
                rows.push(self.row(&members, period, q.platform, today, q.offset + i + 1));
            }
        }
        Ok(Ranking {
            rows,
            more,
            day: today,
        })
    }

    /// Everything about the person a member belongs to, for a period.
    pub fn member_profile(
        &self,
        id: MemberId,
        period: Period,
        now: Timestamp,
    ) -> Result<Option<Profile>> {
        let today = self.roll_members(now)?;
        let Some(m) = self.member_record(id)? else {
            return Ok(None);
        };
        let members = self.person_members(m.person)?;
        let scoring = self.scoring();
        let src: Vec<Source<'_>> = members
            .iter()
            .map(|m| Source {
                platform: m.platform,
                buckets: &m.buckets,
            })
            .collect();
        let explained = member::explain(&src, period, today, 0, &scoring);
        let mut totals = [0u64; ACTS];
        for m in &members {
            for (i, c) in m.buckets.totals().iter().enumerate() {
                totals[i] += c;
            }
        }
        let rank = self.rank_of(m.person, period)?;
        let mut row = self.row(&members, period, None, today, rank.unwrap_or(0));
        row.rank = rank.unwrap_or(0);
        let mut notes: Vec<(MemberId, MemberNote)> = members
            .iter()
            .flat_map(|m| m.notes.iter().map(|n| (m.id, n.clone())))
            .collect();
        notes.sort_by_key(|(_, n)| n.at);
        let mut rewards: Vec<(MemberId, Reward)> = members
            .iter()
            .flat_map(|m| m.rewards.iter().map(|r| (m.id, r.clone())))
            .collect();
        rewards.sort_by_key(|(_, r)| r.at);
        Ok(Some(Profile {
            row,
            period,
            explained,
            first_seen: members
                .iter()
                .map(|m| m.first_seen)
                .min()
                .unwrap_or_default(),
            notes,
            rewards,
            suggestions: self.suggest_for(&members, 10)?,
            totals,
        }))
    }

    /// A person's place in a period's ranking, counted from the top of the index. Only the
    /// first 10,000 places are counted; further down is "not in the top".
    pub fn rank_of(&self, person: MemberId, period: Period) -> Result<Option<usize>> {
        for (i, root) in self.ranked(period.code(), None).take(10_000).enumerate() {
            if root? == person {
                return Ok(Some(i + 1));
            }
        }
        Ok(None)
    }

    /// Persons in ranking order for a period (or the leaders) on every platform or one: the
    /// merge of the index scopes that make it up (see `members::PART`).
    fn ranked(
        &self,
        code: u8,
        platform: Option<Platform>,
    ) -> impl Iterator<Item = Result<MemberId>> + '_ {
        let scopes: Vec<u8> = match platform {
            Some(p) => vec![p.code(), p.code() | PART],
            None => std::iter::once(0)
                .chain(Platform::ALL.iter().map(|p| p.code()))
                .collect(),
        };
        let mut iters: Vec<sled::Iter> = scopes
            .iter()
            .map(|s| self.db().scan_prefix([RANK, code, *s]))
            .collect();
        // The next key of each scope; keys compare past their 3-byte prefix (score, person).
        let mut heads: Vec<Option<sled::IVec>> = Vec::with_capacity(iters.len());
        let mut failed: Option<super::StoreError> = None;
        for it in &mut iters {
            match it.next().transpose() {
                Ok(kv) => heads.push(kv.map(|(k, _)| k)),
                Err(e) => {
                    failed.get_or_insert(e.into());
                    heads.push(None);
                }
            }
        }
        std::iter::from_fn(move || {
            if let Some(e) = failed.take() {
                return Some(Err(e));
            }
            let best = (0..heads.len())
                .filter_map(|i| heads[i].as_ref().map(|k| (i, k)))
                .min_by(|a, b| a.1.get(3..).cmp(&b.1.get(3..)))
                .map(|(i, _)| i)?;
            let key = match iters[best].next().transpose() {
                Ok(next) => std::mem::replace(&mut heads[best], next.map(|(k, _)| k)),
                Err(e) => return Some(Err(e.into())),
            }?;
            Some(
                key.get(11..19)
                    .and_then(MemberId::from_bytes)
                    .ok_or_else(|| super::StoreError::Corrupt("ranking key".into())),
            )
        })
    }

    /// Every account of the person `id` belongs to (just `id` when it is linked to none).
    pub fn person_accounts(&self, id: MemberId) -> Result<Vec<MemberId>> {
        let Some(m) = self.member_record(id)? else {
            return Ok(vec![]);
        };
        Ok(self
            .person_members(m.person)?
            .iter()
            .map(|m| m.id)
            .collect())
    }

    /// Names a member: kith's id (`m…`), `platform:handle`, `platform:author-id`, or a handle.
    pub fn resolve_member(&self, name: &str) -> Result<Named> {
        self.settled()?;
        let name = name.trim();
        if let Ok(id) = name.parse::<MemberId>() {
            if self.member_record(id)?.is_some() {
                return Ok(Named::Found(id));
            }
        }
        let (platform, handle) = match name.split_once(':') {
            Some((p, h)) => match p.parse::<Platform>() {
                Ok(p) => (Some(p), h),
                Err(_) => (None, name),
            },
            None => (None, name),
        };
        if let Some(p) = platform {
            if let Some(m) = self.member(p, handle)? {
                return Ok(Named::Found(m.id));
            }
        }
        let norm = handle_norm(handle);
        if norm.is_empty() {
            return Ok(Named::NotFound);
        }
        let mut prefix = vec![LOOKUP, b'h'];
        prefix.extend(norm.bytes().filter(|&b| b != 0));
        prefix.push(0);
        let mut found = Vec::new();
        for kv in self.db().scan_prefix(&prefix) {
            let (k, _) = kv?;
            let Some(id) = k.get(prefix.len()..).and_then(MemberId::from_bytes) else {
                continue;
            };
            if let Some(m) = self.member_record(id)? {
                if platform.is_none_or(|p| p == m.platform) {
                    found.push(Handle::from(&m));
                }
            }
        }
        Ok(match found.len() {
            0 => Named::NotFound,
            1 => Named::Found(found[0].id),
            _ => Named::Ambiguous(found),
        })
    }

    /// Accounts on other platforms sharing a handle or name with this person's, not linked.
    fn suggest_for(&self, members: &[Member], limit: usize) -> Result<Vec<Handle>> {
        let ids: BTreeSet<MemberId> = members.iter().map(|m| m.id).collect();
        let platforms: BTreeSet<u8> = members.iter().map(|m| m.platform.code()).collect();
        let mut out: Vec<Handle> = Vec::new();
        for m in members {
            for s in [m.handle.as_deref(), m.name.as_deref()]
                .into_iter()
                .flatten()
            {
                let Some(k) = member::link_key(s) else {
                    continue;
                };
                let mut prefix = vec![LOOKUP, b's'];
                prefix.extend(k.bytes());
                prefix.push(0);
                for kv in self.db().scan_prefix(&prefix).take(200) {
                    let (key, _) = kv?;
                    let Some(id) = key.get(prefix.len()..).and_then(MemberId::from_bytes) else {
                        continue;
                    };
                    if ids.contains(&id) || out.iter().any(|h| h.id == id) {
                        continue;
                    }
                    if let Some(o) = self.member_record(id)? {
                        if !platforms.contains(&o.platform.code()) && o.person != m.person {
                            out.push(Handle::from(&o));
                        }
                    }
                    if out.len() >= limit {
                        return Ok(out);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Likely links across the whole store: accounts on different platforms, not linked, that
    /// share a handle or name. Reads the suggestion keys once.
    pub fn link_suggestions(&self, limit: usize) -> Result<Vec<Suggestion>> {
        self.settled()?;
        let mut by_key: BTreeMap<Vec<u8>, Vec<MemberId>> = BTreeMap::new();
        let mut out = Vec::new();
        let flush = |key: &[u8], ids: &[MemberId], out: &mut Vec<Suggestion>| -> Result<()> {
            if ids.len() < 2 || ids.len() > 20 {
                return Ok(());
            }
            let recs: Vec<Member> = ids
                .iter()
                .filter_map(|id| self.member_record(*id).transpose())
                .collect::<Result<_>>()?;
            for (i, a) in recs.iter().enumerate() {
                for b in &recs[i + 1..] {
                    if a.platform != b.platform
                        && a.person != b.person
                        && !out
                            .iter()
                            .any(|s: &Suggestion| s.a.id == a.id && s.b.id == b.id)
                    {
                        out.push(Suggestion {
                            a: Handle::from(a),
                            b: Handle::from(b),
                            because: String::from_utf8_lossy(key).into_owned(),
                        });
                    }
                }
            }
            Ok(())
        };
        for kv in self.db().scan_prefix([LOOKUP, b's']) {
            let (k, _) = kv?;
            let Some(zero) = k.len().checked_sub(9) else {
                continue;
            };
            let text = k[2..zero].to_vec();
            let Some(id) = MemberId::from_bytes(&k[zero + 1..]) else {
                continue;
            };
            if let Some((last, _)) = by_key.iter().next_back() {
                if *last != text {
                    let (lk, ids) = by_key.pop_last().expect("non-empty");
                    flush(&lk, &ids, &mut out)?;
                    if out.len() >= limit {
                        break;
                    }
                }
            }
            by_key.entry(text).or_default().push(id);
        }
        if out.len() < limit {
            if let Some((lk, ids)) = by_key.pop_last() {
                flush(&lk, &ids, &mut out)?;
            }
        }
        out.truncate(limit);
        Ok(out)
    }

    /// Ids of the items a member wrote, newest first.
    pub fn member_items(&self, id: MemberId, limit: usize) -> Result<Vec<crate::domain::ItemId>> {
        self.settled()?;
        self.index_ids(by_author_prefix(id), None, None, false)
            .take(limit)
            .collect()
    }
}
