//! Bluesky (AT Protocol) connector.
//!
//! - Session: `createSession` with an app password once; the access and refresh tokens are kept
//!   in a private session file so kith does not log in on every run. An expired access token is
//!   refreshed once for all requests waiting on it (a generation check under one lock); if the
//!   refresh token is dead too, kith logs in again; a refused password means re-authentication.
//! - Pull (`pull.rs`, `window.rs`): `listNotifications` pages backward only and lists by a sort
//!   time that is not arrival order, so every poll starts at the top and reads down to a window
//!   behind the newest notification it has, taking what it does not know yet. The cursor keeps
//!   that window and, while a poll is under way, where to continue: a crash mid-poll resumes
//!   there instead of starting over.
//! - Writes (`write.rs`): replies, likes and published posts carry a record key derived from kith's idempotency key,
//!   so a retry makes the server refuse a second record instead of creating one. The reference
//!   PDS refuses it with a bare 500 (its MST throws "There is already a value at key"), not a
//!   400, so after a failed publish kith reads that record back to tell "it is there" from
//!   "unknown". The same read answers `lookup`: `getRecord` on the PDS sees our own writes at
//!   once, where the AppView (`getPosts`) may lag.
//! - Pictures (`media.rs`): uploaded as blobs ahead of the post; the first part's record embeds
//!   them (`app.bsky.embed.images`) with their alt texts and aspect ratios.
//! - No native scheduling: a post with `native_at` is `Unsupported`; kith's engine publishes it.

use super::http::{Http, RateInfo, Response, Retry};
use super::json_scan;
use super::secrets::SessionFile;
use super::{
    action_unavailable, AccountConfig, Connector, ConnectorError, FetchPage, Identity, Lookup,
    Outgoing, RemoteAction, Result, Sent,
};
use crate::domain::{Author, Item, Kind, NewItem, Platform, Status, Timestamp};
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;

mod media;
mod pull;
mod window;
mod write;

use write::link_facets;
pub use write::tid_for;

/// Profiles per `getProfiles` call (the API's maximum).
const PROFILES_PER_CALL: usize = 25;
/// The collection of posts.
const POST: &str = "app.bsky.feed.post";
/// A post's text limit in graphemes (the 3000-byte limit is `text::BLUESKY_MAX_BYTES`).
const POST_GRAPHEMES: usize = 300;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Session {
    access_jwt: String,
    refresh_jwt: String,
    did: String,
    handle: String,
    /// The PDS named in the DID document, used for every call after login.
    #[serde(default)]
    pds: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Profile {
    did: String,
    handle: String,
    display_name: Option<String>,
    followers_count: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostView {
    uri: String,
    cid: String,
    author: Profile,
    #[serde(default)]
    record: Value,
    indexed_at: Option<String>,
}

pub struct Bluesky {
    cfg: AccountConfig,
    password: String,
    http: Http,
    file: SessionFile,
    session: tokio::sync::Mutex<Option<Session>>,
}

fn rkey(uri: &str) -> &str {
    uri.rsplit('/').next().unwrap_or(uri)
}

fn did_of(uri: &str) -> &str {
    uri.strip_prefix("at://")
        .and_then(|r| r.split('/').next())
        .unwrap_or("")
}

fn post_url(handle: &str, uri: &str) -> String {
    format!("https://bsky.app/profile/{handle}/post/{}", rkey(uri))
}

fn ms(s: &str) -> Option<i64> {
    Timestamp::parse(s).map(|t| t.0)
}

/// The error name a response carries (`ExpiredToken`, `RecordNotFound`…).
fn error_name(r: &Response) -> Option<String> {
    serde_json::from_slice::<Value>(&r.body)
        .ok()?
        .get("error")?
        .as_str()
        .map(String::from)
}

impl Bluesky {
    pub fn new(cfg: &AccountConfig, password: String, http: Http, file: SessionFile) -> Self {
        Bluesky {
            cfg: cfg.clone(),
            password,
            http,
            file,
            session: tokio::sync::Mutex::new(None),
        }
    }

    fn redact(&self, s: &str, session: Option<&Session>) -> String {
        let mut out = self.http.redact(s);
        if let Some(sess) = session {
            for t in [&sess.access_jwt, &sess.refresh_jwt] {
                if t.len() >= 8 {
                    out = out.replace(t.as_str(), "•••");
                }
            }
        }
        out
    }

    fn host<'a>(&'a self, s: &'a Session) -> &'a str {
        s.pds
            .as_deref()
            .map(|p| p.trim_end_matches('/'))
            .unwrap_or(self.cfg.base())
    }

    /// `createSession` with the app password; a refusal means a human must act.
    async fn login(&self) -> Result<Session> {
        let ident = self.cfg.handle.clone().unwrap_or_default();
        let url = format!("{}/xrpc/com.atproto.server.createSession", self.cfg.base());
        let body = json!({"identifier": ident, "password": self.password});
        let resp = self
            .http
            .send(|c| c.post(url.as_str()).json(&body), Retry::Safe)
            .await?;
        if !resp.is_success() {
            let msg = self.redact(&resp.error_message(), None);
            return Err(match resp.status {
                400 | 401 => ConnectorError::Auth(msg),
                _ => ConnectorError::Refused(msg),
            });
        }
        let v: Value = resp.json()?;
        let mut s: Session = serde_json::from_value(v.clone())
            .map_err(|e| ConnectorError::Malformed(format!("createSession: {e}")))?;
        s.pds = pds_endpoint(&v);
        self.save(&s);
        Ok(s)
    }

    fn save(&self, s: &Session) {
        if let Err(e) = self.file.save(s) {
            tracing::warn!("saving the Bluesky session failed: {e}");
        }
    }

    /// The current session: from memory, the session file, or a fresh login.
    async fn current(&self) -> Result<Session> {
        let mut guard = self.session.lock().await;
        if let Some(s) = guard.as_ref() {
            return Ok(s.clone());
        }
        let s = match self.file.load::<Session>() {
            Some(s) => s,
            None => self.login().await?,
        };
        *guard = Some(s.clone());
        Ok(s)
    }

    /// Replaces the session whose access token was `stale`. Waiters that hit the same expiry find
    /// the token already changed and use the new one: one refresh for all of them.
    async fn refresh(&self, stale: &str) -> Result<Session> {
        let mut guard = self.session.lock().await;
        if let Some(s) = guard.as_ref() {
            if s.access_jwt != stale {
                return Ok(s.clone());
            }
        }
        let old = guard.clone();
        let refreshed = match &old {
            Some(s) => {
                let url = format!("{}/xrpc/com.atproto.server.refreshSession", self.host(s));
                let bearer = format!("Bearer {}", s.refresh_jwt);
                let resp = self
                    .http
                    .send(
                        |c| {
                            c.post(url.as_str())
                                .header("authorization", bearer.as_str())
                        },
                        Retry::Safe,
                    )
                    .await?;
                if resp.is_success() {
                    let v: Value = resp.json()?;
                    serde_json::from_value::<Session>(v.clone())
                        .ok()
                        .map(|mut n| {
                            n.pds = pds_endpoint(&v).or(s.pds.clone());
                            n
                        })
                } else {
                    None
                }
            }
            None => None,
        };
        let s = match refreshed {
            Some(s) => {
                self.save(&s);
                s
            }
            // The refresh token is dead too: log in again with the app password.
            None => self.login().await?,
        };
        *guard = Some(s.clone());
        Ok(s)
    }

    /// An authenticated XRPC call; an expired token is refreshed and the call made once more.
    async fn xrpc<F>(&self, build: F, retry: Retry) -> Result<(Response, Session)>
    where
        F: Fn(&reqwest::Client, &str, &str) -> reqwest::RequestBuilder,
    {
        let s = self.current().await?;
        let resp = self.send_as(&s, &build, retry).await?;
        let expired = matches!(resp.status, 400 | 401)
            && matches!(
                error_name(&resp).as_deref(),
                Some("ExpiredToken") | Some("InvalidToken")
            );
        if !expired {
            return Ok((resp, s));
        }
        let s = self.refresh(&s.access_jwt).await?;
        let resp = self.send_as(&s, &build, retry).await?;
        Ok((resp, s))
    }

    async fn send_as<F>(&self, s: &Session, build: &F, retry: Retry) -> Result<Response>
    where
        F: Fn(&reqwest::Client, &str, &str) -> reqwest::RequestBuilder,
    {
        let host = self.host(s).to_string();
        let bearer = format!("Bearer {}", s.access_jwt);
        self.http.send(|c| build(c, &host, &bearer), retry).await
    }

    /// The response, or the right error: a token still refused → `Auth`; else `Refused`.
    fn checked(&self, resp: Response, s: &Session) -> Result<Response> {
        if resp.is_success() {
            return Ok(resp);
        }
        let msg = self.redact(&resp.error_message(), Some(s));
        let auth = resp.status == 401
            || matches!(
                error_name(&resp).as_deref(),
                Some("ExpiredToken") | Some("InvalidToken") | Some("AuthenticationRequired")
            );
        Err(if auth {
            ConnectorError::Auth(msg)
        } else {
            ConnectorError::Refused(msg)
        })
    }

    async fn get(&self, nsid: &str, query: &[(&str, String)]) -> Result<(Response, Session)> {
        let (resp, s) = self
            .xrpc(
                |c, host, bearer| {
                    c.get(format!("{host}/xrpc/{nsid}"))
                        .query(query)
                        .header("authorization", bearer)
                },
                Retry::Safe,
            )
            .await?;
        Ok((self.checked(resp, &s)?, s))
    }

    async fn post(&self, nsid: &str, body: &Value) -> Result<(Response, Session)> {
        let (resp, s) = self
            .xrpc(
                |c, host, bearer| {
                    c.post(format!("{host}/xrpc/{nsid}"))
                        .json(body)
                        .header("authorization", bearer)
                },
                // Every write here names its record (or is idempotent): safe to repeat.
                Retry::Safe,
            )
            .await?;
        Ok((resp, s))
    }

    /// Follower counts for `dids`, in batches of 25; a failure only loses the counts.
    async fn followers(&self, dids: &[String]) -> HashMap<String, u64> {
        let mut out = HashMap::new();
        for chunk in dids.chunks(PROFILES_PER_CALL) {
            let query: Vec<(&str, String)> = chunk.iter().map(|d| ("actors", d.clone())).collect();
            let Ok((resp, _)) = self.get("app.bsky.actor.getProfiles", &query).await else {
                continue;
            };
            let Ok(v) = resp.json::<Value>() else {
                continue;
            };
            for p in v["profiles"].as_array().into_iter().flatten() {
                if let Ok(p) = serde_json::from_value::<Profile>(p.clone()) {
                    if let Some(n) = p.followers_count {
                        out.insert(p.did, n);
                    }
                }
            }
        }
        out
    }

    fn author(p: &Profile) -> Author {
        Author {
            id: p.did.clone(),
            handle: Some(p.handle.clone()),
            name: p.display_name.clone().filter(|n| !n.is_empty()),
            followers: p.followers_count,
        }
    }

    fn post_item(
        &self,
        kind: Kind,
        uri: &str,
        author: &Profile,
        record: &Value,
        at: &str,
    ) -> NewItem {
        let text = record["text"].as_str().unwrap_or_default().to_string();
        NewItem {
            platform: Platform::Bluesky,
            account: self.cfg.name.clone(),
            kind,
            native_id: uri.to_string(),
            parent_native_id: record["reply"]["parent"]["uri"].as_str().map(String::from),
            root_native_id: record["reply"]["root"]["uri"].as_str().map(String::from),
            post_native_id: None,
            author: Self::author(author),
            text,
            title: None,
            lang: record["langs"][0].as_str().map(String::from),
            rating: None,
            created_at: record["createdAt"]
                .as_str()
                .and_then(Timestamp::parse)
                .or_else(|| Timestamp::parse(at))
                .unwrap_or(Timestamp(0)),
            url: Some(post_url(&author.handle, uri)),
            status: Status::New,
            tags: Vec::new(),
            ours: false,
            source: None,
        }
    }
}

/// The PDS endpoint from a session's DID document, if it names one.
fn pds_endpoint(v: &Value) -> Option<String> {
    v["didDoc"]["service"].as_array()?.iter().find(|s| {
        s["id"]
            .as_str()
            .is_some_and(|id| id.ends_with("#atproto_pds"))
            || s["type"] == "AtprotoPersonalDataServer"
    })?["serviceEndpoint"]
        .as_str()
        .map(String::from)
}

impl Connector for Bluesky {
    fn platform(&self) -> Platform {
        Platform::Bluesky
    }

    fn rate_info(&self) -> RateInfo {
        self.http.rate()
    }

    fn whoami(&self) -> BoxFuture<'_, Result<Identity>> {
        Box::pin(async move {
            let (resp, _) = self.get("com.atproto.server.getSession", &[]).await?;
            let v: Value = resp.json()?;
            Ok(Identity {
                id: v["did"].as_str().unwrap_or_default().to_string(),
                handle: v["handle"].as_str().unwrap_or_default().to_string(),
                name: None,
                abilities: Vec::new(),
            })
        })
    }

    fn fetch<'a>(&'a self, cursor: Option<&'a str>) -> BoxFuture<'a, Result<FetchPage>> {
        Box::pin(self.fetch_page(cursor))
    }

    fn thread<'a>(&'a self, item: &'a Item) -> BoxFuture<'a, Result<Vec<NewItem>>> {
        Box::pin(async move {
            let query = [
                ("uri", item.native_id.clone()),
                ("depth", "6".to_string()),
                ("parentHeight", "80".to_string()),
            ];
            let (resp, s) = self.get("app.bsky.feed.getPostThread", &query).await?;
            let v: Value = resp.json()?;
            let mut out = Vec::new();
            // Walk parents and replies without recursion (a hostile thread can be deep).
            let mut stack: Vec<&Value> = vec![&v["thread"]];
            let mut seen = 0usize;
            while let Some(node) = stack.pop() {
                seen += 1;
                if seen > 5000 {
                    break;
                }
                if let Some(parent) = node.get("parent") {
                    stack.push(parent);
                }
                for r in node["replies"].as_array().into_iter().flatten() {
                    stack.push(r);
                }
                let Some(post) = node.get("post") else {
                    continue; // notFoundPost, blockedPost
                };
                let Ok(p) = serde_json::from_value::<PostView>(post.clone()) else {
                    continue;
                };
                let kind = if p.record["reply"].is_object() {
                    Kind::Reply
                } else {
                    Kind::Comment
                };
                let at = p.indexed_at.clone().unwrap_or_default();
                let mut it = self.post_item(kind, &p.uri, &p.author, &p.record, &at);
                it.ours = p.author.did == s.did;
                out.push(it);
            }
            Ok(out)
        })
    }

    fn reply<'a>(
        &'a self,
        item: &'a Item,
        text: &'a str,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(async move {
            let (parent, root) = self.refs(&item.native_id).await?;
            let mut record = json!({
                "$type": "app.bsky.feed.post",
                "text": text,
                "createdAt": Timestamp::now().to_rfc3339(),
                "reply": {"root": root, "parent": parent},
            });
            let facets = link_facets(text);
            if !facets.is_empty() {
                record["facets"] = Value::Array(facets);
            }
            let (uri, s) = self
                .create("app.bsky.feed.post", idempotency_key, record)
                .await?;
            Ok(Sent {
                url: Some(post_url(&s.handle, &uri)),
                native_id: uri,
            })
        })
    }

    fn publish<'a>(&'a self, post: &'a Outgoing) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(self.publish_post(post))
    }

    fn upload<'a>(
        &'a self,
        picture: &'a crate::domain::media::Picture,
    ) -> BoxFuture<'a, Result<String>> {
        Box::pin(self.upload_handle(picture))
    }

    /// The record under the post's key: there (`Found`) or `RecordNotFound` (`Absent`). The key
    /// names the record, so `since` is not needed.
    fn lookup<'a>(&'a self, post: &'a Outgoing, since: Timestamp) -> BoxFuture<'a, Result<Lookup>> {
        let _ = since;
        Box::pin(self.find_own(&post.idempotency_key))
    }

    fn act<'a>(&'a self, item: &'a Item, action: RemoteAction) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            match action {
                RemoteAction::Like => {
                    let (subject, _) = self.refs(&item.native_id).await?;
                    let record = json!({"$type": "app.bsky.feed.like", "subject": subject,
                                        "createdAt": Timestamp::now().to_rfc3339()});
                    let key = format!("like:{}", item.native_id);
                    self.create("app.bsky.feed.like", &key, record).await?;
                    Ok(())
                }
                RemoteAction::Hide => self.hide(item).await,
                RemoteAction::Mute => {
                    let root = item
                        .root_native_id
                        .clone()
                        .unwrap_or_else(|| item.native_id.clone());
                    let (resp, s) = self
                        .post("app.bsky.graph.muteThread", &json!({"root": root}))
                        .await?;
                    self.checked(resp, &s).map(|_| ())
                }
                other => Err(ConnectorError::Unsupported(
                    action_unavailable(Platform::Bluesky, other).unwrap_or_default(),
                )),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_split_into_parts() {
        let u = "at://did:plc:ourshop/app.bsky.feed.post/3lkpzzzroot22";
        assert_eq!(rkey(u), "3lkpzzzroot22");
        assert_eq!(did_of(u), "did:plc:ourshop");
        assert_eq!(
            post_url("shop.bsky.social", u),
            "https://bsky.app/profile/shop.bsky.social/post/3lkpzzzroot22"
        );
    }
}
