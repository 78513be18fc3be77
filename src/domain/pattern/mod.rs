//! kith's pattern language (README: Patterns): one small language for the TUI's limit and
//! search, `kith inbox --where` and rules. Here: the syntax tree; `parse` reads it, `print`
//! writes its canonical form, `eval` decides whether an item matches, `plan` says which indexes
//! can narrow a scan. No I/O.
//!
//! Precedence, tightest first: `!` (not), then juxtaposition (and), then `|` (or); so
//! `a b | c` is `(a b) | c`. Alternatives inside one condition's value (`~p vk|telegram`) are
//! written without spaces.

mod error;
mod eval;
mod parse;
mod plan;
mod print;
#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod tests;

pub use error::PatternError;
pub use eval::PatternCtx;
pub use plan::{simplify, Plan, Scan};

use super::{Kind, Platform, Status};
use chrono::NaiveDate;

/// Longest pattern read, in characters: a rule or a search is a line, not a document.
pub const MAX_CHARS: usize = 4000;
/// Deepest nesting of groups and negations.
pub const MAX_DEPTH: usize = 32;

/// A parsed pattern. `Display` writes its canonical form, which parses back to the same tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub root: Node,
}

/// A node of the tree. `And` and `Or` always hold two or more children; a group in
/// parentheses stays its own node (so printing and parsing again gives the same tree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Term(Term),
}

/// One condition. Lists hold the alternatives of a value (`~s new|open`), never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// `~p`
    Platform(Vec<Platform>),
    /// `~A`: account name, exact.
    Account(Vec<String>),
    /// `~k`
    Kind(Vec<Kind>),
    /// `~s`
    Status(Vec<Status>),
    /// `~r`
    Rating(Vec<Rating>),
    /// `~t`: has the tag (any letter case).
    Tag(Vec<String>),
    /// `~a`: the author's handle, name or id, or any account of the person it names.
    Author(Vec<String>),
    /// `~o`
    Assignee(Vec<Who>),
    /// `~d`
    Date(Vec<When>),
    /// `~l`: language code (`ru` also matches `ru-RU`).
    Lang(Vec<String>),
    /// `~m`: written by a top member or an opinion leader.
    Member,
    /// `~w`: waiting longer than its response target.
    Waiting,
    /// A bare word, as the text search reads it (`word*` is a prefix).
    Word(String),
    /// `"a phrase"`: these words, one after the other.
    Phrase(String),
}

/// A star-rating condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rating {
    Eq(u8),
    Lt(u8),
    Le(u8),
    Gt(u8),
    Ge(u8),
    /// Inclusive.
    Range(u8, u8),
}

impl Rating {
    /// The inclusive star range it means (may be empty: `<1`).
    pub fn bounds(self) -> (u8, u8) {
        match self {
            Rating::Eq(n) => (n, n),
            Rating::Lt(n) => (1, n.saturating_sub(1)),
            Rating::Le(n) => (1, n),
            Rating::Gt(n) => (n.saturating_add(1), 5),
            Rating::Ge(n) => (n, 5),
            Rating::Range(a, b) => (a, b),
        }
    }
}

/// Who an item is assigned to, in `~o`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// `none`: nobody.
    Nobody,
    /// `me`: the operator asking.
    Me,
    Name(String),
}

/// A time unit of an age.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Minutes,
    Hours,
    Days,
    Weeks,
}

impl Unit {
    pub fn ms(self) -> i64 {
        match self {
            Unit::Minutes => 60_000,
            Unit::Hours => 3_600_000,
            Unit::Days => 86_400_000,
            Unit::Weeks => 7 * 86_400_000,
        }
    }
    pub fn letter(self) -> char {
        match self {
            Unit::Minutes => 'm',
            Unit::Hours => 'h',
            Unit::Days => 'd',
            Unit::Weeks => 'w',
        }
    }
}

/// An age or a date range, in `~d`. Days are UTC days (as `--since 2026-12-01` reads them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// `<24h`: written less than this long ago.
    Younger(u32, Unit),
    /// `>7d`: written more than this long ago.
    Older(u32, Unit),
    /// `2026-12-01..2026-12-07` (both days included), `2026-12-01..`, `..2026-12-07`, or one
    /// day. Never both open.
    Days(Option<NaiveDate>, Option<NaiveDate>),
}

impl Pattern {
    /// Reads a pattern; an error names the character where it went wrong.
    pub fn parse(src: &str) -> Result<Pattern, PatternError> {
        parse::parse(src)
    }

    /// Every term of the pattern, in order (for callers that resolve names before matching).
    pub fn terms(&self) -> Vec<&Term> {
        let mut out = Vec::new();
        collect_terms(&self.root, &mut out);
        out
    }
}

fn collect_terms<'a>(n: &'a Node, out: &mut Vec<&'a Term>) {
    match n {
        Node::And(c) | Node::Or(c) => c.iter().for_each(|c| collect_terms(c, out)),
        Node::Not(c) => collect_terms(c, out),
        Node::Term(t) => out.push(t),
    }
}

impl std::str::FromStr for Pattern {
    type Err = PatternError;
    fn from_str(s: &str) -> Result<Pattern, PatternError> {
        Pattern::parse(s)
    }
}
