//! Scores of a period with time decay, the explanation that adds up to each, the decay-invariant
//! rank keys of the index, when a window's score next changes, sparkline series and trends.

use super::{month_of, month_start, Act, Buckets, Period, Scoring};
use crate::domain::Platform;
use serde::{Deserialize, Serialize};

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
