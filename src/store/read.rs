//! Reads: items, pages by key seek (never by skipping), search over the word index, threads,
//! and the counts kith keeps. Reads take no lock and may run on any thread.

use super::keys::{self, counters};
use super::members::Member;
use super::postings::{self, ListIter};
use super::records::{Account, AuditEntry, Quarantined};
use super::write::searchable_text;
use super::{decode, Result, Store};
use crate::domain::query::{Filter, ListQuery, Overview, Page};
use crate::domain::search::{self, Query};
use crate::domain::{Item, ItemId, Kind, Platform, Status, Timestamp};
use std::collections::{HashSet, VecDeque};

/// How many index entries one page request may examine before it returns what it has with a
/// cursor to continue; keeps a rare filter from stalling the caller.
pub const SCAN_BUDGET: usize = 200_000;

pub(super) type IdIter<'a> = Box<dyn Iterator<Item = Result<ItemId>> + 'a>;

impl Store {
    pub fn get(&self, id: ItemId) -> Result<Option<Item>> {
        match self.item_bytes(id)? {
            Some(v) => Ok(Some(decode(&v)?)),
            None => Ok(None),
        }
    }

    pub fn read_counter(&self, name: &str) -> Result<i64> {
        Ok(match self.db().get(keys::counter(name))? {
            Some(v) if v.len() == 8 => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&v);
                i64::from_be_bytes(b)
            }
            _ => 0,
        })
    }

    fn count(&self, name: &str) -> Result<u64> {
        Ok(self.read_counter(name)?.max(0) as u64)
    }

    pub fn accounts(&self) -> Result<Vec<Account>> {
        self.db()
            .scan_prefix([keys::ACCOUNT])
            .map(|kv| decode(&kv?.1))
            .collect()
    }

    pub fn is_demo(&self) -> Result<bool> {
        Ok(match self.db().get(keys::meta("demo"))? {
            Some(v) => decode(&v)?,
            None => false,
        })
    }

    /// Counts for every view, from the counters kept on write.
    pub fn overview(&self) -> Result<Overview> {
        let mut o = Overview {
            total: self.count(counters::TOTAL)?,
            demo: self.is_demo()?,
            ..Overview::default()
        };
        for s in Status::ALL {
            o.by_status.push((s, self.count(&counters::status(s))?));
        }
        for p in Platform::ALL {
            let n = self.count(&counters::platform(p))?;
            if n > 0 {
                o.by_platform.push((p, n));
                o.new_by_platform
                    .push((p, self.count(&counters::platform_new(p))?));
            }
        }
        for k in Kind::ALL {
            o.by_kind.push((k, self.count(&counters::kind(k))?));
            o.waiting_by_kind
                .push((k, self.count(&counters::waiting_kind(k))?));
        }
        for a in self.accounts()? {
            let n = self.count(&counters::account(&a.name))?;
            o.by_account.push((a.name, a.platform, n));
        }
        o.quarantined = self.count(counters::QUARANTINE_SEQ)?;
        o.by_assignee = self.assigned_counts()?;
        o.unassigned = self.count(counters::UNASSIGNED)?;
        Ok(o)
    }

    /// Items waiting for an answer per assignee (non-zero only), by name.
    pub fn assigned_counts(&self) -> Result<Vec<(String, u64)>> {
        let prefix = keys::counter(counters::ASSIGNED_PREFIX);
        let mut out = Vec::new();
        for kv in self.db().scan_prefix(&prefix) {
            let (k, v) = kv?;
            let name = String::from_utf8_lossy(&k[prefix.len()..]).into_owned();
            if v.len() == 8 {
                let mut b = [0u8; 8];
                b.copy_from_slice(&v);
                let n = i64::from_be_bytes(b);
                if n > 0 {
                    out.push((name, n as u64));
                }
            }
        }
        Ok(out)
    }

    pub(super) fn index_ids(
        &self,
        list: Vec<u8>,
        lo: Option<ItemId>,
        hi: Option<ItemId>,
        forward: bool,
    ) -> IdIter<'_> {
        Box::new(ListIter::new(&self.db(), list, lo, hi, forward))
    }

    /// One page of a filtered list. Chooses the narrowest index, post-filters the rest. A
    /// pattern in the filter is matched at the current time with the default response targets
    /// and no top members known: the engine calls [`Store::list_with`] with its own context.
    pub fn list(&self, q: &ListQuery) -> Result<Page> {
        self.list_with(q, &super::pattern_list::default_ctx())
    }

    /// A page for a filter without a pattern.
    pub(super) fn list_plain(&self, q: &ListQuery) -> Result<Page> {
        let f = &q.filter;
        if !f.members.is_empty() {
            // Items counted since the last settle are not in their authors' lists yet.
            self.settled()?;
        }
        let limit = q.limit.clamp(1, 10_000);
        let forward = q.before.is_some() && q.after.is_none();
        let (lo, hi) = id_bounds(q, f.since, f.until);
        let query = f
            .text
            .as_deref()
            .map(Query::parse)
            .filter(|q| !q.is_empty());
        let ids: IdIter<'_> = match &query {
            Some(query) => self.search_ids(query, lo, hi, forward)?,
            None => self.filter_ids(f, lo, hi, forward),
        };
        let mut items = Vec::with_capacity(limit);
        let mut examined = 0usize;
        let mut cursor = None;
        let mut more = false;
        for id in ids {
            let id = id?;
            examined += 1;
            if items.len() == limit {
                more = true;
                break;
            }
            cursor = Some(id);
            if let Some(item) = self.get(id)? {
                if f.matches(&item) && query.as_ref().is_none_or(|qq| confirm(qq, &item)) {
                    items.push(item);
                }
            }
            if examined >= SCAN_BUDGET {
                more = true;
                break;
            }
        }
        if forward {
            items.reverse();
        }
        Ok(Page {
            items,
            more,
            cursor,
        })
    }

    fn filter_ids(
        &self,
        f: &Filter,
        lo: Option<ItemId>,
        hi: Option<ItemId>,
        forward: bool,
    ) -> IdIter<'_> {
        if f.members.is_empty() && self.tag_drives(f) {
            if let Some(t) = &f.tag {
                let list = keys::tag_prefix(&crate::domain::tag::fold(t));
                return self.index_ids(list, lo, hi, forward);
            }
        }
        if !f.statuses.is_empty() && f.members.is_empty() {
            let mut statuses = f.statuses.clone();
            statuses.sort();
            statuses.dedup();
            let iters = statuses
                .into_iter()
                .map(|s| self.index_ids(keys::status_prefix(s), lo, hi, forward))
                .collect();
            return Box::new(Merge::new(iters, forward));
        }
        if !f.members.is_empty() {
            let iters = f
                .members
                .iter()
                .map(|m| self.index_ids(super::members::by_author_prefix(*m), lo, hi, forward))
                .collect();
            return Box::new(Merge::new(iters, forward));
        }
        // An account belongs to one platform, so its list is never longer than the platform's.
        let prefix = if let Some(a) = &f.account {
            keys::account_prefix(a)
        } else if let Some(p) = f.platform {
            keys::platform_prefix(p)
        } else if let Some(k) = f.kind {
            keys::kind_prefix(k)
        } else {
            keys::all_prefix()
        };
        self.index_ids(prefix, lo, hi, forward)
    }

    /// Whether the filter's tag list is no longer than the list that would drive otherwise
    /// (from the counters: a rare tag beats a status; a tag on most items does not).
    pub(super) fn tag_drives(&self, f: &Filter) -> bool {
        let Some(t) = &f.tag else { return false };
        let count = |name: &str| self.count(name).unwrap_or(u64::MAX);
        let tagged = self.tag_count(t).unwrap_or(u64::MAX);
        let other = if !f.statuses.is_empty() {
            f.statuses
                .iter()
                .map(|s| count(&counters::status(*s)))
                .fold(0u64, u64::saturating_add)
        } else if let Some(a) = &f.account {
            count(&counters::account(a))
        } else if let Some(p) = f.platform {
            count(&counters::platform(p))
        } else if let Some(k) = f.kind {
            count(&counters::kind(k))
        } else {
            count(counters::TOTAL)
        };
        tagged <= other
    }

    /// Candidate ids for a text query: the longest token's list drives (longer words are rarer);
    /// the other tokens' lists are intersected one day bucket at a time.
    fn search_ids<'a>(
        &'a self,
        q: &'a Query,
        lo: Option<ItemId>,
        hi: Option<ItemId>,
        forward: bool,
    ) -> Result<IdIter<'a>> {
        // Words of recently synced items not yet merged into the lists (see words_pending.rs).
        let pending = self.pending_words()?;
        let in_bounds = move |id: &ItemId| lo.is_none_or(|l| *id > l) && hi.is_none_or(|h| *id < h);
        if let Some(driver) = q.tokens.iter().max_by_key(|t| t.len()) {
            let others: Vec<(Vec<u8>, Vec<ItemId>)> = q
                .tokens
                .iter()
                .filter(|t| *t != driver)
                .map(|t| {
                    (
                        keys::word_prefix(t),
                        pending.get(t.as_str()).cloned().unwrap_or_default(),
                    )
                })
                .collect();
            let driver_list = keys::word_prefix(driver);
            let mut cache: Option<(u32, Vec<Vec<ItemId>>)> = None;
            let db = self.db();
            let mut fresh: Vec<ItemId> = pending
                .get(driver.as_str())
                .map(|v| v.iter().copied().filter(in_bounds).collect())
                .unwrap_or_default();
            if !forward {
                fresh.reverse();
            }
            let driver_ids: IdIter<'a> = if fresh.is_empty() {
                self.index_ids(keys::word_prefix(driver), lo, hi, forward)
            } else {
                Box::new(Merge::new(
                    vec![
                        self.index_ids(keys::word_prefix(driver), lo, hi, forward),
                        Box::new(fresh.into_iter().map(Ok)),
                    ],
                    forward,
                ))
            };
            let iter = driver_ids.filter(move |r| {
                let Ok(id) = r else { return true };
                if others.is_empty() {
                    return true;
                }
                let b = postings::bucket(&driver_list, *id);
                if cache.as_ref().is_none_or(|(cb, _)| *cb != b) {
                    let lists = others
                        .iter()
                        .map(|(l, _)| postings::bucket_ids(&db, l, b).unwrap_or_default())
                        .collect();
                    cache = Some((b, lists));
                }
                cache.as_ref().is_some_and(|(_, lists)| {
                    lists.iter().zip(&others).all(|(l, (_, fresh))| {
                        l.binary_search(id).is_ok() || fresh.binary_search(id).is_ok()
                    })
                })
            });
            return Ok(Box::new(iter));
        }
        // Only prefixes: gather the lists of every token starting with the longest prefix.
        let Some(prefix) = q.prefixes.iter().max_by_key(|t| t.len()) else {
            return Ok(Box::new(std::iter::empty()));
        };
        let mut start = vec![keys::WORD];
        start.extend_from_slice(prefix.as_bytes());
        let mut ids: Vec<ItemId> = Vec::new();
        for kv in self.db().scan_prefix(&start) {
            postings::decode_ids(&kv?.1, &mut ids);
        }
        for (token, fresh) in pending.iter() {
            if token.starts_with(prefix.as_str()) {
                ids.extend_from_slice(fresh);
            }
        }
        ids.retain(in_bounds);
        ids.sort_unstable();
        ids.dedup();
        if !forward {
            ids.reverse();
        }
        Ok(Box::new(ids.into_iter().map(Ok)))
    }

    /// The conversation around `id`: up to the root, then every descendant, oldest first.
    pub fn thread(&self, id: ItemId) -> Result<Vec<Item>> {
        let Some(item) = self.get(id)? else {
            return Ok(Vec::new());
        };
        let account = item.account.clone();
        let mut root = item;
        for _ in 0..200 {
            let Some(parent) = root.parent_native_id.clone() else {
                break;
            };
            match self.id_by_native(&account, &parent)? {
                Some(pid) => match self.get(pid)? {
                    Some(p) => root = p,
                    None => break,
                },
                None => break,
            }
        }
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut queue = VecDeque::from([root]);
        while let Some(it) = queue.pop_front() {
            if !seen.insert(it.id) || out.len() >= 2000 {
                continue;
            }
            for kv in self
                .db()
                .scan_prefix(keys::children_prefix(&account, &it.native_id))
            {
                let (k, _) = kv?;
                if let Some(child) = keys::trailing_id(&k)
                    .map(|c| self.get(c))
                    .transpose()?
                    .flatten()
                {
                    queue.push_back(child);
                }
            }
            out.push(it);
        }
        out.sort_by_key(|i| i.id);
        Ok(out)
    }

    /// Snoozed items whose time has come, and the next wake-up after them.
    pub fn due_snoozes(&self, now: Timestamp) -> Result<(Vec<ItemId>, Option<Timestamp>)> {
        let mut due = Vec::new();
        for kv in self.db().scan_prefix([keys::SNOOZE]) {
            let (k, _) = kv?;
            let mut b = [0u8; 8];
            b.copy_from_slice(&k[1..9]);
            let at = u64::from_be_bytes(b) as i64;
            if at > now.0 {
                return Ok((due, Some(Timestamp(at))));
            }
            if let Some(id) = keys::trailing_id(&k) {
                due.push(id);
            }
        }
        Ok((due, None))
    }

    /// The newest audit entry for an item among the last `scan` entries of the log (a change
    /// that just caused a conflict is always recent).
    pub fn last_change(&self, item: ItemId, scan: usize) -> Result<Option<AuditEntry>> {
        for kv in self.db().scan_prefix([keys::AUDIT]).rev().take(scan) {
            let e = super::audit::decode_entry(&kv?.1)?;
            if e.item == Some(item) {
                return Ok(Some(e));
            }
        }
        Ok(None)
    }

    /// Audit entries, oldest first, optionally for one item.
    pub fn audit(&self, item: Option<ItemId>, limit: usize) -> Result<Vec<AuditEntry>> {
        let mut out = Vec::new();
        for kv in self.db().scan_prefix([keys::AUDIT]).rev() {
            let e = super::audit::decode_entry(&kv?.1)?;
            if item.is_none_or(|i| e.item == Some(i)) {
                out.push(e);
                if out.len() >= limit {
                    break;
                }
            }
        }
        out.reverse();
        Ok(out)
    }

    /// Replies stored but not confirmed sent (the process stopped mid-send).
    pub fn pending_replies(&self) -> Result<Vec<ItemId>> {
        let mut out = Vec::new();
        for kv in self.db().scan_prefix([keys::PENDING_REPLY]) {
            if let Some(id) = keys::trailing_id(&kv?.0) {
                out.push(id);
            }
        }
        Ok(out)
    }

    pub fn quarantined(&self, limit: usize) -> Result<Vec<Quarantined>> {
        self.db()
            .scan_prefix([keys::QUARANTINE])
            .take(limit)
            .map(|kv| decode(&kv?.1))
            .collect()
    }

    /// The member record of an author on a platform (with every waiting count applied).
    pub fn member(&self, platform: Platform, author_id: &str) -> Result<Option<Member>> {
        self.settled()?;
        let mut id = crate::domain::member::MemberId::derive(platform, author_id);
        loop {
            match self.member_record(id)? {
                Some(m) if m.platform == platform && m.author_id == author_id => {
                    return Ok(Some(m))
                }
                Some(_) => id = id.next(),
                None => return Ok(None),
            }
        }
    }
}

pub(super) fn confirm(q: &Query, item: &Item) -> bool {
    if q.phrases.is_empty() && q.prefixes.is_empty() {
        return true;
    }
    let text = searchable_text(item);
    if !q.confirm(&text) {
        return false;
    }
    if q.prefixes.is_empty() {
        return true;
    }
    let tokens = search::index_tokens(&text);
    q.prefixes
        .iter()
        .all(|p| tokens.iter().any(|t| t.starts_with(p.as_str())))
}

/// Merges id streams that are each sorted the same way into one sorted, deduplicated stream.
struct Merge<'a> {
    iters: Vec<std::iter::Peekable<IdIter<'a>>>,
    forward: bool,
    last: Option<ItemId>,
}

impl<'a> Merge<'a> {
    fn new(iters: Vec<IdIter<'a>>, forward: bool) -> Self {
        Merge {
            iters: iters.into_iter().map(|i| i.peekable()).collect(),
            forward,
            last: None,
        }
    }
}

impl Iterator for Merge<'_> {
    type Item = Result<ItemId>;
    fn next(&mut self) -> Option<Self::Item> {
        let mut best: Option<(usize, ItemId)> = None;
        for (i, it) in self.iters.iter_mut().enumerate() {
            match it.peek() {
                Some(Err(_)) => return it.next(),
                Some(Ok(id)) => {
                    let better = match best {
                        None => true,
                        Some((_, b)) => (self.forward && *id < b) || (!self.forward && *id > b),
                    };
                    if better {
                        best = Some((i, *id));
                    }
                }
                None => {}
            }
        }
        let (i, id) = best?;
        let next = self.iters[i].next();
        if self.last == Some(id) {
            // The same id from two streams (an item in a list and in pending words).
            return self.next();
        }
        self.last = Some(id);
        next
    }
}

/// A page's id bounds: the page's own cursors narrowed by every time bound given. Date filters
/// become id bounds because ids are time-ordered.
pub(super) fn id_bounds(
    q: &ListQuery,
    since: impl IntoIterator<Item = Timestamp>,
    until: impl IntoIterator<Item = Timestamp>,
) -> (Option<ItemId>, Option<ItemId>) {
    let mut lo = q.before;
    let mut hi = q.after;
    for s in since {
        let b = ItemId(ItemId::min_at(s.0).0.saturating_sub(1));
        lo = Some(lo.map_or(b, |x| x.max(b)));
    }
    for u in until {
        let b = ItemId::min_at(u.0);
        hi = Some(hi.map_or(b, |x| x.min(b)));
    }
    (lo, hi)
}
