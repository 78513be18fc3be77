//! A connected account as data: which platform, where, and where its secret comes from. Stored
//! as JSON (so new fields can be added with defaults); never holds a secret itself (a kept
//! secret lives in its own 0600 file, see `connectors::secrets`).

use super::{Platform, Timestamp};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountConfig {
    pub name: String,
    pub platform: Platform,
    /// `https://mastodon.social`, `https://bsky.social`, `https://api.telegram.org`,
    /// `https://api.vk.com` (methods under `/method/`), `https://www.googleapis.com` (YouTube
    /// under `/youtube/v3/`), `https://mybusiness.googleapis.com` (Google reviews under `/v4/`),
    /// or any instance or local server.
    pub base_url: String,
    /// The token (Mastodon, Telegram) or app password (Bluesky).
    pub secret: SecretSource,
    /// Bluesky: the login handle. Others: filled from `whoami` when known.
    #[serde(default)]
    pub handle: Option<String>,
    /// Telegram: chat ids the bot watches; empty = every chat it is in. The first one is the
    /// channel that posts from the outbox are published to.
    #[serde(default)]
    pub chats: Vec<i64>,
    /// Seconds between polls (jitter added by the engine).
    #[serde(default = "default_interval")]
    pub interval_secs: u64,
    /// Store favourites, reblogs, likes and follows as inbox items instead of member activity.
    #[serde(default)]
    pub activity_items: bool,
    /// VK: the community's id (positive; its wall is owner `-group_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<i64>,
    /// VK: a user token (an admin's) for what VK allows only to users: posting on the wall,
    /// deleting, likes, bans. `secret` is the community token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_secret: Option<SecretSource>,
    /// YouTube: the channel (`UC…`) whose comments are read and answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    /// YouTube and Google: the OAuth server (`https://oauth2.googleapis.com`, or a local one
    /// in tests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_url: Option<String>,
    /// Facebook: the Page whose posts, comments and messages are read and answered;
    /// Instagram: the Instagram professional account (its IG user id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_id: Option<String>,
    /// Google Business Profile: the account id (the number in `accounts/{id}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub google_account: Option<String>,
    /// Google Business Profile: the location ids whose reviews are read and answered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<String>,
    pub created_at: Timestamp,
    /// Facebook and Instagram: the app has Meta's Human Agent permission, so a person's message
    /// may be answered for 7 days (after 24 hours with the `HUMAN_AGENT` tag).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub human_agent: bool,
}

fn default_interval() -> u64 {
    120
}

impl AccountConfig {
    /// Each platform's public host, used when `--base-url` is not given.
    pub fn default_base_url(platform: Platform) -> Option<&'static str> {
        match platform {
            Platform::Mastodon => Some("https://mastodon.social"),
            Platform::Bluesky => Some("https://bsky.social"),
            Platform::Telegram => Some("https://api.telegram.org"),
            Platform::Vk => Some("https://api.vk.com"),
            Platform::Youtube => Some("https://www.googleapis.com"),
            Platform::Facebook | Platform::Instagram => Some("https://graph.facebook.com"),
            Platform::Google => Some("https://mybusiness.googleapis.com"),
            _ => None,
        }
    }

    /// Google's OAuth server for YouTube and Google accounts, unless the account names its own.
    pub const GOOGLE_AUTH_URL: &'static str = "https://oauth2.googleapis.com";

    /// `base_url` without a trailing slash, for joining paths.
    pub fn base(&self) -> &str {
        self.base_url.trim_end_matches('/')
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretSource {
    /// Read from this process's environment (accounts added before kith kept env secrets).
    Env(String),
    File(PathBuf),
    /// Kept by the engine in `DATA_DIR/secrets/`; `from` says where the user took it from
    /// (`env:VAR`).
    Kept {
        from: String,
    },
}

impl SecretSource {
    /// Where the secret lives, for `kith account list` (never the secret itself).
    pub fn describe(&self) -> String {
        match self {
            SecretSource::Env(v) => format!("env:{v}"),
            SecretSource::File(p) => format!("file:{}", p.display()),
            SecretSource::Kept { from } => format!("kept:{from}"),
        }
    }
}

/// Where an account's sync stands. Written with each stored page and when the error state
/// changes; an idle poll writes nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    /// The connector's cursor after the last stored page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// When a page was last stored.
    #[serde(default)]
    pub last_stored: Option<Timestamp>,
    /// Items pulled from the platform over the account's life.
    #[serde(default)]
    pub pulled: u64,
    #[serde(default)]
    pub activity: u64,
    #[serde(default)]
    pub malformed: u64,
    /// Worded by whoever shows it; stores written before errors were phrases hold plain text.
    #[serde(default, deserialize_with = "phrase_or_text")]
    pub last_error: Option<crate::i18n::Phrase>,
    #[serde(default)]
    pub needs_reauth: bool,
}

/// An error as stored: a phrase, or the plain text older versions kept.
fn phrase_or_text<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<crate::i18n::Phrase>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Phrase(crate::i18n::Phrase),
        Text(String),
    }
    Ok(match Option::<Stored>::deserialize(d)? {
        Some(Stored::Phrase(p)) => Some(p),
        Some(Stored::Text(t)) => Some(crate::i18n::Phrase::raw(t)),
        None => None,
    })
}
