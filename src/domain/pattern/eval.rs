//! Whether an item matches a pattern, given what the item alone does not say (the time, the
//! response targets, who the top members are, who is asking).

use super::{Node, Pattern, Rating, Term, When, Who};
use crate::domain::clock::{Level, Targets};
use crate::domain::member::MemberId;
use crate::domain::search::{self, Query};
use crate::domain::{Item, Timestamp};
use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

/// What matching needs beyond the item. The engine builds one per request (see
/// `Engine::pattern_ctx`); tests and rules may build their own.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatternCtx {
    /// "Now", for ages (`~d <24h`) and the response clock (`~w`).
    pub now: Timestamp,
    pub targets: Targets,
    /// `~m`: every account of every person ranked in the 30-day top 50 or tagged as an opinion
    /// leader.
    pub top: HashSet<MemberId>,
    /// `~a`: each author value as written → every account of the person(s) it names, when the
    /// store knows them (linked accounts match under any name).
    pub authors: HashMap<String, HashSet<MemberId>>,
    /// The operator asking (`~o me`).
    pub me: Option<String>,
}

impl PatternCtx {
    /// A context with no members known: enough for patterns without `~m` and linked `~a`.
    pub fn at(now: Timestamp, targets: Targets) -> PatternCtx {
        PatternCtx {
            now,
            targets,
            ..PatternCtx::default()
        }
    }
}

impl Pattern {
    /// Whether `item` matches. Our own replies never do: patterns choose among what people
    /// said to us.
    pub fn matches(&self, item: &Item, ctx: &PatternCtx) -> bool {
        if item.is_ours() {
            return false;
        }
        let e = Eval {
            item,
            ctx,
            text: OnceCell::new(),
            tokens: OnceCell::new(),
            runs: OnceCell::new(),
        };
        e.node(&self.root)
    }
}

/// One item being matched; its text is folded and cut at most once, and only when a text
/// condition asks.
struct Eval<'a> {
    item: &'a Item,
    ctx: &'a PatternCtx,
    text: OnceCell<String>,
    tokens: OnceCell<HashSet<String>>,
    runs: OnceCell<String>,
}

impl Eval<'_> {
    fn node(&self, n: &Node) -> bool {
        match n {
            Node::And(parts) => parts.iter().all(|p| self.node(p)),
            Node::Or(parts) => parts.iter().any(|p| self.node(p)),
            Node::Not(inner) => !self.node(inner),
            Node::Term(t) => self.term(t),
        }
    }

    fn text(&self) -> &str {
        self.text.get_or_init(|| search::searchable_text(self.item))
    }

    fn tokens(&self) -> &HashSet<String> {
        self.tokens
            .get_or_init(|| search::index_tokens(self.text()).into_iter().collect())
    }

    fn term(&self, t: &Term) -> bool {
        let it = self.item;
        match t {
            Term::Platform(v) => v.contains(&it.platform),
            Term::Account(v) => v.contains(&it.account),
            Term::Kind(v) => v.contains(&it.kind),
            Term::Status(v) => v.contains(&it.status),
            Term::Rating(v) => it.rating.is_some_and(|r| {
                v.iter().any(|c| {
                    let (lo, hi) = Rating::bounds(*c);
                    (lo..=hi).contains(&r)
                })
            }),
            Term::Tag(v) => v.iter().any(|t| {
                let t = search::fold(t.trim());
                it.tags.iter().any(|x| search::fold(x.trim()) == t)
            }),
            Term::Author(v) => v.iter().any(|a| self.author(a)),
            Term::Assignee(v) => v.iter().any(|w| match (w, it.assignee.as_deref()) {
                (Who::Nobody, None) => true,
                (Who::Me, Some(a)) => self.ctx.me.as_deref() == Some(a),
                (Who::Name(n), Some(a)) => search::fold(n) == search::fold(a),
                _ => false,
            }),
            Term::Date(v) => v.iter().any(|w| self.when(*w)),
            Term::Lang(v) => it
                .lang
                .as_deref()
                .is_some_and(|l| v.iter().any(|want| lang_matches(l, want))),
            Term::Member => self.ctx.top.contains(&self.member()),
            Term::Waiting => matches!(
                self.ctx.targets.clock(it, self.ctx.now),
                Some((_, Level::Breached))
            ),
            Term::Word(w) => self.words(&Query::parse(w)),
            Term::Phrase(p) => {
                let q = Query::parse(p);
                self.words(&q) && self.phrase(p)
            }
        }
    }

    fn member(&self) -> MemberId {
        MemberId::derive(self.item.platform, &self.item.author.id)
    }

    fn author(&self, value: &str) -> bool {
        let a = &self.item.author;
        let want = search::fold(value.trim().trim_start_matches('@'));
        let same = |s: &str| search::fold(s.trim().trim_start_matches('@')) == want;
        a.id == value.trim()
            || a.handle.as_deref().is_some_and(same)
            || a.name.as_deref().is_some_and(same)
            || self
                .ctx
                .authors
                .get(value)
                .is_some_and(|ids| ids.contains(&self.member()))
    }

    fn when(&self, w: When) -> bool {
        let created = self.item.created_at.0;
        let age = self.ctx.now.0.saturating_sub(created);
        match w {
            When::Younger(n, u) => age < i64::from(n) * u.ms(),
            When::Older(n, u) => age > i64::from(n) * u.ms(),
            When::Days(from, to) => {
                let (lo, hi) = day_bounds(from, to);
                created >= lo && created < hi
            }
        }
    }

    /// The text search's own rule: every token present, prefixes and unspaced runs confirmed.
    /// A word with nothing to search for (`-`) asks nothing.
    fn words(&self, q: &Query) -> bool {
        if q.is_empty() {
            return true;
        }
        let tokens = self.tokens();
        q.tokens.iter().all(|t| tokens.contains(t))
            && q.prefixes
                .iter()
                .all(|p| tokens.iter().any(|t| t.starts_with(p.as_str())))
            && q.confirm(self.text())
    }

    /// The phrase's words one after the other in the item's text.
    fn phrase(&self, p: &str) -> bool {
        let want = search::run_line(p);
        if want.is_empty() {
            return true;
        }
        let have = self.runs.get_or_init(|| search::run_line(self.text()));
        search::line_contains(have, &want)
    }
}

/// `ru` matches `ru`, `RU`, `ru-RU` and `ru_RU`.
fn lang_matches(have: &str, want: &str) -> bool {
    have.eq_ignore_ascii_case(want)
        || have.len() > want.len()
            && have.is_char_boundary(want.len())
            && have[..want.len()].eq_ignore_ascii_case(want)
            && matches!(have.as_bytes()[want.len()], b'-' | b'_')
}

const DAY_MS: i64 = 86_400_000;

/// A day range as `[lo, hi)` milliseconds (UTC days; an open side is unbounded).
pub(super) fn day_bounds(
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> (i64, i64) {
    let start = |d: chrono::NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .map_or(0, |n| n.and_utc().timestamp_millis())
    };
    (
        from.map_or(i64::MIN, start),
        to.map_or(i64::MAX, |d| start(d).saturating_add(DAY_MS)),
    )
}
