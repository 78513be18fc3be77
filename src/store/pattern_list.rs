//! One page of a list narrowed by a pattern (README: Patterns): the filter's indexed fields and
//! the pattern's plan become one tree of posting lists, joined before any item is read; every
//! candidate is then checked against the filter and the pattern itself.

use super::keys;
use super::members::by_author_prefix;
use super::read::{confirm, SCAN_BUDGET};
use super::seek::{prefix_ids, Budget, Cursor, Intersect, ListSeek, Union, VecSeek};
use super::words_pending::PendingWords;
use super::{Result, Store, StoreError};
use crate::domain::clock::Targets;
use crate::domain::pattern::{simplify, Pattern, PatternCtx, Plan};
use crate::domain::query::{Filter, ListQuery, Page};
use crate::domain::search::Query;
use crate::domain::{ItemId, Timestamp};

impl Store {
    /// One page of a filtered list whose filter may hold a pattern, matched under `ctx` (the
    /// time, response targets, top members, who asks). A pattern that does not parse is
    /// `StoreError::Pattern`, with the position.
    pub fn list_with(&self, q: &ListQuery, ctx: &PatternCtx) -> Result<Page> {
        match parse_filter_pattern(&q.filter)? {
            Some(p) => self.list_pattern(q, &p, ctx),
            None => self.list_plain(q),
        }
    }

    fn list_pattern(&self, q: &ListQuery, pattern: &Pattern, ctx: &PatternCtx) -> Result<Page> {
        let f = &q.filter;
        let scan = pattern.scan(ctx);
        let limit = q.limit.clamp(1, 10_000);
        let forward = q.before.is_some() && q.after.is_none();
        let (lo, hi) = super::read::id_bounds(
            q,
            [f.since, scan.since].into_iter().flatten(),
            [f.until, scan.until].into_iter().flatten(),
        );
        let text = f
            .text
            .as_deref()
            .map(Query::parse)
            .filter(|q| !q.is_empty());
        let mut parts = filter_plan(f, text.as_ref());
        parts.extend(scan.plan);
        let plan = (!parts.is_empty()).then(|| simplify(Plan::All(parts)));
        let mut needs = Needs::default();
        if let Some(p) = &plan {
            needs.see(p);
        }
        if needs.authors {
            // Items counted since the last settle are not in their authors' lists yet.
            self.settled()?;
        }
        let pending = if needs.words {
            self.pending_words()?
        } else {
            Default::default()
        };
        let b = Bounds { lo, hi, forward };
        let mut root: Cursor = match &plan {
            Some(p) => self.cursor(p, &b, &pending)?,
            None => Box::new(ListSeek::new(
                &self.db(),
                keys::all_prefix(),
                lo,
                hi,
                forward,
            )),
        };
        let mut budget = Budget {
            used: 0,
            limit: SCAN_BUDGET,
        };
        let mut target = if forward {
            lo.map_or(Some(ItemId(0)), |l| l.0.checked_add(1).map(ItemId))
        } else {
            hi.map_or(Some(ItemId(u64::MAX)), |h| h.0.checked_sub(1).map(ItemId))
        };
        let mut items = Vec::with_capacity(limit);
        let mut cursor = None;
        let mut more = false;
        while let Some(t) = target {
            let Some(id) = root.seek(t, &mut budget)? else {
                break;
            };
            if items.len() == limit {
                more = true;
                break;
            }
            cursor = Some(id);
            budget.used += 1;
            if let Some(item) = self.get(id)? {
                if f.matches(&item)
                    && text.as_ref().is_none_or(|qq| confirm(qq, &item))
                    && pattern.matches(&item, ctx)
                {
                    items.push(item);
                }
            }
            if budget.spent() {
                more = true;
                break;
            }
            target = if forward {
                id.0.checked_add(1).map(ItemId)
            } else {
                id.0.checked_sub(1).map(ItemId)
            };
        }
        if forward {
            items.reverse();
        }
        Ok(Page {
            items,
            more,
            cursor,
        })
    }

    fn cursor(&self, p: &Plan, b: &Bounds, pending: &PendingWords) -> Result<Cursor> {
        let list = |prefix: Vec<u8>| -> Cursor {
            Box::new(ListSeek::new(&self.db(), prefix, b.lo, b.hi, b.forward))
        };
        Ok(match p {
            Plan::Any(parts) => Box::new(Union::new(
                parts
                    .iter()
                    .map(|c| self.cursor(c, b, pending))
                    .collect::<Result<_>>()?,
                b.forward,
            )),
            Plan::All(parts) => Box::new(Intersect::new(
                parts
                    .iter()
                    .map(|c| self.cursor(c, b, pending))
                    .collect::<Result<_>>()?,
            )),
            Plan::Status(s) => list(keys::status_prefix(*s)),
            Plan::Platform(x) => list(keys::platform_prefix(*x)),
            Plan::Account(a) => list(keys::account_prefix(a)),
            Plan::Kind(k) => list(keys::kind_prefix(*k)),
            Plan::Author(m) => list(by_author_prefix(*m)),
            Plan::Token(t) => match pending.get(t.as_str()) {
                Some(fresh) if !fresh.is_empty() => Box::new(Union::new(
                    vec![
                        list(keys::word_prefix(t)),
                        Box::new(VecSeek::new(fresh.clone(), b.lo, b.hi, b.forward)),
                    ],
                    b.forward,
                )),
                _ => list(keys::word_prefix(t)),
            },
            Plan::Prefix(pre) => {
                let fresh: Vec<ItemId> = pending
                    .iter()
                    .filter(|(t, _)| t.starts_with(pre.as_str()))
                    .flat_map(|(_, ids)| ids.iter().copied())
                    .collect();
                let ids = prefix_ids(&self.db(), pre, &fresh)?;
                Box::new(VecSeek::new(ids, b.lo, b.hi, b.forward))
            }
        })
    }

    /// The first `limit` waiting items by due time, narrowed by the filter's pattern too.
    pub fn due_with(
        &self,
        filter: &Filter,
        targets: &Targets,
        limit: usize,
        ctx: &PatternCtx,
    ) -> Result<Page> {
        let pattern = parse_filter_pattern(filter)?;
        self.due_matching(filter, targets, limit, &|item| {
            pattern.as_ref().is_none_or(|p| p.matches(item, ctx))
        })
    }

    /// The waiting reviews worst first, narrowed by the filter's pattern too.
    pub fn worst_first_with(
        &self,
        filter: &Filter,
        limit: usize,
        ctx: &PatternCtx,
    ) -> Result<Page> {
        let pattern = parse_filter_pattern(filter)?;
        self.worst_matching(filter, limit, &|item| {
            pattern.as_ref().is_none_or(|p| p.matches(item, ctx))
        })
    }
}

/// The filter's pattern, parsed (`None` when it has none or only spaces).
pub(super) fn parse_filter_pattern(f: &Filter) -> Result<Option<Pattern>> {
    match f
        .pattern
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Ok(None),
        Some(src) => Pattern::parse(src).map(Some).map_err(StoreError::Pattern),
    }
}

/// A context for callers that give none: now, the default targets, no members known.
pub(super) fn default_ctx() -> PatternCtx {
    PatternCtx::at(Timestamp::now(), Targets::default())
}

struct Bounds {
    lo: Option<ItemId>,
    hi: Option<ItemId>,
    forward: bool,
}

/// Which side data a plan reads.
#[derive(Default)]
struct Needs {
    authors: bool,
    words: bool,
}

impl Needs {
    fn see(&mut self, p: &Plan) {
        match p {
            Plan::Any(c) | Plan::All(c) => c.iter().for_each(|c| self.see(c)),
            Plan::Author(_) => self.authors = true,
            Plan::Token(_) | Plan::Prefix(_) => self.words = true,
            _ => {}
        }
    }
}

/// The lists the filter's own indexed fields allow.
fn filter_plan(f: &Filter, text: Option<&Query>) -> Vec<Plan> {
    let mut out = Vec::new();
    if !f.statuses.is_empty() {
        out.push(Plan::Any(
            f.statuses.iter().map(|s| Plan::Status(*s)).collect(),
        ));
    }
    if let Some(p) = f.platform {
        out.push(Plan::Platform(p));
    }
    if let Some(a) = &f.account {
        out.push(Plan::Account(a.clone()));
    }
    if let Some(k) = f.kind {
        out.push(Plan::Kind(k));
    }
    if !f.members.is_empty() {
        out.push(Plan::Any(
            f.members.iter().map(|m| Plan::Author(*m)).collect(),
        ));
    }
    if let Some(q) = text {
        out.extend(q.tokens.iter().cloned().map(Plan::Token));
        if q.tokens.is_empty() {
            out.extend(q.prefixes.iter().cloned().map(Plan::Prefix));
        }
    }
    out
}
