//! Facebook writes: replies under comments and posts, Messenger answers, Page posts now or
//! natively scheduled (moved and cancelled on Facebook), and the search for an earlier attempt.
//! Graph has no idempotency: a write is sent once, and after an unknown outcome kith looks for
//! it before a second and last try.

use super::parse::{time, Comment, Ctx};
use super::Facebook;
use crate::connectors::graph::Verb;
use crate::connectors::graph_inbox;
use crate::connectors::http::Retry;
use crate::connectors::{
    refuse_empty, unread_answer, ConnectorError, Lookup, Outgoing, Result, Sent,
};
use crate::domain::messaging::Delivery;
use crate::domain::{Item, Kind, NewItem, Timestamp};
use crate::i18n::tf;
use serde_json::Value;

/// Comments are cut at about 8,000 characters; posts at 63,206.
const COMMENT_LIMIT: usize = 8000;
const POST_LIMIT: usize = 63_206;
/// Messenger takes 2,000 characters a message.
const MESSAGE_LIMIT: usize = 2000;
/// Our earlier attempt counts if published this long before it began (clock skew).
const SKEW_SECS: i64 = 300;

fn first_link(text: &str) -> Option<&str> {
    text.split_whitespace()
        .find(|w| w.starts_with("https://") || w.starts_with("http://"))
        .map(|w| w.trim_end_matches(['.', ',', ')', '!', '?', ';', ':']))
}

fn id_of(v: &Value, what: &str) -> Result<String> {
    v.get("id")
        .or_else(|| v.get("message_id"))
        .and_then(Value::as_str)
        .map(String::from)
        .ok_or_else(|| ConnectorError::Network(format!("facebook {what}: answered without an id")))
}

impl Facebook {
    pub(super) async fn send_reply(&self, item: &Item, text: &str, how: Delivery) -> Result<Sent> {
        refuse_empty(text)?;
        let n = text.chars().count();
        if how == Delivery::Private && !item.private_reply_allowed() {
            return Err(ConnectorError::Unsupported(tf(
                "graph_msg.private_only",
                &[("platform", &item.platform)],
            )));
        }
        if item.kind == Kind::Dm || how == Delivery::Private {
            if n > MESSAGE_LIMIT {
                return Err(ConnectorError::Refused(tf(
                    "graph_msg.message_long",
                    &[
                        ("count", &n),
                        ("platform", &"Messenger"),
                        ("max", &MESSAGE_LIMIT),
                    ],
                )));
            }
            return graph_inbox::send(&self.graph, &self.page, item, text, how).await;
        }
        if n > COMMENT_LIMIT {
            return Err(ConnectorError::Refused(format!(
                "facebook: the reply has {n} characters; Facebook takes about {COMMENT_LIMIT}"
            )));
        }
        let since = Timestamp::now();
        let path = format!("{}/comments", item.native_id);
        let form = [("message", text.to_string())];
        for attempt in 0..2 {
            match self.call(Verb::Post, &path, &[], &form, Retry::Never).await {
                Ok(v) => {
                    let id = id_of(&v, "comment")?;
                    return Ok(Sent {
                        url: Some(format!("https://www.facebook.com/{id}")),
                        native_id: id,
                    });
                }
                Err(e @ ConnectorError::Network(_)) => {
                    if let Some(s) = self.find_comment(&item.native_id, text, since).await? {
                        return Ok(s);
                    }
                    if attempt == 1 {
                        return Err(e);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Err(ConnectorError::Network(
            "facebook: reply not confirmed".into(),
        ))
    }

    /// Our comment with this text under `target`, made since `since` (less the skew).
    async fn find_comment(
        &self,
        target: &str,
        text: &str,
        since: Timestamp,
    ) -> Result<Option<Sent>> {
        let q = [
            ("order", "reverse_chronological".to_string()),
            ("fields", "id,message,created_time,from".to_string()),
            ("limit", "50".to_string()),
        ];
        let v = self
            .call(
                Verb::Get,
                &format!("{target}/comments"),
                &q,
                &[],
                Retry::Safe,
            )
            .await?;
        let floor = since.0 - SKEW_SECS * 1000;
        for el in v
            .get("data")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Ok(c) = serde_json::from_value::<Comment>(el.clone()) else {
                continue;
            };
            let ours = c.from.as_ref().is_some_and(|f| f.id == self.page);
            let recent = time(&c.created_time).is_some_and(|t| t.0 >= floor);
            if ours && recent && c.message.trim() == text.trim() {
                return Ok(Some(Sent {
                    url: Some(format!("https://www.facebook.com/{}", c.id)),
                    native_id: c.id,
                }));
            }
        }
        Ok(None)
    }

    /// A Page post, now or scheduled by Facebook itself (`published=false` +
    /// `scheduled_publish_time`); a thread part goes as a comment under the previous part.
    pub(super) async fn publish_post(&self, post: &Outgoing) -> Result<Sent> {
        refuse_empty(&post.text)?;
        let n = post.text.chars().count();
        if n > POST_LIMIT {
            return Err(ConnectorError::Refused(format!(
                "the post is {n} characters long; Facebook allows {POST_LIMIT}"
            )));
        }
        // Pictures go with the first part only; a thread part is a comment.
        let pictures = match post.reply_to {
            None => super::media::attached(post)?,
            Some(_) => Vec::new(),
        };
        let (path, mut form) = match &post.reply_to {
            Some(prev) => (
                format!("{}/comments", prev.native_id),
                vec![("message", post.text.clone())],
            ),
            None => (
                format!("{}/feed", self.page),
                vec![("message", post.text.clone())],
            ),
        };
        for (k, v) in &pictures {
            form.push((k.as_str(), v.clone()));
        }
        if post.reply_to.is_none() {
            // A link would make a link preview of the post instead of showing its pictures;
            // the address stays in the text.
            if let Some(link) = first_link(&post.text).filter(|_| pictures.is_empty()) {
                form.push(("link", link.to_string()));
            }
            if let Some(at) = post.native_at {
                form.push(("published", "false".to_string()));
                form.push(("scheduled_publish_time", (at.0 / 1000).to_string()));
            }
        }
        let v = self
            .call(Verb::Post, &path, &[], &form, Retry::Never)
            .await
            .map_err(|e| unread_answer("facebook: publish", e))?;
        let id = id_of(&v, "post")?;
        Ok(Sent {
            url: Some(format!("https://www.facebook.com/{id}")),
            native_id: id,
        })
    }

    /// Moves a scheduled post to `at`, or deletes it.
    pub(super) async fn move_scheduled(
        &self,
        remote_id: &str,
        at: Option<Timestamp>,
    ) -> Result<()> {
        match at {
            Some(at) => {
                let form = [("scheduled_publish_time", (at.0 / 1000).to_string())];
                self.call(Verb::Post, remote_id, &[], &form, Retry::Safe)
                    .await?;
            }
            None => {
                self.call(Verb::Delete, remote_id, &[], &[], Retry::Safe)
                    .await?;
            }
        }
        Ok(())
    }

    /// Looks for the post among the Page's latest and scheduled posts (same text).
    pub(super) async fn find_post(&self, post: &Outgoing, since: Timestamp) -> Result<Lookup> {
        let floor = since.0 - SKEW_SECS * 1000;
        for edge in ["feed", "scheduled_posts"] {
            let q = [
                ("fields", "id,message,created_time".to_string()),
                ("limit", "50".to_string()),
            ];
            let v = self
                .call(
                    Verb::Get,
                    &format!("{}/{edge}", self.page),
                    &q,
                    &[],
                    Retry::Safe,
                )
                .await?;
            for el in v
                .get("data")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let same = el.get("message").and_then(Value::as_str).map(str::trim)
                    == Some(post.text.trim());
                let recent = edge == "scheduled_posts"
                    || el
                        .get("created_time")
                        .and_then(Value::as_str)
                        .and_then(time)
                        .is_some_and(|t| t.0 >= floor);
                if let (true, true, Some(id)) = (same, recent, el.get("id").and_then(Value::as_str))
                {
                    return Ok(Lookup::Found(Sent {
                        url: Some(format!("https://www.facebook.com/{id}")),
                        native_id: id.to_string(),
                    }));
                }
            }
        }
        Ok(Lookup::Absent)
    }

    /// The comments of the post an item belongs to (DMs are rebuilt from the store).
    pub(super) async fn whole_thread(&self, item: &Item) -> Result<Vec<NewItem>> {
        if item.kind == Kind::Dm {
            return Ok(Vec::new());
        }
        let post = item
            .post_native_id
            .clone()
            .unwrap_or_else(|| item.native_id.clone());
        let q = [
            ("filter", "stream".to_string()),
            ("order", "chronological".to_string()),
            ("limit", "100".to_string()),
            (
                "fields",
                "id,message,created_time,from,parent,is_hidden,permalink_url".to_string(),
            ),
        ];
        let v = self
            .call(Verb::Get, &format!("{post}/comments"), &q, &[], Retry::Safe)
            .await?;
        let ctx = Ctx {
            account: &self.cfg.name,
            page: &self.page,
        };
        let mut bad = Vec::new();
        Ok(v.get("data")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|el| serde_json::from_value::<Comment>(el.clone()).ok())
            .filter_map(|c| ctx.comment(&c, &post, &mut bad))
            .collect())
    }
}
