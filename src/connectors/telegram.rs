//! Telegram Bot API connector.
//!
//! - Pull: `getUpdates` with an offset (the cursor is the next offset); DMs to the bot, comments in
//!   the channel's discussion group (replies to the auto-forwarded channel post, or messages in its
//!   comment thread), group messages that mention or answer the bot; reactions as member activity.
//! - No history or thread API exists: threads are rebuilt from stored messages (`thread` returns
//!   nothing). Native ids are `chat:message` because message ids are per chat.
//! - Reply with `sendMessage` + `reply_parameters`; Telegram has no idempotency key, so a send is
//!   never retried on a network error (a timeout may mean it was delivered).
//! - Publish: `sendMessage` to the account's first configured chat (the channel), thread parts as
//!   replies to the previous part. Never retried after the request may have left, and `lookup`
//!   cannot help (a bot cannot read a channel's history): an unknown outcome goes to a human.
//! - The token is part of every URL: URLs never reach an error (reqwest's are stripped, and every
//!   message is redacted).

use super::http::{Http, RateInfo, Retry};
use super::json_scan;
use super::{
    action_unavailable, AccountConfig, Activity, ActivityKind, Connector, ConnectorError,
    FetchPage, Identity, Lookup, Malformed, Outgoing, RemoteAction, Result, Sent,
};
use crate::domain::{Author, Item, Kind, NewItem, Platform, Status, Timestamp};
use futures::future::BoxFuture;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::OnceCell;

/// Updates asked for per request (the API's maximum).
const PAGE: usize = 100;
/// A message's text limit, in UTF-16 code units (after entity parsing; kith sends plain text).
const TEXT_UNITS: usize = 4096;

pub struct Telegram {
    cfg: AccountConfig,
    token: String,
    http: Http,
    bot: OnceCell<Bot>,
}

#[derive(Debug, Clone)]
struct Bot {
    id: i64,
    username: Option<String>,
}

#[derive(Deserialize)]
struct User {
    id: i64,
    #[serde(default)]
    is_bot: bool,
    first_name: Option<String>,
    last_name: Option<String>,
    username: Option<String>,
    language_code: Option<String>,
}

#[derive(Deserialize)]
struct Chat {
    id: i64,
    #[serde(rename = "type")]
    kind: String,
    title: Option<String>,
    username: Option<String>,
    first_name: Option<String>,
}

#[derive(Deserialize)]
struct Entity {
    #[serde(rename = "type")]
    kind: String,
    offset: usize,
    length: usize,
    user: Option<User>,
}

#[derive(Deserialize)]
struct Message {
    message_id: i64,
    message_thread_id: Option<i64>,
    date: i64,
    chat: Chat,
    from: Option<User>,
    sender_chat: Option<Chat>,
    #[serde(default)]
    is_automatic_forward: bool,
    reply_to_message: Option<Box<Message>>,
    text: Option<String>,
    caption: Option<String>,
    #[serde(default)]
    entities: Vec<Entity>,
    #[serde(default)]
    caption_entities: Vec<Entity>,
    photo: Option<Value>,
    video: Option<Value>,
    voice: Option<Value>,
    audio: Option<Value>,
    document: Option<Value>,
    sticker: Option<Sticker>,
}

#[derive(Deserialize)]
struct Sticker {
    emoji: Option<String>,
}

#[derive(Deserialize)]
struct Reaction {
    chat: Chat,
    message_id: i64,
    user: Option<User>,
    date: i64,
    #[serde(default)]
    new_reaction: Vec<Value>,
}

#[derive(Deserialize)]
struct Update {
    update_id: i64,
    message: Option<Message>,
    channel_post: Option<Message>,
    edited_message: Option<Value>,
    message_reaction: Option<Reaction>,
}

fn native(chat: i64, message: i64) -> String {
    format!("{chat}:{message}")
}

/// A public link to a message where one exists.
fn link(chat: &Chat, message_id: i64) -> Option<String> {
    if let Some(u) = &chat.username {
        return Some(format!("https://t.me/{u}/{message_id}"));
    }
    let id = chat.id.to_string();
    id.strip_prefix("-100")
        .map(|internal| format!("https://t.me/c/{internal}/{message_id}"))
}

fn user_author(u: &User) -> Author {
    let name = match (&u.first_name, &u.last_name) {
        (Some(f), Some(l)) => Some(format!("{f} {l}")),
        (Some(f), None) => Some(f.clone()),
        (None, Some(l)) => Some(l.clone()),
        (None, None) => None,
    };
    Author {
        id: u.id.to_string(),
        handle: u.username.clone(),
        name,
        followers: None,
    }
}

fn chat_author(c: &Chat) -> Author {
    Author {
        id: c.id.to_string(),
        handle: c.username.clone(),
        name: c.title.clone().or_else(|| c.first_name.clone()),
        followers: None,
    }
}

/// The message's text, or a short marker for media without one.
fn body(m: &Message) -> String {
    if let Some(t) = m.text.as_ref().or(m.caption.as_ref()) {
        return t.clone();
    }
    if let Some(s) = &m.sticker {
        return format!("[sticker {}]", s.emoji.clone().unwrap_or_default()).replace(" ]", "]");
    }
    let kind = if m.photo.is_some() {
        "photo"
    } else if m.video.is_some() {
        "video"
    } else if m.voice.is_some() {
        "voice"
    } else if m.audio.is_some() {
        "audio"
    } else if m.document.is_some() {
        "file"
    } else {
        "message"
    };
    format!("[{kind}]")
}

/// Text covered by an entity, whose offsets are in UTF-16 units.
fn entity_text(text: &str, e: &Entity) -> String {
    let units: Vec<u16> = text.encode_utf16().collect();
    let end = (e.offset + e.length).min(units.len());
    String::from_utf16_lossy(&units[e.offset.min(end)..end])
}

impl Telegram {
    pub fn new(cfg: &AccountConfig, token: String, http: Http) -> Self {
        Telegram {
            cfg: cfg.clone(),
            token,
            http,
            bot: OnceCell::new(),
        }
    }

    fn url(&self, method: &str) -> String {
        format!("{}/bot{}/{method}", self.cfg.base(), self.token)
    }

    /// Calls a method with a JSON body; returns the raw `result` bytes' owner (the response) after
    /// checking `ok`. Errors carry Telegram's `description`, redacted.
    async fn call_raw(&self, method: &str, body: &Value, retry: Retry) -> Result<Vec<u8>> {
        let url = self.url(method);
        let resp = self
            .http
            .send(|c| c.post(url.as_str()).json(body), retry)
            .await?;
        let fields = json_scan::object_fields(&resp.body).map_err(|e| {
            ConnectorError::Malformed(format!(
                "{method}: not a Bot API answer (HTTP {}): {}",
                resp.status, e.0
            ))
        })?;
        let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| *v);
        if get("ok") == Some(b"true".as_slice()) {
            return Ok(get("result").unwrap_or(b"null").to_vec());
        }
        let desc = get("description")
            .and_then(|d| serde_json::from_slice::<String>(d).ok())
            .unwrap_or_else(|| format!("HTTP {}", resp.status));
        let code = get("error_code")
            .and_then(|c| std::str::from_utf8(c).ok()?.trim().parse::<u16>().ok())
            .unwrap_or(resp.status);
        let msg = self.http.redact(&format!("{method}: {desc}"));
        Err(match code {
            401 | 404 if method == "getMe" || code == 401 => ConnectorError::Auth(msg),
            409 => ConnectorError::Refused(format!(
                "{msg} (another program is polling this bot, or a webhook is set: remove it with deleteWebhook)"
            )),
            _ => ConnectorError::Refused(msg),
        })
    }

    async fn call(&self, method: &str, body: &Value, retry: Retry) -> Result<Value> {
        let raw = self.call_raw(method, body, retry).await?;
        serde_json::from_slice(&raw)
            .map_err(|e| ConnectorError::Malformed(format!("{method}: {e}")))
    }

    async fn bot(&self) -> Result<&Bot> {
        self.bot
            .get_or_try_init(|| async {
                let me = self.call("getMe", &json!({}), Retry::Safe).await?;
                let id = me
                    .get("id")
                    .and_then(|v| v.as_i64())
                    .ok_or_else(|| ConnectorError::Malformed("getMe: no bot id".into()))?;
                Ok(Bot {
                    id,
                    username: me
                        .get("username")
                        .and_then(|v| v.as_str())
                        .map(String::from),
                })
            })
            .await
    }

    fn watched(&self, chat: i64) -> bool {
        self.cfg.chats.is_empty() || self.cfg.chats.contains(&chat)
    }

    /// Turns one message into an item, or `None` when it is chatter kith does not track.
    fn message_item(&self, m: &Message, bot: &Bot, channel_post: bool) -> Option<NewItem> {
        if !self.watched(m.chat.id) {
            return None;
        }
        let id = native(m.chat.id, m.message_id);
        let text = body(m);
        let parent = m
            .reply_to_message
            .as_ref()
            .map(|r| native(r.chat.id, r.message_id));
        let thread_root = m
            .message_thread_id
            .map(|t| native(m.chat.id, t))
            .or_else(|| {
                m.reply_to_message
                    .as_ref()
                    .filter(|r| r.is_automatic_forward)
                    .map(|r| native(r.chat.id, r.message_id))
            });
        let author = match (&m.from, &m.sender_chat) {
            (_, Some(c)) if channel_post || m.is_automatic_forward => chat_author(c),
            (Some(u), _) => user_author(u),
            (None, Some(c)) => chat_author(c),
            (None, None) => chat_author(&m.chat),
        };
        let mut item = NewItem {
            platform: Platform::Telegram,
            account: self.cfg.name.clone(),
            kind: Kind::Comment,
            native_id: id,
            parent_native_id: parent,
            root_native_id: None,
            post_native_id: None,
            author,
            text,
            title: None,
            // The sender's app language: a hint, the best Telegram gives.
            lang: m.from.as_ref().and_then(|u| u.language_code.clone()),
            rating: None,
            created_at: Timestamp(m.date.saturating_mul(1000)),
            url: link(&m.chat, m.message_id),
            status: Status::New,
            tags: Vec::new(),
            ours: false,
            source: None,
        };
        if channel_post || m.is_automatic_forward {
            // Our channel post (or its copy in the discussion group): the head of its thread.
            item.ours = true;
            item.parent_native_id = None;
            return Some(item);
        }
        if m.from.as_ref().is_some_and(|u| u.id == bot.id) {
            // Our own message (sent from elsewhere): part of threads, not of the inbox.
            item.ours = true;
            return Some(item);
        }
        match m.chat.kind.as_str() {
            "private" => {
                item.kind = Kind::Dm;
                Some(item)
            }
            "group" | "supergroup" => {
                if let Some(root) = thread_root {
                    item.kind = Kind::Comment;
                    item.root_native_id = Some(root.clone());
                    item.post_native_id = Some(root);
                    return Some(item);
                }
                let to_bot = m
                    .reply_to_message
                    .as_ref()
                    .and_then(|r| r.from.as_ref())
                    .is_some_and(|u| u.id == bot.id);
                if to_bot {
                    item.kind = Kind::Reply;
                    return Some(item);
                }
                if self.mentions_bot(m, bot) {
                    item.kind = Kind::Mention;
                    return Some(item);
                }
                None
            }
            _ => None,
        }
    }

    fn mentions_bot(&self, m: &Message, bot: &Bot) -> bool {
        let (text, entities) = match (&m.text, &m.caption) {
            (Some(t), _) => (t.as_str(), &m.entities),
            (None, Some(c)) => (c.as_str(), &m.caption_entities),
            _ => return false,
        };
        entities.iter().any(|e| match e.kind.as_str() {
            "mention" => bot.username.as_deref().is_some_and(|u| {
                entity_text(text, e)
                    .trim_start_matches('@')
                    .eq_ignore_ascii_case(u)
            }),
            "text_mention" => e.user.as_ref().is_some_and(|u| u.id == bot.id),
            _ => false,
        })
    }

    fn reaction(&self, r: &Reaction) -> Option<Activity> {
        if !self.watched(r.chat.id) || r.new_reaction.is_empty() {
            return None;
        }
        let user = r.user.as_ref().filter(|u| !u.is_bot)?;
        Some(Activity {
            platform: Platform::Telegram,
            account: self.cfg.name.clone(),
            native_id: format!(
                "reaction:{}:{}:{}:{}",
                r.chat.id, r.message_id, user.id, r.date
            ),
            kind: ActivityKind::Like,
            author: user_author(user),
            at: Timestamp(r.date.saturating_mul(1000)),
            target: Some(native(r.chat.id, r.message_id)),
        })
    }

    async fn fetch_page(&self, cursor: Option<&str>) -> Result<FetchPage> {
        let bot = self.bot().await?.clone();
        let offset: i64 = cursor.and_then(|c| c.trim().parse().ok()).unwrap_or(0);
        let body = json!({
            "offset": offset,
            "timeout": 0,
            "limit": PAGE,
            "allowed_updates": ["message", "channel_post", "edited_message", "message_reaction"],
        });
        let raw = self.call_raw("getUpdates", &body, Retry::Safe).await?;
        let elems = json_scan::split_array(&raw)
            .map_err(|e| ConnectorError::Malformed(format!("getUpdates: {}", e.0)))?;
        let mut page = FetchPage::default();
        let mut next = offset;
        for el in &elems {
            // The update id moves the offset even when the rest of the update is unreadable, so
            // one bad update never blocks the ones after it.
            if let Some(id) = update_id(el) {
                next = next.max(id + 1);
            }
            let u: Update = match serde_json::from_slice(el) {
                Ok(u) => u,
                Err(e) => {
                    page.malformed.push(Malformed {
                        reason: format!("telegram update: {e}"),
                        raw: el.to_vec(),
                    });
                    continue;
                }
            };
            next = next.max(u.update_id + 1);
            if let Some(m) = &u.message {
                if let Some(item) = self.message_item(m, &bot, false) {
                    page.items.push(item);
                }
            } else if let Some(m) = &u.channel_post {
                if let Some(item) = self.message_item(m, &bot, true) {
                    page.items.push(item);
                }
            } else if let Some(r) = &u.message_reaction {
                if let Some(a) = self.reaction(r) {
                    if self.cfg.activity_items {
                        page.items.push(reaction_item(&self.cfg.name, &a));
                    } else {
                        page.activity.push(a);
                    }
                }
            } else if u.edited_message.is_some() {
                // Edits are not tracked yet: the stored text stays as first received.
            }
        }
        if elems.is_empty() {
            return Ok(page);
        }
        page.cursor = Some(next.to_string());
        page.more = elems.len() >= PAGE;
        Ok(page)
    }
}

impl Telegram {
    /// `sendMessage` of one post (or thread part) to the account's channel.
    async fn publish_post(&self, post: &Outgoing) -> Result<Sent> {
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
        super::refuse_empty(&post.text)?;
        let units = post.text.encode_utf16().count();
        if units > TEXT_UNITS {
            return Err(ConnectorError::Refused(format!(
                "the post is {units} UTF-16 units long; Telegram allows {TEXT_UNITS}"
            )));
        }
        let mut body = json!({"chat_id": chat, "text": post.text});
        if let Some(prev) = &post.reply_to {
            let (prev_chat, prev_msg) = split_native(&prev.native_id)?;
            // No `allow_sending_without_reply`: a part whose predecessor is gone is refused
            // rather than published out of its thread.
            body["reply_parameters"] = if prev_chat == chat {
                json!({"message_id": prev_msg})
            } else {
                json!({"message_id": prev_msg, "chat_id": prev_chat})
            };
        }
        // Never retried: Telegram cannot deduplicate, and a timeout may mean it was sent.
        let sent = self
            .call("sendMessage", &body, Retry::Never)
            .await
            .map_err(|e| super::unread_answer("telegram: sendMessage", e))?;
        let Some(mid) = sent.get("message_id").and_then(|v| v.as_i64()) else {
            return Err(ConnectorError::Network(
                "telegram: sendMessage: answered without a message_id; the post may have been \
                 published"
                    .into(),
            ));
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
}

/// `update_id` read without parsing the rest (which may be what is broken).
fn update_id(el: &[u8]) -> Option<i64> {
    let fields = json_scan::object_fields(el).ok()?;
    let (_, v) = fields.iter().find(|(k, _)| k == "update_id")?;
    std::str::from_utf8(v).ok()?.trim().parse().ok()
}

fn reaction_item(account: &str, a: &Activity) -> NewItem {
    NewItem {
        platform: Platform::Telegram,
        account: account.to_string(),
        kind: Kind::Mention,
        native_id: a.native_id.clone(),
        parent_native_id: a.target.clone(),
        root_native_id: None,
        post_native_id: a.target.clone(),
        author: a.author.clone(),
        text: "[reaction]".into(),
        title: None,
        lang: None,
        rating: None,
        created_at: a.at,
        url: None,
        status: Status::New,
        tags: Vec::new(),
        ours: false,
        source: None,
    }
}

/// `chat:message` back into its parts.
fn split_native(id: &str) -> Result<(i64, i64)> {
    let (c, m) = id
        .rsplit_once(':')
        .ok_or_else(|| ConnectorError::Refused(format!("not a Telegram message id: {id}")))?;
    match (c.parse(), m.parse()) {
        (Ok(c), Ok(m)) => Ok((c, m)),
        _ => Err(ConnectorError::Refused(format!(
            "not a Telegram message id: {id}"
        ))),
    }
}

impl Connector for Telegram {
    fn platform(&self) -> Platform {
        Platform::Telegram
    }

    fn rate_info(&self) -> RateInfo {
        self.http.rate()
    }

    /// `getUpdates` with an offset confirms every update below it; Telegram deletes them.
    fn fetch_confirms(&self) -> bool {
        true
    }

    fn whoami(&self) -> BoxFuture<'_, Result<Identity>> {
        Box::pin(async move {
            let me = self.call("getMe", &json!({}), Retry::Safe).await?;
            let id = me
                .get("id")
                .and_then(|v| v.as_i64())
                .ok_or_else(|| ConnectorError::Malformed("getMe: no bot id".into()))?;
            let username = me.get("username").and_then(|v| v.as_str());
            Ok(Identity {
                id: id.to_string(),
                handle: username
                    .map(|u| format!("@{u}"))
                    .unwrap_or_else(|| id.to_string()),
                name: me
                    .get("first_name")
                    .and_then(|v| v.as_str())
                    .map(String::from),
            })
        })
    }

    fn fetch<'a>(&'a self, cursor: Option<&'a str>) -> BoxFuture<'a, Result<FetchPage>> {
        Box::pin(self.fetch_page(cursor))
    }

    fn thread<'a>(&'a self, _item: &'a Item) -> BoxFuture<'a, Result<Vec<NewItem>>> {
        // The Bot API has no history: threads are rebuilt from stored messages.
        Box::pin(async { Ok(Vec::new()) })
    }

    fn reply<'a>(
        &'a self,
        item: &'a Item,
        text: &'a str,
        _idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(async move {
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
        })
    }

    fn publish<'a>(&'a self, post: &'a Outgoing) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(self.publish_post(post))
    }

    /// A bot cannot read a channel's history, so whether an earlier attempt went out cannot be
    /// checked: a human decides.
    fn lookup<'a>(&'a self, post: &'a Outgoing, since: Timestamp) -> BoxFuture<'a, Result<Lookup>> {
        let _ = (post, since);
        Box::pin(async { Ok(Lookup::Unknowable) })
    }

    fn act<'a>(&'a self, item: &'a Item, action: RemoteAction) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
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
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_ids() {
        let public = Chat {
            id: -1001,
            kind: "supergroup".into(),
            title: None,
            username: Some("shop_chat".into()),
            first_name: None,
        };
        assert_eq!(
            link(&public, 7).as_deref(),
            Some("https://t.me/shop_chat/7")
        );
        let private = Chat {
            id: -1001987654321,
            kind: "supergroup".into(),
            title: None,
            username: None,
            first_name: None,
        };
        assert_eq!(
            link(&private, 5521).as_deref(),
            Some("https://t.me/c/1987654321/5521")
        );
        assert_eq!(
            split_native("-1001987654321:5521").unwrap(),
            (-1001987654321, 5521)
        );
        assert!(split_native("garbage").is_err());
        assert_eq!(
            update_id(br#"{"update_id": 42, "message": {"text": "\ud800"}}"#),
            Some(42)
        );
    }

    #[test]
    fn entity_offsets_are_utf16() {
        let e = Entity {
            kind: "mention".into(),
            offset: 3,
            length: 9,
            user: None,
        };
        // "👍 " is three UTF-16 units.
        assert_eq!(entity_text("👍 @shop_bot hi", &e), "@shop_bot");
    }
}
