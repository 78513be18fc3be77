//! Why a pattern could not be read: where (a character position) and what, as a catalog phrase.

use crate::i18n::Phrase;
use std::fmt;

/// A pattern error. `at` counts characters from 0 (front ends put a caret under it); the
/// phrase words the message, with the position counted from 1 as people count columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub at: usize,
    pub phrase: Phrase,
}

impl PatternError {
    /// `key` under `pattern.err.`; `col` is added from `at`.
    pub(super) fn new(at: usize, key: &str, args: &[(&str, &dyn fmt::Display)]) -> PatternError {
        let col = at + 1;
        let mut all: Vec<(&str, &dyn fmt::Display)> = args.to_vec();
        all.push(("col", &col));
        PatternError {
            at,
            phrase: Phrase::new(&format!("pattern.err.{key}"), &all),
        }
    }
}

/// How a value from the pattern is shown in a message: quoted, escaped, clipped.
pub(super) fn shown(v: &str) -> String {
    let clipped: String = v.chars().take(40).collect();
    let more = if v.chars().count() > 40 { "…" } else { "" };
    format!("{clipped:?}{more}")
}

impl std::error::Error for PatternError {}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.phrase, f)
    }
}
