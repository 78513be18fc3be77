//! Value rules shared by the JSONL and CSV readers, so both report the same reasons.

use crate::domain::{Status, Timestamp};

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
/// digits) or milliseconds (eleven to thirteen).
pub(crate) fn date(field: &str, raw: &str) -> Result<Timestamp, String> {
    Timestamp::parse(raw).ok_or_else(|| {
        format!(
            "bad date {} in {field}; use RFC 3339, YYYY-MM-DD HH:MM[:SS] or Unix seconds/milliseconds",
            quoted(raw)
        )
    })
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
        assert_eq!(
            date("date", "1700000000").map(|t| t.0),
            Ok(1_700_000_000_000)
        );
        assert_eq!(
            date("date", "soon"),
            Err("bad date \"soon\" in date; use RFC 3339, YYYY-MM-DD HH:MM[:SS] or Unix seconds/milliseconds".into())
        );
        assert_eq!(lang_base("ru_RU").as_deref(), Some("ru"));
        assert_eq!(lang_base("pt-BR").as_deref(), Some("pt"));
        assert_eq!(lang_base(" "), None);
        assert_eq!(tags_text("vip; bug,vip ,"), vec!["vip", "bug"]);
        assert_eq!(stable_hash_hex(&[]), "cbf29ce484222325");
        assert_eq!(quoted(&"я".repeat(70)), format!("\"{}\"…", "я".repeat(60)));
        assert!(status("snoozed").is_err());
        assert_eq!(status("Done"), Ok(Status::Done));
    }
}
