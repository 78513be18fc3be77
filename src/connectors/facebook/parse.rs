//! Graph payloads into kith's shapes: Page posts and comments (replies carry their `parent`)
//! into `NewItem`s (Messenger messages: `graph_inbox`). Graph writes times as `2026-03-14T09:18:44+0000`.

use crate::connectors::Malformed;
use crate::domain::{Author, Kind, NewItem, Platform, Status, Timestamp};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize, Debug, Clone)]
pub(super) struct From {
    pub(super) id: String,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize, Debug)]
pub(super) struct Ref {
    pub(super) id: String,
}

#[derive(Deserialize, Debug)]
pub(super) struct Comment {
    pub(super) id: String,
    #[serde(default)]
    pub(super) message: String,
    pub(super) created_time: String,
    /// Absent when the commenter's profile is not visible to the Page's app.
    #[serde(default)]
    pub(super) from: Option<From>,
    #[serde(default)]
    pub(super) parent: Option<Ref>,
    #[serde(default)]
    is_hidden: bool,
    #[serde(default)]
    permalink_url: Option<String>,
}

#[derive(Deserialize, Debug)]
pub(super) struct Post {
    pub(super) id: String,
    #[serde(default)]
    pub(super) message: Option<String>,
    pub(super) created_time: String,
    #[serde(default)]
    pub(super) from: Option<From>,
    #[serde(default)]
    pub(super) permalink_url: Option<String>,
    #[serde(default)]
    pub(super) comments: Option<Value>,
}

impl Post {
    /// `comments.summary(true)`'s total.
    pub(super) fn comment_count(&self) -> u64 {
        self.comments
            .as_ref()
            .and_then(|c| c.pointer("/summary/total_count"))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    }
}

pub(super) use crate::connectors::graph::time;

/// What builds items for one account.
pub(super) struct Ctx<'a> {
    pub(super) account: &'a str,
    pub(super) page: &'a str,
}

fn author(from: Option<&From>) -> Author {
    match from {
        Some(f) => Author {
            id: f.id.clone(),
            handle: None,
            name: f.name.clone(),
            followers: None,
        },
        // Graph hides who wrote it from apps without access to that person: one author for all.
        None => Author {
            id: "unknown".into(),
            handle: None,
            name: None,
            followers: None,
        },
    }
}

impl Ctx<'_> {
    fn item(
        &self,
        kind: Kind,
        id: &str,
        from: Option<&From>,
        text: String,
        at: Timestamp,
    ) -> NewItem {
        let ours = from.is_some_and(|f| f.id == self.page);
        NewItem {
            platform: Platform::Facebook,
            account: self.account.to_string(),
            kind,
            native_id: id.to_string(),
            parent_native_id: None,
            root_native_id: None,
            post_native_id: None,
            author: author(from),
            text,
            title: None,
            lang: None,
            rating: None,
            created_at: at,
            url: None,
            status: Status::New,
            tags: Vec::new(),
            ours,
            source: None,
        }
    }

    /// A comment on `post` (a reply when it has a parent comment).
    pub(super) fn comment(
        &self,
        c: &Comment,
        post: &str,
        bad: &mut Vec<Malformed>,
    ) -> Option<NewItem> {
        let Some(at) = time(&c.created_time) else {
            bad.push(Malformed {
                reason: format!("facebook comment {}: bad created_time", c.id),
                raw: c.id.as_bytes().to_vec(),
            });
            return None;
        };
        let kind = if c.parent.is_some() {
            Kind::Reply
        } else {
            Kind::Comment
        };
        let mut item = self.item(kind, &c.id, c.from.as_ref(), c.message.clone(), at);
        item.parent_native_id = Some(
            c.parent
                .as_ref()
                .map(|p| p.id.clone())
                .unwrap_or_else(|| post.to_string()),
        );
        item.root_native_id = Some(post.to_string());
        item.post_native_id = Some(post.to_string());
        item.url = c.permalink_url.clone();
        if c.is_hidden {
            item.status = Status::Hidden;
        }
        Some(item)
    }

    /// A post on the Page: the Page's own are stored as sent (the roots of its threads); a
    /// visitor's post is an item to answer.
    pub(super) fn post(&self, p: &Post) -> Option<NewItem> {
        let at = time(&p.created_time)?;
        let mut item = self.item(
            Kind::Mention,
            &p.id,
            p.from.as_ref(),
            p.message.clone().unwrap_or_default(),
            at,
        );
        item.url = p.permalink_url.clone();
        Some(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_documented_comment_becomes_an_item_and_graph_times_parse() {
        let c: Comment = serde_json::from_value(json!({"id":"1234567890123456_987654321098765",
            "message":"Wann kommt Größe XL wieder rein? 😊","created_time":"2026-03-14T09:18:44+0000",
            "from":{"id":"6012345678901234","name":"Jürgen Weiß"},"like_count":0,"comment_count":1,
            "is_hidden":false,"can_hide":true}))
        .unwrap();
        let ctx = Ctx {
            account: "fb",
            page: "1234567890123456",
        };
        let mut bad = Vec::new();
        let item = ctx.comment(&c, "1234567890123456_111", &mut bad).unwrap();
        assert_eq!(item.native_id, "1234567890123456_987654321098765");
        assert_eq!(item.kind, Kind::Comment);
        assert_eq!(
            item.parent_native_id.as_deref(),
            Some("1234567890123456_111")
        );
        assert_eq!(item.author.name.as_deref(), Some("Jürgen Weiß"));
        assert_eq!(
            item.created_at,
            Timestamp::parse("2026-03-14T09:18:44Z").unwrap()
        );
        assert!(!item.ours);
        assert!(bad.is_empty());
        assert_eq!(
            time("2026-03-14T09:18:44+0200"),
            Timestamp::parse("2026-03-14T07:18:44Z")
        );
        assert_eq!(time("yesterday"), None);
    }
}
