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

/// Counts of one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    pub at: u32,
    pub n: [u32; ACTS],
}

/// A member's interactions per active day, sorted by day. Stored packed (see `pack`): a day
/// with one kind of interaction takes about 3 bytes, so records of long-active members stay
/// small (sled copies a leaf on every write, and big values make that dear).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Buckets {
    pub days: Vec<Bucket>,
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7F) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn get_varint(b: &[u8], at: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *b.get(*at)?;
        *at += 1;
        v |= ((byte & 0x7F) as u64) << shift;
        if byte & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

impl Buckets {
    /// Day gap, a mask of the kinds present, then their counts; all varints.
    pub fn pack(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.days.len() * 4);
        let mut prev = 0u32;
        for b in &self.days {
            put_varint(&mut out, (b.at - prev) as u64);
            prev = b.at;
            let mask =
                b.n.iter()
                    .enumerate()
                    .filter(|(_, c)| **c > 0)
                    .fold(0u64, |m, (i, _)| m | 1 << i);
            put_varint(&mut out, mask);
            for c in b.n.iter().filter(|c| **c > 0) {
                put_varint(&mut out, *c as u64);
            }
        }
        out
    }

    pub fn unpack(bytes: &[u8]) -> Option<Buckets> {
        // A day takes 3 bytes or more: no regrowth while reading the record of a ranking row.
        let mut days = Vec::with_capacity(bytes.len() / 3);
        let (mut at, mut day) = (0usize, 0u64);
        while at < bytes.len() {
            day += get_varint(bytes, &mut at)?;
            let mask = get_varint(bytes, &mut at)?;
            let mut n = [0u32; ACTS];
            for (i, slot) in n.iter_mut().enumerate() {
                if mask & (1 << i) != 0 {
                    *slot = u32::try_from(get_varint(bytes, &mut at)?).ok()?;
                }
            }
            days.push(Bucket {
                at: u32::try_from(day).ok()?,
                n,
            });
        }
        Some(Buckets { days })
    }
}

impl Serialize for Buckets {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.pack())
    }
}

impl<'de> Deserialize<'de> for Buckets {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Unpacked straight from the record's bytes (no copy, no byte-by-byte sequence): a
        // ranking page decodes fifty records.
        struct Packed;
        impl<'de> serde::de::Visitor<'de> for Packed {
            type Value = Buckets;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("packed member buckets")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Buckets, E> {
                Buckets::unpack(v).ok_or_else(|| E::custom("bad member buckets"))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Buckets, A::Error> {
                let mut v = Vec::new();
                while let Some(b) = seq.next_element::<u8>()? {
                    v.push(b);
                }
                self.visit_bytes(&v)
            }
        }
        d.deserialize_bytes(Packed)
    }
}

fn add_to(list: &mut Vec<Bucket>, at: u32, act: Act, delta: i64) {
    let pos = match list.binary_search_by_key(&at, |b| b.at) {
        Ok(p) => p,
        Err(p) => {
            if delta <= 0 {
                return;
            }
            list.insert(p, Bucket { at, n: [0; ACTS] });
            p
        }
    };
    let slot = &mut list[pos].n[act.index()];
    *slot = (*slot as i64 + delta).clamp(0, u32::MAX as i64) as u32;
    if list[pos].n.iter().all(|&c| c == 0) {
        list.remove(pos);
    }
}

impl Buckets {
    /// Counts `delta` interactions of `act` on `day` (a negative delta takes them back).
    pub fn add(&mut self, day: u32, act: Act, delta: i64) {
        add_to(&mut self.days, day, act, delta);
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    /// Totals by kind over everything.
    pub fn totals(&self) -> [u64; ACTS] {
        let mut t = [0u64; ACTS];
        for b in &self.days {
            for (i, c) in b.n.iter().enumerate() {
                t[i] += *c as u64;
            }
        }
        t
    }
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

/// One member's contribution to a person's score: who (platform), and their buckets.
pub struct Source<'a> {
    pub platform: Platform,
    pub buckets: &'a Buckets,
}

/// One line of an explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub kind: Act,
    pub platform: Platform,
    pub count: u64,
    pub points: f64,
}

/// A score and the parts that add up to it (the score is the sum of the parts, in order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Explained {
    pub score: f64,
    pub parts: Vec<Part>,
}

/// The first and last day of a period's window ending `today` (`back` windows earlier).
pub fn window(period: Period, today: u32, back: u32) -> Option<(u32, u32)> {
    let w = period.days()?;
    let hi = today.checked_sub(w * back)?;
    Some((hi.saturating_sub(w - 1), hi))
}

/// Visits (day, platform, act, count) of every interaction in a window (or all time).
fn each(
    sources: &[Source<'_>],
    period: Period,
    today: u32,
    back: u32,
    mut f: impl FnMut(u32, Platform, Act, u32),
) {
    let (lo, hi) = match window(period, today, back) {
        Some(w) => w,
        None if period == Period::All && back == 0 => (0, today),
        None => return,
    };
    for s in sources {
        for b in s.buckets.days.iter().filter(|b| b.at >= lo && b.at <= hi) {
            for act in Act::ALL {
                if b.n[act.index()] > 0 {
                    f(b.at, s.platform, act, b.n[act.index()]);
                }
            }
        }
    }
}

/// The score of a person (all their linked members) for a period, with its parts by kind and
/// platform. `back = 1` is the period before (for trends).
pub fn explain(
    sources: &[Source<'_>],
    period: Period,
    today: u32,
    back: u32,
    scoring: &Scoring,
) -> Explained {
    let mut parts: Vec<Part> = Vec::new();
    // The decay of the day, computed once per day rather than per kind.
    let mut decay = (u32::MAX, 0.0);
    each(sources, period, today, back, |day, platform, act, n| {
        if decay.0 != day {
            let age = today.saturating_sub(day) as f64;
            decay = (day, scoring.decay_exp(period, age).exp2());
        }
        let pts = n as f64 * scoring.weights[act.index()] * decay.1;
        match parts
            .iter_mut()
            .find(|p| p.kind == act && p.platform == platform)
        {
            Some(p) => {
                p.count += n as u64;
                p.points += pts;
            }
            None => parts.push(Part {
                kind: act,
                platform,
                count: n as u64,
                points: pts,
            }),
        }
    });
    parts.sort_by(|a, b| {
        b.points
            .total_cmp(&a.points)
            .then(a.kind.cmp(&b.kind))
            .then(a.platform.code().cmp(&b.platform.code()))
    });
    let score = parts.iter().fold(0.0, |sum, p| sum + p.points);
    Explained { score, parts }
}

/// The order key of a person in a period's index: log2 of the score times a factor that is the
/// same for everyone (`2^(today / half_life)`), so keys written on different days still compare
/// like today's scores. None when the score is zero.
pub fn rank_key(
    sources: &[Source<'_>],
    period: Period,
    today: u32,
    scoring: &Scoring,
) -> Option<f64> {
    let mut terms: Vec<(f64, f64)> = Vec::new(); // (exponent, weight * count)
    each(sources, period, today, 0, |day, _, act, n| {
        let w = scoring.weights[act.index()] * n as f64;
        if w > 0.0 {
            terms.push((-scoring.decay_exp(period, day as f64), w));
        }
    });
    let top = terms.iter().map(|t| t.0).fold(f64::NEG_INFINITY, f64::max);
    if terms.is_empty() {
        return None;
    }
    let sum: f64 = terms.iter().map(|(e, w)| w * (e - top).exp2()).sum();
    Some(top + sum.log2())
}

/// The opinion-leader key: followers × the 30-day score, in the same log scale.
pub fn leader_key(key_30d: f64, followers: u64) -> f64 {
    key_30d + ((followers as f64) + 1.0).log2()
}

/// The first day on which a windowed period's score changes without new activity: when the
/// oldest interaction inside the window leaves it.
pub fn expiry(sources: &[Source<'_>], period: Period, today: u32) -> Option<u32> {
    let (lo, hi) = window(period, today, 0)?;
    let w = period.days()?;
    sources
        .iter()
        .filter_map(|s| s.buckets.days.iter().find(|b| b.at >= lo && b.at <= hi))
        .map(|b| b.at + w)
        .min()
}

/// Interactions over a period for a sparkline: days for 7d/30d, weeks for 90d, the last 12
/// months for all time. Oldest first.
pub fn series(sources: &[Source<'_>], period: Period, today: u32) -> Vec<u64> {
    let (slots, width): (u32, u32) = match period {
        Period::Week => (7, 1),
        Period::Month => (30, 1),
        Period::Quarter => (13, 7),
        Period::All => (12, 0),
    };
    let mut out = vec![0u64; slots as usize];
    if width == 0 {
        let this = month_of(today);
        // Days before the first month shown are skipped without working out their month.
        let first = month_start(this.saturating_sub(slots - 1));
        for s in sources {
            for b in s
                .buckets
                .days
                .iter()
                .filter(|b| b.at <= today && b.at >= first)
            {
                let m = month_of(b.at);
                if this - m < slots {
                    out[(slots - 1 - (this - m)) as usize] +=
                        b.n.iter().map(|&c| c as u64).sum::<u64>();
                }
            }
        }
        return out;
    }
    for s in sources {
        for b in &s.buckets.days {
            if b.at > today {
                continue;
            }
            let slot_back = (today - b.at) / width;
            if slot_back < slots {
                out[(slots - 1 - slot_back) as usize] += b.n.iter().map(|&c| c as u64).sum::<u64>();
            }
        }
    }
    out
}

/// Direction of a score against the period before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    New,
    Up,
    Down,
    Same,
}

pub fn trend(now: f64, before: f64) -> Trend {
    if before <= 0.0 && now > 0.0 {
        Trend::New
    } else if now > before * 1.05 {
        Trend::Up
    } else if now < before * 0.95 {
        Trend::Down
    } else {
        Trend::Same
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
mod tests {
    use super::*;

    fn b(days: &[(u32, Act, i64)], _today: u32) -> Buckets {
        let mut x = Buckets::default();
        for &(d, a, n) in days {
            x.add(d, a, n);
        }
        x
    }

    #[test]
    fn buckets_pack_small_and_round_trip() {
        let x = b(
            &[
                (20_000, Act::Like, 1),
                (20_003, Act::Review, 300),
                (20_003, Act::Dm, 2),
            ],
            0,
        );
        let packed = x.pack();
        assert_eq!(packed.len(), 5 + 5);
        assert_eq!(Buckets::unpack(&packed), Some(x));
        assert_eq!(Buckets::unpack(&[0x80]), None);
    }

    #[test]
    fn member_ids_print_and_parse() {
        let id = MemberId::derive(Platform::Mastodon, "109");
        let s = id.to_string();
        assert_eq!(s.len(), 13);
        assert!(s.starts_with('m'));
        assert_eq!(s.parse::<MemberId>(), Ok(id));
        assert!("m123".parse::<MemberId>().is_err());
        assert!("anna".parse::<MemberId>().is_err());
        assert_ne!(id, MemberId::derive(Platform::Bluesky, "109"));
    }

    #[test]
    fn parts_add_up_and_decay_halves() {
        let today = 20_000;
        let bk = b(
            &[(today, Act::Review, 2), (today - 30, Act::Comment, 1)],
            today,
        );
        let s = Scoring::default();
        let e = explain(
            &[Source {
                platform: Platform::Vk,
                buckets: &bk,
            }],
            Period::Quarter,
            today,
            0,
            &s,
        );
        assert_eq!(e.parts.len(), 2);
        assert_eq!(e.parts[0].kind, Act::Review);
        assert_eq!(e.parts[0].points, 10.0);
        assert_eq!(e.parts[1].points, 1.5); // 3 points, one half-life ago
        assert_eq!(e.score, e.parts.iter().map(|p| p.points).sum::<f64>());
        // The week window only sees today's reviews.
        let w = explain(
            &[Source {
                platform: Platform::Vk,
                buckets: &bk,
            }],
            Period::Week,
            today,
            0,
            &s,
        );
        assert_eq!(w.score, 10.0);
    }

    #[test]
    fn rank_keys_order_like_scores_on_any_day() {
        let s = Scoring::default();
        let a = b(&[(100, Act::Review, 1)], 100);
        let c = b(&[(130, Act::Like, 3)], 130);
        fn src(x: &Buckets) -> Vec<Source<'_>> {
            vec![Source {
                platform: Platform::File,
                buckets: x,
            }]
        }
        let ka = rank_key(&src(&a), Period::Quarter, 100, &s).unwrap();
        let kc = rank_key(&src(&c), Period::Quarter, 130, &s).unwrap();
        let sa = explain(&src(&a), Period::Quarter, 130, 0, &s).score;
        let sc = explain(&src(&c), Period::Quarter, 130, 0, &s).score;
        assert_eq!(ka < kc, sa < sc);
        assert!(desc_bytes(ka) > desc_bytes(kc) || sa > sc);
        assert!(desc_bytes(1.0) > desc_bytes(2.0));
        assert!(desc_bytes(-1.0) > desc_bytes(0.5));
    }

    #[test]
    fn all_time_counts_every_interaction_in_full() {
        let s = Scoring::default();
        let today = 20_000;
        let old = b(&[(today - 200, Act::Comment, 120)], today);
        let new = b(&[(today - 2, Act::Comment, 1)], today);
        fn src(x: &Buckets) -> Vec<Source<'_>> {
            vec![Source {
                platform: Platform::Vk,
                buckets: x,
            }]
        }
        let o = explain(&src(&old), Period::All, today, 0, &s);
        let n = explain(&src(&new), Period::All, today, 0, &s);
        assert_eq!(o.score, 360.0);
        assert_eq!(n.score, 3.0);
        assert_eq!(o.parts[0].points, 360.0);
        let ko = rank_key(&src(&old), Period::All, today, &s).unwrap();
        let kn = rank_key(&src(&new), Period::All, today, &s).unwrap();
        assert!(ko > kn, "all time ranks 120 old comments above one new one");
        // Written on different days, all-time keys still compare like scores.
        let kn_later = rank_key(&src(&new), Period::All, today + 400, &s).unwrap();
        assert_eq!(kn, kn_later);
        // The windows keep recency: 200 days ago is outside 90 days.
        assert_eq!(
            explain(&src(&old), Period::Quarter, today, 0, &s).score,
            0.0
        );
    }

    #[test]
    fn all_time_is_never_less_than_a_window_and_takes_back() {
        let s = Scoring::default();
        let mut x = b(&[(1000, Act::Comment, 2), (1100, Act::Review, 1)], 1100);
        let src = |x: &Buckets| {
            let src = [Source {
                platform: Platform::Vk,
                buckets: x,
            }];
            (
                explain(&src, Period::All, 1101, 0, &s).score,
                explain(&src, Period::Quarter, 1101, 0, &s).score,
            )
        };
        let (all, q) = src(&x);
        assert!(all > q);
        x.add(1000, Act::Comment, -2);
        let (all, q) = src(&x);
        assert_eq!(
            all, 5.0,
            "all time: the review in full, the comments taken back"
        );
        assert!(q < all, "the quarter decays it by a day");
        assert_eq!(x.days.len(), 1);
        assert_eq!(x.totals()[Act::Comment.index()], 0);
    }

    #[test]
    fn expiry_and_series() {
        let x = b(&[(95, Act::Like, 1), (99, Act::Reply, 2)], 100);
        let src = [Source {
            platform: Platform::Vk,
            buckets: &x,
        }];
        assert_eq!(expiry(&src, Period::Week, 100), Some(102));
        assert_eq!(series(&src, Period::Week, 100), vec![0, 1, 0, 0, 0, 2, 0]);
        assert_eq!(window(Period::Week, 100, 1), Some((87, 93)));
        assert_eq!(trend(5.0, 0.0), Trend::New);
        assert_eq!(trend(5.0, 10.0), Trend::Down);
    }

    #[test]
    fn all_time_series_is_the_last_twelve_months() {
        // Day 20,454 = 2026-01-01; today 2026-12-06 (day 20,793).
        assert_eq!(month_start(month_of(20_454)), 20_454);
        assert_eq!(month_start(month_of(20_793)), 20_788);
        let today = 20_793;
        let x = b(
            &[
                (20_453, Act::Like, 5),    // 2025-12-31: thirteen months back, not shown
                (20_454, Act::Reply, 2),   // 2026-01-01: the first month shown
                (20_787, Act::Review, 1),  // 2026-11-30
                (20_788, Act::Mention, 3), // 2026-12-01
            ],
            today,
        );
        let src = [Source {
            platform: Platform::Vk,
            buckets: &x,
        }];
        assert_eq!(
            series(&src, Period::All, today),
            vec![2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3]
        );
    }

    #[test]
    fn link_keys() {
        assert_eq!(link_key("@Anna.bsky.social").as_deref(), Some("anna"));
        assert_eq!(link_key("anna@mastodon.social").as_deref(), Some("anna"));
        assert_eq!(link_key("Анна Петрова").as_deref(), Some("аннапетрова"));
        assert_eq!(link_key("ab"), None);
    }
}
