//! When a post goes out: what the operator types (`tomorrow 9am`, `пт 18:30`, `周五 18:30`,
//! `+1h30m`, an ISO date) read in their time zone; the line that confirms it; queue slots.
//!
//! Every local time goes through one resolver: a time that does not exist (clocks jump forward)
//! is an error naming it, and a time that exists twice (clocks fall back) is the earlier instant.

mod read;
mod zone;

pub use zone::Zone;

use super::Timestamp;
use crate::i18n::{self, Lang};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use chrono_tz::OffsetName;
use read::{apply_meridiem, clock, fold, Day, Spec};
use std::fmt;

/// Why a `when` or a slot list could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhenError {
    /// Not a form kith reads; holds the input (clipped).
    Unknown(String),
    /// A day without a time of day (`tomorrow`, `fri`); holds the input (clipped).
    MissingTime(String),
    /// The time has passed.
    Past {
        at: Timestamp,
        zone: Zone,
    },
    /// The local time does not exist: the clocks jump over it that day.
    Gap {
        local: NaiveDateTime,
        zone: Zone,
    },
    /// One entry of a slot list is not a time of day.
    BadSlot(String),
    NoSlots,
}

impl std::error::Error for WhenError {}

impl fmt::Display for WhenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            WhenError::Unknown(input) => {
                i18n::tf("when.unknown", &[("input", &format!("{input:?}"))])
            }
            WhenError::MissingTime(input) => {
                i18n::tf("when.missing_time", &[("input", &format!("{input:?}"))])
            }
            WhenError::Past { at, zone } => i18n::tf(
                "when.past",
                &[("when", &describe(*at, *zone, i18n::current()))],
            ),
            WhenError::Gap { local, zone } => i18n::tf(
                "when.gap",
                &[
                    ("local", &local.format("%Y-%m-%d %H:%M")),
                    ("zone", &zone.name()),
                ],
            ),
            WhenError::BadSlot(slot) => {
                i18n::tf("when.bad_slot", &[("slot", &format!("{slot:?}"))])
            }
            WhenError::NoSlots => i18n::t("when.no_slots"),
        };
        f.write_str(&s)
    }
}

/// At most this many characters of the input are kept in an error.
const CLIP: usize = 60;

fn clip(s: &str) -> String {
    match s.char_indices().nth(CLIP) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The longest relative offset accepted (`+36500d`): beyond it is surely a typo.
const MAX_AHEAD_MS: i64 = 36_500 * 86_400_000;

/// Reads when a post should go out, in `zone`, as of `now`. See the module tests for every form.
pub fn parse_when(input: &str, now: Timestamp, zone: &Zone) -> Result<Timestamp, WhenError> {
    let zone = *zone;
    let unknown = || WhenError::Unknown(clip(input.trim()));
    let spec = read::read(input).ok_or_else(unknown)?;
    let at = match spec {
        Spec::Now => return Ok(now),
        Spec::After(ms) => {
            return now.0.checked_add(ms).map(Timestamp).ok_or_else(unknown);
        }
        Spec::Instant(dt) => Timestamp(dt.timestamp_millis()),
        Spec::Local {
            day: None,
            time: None,
        } => return Err(unknown()),
        Spec::Local {
            day: Some(_),
            time: None,
        } => return Err(WhenError::MissingTime(clip(input.trim()))),
        Spec::Local {
            day,
            time: Some(time),
        } => return local_at(day, time, now, zone),
    };
    if at < now {
        return Err(WhenError::Past { at, zone });
    }
    Ok(at)
}

/// One local date-and-time form, resolved to the instant it names.
fn local_at(
    day: Option<Day>,
    time: NaiveTime,
    now: Timestamp,
    zone: Zone,
) -> Result<Timestamp, WhenError> {
    let today = zone.local(now).date_naive();
    let exact = |date: NaiveDate| {
        let local = date.and_time(time);
        match zone.resolve(local) {
            None => Err(WhenError::Gap { local, zone }),
            Some(at) if at < now => Err(WhenError::Past { at, zone }),
            Some(at) => Ok(at),
        }
    };
    match day {
        Some(Day::Offset(n)) => exact(today + Duration::days(n)),
        Some(Day::Date(date)) => exact(date),
        None => first_ahead((0..2).map(|n| today + Duration::days(n)), time, now, zone),
        Some(Day::Weekday(w)) => {
            let ahead = (7 + w.num_days_from_monday() as i64
                - today.weekday().num_days_from_monday() as i64)
                % 7;
            first_ahead(
                [ahead, ahead + 7].map(|n| today + Duration::days(n)),
                time,
                now,
                zone,
            )
        }
        Some(Day::Yearly(m, d)) => {
            let dates = (0..9).filter_map(|y| NaiveDate::from_ymd_opt(today.year() + y, m, d));
            first_ahead(dates, time, now, zone)
        }
    }
}

/// The first of `dates` at `time` that is not before `now`; a gap that is still ahead is an
/// error rather than a silent move to the next date.
fn first_ahead(
    dates: impl IntoIterator<Item = NaiveDate>,
    time: NaiveTime,
    now: Timestamp,
    zone: Zone,
) -> Result<Timestamp, WhenError> {
    let mut last = None;
    for date in dates {
        let local = date.and_time(time);
        match zone.resolve(local) {
            Some(at) if at >= now => return Ok(at),
            Some(at) => last = Some(WhenError::Past { at, zone }),
            None if zone.gap_probe(local) >= now => return Err(WhenError::Gap { local, zone }),
            None => last = Some(WhenError::Gap { local, zone }),
        }
    }
    Err(last.unwrap_or(WhenError::NoSlots))
}

/// `Fri 2026-12-11 18:30 CET`: the absolute time, in `lang`, for the operator to confirm.
pub fn describe(ts: Timestamp, zone: Zone, lang: Lang) -> String {
    let local = zone.local(ts);
    let abbr = local
        .offset()
        .abbreviation()
        .map(str::to_string)
        .unwrap_or_else(|| local.format("%:z").to_string());
    i18n::tf_in(
        lang,
        "when.describe",
        &[
            ("weekday", &i18n::t_in(lang, weekday_key(local.weekday()))),
            ("date", &local.format("%Y-%m-%d")),
            ("time", &local.format("%H:%M")),
            ("zone", &abbr),
        ],
    )
}

/// The catalog key of a weekday's short name.
pub fn weekday_key(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "when.wd.mon",
        Weekday::Tue => "when.wd.tue",
        Weekday::Wed => "when.wd.wed",
        Weekday::Thu => "when.wd.thu",
        Weekday::Fri => "when.wd.fri",
        Weekday::Sat => "when.wd.sat",
        Weekday::Sun => "when.wd.sun",
    }
}

/// The earliest slot strictly after `after`, in `zone`, that `taken` does not claim, looking at
/// the local day of `after` and the `horizon_days` days that follow. A slot inside that day's
/// gap is skipped; a slot in a fold is its earlier instant.
pub fn next_free_slot(
    slots: &[NaiveTime],
    zone: &Zone,
    after: Timestamp,
    taken: &dyn Fn(Timestamp) -> bool,
    horizon_days: u32,
) -> Option<Timestamp> {
    let mut slots = slots.to_vec();
    slots.sort();
    slots.dedup();
    if slots.is_empty() {
        return None;
    }
    let first = zone.local(after).date_naive();
    for n in 0..=i64::from(horizon_days.min(MAX_HORIZON_DAYS)) {
        let date = first.checked_add_signed(Duration::days(n))?;
        for slot in &slots {
            if let Some(at) = zone.resolve(date.and_time(*slot)) {
                if at > after && !taken(at) {
                    return Some(at);
                }
            }
        }
    }
    None
}

/// Queue scans stop after this many days whatever the caller asks (100 years).
const MAX_HORIZON_DAYS: u32 = 36_600;

/// Reads a slot list like `09:00, 12:00,15:00` (commas, semicolons or spaces between; 24-hour
/// `H:MM`, or `9am`/`5:30pm`): sorted, without repeats.
pub fn parse_slots(input: &str) -> Result<Vec<NaiveTime>, WhenError> {
    let mut out = Vec::new();
    for entry in input
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|e| !e.is_empty())
    {
        let t = fold(entry);
        let time = match clock(&t) {
            Some((time, Some(pm))) => apply_meridiem(time, pm),
            Some((time, None)) if t.contains(':') => Some(time),
            _ => None,
        };
        out.push(time.ok_or_else(|| WhenError::BadSlot(clip(entry)))?);
    }
    if out.is_empty() {
        return Err(WhenError::NoSlots);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
#[path = "when_tests.rs"]
mod tests;

/// The wall-clock time of `ts` in `zone`.
pub fn local(ts: Timestamp, zone: &Zone) -> NaiveDateTime {
    zone.local(ts).naive_local()
}

/// The first instant of the local day holding `ts` (after a gap at midnight, the first valid one).
pub fn start_of_day(ts: Timestamp, zone: &Zone) -> Timestamp {
    let day = local(ts, zone).date();
    (0..24 * 60)
        .step_by(15)
        .find_map(|m| zone.resolve(day.and_hms_opt(0, 0, 0)? + chrono::Duration::minutes(m)))
        .unwrap_or(ts)
}

/// `describe` in the UI's language.
pub fn show(ts: Timestamp, zone: &Zone) -> String {
    describe(ts, *zone, crate::i18n::current())
}
