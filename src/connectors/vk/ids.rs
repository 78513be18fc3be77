//! VK's things as kith names them: one native id per thing that can be answered, written like
//! VK's own links (`wall-1_2`, `wall-1_2_r3`, `topic-1_2_p3`, …), and back.

use crate::connectors::{ConnectorError, Result};

/// What a VK native id points at. Owners are VK's: negative for a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    /// A post on a wall.
    Post { owner: i64, post: i64 },
    /// A comment under a wall post.
    Wall { owner: i64, post: i64, comment: i64 },
    /// A comment in a board topic (the owner is the community, negative).
    Topic {
        owner: i64,
        topic: i64,
        comment: i64,
    },
    /// A comment on a market item.
    Market { owner: i64, item: i64, comment: i64 },
    /// A comment on a photo.
    Photo {
        owner: i64,
        photo: i64,
        comment: i64,
    },
    /// A comment on a video.
    Video {
        owner: i64,
        video: i64,
        comment: i64,
    },
    /// A community message in a conversation with `peer`.
    Message { peer: i64, id: i64 },
}

impl Target {
    pub(super) fn native(self) -> String {
        match self {
            Target::Post { owner, post } => format!("wall{owner}_{post}"),
            Target::Wall {
                owner,
                post,
                comment,
            } => format!("wall{owner}_{post}_r{comment}"),
            Target::Topic {
                owner,
                topic,
                comment,
            } => format!("topic{owner}_{topic}_p{comment}"),
            Target::Market {
                owner,
                item,
                comment,
            } => format!("market{owner}_{item}_c{comment}"),
            Target::Photo {
                owner,
                photo,
                comment,
            } => format!("photo{owner}_{photo}_c{comment}"),
            Target::Video {
                owner,
                video,
                comment,
            } => format!("video{owner}_{video}_c{comment}"),
            Target::Message { peer, id } => format!("msg{peer}_{id}"),
        }
    }

    /// The link a person opens in a browser; `group` is the community's id (for messages).
    pub(super) fn url(self, group: i64) -> String {
        match self {
            Target::Post { owner, post } => format!("https://vk.com/wall{owner}_{post}"),
            Target::Wall {
                owner,
                post,
                comment,
            } => format!("https://vk.com/wall{owner}_{post}?reply={comment}"),
            Target::Topic {
                owner,
                topic,
                comment,
            } => format!("https://vk.com/topic{owner}_{topic}?post={comment}"),
            Target::Market { owner, item, .. } => format!("https://vk.com/product{owner}_{item}"),
            Target::Photo { owner, photo, .. } => format!("https://vk.com/photo{owner}_{photo}"),
            Target::Video { owner, video, .. } => format!("https://vk.com/video{owner}_{video}"),
            Target::Message { peer, .. } => format!("https://vk.com/gim{group}?sel={peer}"),
        }
    }

    /// The post a wall comment belongs to (its thread's root).
    pub(super) fn post(self) -> Option<Target> {
        match self {
            Target::Post { .. } => Some(self),
            Target::Wall { owner, post, .. } => Some(Target::Post { owner, post }),
            _ => None,
        }
    }

    /// The same place with another comment (a comment's parent in its branch).
    pub(super) fn with_comment(self, c: i64) -> Target {
        match self {
            Target::Post { owner, post } | Target::Wall { owner, post, .. } => Target::Wall {
                owner,
                post,
                comment: c,
            },
            Target::Topic { owner, topic, .. } => Target::Topic {
                owner,
                topic,
                comment: c,
            },
            Target::Market { owner, item, .. } => Target::Market {
                owner,
                item,
                comment: c,
            },
            Target::Photo { owner, photo, .. } => Target::Photo {
                owner,
                photo,
                comment: c,
            },
            Target::Video { owner, video, .. } => Target::Video {
                owner,
                video,
                comment: c,
            },
            Target::Message { peer, .. } => Target::Message { peer, id: c },
        }
    }

    pub(super) fn parse(id: &str) -> Result<Target> {
        parse(id).ok_or_else(|| ConnectorError::Refused(format!("not a VK id kith knows: {id}")))
    }
}

fn parse(id: &str) -> Option<Target> {
    let prefix_len = id.find(|c: char| c == '-' || c.is_ascii_digit())?;
    let (prefix, rest) = id.split_at(prefix_len);
    let parts: Vec<&str> = rest.split('_').collect();
    let num = |s: &str| s.parse::<i64>().ok();
    let tail = |s: &str, mark: char| s.strip_prefix(mark).and_then(num);
    Some(match (prefix, parts.as_slice()) {
        ("wall", [o, p]) => Target::Post {
            owner: num(o)?,
            post: num(p)?,
        },
        ("wall", [o, p, c]) => Target::Wall {
            owner: num(o)?,
            post: num(p)?,
            comment: tail(c, 'r')?,
        },
        ("topic", [o, t, c]) => Target::Topic {
            owner: num(o)?,
            topic: num(t)?,
            comment: tail(c, 'p')?,
        },
        ("market", [o, i, c]) => Target::Market {
            owner: num(o)?,
            item: num(i)?,
            comment: tail(c, 'c')?,
        },
        ("photo", [o, i, c]) => Target::Photo {
            owner: num(o)?,
            photo: num(i)?,
            comment: tail(c, 'c')?,
        },
        ("video", [o, i, c]) => Target::Video {
            owner: num(o)?,
            video: num(i)?,
            comment: tail(c, 'c')?,
        },
        ("msg", [p, i]) => Target::Message {
            peer: num(p)?,
            id: num(i)?,
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_round_trips_through_its_native_id() {
        let all = [
            Target::Post {
                owner: -218765432,
                post: 1405,
            },
            Target::Wall {
                owner: -218765432,
                post: 1405,
                comment: 9812,
            },
            Target::Topic {
                owner: -5,
                topic: 7,
                comment: 9,
            },
            Target::Market {
                owner: -5,
                item: 7,
                comment: 9,
            },
            Target::Photo {
                owner: 3,
                photo: 7,
                comment: 9,
            },
            Target::Video {
                owner: -5,
                video: 7,
                comment: 9,
            },
            Target::Message {
                peer: 553310201,
                id: 42,
            },
        ];
        for t in all {
            assert_eq!(Target::parse(&t.native()).unwrap(), t, "{}", t.native());
        }
        assert_eq!(
            Target::Wall {
                owner: -218765432,
                post: 1405,
                comment: 9812
            }
            .native(),
            "wall-218765432_1405_r9812"
        );
        for bad in [
            "",
            "wall",
            "wall-1",
            "wall-1_x",
            "wall-1_2_3",
            "topic-1_2_r3",
            "msg1",
            "12:34",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }
}
