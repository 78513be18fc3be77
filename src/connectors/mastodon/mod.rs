//! Mastodon connector (REST API v1/v2, Bearer token): the struct, its HTTP plumbing and the
//! `Connector` impl, which hands each call to the module for that concern.
//!
//! - Inbox (`pull.rs`, `parse.rs`): `GET /api/v1/notifications` filtered to mentions, quotes,
//!   favourites, reblogs and follows. Mentions and quotes become items; the rest is member
//!   activity (or items when the account asks for `activity_items`).
//! - Paging is by *notification* id (never the status id, Mastodon.py#270), read from the `Link`
//!   header with the page's own ids as fallback, because an empty page may have no `Link` at all
//!   (mastodon#25495). Each forward poll reads again the last few ids it handled (`cursor.rs`),
//!   and asks for notifications the account's policy filters (`include_filtered`).
//! - Each notification is parsed on its own (`map_notification` in `parse.rs`), so one broken element is quarantined
//!   and the rest of the page is kept.
//! - Threads (`thread.rs`), writes and lookups (`write.rs`), moderation (`moderate.rs`),
//!   pictures uploaded ahead of a post (`media.rs`).

mod cursor;
mod html;
mod media;
mod moderate;
mod parse;
mod pull;
mod thread;
mod write;

pub use html::to_text as html_to_text;

use super::http::{Http, Response, Retry};
use super::{
    AccountConfig, Connector, ConnectorError, FetchPage, Identity, Lookup, Outgoing, RemoteAction,
    Result, Sent,
};
use crate::domain::media::Picture;
use crate::domain::{Item, NewItem, Platform, Timestamp};
use futures::future::BoxFuture;
use parse::Account;
use tokio::sync::OnceCell;

/// Prefix of the native id of an activity stored as an item: notification ids and status ids
/// are different id spaces, so they must not share a key in the store.
const NOTIFICATION_PREFIX: &str = "notification:";
/// Prefix of the native id of a post Mastodon holds for later (a ScheduledStatus, not a status
/// yet: its id is in yet another id space).
pub const SCHEDULED_PREFIX: &str = "scheduled:";

pub struct Mastodon {
    cfg: AccountConfig,
    token: String,
    http: Http,
    /// Our own account id: marks our statuses `ours` and tells replies from mentions.
    me: OnceCell<String>,
    /// The instance's status length limit, once read.
    limit: OnceCell<usize>,
    /// Between two looks at a picture the server is still processing, and how many looks.
    media_wait: (std::time::Duration, u32),
}

impl Mastodon {
    pub fn new(cfg: &AccountConfig, secret: String, http: Http) -> Self {
        Mastodon {
            cfg: cfg.clone(),
            token: secret,
            http,
            me: OnceCell::new(),
            limit: OnceCell::new(),
            media_wait: (media::POLL_DELAY, media::POLL_TRIES),
        }
    }

    /// Waits `delay` between two looks at an uploaded picture still being processed, and gives
    /// up (to try again later) after `tries` looks.
    pub fn with_media_wait(mut self, delay: std::time::Duration, tries: u32) -> Self {
        self.media_wait = (delay, tries);
        self
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.cfg.base(), path)
    }

    /// 401 → `Auth`, other 4xx → `Refused`, with the platform's message redacted.
    fn checked(&self, resp: Response) -> Result<Response> {
        resp.check().map_err(|e| match e {
            ConnectorError::Auth(m) => ConnectorError::Auth(self.http.redact(&m)),
            ConnectorError::Refused(m) => ConnectorError::Refused(self.http.redact(&m)),
            other => other,
        })
    }

    async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Response> {
        let url = self.url(path);
        let resp = self
            .http
            .send(
                |c| c.get(&url).bearer_auth(&self.token).query(query),
                Retry::Safe,
            )
            .await?;
        self.checked(resp)
    }

    /// A POST without a body. Only used for actions the server treats as idempotent
    /// (favourite, mute, dismiss: doing them twice leaves the same state), so retrying is safe.
    async fn post_idempotent(&self, path: &str) -> Result<Response> {
        let url = self.url(path);
        let resp = self
            .http
            .send(|c| c.post(&url).bearer_auth(&self.token), Retry::Safe)
            .await?;
        self.checked(resp)
    }

    /// Our account id: cached, else from the stored cursor, else `verify_credentials`.
    async fn my_id(&self, hint: Option<&str>) -> Result<String> {
        if let Some(id) = self.me.get() {
            return Ok(id.clone());
        }
        if let Some(h) = hint.filter(|h| !h.is_empty()) {
            let _ = self.me.set(h.to_string());
            return Ok(h.to_string());
        }
        Ok(self.identity().await?.id)
    }

    async fn identity(&self) -> Result<Identity> {
        let resp = self.get("/api/v1/accounts/verify_credentials", &[]).await?;
        let acc: Account = resp.json()?;
        let handle = acc
            .acct
            .clone()
            .or(acc.username.clone())
            .unwrap_or_default();
        let _ = self.me.set(acc.id.clone());
        Ok(Identity {
            id: acc.id,
            handle,
            name: acc.display_name.filter(|n| !n.is_empty()),
            abilities: Vec::new(),
        })
    }

    async fn instance_limit(&self) -> Result<usize> {
        if let Some(n) = self.limit.get() {
            return Ok(*n);
        }
        let default = Platform::Mastodon.capabilities().text_limit;
        let resp = match self.get("/api/v2/instance", &[]).await {
            Ok(r) => r,
            // Servers before Mastodon 4.0 have no v2 instance endpoint: use the default.
            Err(ConnectorError::Refused(_)) => return Ok(default),
            Err(e) => return Err(e),
        };
        let v: serde_json::Value = resp.json()?;
        let n = v
            .pointer("/configuration/statuses/max_characters")
            .and_then(|x| x.as_u64())
            .and_then(|x| usize::try_from(x).ok())
            .filter(|&x| x > 0)
            .unwrap_or(default);
        let _ = self.limit.set(n);
        Ok(n)
    }
}

/// The status id behind an item, or `None` for an activity stored as an item.
fn status_id(item: &Item) -> Option<&str> {
    if item.native_id.starts_with(NOTIFICATION_PREFIX) || item.native_id.is_empty() {
        None
    } else {
        Some(&item.native_id)
    }
}

/// Percent-encodes an id for one path segment (ids are opaque; never let one add a path or,
/// as `.`/`..`, climb out of it).
fn enc(id: &str) -> String {
    if id.chars().all(|c| c == '.') {
        return id.replace('.', "%252E");
    }
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

/// An id that may be a JSON string or number (forks differ); `None` for null or missing.
fn json_id(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Connector for Mastodon {
    fn platform(&self) -> Platform {
        Platform::Mastodon
    }
    fn rate_info(&self) -> super::http::RateInfo {
        self.http.rate()
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
    fn text_limit(&self) -> BoxFuture<'_, Result<usize>> {
        Box::pin(self.instance_limit())
    }
    fn publish<'a>(&'a self, post: &'a Outgoing) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(self.send_post(post))
    }
    fn upload<'a>(&'a self, picture: &'a Picture) -> BoxFuture<'a, Result<String>> {
        Box::pin(self.upload_picture(picture))
    }
    fn lookup<'a>(&'a self, post: &'a Outgoing, since: Timestamp) -> BoxFuture<'a, Result<Lookup>> {
        Box::pin(self.find_post(post, since))
    }
    fn reschedule<'a>(
        &'a self,
        remote_id: &'a str,
        at: Option<Timestamp>,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.move_scheduled(remote_id, at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_encoded_as_one_segment() {
        assert_eq!(enc("123"), "123");
        assert_eq!(enc("../x?y"), "..%2Fx%3Fy");
        assert_eq!(enc(".."), "%252E%252E");
    }
}
