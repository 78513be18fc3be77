//! OAuth 2.0 for a terminal: the device authorization grant (RFC 8628, as Google serves it for
//! YouTube and Business Profile) and refreshing an access token. The token set is what kith keeps as the account's
//! secret (0600): the client it was issued to, so the engine can refresh it on its own.

use super::http::{Http, Retry};
use super::{ConnectorError, Result};
use crate::domain::Timestamp;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The scope kith asks for on YouTube: reading, answering and moderating the channel's comments.
pub const YOUTUBE_SCOPE: &str = "https://www.googleapis.com/auth/youtube.force-ssl";
/// The scope kith asks for on Google Business Profile: reading and answering reviews.
pub const BUSINESS_SCOPE: &str = "https://www.googleapis.com/auth/business.manage";

/// An OAuth client: the id and secret of the Google Cloud project's "TV and limited input"
/// client. Never printed (`Debug` hides the secret).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub id: String,
    pub secret: String,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Client({}, …)", self.id)
    }
}

/// What the token endpoint gave, with the client it was given to.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSet {
    pub client: Client,
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// When the access token stops working (ms since the epoch).
    pub expires_at: i64,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "TokenSet({:?}, expires {})",
            self.client, self.expires_at
        )
    }
}

impl TokenSet {
    /// True when the access token has less than a minute left.
    pub fn expiring(&self, now: Timestamp) -> bool {
        self.expires_at - now.0 < 60_000
    }
}

/// The first answer of a device flow: what the person must do, and how to ask whether they did.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DeviceCode {
    pub device_code: String,
    pub user_code: String,
    /// Google says `verification_url`; RFC 8628 `verification_uri`.
    #[serde(alias = "verification_uri")]
    pub verification_url: String,
    pub expires_in: u64,
    #[serde(default = "five")]
    pub interval: u64,
}

fn five() -> u64 {
    5
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<i64>,
}

#[derive(Deserialize)]
struct ErrorAnswer {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// Where one poll of the token endpoint left the flow.
#[derive(Debug)]
pub enum Poll {
    Done(TokenSet),
    /// Not yet: ask again after this long (longer after `slow_down`).
    Wait(Duration),
}

fn endpoint(auth_url: &str, path: &str) -> String {
    format!("{}/{path}", auth_url.trim_end_matches('/'))
}

/// Step 1: asks for a device code and the code the person types at the verification address,
/// for access to `scope`.
pub async fn device_code(
    http: &Http,
    auth_url: &str,
    client: &Client,
    scope: &str,
) -> Result<DeviceCode> {
    let url = endpoint(auth_url, "device/code");
    let form = [("client_id", client.id.as_str()), ("scope", scope)];
    let resp = http
        .send(|c| c.post(url.as_str()).form(&form), Retry::Safe)
        .await?;
    if !resp.is_success() {
        return Err(token_error(&resp.body, resp.status));
    }
    resp.json()
}

/// Step 2, repeated every `interval` seconds: has the person allowed kith yet?
pub async fn poll(
    http: &Http,
    auth_url: &str,
    client: &Client,
    code: &DeviceCode,
    interval: Duration,
    now: Timestamp,
) -> Result<Poll> {
    let url = endpoint(auth_url, "token");
    let form = [
        ("client_id", client.id.as_str()),
        ("client_secret", client.secret.as_str()),
        ("device_code", code.device_code.as_str()),
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
    ];
    let resp = http
        .send(|c| c.post(url.as_str()).form(&form), Retry::Safe)
        .await?;
    if resp.is_success() {
        return tokens(&resp.body, client, None, now).map(Poll::Done);
    }
    match serde_json::from_slice::<ErrorAnswer>(&resp.body) {
        Ok(e) if e.error == "authorization_pending" => Ok(Poll::Wait(interval)),
        Ok(e) if e.error == "slow_down" => Ok(Poll::Wait(interval + Duration::from_secs(5))),
        _ => Err(token_error(&resp.body, resp.status)),
    }
}

/// A new access token for `set` (its refresh token kept when the answer has none).
pub async fn refresh(
    http: &Http,
    auth_url: &str,
    set: &TokenSet,
    now: Timestamp,
) -> Result<TokenSet> {
    let Some(refresh) = set.refresh_token.as_deref() else {
        return Err(ConnectorError::Auth(
            "the access token expired and there is no refresh token: connect the account again"
                .into(),
        ));
    };
    let url = endpoint(auth_url, "token");
    let form = [
        ("client_id", set.client.id.as_str()),
        ("client_secret", set.client.secret.as_str()),
        ("refresh_token", refresh),
        ("grant_type", "refresh_token"),
    ];
    let resp = http
        .send(|c| c.post(url.as_str()).form(&form), Retry::Safe)
        .await?;
    if !resp.is_success() {
        return Err(token_error(&resp.body, resp.status));
    }
    tokens(&resp.body, &set.client, Some(refresh), now)
}

fn tokens(body: &[u8], client: &Client, refresh: Option<&str>, now: Timestamp) -> Result<TokenSet> {
    let t: TokenAnswer = serde_json::from_slice(body)
        .map_err(|e| ConnectorError::Malformed(format!("OAuth token answer: {e}")))?;
    Ok(TokenSet {
        client: client.clone(),
        access_token: t.access_token,
        refresh_token: t.refresh_token.or(refresh.map(String::from)),
        expires_at: now.0 + t.expires_in.unwrap_or(3600).clamp(60, 86_400 * 30) * 1000,
    })
}

/// The OAuth server's error as kith's: a refused or expired grant needs a person (`Auth`).
fn token_error(body: &[u8], status: u16) -> ConnectorError {
    match serde_json::from_slice::<ErrorAnswer>(body) {
        Ok(e) => {
            let msg = match e.error_description {
                Some(d) => format!("OAuth: {}: {d}", e.error),
                None => format!("OAuth: {}", e.error),
            };
            match e.error.as_str() {
                "access_denied"
                | "expired_token"
                | "invalid_grant"
                | "invalid_client"
                | "unauthorized_client" => ConnectorError::Auth(msg),
                _ => ConnectorError::Refused(msg),
            }
        }
        Err(_) => ConnectorError::Refused(format!("OAuth: HTTP {status}")),
    }
}
