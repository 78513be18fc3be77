//! How a draft will read on a network: which runs the network turns into links, mentions and
//! hashtags, and where lines break. Each network has its own rules, written after its own
//! parser (Mastodon's mention and hashtag regexes, Bluesky's `detectFacets`, Telegram's entity
//! parser); other networks are read the Mastodon way. All take `http(s)://` URLs the way
//! `count` does.

use super::count::url_len;
use crate::domain::platform::Platform;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKind {
    Text,
    Link,
    Mention,
    Hashtag,
    /// A line break (`\n`, `\r\n`, `\r`, U+2028, U+2029, U+0085).
    Break,
}

/// A run of the text (byte range) and what it becomes on the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub range: Range<usize>,
    pub kind: SpanKind,
}

/// The text cut into spans, in order, covering every byte; neighbouring text is one span.
pub fn spans(text: &str, platform: Platform) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let mut push = |range: Range<usize>, kind: SpanKind| match out.last_mut() {
        Some(last) if kind == SpanKind::Text && last.kind == SpanKind::Text => {
            last.range.end = range.end;
        }
        _ => out.push(Span { range, kind }),
    };
    let mut i = 0;
    let mut prev: Option<char> = None;
    while let Some(c) = text[i..].chars().next() {
        let rest = &text[i..];
        let found = line_break(rest)
            .map(|len| (len, SpanKind::Break))
            .or_else(|| entity(rest, prev, platform));
        let len = match found {
            Some((len, kind)) if len > 0 => {
                push(i..i + len, kind);
                len
            }
            _ => {
                push(i..i + c.len_utf8(), SpanKind::Text);
                c.len_utf8()
            }
        };
        prev = text[i..i + len].chars().next_back();
        i += len;
    }
    out
}

fn line_break(rest: &str) -> Option<usize> {
    if rest.starts_with("\r\n") {
        return Some(2);
    }
    let c = rest.chars().next()?;
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}').then(|| c.len_utf8())
}

/// A link, mention or hashtag starting at `rest`, as `platform` reads it.
fn entity(rest: &str, prev: Option<char>, platform: Platform) -> Option<(usize, SpanKind)> {
    let first = rest.chars().next()?;
    match first {
        'h' => {
            if prev.is_some_and(char::is_alphanumeric) {
                return None;
            }
            url_len(rest).map(|len| (len, SpanKind::Link))
        }
        '@' => {
            let len = match platform {
                Platform::Bluesky => bluesky_mention(rest, prev),
                Platform::Telegram => telegram_mention(rest, prev),
                _ => mastodon_mention(rest, prev),
            }?;
            Some((len, SpanKind::Mention))
        }
        '#' | '＃' => {
            let len = match platform {
                Platform::Bluesky => bluesky_tag(rest, prev),
                Platform::Telegram => telegram_tag(rest, prev),
                _ => mastodon_tag(rest, prev),
            }?;
            Some((len, SpanKind::Hashtag))
        }
        _ => None,
    }
}

/// Letters, digits, marks and `_`: what a regex calls a word character.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_mark(c)
}

/// Combining marks (the common blocks).
fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x0610..=0x061A | 0x064B..=0x065F
        | 0x0900..=0x0903 | 0x093A..=0x094F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF
        | 0x20D0..=0x20FF | 0x3099..=0x309A | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F)
}

/// Bytes of the longest prefix of `s` whose chars all pass `ok`.
fn run(s: &str, ok: impl Fn(char) -> bool) -> usize {
    s.char_indices()
        .find(|(_, c)| !ok(*c))
        .map_or(s.len(), |(i, _)| i)
}

/// Mastodon: `@user` or `@user@domain`, not after a word character or `/`.
fn mastodon_mention(rest: &str, prev: Option<char>) -> Option<usize> {
    if prev.is_some_and(|c| is_word(c) || c == '/') {
        return None;
    }
    let body = &rest[1..];
    let user_ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
    let mut user = run(body, user_ok);
    // Dots and dashes only inside a username.
    while user > 0 && body[..user].ends_with(['.', '-']) {
        user -= 1;
    }
    if user == 0 || body.starts_with(['.', '-']) {
        return None;
    }
    let mut end = 1 + user;
    if let Some(domain) = rest[end..].strip_prefix('@') {
        let mut d = run(domain, |c| is_word(c) || matches!(c, '.' | '-'));
        while d > 0 && domain[..d].ends_with(['.', '-']) {
            d -= 1;
        }
        if d > 0 {
            end += 1 + d;
        }
    }
    Some(end)
}

/// Bluesky: `@handle.domain` (a domain name) after a space, `(` or the start.
fn bluesky_mention(rest: &str, prev: Option<char>) -> Option<usize> {
    if prev.is_some_and(|c| !(c.is_whitespace() || c == '(')) {
        return None;
    }
    let body = &rest[1..];
    let mut len = run(body, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '.' | '-')
    });
    while len > 0 && body[..len].ends_with('.') {
        len -= 1;
    }
    let handle = &body[..len];
    let labels: Vec<&str> = handle.split('.').collect();
    let valid = labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-'))
        && labels
            .last()
            .is_some_and(|tld| tld.starts_with(|c: char| c.is_ascii_alphabetic()));
    let next = body[len..].chars().next();
    (valid && !next.is_some_and(is_word)).then_some(1 + len)
}

/// Telegram: `@` and 2–32 of `[A-Za-z0-9_]`, not touching a word character on either side.
fn telegram_mention(rest: &str, prev: Option<char>) -> Option<usize> {
    if prev.is_some_and(is_word) {
        return None;
    }
    let len = run(&rest[1..], |c| c.is_ascii_alphanumeric() || c == '_');
    let next = rest[1 + len..].chars().next();
    ((2..=32).contains(&len) && !next.is_some_and(is_word)).then_some(1 + len)
}

/// Mastodon: `#` and word characters (and `·` inside) with at least one letter, not after a
/// word character, `/` or `)`.
fn mastodon_tag(rest: &str, prev: Option<char>) -> Option<usize> {
    if prev.is_some_and(|c| is_word(c) || c == '/' || c == ')') {
        return None;
    }
    let sigil = rest.chars().next()?.len_utf8();
    let body = &rest[sigil..];
    let mut len = run(body, |c| is_word(c) || c == '·');
    while body[..len].ends_with('·') {
        len -= '·'.len_utf8();
    }
    let tag = &body[..len];
    (tag.chars().any(char::is_alphabetic) && !tag.starts_with('·')).then_some(sigil + len)
}

/// Telegram: `#` and up to 256 word characters, not all digits, not after a word character.
fn telegram_tag(rest: &str, prev: Option<char>) -> Option<usize> {
    if prev.is_some_and(is_word) {
        return None;
    }
    let sigil = rest.chars().next()?.len_utf8();
    let body = &rest[sigil..];
    let len = run(body, |c| is_word(c) || c == '·');
    let tag = &body[..len];
    let valid = tag.chars().count() <= 256 && tag.chars().any(|c| !c.is_ascii_digit());
    (len > 0 && valid).then_some(sigil + len)
}

/// Bluesky: after a space or the start, `#`/`＃` and everything up to whitespace, minus
/// trailing punctuation; not only digits; at most 64 characters.
fn bluesky_tag(rest: &str, prev: Option<char>) -> Option<usize> {
    if prev.is_some_and(|c| !c.is_whitespace()) {
        return None;
    }
    let sigil = rest.chars().next()?.len_utf8();
    let body = &rest[sigil..];
    if body.starts_with('\u{FE0F}') {
        return None;
    }
    let invisible = |c: char| {
        matches!(
            c,
            '\u{AD}' | '\u{2060}' | '\u{200A}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{20E2}'
        )
    };
    let mut len = run(body, |c| !c.is_whitespace() && !invisible(c));
    while let Some(c) = body[..len]
        .chars()
        .next_back()
        .filter(|c| is_punctuation(*c))
    {
        len -= c.len_utf8();
    }
    let tag = &body[..len];
    let valid = tag.chars().count() <= 64
        && tag
            .chars()
            .any(|c| !c.is_numeric() && !is_punctuation(c) && !c.is_whitespace());
    (len > 0 && valid).then_some(sigil + len)
}

/// Punctuation (ASCII, general and CJK): what `\p{P}` catches in practice.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c as u32, 0x2010..=0x2027 | 0x2030..=0x205E | 0x3001..=0x3003 | 0x3008..=0x3011)
        || matches!(
            c,
            '¡' | '¿' | '«' | '»' | '·' | '！' | '？' | '，' | '．' | '：' | '；' | '（' | '）'
        )
}

#[cfg(test)]
#[path = "preview_tests.rs"]
mod tests;
