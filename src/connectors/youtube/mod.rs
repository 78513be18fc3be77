//! YouTube Data API v3 connector: the struct, its OAuth and call plumbing and the `Connector`
//! impl, which hands each call to the module for that concern.
//!
//! - Auth (here): the secret is a bare access token or the token set the device flow kept. A
//!   token set is refreshed a minute before it expires (and once on a 401); the refreshed set
//!   is kept 0600 under `data_dir/youtube/` and preferred over the secret when newer.
//! - Errors (here): Google's `{"error":{"errors":[{"reason"}]}}`. `quotaExceeded` waits until
//!   Pacific midnight (`pacific.rs`), `rateLimitExceeded` a minute; the rest is refused with its
//!   reason.
//! - Quota (`quota.rs`): units counted per project per Pacific day; polls spread over the day.
//! - Pull (`pull.rs`, `parse.rs`, `cursor.rs`): comment threads of the whole channel, in three
//!   passes (published, held for review, likely spam), and every reply of threads whose
//!   embedded replies are only a part of them.
//! - Replies (`write.rs`): YouTube has no idempotency, so an insert whose outcome is unknown is
//!   only tried again after the thread's replies show it did not go out.
//! - Moderation (`moderate.rs`): `setModerationStatus`; no likes, no deleting others' comments.

mod cursor;
mod moderate;
pub mod pacific;
mod parse;
mod pull;
pub mod quota;
mod write;

use super::bearer::Bearer;
use super::http::{Http, RateInfo, Response, Retry};
use super::secrets::SessionFile;
use super::{
    AccountConfig, Connector, ConnectorError, FetchPage, Identity, RemoteAction, Result, Sent,
};
use crate::domain::{Item, NewItem, Platform, Timestamp};
use futures::future::BoxFuture;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Duration;
use tokio::sync::OnceCell;

/// How long `rateLimitExceeded` (too many requests in a short time) holds requests back.
const SHORT_WAIT: Duration = Duration::from_secs(60);

/// A reply whose insert may or may not have gone out, by idempotency key.
#[derive(Debug, Clone)]
struct Unsure {
    parent: String,
    text: String,
    since: Timestamp,
}

pub struct Youtube {
    cfg: AccountConfig,
    /// Clones share the rate state; replaced when a refreshed token joins the redaction list.
    http: RwLock<Http>,
    token: Bearer,
    ledger: quota::Ledger,
    /// Our channel: from the account, else asked once (`channels?mine=true`).
    me: OnceCell<String>,
    /// Replies whose outcome is unknown: a later attempt with the same key looks first.
    unsure: Mutex<HashMap<String, Unsure>>,
    /// Quota units this connector has spent (a sync pass's cost is the difference).
    spent: AtomicU64,
}

impl Youtube {
    /// `secret` is a bare access token or the JSON token set the device flow kept; refreshed
    /// tokens and the quota ledger live under `data_dir`.
    pub fn new(cfg: &AccountConfig, secret: String, http: Http, data_dir: &Path) -> Youtube {
        let hex: String = cfg.name.bytes().map(|b| format!("{b:02x}")).collect();
        let token_file =
            SessionFile::at(data_dir.join("youtube").join(format!("{hex}.token.json")));
        let mut http = http;
        let token = Bearer::new(&secret, token_file, &auth_url(cfg), "youtube", &mut http);
        let project = token
            .client_id()
            .map(String::from)
            .unwrap_or_else(|| format!("account:{}", cfg.name));
        let me = OnceCell::new();
        if let Some(ch) = cfg.channel_id.clone().filter(|c| !c.is_empty()) {
            let _ = me.set(ch);
        }
        Youtube {
            cfg: cfg.clone(),
            http: RwLock::new(http),
            token,
            ledger: quota::Ledger::new(data_dir, &project),
            me,
            unsure: Mutex::new(HashMap::new()),
            spent: AtomicU64::new(0),
        }
    }

    fn http(&self) -> Result<Http> {
        self.http
            .read()
            .map(|h| h.clone())
            .map_err(|_| ConnectorError::Network("youtube: client state poisoned".into()))
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}/youtube/v3/{}",
            self.cfg.base(),
            path.trim_start_matches('/')
        )
    }

    /// The access token to send now (see `Bearer::access`).
    async fn access(&self, stale: Option<&str>) -> Result<String> {
        self.token.access(&self.http, stale).await
    }

    /// One API call: quota checked and counted, bearer token fresh, refreshed once on a 401,
    /// Google's error body turned into ours.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
        retry: Retry,
        cost: u64,
    ) -> Result<Response> {
        if let Some(wait) = self.ledger.blocked(Timestamp::now()) {
            return Err(ConnectorError::RateLimited { wait });
        }
        let url = self.url(path);
        let mut stale: Option<String> = None;
        loop {
            let token = self.access(stale.as_deref()).await?;
            let http = self.http()?;
            let sent = http
                .send(
                    |c| {
                        let r = c
                            .request(method.clone(), url.as_str())
                            .bearer_auth(&token)
                            .query(query);
                        match body {
                            Some(b) => r.json(b),
                            // Google answers a POST without a length with 411.
                            None if method == reqwest::Method::POST => {
                                r.header(reqwest::header::CONTENT_LENGTH, "0")
                            }
                            None => r,
                        }
                    },
                    retry,
                )
                .await;
            // Invalid calls cost too; a request that never left costs nothing.
            if !matches!(sent, Err(ConnectorError::Unreachable(_))) {
                self.ledger.spend(cost, Timestamp::now());
                self.spent.fetch_add(cost, Ordering::Relaxed);
            }
            let resp = sent?;
            if resp.is_success() {
                return Ok(resp);
            }
            if resp.status == 401 && stale.is_none() {
                stale = Some(token);
                continue;
            }
            return Err(self.google_error(&resp));
        }
    }

    async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Response> {
        self.call(
            reqwest::Method::GET,
            path,
            query,
            None,
            Retry::Safe,
            quota::LIST,
        )
        .await
    }

    /// Google's error body as kith's error, redacted.
    fn google_error(&self, resp: &Response) -> ConnectorError {
        #[derive(Deserialize, Default)]
        struct Detail {
            #[serde(default)]
            reason: String,
        }
        #[derive(Deserialize, Default)]
        struct Inner {
            #[serde(default)]
            message: String,
            #[serde(default)]
            errors: Vec<Detail>,
        }
        #[derive(Deserialize)]
        struct Body {
            error: Inner,
        }
        let inner = serde_json::from_slice::<Body>(&resp.body)
            .map(|b| b.error)
            .unwrap_or_default();
        let reason = inner
            .errors
            .first()
            .map(|d| d.reason.clone())
            .unwrap_or_default();
        let redact = |s: String| self.http().map(|h| h.redact(&s)).unwrap_or_default();
        let msg = match (reason.is_empty(), inner.message.is_empty()) {
            (true, true) => format!("youtube: HTTP {}", resp.status),
            (true, false) => format!("youtube: {}", inner.message),
            (false, true) => format!("youtube: {reason}"),
            (false, false) => format!("youtube: {reason}: {}", inner.message),
        };
        let msg = redact(msg.chars().take(300).collect());
        match reason.as_str() {
            "quotaExceeded" | "dailyLimitExceeded" => {
                let now = Timestamp::now();
                self.ledger.exhaust(now);
                ConnectorError::RateLimited {
                    wait: quota::until_reset(now),
                }
            }
            "rateLimitExceeded" | "userRateLimitExceeded" => {
                ConnectorError::RateLimited { wait: SHORT_WAIT }
            }
            _ if resp.status == 401 => ConnectorError::Auth(msg),
            _ => ConnectorError::Refused(msg),
        }
    }

    /// Our channel id: from the account, else `channels?mine=true`.
    async fn my_channel(&self) -> Result<String> {
        self.me
            .get_or_try_init(|| async { self.identity().await.map(|i| i.id) })
            .await
            .cloned()
    }

    async fn identity(&self) -> Result<Identity> {
        let mut q = vec![("part", "snippet".to_string())];
        match self.cfg.channel_id.as_deref().filter(|c| !c.is_empty()) {
            Some(ch) => q.push(("id", ch.to_string())),
            None => q.push(("mine", "true".to_string())),
        }
        let resp = self.get("channels", &q).await?;
        let v: serde_json::Value = resp.json()?;
        let ch = v["items"].get(0).ok_or_else(|| {
            ConnectorError::Auth(
                "youtube: no channel belongs to these credentials (or the channel id is wrong)"
                    .into(),
            )
        })?;
        let id = ch["id"]
            .as_str()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ConnectorError::Malformed("youtube: channel without an id".into()))?
            .to_string();
        let custom = ch["snippet"]["customUrl"].as_str().unwrap_or_default();
        let name = ch["snippet"]["title"].as_str().map(String::from);
        let _ = self.me.set(id.clone());
        Ok(Identity {
            handle: if custom.is_empty() {
                id.clone()
            } else {
                custom.to_string()
            },
            id,
            name,
            abilities: Vec::new(),
        })
    }
}

impl Connector for Youtube {
    fn platform(&self) -> Platform {
        Platform::Youtube
    }
    fn rate_info(&self) -> RateInfo {
        self.ledger.rate_info(Timestamp::now())
    }
    fn poll_floor(&self) -> Option<Duration> {
        Some(self.ledger.poll_floor(Timestamp::now()))
    }
    fn whoami(&self) -> BoxFuture<'_, Result<Identity>> {
        Box::pin(self.identity())
    }
    fn fetch<'a>(&'a self, cursor: Option<&'a str>) -> BoxFuture<'a, Result<FetchPage>> {
        Box::pin(self.fetch_page(cursor))
    }
    fn thread<'a>(&'a self, item: &'a Item) -> BoxFuture<'a, Result<Vec<NewItem>>> {
        Box::pin(self.fetch_thread(item))
    }
    fn reply<'a>(
        &'a self,
        item: &'a Item,
        text: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(self.send_reply(item, text, key))
    }
    fn act<'a>(&'a self, item: &'a Item, action: RemoteAction) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.do_act(item, action))
    }
}

/// The account's OAuth server (Google's unless it names its own).
fn auth_url(cfg: &AccountConfig) -> String {
    cfg.auth_url
        .clone()
        .unwrap_or_else(|| AccountConfig::GOOGLE_AUTH_URL.to_string())
}

/// The top-level comment of an item's thread: YouTube threads are one level deep, so a reply's
/// thread (and where an answer to it goes) is its root.
fn top_level(item: &Item) -> String {
    match item.kind {
        crate::domain::Kind::Reply => item
            .root_native_id
            .clone()
            .or(item.parent_native_id.clone())
            .unwrap_or_else(|| item.native_id.clone()),
        _ => item.native_id.clone(),
    }
}
