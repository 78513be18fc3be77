//! What a list shows and how it pages: the filter, the page asked for and the page given, and
//! the counts of every view. Shared by the store (which answers them from its indexes), the
//! engine (which carries them) and the front ends (which ask).

use super::{Item, ItemId, Kind, Platform, Status, Timestamp};
use serde::{Deserialize, Serialize};

/// Which items a list or search shows. Every field narrows; `None`/empty means "any".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Filter {
    /// Any of these statuses (empty = all statuses).
    pub statuses: Vec<Status>,
    pub platform: Option<Platform>,
    pub account: Option<String>,
    pub kind: Option<Kind>,
    /// Inclusive star range, e.g. (1, 2) for negative reviews.
    pub rating: Option<(u8, u8)>,
    pub lang: Option<String>,
    /// Only items created at or after / before these times.
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub tag: Option<String>,
    /// Author id or handle (exact, case-insensitive on handle).
    pub author: Option<String>,
    /// Words to find (see `domain::search`); empty = no text condition.
    pub text: Option<String>,
    /// Who the item is assigned to (team views: mine, unassigned, claimed by others).
    #[serde(default)]
    pub assignee: Option<Assignee>,
    /// Items written by any of these members (a person's linked accounts).
    #[serde(default)]
    pub members: Vec<super::member::MemberId>,
    /// A pattern in kith's pattern language (`~p vk ~s new !~t done "где заказ"`): narrows like
    /// every other field (README: Patterns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

/// The assignee condition of a filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Assignee {
    /// Assigned to nobody.
    Nobody,
    /// Assigned to this operator.
    Is(String),
    /// Assigned to someone other than this operator.
    Others(String),
}

impl Assignee {
    pub fn matches(&self, who: Option<&str>) -> bool {
        match (self, who) {
            (Assignee::Nobody, None) => true,
            (Assignee::Is(a), Some(w)) => a == w,
            (Assignee::Others(a), Some(w)) => a != w,
            _ => false,
        }
    }
}

impl Filter {
    /// Whether an item passes every condition of a filter (text is checked by the index).
    pub fn matches(&self, item: &Item) -> bool {
        let f = self;
        if item.is_ours() {
            return false;
        }
        if !f.statuses.is_empty() && !f.statuses.contains(&item.status) {
            return false;
        }
        if f.platform.is_some_and(|p| p != item.platform)
            || f.kind.is_some_and(|k| k != item.kind)
            || f.account.as_ref().is_some_and(|a| *a != item.account)
        {
            return false;
        }
        if let Some((lo, hi)) = f.rating {
            match item.rating {
                Some(r) if r >= lo && r <= hi => {}
                _ => return false,
            }
        }
        if let Some(l) = &f.lang {
            if !item
                .lang
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(l))
            {
                return false;
            }
        }
        if f.since.is_some_and(|s| item.created_at < s)
            || f.until.is_some_and(|u| item.created_at >= u)
        {
            return false;
        }
        if let Some(t) = &f.tag {
            if !item.tags.iter().any(|x| super::tag::same(x, t)) {
                return false;
            }
        }
        if let Some(a) = &f.assignee {
            if !a.matches(item.assignee.as_deref()) {
                return false;
            }
        }
        // The id derived from the author; the author index (which drives the list when this
        // filter is set) also finds members whose id was probed past a 60-bit collision.
        if !f.members.is_empty() {
            let id = super::member::MemberId::derive(item.platform, &item.author.id);
            if !f.members.contains(&id) {
                return false;
            }
        }
        if let Some(a) = &f.author {
            let a = a.trim_start_matches('@');
            let handle_match = item
                .author
                .handle
                .as_deref()
                .is_some_and(|h| h.trim_start_matches('@').eq_ignore_ascii_case(a));
            if item.author.id != a && !handle_match {
                return false;
            }
        }
        true
    }
}

/// A page request. Lists are newest first; `after` continues below the given id (older),
/// `before` pages up (newer) and still returns newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ListQuery {
    pub filter: Filter,
    pub after: Option<ItemId>,
    pub before: Option<ItemId>,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub items: Vec<Item>,
    /// True when more items exist beyond the last one in this direction.
    pub more: bool,
    /// The last index entry examined: pass it as `after` (or `before`) to continue.
    pub cursor: Option<ItemId>,
}

/// Per-view counts for the sidebar and status bar. Kept by the engine, never computed by a scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Overview {
    pub total: u64,
    pub by_status: Vec<(Status, u64)>,
    pub by_platform: Vec<(Platform, u64)>,
    /// New items per platform.
    pub new_by_platform: Vec<(Platform, u64)>,
    pub by_account: Vec<(String, Platform, u64)>,
    pub by_kind: Vec<(Kind, u64)>,
    pub demo: bool,
    pub quarantined: u64,
    /// Items waiting for an answer (new or open) per assignee, and taken by nobody.
    #[serde(default)]
    pub by_assignee: Vec<(String, u64)>,
    #[serde(default)]
    pub unassigned: u64,
    /// Items waiting for an answer (new or open) per kind: the reviews to answer.
    #[serde(default)]
    pub waiting_by_kind: Vec<(Kind, u64)>,
}

impl Overview {
    pub fn status(&self, s: Status) -> u64 {
        self.by_status
            .iter()
            .find(|(x, _)| *x == s)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    }
    pub fn kind(&self, k: Kind) -> u64 {
        self.by_kind
            .iter()
            .find(|(x, _)| *x == k)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    }
    pub fn waiting(&self, k: Kind) -> u64 {
        self.waiting_by_kind
            .iter()
            .find(|(x, _)| *x == k)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    }
    pub fn assigned(&self, op: &str) -> u64 {
        self.by_assignee
            .iter()
            .find(|(x, _)| x == op)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    }
    pub fn platform(&self, p: Platform) -> u64 {
        self.by_platform
            .iter()
            .find(|(x, _)| *x == p)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    }
}
