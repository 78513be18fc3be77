//! Google Business Profile reviews connector (My Business API v4): the struct, its OAuth and
//! call plumbing and the `Connector` impl, which hands each call to the module for that concern.
//!
//! - Auth (`connectors::bearer`): a bare access token or the token set the device flow kept
//!   (scope `business.manage`), refreshed before it expires and once on a 401; the refreshed
//!   set is kept 0600 under `data_dir/google/`.
//! - Errors (here): Google's `{"error":{"code","message","status"}}`. 429 `RESOURCE_EXHAUSTED`
//!   waits (the HTTP client reads `Retry-After`), 401 after a refresh needs a person, the rest
//!   is refused with Google's message.
//! - Pull (`pull.rs`, `parse.rs`, `cursor.rs`): every location's reviews by `updateTime`;
//!   edits come back as edits, our existing answers as ours.
//! - Replies (`write.rs`): `PUT {review}/reply` creates or replaces the one answer a review
//!   has, so it is safe to repeat; `DELETE` removes it. Owners cannot hide, like or delete a
//!   review.
//! - `whoami`: v4 has no call for the account itself; each location's first review page gives
//!   its average and count, which is what `kith account test` shows.

mod cursor;
mod parse;
mod pull;
mod write;

use super::bearer::Bearer;
use super::http::{Http, Response, Retry};
use super::secrets::SessionFile;
use super::{
    AccountConfig, Connector, ConnectorError, FetchPage, Identity, RemoteAction, Result, Sent,
};
use crate::domain::{Item, NewItem, Platform};
use crate::i18n::ph;
use futures::future::BoxFuture;
use serde::Deserialize;
use std::path::Path;
use std::sync::RwLock;
use std::time::Duration;

/// How long a `RESOURCE_EXHAUSTED` that came without a 429 holds requests back.
const SHORT_WAIT: Duration = Duration::from_secs(60);

pub struct Google {
    cfg: AccountConfig,
    /// Clones share the rate state; replaced when a refreshed token joins the redaction list.
    http: RwLock<Http>,
    bearer: Bearer,
}

impl Google {
    /// `secret` is a bare access token or the JSON token set the device flow kept; refreshed
    /// tokens live under `data_dir`.
    pub fn new(cfg: &AccountConfig, secret: String, http: Http, data_dir: &Path) -> Google {
        let hex: String = cfg.name.bytes().map(|b| format!("{b:02x}")).collect();
        let file = SessionFile::at(data_dir.join("google").join(format!("{hex}.token.json")));
        let auth = cfg
            .auth_url
            .as_deref()
            .unwrap_or(AccountConfig::GOOGLE_AUTH_URL);
        let mut http = http;
        let bearer = Bearer::new(&secret, file, auth, "google", &mut http);
        Google {
            cfg: cfg.clone(),
            http: RwLock::new(http),
            bearer,
        }
    }

    fn http(&self) -> Result<Http> {
        self.http
            .read()
            .map(|h| h.clone())
            .map_err(|_| ConnectorError::Network("google: client state poisoned".into()))
    }

    /// Our account id, as our answers' author.
    fn me(&self) -> String {
        format!(
            "accounts/{}",
            self.cfg.google_account.as_deref().unwrap_or("")
        )
    }

    /// `accounts/{a}/locations/{l}/reviews`.
    fn reviews_path(&self, location: &str) -> String {
        format!("{}/locations/{location}/reviews", self.me())
    }

    /// `{base}/v4/{path}`, each part of `path` escaped on its own (Google's names hold
    /// slashes that are separators, never data).
    fn url(&self, path: &str) -> Result<url::Url> {
        let bad =
            || ConnectorError::Refused(format!("google: bad base URL {:?}", self.cfg.base_url));
        let mut u = url::Url::parse(self.cfg.base()).map_err(|_| bad())?;
        {
            let mut segs = u.path_segments_mut().map_err(|_| bad())?;
            segs.pop_if_empty().push("v4");
            segs.extend(path.split('/').filter(|s| !s.is_empty()));
        }
        Ok(u)
    }

    /// One API call: bearer token fresh, refreshed once on a 401, Google's error body turned
    /// into ours.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
        retry: Retry,
    ) -> Result<Response> {
        let url = self.url(path)?;
        let mut stale: Option<String> = None;
        loop {
            let token = self.bearer.access(&self.http, stale.as_deref()).await?;
            let http = self.http()?;
            let resp = http
                .send(
                    |c| {
                        let r = c
                            .request(method.clone(), url.clone())
                            .bearer_auth(&token)
                            .query(query);
                        match body {
                            Some(b) => r.json(b),
                            None => r,
                        }
                    },
                    retry,
                )
                .await?;
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
        self.call(reqwest::Method::GET, path, query, None, Retry::Safe)
            .await
    }

    /// Google's error body as kith's error, redacted.
    fn google_error(&self, resp: &Response) -> ConnectorError {
        #[derive(Deserialize, Default)]
        struct Inner {
            #[serde(default)]
            message: String,
            #[serde(default)]
            status: String,
        }
        #[derive(Deserialize)]
        struct Body {
            error: Inner,
        }
        let inner = serde_json::from_slice::<Body>(&resp.body)
            .map(|b| b.error)
            .unwrap_or_default();
        let msg = match (inner.status.is_empty(), inner.message.is_empty()) {
            (true, true) => format!("google: HTTP {}", resp.status),
            (true, false) => format!("google: {}", inner.message),
            (false, true) => format!("google: {}", inner.status),
            (false, false) => format!("google: {}: {}", inner.status, inner.message),
        };
        let msg: String = msg.chars().take(300).collect();
        let msg = self.http().map(|h| h.redact(&msg)).unwrap_or_default();
        match (resp.status, inner.status.as_str()) {
            (_, "RESOURCE_EXHAUSTED") => ConnectorError::RateLimited { wait: SHORT_WAIT },
            (401, _) | (_, "UNAUTHENTICATED") => ConnectorError::Auth(msg),
            _ => ConnectorError::Refused(msg),
        }
    }

    /// The account id, and each location's average and review count (one review read).
    async fn identity(&self) -> Result<Identity> {
        let account = self.cfg.google_account.clone().unwrap_or_default();
        let mut abilities = Vec::new();
        for loc in &self.cfg.locations {
            let q = [("pageSize", "1".to_string())];
            let resp = self.get(&self.reviews_path(loc), &q).await?;
            let l = parse::list(&resp.body)?;
            abilities.push(ph(
                "google.ability_location",
                &[
                    ("location", loc),
                    ("rating", &format!("{:.1}", l.average.unwrap_or(0.0))),
                    ("count", &l.total.unwrap_or(0)),
                ],
            ));
        }
        Ok(Identity {
            id: account.clone(),
            handle: format!("accounts/{account}"),
            name: None,
            abilities,
        })
    }
}

impl Connector for Google {
    fn platform(&self) -> Platform {
        Platform::Google
    }
    fn rate_info(&self) -> super::http::RateInfo {
        self.http().map(|h| h.rate()).unwrap_or_default()
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
        let _ = key;
        Box::pin(self.send_reply(item, text))
    }
    fn act<'a>(&'a self, item: &'a Item, action: RemoteAction) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.do_act(item, action))
    }
}

/// The review an item belongs to: an edit's and our answer's root, else the item itself.
fn review_of(item: &Item) -> String {
    let n = item.root_native_id.as_deref().unwrap_or(&item.native_id);
    n.split('@').next().unwrap_or(n).to_string()
}
