//! `kith account add youtube|google` without a token: OAuth's device flow in the terminal. kith prints
//! the address and the code, waits while the person allows it in a browser (on any device),
//! and hands the token set to the engine to keep (0600); the engine refreshes it from then on.

use crate::connectors::http::{Http, Timeouts};
use crate::connectors::oauth::{self, Client, Poll};
use crate::connectors::secrets::Secret;
use crate::domain::{Platform, Timestamp};
use crate::i18n::{t, tf};
use anyhow::{bail, Result};
use std::io::Write;
use std::time::Duration;

/// The OAuth client from the environment, else from the config's `[youtube]` (one Google
/// Cloud client serves YouTube and Business Profile alike). Google accounts look at
/// `KITH_GOOGLE_CLIENT_*` first.
fn client(platform: Platform, settings: &crate::config::Settings) -> Result<Client> {
    let from_env = |var: &str| std::env::var(var).ok().filter(|v| !v.trim().is_empty());
    let google = platform == Platform::Google;
    let pick = |name: &str| {
        google
            .then(|| from_env(&format!("KITH_GOOGLE_CLIENT_{name}")))
            .flatten()
            .or_else(|| from_env(&format!("KITH_YOUTUBE_CLIENT_{name}")))
    };
    let id = pick("ID").unwrap_or_else(|| settings.file.youtube.client_id.clone());
    let secret = pick("SECRET").unwrap_or_else(|| settings.file.youtube.client_secret.clone());
    if id.trim().is_empty() || secret.trim().is_empty() {
        bail!(t(if google {
            "google.client"
        } else {
            "err.youtube_client"
        }));
    }
    Ok(Client {
        id: id.trim().to_string(),
        secret: secret.trim().to_string(),
    })
}

/// Runs the device flow against `auth_url` for the platform's scope and returns the token set
/// to keep.
pub async fn device_flow(
    auth_url: &str,
    platform: Platform,
    settings: &crate::config::Settings,
    out: &mut impl Write,
) -> Result<Secret> {
    let client = client(platform, settings)?;
    let scope = if platform == Platform::Google {
        oauth::BUSINESS_SCOPE
    } else {
        oauth::YOUTUBE_SCOPE
    };
    let http = Http::new(Timeouts::default(), vec![client.secret.clone()])?;
    let code = oauth::device_code(&http, auth_url, &client, scope).await?;
    let safe = |s: &str| crate::text::sanitize_line(s, 200).text;
    writeln!(
        out,
        "{}",
        tf(
            "cli.oauth_open",
            &[
                ("url", &safe(&code.verification_url)),
                ("code", &safe(&code.user_code)),
                ("mins", &code.expires_in.div_ceil(60)),
            ]
        )
    )?;
    out.flush()?;
    let deadline = Timestamp::now().0 + code.expires_in as i64 * 1000;
    let mut interval = Duration::from_secs(code.interval.clamp(1, 60));
    loop {
        tokio::time::sleep(interval).await;
        if Timestamp::now().0 > deadline {
            bail!(t("err.oauth_expired"));
        }
        match oauth::poll(&http, auth_url, &client, &code, interval, Timestamp::now()).await? {
            Poll::Done(set) => {
                writeln!(out, "{}", t("cli.oauth_done"))?;
                return Ok(Secret(serde_json::to_string(&set)?));
            }
            Poll::Wait(next) => interval = next,
        }
    }
}
