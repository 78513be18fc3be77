//! What the store keeps for connected accounts: their configuration (`C`), their sync state
//! (`S`: cursor, last sync, last error), member activity (`v` for "counted once" marks, `r` for
//! per-member reaction counts), and the one atomic write of a fetched page.

use super::batch::Batch;
use super::keys::{self, counters};
use super::{decode, encode, Result, Store, StoreError};
use crate::domain::account::AccountConfig;
use crate::domain::member::Act;
use crate::domain::remote::{Activity, ActivityKind, Malformed};
use crate::domain::{Author, NewItem, Platform, Timestamp};
use serde::{Deserialize, Serialize};

pub use crate::domain::account::SyncState;

/// Reactions a member gave us (likes, reposts, follows), counted once each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reactions {
    pub likes: u64,
    pub reposts: u64,
    pub follows: u64,
    pub last_at: Timestamp,
}

/// One fetched page, as the engine hands it to the store.
pub struct PageWrite<'a> {
    pub account: &'a str,
    pub platform: Platform,
    pub items: &'a [NewItem],
    pub activity: &'a [Activity],
    pub malformed: &'a [Malformed],
    pub cursor: Option<&'a str>,
}

/// What storing a page did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageReport {
    pub added: u64,
    pub duplicates: u64,
    pub activity: u64,
    pub malformed: u64,
}

fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("json: {e}"))
}

impl Store {
    pub fn connection(&self, name: &str) -> Result<Option<AccountConfig>> {
        match self.db().get(keys::connection(name))? {
            Some(v) => Ok(Some(serde_json::from_slice(&v).map_err(json_err)?)),
            None => Ok(None),
        }
    }

    pub fn connections(&self) -> Result<Vec<AccountConfig>> {
        self.db()
            .scan_prefix([keys::CONNECTION])
            .map(|kv| serde_json::from_slice(&kv?.1).map_err(json_err))
            .collect()
    }

    /// Adds or replaces a connected account (audited).
    pub fn save_connection(
        &self,
        cfg: &AccountConfig,
        operator: &str,
        now: Timestamp,
    ) -> Result<()> {
        let mut state = self.lock_writer();
        let mut p = Batch::new(self);
        p.batch.insert(
            keys::connection(&cfg.name),
            serde_json::to_vec(cfg).map_err(json_err)?,
        );
        p.audit(
            "account-add",
            None,
            None,
            Some(format!("{} {} {}", cfg.platform, cfg.name, cfg.base_url)),
        );
        p.commit(&mut state, operator, now)
    }

    /// Removes a connected account and its sync state. Its items stay (they are history).
    pub fn remove_connection(&self, name: &str, operator: &str, now: Timestamp) -> Result<bool> {
        let mut state = self.lock_writer();
        if !self.db().contains_key(keys::connection(name))? {
            return Ok(false);
        }
        let mut p = Batch::new(self);
        p.batch.remove(keys::connection(name));
        p.batch.remove(keys::sync_state(name));
        p.audit("account-remove", None, None, Some(name.to_string()));
        p.commit(&mut state, operator, now)?;
        Ok(true)
    }

    pub fn sync_state(&self, account: &str) -> Result<SyncState> {
        match self.db().get(keys::sync_state(account))? {
            Some(v) => serde_json::from_slice(&v).map_err(json_err),
            None => Ok(SyncState::default()),
        }
    }

    /// Records an error state change (or its clearing) for an account.
    pub fn set_sync_error(
        &self,
        account: &str,
        error: Option<crate::i18n::Phrase>,
        needs_reauth: bool,
        now: Timestamp,
    ) -> Result<()> {
        let mut state = self.lock_writer();
        let mut s = self.sync_state(account)?;
        if s.last_error == error && s.needs_reauth == needs_reauth {
            return Ok(());
        }
        s.last_error = error;
        s.needs_reauth = needs_reauth;
        let mut p = Batch::new(self);
        p.batch.insert(
            keys::sync_state(account),
            serde_json::to_vec(&s).map_err(json_err)?,
        );
        p.commit(&mut state, "kith", now)
    }

    /// Records that an action was asked for (audit entry and a pending mark, one batch), or
    /// settles it (`outcome`: audit entry and the mark removed). A mark left by a crash is
    /// resumed at the next start.
    pub fn action_state(
        &self,
        operator: &str,
        id: crate::domain::ItemId,
        action: crate::domain::remote::RemoteAction,
        outcome: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        self.action_state_noted(operator, id, action, outcome, None, now)
    }

    /// `action_state` with words added to the audit detail (the bulk the action is part of).
    pub fn action_state_noted(
        &self,
        operator: &str,
        id: crate::domain::ItemId,
        action: crate::domain::remote::RemoteAction,
        outcome: Option<&str>,
        note: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        let mut state = self.lock_writer();
        let mut p = Batch::new(self);
        let key = keys::pending_action(id, &action.key());
        let detail = match outcome {
            None => {
                p.batch.insert(key, &[][..]);
                format!("{} requested", action.key())
            }
            Some(o) => {
                p.batch.remove(key);
                format!("{} {o}", action.key())
            }
        };
        let detail = match note {
            Some(n) => format!("{detail} · {n}"),
            None => detail,
        };
        p.audit("action", Some(id), None, Some(detail));
        p.commit(&mut state, operator, now)
    }

    /// Actions requested but never settled (a crash in between).
    pub fn pending_actions(
        &self,
    ) -> Result<Vec<(crate::domain::ItemId, crate::domain::remote::RemoteAction)>> {
        let mut out = Vec::new();
        for kv in self.db().scan_prefix([keys::PENDING_ACTION]) {
            let (k, _) = kv?;
            let id = k.get(1..9).and_then(crate::domain::ItemId::from_bytes);
            let action = std::str::from_utf8(&k[9.min(k.len())..])
                .ok()
                .and_then(|a| a.parse().ok());
            if let (Some(id), Some(a)) = (id, action) {
                out.push((id, a));
            }
        }
        Ok(out)
    }

    /// Writes one audit entry on its own.
    pub fn record_audit(
        &self,
        operator: &str,
        action: &str,
        item: Option<crate::domain::ItemId>,
        detail: &str,
        now: Timestamp,
    ) -> Result<()> {
        let mut state = self.lock_writer();
        let mut p = Batch::new(self);
        p.audit(action, item, None, Some(detail.to_string()));
        p.commit(&mut state, operator, now)
    }

    pub fn reactions(&self, platform: Platform, author_id: &str) -> Result<Reactions> {
        match self.db().get(keys::reactions(platform, author_id))? {
            Some(v) => decode(&v),
            None => Ok(Reactions::default()),
        }
    }

    /// Stores one fetched page: new items, activity (each counted once), malformed input (kept
    /// with its raw bytes) and the cursor, in one batch and one flush. A crash before the flush
    /// leaves the old cursor, so the page is fetched again; after it, both are stored.
    pub fn store_page(&self, page: &PageWrite, now: Timestamp) -> Result<PageReport> {
        let report = self.store_page_locked(page, now)?;
        self.merge_words_if_many(now)?;
        Ok(report)
    }

    fn store_page_locked(&self, page: &PageWrite, now: Timestamp) -> Result<PageReport> {
        let mut state = self.lock_writer();
        let mut p = Batch::new(self);
        p.words = Some(Default::default());
        let (added, duplicates) = self.stage_items(&mut p, page.items, false, now)?;
        let mut report = PageReport {
            added,
            duplicates,
            ..PageReport::default()
        };
        let mut reactions: std::collections::HashMap<Vec<u8>, Reactions> =
            std::collections::HashMap::new();
        let mut seen = std::collections::HashSet::new();
        for a in page.activity {
            let mark = keys::activity(page.account, &a.native_id);
            if !seen.insert(mark.clone()) || self.db().contains_key(&mark)? {
                continue;
            }
            let at = a.at.min(now);
            p.batch.insert(mark, encode_mark(a, at)?);
            let act = match a.kind {
                ActivityKind::Like => Act::Like,
                ActivityKind::Repost => Act::Repost,
                ActivityKind::Follow => Act::Follow,
            };
            let i = super::members::Interaction {
                platform: a.platform,
                author: &a.author,
                act,
                at,
                stored_at: at,
                delta: 1,
            };
            self.count_interaction(&mut p.members, &i, None);
            let rkey = keys::reactions(a.platform, &a.author.id);
            let r = match reactions.get_mut(&rkey) {
                Some(r) => r,
                None => {
                    let r = match self.db().get(&rkey)? {
                        Some(v) => decode(&v)?,
                        None => Reactions::default(),
                    };
                    reactions.entry(rkey).or_insert(r)
                }
            };
            match a.kind {
                ActivityKind::Like => r.likes += 1,
                ActivityKind::Repost => r.reposts += 1,
                ActivityKind::Follow => r.follows += 1,
            }
            r.last_at = r.last_at.max(a.at);
            report.activity += 1;
        }
        for (k, r) in &reactions {
            p.batch.insert(k.clone(), encode(r)?);
        }
        if !page.malformed.is_empty() {
            let first = self.counter_cached(&mut state, counters::QUARANTINE_SEQ)? as u64;
            for (i, m) in page.malformed.iter().enumerate() {
                let rec = super::records::Quarantined {
                    seq: first + 1 + i as u64,
                    at: now,
                    source: format!("{} {}", page.platform, page.account),
                    reason: m.reason.clone(),
                    raw: m.raw.clone(),
                };
                p.batch.insert(keys::quarantine(rec.seq), encode(&rec)?);
            }
            let n = page.malformed.len() as i64;
            p.bump(counters::QUARANTINE_SEQ.into(), n);
            report.malformed = n as u64;
        }
        let mut s = self.sync_state(page.account)?;
        let changed = page.cursor.is_some() || added > 0 || report.activity > 0;
        if page.cursor.is_none() && !changed && report.malformed == 0 {
            // Nothing new at all: no write.
            return Ok(report);
        }
        if let Some(c) = page.cursor {
            s.cursor = Some(c.to_string());
        }
        s.last_stored = Some(now);
        s.pulled += added;
        s.activity += report.activity;
        s.malformed += report.malformed;
        s.last_error = None;
        s.needs_reauth = false;
        p.batch.insert(
            keys::sync_state(page.account),
            serde_json::to_vec(&s).map_err(json_err)?,
        );
        if added > 0 {
            p.audit(
                "sync",
                None,
                None,
                Some(format!("{} {added} items", page.account)),
            );
        }
        p.commit(&mut state, "kith", now)?;
        Ok(report)
    }
}

/// What an activity mark keeps so members can be rebuilt: kind, platform, author, time.
#[derive(Serialize, Deserialize)]
struct Mark {
    kind: ActivityKind,
    platform: Platform,
    author: Author,
    at: Timestamp,
}

fn encode_mark(a: &Activity, at: Timestamp) -> Result<Vec<u8>> {
    encode(&Mark {
        kind: a.kind,
        platform: a.platform,
        author: a.author.clone(),
        at,
    })
}

/// A mark's reaction, or None for marks written before they carried one (a single kind byte).
pub(super) fn decode_mark(v: &[u8]) -> Option<(Platform, Author, Act, Timestamp)> {
    if v.len() < 2 {
        return None;
    }
    let m: Mark = decode(v).ok()?;
    let act = match m.kind {
        ActivityKind::Like => Act::Like,
        ActivityKind::Repost => Act::Repost,
        ActivityKind::Follow => Act::Follow,
    };
    Some((m.platform, m.author, act, m.at))
}
