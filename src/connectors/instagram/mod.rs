//! Instagram connector (Instagram API with Facebook Login, through Graph): the account's
//! media and their comments (one level of replies), Direct messages where the token may read
//! them, replies, hide/unhide and delete, and posts with pictures. No likes (Instagram has no
//! endpoint for them).
//!
//! - A Page token with `instagram_basic`, `instagram_manage_comments` (and
//!   `instagram_content_publish` plus `pages_manage_posts` to publish); the account's id is the
//!   Instagram professional account's (`--ig-user-id`, kept as the account's `page_id`).
//! - Pull: `/{ig-user}/media` with each post's `comments_count`; the comments of posts whose
//!   count moved, with their replies expanded, from the stored `after` cursor; then the
//!   Page's conversations with `platform=instagram` (`instagram_manage_messages`; without it
//!   messages are off and the Accounts view says so, comments still come).
//! - Direct (`direct.rs`): answers through `/{page}/messages` (24 hours, 7 days with the
//!   `HUMAN_AGENT` tag), and the one private reply to a comment.
//! - Graph has no idempotency: a reply is sent once, and after an unknown outcome kith looks
//!   for it before a second and last try.
//! - Publishing (`publish.rs`): every picture hosted as an unpublished photo of the Page the
//!   token belongs to, a container from its address, `media_publish`; the publishing limit
//!   (`quota.rs`) is read first and shown in the Accounts view.

mod direct;
mod publish;
mod pull;
mod quota;

use super::graph::{Graph, Verb};
use super::http::{Http, RateInfo, Retry};
use super::{
    refuse_empty, AccountConfig, Connector, ConnectorError, FetchPage, Identity, Lookup, Outgoing,
    RemoteAction, Result, Sent,
};
use crate::domain::media::Picture;
use crate::domain::messaging::Delivery;
use crate::domain::{Item, Kind, NewItem, Platform, Timestamp};
use futures::future::BoxFuture;
use serde_json::Value;
use std::sync::Mutex;
use std::time::Duration;

/// Instagram cuts comments at 2,200 characters.
const COMMENT_LIMIT: usize = 2200;
/// Our earlier reply counts if published this long before the attempt began (clock skew).
const SKEW_MS: i64 = 300_000;

pub struct Instagram {
    cfg: AccountConfig,
    user: String,
    graph: Graph,
    /// The Page the token belongs to (pictures are hosted there), once asked.
    page: Mutex<Option<String>>,
    /// Whether the last look at the Direct conversations was allowed (`None`: not looked yet).
    messages: Mutex<Option<bool>>,
    /// The publishing limit as last read, and when.
    quota: Mutex<Option<(Timestamp, super::http::PostQuota)>>,
    /// How often and how many times a container's status is asked before giving up for now.
    status_poll: (Duration, u32),
}

impl Instagram {
    pub fn new(cfg: &AccountConfig, token: String, http: Http) -> Instagram {
        Instagram {
            cfg: cfg.clone(),
            user: cfg.page_id.clone().unwrap_or_default(),
            graph: Graph::new(cfg.base(), "instagram", token, http),
            page: Mutex::new(None),
            messages: Mutex::new(None),
            quota: Mutex::new(None),
            // Images are usually processed within seconds; a minute covers a slow day.
            status_poll: (Duration::from_secs(2), 30),
        }
    }

    /// Asks for a container's status every `every`, at most `tries` times.
    pub fn with_status_poll(mut self, every: Duration, tries: u32) -> Instagram {
        self.status_poll = (every, tries.max(1));
        self
    }

    async fn call(
        &self,
        verb: Verb,
        path: &str,
        query: &[(&str, String)],
        form: &[(&str, String)],
        retry: Retry,
    ) -> Result<Value> {
        self.graph.call(verb, path, query, form, retry).await
    }

    /// The account's own latest posts (newest first) with `fields`: what the pull walks, what a
    /// lookup searches, what the publishing window is counted from.
    async fn own_media(&self, fields: &str, limit: usize) -> Result<Vec<Value>> {
        let q = [("fields", fields.to_string()), ("limit", limit.to_string())];
        let path = format!("{}/media", self.user);
        let mut v = self.call(Verb::Get, &path, &q, &[], Retry::Safe).await?;
        Ok(match v.get_mut("data").map(Value::take) {
            Some(Value::Array(a)) => a,
            _ => Vec::new(),
        })
    }

    async fn identity(&self) -> Result<Identity> {
        let q = [("fields", "id,username,name,followers_count".to_string())];
        let v = self
            .call(Verb::Get, &self.user, &q, &[], Retry::Safe)
            .await?;
        let id = v
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| ConnectorError::Malformed("instagram: the account has no id".into()))?
            .to_string();
        Ok(Identity {
            handle: v
                .get("username")
                .and_then(Value::as_str)
                .map(|u| format!("@{u}"))
                .unwrap_or_else(|| id.clone()),
            name: v.get("name").and_then(Value::as_str).map(String::from),
            id,
            abilities: self.messaging_abilities().await,
        })
    }

    /// Replies go under the top-level comment (Instagram threads are one level deep); an
    /// answer to a post is a comment on it.
    async fn send_reply(&self, item: &Item, text: &str, how: Delivery) -> Result<Sent> {
        refuse_empty(text)?;
        if item.kind == Kind::Dm || how == Delivery::Private {
            return self.send_message(item, text, how).await;
        }
        let n = text.chars().count();
        if n > COMMENT_LIMIT {
            return Err(ConnectorError::Refused(format!(
                "instagram: the reply has {n} characters; Instagram takes {COMMENT_LIMIT}"
            )));
        }
        let (path, edge) = match item.kind {
            Kind::Reply => (
                item.parent_native_id
                    .clone()
                    .unwrap_or_else(|| item.native_id.clone()),
                "replies",
            ),
            Kind::Mention => (item.native_id.clone(), "comments"),
            _ => (item.native_id.clone(), "replies"),
        };
        let since = Timestamp::now();
        let form = [("message", text.to_string())];
        let url = format!("{path}/{edge}");
        for attempt in 0..2 {
            match self.call(Verb::Post, &url, &[], &form, Retry::Never).await {
                Ok(v) => {
                    let id = v.get("id").and_then(Value::as_str).ok_or_else(|| {
                        ConnectorError::Network("instagram: answered without an id".into())
                    })?;
                    return Ok(Sent {
                        native_id: id.to_string(),
                        url: None,
                    });
                }
                Err(e @ ConnectorError::Network(_)) => {
                    if let Some(s) = self.find_reply(&url, text, since).await? {
                        return Ok(s);
                    }
                    if attempt == 1 {
                        return Err(e);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Err(ConnectorError::Network(
            "instagram: reply not confirmed".into(),
        ))
    }

    async fn find_reply(&self, edge: &str, text: &str, since: Timestamp) -> Result<Option<Sent>> {
        let q = [
            ("fields", "id,text,timestamp,from".to_string()),
            ("limit", "50".to_string()),
        ];
        let v = self.call(Verb::Get, edge, &q, &[], Retry::Safe).await?;
        for el in v
            .get("data")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let ours = el.pointer("/from/id").and_then(Value::as_str) == Some(self.user.as_str());
            let recent = el
                .get("timestamp")
                .and_then(Value::as_str)
                .and_then(super::graph::time)
                .is_some_and(|t| t.0 >= since.0 - SKEW_MS);
            let same = el.get("text").and_then(Value::as_str).map(str::trim) == Some(text.trim());
            if let (true, true, true, Some(id)) =
                (ours, recent, same, el.get("id").and_then(Value::as_str))
            {
                return Ok(Some(Sent {
                    native_id: id.to_string(),
                    url: None,
                }));
            }
        }
        Ok(None)
    }

    async fn do_act(&self, item: &Item, action: RemoteAction) -> Result<()> {
        if let Some(why) = action.refusal(Platform::Instagram) {
            return Err(ConnectorError::Unsupported(why.to_string()));
        }
        let id = item.native_id.as_str();
        let (verb, form): (Verb, Vec<(&str, String)>) = match action {
            RemoteAction::Hide => (Verb::Post, vec![("hide", "true".into())]),
            RemoteAction::Restore => (Verb::Post, vec![("hide", "false".into())]),
            RemoteAction::Delete => (Verb::Delete, Vec::new()),
            other => {
                return Err(ConnectorError::Unsupported(format!(
                    "Instagram: {} is not something kith can do here",
                    other.key()
                )))
            }
        };
        self.call(verb, id, &[], &form, Retry::Safe).await?;
        Ok(())
    }
}

impl Connector for Instagram {
    fn platform(&self) -> Platform {
        Platform::Instagram
    }

    fn rate_info(&self) -> RateInfo {
        RateInfo {
            posts: self.quota_seen(),
            ..self.graph.rate_info()
        }
    }

    fn whoami(&self) -> BoxFuture<'_, Result<Identity>> {
        Box::pin(self.identity())
    }

    fn fetch<'a>(&'a self, cursor: Option<&'a str>) -> BoxFuture<'a, Result<FetchPage>> {
        Box::pin(self.pull_step(cursor))
    }

    fn thread<'a>(&'a self, _item: &'a Item) -> BoxFuture<'a, Result<Vec<NewItem>>> {
        // Threads are one level deep and every reply arrives with its comment.
        Box::pin(async { Ok(Vec::new()) })
    }

    fn reply<'a>(
        &'a self,
        item: &'a Item,
        text: &'a str,
        _key: &'a str,
    ) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(self.send_reply(item, text, Delivery::Standard))
    }

    fn reply_with<'a>(
        &'a self,
        item: &'a Item,
        text: &'a str,
        _key: &'a str,
        how: Delivery,
    ) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(self.send_reply(item, text, how))
    }

    fn notices(&self) -> Vec<crate::i18n::Phrase> {
        self.messages_notices()
    }

    fn publish<'a>(&'a self, post: &'a Outgoing) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(self.publish_post(post))
    }

    fn upload<'a>(&'a self, picture: &'a Picture) -> BoxFuture<'a, Result<String>> {
        Box::pin(self.host(picture))
    }

    fn lookup<'a>(&'a self, post: &'a Outgoing, since: Timestamp) -> BoxFuture<'a, Result<Lookup>> {
        Box::pin(self.find_post(post, since))
    }

    fn act<'a>(&'a self, item: &'a Item, action: RemoteAction) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.do_act(item, action))
    }
}
