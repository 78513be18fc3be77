//! Member ranking, pure: member ids, interaction kinds, day buckets, scores with time decay and
//! the explanation that adds up to each score. No I/O; the store keeps the buckets and the index.
//!
//! Time is counted in UTC days. A member's interactions are counted per day they were active (a
//! sparse list: a member active on 300 days has 300 small buckets), and every period reads the
//! same day counts with a decay per day, so "all time" is never less than "90 days".

use super::{Kind, Platform, Timestamp};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

mod buckets;
mod score;

pub use buckets::{Bucket, Buckets};
pub use score::*;

pub const MS_PER_DAY: i64 = 86_400_000;
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// kith's id for one person on one platform: 60 bits of a hash of (platform, author id), shown as
/// `m` + 12 base32 characters. Collisions are probed by the store (`next`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MemberId(pub u64);

impl MemberId {
    pub fn derive(platform: Platform, author_id: &str) -> Self {
        let mut h: u64 = 0xcbf29ce484222325;
        for byte in [platform.code(), 0].into_iter().chain(author_id.bytes()) {
            h ^= byte as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
        MemberId(h >> 4)
    }
    /// The next candidate when `self` belongs to someone else.
    pub fn next(self) -> Self {
        MemberId((self.0 + 1) & ((1 << 60) - 1))
    }
    pub fn to_bytes(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }
    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        Some(MemberId(u64::from_be_bytes(b.get(..8)?.try_into().ok()?)))
    }
}

impl fmt::Display for MemberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = [0u8; 13];
        out[0] = b'm';
        let mut v = self.0;
        for slot in out[1..].iter_mut().rev() {
            *slot = ALPHABET[(v & 31) as usize];
            v >>= 5;
        }
        f.write_str(std::str::from_utf8(&out).map_err(|_| fmt::Error)?)
    }
}

impl FromStr for MemberId {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let s = s.trim();
        let body = s.strip_prefix('m').ok_or(())?;
        if body.len() != 12 {
            return Err(());
        }
        let mut v: u64 = 0;
        for c in body.chars() {
            let d = ALPHABET
                .iter()
                .position(|&a| a as char == c.to_ascii_lowercase())
                .ok_or(())?;
            v = (v << 5) | d as u64;
        }
        Ok(MemberId(v))
    }
}

/// What a member did. The six item kinds, then reactions that are not inbox items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Act {
    Comment,
    Reply,
    Mention,
    Quote,
    Dm,
    Review,
    Like,
    Repost,
    Follow,
}

pub const ACTS: usize = 9;

impl Act {
    pub const ALL: [Act; ACTS] = [
        Act::Comment,
        Act::Reply,
        Act::Mention,
        Act::Quote,
        Act::Dm,
        Act::Review,
        Act::Like,
        Act::Repost,
        Act::Follow,
    ];
    pub fn index(self) -> usize {
        self as usize
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Act::Comment => "comment",
            Act::Reply => "reply",
            Act::Mention => "mention",
            Act::Quote => "quote",
            Act::Dm => "dm",
            Act::Review => "review",
            Act::Like => "like",
            Act::Repost => "repost",
            Act::Follow => "follow",
        }
    }
    pub fn parse(s: &str) -> Option<Act> {
        Act::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl From<Kind> for Act {
    fn from(k: Kind) -> Act {
        match k {
            Kind::Comment => Act::Comment,
            Kind::Reply => Act::Reply,
            Kind::Mention => Act::Mention,
            Kind::Quote => Act::Quote,
            Kind::Dm => Act::Dm,
            Kind::Review => Act::Review,
        }
    }
}

/// UTC day number (days since 1970-01-01).
pub fn day_of(t: Timestamp) -> u32 {
    t.0.div_euclid(MS_PER_DAY).clamp(0, u32::MAX as i64) as u32
}

/// Month number (`year * 12 + month0`) of a day.
pub fn month_of(day: u32) -> u32 {
    use chrono::Datelike;
    let d = chrono::DateTime::from_timestamp(day as i64 * 86_400, 0).unwrap_or_default();
    d.year().max(0) as u32 * 12 + d.month0()
}

/// The first day of a month number (`month_of`'s inverse on month starts).
fn month_start(month: u32) -> u32 {
    chrono::NaiveDate::from_ymd_opt((month / 12) as i32, month % 12 + 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc().timestamp().div_euclid(86_400).max(0) as u32)
        .unwrap_or(0)
}

/// The ranking periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Week,
    Month,
    Quarter,
    All,
}

impl Period {
    pub const ALL: [Period; 4] = [Period::Week, Period::Month, Period::Quarter, Period::All];
    /// Days in the window (None = all time).
    pub fn days(self) -> Option<u32> {
        match self {
            Period::Week => Some(7),
            Period::Month => Some(30),
            Period::Quarter => Some(90),
            Period::All => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Week => "7d",
            Period::Month => "30d",
            Period::Quarter => "90d",
            Period::All => "all",
        }
    }
    pub fn parse(s: &str) -> Option<Period> {
        match s.trim().to_ascii_lowercase().as_str() {
            "7d" | "7" | "week" => Some(Period::Week),
            "30d" | "30" | "month" => Some(Period::Month),
            "90d" | "90" | "quarter" => Some(Period::Quarter),
            "all" | "all-time" | "alltime" => Some(Period::All),
            _ => None,
        }
    }
    pub fn code(self) -> u8 {
        match self {
            Period::Week => b'w',
            Period::Month => b'm',
            Period::Quarter => b'q',
            Period::All => b'a',
        }
    }
    pub fn next(self) -> Period {
        let i = Period::ALL.iter().position(|p| *p == self).unwrap_or(0);
        Period::ALL[(i + 1) % Period::ALL.len()]
    }
}

/// Weights per kind and the half-life of the decay (config `[members]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Scoring {
    pub weights: [f64; ACTS],
    /// Days after which an interaction counts half; 0 = no decay.
    pub half_life_days: f64,
}

impl Default for Scoring {
    fn default() -> Self {
        let mut weights = [0.0; ACTS];
        for (act, w) in [
            (Act::Review, 5.0),
            (Act::Quote, 4.0),
            (Act::Comment, 3.0),
            (Act::Reply, 3.0),
            (Act::Mention, 2.0),
            (Act::Dm, 2.0),
            (Act::Repost, 2.0),
            (Act::Like, 1.0),
            (Act::Follow, 1.0),
        ] {
            weights[act.index()] = w;
        }
        Scoring {
            weights,
            half_life_days: 30.0,
        }
    }
}

impl Scoring {
    /// A stable text of the settings: the index is rebuilt when it changes.
    pub fn fingerprint(&self) -> String {
        let w: Vec<String> = self.weights.iter().map(|w| format!("{w}")).collect();
        format!("v1 half_life={} w={}", self.half_life_days, w.join(","))
    }

    /// log2 of the decay factor of something `age` days old, in a period's score. All time
    /// counts every interaction in full: a member's whole history is what it ranks, and a
    /// decay there would rank one comment this week above a hundred last year.
    fn decay_exp(&self, period: Period, age: f64) -> f64 {
        if period != Period::All && self.half_life_days > 0.0 {
            -age / self.half_life_days
        } else {
            0.0
        }
    }
}

/// Index bytes of an f64 whose byte order is descending value order.
pub fn desc_bytes(v: f64) -> [u8; 8] {
    let bits = v.to_bits();
    let asc = if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    };
    (!asc).to_be_bytes()
}

/// A key for suggesting links: a handle's local part or a display name, lowercased, letters and
/// digits only. None when too short to mean anything.
pub fn link_key(s: &str) -> Option<String> {
    let s = s.trim().trim_start_matches('@');
    let local = s.split(['@', '.']).next().unwrap_or("");
    let k: String = local
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(|c| c.to_lowercase())
        .collect();
    (k.chars().count() >= 3).then_some(k)
}

#[cfg(test)]
mod tests;
