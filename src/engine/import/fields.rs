//! Value rules shared by the JSONL and CSV readers, so both report the same reasons.

use crate::domain::{Platform, Status, Timestamp};
use crate::i18n::tf;

/// What every row may fall back on or is checked against.
pub(crate) struct Ctx {
    /// The account for rows that name none.
    pub account: String,
    /// The clock creation times are checked against (see [`in_range`]).
    pub now: Timestamp,
}

/// How far past this machine's clock a creation time may be: room for a clock a little off and
/// for local times written as UTC (up to 14 hours), but not for a date typed wrong.
pub(crate) const FUTURE_SLACK_MS: i64 = 48 * 3600 * 1000;

/// Longest platform name accepted for a platform kith has no entry for (characters).
const MAX_PLATFORM_NAME: usize = 64;

/// Longest value quoted back in an error reason (characters).
const QUOTE_CHARS: usize = 60;

/// `s` quoted for an error reason: Rust debug quoting (control characters escaped), cut short.
pub(crate) fn quoted(s: &str) -> String {
    match s.char_indices().nth(QUOTE_CHARS) {
        Some((cut, _)) => format!("{:?}…", &s[..cut]),
        None => format!("{s:?}"),
    }
}

/// A creation time: RFC 3339, `YYYY-MM-DD HH:MM[:SS]`, `YYYY-MM-DD`, or Unix seconds (up to ten
/// digits) or milliseconds (eleven to thirteen); within [`in_range`].
pub(crate) fn date(field: &str, raw: &str, now: Timestamp) -> Result<Timestamp, String> {
    in_range(field, raw, parse_date(field, raw)?, now)
}

/// [`date`] without the range check.
pub(crate) fn parse_date(field: &str, raw: &str) -> Result<Timestamp, String> {
    Timestamp::parse(raw).ok_or_else(|| {
        format!(
            "bad date {} in {field}; use RFC 3339, YYYY-MM-DD HH:MM[:SS] or Unix seconds/milliseconds",
            quoted(raw)
        )
    })
}

/// Item ids and lists are ordered by creation time from 1970 on (domain/ids.rs), and nothing
/// said to us comes from the future: a time before 1970-01-01 or more than
/// [`FUTURE_SLACK_MS`] ahead of `now` is refused rather than clamped.
pub(crate) fn in_range(
    field: &str,
    raw: &str,
    t: Timestamp,
    now: Timestamp,
) -> Result<Timestamp, String> {
    let args: [(&str, &dyn std::fmt::Display); 2] = [("value", &quoted(raw)), ("field", &field)];
    if t.0 < 0 {
        Err(tf("import.date_before_1970", &args))
    } else if t.0 > now.0.saturating_add(FUTURE_SLACK_MS) {
        Err(tf("import.date_future", &args))
    } else {
        Ok(t)
    }
}

/// The platform a row names: a known one, or any other name kept as the item's source.
pub(crate) fn platform(raw: &str) -> Result<(Platform, Option<String>), String> {
    if raw.trim().chars().count() > MAX_PLATFORM_NAME {
        return Err(tf(
            "import.platform_too_long",
            &[("value", &quoted(raw)), ("max", &MAX_PLATFORM_NAME)],
        ));
    }
    Ok(Platform::from_import(raw))
}

/// A star rating written as text: a whole number 1–5 (`4` or `4.0`).
pub(crate) fn rating_text(raw: &str) -> Result<u8, String> {
    let t = raw.trim();
    let n = t
        .parse::<f64>()
        .ok()
        .filter(|n| n.fract() == 0.0 && (1.0..=5.0).contains(n));
    match n {
        Some(n) => Ok(n as u8),
        None => Err(format!("rating out of range 1–5: {}", quoted(raw))),
    }
}

/// An initial status. `snoozed` needs a time, which imports do not carry.
pub(crate) fn status(raw: &str) -> Result<Status, String> {
    match raw.parse::<Status>() {
        Ok(Status::Snoozed) => {
            Err("status snoozed cannot be imported; use new, open, done, hidden or spam".into())
        }
        Ok(s) => Ok(s),
        Err(e) => Err(e.to_string()),
    }
}

/// A follower count: a non-negative whole number.
pub(crate) fn followers_text(raw: &str) -> Result<u64, String> {
    raw.trim().parse::<u64>().map_err(|_| {
        format!(
            "followers must be a non-negative whole number, found {}",
            quoted(raw)
        )
    })
}

/// Tags written in one cell, separated by commas or semicolons.
pub(crate) fn tags_text(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in raw
        .split([',', ';'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        push_tag(&mut out, t);
    }
    out
}

/// Adds a tag unless it is empty or already there.
pub(crate) fn push_tag(tags: &mut Vec<String>, tag: &str) {
    if !tag.is_empty() && !tags.iter().any(|t| t == tag) {
        tags.push(tag.to_string());
    }
}

/// The base language of a locale: `ru_RU` → `ru`, `pt-BR` → `pt`, `EN` → `en`.
pub(crate) fn lang_base(raw: &str) -> Option<String> {
    let base = raw
        .trim()
        .split(['_', '-'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    (!base.is_empty()).then_some(base)
}

/// A stable 64-bit FNV-1a hash of the parts (each followed by a NUL), as 16 hex digits. Stable
/// across runs and versions, so re-importing the same row gives the same id.
pub(crate) fn stable_hash_hex(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0u8]) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_dates_and_helpers() {
        assert_eq!(rating_text(" 4 "), Ok(4));
        assert_eq!(rating_text("5.0"), Ok(5));
        assert_eq!(
            rating_text("0"),
            Err("rating out of range 1–5: \"0\"".into())
        );
        assert_eq!(
            rating_text("4.5"),
            Err("rating out of range 1–5: \"4.5\"".into())
        );
        assert_eq!(
            rating_text("NaN"),
            Err("rating out of range 1–5: \"NaN\"".into())
        );
        let now = Timestamp(1_800_000_000_000);
        assert_eq!(
            date("date", "1700000000", now).map(|t| t.0),
            Ok(1_700_000_000_000)
        );
        assert_eq!(
            date("date", "soon", now),
            Err("bad date \"soon\" in date; use RFC 3339, YYYY-MM-DD HH:MM[:SS] or Unix seconds/milliseconds".into())
        );
        assert_eq!(lang_base("ru_RU").as_deref(), Some("ru"));
        assert_eq!(lang_base("pt-BR").as_deref(), Some("pt"));
        assert_eq!(lang_base(" "), None);
        assert_eq!(tags_text("vip; bug,vip ,"), vec!["vip", "bug"]);
        assert_eq!(stable_hash_hex(&[]), "cbf29ce484222325");
        assert_eq!(quoted(&"я".repeat(70)), format!("\"{}\"…", "я".repeat(60)));
        assert!(status("snoozed").is_err());
        assert_eq!(platform(" Weibo "), Ok((Platform::Weibo, None)));
        assert_eq!(
            platform("friendster"),
            Ok((Platform::Other, Some("friendster".into())))
        );
        assert_eq!(
            platform(&"n".repeat(65)),
            Err(format!(
                "platform name {} is longer than 64 characters",
                quoted(&"n".repeat(65))
            ))
        );
    }

    #[test]
    fn dates_before_1970_or_past_tomorrow_are_refused() {
        let now = Timestamp::parse("2026-12-07T08:00:00Z").expect("now");
        let at = |raw: &str| date("created_at", raw, now);
        assert_eq!(
            at("1960-05-01"),
            Err("date \"1960-05-01\" in created_at is before 1970-01-01; kith keeps items from 1970 on".into())
        );
        assert_eq!(
            at("2600-01-01T00:00:00Z"),
            Err("date \"2600-01-01T00:00:00Z\" in created_at is more than 48 hours ahead of this computer's clock; kith does not import items from the future".into())
        );
        assert!(at("9999999999").is_err(), "the year 2286, in seconds");
        assert_eq!(at("1970-01-01").map(|t| t.0), Ok(0));
        assert_eq!(at("2026-12-09T07:59:00Z").map(|t| t.0 > now.0), Ok(true));
        assert!(at("2026-12-09T08:01:00Z").is_err());
        assert_eq!(status("Done"), Ok(Status::Done));
    }
}
