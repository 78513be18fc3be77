//! Replies waiting for an approver: listed from the pending-reply keys (a waiting reply keeps
//! its key, so nothing needs a scan of the items), and an approver's decision written as one
//! audited batch that moves the reply on only from "awaiting approval" — so of two approvers
//! answering at once exactly one wins, and an approved reply is handed to the sender once.

use super::batch::Batch;
use super::keys;
use super::{Result, Store};
use crate::domain::{Item, ItemId, Outgoing, Timestamp};

/// What an approver's decision on a reply did.
#[derive(Debug)]
pub enum ReplyDecision {
    NotFound,
    /// It was not waiting (any more): as it is now.
    NotAwaiting(Box<Item>),
    Decided(Box<Item>),
}

impl Store {
    /// Replies written and waiting for an approver, oldest first.
    pub fn awaiting_replies(&self) -> Result<Vec<Item>> {
        let mut out = Vec::new();
        for id in self.pending_replies()? {
            if let Some(r) = self.get(id)? {
                if matches!(r.outgoing, Some(Outgoing::AwaitingApproval)) {
                    out.push(r);
                }
            }
        }
        Ok(out)
    }

    /// Moves a waiting reply to `next` (Sending: approved; SentBack: returned to its author).
    /// A reply now Sending keeps its pending key, so a stop before the platform answers resumes
    /// it with its idempotency key; any other state leaves the pending list.
    pub fn decide_reply(
        &self,
        reply_id: ItemId,
        next: Outgoing,
        operator: &str,
        now: Timestamp,
    ) -> Result<ReplyDecision> {
        let mut state = self.lock_writer();
        let Some(mut reply) = self.get(reply_id)? else {
            return Ok(ReplyDecision::NotFound);
        };
        if !matches!(reply.outgoing, Some(Outgoing::AwaitingApproval)) {
            return Ok(ReplyDecision::NotAwaiting(Box::new(reply)));
        }
        let (action, detail) = match &next {
            Outgoing::SentBack { comment, .. } => {
                let c: String = comment.chars().take(200).collect();
                ("reply-send-back", format!("sent back: {c:?}"))
            }
            _ => ("reply-approve", "approved".to_string()),
        };
        let sending = matches!(next, Outgoing::Sending);
        reply.outgoing = Some(next);
        reply.version += 1;
        let mut p = Batch::new(self);
        p.put_item(&reply)?;
        if !sending {
            p.batch.remove(&keys::pending_reply(reply_id)[..]);
        }
        p.audit(
            action,
            Some(reply_id),
            Some("awaiting_approval".into()),
            Some(detail),
        );
        p.commit(&mut state, operator, now)?;
        Ok(ReplyDecision::Decided(Box::new(reply)))
    }
}
