//! Telegram moderation: a like as a 👍 reaction, delete as `deleteMessage`; nothing else exists.

use super::{split_native, Telegram};
use crate::connectors::http::Retry;
use crate::connectors::{action_unavailable, ConnectorError, RemoteAction, Result};
use crate::domain::{Item, Platform};
use serde_json::json;

impl Telegram {
    pub(super) async fn do_act(&self, item: &Item, action: RemoteAction) -> Result<()> {
        let (chat, message) = split_native(&item.native_id)?;
        match action {
            RemoteAction::Like => {
                let body = json!({"chat_id": chat, "message_id": message,
                    "reaction": [{"type": "emoji", "emoji": "👍"}]});
                self.call("setMessageReaction", &body, Retry::Safe).await?;
            }
            RemoteAction::Delete => {
                let body = json!({"chat_id": chat, "message_id": message});
                self.call("deleteMessage", &body, Retry::Safe).await?;
            }
            other => {
                return Err(ConnectorError::Unsupported(
                    action_unavailable(Platform::Telegram, other).unwrap_or_default(),
                ))
            }
        }
        Ok(())
    }
}
