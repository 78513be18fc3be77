//! The member ranking as front ends see it: which ranking to read, its rows, a person's
//! profile with the explanation of their score, how a typed name resolved, link suggestions.
//! Answered by the store from its index; carried by the engine; shown by the TUI and the CLI.

use super::member::{Explained, MemberId, Period, Trend, ACTS};
use super::{Platform, Timestamp};
use serde::{Deserialize, Serialize};

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

/// Which ranking to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankQuery {
    pub period: Period,
    /// Opinion leaders: followers × the 30-day score (the period is then 30 days).
    pub leaders: bool,
    pub platform: Option<Platform>,
    pub tag: Option<String>,
    pub offset: usize,
    pub limit: usize,
}

impl Default for RankQuery {
    fn default() -> Self {
        RankQuery {
            period: Period::Month,
            leaders: false,
            platform: None,
            tag: None,
            offset: 0,
            limit: 50,
        }
    }
}

/// One account of a person, as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Handle {
    pub id: MemberId,
    pub platform: Platform,
    pub author_id: String,
    pub handle: Option<String>,
    pub name: Option<String>,
    pub followers: Option<u64>,
}

impl Handle {
    /// `platform:handle` (or the author id when there is no handle).
    pub fn qualified(&self) -> String {
        let h = self.handle.as_deref().unwrap_or(&self.author_id);
        format!("{}:{}", self.platform, h.trim_start_matches('@'))
    }
    pub fn label(&self) -> &str {
        self.name
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .or(self.handle.as_deref())
            .unwrap_or(&self.author_id)
    }
}

/// One row of a ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    pub rank: usize,
    /// The person: the root member's id.
    pub person: MemberId,
    pub members: Vec<Handle>,
    pub score: f64,
    /// The score over the period before (None for all time).
    pub previous: Option<f64>,
    pub trend: Option<Trend>,
    /// Interactions in the period by kind (`Act` order).
    pub counts: [u64; ACTS],
    /// Interactions over the period, oldest first, for a sparkline.
    pub series: Vec<u64>,
    /// The largest follower count among the person's accounts.
    pub followers: u64,
    pub last_seen: Timestamp,
    pub tags: Vec<String>,
    pub last_reward: Option<Reward>,
}

impl Ranked {
    /// What the opinion-leaders view sorts by (and shows): the 30-day score times the
    /// audience (followers + 1), the value of the leader index key.
    pub fn influence(&self) -> f64 {
        self.score * (self.followers as f64 + 1.0)
    }
    pub fn label(&self) -> &str {
        self.members.first().map(|h| h.label()).unwrap_or("")
    }
    pub fn platforms(&self) -> Vec<Platform> {
        let mut p: Vec<Platform> = self.members.iter().map(|h| h.platform).collect();
        p.dedup();
        p
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Ranking {
    pub rows: Vec<Ranked>,
    /// More rows exist after these.
    pub more: bool,
    /// The day the ranking is for (UTC day number).
    pub day: u32,
}

/// Everything about one person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub row: Ranked,
    pub period: Period,
    pub explained: Explained,
    pub first_seen: Timestamp,
    /// Notes and rewards of every linked account, oldest first, with the account they are on.
    pub notes: Vec<(MemberId, MemberNote)>,
    pub rewards: Vec<(MemberId, Reward)>,
    /// Accounts on other platforms with the same handle or name, not linked yet.
    pub suggestions: Vec<Handle>,
    /// Interactions ever, by kind.
    pub totals: [u64; ACTS],
}

/// How a name given by a user resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Named {
    Found(MemberId),
    NotFound,
    Ambiguous(Vec<Handle>),
}

/// A pair kith thinks may be one person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub a: Handle,
    pub b: Handle,
    /// The shared handle or name.
    pub because: String,
}
