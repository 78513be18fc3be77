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
//!   the stored `after` cursor; Messenger conversations with new messages (`graph_inbox`).
//! - Messages: answers within 24 hours (`RESPONSE`), up to 7 days with the `HUMAN_AGENT` tag
//!   when the account has it, and one private reply to a comment (`recipient={"comment_id"}`).
//! - Writes (`write.rs`): Graph has no idempotency, so a write is never retried blindly: after
//!   an unknown outcome the connector looks for it first. Native scheduling with
//!   `scheduled_publish_time`. Moderation (`moderate.rs`): hide/unhide, delete, like.
//! - Pictures (`media.rs`): uploaded first as unpublished Page photos, then attached to the
//!   feed post by id.

mod media;
mod moderate;
mod parse;
mod pull;
mod write;

pub use super::graph::GRAPH_VERSION;
use super::graph::{Graph, Verb};
use super::http::{Http, RateInfo, Retry};
use super::{
    AccountConfig, Connector, ConnectorError, FetchPage, Identity, Lookup, Outgoing, RemoteAction,
    Result, Sent,
};
use crate::domain::media::Picture;
use crate::domain::messaging::Delivery;
use crate::domain::{Item, NewItem, Platform, Timestamp};
use futures::future::BoxFuture;
use serde_json::Value;

pub struct Facebook {
    cfg: AccountConfig,
    page: String,
    graph: Graph,
}

impl Facebook {
    pub fn new(cfg: &AccountConfig, token: String, http: Http) -> Facebook {
        Facebook {
            cfg: cfg.clone(),
            page: cfg.page_id.clone().unwrap_or_default(),
            graph: Graph::new(cfg.base(), "facebook", token, http),
        }
    }

    pub(super) async fn call(
        &self,
        verb: Verb,
        path: &str,
        query: &[(&str, String)],
        form: &[(&str, String)],
        retry: Retry,
    ) -> Result<Value> {
        self.graph.call(verb, path, query, form, retry).await
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
        if self.cfg.human_agent {
            abilities.push(crate::i18n::ph("graph_msg.human_agent_needs", &[]));
        }
        Ok(Identity {
            id,
            handle,
            name,
            abilities,
        })
    }
}

impl Connector for Facebook {
    fn platform(&self) -> Platform {
        Platform::Facebook
    }

    fn rate_info(&self) -> RateInfo {
        self.graph.rate_info()
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

    fn publish<'a>(&'a self, post: &'a Outgoing) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(self.publish_post(post))
    }

    fn upload<'a>(&'a self, picture: &'a Picture) -> BoxFuture<'a, Result<String>> {
        Box::pin(self.upload_photo(picture))
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
