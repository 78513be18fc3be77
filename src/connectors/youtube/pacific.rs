//! Pacific time without a time-zone database: YouTube's daily quota resets at midnight in
//! America/Los_Angeles, which follows the US daylight-saving rules (since 2007: from the second
//! Sunday of March, 2:00 local, to the first Sunday of November, 2:00 local).

use crate::domain::Timestamp;
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};

const HOUR_MS: i64 = 3600 * 1000;

/// The `n`th `weekday` of `month` in `year` (1-based).
fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default();
    let shift = (7 + weekday.num_days_from_monday() - first.weekday().num_days_from_monday()) % 7;
    first + Duration::days(i64::from(shift + 7 * (n - 1)))
}

/// When daylight time starts and ends in `year`, as instants (ms since the epoch): 2:00 PST is
/// 10:00 UTC, 2:00 PDT is 9:00 UTC.
fn dst_span(year: i32) -> (i64, i64) {
    let at = |d: NaiveDate, h: u32| {
        Utc.from_utc_datetime(&d.and_time(NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default()))
            .timestamp_millis()
    };
    (
        at(nth_weekday(year, 3, Weekday::Sun, 2), 10),
        at(nth_weekday(year, 11, Weekday::Sun, 1), 9),
    )
}

/// Hours Pacific time is behind UTC at `t`: 7 in daylight time, else 8.
pub fn behind_utc(t: Timestamp) -> i64 {
    let (start, end) = dst_span(t.to_datetime().year());
    if (start..end).contains(&t.0) {
        7
    } else {
        8
    }
}

/// The Pacific calendar day at `t`.
pub fn day(t: Timestamp) -> NaiveDate {
    Timestamp(t.0 - behind_utc(t) * HOUR_MS)
        .to_datetime()
        .date_naive()
}

/// The next Pacific midnight after `t`. Midnight is never inside a transition (they happen at
/// 2:00), so whether daylight time is in force at midnight read as PDT decides the offset.
pub fn next_midnight(t: Timestamp) -> Timestamp {
    let tomorrow = day(t) + Duration::days(1);
    let naive = tomorrow
        .and_time(NaiveTime::MIN)
        .and_utc()
        .timestamp_millis();
    let as_pdt = Timestamp(naive + 7 * HOUR_MS);
    Timestamp(naive + behind_utc(as_pdt) * HOUR_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn dst_starts_on_the_second_sunday_of_march_at_two() {
        // 2026: 8 March. 1:59 PST = 09:59 UTC; 3:00 PDT = 10:00 UTC.
        assert_eq!(behind_utc(ts("2026-03-08T09:59:59Z")), 8);
        assert_eq!(behind_utc(ts("2026-03-08T10:00:00Z")), 7);
        // 2027: 14 March (1 March is a Monday).
        assert_eq!(behind_utc(ts("2027-03-14T09:59:00Z")), 8);
        assert_eq!(behind_utc(ts("2027-03-14T10:00:00Z")), 7);
        assert_eq!(behind_utc(ts("2027-03-07T12:00:00Z")), 8);
    }

    #[test]
    fn dst_ends_on_the_first_sunday_of_november_at_two() {
        // 2026: 1 November. 1:59 PDT = 08:59 UTC; the second 1:00 (PST) = 09:00 UTC.
        assert_eq!(behind_utc(ts("2026-11-01T08:59:59Z")), 7);
        assert_eq!(behind_utc(ts("2026-11-01T09:00:00Z")), 8);
        // 2025: 2 November.
        assert_eq!(behind_utc(ts("2025-11-02T08:30:00Z")), 7);
        assert_eq!(behind_utc(ts("2025-11-02T09:30:00Z")), 8);
        assert_eq!(behind_utc(ts("2026-12-31T12:00:00Z")), 8);
        assert_eq!(behind_utc(ts("2026-07-04T12:00:00Z")), 7);
    }

    #[test]
    fn the_next_midnight_follows_the_offset_of_its_own_day() {
        // Winter: midnight PST is 08:00 UTC.
        assert_eq!(
            next_midnight(ts("2026-01-15T20:00:00Z")),
            ts("2026-01-16T08:00:00Z")
        );
        // Summer: midnight PDT is 07:00 UTC.
        assert_eq!(
            next_midnight(ts("2026-07-15T20:00:00Z")),
            ts("2026-07-16T07:00:00Z")
        );
        // 06:59 UTC on 16 July is still 15 July in Los Angeles (23:59 PDT).
        assert_eq!(
            next_midnight(ts("2026-07-16T06:59:00Z")),
            ts("2026-07-16T07:00:00Z")
        );
        assert_eq!(
            next_midnight(ts("2026-07-16T07:00:00Z")),
            ts("2026-07-17T07:00:00Z")
        );
        // Saturday 7 March 2026 in Los Angeles: Sunday's midnight is still PST (DST begins at 2:00).
        assert_eq!(
            next_midnight(ts("2026-03-07T12:00:00Z")),
            ts("2026-03-08T08:00:00Z")
        );
        // Sunday 8 March: the day is 23 hours long; Monday's midnight is PDT.
        assert_eq!(
            next_midnight(ts("2026-03-08T12:00:00Z")),
            ts("2026-03-09T07:00:00Z")
        );
        // Saturday 31 October: Sunday's midnight is still PDT (DST ends at 2:00).
        assert_eq!(
            next_midnight(ts("2026-10-31T12:00:00Z")),
            ts("2026-11-01T07:00:00Z")
        );
        // Sunday 1 November: 25 hours; Monday's midnight is PST.
        assert_eq!(
            next_midnight(ts("2026-11-01T12:00:00Z")),
            ts("2026-11-02T08:00:00Z")
        );
        // New Year in UTC is still 31 December in Los Angeles.
        assert_eq!(
            next_midnight(ts("2027-01-01T05:00:00Z")),
            ts("2027-01-01T08:00:00Z")
        );
        assert_eq!(day(ts("2027-01-01T05:00:00Z")).to_string(), "2026-12-31");
    }
}
