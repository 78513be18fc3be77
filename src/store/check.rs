//! A full consistency check of the store: every list entry has its item, every inbox item is in
//! the lists it belongs to, and the counters equal what is stored. Reads everything, so it is for
//! `kith doctor --verify` and tests, not for the hot path.

use super::keys::{self, counters};
use super::postings::decode_ids;
use super::{decode, Result, Store};
use crate::domain::{Item, ItemId, Kind, Platform, Status};
use std::collections::{HashMap, HashSet};

impl Store {
    /// Every tag list entry is an item carrying that tag, and every tagged inbox item is in
    /// the list of each of its tags.
    fn check_tag_lists(&self, items: &HashMap<ItemId, Item>) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let mut listed: HashSet<(String, ItemId)> = HashSet::new();
        for kv in self.db().scan_prefix([keys::BY_TAG]) {
            let (k, v) = kv?;
            let Some(name) = k
                .get(3..k.len().saturating_sub(12))
                .map(|b| String::from_utf8_lossy(b).into_owned())
            else {
                continue;
            };
            let mut ids = Vec::new();
            decode_ids(&v, &mut ids);
            for id in ids {
                let carries = items
                    .get(&id)
                    .is_some_and(|i| counters::folded_tags(i).contains(&name));
                if !carries {
                    problems.push(format!("tag list {name:?} holds {id}, which lacks the tag"));
                }
                listed.insert((name.clone(), id));
            }
        }
        for i in items.values().filter(|i| !i.is_ours()) {
            for t in counters::folded_tags(i) {
                if !listed.contains(&(t.clone(), i.id)) {
                    problems.push(format!("item {} is missing from tag list {t:?}", i.id));
                }
            }
        }
        Ok(problems)
    }

    /// Every native id entry (bucket or `n` key) points at an item, a bucket entry at one
    /// whose identity hashes to it, and every item is found by its native id.
    fn check_natives(&self, items: &HashMap<ItemId, Item>) -> Result<Vec<String>> {
        const KEPT: u64 = !0xffff;
        let mut problems = Vec::new();
        let mut found: HashSet<ItemId> = HashSet::new();
        for (h, id) in self.native_entries()? {
            match items.get(&id) {
                None => problems.push(format!("native id bucket entry for {id} without its item")),
                Some(i) if super::natives::hash(&i.account, &i.native_id) & KEPT != h => problems
                    .push(format!(
                        "native id bucket entry for {id} in the wrong place"
                    )),
                Some(_) => {
                    found.insert(id);
                }
            }
        }
        for kv in self.db().scan_prefix([keys::NATIVE]) {
            let (_, v) = kv?;
            match ItemId::from_bytes(&v) {
                Some(id) if items.contains_key(&id) => {
                    found.insert(id);
                }
                _ => problems.push("native id entry without its item".to_string()),
            }
        }
        for id in items.keys().filter(|id| !found.contains(id)) {
            problems.push(format!("item {id} cannot be found by its native id"));
        }
        Ok(problems)
    }

    /// Problems found, in words; empty when the store is consistent.
    pub fn check(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let mut items: HashMap<ItemId, Item> = HashMap::new();
        // Blocks (see `blocks.rs`): keyed by their first item, ids ascending, each block's ids
        // before the next block's key.
        let mut last: Option<ItemId> = None;
        for kv in self.db().scan_prefix([keys::ITEM]) {
            let (k, v) = kv?;
            let entries = super::blocks::entries(&k, &v)?;
            if entries.first().map(|(id, _)| keys::item(*id)[..] != k[..]) != Some(false) {
                problems.push(format!("item block under the wrong key: {k:?}"));
            }
            for (id, bytes) in entries {
                let item: Item = decode(&bytes)?;
                if item.id != id {
                    problems.push(format!("item {} stored as {id}", item.id));
                }
                if last.is_some_and(|l| l >= id) {
                    problems.push(format!("item {id} out of order in its block"));
                }
                last = Some(id);
                items.insert(item.id, item);
            }
        }
        let inbox: Vec<&Item> = items.values().filter(|i| !i.is_ours()).collect();
        let mut expected: HashMap<String, i64> = HashMap::new();
        for i in &inbox {
            *expected.entry(counters::TOTAL.into()).or_default() += 1;
            *expected.entry(counters::status(i.status)).or_default() += 1;
            *expected.entry(counters::platform(i.platform)).or_default() += 1;
            *expected.entry(counters::kind(i.kind)).or_default() += 1;
            *expected.entry(counters::account(&i.account)).or_default() += 1;
            if i.status == Status::New {
                *expected
                    .entry(counters::platform_new(i.platform))
                    .or_default() += 1;
            }
            if let Some(c) = counters::team(i) {
                *expected.entry(c).or_default() += 1;
            }
            if let Some(c) = counters::waiting(i) {
                *expected.entry(c).or_default() += 1;
            }
            for c in counters::tags(i) {
                *expected.entry(c).or_default() += 1;
            }
        }
        let mut names: Vec<String> = vec![counters::TOTAL.into()];
        names.extend(Status::ALL.iter().map(|s| counters::status(*s)));
        names.extend(Platform::ALL.iter().map(|p| counters::platform(*p)));
        names.extend(Platform::ALL.iter().map(|p| counters::platform_new(*p)));
        names.extend(Kind::ALL.iter().map(|k| counters::kind(*k)));
        names.extend(Kind::ALL.iter().map(|k| counters::waiting_kind(*k)));
        names.extend(
            self.accounts()?
                .into_iter()
                .map(|a| counters::account(&a.name)),
        );
        names.push(counters::UNASSIGNED.into());
        for (op, _) in self.assigned_counts()? {
            names.push(counters::assigned(&op));
        }
        for t in self.tag_counts()? {
            names.push(counters::tag(&t.name));
        }
        for name in expected.keys() {
            let listed = name.starts_with(counters::ASSIGNED_PREFIX)
                || name.starts_with(counters::TAG_PREFIX);
            if listed && !names.contains(name) {
                names.push(name.clone());
            }
        }
        for name in names {
            let stored = self.read_counter(&name)?;
            let want = expected.get(&name).copied().unwrap_or(0);
            if stored != want {
                problems.push(format!("counter {name} is {stored}, items say {want}"));
            }
        }
        // Every list entry points at a stored inbox item; the `all` list holds every one.
        let mut in_all: HashSet<ItemId> = HashSet::new();
        for prefix in [
            keys::ALL,
            keys::BY_STATUS,
            keys::BY_PLATFORM,
            keys::BY_KIND,
            keys::BY_ACCOUNT,
            keys::BY_TAG,
            keys::WORD,
        ] {
            for kv in self.db().scan_prefix([prefix]) {
                let (k, v) = kv?;
                let mut ids = Vec::new();
                decode_ids(&v, &mut ids);
                for id in ids {
                    if !items.contains_key(&id) {
                        problems.push(format!(
                            "list entry without its item: {id} under {:?}",
                            k[0] as char
                        ));
                    }
                    if prefix == keys::ALL {
                        in_all.insert(id);
                    }
                }
            }
        }
        // Pending words point at stored items, and their counter matches the chunks.
        let mut pending_pairs = 0i64;
        for (token, ids) in self.pending_words()?.iter() {
            for id in ids {
                pending_pairs += 1;
                if !items.contains_key(id) {
                    problems.push(format!("pending word {token:?} without its item: {id}"));
                }
            }
        }
        let counted = self.read_counter(counters::WORDS_PENDING)?;
        if counted != pending_pairs {
            problems.push(format!(
                "counter {} is {counted}, pending words hold {pending_pairs}",
                counters::WORDS_PENDING
            ));
        }
        for i in &inbox {
            if !in_all.contains(&i.id) {
                problems.push(format!("item {} is missing from the all list", i.id));
            }
        }
        problems.extend(self.check_tag_lists(&items)?);
        problems.extend(self.check_natives(&items)?);
        problems.truncate(100);
        if let Some((seq, why)) = self.verify_audit()?.problem {
            problems.push(format!("audit log entry {seq}: {why}"));
        }
        Ok(problems)
    }
}
