//! Page conversations, Messenger's and Instagram Direct's alike: the conversations whose
//! `updated_time` moved since the cursor's, then each one's messages newest first, page after
//! page (`paging.next`) down to the ones read before. The connectors keep the queue in their
//! cursors (one request a step); a missing permission turns messages off instead of failing the
//! sync.

use super::graph::{time, Graph, Verb};
use super::http::Retry;
use super::{ConnectorError, FetchPage, Malformed, Result, Sent};
use crate::domain::messaging::Delivery;
use crate::domain::{Author, Item, Kind, NewItem, Platform, Status};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Conversations listed per pass (the most recently updated) and messages per page.
const LIMIT: u32 = 25;
/// Pages of one conversation read in one pass: a first read of a long history stops here.
const MAX_PAGES: u32 = 20;
const MESSAGE_FIELDS: &str = "id,created_time,from,to,message";

/// Per conversation: its `updated_time` when last read to the end.
pub type Seen = BTreeMap<String, String>;

/// One conversation to read: its `updated_time` now, the one read before (`None`: never
/// read), where the next page starts and how many pages were read.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Chat {
    pub id: String,
    pub updated: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    #[serde(default)]
    pub pages: u32,
}

#[derive(Deserialize, Debug)]
struct Party {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    username: Option<String>,
}

#[derive(Deserialize, Debug)]
struct Message {
    id: String,
    #[serde(default)]
    message: String,
    created_time: String,
    from: Party,
}

/// The Page's conversations on one platform, and who the messages are for.
pub struct Inbox<'a> {
    pub graph: &'a Graph,
    /// The Page the conversations belong to (Instagram's too).
    pub page: &'a str,
    /// `Some("instagram")` for Instagram Direct; `None` for Messenger.
    pub platform_param: Option<&'static str>,
    pub platform: Platform,
    pub account: &'a str,
    /// The ids that are us (the Page, the Instagram account): those messages are stored as sent.
    pub ours: Vec<&'a str>,
}

fn data(v: &Value) -> &[Value] {
    v.get("data")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

impl Inbox<'_> {
    /// The conversations whose `updated_time` moved since `seen`; `None` when the token or the
    /// app may not read them.
    pub async fn changed(&self, seen: &Seen) -> Result<Option<Vec<Chat>>> {
        let mut q = vec![
            ("fields", "id,updated_time".to_string()),
            ("limit", LIMIT.to_string()),
        ];
        if let Some(p) = self.platform_param {
            q.push(("platform", p.to_string()));
        }
        let path = format!("{}/conversations", self.page);
        let v = match self.graph.get_if_allowed(&path, &q).await {
            Ok(Some(v)) => v,
            Ok(None) => return Ok(None),
            // Any other refusal of the list (a Page not set up for messaging) would stop every
            // later pass at this step: messages are off, comments keep coming.
            Err(ConnectorError::Refused(e)) => {
                tracing::warn!("{}: conversations refused: {e}", self.platform);
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        Ok(Some(
            data(&v)
                .iter()
                .filter_map(|c| {
                    let id = c.get("id").and_then(Value::as_str)?;
                    let updated = c.get("updated_time").and_then(Value::as_str)?;
                    let before = seen.get(id);
                    (before.map(String::as_str) != Some(updated)).then(|| Chat {
                        id: id.to_string(),
                        updated: updated.to_string(),
                        seen: before.cloned(),
                        after: None,
                        pages: 0,
                    })
                })
                .collect(),
        ))
    }

    /// One page of `chat`'s messages into `page`; the chat again when its next page is to be
    /// read, `None` when it is read down to what was read before.
    pub async fn read(&self, mut chat: Chat, page: &mut FetchPage) -> Result<Option<Chat>> {
        let mut q = vec![
            ("fields", MESSAGE_FIELDS.to_string()),
            ("limit", LIMIT.to_string()),
        ];
        if let Some(a) = &chat.after {
            q.push(("after", a.clone()));
        }
        let v = self
            .graph
            .call(
                Verb::Get,
                &format!("{}/messages", chat.id),
                &q,
                &[],
                Retry::Safe,
            )
            .await?;
        let floor = chat.seen.as_deref().and_then(time);
        let mut reached_old = false;
        let list = data(&v);
        for el in list {
            match serde_json::from_value::<Message>(el.clone()) {
                Ok(m) => {
                    let at = time(&m.created_time);
                    reached_old |= matches!((at, floor), (Some(a), Some(f)) if a <= f);
                    match self.item(&m, &chat.id) {
                        Some(item) => page.items.push(item),
                        None => page.malformed.push(Malformed {
                            reason: format!("{} message {}: bad created_time", self.platform, m.id),
                            raw: serde_json::to_vec(el).unwrap_or_default(),
                        }),
                    }
                }
                Err(e) => page.malformed.push(Malformed {
                    reason: format!("{} message: {e}", self.platform),
                    raw: serde_json::to_vec(el).unwrap_or_default(),
                }),
            }
        }
        chat.pages += 1;
        let next = v
            .pointer("/paging/cursors/after")
            .and_then(Value::as_str)
            .filter(|n| Some(*n) != chat.after.as_deref())
            .map(String::from);
        let more = v.pointer("/paging/next").is_some() && !list.is_empty();
        match next {
            Some(n) if more && !reached_old && chat.pages < MAX_PAGES => {
                chat.after = Some(n);
                Ok(Some(chat))
            }
            _ => Ok(None),
        }
    }

    /// A message: the customer's a DM, ours stored as sent.
    fn item(&self, m: &Message, conversation: &str) -> Option<NewItem> {
        let at = time(&m.created_time)?;
        Some(NewItem {
            platform: self.platform,
            account: self.account.to_string(),
            kind: Kind::Dm,
            native_id: m.id.clone(),
            parent_native_id: None,
            root_native_id: Some(conversation.to_string()),
            post_native_id: None,
            author: Author {
                id: m.from.id.clone(),
                handle: m.from.username.clone(),
                name: m.from.name.clone(),
                followers: None,
            },
            text: m.message.clone(),
            title: None,
            lang: None,
            rating: None,
            created_at: at,
            url: None,
            status: Status::New,
            tags: Vec::new(),
            ours: self.ours.contains(&m.from.id.as_str()),
            source: None,
        })
    }
}

/// Sends a message from `page` about `item`: an answer to the person who wrote it (a
/// `RESPONSE`, or tagged `HUMAN_AGENT` past the standard window), or the one private reply to
/// a comment (`recipient={"comment_id"}`). Graph has no idempotency: sent once, never retried
/// blindly.
pub async fn send(
    graph: &Graph,
    page: &str,
    item: &Item,
    text: &str,
    how: Delivery,
) -> Result<Sent> {
    let recipient = match how {
        Delivery::Private => json!({"comment_id": item.native_id}),
        Delivery::Standard | Delivery::HumanAgent => json!({"id": item.author.id}),
    };
    let mut form = vec![
        ("recipient", recipient.to_string()),
        ("message", json!({"text": text}).to_string()),
    ];
    match how {
        Delivery::Standard => form.push(("messaging_type", "RESPONSE".to_string())),
        Delivery::HumanAgent => {
            form.push(("messaging_type", "MESSAGE_TAG".to_string()));
            form.push(("tag", "HUMAN_AGENT".to_string()));
        }
        Delivery::Private => {}
    }
    let v = graph
        .call(
            Verb::Post,
            &format!("{page}/messages"),
            &[],
            &form,
            Retry::Never,
        )
        .await?;
    let id = v
        .get("message_id")
        .or_else(|| v.get("id"))
        .and_then(Value::as_str)
        .ok_or_else(|| {
            ConnectorError::Network(format!(
                "{}: the message was answered without an id",
                item.platform
            ))
        })?;
    Ok(Sent {
        native_id: id.to_string(),
        url: None,
    })
}
