//! Bot API payloads into kith's shapes: updates, messages and reactions into `NewItem` and
//! `Activity`, with the rules for which chatter belongs in the inbox.

use super::{native, Bot, Telegram};
use crate::connectors::{Activity, ActivityKind};
use crate::domain::{Author, Kind, NewItem, Platform, Status, Timestamp};
use serde::Deserialize;
use serde_json::Value;

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
pub(super) struct Chat {
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
pub(super) struct Message {
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
pub(super) struct Reaction {
    chat: Chat,
    message_id: i64,
    user: Option<User>,
    date: i64,
    #[serde(default)]
    new_reaction: Vec<Value>,
}

#[derive(Deserialize)]
pub(super) struct Update {
    pub(super) update_id: i64,
    pub(super) message: Option<Message>,
    pub(super) channel_post: Option<Message>,
    pub(super) edited_message: Option<Value>,
    pub(super) message_reaction: Option<Reaction>,
}

/// A public link to a message where one exists.
pub(super) fn link(chat: &Chat, message_id: i64) -> Option<String> {
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
    /// Turns one message into an item, or `None` when it is chatter kith does not track.
    pub(super) fn message_item(
        &self,
        m: &Message,
        bot: &Bot,
        channel_post: bool,
    ) -> Option<NewItem> {
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

    pub(super) fn reaction(&self, r: &Reaction) -> Option<Activity> {
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
}

pub(super) fn reaction_item(account: &str, a: &Activity) -> NewItem {
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

#[cfg(test)]
mod tests {
    use super::super::pull::update_id;
    use super::super::split_native;
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
