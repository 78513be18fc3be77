//! VK moderation and likes: delete and restore wherever comments live, ban an author from the
//! community with VK's reason and a duration, like with the user token. VK has no hide.

use super::ids::Target;
use super::{As, Vk};
use crate::connectors::http::Retry;
use crate::connectors::{ConnectorError, RemoteAction, Result};
use crate::domain::{Item, Platform, Timestamp};

impl Vk {
    pub(super) async fn do_act(&self, item: &Item, action: RemoteAction) -> Result<()> {
        if let Some(why) = action.refusal(Platform::Vk) {
            return Err(ConnectorError::Unsupported(why.to_string()));
        }
        let at = Target::parse(&item.native_id)?;
        let g = self.group.to_string();
        let (method, params, who): (&str, Vec<(&str, String)>, As) = match action {
            RemoteAction::Like => {
                let (kind, owner, id) = match at {
                    Target::Post { owner, post } => ("post", owner, post),
                    Target::Wall { owner, comment, .. } => ("comment", owner, comment),
                    Target::Topic { owner, comment, .. } => ("topic_comment", owner, comment),
                    Target::Market { owner, comment, .. } => ("market_comment", owner, comment),
                    Target::Photo { owner, comment, .. } => ("photo_comment", owner, comment),
                    Target::Video { owner, comment, .. } => ("video_comment", owner, comment),
                    Target::Message { .. } => {
                        return Err(ConnectorError::Unsupported(crate::i18n::t(
                            "why.vk_like_message",
                        )))
                    }
                };
                (
                    "likes.add",
                    vec![
                        ("type", kind.to_string()),
                        ("owner_id", owner.to_string()),
                        ("item_id", id.to_string()),
                    ],
                    As::User,
                )
            }
            RemoteAction::Delete | RemoteAction::Restore => {
                let delete = action == RemoteAction::Delete;
                let pick = |d: &'static str, r: &'static str| if delete { d } else { r };
                match at {
                    Target::Post { owner, post } => (
                        pick("wall.delete", "wall.restore"),
                        vec![
                            ("owner_id", owner.to_string()),
                            ("post_id", post.to_string()),
                        ],
                        As::User,
                    ),
                    Target::Wall { owner, comment, .. } => (
                        pick("wall.deleteComment", "wall.restoreComment"),
                        vec![
                            ("owner_id", owner.to_string()),
                            ("comment_id", comment.to_string()),
                        ],
                        As::User,
                    ),
                    Target::Topic { topic, comment, .. } => (
                        pick("board.deleteComment", "board.restoreComment"),
                        vec![
                            ("group_id", g),
                            ("topic_id", topic.to_string()),
                            ("comment_id", comment.to_string()),
                        ],
                        As::User,
                    ),
                    Target::Market { owner, comment, .. } => (
                        pick("market.deleteComment", "market.restoreComment"),
                        vec![
                            ("owner_id", owner.to_string()),
                            ("comment_id", comment.to_string()),
                        ],
                        As::User,
                    ),
                    Target::Photo { owner, comment, .. } => (
                        pick("photos.deleteComment", "photos.restoreComment"),
                        vec![
                            ("owner_id", owner.to_string()),
                            ("comment_id", comment.to_string()),
                        ],
                        As::User,
                    ),
                    Target::Video { owner, comment, .. } => (
                        pick("video.deleteComment", "video.restoreComment"),
                        vec![
                            ("owner_id", owner.to_string()),
                            ("comment_id", comment.to_string()),
                        ],
                        As::User,
                    ),
                    Target::Message { peer, id } if delete => (
                        "messages.delete",
                        vec![
                            ("group_id", g),
                            ("peer_id", peer.to_string()),
                            ("message_ids", id.to_string()),
                            ("delete_for_all", "1".into()),
                        ],
                        As::Community,
                    ),
                    Target::Message { id, .. } => (
                        "messages.restore",
                        vec![("group_id", g), ("message_id", id.to_string())],
                        As::Community,
                    ),
                }
            }
            RemoteAction::Ban(terms) => {
                let mut params = vec![
                    ("group_id", g),
                    ("owner_id", item.author.id.clone()),
                    ("reason", terms.reason.vk_code().to_string()),
                    ("comment_visible", "1".to_string()),
                ];
                if terms.days > 0 {
                    let end = Timestamp::now().0 / 1000 + i64::from(terms.days) * 86_400;
                    params.push(("end_date", end.to_string()));
                }
                ("groups.ban", params, As::User)
            }
            other => {
                return Err(ConnectorError::Unsupported(format!(
                    "VK: {} is not something kith can do here",
                    other.key()
                )))
            }
        };
        self.call(method, &params, who, Retry::Safe).await?;
        Ok(())
    }
}
