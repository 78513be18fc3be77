//! Bulk actions as data: which items (ids with the versions the operator saw, or a filter), what
//! to do to each, what came of it, and what the store keeps so the whole bulk can be undone.

use super::{Change, ItemId, Timestamp};
use crate::i18n::Phrase;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A bulk's id: its start time in ms (kept strictly increasing by the engine), written in base 36
/// so it is short to type (`kith audit` shows it beside every change it made).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BulkId(pub u64);

const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

impl fmt::Display for BulkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut n = self.0;
        let mut out = Vec::new();
        loop {
            out.push(DIGITS[(n % 36) as usize]);
            n /= 36;
            if n == 0 {
                break;
            }
        }
        out.reverse();
        f.write_str(&String::from_utf8_lossy(&out))
    }
}

impl FromStr for BulkId {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let s = s.trim().to_ascii_lowercase();
        if s.is_empty() || s.len() > 13 {
            return Err(());
        }
        let mut n: u64 = 0;
        for c in s.bytes() {
            let d = DIGITS.iter().position(|x| *x == c).ok_or(())? as u64;
            n = n.checked_mul(36).and_then(|n| n.checked_add(d)).ok_or(())?;
        }
        Ok(BulkId(n))
    }
}

/// Which items a bulk acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkTarget {
    /// These items, each as the operator saw it (its version then): one changed since is
    /// skipped, never overwritten.
    Items(Vec<(ItemId, u64)>),
    /// Every item the filter matches (the engine pages through all of them); each is held to
    /// the version it had when the engine read it.
    Filter(Box<super::query::Filter>),
}

/// What a bulk does to each item: the single-item actions, one by one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkAction {
    /// A triage change: status (done, reopen, spam, hide; snooze with its time), tag, untag,
    /// assign.
    Change(Change),
    /// Assign to the operator asking; items someone else has are skipped.
    Claim,
    /// Like on the platform (where the platform allows it).
    Like,
    /// A saved reply as a draft on each item (filled from that item), for a person to send.
    Draft { template: String },
    /// Send each item's prepared draft as its reply (nothing to undo: replies go out).
    SendDrafts,
    /// The inbox rules in force, run over stored items as if they arrived now (`kith rules
    /// apply`): their triage changes, and the draft a `draft:` rule prepares.
    Rules,
}

/// A bulk as front ends ask for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkRequest {
    pub target: BulkTarget,
    pub action: BulkAction,
    /// Change nothing; say what would change.
    #[serde(default)]
    pub dry_run: bool,
    /// How many matched items to list in the answer (`rows`).
    #[serde(default)]
    pub list: usize,
}

/// An item a bulk left alone, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkSkip {
    pub id: ItemId,
    /// Who changed it meanwhile, when that is why.
    pub by: Option<String>,
    pub why: Phrase,
}

/// A matched item as a listing shows it (raw text; sanitize before display).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkRow {
    pub id: ItemId,
    pub version: u64,
    pub platform: String,
    pub author: String,
    pub text: String,
    /// The action would change it (false: it already is that way, or it is skipped).
    pub changes: bool,
}

/// What a bulk (or its undo) did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkReport {
    pub id: BulkId,
    pub dry_run: bool,
    pub matched: u64,
    /// Changed (or, in a dry run, would change).
    pub changed: u64,
    /// Already as asked: nothing to do.
    pub unchanged: u64,
    pub skipped: Vec<BulkSkip>,
    /// The first `list` matched items.
    #[serde(default)]
    pub rows: Vec<BulkRow>,
    /// Why the bulk stopped before its end (the items after it were not touched); what it did
    /// until then stands and is undoable.
    #[serde(default)]
    pub stopped: Option<Phrase>,
}

impl BulkReport {
    pub fn new(id: BulkId, dry_run: bool) -> BulkReport {
        BulkReport {
            id,
            dry_run,
            matched: 0,
            changed: 0,
            unchanged: 0,
            skipped: Vec::new(),
            rows: Vec::new(),
            stopped: None,
        }
    }

    /// The operators who changed skipped items meanwhile, each once, in order of appearance.
    pub fn changed_by(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in &self.skipped {
            if let Some(b) = &s.by {
                if !out.contains(b) {
                    out.push(b.clone());
                }
            }
        }
        out
    }
}

/// How to take back what a bulk did to one item, kept by the store in the same batch as the
/// change (`version`: the item's version right after it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkStep {
    pub version: u64,
    pub undo: BulkUndo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkUndo {
    /// Apply this change (the inverse of the bulk's).
    Change(Change),
    /// Remove the draft the bulk wrote.
    Draft,
    /// Apply this change and remove the draft the bulk wrote with it (rules run over an item).
    ChangeAndDraft(Change),
    /// A like stays on the platform (nothing kith can take back there).
    Like,
}

/// A reply prepared for an item and not sent: by a bulk (a saved reply filled from the item) or,
/// later, by a rule. One per item; sending a reply on the item removes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDraft {
    pub item: ItemId,
    pub text: String,
    pub operator: String,
    pub at: Timestamp,
    pub bulk: Option<BulkId>,
}

/// What a store write carries when it belongs to a bulk: the audit entry names the bulk, and the
/// step that undoes it is written (or, for the undo, removed) in the same batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkMark {
    Apply(BulkId),
    Undo(BulkId),
}

impl BulkMark {
    /// The words added to the audit entry's detail.
    pub fn note(self) -> String {
        match self {
            BulkMark::Apply(b) => format!("bulk {b}"),
            BulkMark::Undo(b) => format!("undo bulk {b}"),
        }
    }

    pub fn id(self) -> BulkId {
        match self {
            BulkMark::Apply(b) | BulkMark::Undo(b) => b,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_ids_print_short_and_parse_back() {
        for n in [0u64, 35, 36, 1_773_489_600_000, u64::MAX] {
            let s = BulkId(n).to_string();
            assert_eq!(s.parse::<BulkId>(), Ok(BulkId(n)), "{s}");
        }
        assert_eq!(BulkId(1_773_489_600_000).to_string(), "mmq9x1c0");
        assert_eq!("MMQ9X1C0".parse::<BulkId>(), Ok(BulkId(1_773_489_600_000)));
        assert!("".parse::<BulkId>().is_err());
        assert!("a-b".parse::<BulkId>().is_err());
        assert!("zzzzzzzzzzzzz".parse::<BulkId>().is_err());
    }
}
