//! VK writes: replies wherever a comment or message can be answered, posts on the community
//! wall (now or natively postponed with `publish_date`), postponed posts moved or cancelled,
//! and the search for an earlier attempt. Every write carries `guid` or `random_id` made from
//! kith's key, so a retry never doubles.

use super::ids::Target;
use super::media;
use super::parse::Post;
use super::{As, Vk};
use crate::connectors::http::Retry;
use crate::connectors::{
    refuse_empty, unread_answer, ConnectorError, Lookup, Outgoing, Result, Sent,
};
use crate::domain::{Item, NewItem, Timestamp};
use serde_json::Value;

/// `wall.post`'s text limit as VK's site enforces it (the API does not say).
pub(super) const TEXT_LIMIT: usize = 16_384;

/// `messages.send`'s `random_id`: a positive 31-bit number from kith's key (FNV-1a), the same
/// for every retry of one reply.
pub(super) fn random_id(key: &str) -> i64 {
    let mut h: u32 = 0x811c_9dc5;
    for b in key.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    i64::from(h & 0x7fff_ffff)
}

/// The id an answer carries: a bare number or `{field: number}`.
fn id_in(v: &Value, field: &str) -> Option<i64> {
    v.as_i64().or_else(|| v.get(field).and_then(Value::as_i64))
}

/// The first web link in a text: VK shows it as the post's link attachment.
fn first_link(text: &str) -> Option<&str> {
    text.split_whitespace()
        .find(|w| w.starts_with("https://") || w.starts_with("http://"))
        .map(|w| w.trim_end_matches(['.', ',', ')', '!', '?', ';', ':']))
}

impl Vk {
    pub(super) async fn send_reply(&self, item: &Item, text: &str, key: &str) -> Result<Sent> {
        refuse_empty(text)?;
        let at = Target::parse(&item.native_id)?;
        let msg = || text.to_string();
        let g = self.group.to_string();
        let (method, params, who, field): (&str, Vec<(&str, String)>, As, &str) = match at {
            Target::Post { owner, post } => (
                "wall.createComment",
                vec![
                    ("owner_id", owner.to_string()),
                    ("post_id", post.to_string()),
                    ("from_group", g.clone()),
                    ("message", msg()),
                    ("guid", key.to_string()),
                ],
                As::Community,
                "comment_id",
            ),
            Target::Wall {
                owner,
                post,
                comment,
            } => (
                "wall.createComment",
                vec![
                    ("owner_id", owner.to_string()),
                    ("post_id", post.to_string()),
                    ("from_group", g.clone()),
                    ("message", msg()),
                    ("reply_to_comment", comment.to_string()),
                    ("guid", key.to_string()),
                ],
                As::Community,
                "comment_id",
            ),
            Target::Topic { topic, .. } => (
                "board.createComment",
                vec![
                    ("group_id", g.clone()),
                    ("topic_id", topic.to_string()),
                    ("message", msg()),
                    ("from_group", "1".into()),
                    ("guid", key.to_string()),
                ],
                As::User,
                "comment_id",
            ),
            Target::Market {
                owner,
                item: it,
                comment,
            } => (
                "market.createComment",
                vec![
                    ("owner_id", owner.to_string()),
                    ("item_id", it.to_string()),
                    ("message", msg()),
                    ("from_group", "1".into()),
                    ("reply_to_comment", comment.to_string()),
                    ("guid", key.to_string()),
                ],
                As::User,
                "comment_id",
            ),
            Target::Photo {
                owner,
                photo,
                comment,
            } => (
                "photos.createComment",
                vec![
                    ("owner_id", owner.to_string()),
                    ("photo_id", photo.to_string()),
                    ("message", msg()),
                    ("from_group", g.clone()),
                    ("reply_to_comment", comment.to_string()),
                    ("guid", key.to_string()),
                ],
                As::User,
                "comment_id",
            ),
            Target::Video {
                owner,
                video,
                comment,
            } => (
                "video.createComment",
                vec![
                    ("owner_id", owner.to_string()),
                    ("video_id", video.to_string()),
                    ("message", msg()),
                    ("from_group", "1".into()),
                    ("reply_to_comment", comment.to_string()),
                    ("guid", key.to_string()),
                ],
                As::User,
                "comment_id",
            ),
            Target::Message { peer, id } => (
                "messages.send",
                vec![
                    ("group_id", g.clone()),
                    ("peer_id", peer.to_string()),
                    ("random_id", random_id(key).to_string()),
                    ("message", msg()),
                    ("reply_to", id.to_string()),
                ],
                As::Community,
                "message_id",
            ),
        };
        let answer = self.call(method, &params, who, Retry::Safe).await?;
        let id = id_in(&answer, field).ok_or_else(|| {
            ConnectorError::Malformed(format!("vk {method}: no {field} in the answer"))
        })?;
        let sent = at.with_comment(id);
        Ok(Sent {
            native_id: sent.native(),
            url: Some(sent.url(self.group)),
        })
    }

    /// `wall.post` from the community (a thread part goes as a comment under the previous
    /// part), its pictures (uploaded first) and its first link in `attachments`. Needs the user
    /// token: VK lets only people post on walls.
    pub(super) async fn publish_post(&self, post: &Outgoing) -> Result<Sent> {
        let mut attachments = media::attachments(&post.media)?;
        if attachments.is_empty() {
            refuse_empty(&post.text)?;
        }
        let chars = post.text.chars().count();
        if chars > TEXT_LIMIT {
            return Err(ConnectorError::Refused(format!(
                "the post is {chars} characters long; VK allows {TEXT_LIMIT}"
            )));
        }
        self.token_for(As::User)?;
        if let Some(prev) = &post.reply_to {
            let at = Target::parse(&prev.native_id)?;
            let Some(Target::Post { owner, post: pid }) = at.post() else {
                return Err(ConnectorError::Refused(format!(
                    "not a VK post: {}",
                    prev.native_id
                )));
            };
            let mut params = vec![
                ("owner_id", owner.to_string()),
                ("post_id", pid.to_string()),
                ("from_group", self.group.to_string()),
                ("message", post.text.clone()),
                ("guid", post.idempotency_key.clone()),
            ];
            if !attachments.is_empty() {
                params.push(("attachments", attachments.join(",")));
            }
            let answer = self
                .call("wall.createComment", &params, As::User, Retry::Safe)
                .await
                .map_err(|e| unread_answer("vk: wall.createComment", e))?;
            let id = id_in(&answer, "comment_id").ok_or_else(|| {
                ConnectorError::Network(
                    "vk: wall.createComment answered without an id; it may have been published"
                        .into(),
                )
            })?;
            let t = Target::Wall {
                owner,
                post: pid,
                comment: id,
            };
            return Ok(Sent {
                native_id: t.native(),
                url: Some(t.url(self.group)),
            });
        }
        let mut params = vec![
            ("owner_id", self.owner().to_string()),
            ("from_group", "1".to_string()),
            ("message", post.text.clone()),
            ("guid", post.idempotency_key.clone()),
        ];
        // Photos in the order given, then the link (VK shows at most one).
        if let Some(link) = first_link(&post.text) {
            attachments.push(link.to_string());
        }
        if !attachments.is_empty() {
            params.push(("attachments", attachments.join(",")));
        }
        if let Some(at) = post.native_at {
            params.push(("publish_date", (at.0 / 1000).to_string()));
        }
        let answer = self
            .call("wall.post", &params, As::User, Retry::Safe)
            .await
            .map_err(|e| unread_answer("vk: wall.post", e))?;
        let id = id_in(&answer, "post_id").ok_or_else(|| {
            ConnectorError::Network(
                "vk: wall.post answered without a post_id; the post may have been published".into(),
            )
        })?;
        let t = Target::Post {
            owner: self.owner(),
            post: id,
        };
        Ok(Sent {
            native_id: t.native(),
            url: Some(t.url(self.group)),
        })
    }

    /// Moves a postponed post (`wall.edit` with its own text, photos and link, which an edit
    /// would otherwise drop, and a new `publish_date`) or cancels it (`wall.delete`).
    pub(super) async fn move_postponed(
        &self,
        remote_id: &str,
        at: Option<Timestamp>,
    ) -> Result<()> {
        let Target::Post { owner, post } = Target::parse(remote_id)? else {
            return Err(ConnectorError::Refused(format!(
                "not a VK post: {remote_id}"
            )));
        };
        let ids = [
            ("owner_id", owner.to_string()),
            ("post_id", post.to_string()),
        ];
        let Some(at) = at else {
            self.call("wall.delete", &ids, As::User, Retry::Safe)
                .await?;
            return Ok(());
        };
        let got = self
            .call(
                "wall.getById",
                &[("posts", format!("{owner}_{post}"))],
                As::User,
                Retry::Safe,
            )
            .await?;
        let first = got
            .get("items")
            .and_then(|i| i.get(0))
            .or_else(|| got.get(0))
            .ok_or_else(|| {
                ConnectorError::Refused(format!("vk: the postponed post {remote_id} is gone"))
            })?;
        let text = first
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let mut params = ids.to_vec();
        params.push(("message", text.clone()));
        let mut attachments = media::photos_of(first);
        if let Some(link) = first_link(&text) {
            attachments.push(link.to_string());
        }
        if !attachments.is_empty() {
            params.push(("attachments", attachments.join(",")));
        }
        params.push(("publish_date", (at.0 / 1000).to_string()));
        self.call("wall.edit", &params, As::User, Retry::Safe)
            .await?;
        Ok(())
    }

    /// Looks for the post among the wall's latest and its postponed posts (same text, made
    /// since the first attempt, allowing for clock skew).
    pub(super) async fn find_post(&self, post: &Outgoing, since: Timestamp) -> Result<Lookup> {
        if self.user_token.is_none() {
            return Ok(Lookup::Unknowable);
        }
        let after = since.0 / 1000 - 600;
        for filter in ["owner", "postponed"] {
            let params = [
                ("owner_id", self.owner().to_string()),
                ("count", "50".to_string()),
                ("filter", filter.to_string()),
            ];
            let answer = self
                .call("wall.get", &params, As::User, Retry::Safe)
                .await?;
            for el in answer
                .get("items")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Ok(p) = serde_json::from_value::<Post>(el.clone()) else {
                    continue;
                };
                let recent = filter == "postponed" || p.date >= after;
                // With pictures, the same text is not enough: the same photos too (a post of
                // pictures alone has no text to tell it by).
                let same_photos = post.media.is_empty()
                    || media::photos_of(el) == media::attachments(&post.media).unwrap_or_default();
                if recent && same_photos && p.text.trim() == post.text.trim() {
                    let t = Target::Post {
                        owner: p.owner_id,
                        post: p.id,
                    };
                    return Ok(Lookup::Found(Sent {
                        native_id: t.native(),
                        url: Some(t.url(self.group)),
                    }));
                }
            }
        }
        Ok(Lookup::Absent)
    }

    /// A wall comment's whole post: its top-level comments with their branches. Other places
    /// are rebuilt from the store.
    pub(super) async fn whole_thread(&self, item: &Item) -> Result<Vec<NewItem>> {
        let Some(Target::Post { owner, post }) = Target::parse(&item.native_id)?.post() else {
            return Ok(Vec::new());
        };
        if self.user_token.is_none() {
            return Ok(Vec::new());
        }
        let params = [
            ("owner_id", owner.to_string()),
            ("post_id", post.to_string()),
            ("count", "100".to_string()),
            ("sort", "asc".to_string()),
            ("extended", "1".to_string()),
            ("thread_items_count", "10".to_string()),
            (
                "fields",
                "screen_name,followers_count,members_count".to_string(),
            ),
        ];
        let answer = self
            .call("wall.getComments", &params, As::User, Retry::Safe)
            .await?;
        let mut out = Vec::new();
        let mut bad = Vec::new();
        self.comments(&answer, Target::Post { owner, post }, &mut out, &mut bad)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_are_stable_positive_and_differ_by_key() {
        assert_eq!(random_id("reply:1"), random_id("reply:1"));
        assert_ne!(random_id("reply:1"), random_id("reply:2"));
        assert!(random_id("x") > 0 && random_id("x") <= i64::from(i32::MAX));
    }

    #[test]
    fn the_first_link_becomes_the_attachment() {
        assert_eq!(
            first_link("Новое меню: https://lumo.example/menu. Ждём!"),
            Some("https://lumo.example/menu")
        );
        assert_eq!(first_link("no link here"), None);
    }
}
