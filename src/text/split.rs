//! Splitting a text too long for one post into a thread whose parts each fit the network.
//!
//! The text is cut into atoms (a URL, an @mention, a #hashtag, or one grapheme), each with its
//! length as the network counts it, so a part's length is a sum and the farthest fitting end
//! is a binary search. Among the ends that fit, a paragraph end is taken when it fills a
//! quarter of the part, a sentence end or a space (or a point between CJK characters, which
//! have no spaces) when it fills half; else any space; only then any grapheme. Each part is
//! counted again before it is kept.

use super::count::{count_for, over_limit, remote_mention, url_len, BLUESKY_MAX_BYTES};
use crate::domain::platform::CountRule;
use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

/// Splits `text` into parts that each satisfy `count_for(part, rule) <= limit` (and Bluesky's
/// byte cap). A text that fits is one part, unchanged. With `numbering`, every part of a longer
/// text ends in ` i/n`, counted within the limit (left off if the limit cannot hold it).
/// Whitespace where the text is cut is dropped; everything else is kept, in order.
pub fn split_thread(text: &str, rule: CountRule, limit: usize, numbering: bool) -> Vec<String> {
    let (ranges, numbered) = plan(text, rule, limit, numbering);
    let n = ranges.len();
    ranges
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            if numbered {
                format!("{} {}/{n}", &text[r], i + 1)
            } else {
                text[r].to_string()
            }
        })
        .collect()
}

/// Where [`split_thread`] cuts: the byte range of each part in `text` (without numbering).
pub fn split_ranges(
    text: &str,
    rule: CountRule,
    limit: usize,
    numbering: bool,
) -> Vec<Range<usize>> {
    plan(text, rule, limit, numbering).0
}

/// The parts, and whether they carry numbers.
fn plan(text: &str, rule: CountRule, limit: usize, numbering: bool) -> (Vec<Range<usize>>, bool) {
    if over_limit(text, rule, limit).is_none() {
        return (std::iter::once(0..text.len()).collect(), false);
    }
    let atoms = atomize(text, rule);
    if !numbering {
        return (cut(text, &atoms, rule, limit, ""), false);
    }
    // ` 12/12` takes 2 + 2 digits of the count; grow the reserve until the count fits in it.
    // Start from a lower bound on the count: the non-space length over the widest part.
    let content: usize = atoms.iter().filter(|a| !a.space).map(|a| a.count).sum();
    let room = limit.saturating_sub(4).max(1);
    let mut digits = content.div_ceil(room).max(1).to_string().len();
    loop {
        let widest = format!(" {0}/{0}", "9".repeat(digits));
        if limit <= widest.len() {
            return (cut(text, &atoms, rule, limit, ""), false);
        }
        let parts = cut(text, &atoms, rule, limit, &widest);
        if parts.len() < 10usize.saturating_pow(digits as u32) || digits >= 19 {
            let numbered = parts.len() > 1;
            return (parts, numbered);
        }
        digits += 1;
    }
}

/// How good a place to end a part is; `None` for no place at all (after whitespace).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Break {
    Grapheme,
    /// A space, or a point between CJK characters.
    Soft,
    Sentence,
    Paragraph,
}

#[derive(Clone, Copy)]
struct Atom {
    start: usize,
    end: usize,
    count: usize,
    space: bool,
    /// A URL, mention or tag (cut into graphemes only when it alone is too long).
    token: bool,
}

/// Greedy cut with `suffix` (the widest numbering) reserved in every part.
fn cut(
    text: &str,
    base: &[Atom],
    rule: CountRule,
    limit: usize,
    suffix: &str,
) -> Vec<Range<usize>> {
    let max_count = limit.saturating_sub(count_for(suffix, rule));
    let max_bytes = match rule {
        CountRule::Bluesky => BLUESKY_MAX_BYTES.saturating_sub(suffix.len()),
        _ => usize::MAX,
    };
    let refined;
    let atoms = if base
        .iter()
        .any(|a| a.count > max_count || a.end - a.start > max_bytes)
    {
        refined = refine(text, base, rule, max_count, max_bytes);
        &refined[..]
    } else {
        base
    };
    let n = atoms.len();
    let offset = |k: usize| atoms.get(k).map_or(text.len(), |a| a.start);
    let mut cum = Vec::with_capacity(n + 1);
    cum.push(0usize);
    for a in atoms {
        cum.push(cum[cum.len() - 1].saturating_add(a.count));
    }
    let classes: Vec<Option<Break>> = (0..=n).map(|k| class(text, atoms, k)).collect();
    let skip_space = |mut k: usize| {
        while k < n && atoms[k].space {
            k += 1;
        }
        k
    };
    let fits = |s: usize, e: usize| {
        let part = format!("{}{suffix}", &text[offset(s)..offset(e)]);
        over_limit(&part, rule, limit).is_none()
    };

    let mut parts = Vec::new();
    let mut s = skip_space(0);
    while s < n {
        let within = |k: usize| cum[k] - cum[s] <= max_count && offset(k) - offset(s) <= max_bytes;
        // The farthest atom boundary that fits: sums only grow, so a binary search.
        let (mut lo, mut hi) = (s, n);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if within(mid) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        let far = lo;
        let mut e = if far == n {
            // The rest fits: end at its last non-space atom.
            (s + 1..=n)
                .rev()
                .find(|&k| classes[k].is_some())
                .unwrap_or(n)
        } else {
            choose(
                &classes,
                &cum,
                s,
                far,
                max_count,
                |k| offset(k) - offset(s),
                max_bytes,
            )
            .unwrap_or(s + 1)
        };
        // Counted again: a sum of atoms can only differ from the network's own count at
        // forced cuts inside a token.
        while e > s + 1 && !fits(s, e) {
            e = (s + 1..e)
                .rev()
                .find(|&k| classes[k].is_some())
                .unwrap_or(s + 1);
        }
        parts.push(offset(s)..offset(e));
        s = skip_space(e);
    }
    parts
}

/// The best end in `(s, far]`: a paragraph end filling a quarter of the part, a sentence end
/// or a soft break filling half; else the farthest soft break or better; else the farthest
/// grapheme.
fn choose(
    classes: &[Option<Break>],
    cum: &[usize],
    s: usize,
    far: usize,
    max_count: usize,
    bytes: impl Fn(usize) -> usize,
    max_bytes: usize,
) -> Option<usize> {
    // Does ending at `k` fill `quarters`/4 of the part (in count, or in bytes under a byte cap)?
    let filled = |k: usize, quarters: usize| {
        (cum[k] - cum[s]).saturating_mul(4) >= max_count.saturating_mul(quarters)
            || (max_bytes != usize::MAX
                && bytes(k).saturating_mul(4) >= max_bytes.saturating_mul(quarters))
    };
    let farthest = |min: Break, quarters: usize| {
        (s + 1..=far)
            .rev()
            .take_while(|&k| filled(k, quarters))
            .find(|&k| classes[k].is_some_and(|c| c >= min))
    };
    farthest(Break::Paragraph, 1)
        .or_else(|| farthest(Break::Sentence, 2))
        .or_else(|| farthest(Break::Soft, 2))
        .or_else(|| farthest(Break::Soft, 0))
        .or_else(|| farthest(Break::Grapheme, 0))
}

/// Whitespace that separates parts. No-break spaces hold their neighbours together.
fn is_break_space(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{A0}' | '\u{2007}' | '\u{202F}')
}

fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Characters after which a sentence ends: Latin ones need a space after them, CJK ones not.
fn ends_sentence(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '‼' | '⁉') || ends_sentence_cjk(c)
}

fn ends_sentence_cjk(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '｡' | '．')
}

/// Closing quotes and brackets that belong to the sentence before them.
fn is_closer(c: char) -> bool {
    matches!(
        c,
        ')' | ']' | '"' | '\'' | '»' | '”' | '’' | '」' | '』' | '）' | '】' | '》' | '〉'
    )
}

pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF      // radicals
        | 0x3000..=0x303F    // CJK punctuation
        | 0x3040..=0x30FF    // kana
        | 0x3100..=0x312F    // bopomofo
        | 0x31F0..=0x31FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0xFF00..=0xFFEF    // full-width forms
        | 0x20000..=0x3FFFF)
}

/// How good it is to end a part at atom boundary `k` (before atom `k`).
fn class(text: &str, atoms: &[Atom], k: usize) -> Option<Break> {
    let prev = atoms.get(k.checked_sub(1)?)?;
    if prev.space {
        return None;
    }
    let start = |i: usize| atoms.get(i).map_or(text.len(), |a| a.start);
    let before = &text[..start(k)];
    // A few closers at most (`.")`): a long run of them is not a sentence end.
    let last_content = before.chars().rev().take(4).find(|c| !is_closer(*c));
    match atoms.get(k) {
        None => Some(Break::Paragraph),
        Some(next) if next.space => {
            let mut lines = 0;
            let mut i = k;
            while let Some(a) = atoms.get(i).filter(|a| a.space) {
                let ws = &text[a.start..start(i + 1)];
                lines += ws.chars().filter(|c| is_line_break(*c)).count();
                lines += ws.matches('\u{2029}').count();
                lines -= ws.matches("\r\n").count();
                i += 1;
            }
            Some(match lines {
                0 if last_content.is_some_and(ends_sentence) => Break::Sentence,
                0 => Break::Soft,
                1 => Break::Sentence,
                _ => Break::Paragraph,
            })
        }
        Some(next) => {
            let next_char = text[next.start..].chars().next();
            if next_char.is_some_and(is_closer) {
                Some(Break::Grapheme)
            } else if last_content.is_some_and(ends_sentence_cjk) {
                Some(Break::Sentence)
            } else if before.chars().next_back().is_some_and(is_cjk)
                || next_char.is_some_and(is_cjk)
            {
                Some(Break::Soft)
            } else {
                Some(Break::Grapheme)
            }
        }
    }
}

/// Cuts `text` into atoms: URLs, mentions and tags whole, everything else one grapheme each.
fn atomize(text: &str, rule: CountRule) -> Vec<Atom> {
    let mut bounds: Vec<usize> = text.grapheme_indices(true).map(|(i, _)| i).collect();
    bounds.push(text.len());
    let mut atoms = Vec::with_capacity(bounds.len());
    let mut gi = 0;
    let mut prev: Option<char> = None;
    while gi + 1 < bounds.len() {
        let pos = bounds[gi];
        let rest = &text[pos..];
        if let Some(len) = token_len(rest, prev) {
            // Tokens end on a grapheme boundary.
            let next = gi + 1 + bounds[gi + 1..].partition_point(|&b| b < pos + len);
            let next = next.min(bounds.len() - 1);
            let tok = &text[pos..bounds[next]];
            atoms.push(Atom {
                start: pos,
                end: bounds[next],
                count: count_for(tok, rule),
                space: false,
                token: true,
            });
            prev = tok.chars().next_back();
            gi = next;
        } else {
            let g = &text[pos..bounds[gi + 1]];
            atoms.push(Atom {
                start: pos,
                end: bounds[gi + 1],
                count: grapheme_count(g, rule),
                space: g.chars().all(is_break_space),
                token: false,
            });
            prev = g.chars().next_back();
            gi += 1;
        }
    }
    atoms
}

/// The count of one grapheme that starts no URL or mention (so Mastodon counts it as 1).
fn grapheme_count(g: &str, rule: CountRule) -> usize {
    match rule {
        CountRule::Graphemes | CountRule::Bluesky | CountRule::Mastodon => 1,
        CountRule::Utf16 => g.encode_utf16().count(),
        CountRule::Chars => g.chars().count(),
        CountRule::Utf8Bytes => g.len(),
    }
}

/// Atoms too long for a whole part cut finer: a token into graphemes, a grapheme (Zalgo, or
/// heavy under a byte cap) into chars.
fn refine(
    text: &str,
    base: &[Atom],
    rule: CountRule,
    max_count: usize,
    max_bytes: usize,
) -> Vec<Atom> {
    let too_big = |count: usize, bytes: usize| count > max_count || bytes > max_bytes;
    let mut out = Vec::with_capacity(base.len());
    let push_grapheme = |out: &mut Vec<Atom>, start: usize, g: &str| {
        let count = grapheme_count(g, rule);
        if !too_big(count, g.len()) {
            out.push(Atom {
                start,
                end: start + g.len(),
                count,
                space: g.chars().all(is_break_space),
                token: false,
            });
            return;
        }
        for (i, c) in g.char_indices() {
            out.push(Atom {
                start: start + i,
                end: start + i + c.len_utf8(),
                count: grapheme_count(&g[i..i + c.len_utf8()], rule),
                space: false,
                token: false,
            });
        }
    };
    for a in base {
        if !too_big(a.count, a.end - a.start) {
            out.push(*a);
        } else if a.token {
            for (i, g) in text[a.start..a.end].grapheme_indices(true) {
                push_grapheme(&mut out, a.start + i, g);
            }
        } else {
            push_grapheme(&mut out, a.start, &text[a.start..a.end]);
        }
    }
    out
}

/// Length of a URL, @mention or #hashtag at the start of `rest` (`prev` is the character
/// before it: a mention or tag starts a word).
fn token_len(rest: &str, prev: Option<char>) -> Option<usize> {
    if let Some(len) = url_len(rest) {
        return Some(len);
    }
    if let Some((_, len)) = remote_mention(rest) {
        return Some(len);
    }
    if prev.is_some_and(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let sigil = rest.chars().next()?;
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let body_ok: fn(char) -> bool = match sigil {
        '@' => |c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '@'),
        '#' | '＃' => |c| c.is_alphanumeric() || c == '_',
        _ => return None,
    };
    let start = sigil.len_utf8();
    let mut end = start;
    for g in rest[start..].graphemes(true) {
        let c = g.chars().next()?;
        if !body_ok(c) || (end == start && !word(c)) {
            break;
        }
        end += g.len();
    }
    while end > start && rest[..end].ends_with(['.', '-']) {
        end -= 1;
    }
    (end > start).then_some(end)
}

#[cfg(test)]
#[path = "split_tests.rs"]
mod tests;
