//! Which indexes can narrow the scan for a pattern: a tree of index lists whose items are a
//! superset of the pattern's matches, plus time bounds from its top-level conditions. The
//! store walks the lists and checks every candidate with `Pattern::matches`.

use super::{eval::day_bounds, Node, Pattern, Term, When};
use crate::domain::member::MemberId;
use crate::domain::search::Query;
use crate::domain::{Kind, Platform, Status, Timestamp};

/// A set of items the store can list from its indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// In any of these (none: nothing).
    Any(Vec<Plan>),
    /// In all of these (two or more).
    All(Vec<Plan>),
    Status(Status),
    Platform(Platform),
    Account(String),
    Kind(Kind),
    /// Items whose text has this token (the word index).
    Token(String),
    /// Items whose text has a token starting with this (costly: read only when nothing else
    /// narrows).
    Prefix(String),
    /// Items this member wrote.
    Author(MemberId),
}

/// How to scan for a pattern: the lists (`None`: every item) and the time bounds (created at or
/// after `since`, before `until`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scan {
    pub plan: Option<Plan>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

impl Pattern {
    /// The scan for this pattern under `ctx` (which names the members of `~m` and `~a`).
    pub fn scan(&self, ctx: &super::PatternCtx) -> Scan {
        let mut s = Scan {
            plan: plan(&self.root, ctx).map(simplify),
            ..Scan::default()
        };
        let top: Vec<&Node> = match &self.root {
            Node::And(parts) => parts.iter().collect(),
            n => vec![n],
        };
        for n in top {
            match n {
                Node::Term(Term::Date(ws)) => {
                    let (lo, hi) = ws.iter().fold((i64::MAX, i64::MIN), |(lo, hi), w| {
                        let (a, b) = date_range(*w, ctx.now);
                        (lo.min(a), hi.max(b))
                    });
                    narrow(&mut s, lo, hi);
                }
                // Nothing waits past its target before the smallest target has passed.
                Node::Term(Term::Waiting) => {
                    let hi = ctx
                        .now
                        .0
                        .saturating_sub(ctx.targets.min())
                        .saturating_add(1);
                    narrow(&mut s, i64::MIN, hi);
                }
                _ => {}
            }
        }
        s
    }
}

fn narrow(s: &mut Scan, lo: i64, hi: i64) {
    if lo > i64::MIN {
        s.since = Some(Timestamp(s.since.map_or(lo, |x| x.0.max(lo))));
    }
    if hi < i64::MAX {
        s.until = Some(Timestamp(s.until.map_or(hi, |x| x.0.min(hi))));
    }
}

/// `[lo, hi)` creation times a date condition allows.
fn date_range(w: When, now: Timestamp) -> (i64, i64) {
    match w {
        When::Younger(n, u) => (
            now.0
                .saturating_sub(i64::from(n) * u.ms())
                .saturating_add(1),
            i64::MAX,
        ),
        When::Older(n, u) => (i64::MIN, now.0.saturating_sub(i64::from(n) * u.ms())),
        When::Days(a, b) => day_bounds(a, b),
    }
}

fn any<T>(v: &[T], f: impl Fn(&T) -> Plan) -> Plan {
    Plan::Any(v.iter().map(f).collect())
}

/// The lists of a text query: all its tokens, else its prefixes.
fn words(q: &Query) -> Option<Plan> {
    let leaves: Vec<Plan> = if q.tokens.is_empty() {
        q.prefixes.iter().cloned().map(Plan::Prefix).collect()
    } else {
        q.tokens.iter().cloned().map(Plan::Token).collect()
    };
    (!leaves.is_empty()).then_some(Plan::All(leaves))
}

fn plan(n: &Node, ctx: &super::PatternCtx) -> Option<Plan> {
    match n {
        Node::And(parts) => {
            let planned: Vec<Plan> = parts.iter().filter_map(|p| plan(p, ctx)).collect();
            (!planned.is_empty()).then_some(Plan::All(planned))
        }
        Node::Or(parts) => parts
            .iter()
            .map(|p| plan(p, ctx))
            .collect::<Option<Vec<_>>>()
            .map(Plan::Any),
        Node::Not(_) => None,
        Node::Term(t) => match t {
            Term::Status(v) => Some(any(v, |s| Plan::Status(*s))),
            Term::Platform(v) => Some(any(v, |p| Plan::Platform(*p))),
            Term::Kind(v) => Some(any(v, |k| Plan::Kind(*k))),
            Term::Account(v) => Some(any(v, |a| Plan::Account(a.clone()))),
            Term::Waiting => Some(Plan::Any(vec![
                Plan::Status(Status::New),
                Plan::Status(Status::Open),
            ])),
            Term::Member => {
                let mut ids: Vec<MemberId> = ctx.top.iter().copied().collect();
                ids.sort();
                Some(Plan::Any(ids.into_iter().map(Plan::Author).collect()))
            }
            // The author's handle and name are in the item's searchable text, so their words
            // narrow; the person's accounts come from the author index.
            Term::Author(v) => v
                .iter()
                .map(|a| {
                    let mut ids: Vec<MemberId> = ctx
                        .authors
                        .get(a)
                        .map(|s| s.iter().copied().collect())
                        .unwrap_or_default();
                    ids.sort();
                    let mut alts: Vec<Plan> = ids.into_iter().map(Plan::Author).collect();
                    let q = Query::parse(a.trim().trim_start_matches('@'));
                    if q.tokens.is_empty() {
                        // Only an author id without words can name it: no index has those.
                        return None;
                    }
                    alts.push(Plan::All(q.tokens.into_iter().map(Plan::Token).collect()));
                    Some(Plan::Any(alts))
                })
                .collect::<Option<Vec<_>>>()
                .map(Plan::Any),
            Term::Word(w) => words(&Query::parse(w)),
            Term::Phrase(p) => words(&Query::parse(p)),
            Term::Rating(_) | Term::Tag(_) | Term::Assignee(_) | Term::Date(_) | Term::Lang(_) => {
                None
            }
        },
    }
}

/// Flattens nested lists of one kind, unwraps single children, drops duplicates, and keeps
/// prefix lists in an intersection only when nothing else narrows it.
pub fn simplify(p: Plan) -> Plan {
    match p {
        Plan::All(parts) => {
            let mut flat = Vec::new();
            for c in parts.into_iter().map(simplify) {
                match c {
                    Plan::All(inner) => flat.extend(inner),
                    c => flat.push(c),
                }
            }
            if flat.iter().any(|c| !matches!(c, Plan::Prefix(_))) {
                flat.retain(|c| !matches!(c, Plan::Prefix(_)));
            }
            dedup(&mut flat);
            if flat.len() == 1 {
                flat.remove(0)
            } else {
                Plan::All(flat)
            }
        }
        Plan::Any(parts) => {
            let mut flat = Vec::new();
            for c in parts.into_iter().map(simplify) {
                match c {
                    Plan::Any(inner) => flat.extend(inner),
                    c => flat.push(c),
                }
            }
            dedup(&mut flat);
            if flat.len() == 1 {
                flat.remove(0)
            } else {
                Plan::Any(flat)
            }
        }
        leaf => leaf,
    }
}

fn dedup(v: &mut Vec<Plan>) {
    let mut seen: Vec<Plan> = Vec::with_capacity(v.len());
    v.retain(|p| {
        if seen.contains(p) {
            false
        } else {
            seen.push(p.clone());
            true
        }
    });
}
