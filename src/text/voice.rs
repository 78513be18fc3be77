//! Brand voice: the phrases a team avoids (with what to say instead) and the ones it prefers,
//! found in a draft.
//!
//! A style sheet is a small TOML file:
//!
//! ```toml
//! # Phrases to avoid, each with what to say instead ("" = no suggestion, just flag it).
//! [avoid]
//! "cheap" = "affordable"
//! "ASAP" = ""
//! "дёшево" = "доступно"
//! "便宜" = "实惠"
//!
//! # Phrases the brand likes to see.
//! [prefer]
//! phrases = ["community", "сообщество", "社区"]
//! ```
//!
//! Matching ignores letter case (any script; `ё` matches `е`) and treats any run of
//! whitespace as one space. A phrase that begins or ends with a letter or digit matches whole
//! words only (`cheap` is not found in `cheaper`); CJK has no spaces, so a CJK phrase matches
//! anywhere. Where hits overlap, the longest wins.

use crate::i18n;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use toml::Spanned;
use unicode_segmentation::UnicodeSegmentation;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    pub text: String,
    /// What to write instead (avoided phrases only).
    pub suggestion: Option<String>,
}

impl Phrase {
    pub fn new(text: &str) -> Phrase {
        Phrase {
            text: text.to_string(),
            suggestion: None,
        }
    }

    pub fn instead(text: &str, suggestion: &str) -> Phrase {
        Phrase {
            text: text.to_string(),
            suggestion: Some(suggestion.to_string()),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StyleSheet {
    pub avoid: Vec<Phrase>,
    pub prefer: Vec<Phrase>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitKind {
    Avoid,
    Prefer,
}

/// One phrase found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Byte range in the checked text.
    pub range: Range<usize>,
    /// Index into `avoid` or `prefer`, as `kind` says.
    pub phrase: usize,
    pub kind: HitKind,
    /// The replacement, in the letter case of the text it replaces (`Cheap` → `Affordable`).
    pub suggestion: Option<String>,
}

/// Why a style sheet could not be read; both name the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetError {
    /// Not TOML, or not the shape above (`why` is the TOML reader's own words).
    Toml {
        line: usize,
        why: String,
    },
    EmptyPhrase {
        line: usize,
    },
}

impl std::error::Error for SheetError {}

impl fmt::Display for SheetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            SheetError::Toml { line, why } => {
                i18n::tf("voice.bad_line", &[("line", line), ("why", why)])
            }
            SheetError::EmptyPhrase { line } => i18n::tf("voice.empty_phrase", &[("line", line)]),
        };
        f.write_str(&s)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSheet {
    #[serde(default)]
    avoid: BTreeMap<Spanned<String>, String>,
    #[serde(default)]
    prefer: Option<RawPrefer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrefer {
    #[serde(alias = "words")]
    phrases: Vec<Spanned<String>>,
}

impl StyleSheet {
    /// Reads a style sheet (format in the module docs). Phrases keep the file's order.
    pub fn from_toml(src: &str) -> Result<StyleSheet, SheetError> {
        let line = |at: usize| src[..at.min(src.len())].matches('\n').count() + 1;
        let raw: RawSheet = toml::from_str(src).map_err(|e| SheetError::Toml {
            line: e.span().map_or(1, |s| line(s.start)),
            why: e.message().trim().to_string(),
        })?;
        let mut avoid: Vec<(usize, Phrase)> = Vec::new();
        for (key, instead) in raw.avoid {
            let at = key.span().start;
            if key.get_ref().trim().is_empty() {
                return Err(SheetError::EmptyPhrase { line: line(at) });
            }
            let instead = instead.trim();
            avoid.push((
                at,
                Phrase {
                    text: key.into_inner(),
                    suggestion: (!instead.is_empty()).then(|| instead.to_string()),
                },
            ));
        }
        avoid.sort_by_key(|(at, _)| *at);
        let mut prefer = Vec::new();
        for p in raw.prefer.map(|p| p.phrases).unwrap_or_default() {
            if p.get_ref().trim().is_empty() {
                return Err(SheetError::EmptyPhrase {
                    line: line(p.span().start),
                });
            }
            prefer.push(Phrase::new(p.get_ref()));
        }
        Ok(StyleSheet {
            avoid: avoid.into_iter().map(|(_, p)| p).collect(),
            prefer,
        })
    }
}

/// Every avoided or preferred phrase in `text`, in text order, none overlapping.
pub fn check(text: &str, sheet: &StyleSheet) -> Vec<Hit> {
    if sheet.avoid.is_empty() && sheet.prefer.is_empty() {
        return Vec::new();
    }
    let folded = Folded::new(text);
    let mut word_edge = vec![false; text.len() + 1];
    for (i, _) in text.split_word_bound_indices() {
        word_edge[i] = true;
    }
    word_edge[text.len()] = true;

    let mut found: Vec<Hit> = Vec::new();
    let lists = [
        (HitKind::Avoid, &sheet.avoid),
        (HitKind::Prefer, &sheet.prefer),
    ];
    for (kind, list) in lists {
        for (idx, phrase) in list.iter().enumerate() {
            let needle = Folded::new(phrase.text.trim()).text;
            if needle.is_empty() || needle == " " {
                continue;
            }
            let first = phrase.text.trim().chars().next();
            let last = phrase.text.trim().chars().next_back();
            let whole_start = first.is_some_and(is_word_char);
            let whole_end = last.is_some_and(is_word_char);
            let mut from = 0;
            while let Some(i) = folded.text.get(from..).and_then(|h| h.find(&needle)) {
                let at = from + i;
                from = at + folded.text[at..].chars().next().map_or(1, char::len_utf8);
                let Some(range) = folded.original(at, at + needle.len()) else {
                    continue;
                };
                if (whole_start && !word_edge[range.start]) || (whole_end && !word_edge[range.end])
                {
                    continue;
                }
                let suggestion = phrase
                    .suggestion
                    .as_deref()
                    .map(|s| match_case(&text[range.clone()], s));
                found.push(Hit {
                    range,
                    phrase: idx,
                    kind,
                    suggestion,
                });
            }
        }
    }
    // Longest first; then earlier, then avoid before prefer, then the sheet's order.
    found.sort_by(|a, b| {
        (
            b.range.len(),
            a.range.start,
            a.kind == HitKind::Prefer,
            a.phrase,
        )
            .cmp(&(
                a.range.len(),
                b.range.start,
                b.kind == HitKind::Prefer,
                b.phrase,
            ))
    });
    let mut taken: BTreeMap<usize, usize> = BTreeMap::new();
    let mut hits = Vec::new();
    for hit in found {
        let r = &hit.range;
        let before = taken.range(..r.end).next_back();
        if before.is_some_and(|(_, end)| *end > r.start) {
            continue;
        }
        taken.insert(r.start, r.end);
        hits.push(hit);
    }
    hits.sort_by_key(|h| h.range.start);
    hits
}

/// A letter or digit of a script that separates words with spaces.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !super::split::is_cjk(c)
}

/// The suggestion written the way the replaced text is: all caps, or capitalised.
fn match_case(found: &str, suggestion: &str) -> String {
    let letters: Vec<char> = found.chars().filter(|c| c.is_alphabetic()).collect();
    let upper = |c: &char| c.is_uppercase();
    if letters.len() > 1 && letters.iter().all(upper) {
        return suggestion.to_uppercase();
    }
    if found.chars().next().is_some_and(|c| c.is_uppercase()) {
        let mut chars = suggestion.chars();
        if let Some(first) = chars.next() {
            return first.to_uppercase().chain(chars).collect();
        }
    }
    suggestion.to_string()
}

/// A text folded for matching, with a way back to the original's bytes.
struct Folded {
    text: String,
    /// For each byte of `text` (and its end): the original offset when a folded char group
    /// starts there, else `usize::MAX`.
    origin: Vec<usize>,
}

impl Folded {
    fn new(s: &str) -> Folded {
        let mut text = String::with_capacity(s.len());
        let mut origin = Vec::with_capacity(s.len() + 1);
        let mut in_space = false;
        for (i, c) in s.char_indices() {
            if c.is_whitespace() {
                if !in_space {
                    origin.push(i);
                    text.push(' ');
                }
                in_space = true;
                continue;
            }
            in_space = false;
            let before = text.len();
            match c {
                'ё' | 'Ё' => text.push('е'),
                'ς' => text.push('σ'),
                _ => text.extend(c.to_lowercase()),
            }
            origin.push(i);
            origin.extend(std::iter::repeat_n(usize::MAX, text.len() - before - 1));
        }
        origin.push(s.len());
        Folded { text, origin }
    }

    /// The original byte range of folded `start..end`, if both ends fall between char groups.
    fn original(&self, start: usize, end: usize) -> Option<Range<usize>> {
        let s = *self.origin.get(start)?;
        let e = *self.origin.get(end)?;
        (s != usize::MAX && e != usize::MAX).then_some(s..e)
    }
}

#[cfg(test)]
#[path = "voice_tests.rs"]
mod tests;
