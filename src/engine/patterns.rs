//! Patterns in requests (README: Patterns): a bad one is refused with its position, and a good
//! one is matched in a context the engine knows and the item does not — the time, the response
//! targets, the top members, the people `~a` names, who asks.

use super::api::{Filter, ListQuery, Response};
use super::{Engine, EngineError};
use crate::domain::member::{MemberId, Period};
use crate::domain::pattern::{Pattern, PatternCtx, Term};
use crate::domain::ranking::{Named, RankQuery};
use crate::domain::Platform;
use std::collections::HashSet;

/// How many of the 30-day ranking count as top members for `~m`.
pub const TOP_MEMBERS: usize = 50;

/// Member tags that mark an opinion leader for `~m` (any letter case).
pub const LEADER_TAGS: [&str; 5] = [
    "opinion leader",
    "opinion-leader",
    "leader",
    "лидер мнений",
    "意见领袖",
];

impl Engine {
    /// The context `pattern` is matched in for operator `op`. Members are looked up only when
    /// the pattern asks about them (`~m`, `~a`).
    pub fn pattern_ctx(&self, op: &str, pattern: &Pattern) -> Result<PatternCtx, EngineError> {
        let now = self.now();
        let mut ctx = PatternCtx::at(now, self.targets());
        ctx.me = Some(op.to_string());
        let terms = pattern.terms();
        if terms.iter().any(|t| matches!(t, Term::Member)) {
            ctx.top = self.top_members(now)?;
        }
        for t in terms {
            if let Term::Author(values) = t {
                for v in values {
                    if !ctx.authors.contains_key(v) {
                        let ids = self.people_named(v)?;
                        ctx.authors.insert(v.clone(), ids);
                    }
                }
            }
        }
        Ok(ctx)
    }

    /// Every account of the persons in the 30-day top 50 or tagged as opinion leaders.
    fn top_members(&self, now: crate::domain::Timestamp) -> Result<HashSet<MemberId>, EngineError> {
        let mut out = HashSet::new();
        let top = self.store.members_top(
            &RankQuery {
                period: Period::Month,
                limit: TOP_MEMBERS,
                ..RankQuery::default()
            },
            now,
        )?;
        let mut rows = top.rows;
        for tag in LEADER_TAGS {
            let tagged = self.store.members_top(
                &RankQuery {
                    tag: Some(tag.to_string()),
                    limit: 10_000,
                    ..RankQuery::default()
                },
                now,
            )?;
            rows.extend(tagged.rows);
        }
        for r in rows {
            out.extend(r.members.iter().map(|h| h.id));
        }
        Ok(out)
    }

    /// The accounts of every person an author value may name: by handle (or `platform:handle`,
    /// or kith's member id), or by the platform's author id on any platform.
    fn people_named(&self, v: &str) -> Result<HashSet<MemberId>, EngineError> {
        let mut roots: Vec<MemberId> = match self.store.resolve_member(v)? {
            Named::Found(id) => vec![id],
            Named::Ambiguous(hs) => hs.iter().map(|h| h.id).collect(),
            Named::NotFound => vec![],
        };
        for p in Platform::ALL {
            if let Some(m) = self.store.member(p, v.trim())? {
                roots.push(m.id);
            }
        }
        let mut out = HashSet::new();
        for r in roots {
            out.extend(self.store.person_accounts(r)?);
        }
        Ok(out)
    }

    /// A filter's pattern read, or `Invalid` naming where it went wrong.
    pub(super) fn filter_pattern(&self, f: &Filter) -> Result<Option<Pattern>, EngineError> {
        match f
            .pattern
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Ok(None),
            Some(src) => Pattern::parse(src)
                .map(Some)
                .map_err(|e| EngineError::Invalid(e.phrase)),
        }
    }

    fn ctx_for(&self, op: &str, f: &Filter) -> Result<PatternCtx, EngineError> {
        Ok(match self.filter_pattern(f)? {
            Some(p) => self.pattern_ctx(op, &p)?,
            None => PatternCtx::at(self.now(), self.targets()),
        })
    }

    pub(super) fn list(&self, op: &str, q: &ListQuery) -> Result<Response, EngineError> {
        let ctx = self.ctx_for(op, &q.filter)?;
        Ok(Response::Page(self.store.list_with(q, &ctx)?))
    }

    pub(super) fn worst_first(
        &self,
        op: &str,
        filter: &Filter,
        limit: usize,
    ) -> Result<Response, EngineError> {
        let ctx = self.ctx_for(op, filter)?;
        Ok(Response::Page(
            self.store.worst_first_with(filter, limit, &ctx)?,
        ))
    }

    pub(super) fn due_ctx(&self, op: &str, filter: &Filter) -> Result<PatternCtx, EngineError> {
        self.ctx_for(op, filter)
    }
}
