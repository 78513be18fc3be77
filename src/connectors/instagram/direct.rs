//! Instagram Direct through the Page the account is linked to: answers to a person's message
//! (`RESPONSE`, or `HUMAN_AGENT` past 24 hours), the one private reply to a comment, and
//! whether the token may read messages at all (`instagram_manage_messages`), for `account
//! test` and the Accounts view.

use super::Instagram;
use crate::connectors::graph_inbox;
use crate::connectors::{ConnectorError, Result, Sent};
use crate::domain::messaging::Delivery;
use crate::domain::{Item, Kind};
use crate::i18n::{ph, tf, Phrase};

/// Instagram takes messages of up to 1,000 bytes.
const MESSAGE_BYTES: usize = 1000;
/// The permission that lets a Page token read and answer Instagram Direct.
pub(super) const PERMISSION: &str = "instagram_manage_messages";

impl Instagram {
    /// Notes what the last look at the conversations found.
    pub(super) fn set_messages(&self, on: bool) {
        if let Ok(mut m) = self.messages.lock() {
            *m = Some(on);
        }
    }

    /// "Messages are off" with the permission that turns them on, once a look found them so.
    pub(super) fn messages_notices(&self) -> Vec<Phrase> {
        match self.messages.lock().map(|m| *m) {
            Ok(Some(false)) => vec![ph(
                "graph_msg.ig_messages_off",
                &[("permission", &PERMISSION)],
            )],
            _ => Vec::new(),
        }
    }

    /// For `account test`: whether Direct messages can be read, and the Human Agent note.
    pub(super) async fn messaging_abilities(&self) -> Vec<Phrase> {
        let mut out = Vec::new();
        let readable = match self.page().await {
            Ok(page) => {
                let q = [
                    ("platform", "instagram".to_string()),
                    ("fields", "id".to_string()),
                    ("limit", "1".to_string()),
                ];
                match self
                    .graph
                    .get_if_allowed(&format!("{page}/conversations"), &q)
                    .await
                {
                    Ok(v) => Some(v.is_some()),
                    Err(ConnectorError::Refused(_)) => Some(false),
                    Err(_) => None,
                }
            }
            Err(ConnectorError::Refused(_)) => Some(false),
            Err(_) => None,
        };
        if let Some(on) = readable {
            self.set_messages(on);
            out.push(match on {
                true => ph("graph_msg.ig_messages_on", &[]),
                false => ph("graph_msg.ig_messages_off", &[("permission", &PERMISSION)]),
            });
        }
        if self.cfg.human_agent {
            out.push(ph("graph_msg.human_agent_needs", &[]));
        }
        out
    }

    /// A Direct message: the answer to a person's message, or the private reply to a comment.
    pub(super) async fn send_message(
        &self,
        item: &Item,
        text: &str,
        how: Delivery,
    ) -> Result<Sent> {
        if how == Delivery::Private && !item.private_reply_allowed() {
            return Err(ConnectorError::Unsupported(tf(
                "graph_msg.private_only",
                &[("platform", &item.platform)],
            )));
        }
        debug_assert!(item.kind == Kind::Dm || how == Delivery::Private);
        let n = text.len();
        if n > MESSAGE_BYTES {
            return Err(ConnectorError::Refused(tf(
                "graph_msg.message_bytes",
                &[("count", &n), ("max", &MESSAGE_BYTES)],
            )));
        }
        let page = self.page().await?;
        graph_inbox::send(&self.graph, &page, item, text, how).await
    }
}
