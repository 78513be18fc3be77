//! Small display helpers: ages, stars, times, and sanitized cells padded to exact widths.

use crate::domain::Timestamp;
use crate::i18n::tf;
use crate::text::{pad_to_width, sanitize_identity, sanitize_line, Flags};

/// "5m", "3h", "2d" in the UI language.
pub fn age(t: Timestamp, now: Timestamp) -> String {
    let mins = ((now.0 - t.0).max(0) / 60_000) as u64;
    let (key, n) = match mins {
        0 => ("tui.age.now", 0),
        1..=59 => ("tui.age.m", mins),
        60..=1439 => ("tui.age.h", mins / 60),
        1440..=20159 => ("tui.age.d", mins / 1440),
        20160..=525_599 => ("tui.age.w", mins / 10080),
        _ => ("tui.age.y", mins / 525_600),
    };
    tf(key, &[("n", &n)])
}

/// A point in time relative to now, for snooze confirmations: "in 3h (2026-03-14 12:00 UTC)".
pub fn when(t: Timestamp, now: Timestamp) -> String {
    let abs = t.to_datetime().format("%Y-%m-%d %H:%M UTC").to_string();
    let mins = ((t.0 - now.0).max(0) / 60_000) as u64;
    let rel = if mins < 60 {
        tf("tui.age.m", &[("n", &mins)])
    } else if mins < 2880 {
        tf("tui.age.h", &[("n", &(mins / 60))])
    } else {
        tf("tui.age.d", &[("n", &(mins / 1440))])
    };
    tf("tui.when", &[("rel", &rel), ("abs", &abs)])
}

pub fn stars(r: Option<u8>) -> String {
    match r {
        Some(n) => {
            let n = n.min(5) as usize;
            format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
        }
        None => String::new(),
    }
}

/// Outside text for one cell: sanitized, then cut or padded to exactly `w` cells.
pub fn cell(raw: &str, w: usize) -> String {
    pad_to_width(&sanitize_line(raw, w.max(1)).text, w)
}

/// A name or handle for one cell, with the sanitizer's flags for badges.
pub fn identity(raw: &str, w: usize) -> (String, Flags) {
    let s = sanitize_identity(raw, w.max(1) + 1);
    (pad_to_width(&s.text, w), s.flags)
}

/// Trusted (catalog) text padded to exactly `w` cells.
pub fn fit(s: &str, w: usize) -> String {
    pad_to_width(s, w)
}

/// Greedy word wrap of already-sanitized text into lines of at most `w` cells.
pub fn wrap(line: &str, w: usize) -> Vec<String> {
    use crate::text::{grapheme_width, width};
    use unicode_segmentation::UnicodeSegmentation;
    let w = w.max(1);
    if width(line) <= w {
        return vec![line.to_string()];
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut cur_w = 0;
    for word in words_with_punctuation(line) {
        let word = word.as_str();
        let ww = width(word);
        if cur_w + ww <= w {
            cur.push_str(word);
            cur_w += ww;
            continue;
        }
        if ww <= w && !word.trim().is_empty() {
            out.push(std::mem::take(&mut cur));
            cur_w = 0;
            cur.push_str(word);
            cur_w += ww;
            continue;
        }
        if word.trim().is_empty() && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
            cur_w = 0;
            continue;
        }
        for g in word.graphemes(true) {
            let gw = grapheme_width(g);
            if cur_w + gw > w {
                out.push(std::mem::take(&mut cur));
                cur_w = 0;
            }
            cur.push_str(g);
            cur_w += gw;
        }
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

/// Word segments, a punctuation mark kept with the word before it (a line never starts with
/// the comma that ended the word above).
fn words_with_punctuation(line: &str) -> Vec<String> {
    use unicode_segmentation::UnicodeSegmentation;
    let mut out: Vec<String> = Vec::new();
    for seg in line.split_word_bounds() {
        let punct = seg
            .chars()
            .all(|c| !c.is_alphanumeric() && !c.is_whitespace() && !"([{«“‘（《【".contains(c));
        match out.last_mut() {
            Some(prev) if punct && !prev.trim().is_empty() => prev.push_str(seg),
            _ => out.push(seg.to_string()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comma_stays_with_its_word() {
        assert_eq!(
            wrap("kind, status, rating, language", 20),
            vec!["kind, status, ", "rating, language"]
        );
        assert_eq!(
            wrap("平台、类型、状态", 6),
            vec!["平台、", "类型、", "状态"]
        );
    }

    #[test]
    fn wrap_respects_width() {
        for s in [
            "hello world this is a test",
            "你好，世界！你好，世界！",
            "aaaaaaaaaaaaaaaaaaaaaaaaaa",
            "👨‍👩‍👧‍👦 🇺🇸 ⌨️ 🐻‍❄️ 👁️‍🗨️",
        ] {
            for w in 1..12 {
                for l in wrap(s, w) {
                    assert!(crate::text::width(&l) <= w.max(2), "{s:?} {w} {l:?}");
                }
            }
        }
        assert_eq!(wrap("hello world", 6), vec!["hello ", "world"]);
    }
}
