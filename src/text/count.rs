//! Text length as each platform counts it.

use crate::domain::platform::CountRule;
use unicode_segmentation::UnicodeSegmentation;

/// Characters Mastodon reserves for any URL, whatever its length (`characters_reserved_per_url`).
pub const MASTODON_URL_CHARS: usize = 23;
/// Bluesky's second limit: a post's text is at most this many UTF-8 bytes.
pub const BLUESKY_MAX_BYTES: usize = 3000;

pub fn count_for(text: &str, rule: CountRule) -> usize {
    match rule {
        CountRule::Graphemes | CountRule::Bluesky => text.graphemes(true).count(),
        CountRule::Utf16 => text.encode_utf16().count(),
        CountRule::Chars => text.chars().count(),
        CountRule::Mastodon => mastodon_count(text),
        CountRule::Utf8Bytes => text.len(),
    }
}

/// Mastodon's count: graphemes, with every `http(s)://` URL counted as 23 and a remote mention
/// `@user@domain` counted as `@user` (what the server does before comparing with its limit).
fn mastodon_count(text: &str) -> usize {
    let mut n = 0;
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(len) = url_len(rest) {
            n += MASTODON_URL_CHARS;
            rest = &rest[len..];
            continue;
        }
        if let Some((shown, len)) = remote_mention(rest) {
            n += shown;
            rest = &rest[len..];
            continue;
        }
        let g = rest.graphemes(true).next().unwrap_or(rest);
        n += 1;
        rest = &rest[g.len()..];
    }
    n
}

/// Length in bytes of a URL at the start of `s`.
pub(crate) fn url_len(s: &str) -> Option<usize> {
    let scheme = if s.starts_with("https://") {
        8
    } else if s.starts_with("http://") {
        7
    } else {
        return None;
    };
    let body = s[scheme..]
        .char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map(|(i, _)| i)
        .unwrap_or(s.len() - scheme);
    if body == 0 {
        return None;
    }
    // Trailing punctuation is not part of the link (as in the server's linkifier).
    let mut end = scheme + body;
    while end > scheme + 1 && s[..end].ends_with(['.', ',', '!', '?', ')', ':', ';']) {
        end -= 1;
    }
    Some(end)
}

/// `@user@domain` at the start of `s`: (graphemes counted, bytes taken).
pub(crate) fn remote_mention(s: &str) -> Option<(usize, usize)> {
    let rest = s.strip_prefix('@')?;
    let user_len = rest
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map(|(i, _)| i)
        .unwrap_or(rest.len());
    if user_len == 0 || !rest[user_len..].starts_with('@') {
        return None;
    }
    let domain = &rest[user_len + 1..];
    let dom_len = domain
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || matches!(c, '.' | '-')))
        .map(|(i, _)| i)
        .unwrap_or(domain.len());
    let dom = domain[..dom_len].trim_end_matches('.');
    if dom.is_empty() || !dom.contains('.') {
        return None;
    }
    Some((
        1 + rest[..user_len].graphemes(true).count(),
        1 + user_len + 1 + dom.len(),
    ))
}

/// Why a text does not fit, or `None`: (count, limit, in bytes?).
pub fn over_limit(text: &str, rule: CountRule, limit: usize) -> Option<(usize, usize, bool)> {
    let n = count_for(text, rule);
    if n > limit {
        return Some((n, limit, rule == CountRule::Utf8Bytes));
    }
    if rule == CountRule::Bluesky && text.len() > BLUESKY_MAX_BYTES {
        return Some((text.len(), BLUESKY_MAX_BYTES, true));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_differ_by_rule() {
        let s = "👨‍👩‍👧 да";
        assert_eq!(count_for(s, CountRule::Graphemes), 4);
        assert_eq!(count_for(s, CountRule::Chars), 8);
        assert_eq!(count_for(s, CountRule::Utf16), 11);
        assert_eq!(count_for("é中", CountRule::Utf8Bytes), 5);
        assert_eq!(
            over_limit(&"é".repeat(2049), CountRule::Utf8Bytes, 4096),
            Some((4098, 4096, true))
        );
    }

    #[test]
    fn mastodon_counts_urls_as_23_and_remote_mentions_as_local() {
        let long = format!("see https://example.com/{} ok", "a".repeat(200));
        assert_eq!(count_for(&long, CountRule::Mastodon), 4 + 23 + 3);
        assert_eq!(count_for("http://x.io.", CountRule::Mastodon), 23 + 1);
        assert_eq!(
            count_for("@lea@social.example.fr merci", CountRule::Mastodon),
            4 + 6
        );
        assert_eq!(count_for("@lea merci", CountRule::Mastodon), 10);
        assert_eq!(count_for("mail a@b", CountRule::Mastodon), 8);
        assert_eq!(count_for("👨‍👩‍👧 да", CountRule::Mastodon), 4);
    }

    #[test]
    fn bluesky_has_a_byte_limit_too() {
        let cjk = "漢".repeat(300);
        assert_eq!(over_limit(&cjk, CountRule::Bluesky, 300), None);
        // 300 graphemes of 6 combining marks each: within 300 graphemes, over 3000 bytes.
        let heavy = "e\u{301}\u{302}\u{303}\u{304}\u{305}\u{306}".repeat(300);
        assert_eq!(
            over_limit(&heavy, CountRule::Bluesky, 300),
            Some((heavy.len(), 3000, true))
        );
    }
}
