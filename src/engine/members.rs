//! Members through the engine: names resolved the way users type them, changes audited under
//! the operator, and the ranking index kept in step with the configured scoring.

use super::api::{Event, MemberEdit, Response};
use super::{Engine, EngineError};
use crate::domain::member::{MemberId, Period, Scoring};
use crate::domain::Timestamp;
use crate::i18n::ph;
use crate::store::{MemberChange, MemberOutcome, Named, RankQuery};
use std::sync::Arc;

impl Engine {
    /// Uses these weights and half-life; rebuilds the ranking when the store's index was built
    /// with others (or never built). Returns how many members were re-scored (0 = none needed).
    pub fn set_scoring(&self, s: Scoring) -> Result<u64, EngineError> {
        let fp = s.fingerprint();
        self.store.set_scoring(s);
        let built = self.store.index_scoring()?;
        if built.as_deref() == Some(fp.as_str()) {
            return Ok(0);
        }
        if built.is_none() && self.store.is_empty()? {
            // A new store: nothing to re-score.
            self.store.set_index_scoring(&fp)?;
            return Ok(0);
        }
        let started = std::time::Instant::now();
        let n = self
            .store
            .rebuild_members(Timestamp::now(), &mut |done, total| {
                tracing::info!(
                    done,
                    total,
                    secs = started.elapsed().as_secs(),
                    "re-scoring members"
                );
            })?;
        Ok(n)
    }

    /// A member named by kith's id, `platform:handle`, `platform:author-id` or a handle.
    pub fn resolve_member(&self, name: &str) -> Result<MemberId, EngineError> {
        let shown = crate::text::sanitize_line(name, 80).text;
        match self.store.resolve_member(name)? {
            Named::Found(id) => Ok(id),
            Named::NotFound => Err(EngineError::Invalid(ph(
                "err.member_not_found",
                &[("name", &shown)],
            ))),
            Named::Ambiguous(list) => {
                let names: Vec<String> = list
                    .iter()
                    .map(|h| format!("{} ({})", h.qualified(), h.id))
                    .collect();
                Err(EngineError::Invalid(ph(
                    "err.member_ambiguous",
                    &[
                        ("name", &shown),
                        (
                            "candidates",
                            &crate::text::sanitize_line(&names.join(", "), 400).text,
                        ),
                    ],
                )))
            }
        }
    }

    pub(super) fn members_top(
        &self,
        q: &RankQuery,
        now: Timestamp,
    ) -> Result<Response, EngineError> {
        Ok(Response::Ranking(Box::new(self.store.members_top(q, now)?)))
    }

    pub(super) fn member_profile(
        &self,
        member: &str,
        period: Period,
        now: Timestamp,
    ) -> Result<Response, EngineError> {
        let id = self.resolve_member(member)?;
        match self.store.member_profile(id, period, now)? {
            Some(p) => Ok(Response::Profile(Box::new(p))),
            None => Err(EngineError::Invalid(ph(
                "err.member_not_found",
                &[("name", &crate::text::sanitize_line(member, 80).text)],
            ))),
        }
    }

    pub(super) fn member_edit(
        self: &Arc<Self>,
        op: &str,
        member: &str,
        edit: MemberEdit,
        now: Timestamp,
    ) -> Result<Response, EngineError> {
        let id = self.resolve_member(member)?;
        let change = match edit {
            MemberEdit::Link { other } => MemberChange::Link(id, self.resolve_member(&other)?),
            MemberEdit::Unlink => MemberChange::Unlink(id),
            MemberEdit::Tag { tag, on } => {
                let tag = crate::text::sanitize_line(&tag, 40).text;
                if tag.trim().is_empty() {
                    return Err(EngineError::Invalid(ph("err.member_empty_tag", &[])));
                }
                MemberChange::Tag { id, tag, on }
            }
            MemberEdit::Note { text } => {
                if text.trim().is_empty() {
                    return Err(EngineError::Invalid(ph("err.note_empty", &[])));
                }
                MemberChange::Note { id, text }
            }
            MemberEdit::Reward { what, again } => {
                if what.trim().is_empty() {
                    return Err(EngineError::Invalid(ph("err.member_empty_reward", &[])));
                }
                MemberChange::Reward {
                    id,
                    what,
                    force: again,
                }
            }
        };
        match self.store.member_change(&change, op, now)? {
            MemberOutcome::Done => {
                let _ = self.events.send(Event::MembersChanged);
                Ok(Response::Done)
            }
            MemberOutcome::NotFound => Err(EngineError::Invalid(ph(
                "err.member_not_found",
                &[("name", &crate::text::sanitize_line(member, 80).text)],
            ))),
            MemberOutcome::AlreadyLinked => Err(EngineError::Invalid(ph("err.member_linked", &[]))),
            MemberOutcome::NotLinked => Err(EngineError::Invalid(ph("err.member_not_linked", &[]))),
            MemberOutcome::AlreadyRewarded(r) => Err(EngineError::Rewarded(ph(
                "err.member_rewarded",
                &[
                    ("date", &r.at.to_rfc3339()[..10].to_string()),
                    ("what", &crate::text::sanitize_line(&r.what, 80).text),
                    ("by", &crate::text::sanitize_line(&r.operator, 40).text),
                ],
            ))),
        }
    }

    pub(super) fn members_rebuild(&self, now: Timestamp) -> Result<Response, EngineError> {
        let n = self.store.rebuild_members(now, &mut |done, total| {
            let _ = self.events.send(Event::Progress {
                what: "members".into(),
                done,
                total,
            });
        })?;
        let _ = self.events.send(Event::MembersChanged);
        Ok(Response::Rebuilt(n))
    }
}
