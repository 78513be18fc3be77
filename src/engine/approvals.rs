//! Approvals: posts (and, with `approve_replies`, replies) written by operators in `[team]
//! needs_approval` wait until someone in `approvers` approves them or sends them back. The
//! engine holds them, not a front end: a waiting post's targets are `AwaitingApproval`, which the
//! outbox never sends (it has no outbox key and is not Scheduled); a waiting reply is
//! `Outgoing::AwaitingApproval`, which the reply sender and the start-up resume skip.
//!
//! Why a target state rather than a flag on the post: the outbox, the store's indexes, every
//! front end and every `match` on target states already go by it, so a waiting post cannot be
//! sent by a path that forgot to look at a flag; it is stored with the post, so it survives
//! restarts. What the approver said (and who asked) is kept on the post (`Post::review`).

use super::api::{Awaiting, AwaitingReply, Event, Response};
use super::outbox::NATIVE_MIN_AHEAD_MS;
use super::{Engine, EngineError};
use crate::domain::approval::{Answer, Review, Verdict};
use crate::domain::post::{Post, TargetState};
use crate::domain::{Change, ItemId, Outgoing, Status, Timestamp};
use crate::i18n::ph;
use crate::store::{PostRefusal, ReplyDecision};
use std::sync::Arc;

/// The longest comment an approver may send back (characters).
const MAX_COMMENT: usize = 2000;

impl Engine {
    fn team_read<T>(&self, f: impl FnOnce(&super::team::TeamConfig) -> T) -> T {
        let team = self.team.read().unwrap_or_else(|p| p.into_inner());
        f(&team)
    }

    pub(super) fn needs_approval(&self, op: &str) -> bool {
        self.team_read(|t| t.needs_approval(op))
    }

    pub(super) fn is_approver(&self, op: &str) -> bool {
        self.team_read(|t| t.approver(op))
    }

    /// Whether a reply `op` writes waits for an approver.
    pub(super) fn reply_needs_approval(&self, op: &str) -> bool {
        self.team_read(|t| t.approve_replies && t.needs_approval(op))
    }

    /// Refuses an approval step by someone who is not an approver.
    pub(super) fn check_approver(&self, op: &str) -> Result<(), EngineError> {
        if self.is_approver(op) {
            return Ok(());
        }
        Err(EngineError::Invalid(ph(
            "approvals.err.not_approver",
            &[("operator", &crate::text::sanitize_line(op, 64).text)],
        )))
    }

    /// A new post by `op` waits for an approver when they need one.
    pub(super) fn review_for(&self, op: &str, now: Timestamp) -> Option<Review> {
        self.needs_approval(op).then(|| Review {
            author: op.to_string(),
            asked_at: now,
            answer: None,
        })
    }

    /// Posts and replies waiting for an approver (posts from the attention index, replies from
    /// the pending ones: neither reads every post or item).
    pub(super) fn awaiting(&self) -> Result<Response, EngineError> {
        let mut posts = Vec::new();
        for id in self.store.attention_posts()? {
            if let Some(p) = self.store.post(id)? {
                if p.targets
                    .iter()
                    .any(|t| t.state == TargetState::AwaitingApproval)
                {
                    posts.push(p);
                }
            }
        }
        posts.sort_by_key(|p| (p.due_at, p.id));
        let mut replies = Vec::new();
        for reply in self.store.awaiting_replies()? {
            let parent = self.parent_of(&reply)?;
            replies.push(AwaitingReply { reply, parent });
        }
        Ok(Response::Awaiting(Box::new(Awaiting { posts, replies })))
    }

    fn parent_of(
        &self,
        reply: &crate::domain::Item,
    ) -> Result<Option<crate::domain::Item>, EngineError> {
        let Some(native) = reply.parent_native_id.as_deref() else {
            return Ok(None);
        };
        match self.store.id_by_native(&reply.account, native)? {
            Some(pid) => Ok(self.store.get(pid)?),
            None => Ok(None),
        }
    }

    /// An approver's answer on a waiting reply: approved, it goes to the sender (exactly once:
    /// only the decision that moves it from waiting to Sending hands it over); sent back, it
    /// stays unsent with the comment, and the item it answers is open again for its author.
    pub(super) fn review_reply(
        self: &Arc<Self>,
        op: &str,
        reply_id: ItemId,
        verdict: Verdict,
        now: Timestamp,
    ) -> Result<Response, EngineError> {
        self.check_approver(op)?;
        let reply = self
            .store
            .get(reply_id)?
            .ok_or(EngineError::NotFound(reply_id))?;
        let parent = self
            .parent_of(&reply)?
            .ok_or(EngineError::NotFound(reply_id))?;
        let next = match &verdict {
            Verdict::Approved => Outgoing::Sending,
            Verdict::SentBack { comment } => Outgoing::SentBack {
                by: op.to_string(),
                comment: checked_comment(comment)?,
            },
        };
        // Found before anything changes: an account that cannot send, or a platform that no
        // longer takes an answer (Facebook's 24 hours), refuses the approval.
        let connector = match verdict {
            Verdict::Approved => {
                let clock = self.now();
                if let Some(closed) = parent
                    .reply_window(self.human_agent(&parent.account))
                    .filter(|c| *c <= clock)
                {
                    return Err(EngineError::Invalid(ph(
                        "err.reply_window_closed",
                        &[
                            ("platform", &parent.platform),
                            ("hours", &((clock.0 - closed.0) / 3_600_000)),
                        ],
                    )));
                }
                Some(self.connector_for(&parent)?)
            }
            Verdict::SentBack { .. } => None,
        };
        let decided = match self.store.decide_reply(reply_id, next, op, now)? {
            ReplyDecision::Decided(r) => r,
            ReplyDecision::NotFound => return Err(EngineError::NotFound(reply_id)),
            ReplyDecision::NotAwaiting(_) => {
                return Err(EngineError::Invalid(ph(
                    "approvals.err.reply_not_awaiting",
                    &[("id", &reply_id)],
                )))
            }
        };
        let mut item = parent.clone();
        match connector {
            Some(c) => self.spawn_send(c, parent.clone(), (*decided).clone()),
            None if parent.status == Status::Done => {
                // Back in the author's inbox: the answer they wrote is not out.
                if let crate::store::UpdateOutcome::Updated(i, _) =
                    self.store
                        .update(parent.id, &Change::status(Status::Open), None, op, now)?
                {
                    item = *i;
                }
            }
            None => {}
        }
        self.emit(Event::ItemsChanged(vec![parent.id]));
        self.emit(Event::ReplyState {
            item: parent.id,
            reply: reply_id,
        });
        Ok(Response::Replied {
            reply: decided,
            item: Box::new(item),
        })
    }
}

/// The comment of a send-back, checked: an empty or overlong one is refused.
pub(super) fn checked_comment(comment: &str) -> Result<String, EngineError> {
    let c = comment.trim();
    if c.is_empty() {
        return Err(EngineError::Invalid(ph("approvals.err.comment_empty", &[])));
    }
    if c.chars().count() > MAX_COMMENT {
        return Err(EngineError::Invalid(ph(
            "approvals.err.comment_long",
            &[("limit", &MAX_COMMENT)],
        )));
    }
    Ok(c.to_string())
}

/// An approver lets the post go: its waiting targets are scheduled (the outbox sends them at
/// their time, at once when it has passed, and holds them as late past the late limit, as for
/// any post).
pub(super) fn approve(p: &mut Post, op: &str, now: Timestamp) -> Result<(), PostRefusal> {
    let waiting = |s: &TargetState| *s == TargetState::AwaitingApproval;
    if !p.targets.iter().any(|t| waiting(&t.state)) {
        return Err(PostRefusal::Invalid(ph(
            "approvals.err.not_awaiting",
            &[("id", &p.id)],
        )));
    }
    // The platform's scheduler wants the time well ahead; past that, move the post first.
    let soon = p.due_at.is_none_or(|d| d.0 - now.0 < NATIVE_MIN_AHEAD_MS);
    if let Some(t) = p
        .targets
        .iter()
        .find(|t| waiting(&t.state) && t.native && soon)
    {
        return Err(PostRefusal::Invalid(ph(
            "err.post_native_soon",
            &[("account", &crate::text::sanitize_line(&t.account, 64).text)],
        )));
    }
    for t in &mut p.targets {
        if waiting(&t.state) {
            t.state = TargetState::Scheduled;
        }
    }
    answer(p, op, now, Verdict::Approved);
    p.log(now, "", "approved", op);
    Ok(())
}

/// An approver returns the post to its author: a draft again (kept on the calendar at its
/// time), with the comment on the post.
pub(super) fn send_back(
    p: &mut Post,
    comment: String,
    op: &str,
    now: Timestamp,
) -> Result<(), PostRefusal> {
    let mut any = false;
    for t in &mut p.targets {
        if t.state == TargetState::AwaitingApproval {
            t.state = TargetState::Draft;
            any = true;
        }
    }
    if !any {
        return Err(PostRefusal::Invalid(ph(
            "approvals.err.not_awaiting",
            &[("id", &p.id)],
        )));
    }
    p.log(now, "", "sent_back", format!("{op}: {comment}"));
    answer(p, op, now, Verdict::SentBack { comment });
    Ok(())
}

fn answer(p: &mut Post, op: &str, now: Timestamp, verdict: Verdict) {
    let review = p.review.get_or_insert_with(|| Review {
        author: p.created_by.clone(),
        asked_at: now,
        answer: None,
    });
    review.answer = Some(Answer {
        by: op.to_string(),
        at: now,
        verdict,
    });
}

/// After a change by an operator who needs approval: whatever of the post could still go out
/// waits for an approver again (an approved post rewritten or moved is a new post to approve;
/// a sent-back draft rewritten or moved is asked for again). What the platform already holds
/// or has published is left as it is.
pub(super) fn hold(p: &mut Post, op: &str, now: Timestamp) {
    let timed = p.due_at.is_some();
    let mut any = false;
    for t in &mut p.targets {
        let again = match t.state {
            TargetState::Scheduled
            | TargetState::RetryWait { .. }
            | TargetState::Late { .. }
            | TargetState::Failed { .. } => t.parts.is_empty(),
            TargetState::Draft => timed,
            TargetState::AwaitingApproval => true,
            _ => false,
        };
        if again {
            t.state = TargetState::AwaitingApproval;
            any = true;
        }
    }
    if any {
        p.review = Some(Review {
            author: op.to_string(),
            asked_at: now,
            answer: None,
        });
        p.log(now, "", "approval_asked", op);
    }
}
