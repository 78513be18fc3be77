//! Telegram Bot API connector: the struct, its Bot API call plumbing and the `Connector` impl,
//! which hands each call to the module for that concern.
//!
//! - Pull (`pull.rs`, `parse.rs`): `getUpdates` with an offset (the cursor is the next offset); DMs to the bot, comments in
//!   the channel's discussion group (replies to the auto-forwarded channel post, or messages in its
//!   comment thread), group messages that mention or answer the bot; reactions as member activity.
//! - No history or thread API exists: threads are rebuilt from stored messages (`thread` returns
//!   nothing). Native ids are `chat:message` because message ids are per chat.
//! - Reply (`write.rs`) with `sendMessage` + `reply_parameters`; Telegram has no idempotency key, so a send is
//!   never retried on a network error (a timeout may mean it was delivered).
//! - Publish (`write.rs`): `sendMessage` to the account's first configured chat (the channel), thread parts as
//!   replies to the previous part; with pictures (`media.rs`) `sendPhoto`, `sendAnimation` or
//!   `sendMediaGroup`, the files in the request itself (`uploads_first` is false). Never retried after the request may have left, and `lookup`
//!   cannot help (a bot cannot read a channel's history): an unknown outcome goes to a human.
//! - The token is part of every URL: URLs never reach an error (reqwest's are stripped, and every
//!   message is redacted).
//! - Moderation (`moderate.rs`): a like is a 👍 reaction; delete removes the message.

mod media;
mod moderate;
mod parse;
mod pull;
mod write;

use super::http::{Http, RateInfo, Retry};
use super::json_scan;
use super::{
    AccountConfig, Connector, ConnectorError, FetchPage, Identity, Lookup, Outgoing, RemoteAction,
    Result, Sent,
};
use crate::domain::{Item, NewItem, Platform, Timestamp};
use futures::future::BoxFuture;
use serde_json::{json, Value};
use tokio::sync::OnceCell;

pub struct Telegram {
    cfg: AccountConfig,
    token: String,
    http: Http,
    bot: OnceCell<Bot>,
}

#[derive(Debug, Clone)]
struct Bot {
    id: i64,
    username: Option<String>,
}

fn native(chat: i64, message: i64) -> String {
    format!("{chat}:{message}")
}

/// `chat:message` back into its parts.
fn split_native(id: &str) -> Result<(i64, i64)> {
    let (c, m) = id
        .rsplit_once(':')
        .ok_or_else(|| ConnectorError::Refused(format!("not a Telegram message id: {id}")))?;
    match (c.parse(), m.parse()) {
        (Ok(c), Ok(m)) => Ok((c, m)),
        _ => Err(ConnectorError::Refused(format!(
            "not a Telegram message id: {id}"
        ))),
    }
}

impl Telegram {
    pub fn new(cfg: &AccountConfig, token: String, http: Http) -> Self {
        Telegram {
            cfg: cfg.clone(),
            token,
            http,
            bot: OnceCell::new(),
        }
    }

    fn url(&self, method: &str) -> String {
        format!("{}/bot{}/{method}", self.cfg.base(), self.token)
    }

    /// Calls a method with a JSON body; returns the raw `result` bytes' owner (the response) after
    /// checking `ok`. Errors carry Telegram's `description`, redacted.
    async fn call_raw(&self, method: &str, body: &Value, retry: Retry) -> Result<Vec<u8>> {
        let url = self.url(method);
        let resp = self
            .http
            .send(|c| c.post(url.as_str()).json(body), retry)
            .await?;
        self.answer(method, &resp)
    }

    /// Calls a method with a multipart body (files), made afresh by `form` for each attempt.
    async fn call_form(
        &self,
        method: &str,
        form: impl Fn() -> reqwest::multipart::Form,
        bytes: usize,
        retry: Retry,
    ) -> Result<Value> {
        let url = self.url(method);
        let timeout = self.http.upload_timeout(bytes);
        let resp = self
            .http
            .send(
                |c| c.post(url.as_str()).timeout(timeout).multipart(form()),
                retry,
            )
            .await?;
        let raw = self.answer(method, &resp)?;
        serde_json::from_slice(&raw)
            .map_err(|e| ConnectorError::Malformed(format!("{method}: {e}")))
    }

    /// A Bot API answer's `result` after checking `ok`; Telegram's `description` otherwise.
    fn answer(&self, method: &str, resp: &super::http::Response) -> Result<Vec<u8>> {
        let fields = json_scan::object_fields(&resp.body).map_err(|e| {
            ConnectorError::Malformed(format!(
                "{method}: not a Bot API answer (HTTP {}): {}",
                resp.status, e.0
            ))
        })?;
        let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| *v);
        if get("ok") == Some(b"true".as_slice()) {
            return Ok(get("result").unwrap_or(b"null").to_vec());
        }
        let desc = get("description")
            .and_then(|d| serde_json::from_slice::<String>(d).ok())
            .unwrap_or_else(|| format!("HTTP {}", resp.status));
        let code = get("error_code")
            .and_then(|c| std::str::from_utf8(c).ok()?.trim().parse::<u16>().ok())
            .unwrap_or(resp.status);
        let msg = self.http.redact(&format!("{method}: {desc}"));
        Err(match code {
            401 | 404 if method == "getMe" || code == 401 => ConnectorError::Auth(msg),
            409 => ConnectorError::Refused(format!(
                "{msg} (another program is polling this bot, or a webhook is set: remove it with deleteWebhook)"
            )),
            _ => ConnectorError::Refused(msg),
        })
    }

    async fn call(&self, method: &str, body: &Value, retry: Retry) -> Result<Value> {
        let raw = self.call_raw(method, body, retry).await?;
        serde_json::from_slice(&raw)
            .map_err(|e| ConnectorError::Malformed(format!("{method}: {e}")))
    }

    async fn bot(&self) -> Result<&Bot> {
        self.bot
            .get_or_try_init(|| async {
                let me = self.call("getMe", &json!({}), Retry::Safe).await?;
                let id = me
                    .get("id")
                    .and_then(|v| v.as_i64())
                    .ok_or_else(|| ConnectorError::Malformed("getMe: no bot id".into()))?;
                Ok(Bot {
                    id,
                    username: me
                        .get("username")
                        .and_then(|v| v.as_str())
                        .map(String::from),
                })
            })
            .await
    }

    fn watched(&self, chat: i64) -> bool {
        self.cfg.chats.is_empty() || self.cfg.chats.contains(&chat)
    }
}

impl Connector for Telegram {
    fn platform(&self) -> Platform {
        Platform::Telegram
    }

    fn rate_info(&self) -> RateInfo {
        self.http.rate()
    }

    /// `getUpdates` with an offset confirms every update below it; Telegram deletes them.
    fn fetch_confirms(&self) -> bool {
        true
    }

    fn whoami(&self) -> BoxFuture<'_, Result<Identity>> {
        Box::pin(async move {
            let me = self.call("getMe", &json!({}), Retry::Safe).await?;
            let id = me
                .get("id")
                .and_then(|v| v.as_i64())
                .ok_or_else(|| ConnectorError::Malformed("getMe: no bot id".into()))?;
            let username = me.get("username").and_then(|v| v.as_str());
            Ok(Identity {
                id: id.to_string(),
                handle: username
                    .map(|u| format!("@{u}"))
                    .unwrap_or_else(|| id.to_string()),
                name: me
                    .get("first_name")
                    .and_then(|v| v.as_str())
                    .map(String::from),
                abilities: Vec::new(),
            })
        })
    }

    fn fetch<'a>(&'a self, cursor: Option<&'a str>) -> BoxFuture<'a, Result<FetchPage>> {
        Box::pin(self.fetch_page(cursor))
    }

    fn thread<'a>(&'a self, _item: &'a Item) -> BoxFuture<'a, Result<Vec<NewItem>>> {
        // The Bot API has no history: threads are rebuilt from stored messages.
        Box::pin(async { Ok(Vec::new()) })
    }

    fn reply<'a>(
        &'a self,
        item: &'a Item,
        text: &'a str,
        _idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(self.send_reply(item, text))
    }

    fn publish<'a>(&'a self, post: &'a Outgoing) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(self.publish_post(post))
    }

    /// Pictures travel in the publishing request itself (`sendPhoto`, `sendMediaGroup`).
    fn uploads_first(&self) -> bool {
        false
    }

    /// A bot cannot read a channel's history, so whether an earlier attempt went out cannot be
    /// checked: a human decides.
    fn lookup<'a>(&'a self, post: &'a Outgoing, since: Timestamp) -> BoxFuture<'a, Result<Lookup>> {
        let _ = (post, since);
        Box::pin(async { Ok(Lookup::Unknowable) })
    }

    fn act<'a>(&'a self, item: &'a Item, action: RemoteAction) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.do_act(item, action))
    }
}
