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

/// Moderation and reactions an operator can take on an item on its platform (not to be
/// confused with the keymap's `Action`, an operator's intent in the TUI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemoteAction {
    /// Favourite / like / react 👍.
    Like,
    /// Hide a reply in our own thread (Bluesky threadgate).
    Hide,
    /// Delete someone's message (Telegram group where the bot is admin).
    Delete,
    /// Mute the conversation (Mastodon, Bluesky).
    Mute,
    /// Dismiss the notification (Mastodon).
    Dismiss,
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
        };
        if ok {
            return None;
        }
        let key = match (platform, self) {
            (Platform::Mastodon, RemoteAction::Hide) => "why.mastodon_hide",
            (Platform::Mastodon, RemoteAction::Delete) => "why.mastodon_delete",
            (Platform::Bluesky, RemoteAction::Delete) => "why.bluesky_delete",
            (Platform::Telegram, RemoteAction::Hide) => "why.telegram_hide",
            _ => "why.unsupported",
        };
        Some(ph(
            key,
            &[("platform", &platform), ("action", &self.as_str())],
        ))
    }

    pub const ALL: [RemoteAction; 5] = [
        RemoteAction::Like,
        RemoteAction::Hide,
        RemoteAction::Delete,
        RemoteAction::Mute,
        RemoteAction::Dismiss,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RemoteAction::Like => "like",
            RemoteAction::Hide => "hide",
            RemoteAction::Delete => "delete",
            RemoteAction::Mute => "mute",
            RemoteAction::Dismiss => "dismiss",
        }
    }
}

impl std::str::FromStr for RemoteAction {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        RemoteAction::ALL
            .into_iter()
            .find(|a| a.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| s.to_string())
    }
}
