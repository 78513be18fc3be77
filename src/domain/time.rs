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

/// Parses a snooze/until expression relative to `now`: `30m`, `2h`, `1d`, `+90m`, `tomorrow`,
/// or any absolute form [`Timestamp::parse`] accepts. `tomorrow` means 09:00 UTC next day.
pub fn parse_until(s: &str, now: Timestamp) -> Option<Timestamp> {
    let t = s.trim().trim_start_matches('+').to_lowercase();
    if t == "tomorrow" {
        let d = now.to_datetime().date_naive().succ_opt()?;
        return d
            .and_hms_opt(9, 0, 0)
            .map(|n| Timestamp(n.and_utc().timestamp_millis()));
    }
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    if !num.is_empty() {
        if let Ok(n) = num.parse::<i64>() {
            let mins = match unit.trim() {
                "m" | "min" | "mins" | "minutes" => Some(n),
                "h" | "hour" | "hours" => Some(n * 60),
                "d" | "day" | "days" => Some(n * 60 * 24),
                "w" | "week" | "weeks" => Some(n * 60 * 24 * 7),
                _ => None,
            };
            if let Some(m) = mins {
                return Some(now.plus_minutes(m));
            }
        }
    }
    Timestamp::parse(s)
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
    fn rfc3339_round_trip() {
        let t = Timestamp(1_773_480_067_512);
        assert_eq!(Timestamp::parse(&t.to_rfc3339()), Some(t));
    }
}
