//! Telegram writes: replies and published posts (thread parts as replies), never retried once
//! the request may have left, since Telegram cannot deduplicate.

use super::parse::{link, Chat};
use super::{native, split_native, Telegram};
use crate::connectors::http::Retry;
use crate::connectors::{refuse_empty, unread_answer, ConnectorError, Outgoing, Result, Sent};
use crate::domain::Item;
use serde_json::{json, Value};

/// A message's text limit, in UTF-16 code units (after entity parsing; kith sends plain text).
const TEXT_UNITS: usize = 4096;

impl Telegram {
    pub(super) async fn send_reply(&self, item: &Item, text: &str) -> Result<Sent> {
        let (chat, message) = split_native(&item.native_id)?;
        let body = json!({
            "chat_id": chat,
            "text": text,
            "reply_parameters": {"message_id": message, "allow_sending_without_reply": true},
        });
        // Never retried: Telegram cannot deduplicate, and a timeout may mean it was sent.
        let sent = self.call("sendMessage", &body, Retry::Never).await?;
        let mid = sent
            .get("message_id")
            .and_then(|v| v.as_i64())
            .ok_or_else(|| ConnectorError::Malformed("sendMessage: no message_id".into()))?;
        let url = sent
            .get("chat")
            .and_then(|c| serde_json::from_value::<Chat>(c.clone()).ok())
            .and_then(|c| link(&c, mid));
        Ok(Sent {
            native_id: native(chat, mid),
            url,
        })
    }

    /// `sendMessage` of one post (or thread part) to the account's channel; with pictures,
    /// the post goes as they do (`media.rs`), its text as their caption.
    pub(super) async fn publish_post(&self, post: &Outgoing) -> Result<Sent> {
        if post.native_at.is_some() {
            return Err(ConnectorError::Unsupported(
                "Telegram bots cannot schedule messages; leave the time to kith, which publishes \
                 at the due time itself"
                    .into(),
            ));
        }
        let Some(&chat) = self.cfg.chats.first() else {
            return Err(ConnectorError::Refused(format!(
                "Telegram account {} has no channel to publish to: add the channel's chat id \
                 first (kith account add ... --chat ID)",
                self.cfg.name
            )));
        };
        let reply = reply_parameters(chat, post)?;
        if !post.media.is_empty() {
            return self.publish_pictures(chat, post, reply).await;
        }
        refuse_empty(&post.text)?;
        let units = post.text.encode_utf16().count();
        if units > TEXT_UNITS {
            return Err(ConnectorError::Refused(format!(
                "the post is {units} UTF-16 units long; Telegram allows {TEXT_UNITS}"
            )));
        }
        let mut body = json!({"chat_id": chat, "text": post.text});
        if let Some(r) = reply {
            body["reply_parameters"] = r;
        }
        // Never retried: Telegram cannot deduplicate, and a timeout may mean it was sent.
        let sent = self
            .call("sendMessage", &body, Retry::Never)
            .await
            .map_err(|e| unread_answer("telegram: sendMessage", e))?;
        posted(chat, "sendMessage", &sent)
    }
}

/// Where a thread part goes: under the previous part.
fn reply_parameters(chat: i64, post: &Outgoing) -> Result<Option<Value>> {
    let Some(prev) = &post.reply_to else {
        return Ok(None);
    };
    let (prev_chat, prev_msg) = split_native(&prev.native_id)?;
    // No `allow_sending_without_reply`: a part whose predecessor is gone is refused rather
    // than published out of its thread.
    Ok(Some(if prev_chat == chat {
        json!({"message_id": prev_msg})
    } else {
        json!({"message_id": prev_msg, "chat_id": prev_chat})
    }))
}

/// The published post from the Message `method` answered with.
pub(super) fn posted(chat: i64, method: &str, sent: &Value) -> Result<Sent> {
    let Some(mid) = sent.get("message_id").and_then(|v| v.as_i64()) else {
        return Err(ConnectorError::Network(format!(
            "telegram: {method}: answered without a message_id; the post may have been published"
        )));
    };
    // Only a public channel has a link everyone can open.
    let url = sent
        .pointer("/chat/username")
        .and_then(|u| u.as_str())
        .filter(|u| !u.is_empty())
        .map(|u| format!("https://t.me/{u}/{mid}"));
    Ok(Sent {
        native_id: native(chat, mid),
        url,
    })
}
