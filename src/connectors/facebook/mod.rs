//! Facebook Pages connector (Graph API, version pinned): the struct, its call plumbing (Graph
//! errors by `error.code`, the usage headers) and the `Connector` impl.
//!
//! - A Page token (`pages_read_engagement`, `pages_read_user_engagement`,
//!   `pages_manage_engagement`, `pages_manage_posts`, `pages_messaging` for Messenger).
//! - Throttling is told by `error.code` (4, 17, 32, 613, 80001), never by the HTTP status: the
//!   wait is the usage header's `estimated_time_to_regain_access` when given. 190 is a dead
//!   token. Above 80 % of a usage budget every call waits a little first.
//! - Pull (`pull.rs`): the Page's feed with each post's comment count; the comments of posts
//!   whose count moved, in `stream` order (replies flattened with their `parent`), resumed from
//!   the stored `after` cursor; Messenger conversations with new messages.
//! - Writes (`write.rs`): Graph has no idempotency, so a write is never retried blindly: after
//!   an unknown outcome the connector looks for it first. Native scheduling with
//!   `scheduled_publish_time`. Moderation (`moderate.rs`): hide/unhide, delete, like.

mod moderate;
mod parse;
mod pull;
mod write;

use super::http::{Http, RateInfo, Retry};
use super::{
    AccountConfig, Connector, ConnectorError, FetchPage, Identity, Lookup, Outgoing, RemoteAction,
    Result, Sent,
};
use crate::domain::{Item, NewItem, Platform, Timestamp};
use futures::future::BoxFuture;
use serde_json::Value;
use std::time::Duration;

/// The Graph API version every call pins.
pub const GRAPH_VERSION: &str = "v23.0";

/// Above this share of a usage budget (percent) calls slow down.
const BUSY: f64 = 80.0;

pub struct Facebook {
    cfg: AccountConfig,
    page: String,
    token: String,
    http: Http,
    /// The highest usage percentage the last answer reported (slows calls down above 80).
    usage: std::sync::Mutex<f64>,
}

/// How an HTTP verb goes to Graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verb {
    Get,
    Post,
    Delete,
}

impl Facebook {
    pub fn new(cfg: &AccountConfig, token: String, http: Http) -> Facebook {
        Facebook {
            cfg: cfg.clone(),
            page: cfg.page_id.clone().unwrap_or_default(),
            token,
            http,
            usage: std::sync::Mutex::new(0.0),
        }
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}/{GRAPH_VERSION}/{}",
            self.cfg.base(),
            path.trim_start_matches('/')
        )
    }

    /// Calls Graph: `query` in the URL, `form` as the body of a POST. Returns the JSON answer.
    pub(super) async fn call(
        &self,
        verb: Verb,
        path: &str,
        query: &[(&str, String)],
        form: &[(&str, String)],
        retry: Retry,
    ) -> Result<Value> {
        let busy = self.usage.lock().map(|u| *u).unwrap_or(0.0);
        if busy >= BUSY {
            // Spread what is left of the budget instead of running into the wall.
            tokio::time::sleep(Duration::from_millis(((busy - BUSY) * 100.0) as u64)).await;
        }
        let url = self.url(path);
        let bearer = format!("Bearer {}", self.token);
        let resp = self
            .http
            .send(
                |c| {
                    let rb = match verb {
                        Verb::Get => c.get(url.as_str()),
                        Verb::Post => c.post(url.as_str()).form(form),
                        Verb::Delete => c.delete(url.as_str()),
                    };
                    rb.query(query).header("authorization", bearer.as_str())
                },
                retry,
            )
            .await?;
        let (usage, regain) = usage(&resp);
        // Only answers that carry the headers say how much is used.
        if let (Some(used), Ok(mut u)) = (usage, self.usage.lock()) {
            *u = used;
        }
        let v: Value = serde_json::from_slice(&resp.body).map_err(|e| {
            ConnectorError::Malformed(format!(
                "facebook {path}: not a Graph answer (HTTP {}): {e}",
                resp.status
            ))
        })?;
        match v.get("error") {
            None if resp.is_success() => Ok(v),
            err => Err(self.error(path, err.unwrap_or(&Value::Null), resp.status, regain)),
        }
    }

    fn error(
        &self,
        path: &str,
        err: &Value,
        status: u16,
        regain: Option<Duration>,
    ) -> ConnectorError {
        let code = err.get("code").and_then(Value::as_i64).unwrap_or(0);
        let text = err
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("unknown error");
        let msg = self.http.redact(&format!(
            "facebook {}: {text} (code {code}, HTTP {status})",
            path.split('?').next().unwrap_or(path)
        ));
        match code {
            4 | 17 | 32 | 613 | 80001 => ConnectorError::RateLimited {
                wait: regain.unwrap_or(Duration::from_secs(60)),
            },
            190 => ConnectorError::Auth(msg),
            // "An unknown error occurred" / "service temporarily unavailable": try again.
            1 | 2 => ConnectorError::Network(msg),
            _ if status == 401 => ConnectorError::Auth(msg),
            _ => ConnectorError::Refused(msg),
        }
    }

    /// The Page's name and handle, and what the token is allowed (`/me/permissions` where the
    /// token is a person's; a Page token answers with the Page itself).
    async fn identity(&self) -> Result<Identity> {
        let v = self
            .call(
                Verb::Get,
                &self.page,
                &[("fields", "id,name,username,followers_count".into())],
                &[],
                Retry::Safe,
            )
            .await?;
        let id = v
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| ConnectorError::Malformed("facebook: the Page has no id".into()))?
            .to_string();
        let name = v.get("name").and_then(Value::as_str).map(String::from);
        let handle = v
            .get("username")
            .and_then(Value::as_str)
            .map(String::from)
            .unwrap_or_else(|| id.clone());
        let mut abilities = Vec::new();
        if let Ok(p) = self
            .call(Verb::Get, "me/permissions", &[], &[], Retry::Safe)
            .await
        {
            for perm in p
                .get("data")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let (Some(name), Some("granted")) = (
                    perm.get("permission").and_then(Value::as_str),
                    perm.get("status").and_then(Value::as_str),
                ) else {
                    continue;
                };
                let key = format!("facebook.perm.{name}");
                if crate::i18n::has(&key) {
                    abilities.push(crate::i18n::ph(&key, &[]));
                }
            }
        }
        Ok(Identity {
            id,
            handle,
            name,
            abilities,
        })
    }
}

/// The usage headers: the highest percentage any budget reports (None without the headers),
/// and how long Facebook says to wait (`estimated_time_to_regain_access`, minutes) when it does.
fn usage(resp: &super::http::Response) -> (Option<f64>, Option<Duration>) {
    let mut top: Option<f64> = None;
    let mut regain = None;
    let pct = |v: &Value, top: &mut Option<f64>| {
        for k in ["call_count", "total_cputime", "total_time"] {
            if let Some(n) = v.get(k).and_then(Value::as_f64) {
                *top = Some(top.map_or(n, |t| t.max(n)));
            }
        }
    };
    if let Some(app) = resp
        .header("x-app-usage")
        .and_then(|h| serde_json::from_str::<Value>(h).ok())
    {
        pct(&app, &mut top);
    }
    if let Some(biz) = resp
        .header("x-business-use-case-usage")
        .and_then(|h| serde_json::from_str::<Value>(h).ok())
    {
        for list in biz.as_object().into_iter().flat_map(|o| o.values()) {
            for entry in list.as_array().into_iter().flatten() {
                pct(entry, &mut top);
                if let Some(m) = entry
                    .get("estimated_time_to_regain_access")
                    .and_then(Value::as_u64)
                    .filter(|m| *m > 0)
                {
                    regain = Some(Duration::from_secs(m * 60));
                }
            }
        }
    }
    (top, regain)
}

impl Connector for Facebook {
    fn platform(&self) -> Platform {
        Platform::Facebook
    }

    fn rate_info(&self) -> RateInfo {
        let used = self.usage.lock().map(|u| *u).unwrap_or(0.0);
        let mut r = self.http.rate();
        if used > 0.0 {
            r.limit = Some(100);
            r.remaining = Some((100.0 - used).max(0.0) as u64);
        }
        r
    }

    fn whoami(&self) -> BoxFuture<'_, Result<Identity>> {
        Box::pin(self.identity())
    }

    fn fetch<'a>(&'a self, cursor: Option<&'a str>) -> BoxFuture<'a, Result<FetchPage>> {
        Box::pin(self.pull_step(cursor))
    }

    fn thread<'a>(&'a self, item: &'a Item) -> BoxFuture<'a, Result<Vec<NewItem>>> {
        Box::pin(self.whole_thread(item))
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

    fn publish<'a>(&'a self, post: &'a Outgoing) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(self.publish_post(post))
    }

    fn reschedule<'a>(
        &'a self,
        remote_id: &'a str,
        at: Option<Timestamp>,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.move_scheduled(remote_id, at))
    }

    fn lookup<'a>(&'a self, post: &'a Outgoing, since: Timestamp) -> BoxFuture<'a, Result<Lookup>> {
        Box::pin(self.find_post(post, since))
    }

    fn act<'a>(&'a self, item: &'a Item, action: RemoteAction) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.do_act(item, action))
    }
}
