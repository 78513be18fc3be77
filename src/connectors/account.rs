//! Building a connected account's connector: its secret loaded, its HTTP client set up. (The
//! account itself, `AccountConfig`, is plain data in `domain::account`.)

use super::http::{Http, RetryPolicy, Timeouts};
use super::secrets::LoadSecret;
use super::{Connector, ConnectorError};
pub use crate::domain::account::AccountConfig;
use crate::domain::Platform;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
        Platform::Vk => {
            let user = match &cfg.user_secret {
                Some(s) => Some(
                    s.load(
                        &ctx.data_dir,
                        &super::secrets::second_secret_name(&cfg.name),
                    )
                    .map_err(ConnectorError::Secret)?,
                ),
                None => None,
            };
            let mut http = http;
            if let Some(u) = &user {
                http.add_secret(u);
            }
            Arc::new(super::vk::Vk::new(cfg, secret, user, http))
        }
        Platform::Facebook => Arc::new(super::facebook::Facebook::new(cfg, secret, http)),
        Platform::Instagram => Arc::new(super::instagram::Instagram::new(cfg, secret, http)),
        Platform::Youtube => Arc::new(super::youtube::Youtube::new(
            cfg,
            secret,
            http,
            &ctx.data_dir,
        )),
        Platform::Google => Arc::new(super::google::Google::new(cfg, secret, http, &ctx.data_dir)),
        other => {
            return Err(ConnectorError::Unsupported(crate::i18n::tf(
                "err.platform_not_connectable",
                &[("platform", &other)],
            )))
        }
    })
}
