//! Search terms: how text is folded and cut into index tokens, the same way for items and queries.
//!
//! Latin, Cyrillic, Greek and other spaced scripts: words, lower-cased, diacritics removed (é → e),
//! ё → е. CJK and other unspaced scripts: every single character and every adjacent pair, so a
//! query of any length is found by the pairs it contains and then confirmed as a substring.

/// Longest token kept in the index (bytes); longer words are cut at a char boundary.
pub const MAX_TOKEN_BYTES: usize = 48;

/// Fold one character sequence for matching: compatibility-decompose, drop combining marks,
/// lower-case, ё → е. й stays й (its breve is a letter in Russian, not an accent).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'й' | 'Й' => out.push('й'),
            'ё' | 'Ё' => out.push('е'),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => unicode_normalization::char::decompose_compatible(c, |d| {
                if !is_combining(d) {
                    out.extend(d.to_lowercase());
                }
            }),
        }
    }
    out
}

fn is_combining(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Scripts written without spaces between words.
pub fn is_unspaced(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK ext A
        | 0x4E00..=0x9FFF    // CJK unified
        | 0xF900..=0xFAFF    // CJK compatibility
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0x0E00..=0x0E7F    // Thai
        | 0x20000..=0x2FA1F) // CJK ext B..
}

/// One token of a text, with whether it came from an unspaced script (and so needs a substring
/// check when it is a query pair).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub unspaced: bool,
}

/// Tokens to index for `text` (deduplicated, in first-seen order).
pub fn index_tokens(text: &str) -> Vec<String> {
    let folded = fold(text);
    let mut out: Vec<String> = Vec::new();
    let push = |t: String, out: &mut Vec<String>| {
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    };
    for run in runs(&folded) {
        match run {
            Run::Word(w) => push(cap(w), &mut out),
            Run::Unspaced(chars) => {
                for (i, c) in chars.iter().enumerate() {
                    push(c.to_string(), &mut out);
                    if let Some(n) = chars.get(i + 1) {
                        push(format!("{c}{n}"), &mut out);
                    }
                }
            }
        }
    }
    out
}

/// A parsed query: tokens that must all be present, plus unspaced phrases to confirm by substring.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// Whole-word (or unspaced pair/char) tokens that must be in the index.
    pub tokens: Vec<String>,
    /// Word prefixes (`word*`): some indexed token must start with each.
    pub prefixes: Vec<String>,
    /// Folded unspaced runs longer than two characters, to confirm as substrings of folded text.
    pub phrases: Vec<String>,
}

impl Query {
    pub fn parse(q: &str) -> Query {
        let mut out = Query::default();
        for raw in q.split_whitespace() {
            let is_prefix = raw.ends_with('*') && raw.trim_end_matches('*').chars().count() >= 1;
            let folded = fold(raw.trim_end_matches('*'));
            for run in runs(&folded) {
                match run {
                    Run::Word(w) if is_prefix => out.prefixes.push(cap(w)),
                    Run::Word(w) => out.tokens.push(cap(w)),
                    Run::Unspaced(chars) => {
                        if chars.len() == 1 {
                            out.tokens.push(chars[0].to_string());
                        } else {
                            for pair in chars.windows(2) {
                                let t: String = pair.iter().collect();
                                if !out.tokens.contains(&t) {
                                    out.tokens.push(t);
                                }
                            }
                            if chars.len() > 2 {
                                out.phrases.push(chars.iter().collect());
                            }
                        }
                    }
                }
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty() && self.prefixes.is_empty()
    }

    /// Confirms a candidate whose tokens matched: unspaced phrases must appear as substrings.
    pub fn confirm(&self, text: &str) -> bool {
        if self.phrases.is_empty() {
            return true;
        }
        let folded = fold(text);
        self.phrases.iter().all(|p| folded.contains(p.as_str()))
    }
}

/// The text an item is searched by: its text, title, and author's name and handle.
pub fn searchable_text(item: &super::Item) -> String {
    let mut s = String::with_capacity(item.text.len() + 64);
    s.push_str(&item.text);
    for extra in [&item.title, &item.author.name, &item.author.handle]
        .into_iter()
        .flatten()
    {
        s.push('\n');
        s.push_str(extra);
    }
    s
}

/// The folded words and unspaced runs of a text, one space between each: what a phrase is
/// looked for in (see [`line_contains`]).
pub fn run_line(text: &str) -> String {
    let folded = fold(text);
    let mut out = String::with_capacity(folded.len());
    for run in runs(&folded) {
        if !out.is_empty() {
            out.push(' ');
        }
        match run {
            Run::Word(w) => out.push_str(w),
            Run::Unspaced(chars) => out.extend(chars),
        }
    }
    out
}

/// Whether the run line `have` holds `want` (both from [`run_line`]) starting and ending on
/// word boundaries; a phrase starting or ending in an unspaced script may start or end
/// anywhere in a run of it.
pub fn line_contains(have: &str, want: &str) -> bool {
    let (Some(first), Some(last)) = (want.chars().next(), want.chars().next_back()) else {
        return true;
    };
    have.match_indices(want).any(|(i, _)| {
        let end = i + want.len();
        let starts = i == 0 || have[..i].ends_with(' ') || is_unspaced(first);
        let ends = end == have.len() || have[end..].starts_with(' ') || is_unspaced(last);
        starts && ends
    })
}

enum Run<'a> {
    Word(&'a str),
    Unspaced(Vec<char>),
}

fn runs(folded: &str) -> Vec<Run<'_>> {
    let mut out = Vec::new();
    let mut word_start: Option<usize> = None;
    let mut unspaced: Vec<char> = Vec::new();
    for (i, c) in folded.char_indices() {
        let word_char = c.is_alphanumeric() || c == '_';
        if word_char && is_unspaced(c) {
            if let Some(s) = word_start.take() {
                out.push(Run::Word(&folded[s..i]));
            }
            unspaced.push(c);
        } else if word_char {
            if !unspaced.is_empty() {
                out.push(Run::Unspaced(std::mem::take(&mut unspaced)));
            }
            word_start.get_or_insert(i);
        } else {
            if let Some(s) = word_start.take() {
                out.push(Run::Word(&folded[s..i]));
            }
            if !unspaced.is_empty() {
                out.push(Run::Unspaced(std::mem::take(&mut unspaced)));
            }
        }
    }
    if let Some(s) = word_start {
        out.push(Run::Word(&folded[s..]));
    }
    if !unspaced.is_empty() {
        out.push(Run::Unspaced(unspaced));
    }
    out
}

fn cap(w: &str) -> String {
    if w.len() <= MAX_TOKEN_BYTES {
        return w.to_string();
    }
    let mut end = MAX_TOKEN_BYTES;
    while !w.is_char_boundary(end) {
        end -= 1;
    }
    w[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_diacritics_and_yo() {
        assert_eq!(fold("ЁЛКА Zürich Café"), "елка zurich cafe");
        assert_eq!(fold("Йогурт"), "йогурт");
    }

    #[test]
    fn tokens_for_mixed_scripts() {
        let t = index_tokens("Доставка ёлки в Zürich! 你好世界");
        for want in [
            "доставка",
            "елки",
            "в",
            "zurich",
            "你",
            "你好",
            "好世",
            "世界",
            "界",
        ] {
            assert!(t.contains(&want.to_string()), "missing {want} in {t:?}");
        }
    }

    #[test]
    fn query_parses_words_prefixes_and_cjk_phrases() {
        let q = Query::parse("ЁЛКИ достав* 你好世界");
        assert_eq!(q.tokens, vec!["елки", "你好", "好世", "世界"]);
        assert_eq!(q.prefixes, vec!["достав"]);
        assert_eq!(q.phrases, vec!["你好世界"]);
        assert!(q.confirm("сказал 你好世界!"));
        assert!(!q.confirm("你好 世界"));
    }

    #[test]
    fn long_tokens_are_capped_on_char_boundary() {
        let w = "я".repeat(100);
        let t = index_tokens(&w);
        assert_eq!(t.len(), 1);
        assert!(t[0].len() <= MAX_TOKEN_BYTES);
    }
}
