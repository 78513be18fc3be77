//! VK payloads into kith's shapes: comments (wall, board, market, photo, video), community
//! messages and wall posts into `NewItem`s, likes into `Activity`, authors from `profiles` and
//! `groups` (a negative `from_id` is a community).

use super::ids::Target;
use crate::connectors::{Activity, ActivityKind, Malformed};
use crate::domain::{Author, Kind, NewItem, Platform, Status, Timestamp};
use serde::Deserialize;
use std::collections::HashMap;

/// Authors known from an `extended=1` answer (or `users.get`), by VK id (communities negative).
#[derive(Debug, Default, Clone)]
pub(super) struct Authors(HashMap<i64, Author>);

#[derive(Deserialize)]
struct Profile {
    id: i64,
    first_name: Option<String>,
    last_name: Option<String>,
    screen_name: Option<String>,
    followers_count: Option<u64>,
}

#[derive(Deserialize)]
struct Group {
    id: i64,
    name: Option<String>,
    screen_name: Option<String>,
    members_count: Option<u64>,
}

impl Authors {
    /// Reads `profiles` and `groups` from an answer; unreadable entries are skipped (the
    /// author then shows by id).
    pub(super) fn read(answer: &serde_json::Value) -> Authors {
        let mut a = Authors::default();
        a.add_profiles(answer.get("profiles"));
        for g in answer
            .get("groups")
            .and_then(|g| g.as_array())
            .into_iter()
            .flatten()
        {
            if let Ok(g) = serde_json::from_value::<Group>(g.clone()) {
                a.0.insert(
                    -g.id,
                    Author {
                        id: (-g.id).to_string(),
                        handle: g.screen_name,
                        name: g.name,
                        followers: g.members_count,
                    },
                );
            }
        }
        a
    }

    /// Adds users from a list of profiles (`profiles`, or `users.get`'s answer itself).
    pub(super) fn add_profiles(&mut self, list: Option<&serde_json::Value>) {
        for p in list.and_then(|p| p.as_array()).into_iter().flatten() {
            if let Ok(p) = serde_json::from_value::<Profile>(p.clone()) {
                let name = match (p.first_name, p.last_name) {
                    (Some(f), Some(l)) if !l.is_empty() => Some(format!("{f} {l}")),
                    (Some(f), _) => Some(f),
                    (None, l) => l,
                };
                self.0.insert(
                    p.id,
                    Author {
                        id: p.id.to_string(),
                        handle: p.screen_name,
                        name,
                        followers: p.followers_count,
                    },
                );
            }
        }
    }

    pub(super) fn get(&self, id: i64) -> Author {
        self.0.get(&id).cloned().unwrap_or_else(|| Author {
            id: id.to_string(),
            handle: None,
            name: None,
            followers: None,
        })
    }

    pub(super) fn knows(&self, id: i64) -> bool {
        self.0.contains_key(&id)
    }
}

/// A comment as every comment method and event gives it; the place it belongs to is given
/// by the caller (wall.getComments) or read from the event's own fields.
#[derive(Deserialize, Debug)]
pub(super) struct Comment {
    pub(super) id: i64,
    #[serde(default)]
    pub(super) from_id: i64,
    #[serde(default)]
    pub(super) date: i64,
    #[serde(default)]
    text: String,
    pub(super) post_id: Option<i64>,
    pub(super) owner_id: Option<i64>,
    #[serde(default)]
    parents_stack: Vec<i64>,
    reply_to_comment: Option<i64>,
    #[serde(default)]
    pub(super) thread: Option<Thread>,
    #[serde(default)]
    deleted: bool,
    #[serde(default)]
    attachments: Vec<serde_json::Value>,
    // Where event payloads say which thing the comment is on.
    topic_id: Option<i64>,
    topic_owner_id: Option<i64>,
    item_id: Option<i64>,
    market_owner_id: Option<i64>,
    pub(super) photo_id: Option<i64>,
    photo_owner_id: Option<i64>,
    /// The photo, in `photos.getAllComments`.
    pub(super) pid: Option<i64>,
    video_id: Option<i64>,
    video_owner_id: Option<i64>,
}

#[derive(Deserialize, Debug, Default)]
pub(super) struct Thread {
    #[serde(default)]
    pub(super) count: u32,
    #[serde(default)]
    pub(super) items: Vec<serde_json::Value>,
}

/// A community message (`message_new`'s `message`, `messages.getHistory`'s items).
#[derive(Deserialize, Debug)]
pub(super) struct Message {
    pub(super) id: i64,
    pub(super) peer_id: i64,
    pub(super) from_id: i64,
    #[serde(default)]
    date: i64,
    #[serde(default)]
    text: String,
    #[serde(default)]
    out: u8,
    reply_message: Option<Box<Message>>,
    #[serde(default)]
    attachments: Vec<serde_json::Value>,
}

/// A wall post (`wall.get`, `wall_post_new`).
#[derive(Deserialize, Debug)]
pub(super) struct Post {
    pub(super) id: i64,
    pub(super) owner_id: i64,
    #[serde(default)]
    pub(super) from_id: i64,
    #[serde(default)]
    pub(super) date: i64,
    #[serde(default)]
    pub(super) text: String,
    #[serde(default)]
    pub(super) comments: Option<Count>,
    #[serde(default)]
    pub(super) post_type: Option<String>,
}

#[derive(Deserialize, Debug, Default, Clone, Copy)]
pub(super) struct Count {
    #[serde(default)]
    pub(super) count: u32,
}

/// `like_add`.
#[derive(Deserialize, Debug)]
pub(super) struct Like {
    liker_id: i64,
    object_type: String,
    object_owner_id: i64,
    object_id: i64,
    post_id: Option<i64>,
}

/// What builds items for one account: its name, its community and its authors.
pub(super) struct Ctx<'a> {
    pub(super) account: &'a str,
    pub(super) group: i64,
    pub(super) authors: &'a Authors,
}

fn seconds(t: i64) -> Timestamp {
    Timestamp(t.saturating_mul(1000))
}

/// A comment's text, with a word for what it carries when it has no text of its own.
fn text_of(text: &str, attachments: &[serde_json::Value]) -> String {
    if !text.trim().is_empty() || attachments.is_empty() {
        return text.to_string();
    }
    let kinds: Vec<String> = attachments
        .iter()
        .filter_map(|a| a.get("type").and_then(|t| t.as_str()))
        .map(|t| format!("[{t}]"))
        .collect();
    kinds.join(" ")
}

impl Ctx<'_> {
    fn item(&self, kind: Kind, at: Target, author: i64, text: String, date: i64) -> NewItem {
        NewItem {
            platform: Platform::Vk,
            account: self.account.to_string(),
            kind,
            native_id: at.native(),
            parent_native_id: None,
            root_native_id: None,
            post_native_id: None,
            author: self.authors.get(author),
            text,
            title: None,
            lang: None,
            rating: None,
            created_at: seconds(date),
            url: Some(at.url(self.group)),
            status: Status::New,
            tags: Vec::new(),
            ours: author == -self.group,
            source: None,
        }
    }

    /// A comment on `place` (a post, topic, market item, photo or video: the comment id is
    /// replaced). Deleted comments are not items.
    pub(super) fn comment(&self, c: &Comment, place: Target) -> Option<NewItem> {
        if c.deleted {
            return None;
        }
        let at = place.with_comment(c.id);
        let parent = c
            .reply_to_comment
            .or_else(|| c.parents_stack.last().copied());
        let root = match place {
            Target::Post { .. } | Target::Wall { .. } => at.post(),
            _ => None,
        };
        let mut item = self.item(
            if parent.is_some() {
                Kind::Reply
            } else {
                Kind::Comment
            },
            at,
            c.from_id,
            text_of(&c.text, &c.attachments),
            c.date,
        );
        item.parent_native_id = parent
            .map(|p| place.with_comment(p).native())
            .or_else(|| root.map(|r| r.native()));
        item.root_native_id = root.map(|r| r.native());
        item.post_native_id = root.map(|r| r.native());
        Some(item)
    }

    /// The place an event's comment is on, from the event type and its own fields.
    pub(super) fn event_place(&self, kind: &str, c: &Comment) -> Option<Target> {
        let owner = -self.group;
        Some(match kind {
            "wall_reply_new" => Target::Post {
                owner: c.owner_id.unwrap_or(owner),
                post: c.post_id?,
            },
            "board_post_new" => Target::Topic {
                owner: c.topic_owner_id.unwrap_or(owner),
                topic: c.topic_id?,
                comment: c.id,
            },
            "market_comment_new" => Target::Market {
                owner: c.market_owner_id.unwrap_or(owner),
                item: c.item_id?,
                comment: c.id,
            },
            "photo_comment_new" => Target::Photo {
                owner: c.photo_owner_id.unwrap_or(owner),
                photo: c.photo_id?,
                comment: c.id,
            },
            "video_comment_new" => Target::Video {
                owner: c.video_owner_id.unwrap_or(owner),
                video: c.video_id?,
                comment: c.id,
            },
            _ => return None,
        })
    }

    /// A message in a conversation with the community: incoming ones are DMs, the
    /// community's own are stored as sent.
    pub(super) fn message(&self, m: &Message) -> NewItem {
        let at = Target::Message {
            peer: m.peer_id,
            id: m.id,
        };
        let author = if m.out == 1 { -self.group } else { m.from_id };
        let mut item = self.item(
            Kind::Dm,
            at,
            author,
            text_of(&m.text, &m.attachments),
            m.date,
        );
        item.ours = m.out == 1 || m.from_id == -self.group;
        item.parent_native_id = m.reply_message.as_ref().map(|r| {
            Target::Message {
                peer: m.peer_id,
                id: r.id,
            }
            .native()
        });
        item
    }

    /// A wall post: the community's own are stored as sent (the roots of comment threads);
    /// a visitor's post on the wall is an item to answer.
    pub(super) fn post(&self, p: &Post) -> NewItem {
        let at = Target::Post {
            owner: p.owner_id,
            post: p.id,
        };
        let author = if p.from_id == 0 {
            p.owner_id
        } else {
            p.from_id
        };
        let mut item = self.item(Kind::Mention, at, author, p.text.clone(), p.date);
        item.ours = author == -self.group;
        item
    }

    /// A like on one of the community's things (member activity).
    pub(super) fn like(&self, l: &Like, event_id: &str, at: Timestamp) -> Activity {
        let target = match (l.object_type.as_str(), l.post_id) {
            ("post", _) => Some(
                Target::Post {
                    owner: l.object_owner_id,
                    post: l.object_id,
                }
                .native(),
            ),
            ("comment", Some(post)) => Some(
                Target::Wall {
                    owner: l.object_owner_id,
                    post,
                    comment: l.object_id,
                }
                .native(),
            ),
            _ => None,
        };
        Activity {
            platform: Platform::Vk,
            account: self.account.to_string(),
            native_id: format!("like:{event_id}"),
            kind: ActivityKind::Like,
            author: self.authors.get(l.liker_id),
            at,
            target,
        }
    }
}

/// Reads a JSON element as `T`, or quarantines it with the reason.
pub(super) fn read<T: serde::de::DeserializeOwned>(
    what: &str,
    el: &serde_json::Value,
    bad: &mut Vec<Malformed>,
) -> Option<T> {
    match serde_json::from_value::<T>(el.clone()) {
        Ok(v) => Some(v),
        Err(e) => {
            bad.push(Malformed {
                reason: format!("vk {what}: {e}"),
                raw: serde_json::to_vec(el).unwrap_or_default(),
            });
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_documented_wall_reply_becomes_a_comment_under_its_post() {
        let ev = json!({"id":9812,"from_id":553310201,"post_id":1405,"owner_id":-218765432,
            "parents_stack":[],"date":1773480112,
            "text":"Подскажите, когда будет доставка в Казань?","thread":{"count":0,"items":[]}});
        let c: Comment = serde_json::from_value(ev).unwrap();
        let authors = Authors::default();
        let ctx = Ctx {
            account: "vk",
            group: 218765432,
            authors: &authors,
        };
        let place = ctx.event_place("wall_reply_new", &c).unwrap();
        let item = ctx.comment(&c, place).unwrap();
        assert_eq!(item.native_id, "wall-218765432_1405_r9812");
        assert_eq!(item.kind, Kind::Comment);
        assert_eq!(
            item.parent_native_id.as_deref(),
            Some("wall-218765432_1405")
        );
        assert_eq!(item.post_native_id.as_deref(), Some("wall-218765432_1405"));
        assert_eq!(item.created_at, Timestamp(1773480112000));
        assert_eq!(item.author.id, "553310201");
        assert_eq!(
            item.url.as_deref(),
            Some("https://vk.com/wall-218765432_1405?reply=9812")
        );
        assert!(!item.ours);
    }

    #[test]
    fn branch_replies_point_at_the_comment_they_answer_and_communities_are_negative() {
        let answer = json!({
            "profiles":[{"id":5,"first_name":"Анна","last_name":"К","screen_name":"anna","followers_count":12}],
            "groups":[{"id":218765432,"name":"Лумо","screen_name":"lumo","members_count":900}]
        });
        let authors = Authors::read(&answer);
        let ctx = Ctx {
            account: "vk",
            group: 218765432,
            authors: &authors,
        };
        let c: Comment = serde_json::from_value(json!({"id":20,"from_id":-218765432,
            "date":1,"text":"Ответ","parents_stack":[10],"reply_to_comment":15}))
        .unwrap();
        let item = ctx
            .comment(
                &c,
                Target::Post {
                    owner: -218765432,
                    post: 7,
                },
            )
            .unwrap();
        assert_eq!(item.kind, Kind::Reply);
        assert_eq!(
            item.parent_native_id.as_deref(),
            Some("wall-218765432_7_r15")
        );
        assert!(item.ours);
        assert_eq!(item.author.name.as_deref(), Some("Лумо"));
        assert_eq!(authors.get(5).name.as_deref(), Some("Анна К"));
        assert_eq!(authors.get(5).followers, Some(12));
    }
}
