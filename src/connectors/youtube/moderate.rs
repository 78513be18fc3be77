//! YouTube moderation: `comments.setModerationStatus` (hold for review, publish, reject, reject
//! and ban the author). No likes and no deleting others' comments: the API has neither.

use super::{quota, Youtube};
use crate::connectors::http::Retry;
use crate::connectors::{ConnectorError, RemoteAction, Result};
use crate::domain::{Item, Platform};

impl Youtube {
    pub(super) async fn do_act(&self, item: &Item, action: RemoteAction) -> Result<()> {
        let (status, ban) = match action {
            RemoteAction::Hide => ("heldForReview", false),
            RemoteAction::Restore => ("published", false),
            RemoteAction::Reject => ("rejected", false),
            // `banAuthor` only works together with `rejected`; YouTube's ban has no term.
            RemoteAction::Ban(_) => ("rejected", true),
            other => {
                return Err(ConnectorError::Unsupported(
                    other
                        .refusal(Platform::Youtube)
                        .map(|p| p.to_string())
                        .unwrap_or_else(|| format!("youtube: {} is not possible", other.as_str())),
                ))
            }
        };
        let mut q = vec![
            ("id", item.native_id.clone()),
            ("moderationStatus", status.to_string()),
        ];
        if ban {
            q.push(("banAuthor", "true".to_string()));
        }
        // Setting a status twice leaves the same status: safe to repeat.
        self.call(
            reqwest::Method::POST,
            "comments/setModerationStatus",
            &q,
            None,
            Retry::Safe,
            quota::WRITE,
        )
        .await
        .map(|_| ())
    }
}
