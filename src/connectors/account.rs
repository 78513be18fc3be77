//! A connected account: which platform, where, and where its credentials come from. Stored in
//! the store as JSON (so new fields can be added with defaults); never holds a secret itself
//! (a kept secret lives in its own 0600 file, see `secrets`).

use super::http::{Http, RetryPolicy, Timeouts};
use super::secrets::SecretSource;
use super::{Connector, ConnectorError};
use crate::domain::{Platform, Timestamp};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountConfig {
    pub name: String,
    pub platform: Platform,
    /// `https://mastodon.social`, `https://bsky.social`, `https://api.telegram.org`, or any
    /// instance or local server.
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
    pub created_at: Timestamp,
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
            _ => None,
        }
    }

    /// `base_url` without a trailing slash, for joining paths.
    pub fn base(&self) -> &str {
        self.base_url.trim_end_matches('/')
    }
}

/// What every connector needs from the engine besides its account.
#[derive(Debug, Clone)]
pub struct ConnectContext {
    pub data_dir: PathBuf,
    pub timeouts: Timeouts,
    pub policy: RetryPolicy,
}

impl ConnectContext {
    pub fn new(data_dir: &Path) -> Self {
        ConnectContext {
            data_dir: data_dir.to_path_buf(),
            timeouts: Timeouts::default(),
            policy: RetryPolicy::default(),
        }
    }
}

/// Builds the connector for an account: loads its secret and sets up its HTTP client.
pub fn connect(
    cfg: &AccountConfig,
    ctx: &ConnectContext,
) -> Result<Arc<dyn Connector>, ConnectorError> {
    let secret = cfg
        .secret
        .load(&ctx.data_dir, &cfg.name)
        .map_err(ConnectorError::Secret)?;
    let http = Http::new(ctx.timeouts, vec![secret.clone()])?.with_policy(ctx.policy);
    Ok(match cfg.platform {
        Platform::Mastodon => Arc::new(super::mastodon::Mastodon::new(cfg, secret, http)),
        Platform::Bluesky => Arc::new(super::bluesky::Bluesky::new(
            cfg,
            secret,
            http,
            super::secrets::SessionFile::for_account(&ctx.data_dir, &cfg.name),
        )),
        Platform::Telegram => Arc::new(super::telegram::Telegram::new(cfg, secret, http)),
        other => {
            return Err(ConnectorError::Unsupported(crate::i18n::tf(
                "err.platform_not_connectable",
                &[("platform", &other)],
            )))
        }
    })
}
