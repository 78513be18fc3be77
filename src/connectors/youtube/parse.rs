//! YouTube payloads into kith's shapes: comment threads and comments into `NewItem`s, each
//! element read on its own so one broken comment is quarantined and the rest kept.

use super::Youtube;
use crate::connectors::{json_scan, ConnectorError, FetchPage, Malformed, Result};
use crate::domain::{Author, Kind, NewItem, Platform, Status, Timestamp};
use serde::{Deserialize, Deserializer};

/// Which moderation list a comment came from (`moderationStatus` of `commentThreads.list`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pass {
    Published,
    Held,
    Spam,
}

impl Pass {
    pub(super) const ALL: [Pass; 3] = [Pass::Published, Pass::Held, Pass::Spam];

    pub(super) fn query(self) -> &'static str {
        match self {
            Pass::Published => "published",
            Pass::Held => "heldForReview",
            Pass::Spam => "likelySpam",
        }
    }

    /// A comment's own `moderationStatus`, where the owner sees it.
    fn from_status(s: &str) -> Option<Pass> {
        match s {
            "published" => Some(Pass::Published),
            "heldForReview" => Some(Pass::Held),
            "likelySpam" => Some(Pass::Spam),
            _ => None,
        }
    }

    fn mark(self, item: &mut NewItem) {
        match self {
            Pass::Published => {}
            Pass::Held => item.tags.push("held".into()),
            Pass::Spam => {
                item.status = Status::Spam;
                item.tags.push("likely-spam".into());
            }
        }
    }
}

/// Counts come as numbers; be lenient with strings and junk (decoration, not identity).
fn de_count<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<u64, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::Number(n)) => n.as_u64().unwrap_or(0),
        Some(serde_json::Value::String(s)) => s.trim().parse().unwrap_or(0),
        _ => 0,
    })
}

#[derive(Debug, Deserialize)]
struct ChannelRef {
    #[serde(default)]
    value: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Snippet {
    #[serde(default)]
    video_id: Option<String>,
    #[serde(default)]
    parent_id: Option<String>,
    #[serde(default)]
    text_original: Option<String>,
    #[serde(default)]
    text_display: Option<String>,
    #[serde(default)]
    author_display_name: Option<String>,
    #[serde(default)]
    author_channel_url: Option<String>,
    #[serde(default)]
    author_channel_id: Option<ChannelRef>,
    #[serde(default)]
    moderation_status: Option<String>,
    published_at: String,
}

#[derive(Debug, Deserialize)]
struct Comment {
    id: String,
    snippet: Snippet,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ThreadSnippet {
    #[serde(default)]
    video_id: Option<String>,
    #[serde(default, deserialize_with = "de_count")]
    total_reply_count: u64,
    top_level_comment: Comment,
}

#[derive(Debug, Deserialize)]
struct Thread {
    id: String,
    snippet: ThreadSnippet,
}

/// What the pull needs to know of a thread once its items are on the page.
#[derive(Debug, Clone)]
pub(super) struct ThreadInfo {
    pub(super) id: String,
    pub(super) video: Option<String>,
    pub(super) total: u64,
    pub(super) embedded: u64,
    /// The newest `publishedAt` among its top-level comment and embedded replies (ms).
    pub(super) newest: i64,
}

/// A list answer's `items` elements and `nextPageToken`.
pub(super) fn list(body: &[u8], what: &str) -> Result<(Vec<Vec<u8>>, Option<String>)> {
    let bad = |e: String| ConnectorError::Malformed(format!("youtube: {what}: {e}"));
    let fields = json_scan::object_fields(body).map_err(|e| bad(e.0))?;
    let mut items = Vec::new();
    let mut next = None;
    for (k, v) in fields {
        match k.as_str() {
            "items" => {
                items = json_scan::split_array(v)
                    .map_err(|e| bad(e.0))?
                    .into_iter()
                    .map(<[u8]>::to_vec)
                    .collect()
            }
            "nextPageToken" => {
                next = serde_json::from_slice::<Option<String>>(v)
                    .ok()
                    .flatten()
                    .filter(|t| !t.is_empty())
            }
            _ => {}
        }
    }
    Ok((items, next))
}

fn short(e: &serde_json::Error) -> String {
    e.to_string().chars().take(200).collect()
}

fn quarantine(page: &mut FetchPage, raw: &[u8], reason: String) {
    page.malformed.push(Malformed {
        reason,
        raw: raw.to_vec(),
    });
}

/// The watch address that opens the video at this comment.
fn comment_url(video: Option<&str>, id: &str) -> Option<String> {
    let v = video.filter(|v| !v.is_empty())?;
    let mut u = url::Url::parse("https://www.youtube.com/watch").ok()?;
    u.query_pairs_mut()
        .append_pair("v", v)
        .append_pair("lc", id);
    Some(u.to_string())
}

impl Youtube {
    fn comment_item(
        &self,
        c: Comment,
        kind: Kind,
        thread: &str,
        video: Option<&str>,
        me: &str,
        pass: Pass,
    ) -> std::result::Result<NewItem, String> {
        if c.id.is_empty() {
            return Err("comment without an id".into());
        }
        let s = c.snippet;
        let at = Timestamp::parse(&s.published_at)
            .ok_or_else(|| format!("comment {}: bad publishedAt {:?}", c.id, s.published_at))?;
        let author_id = s
            .author_channel_id
            .and_then(|a| a.value)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("comment {}: no authorChannelId", c.id))?;
        let text = s
            .text_original
            .or(s.text_display)
            .ok_or_else(|| format!("comment {}: no text", c.id))?;
        // `http://www.youtube.com/@handle`: the handle is the path's last part.
        let handle = s
            .author_channel_url
            .as_deref()
            .and_then(|u| u.rsplit('/').next())
            .filter(|h| h.starts_with('@'))
            .map(String::from);
        let video = s.video_id.as_deref().or(video);
        let mut item = NewItem {
            platform: Platform::Youtube,
            account: self.cfg.name.clone(),
            kind,
            native_id: c.id.clone(),
            parent_native_id: None,
            root_native_id: None,
            post_native_id: video.map(String::from),
            ours: author_id == me,
            author: Author {
                id: author_id,
                handle,
                name: s.author_display_name.filter(|n| !n.is_empty()),
                followers: None,
            },
            text,
            title: None,
            lang: None,
            rating: None,
            created_at: at,
            url: comment_url(video, &c.id),
            status: Status::New,
            tags: Vec::new(),
            source: None,
        };
        if kind == Kind::Reply {
            item.parent_native_id = Some(s.parent_id.unwrap_or_else(|| thread.to_string()));
            item.root_native_id = Some(thread.to_string());
        }
        s.moderation_status
            .as_deref()
            .and_then(Pass::from_status)
            .unwrap_or(pass)
            .mark(&mut item);
        Ok(item)
    }

    /// One reply from `comments.list`: onto the page, or quarantined.
    pub(super) fn map_reply(
        &self,
        raw: &[u8],
        thread: &str,
        video: Option<&str>,
        me: &str,
        pass: Pass,
        page: &mut FetchPage,
    ) -> Option<i64> {
        let parsed = serde_json::from_slice::<Comment>(raw)
            .map_err(|e| format!("comment: {}", short(&e)))
            .and_then(|c| self.comment_item(c, Kind::Reply, thread, video, me, pass));
        match parsed {
            Ok(item) => {
                let at = item.created_at.0;
                page.items.push(item);
                Some(at)
            }
            Err(e) => {
                quarantine(page, raw, e);
                None
            }
        }
    }

    /// One comment thread: its top-level comment and embedded replies onto the page (a broken
    /// reply quarantined on its own), or the whole thread quarantined when its head is broken.
    pub(super) fn map_thread(
        &self,
        raw: &[u8],
        me: &str,
        pass: Pass,
        page: &mut FetchPage,
    ) -> Option<ThreadInfo> {
        let t = match serde_json::from_slice::<Thread>(raw) {
            Ok(t) => t,
            Err(e) => {
                quarantine(page, raw, format!("comment thread: {}", short(&e)));
                return None;
            }
        };
        let id = t.id.clone();
        let video = t.snippet.video_id.clone();
        let total = t.snippet.total_reply_count;
        let head = match self.comment_item(
            t.snippet.top_level_comment,
            Kind::Comment,
            &id,
            video.as_deref(),
            me,
            pass,
        ) {
            Ok(i) => i,
            Err(e) => {
                quarantine(page, raw, e);
                return None;
            }
        };
        let mut newest = head.created_at.0;
        page.items.push(head);
        let replies = embedded_replies(raw);
        let embedded = replies.len() as u64;
        for r in replies {
            if let Some(at) = self.map_reply(&r, &id, video.as_deref(), me, pass, page) {
                newest = newest.max(at);
            }
        }
        Some(ThreadInfo {
            id,
            video,
            total,
            embedded,
            newest,
        })
    }
}

/// The raw elements of a thread's `replies.comments` (none when absent or unreadable).
fn embedded_replies(thread: &[u8]) -> Vec<Vec<u8>> {
    let field = |b: &[u8], name: &str| -> Option<Vec<u8>> {
        json_scan::object_fields(b)
            .ok()?
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.to_vec())
    };
    field(thread, "replies")
        .and_then(|r| field(&r, "comments"))
        .and_then(|c| {
            json_scan::split_array(&c)
                .ok()
                .map(|v| v.into_iter().map(<[u8]>::to_vec).collect())
        })
        .unwrap_or_default()
}
