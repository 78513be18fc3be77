//! What a platform does and what we ask of it, as plain data shared by the layers: member
//! activity pulled with a page, input that could not be read, and actions taken on an item there.

use super::{Author, Platform, Timestamp};
use serde::{Deserialize, Serialize};

/// A reaction to the brand that is member activity, not an inbox item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Like,
    Repost,
    Follow,
}

impl ActivityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Like => "like",
            ActivityKind::Repost => "repost",
            ActivityKind::Follow => "follow",
        }
    }
}

/// One piece of member activity (a favourite, a reblog, a follow...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub platform: Platform,
    pub account: String,
    /// Unique per account (e.g. the notification id); used to count each activity once.
    pub native_id: String,
    pub kind: ActivityKind,
    pub author: Author,
    pub at: Timestamp,
    /// The native id of our post it concerns, if any.
    pub target: Option<String>,
}

/// Input that could not be turned into an item: kept with its raw bytes, never blocking a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub reason: String,
    pub raw: Vec<u8>,
}

/// Why a community bans someone (VK's `groups.ban` reasons; YouTube's ban has none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BanReason {
    #[default]
    Other,
    Spam,
    Abuse,
    Language,
    OffTopic,
}

impl BanReason {
    pub const ALL: [BanReason; 5] = [
        BanReason::Spam,
        BanReason::Abuse,
        BanReason::Language,
        BanReason::OffTopic,
        BanReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BanReason::Other => "other",
            BanReason::Spam => "spam",
            BanReason::Abuse => "abuse",
            BanReason::Language => "language",
            BanReason::OffTopic => "off_topic",
        }
    }

    /// VK's code for it (`groups.ban` `reason`).
    pub fn vk_code(self) -> u8 {
        match self {
            BanReason::Other => 0,
            BanReason::Spam => 1,
            BanReason::Abuse => 2,
            BanReason::Language => 3,
            BanReason::OffTopic => 4,
        }
    }
}

/// How long and why an author is banned. `days == 0` is for ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct BanTerms {
    pub days: u16,
    pub reason: BanReason,
}

/// Moderation and reactions an operator can take on an item on its platform (not to be
/// confused with the keymap's `Action`, an operator's intent in the TUI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemoteAction {
    /// Favourite / like / react 👍.
    Like,
    /// Hide a reply in our own thread (Bluesky threadgate); YouTube: hold for review.
    Hide,
    /// Delete someone's message (Telegram group where the bot is admin, VK comment).
    Delete,
    /// Mute the conversation (Mastodon, Bluesky).
    Mute,
    /// Dismiss the notification (Mastodon).
    Dismiss,
    /// Bring back what was deleted or held (VK `restoreComment`, YouTube `published`).
    Restore,
    /// Reject a comment for good (YouTube `rejected`: it and its replies leave the video).
    Reject,
    /// Ban the author from the community or channel (VK `groups.ban`, YouTube `banAuthor`).
    Ban(BanTerms),
}

impl RemoteAction {
    /// Why `platform` does not allow this action, to be worded by whoever shows it (None: it
    /// does). Capabilities are data; this turns them into the sentence the operator sees.
    pub fn refusal(self, platform: Platform) -> Option<crate::i18n::Phrase> {
        use crate::i18n::ph;
        let caps = platform.capabilities();
        let ok = match self {
            RemoteAction::Like => caps.like,
            RemoteAction::Hide => caps.hide,
            RemoteAction::Delete => caps.delete,
            RemoteAction::Mute => caps.mute,
            RemoteAction::Dismiss => caps.dismiss,
            RemoteAction::Restore => caps.restore,
            RemoteAction::Reject => caps.reject,
            RemoteAction::Ban(_) => caps.ban,
        };
        if ok {
            return None;
        }
        let key = match (platform, self) {
            (Platform::Mastodon, RemoteAction::Hide) => "why.mastodon_hide",
            (Platform::Mastodon, RemoteAction::Delete) => "why.mastodon_delete",
            (Platform::Bluesky, RemoteAction::Delete) => "why.bluesky_delete",
            (Platform::Telegram, RemoteAction::Hide) => "why.telegram_hide",
            (Platform::Vk, RemoteAction::Hide) => "why.vk_hide",
            (Platform::Vk, RemoteAction::Reject) => "why.vk_reject",
            (Platform::Youtube, RemoteAction::Like) => "why.youtube_like",
            (Platform::Youtube, RemoteAction::Delete) => "why.youtube_delete",
            (Platform::Instagram, RemoteAction::Like) => "why.instagram_like",
            (
                Platform::Google,
                RemoteAction::Like
                | RemoteAction::Hide
                | RemoteAction::Delete
                | RemoteAction::Reject
                | RemoteAction::Ban(_),
            ) => "why.google.review",
            _ => "why.unsupported",
        };
        Some(ph(
            key,
            &[("platform", &platform), ("action", &self.as_str())],
        ))
    }

    /// Why this action cannot be taken on `item`, or `None`. Like `refusal`, except where an
    /// item of our own allows what the platform's others do not: on Google, our answer to a
    /// review can be deleted (`DELETE {review}/reply`), the review itself cannot.
    pub fn refusal_for(self, item: &super::Item) -> Option<crate::i18n::Phrase> {
        if item.platform == Platform::Google && item.is_ours() && self == RemoteAction::Delete {
            return None;
        }
        self.refusal(item.platform)
    }

    /// How the item's own tags follow a done action where the tag names a platform state:
    /// YouTube's held comments (`held`, `likely-spam`) that are published or held again.
    pub fn tag_changes(self, platform: Platform) -> Vec<super::Change> {
        use super::Change::{AddTag, RemoveTag};
        match (platform, self) {
            (Platform::Youtube, RemoteAction::Restore) => {
                vec![RemoveTag("held".into()), RemoveTag("likely-spam".into())]
            }
            (Platform::Youtube, RemoteAction::Hide) => vec![AddTag("held".into())],
            _ => Vec::new(),
        }
    }

    pub const ALL: [RemoteAction; 8] = [
        RemoteAction::Like,
        RemoteAction::Hide,
        RemoteAction::Delete,
        RemoteAction::Mute,
        RemoteAction::Dismiss,
        RemoteAction::Restore,
        RemoteAction::Reject,
        RemoteAction::Ban(BanTerms {
            days: 0,
            reason: BanReason::Other,
        }),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RemoteAction::Like => "like",
            RemoteAction::Hide => "hide",
            RemoteAction::Delete => "delete",
            RemoteAction::Mute => "mute",
            RemoteAction::Dismiss => "dismiss",
            RemoteAction::Restore => "restore",
            RemoteAction::Reject => "reject",
            RemoteAction::Ban(_) => "ban",
        }
    }

    /// The action with its terms, as `FromStr` reads it back (`ban:30:spam`); the others are
    /// their name. Used where an action is written down to be resumed.
    pub fn key(self) -> String {
        match self {
            RemoteAction::Ban(t) => format!("ban:{}:{}", t.days, t.reason.as_str()),
            other => other.as_str().to_string(),
        }
    }
}

impl std::str::FromStr for RemoteAction {
    type Err = String;
    /// A name (`like`, `restore`…) or a ban with its terms: `ban`, `ban:DAYS`,
    /// `ban:DAYS:REASON` (0 days: for ever; reasons spam, abuse, language, off_topic, other).
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let l = s.trim().to_ascii_lowercase();
        let mut parts = l.split(':');
        let name = parts.next().unwrap_or_default();
        if name == "ban" {
            let days = match parts.next() {
                None | Some("") => 0,
                Some(d) => d.parse::<u16>().map_err(|_| s.to_string())?,
            };
            let reason = match parts.next() {
                None | Some("") => BanReason::Other,
                Some(r) => BanReason::ALL
                    .into_iter()
                    .find(|x| x.as_str() == r.replace('-', "_"))
                    .ok_or_else(|| s.to_string())?,
            };
            if parts.next().is_some() {
                return Err(s.to_string());
            }
            return Ok(RemoteAction::Ban(BanTerms { days, reason }));
        }
        if parts.next().is_some() {
            return Err(s.to_string());
        }
        RemoteAction::ALL
            .into_iter()
            .find(|a| a.as_str() == name)
            .ok_or_else(|| s.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_back_from_their_keys() {
        for a in RemoteAction::ALL {
            assert_eq!(a.key().parse::<RemoteAction>(), Ok(a));
        }
        let ban = RemoteAction::Ban(BanTerms {
            days: 30,
            reason: BanReason::OffTopic,
        });
        assert_eq!(ban.key(), "ban:30:off_topic");
        assert_eq!("ban:30:off-topic".parse::<RemoteAction>(), Ok(ban));
        assert_eq!("Ban".parse::<RemoteAction>(), Ok(RemoteAction::ALL[7]));
        assert!("ban:x".parse::<RemoteAction>().is_err());
        assert!("ban:1:rude".parse::<RemoteAction>().is_err());
        assert!("like:1".parse::<RemoteAction>().is_err());
    }
}
