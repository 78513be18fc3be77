//! Timestamps as milliseconds since the Unix epoch: compact in the store, RFC 3339 at the edges.

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Milliseconds since 1970-01-01T00:00:00Z (UTC).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn now() -> Self {
        Timestamp(Utc::now().timestamp_millis())
    }

    pub fn from_datetime(dt: DateTime<Utc>) -> Self {
        Timestamp(dt.timestamp_millis())
    }

    pub fn to_datetime(self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.0)
            .single()
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
    }

    /// RFC 3339 with millisecond precision, always `Z`.
    pub fn to_rfc3339(self) -> String {
        self.to_datetime()
            .to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// Accepts RFC 3339 (`2026-03-14T09:21:07Z`, with offset), `YYYY-MM-DD HH:MM[:SS]` (UTC),
    /// `YYYY-MM-DD`, and Unix seconds or milliseconds.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
            return Some(Timestamp(dt.timestamp_millis()));
        }
        for fmt in [
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%dT%H:%M",
        ] {
            if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(s, fmt) {
                return Some(Timestamp(naive.and_utc().timestamp_millis()));
            }
        }
        if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return d
                .and_hms_opt(0, 0, 0)
                .map(|n| Timestamp(n.and_utc().timestamp_millis()));
        }
        if s.bytes().all(|b| b.is_ascii_digit()) && s.len() <= 13 {
            let n: i64 = s.parse().ok()?;
            // Ten digits are seconds until 2286; thirteen are milliseconds.
            return Some(if s.len() <= 10 {
                Timestamp(n * 1000)
            } else {
                Timestamp(n)
            });
        }
        None
    }

    pub fn plus_minutes(self, m: i64) -> Self {
        Timestamp(self.0 + m * 60_000)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

/// How far ahead a time may be. Past it a time is a typo (`99999999d`), and an item snoozed there
/// would never come back; it is also far below where milliseconds overflow or chrono gives up.
pub const HORIZON_YEARS: i64 = 10;
const HORIZON_MS: i64 = HORIZON_YEARS * 366 * 86_400_000;

/// Why a snooze time or a duration was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UntilError {
    NotATime(String),
    /// Beyond [`HORIZON_YEARS`] (or too large to count at all).
    TooFar(String),
}

impl std::error::Error for UntilError {}

impl fmt::Display for UntilError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Quoted and escaped (`{:?}`); whoever shows the message sanitizes it like any text.
        let shown = |v: &str| format!("{:?}", v.chars().take(60).collect::<String>());
        f.write_str(&match self {
            UntilError::NotATime(v) => crate::i18n::tf("err.not_a_time", &[("value", &shown(v))]),
            UntilError::TooFar(v) => crate::i18n::tf(
                "err.cli.too_far",
                &[("value", &shown(v)), ("years", &HORIZON_YEARS)],
            ),
        })
    }
}

/// A duration like `30m`, `2h`, `1d`, `1w` (optionally `+30m`, long unit names too), in ms.
/// `Ok(None)` when `s` is not of that form; refused past the horizon, never overflowing.
pub fn parse_duration(s: &str) -> Result<Option<i64>, UntilError> {
    let t = s.trim().trim_start_matches('+').to_lowercase();
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let unit_ms: i64 = match unit.trim() {
        "m" | "min" | "mins" | "minutes" => 60_000,
        "h" | "hour" | "hours" => 3_600_000,
        "d" | "day" | "days" => 86_400_000,
        "w" | "week" | "weeks" => 7 * 86_400_000,
        _ => return Ok(None),
    };
    if num.is_empty() {
        return Ok(None);
    }
    let too_far = || UntilError::TooFar(s.trim().to_string());
    // Eighteen digits always fit an i64; more are far past the horizon anyway.
    let n: i64 = if num.len() > 18 {
        return Err(too_far());
    } else {
        num.parse().map_err(|_| too_far())?
    };
    match n.checked_mul(unit_ms) {
        Some(ms) if ms <= HORIZON_MS => Ok(Some(ms)),
        _ => Err(too_far()),
    }
}

/// Parses a snooze/until expression relative to `now`: `30m`, `2h`, `1d`, `+90m`, `tomorrow`,
/// or any absolute form [`Timestamp::parse`] accepts. `tomorrow` means 09:00 UTC next day.
/// Times more than [`HORIZON_YEARS`] after `now` are refused.
pub fn parse_until_checked(s: &str, now: Timestamp) -> Result<Timestamp, UntilError> {
    let t = s.trim().trim_start_matches('+').to_lowercase();
    let at = if t == "tomorrow" {
        now.to_datetime()
            .date_naive()
            .succ_opt()
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .map(|n| Timestamp(n.and_utc().timestamp_millis()))
    } else if let Some(ms) = parse_duration(&t)? {
        now.0.checked_add(ms).map(Timestamp)
    } else {
        Timestamp::parse(s)
    };
    let at = at.ok_or_else(|| UntilError::NotATime(s.trim().to_string()))?;
    if at.0.saturating_sub(now.0) > HORIZON_MS {
        return Err(UntilError::TooFar(s.trim().to_string()));
    }
    Ok(at)
}

/// [`parse_until_checked`] for callers that only need to know whether it is a time.
pub fn parse_until(s: &str, now: Timestamp) -> Option<Timestamp> {
    parse_until_checked(s, now).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        assert_eq!(
            Timestamp::parse("1970-01-01T00:00:01Z"),
            Some(Timestamp(1000))
        );
        assert_eq!(
            Timestamp::parse("1970-01-01T03:00:01+03:00"),
            Some(Timestamp(1000))
        );
        assert_eq!(Timestamp::parse("1970-01-02"), Some(Timestamp(86_400_000)));
        assert_eq!(
            Timestamp::parse("1970-01-01 00:01"),
            Some(Timestamp(60_000))
        );
        assert_eq!(
            Timestamp::parse("1700000000"),
            Some(Timestamp(1_700_000_000_000))
        );
        assert_eq!(Timestamp::parse("nonsense"), None);
    }

    #[test]
    fn until_relative_and_tomorrow() {
        let now = Timestamp(0);
        assert_eq!(parse_until("30m", now), Some(Timestamp(1_800_000)));
        assert_eq!(parse_until("+2h", now), Some(Timestamp(7_200_000)));
        assert_eq!(parse_until("1d", now), Some(Timestamp(86_400_000)));
        assert_eq!(
            parse_until("tomorrow", now),
            Some(Timestamp(86_400_000 + 9 * 3_600_000))
        );
        assert_eq!(parse_until("soon", now), None);
    }

    #[test]
    fn far_times_are_refused_not_wrapped() {
        let now = Timestamp(1_773_480_067_512);
        let far = |s: &str| Err(UntilError::TooFar(s.to_string()));
        assert_eq!(parse_until_checked("99999999d", now), far("99999999d"));
        assert_eq!(
            parse_until_checked("9999999999999999999m", now),
            far("9999999999999999999m")
        );
        // Overflows i64 when multiplied: refused, never wrapped.
        assert_eq!(
            parse_until_checked("999999999999999999w", now),
            far("999999999999999999w")
        );
        assert_eq!(parse_until_checked("2600-01-01", now), far("2600-01-01"));
        assert_eq!(parse_until("9999999999", now), None);
        // What the TUI's snooze popup calls: a refused time is no time at all there.
        assert_eq!(parse_until("99999999d", now), None);
        assert_eq!(
            parse_until("3650d", now),
            Some(Timestamp(now.0 + 3650 * 86_400_000))
        );
        assert_eq!(
            parse_until_checked("soon", now),
            Err(UntilError::NotATime("soon".into()))
        );
        assert_eq!(parse_duration("2h"), Ok(Some(7_200_000)));
        assert_eq!(parse_duration("2026-01-01"), Ok(None));
    }

    #[test]
    fn rfc3339_round_trip() {
        let t = Timestamp(1_773_480_067_512);
        assert_eq!(Timestamp::parse(&t.to_rfc3339()), Some(t));
    }
}
