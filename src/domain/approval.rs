//! Approvals (`[team] needs_approval`, `approvers`): who must have their posts and replies
//! approved before they leave, and what the approver answered (kept on the post or reply, so
//! the author reads it in every front end).

use super::Timestamp;
use serde::{Deserialize, Serialize};

/// A post that waits (or waited) for an approver: who asked, and the last answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// Who wrote what waits (a send-back goes back to them).
    pub author: String,
    pub asked_at: Timestamp,
    /// None while it waits.
    pub answer: Option<Answer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub by: String,
    pub at: Timestamp,
    pub verdict: Verdict,
}

/// An approver's decision on a post or a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// It may go: scheduled (or sent now, when its time has come).
    Approved,
    /// Back to its author as a draft, with why.
    SentBack { comment: String },
}

impl Review {
    /// The comment of the last send-back, with who wrote it, while nobody has answered since.
    pub fn sent_back(&self) -> Option<(&str, &str)> {
        match &self.answer {
            Some(Answer {
                by,
                verdict: Verdict::SentBack { comment },
                ..
            }) => Some((by, comment)),
            _ => None,
        }
    }
}
