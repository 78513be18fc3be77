//! Bluesky (AT Protocol) connector.
//!
//! - Session: `createSession` with an app password once; the access and refresh tokens are kept
//!   in a private session file so kith does not log in on every run. An expired access token is
//!   refreshed once for all requests waiting on it (a generation check under one lock); if the
//!   refresh token is dead too, kith logs in again; a refused password means re-authentication.
//! - Pull: `listNotifications` pages backward only, so every poll starts at the top and stops at
//!   the newest item already stored. The cursor remembers that mark and, while a poll is under
//!   way, where to continue: a crash mid-poll resumes there instead of starting over.
//! - Replies, likes and published posts carry a record key derived from kith's idempotency key,
//!   so a retry makes the server refuse a second record instead of creating one. The reference
//!   PDS refuses it with a bare 500 (its MST throws "There is already a value at key"), not a
//!   400, so after a failed publish kith reads that record back to tell "it is there" from
//!   "unknown". The same read answers `lookup`: `getRecord` on the PDS sees our own writes at
//!   once, where the AppView (`getPosts`) may lag.
//! - No native scheduling: a post with `native_at` is `Unsupported`; kith's engine publishes it.

use super::http::{Http, RateInfo, Response, Retry};
use super::json_scan;
use super::secrets::SessionFile;
use super::{
    action_unavailable, AccountConfig, Action, Activity, ActivityKind, Connector, ConnectorError,
    FetchPage, Identity, Lookup, Malformed, Outgoing, Result, Sent,
};
use crate::domain::{Author, Item, Kind, NewItem, Platform, Status, Timestamp};
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;

/// Notifications per page (the API allows up to 100).
const PAGE: usize = 50;
/// A first sync reads at most this many pages back.
const FIRST_SYNC_PAGES: u32 = 5;
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

/// Where a sync stands. `seen`/`seen_uris`: the newest stored notification (ms, uris at that
/// instant). While a poll walks down: `top`/`top_uris` (its newest) and `next` (API cursor).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Cursor {
    #[serde(default)]
    seen: Option<i64>,
    #[serde(default)]
    seen_uris: Vec<String>,
    #[serde(default)]
    top: Option<i64>,
    #[serde(default)]
    top_uris: Vec<String>,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    pages: u32,
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
struct Notification {
    uri: String,
    author: Profile,
    reason: String,
    reason_subject: Option<String>,
    #[serde(default)]
    record: Value,
    indexed_at: String,
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

/// A record key (TID syntax: 13 chars of base32-sortable, top bit clear) derived from `key`, so
/// the same key always names the same record.
pub fn tid_for(key: &str) -> String {
    const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // Keep it a plausible TID: a microsecond time in 2023–2040 plus a 10-bit clock id.
    let micros = 1_700_000_000_000_000u64 + (h >> 20) % 500_000_000_000_000;
    let v = ((micros << 10) | (h & 0x3ff)) & !(1u64 << 63);
    (0..13)
        .map(|i| ALPHABET[((v >> (60 - 5 * i)) & 31) as usize] as char)
        .collect()
}

/// Link facets for `text`: byte offsets (UTF-8) of every http(s) URL.
fn link_facets(text: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(pos) = text[i..].find("http") {
        let start = i + pos;
        let rest = &text[start..];
        if !(rest.starts_with("https://") || rest.starts_with("http://")) {
            i = start + 4;
            continue;
        }
        let mut end = start + rest.find(char::is_whitespace).unwrap_or(rest.len());
        while end > start && text[..end].ends_with(['.', ',', '!', '?', ')', ';', ':']) {
            end -= 1;
        }
        out.push(json!({
            "index": {"byteStart": start, "byteEnd": end},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": &text[start..end]}]
        }));
        i = end.max(start + 1);
    }
    out
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

    async fn fetch_page(&self, cursor: Option<&str>) -> Result<FetchPage> {
        let mut cur: Cursor = cursor
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or_default();
        let mut query = vec![("limit", PAGE.to_string())];
        if let Some(n) = &cur.next {
            query.push(("cursor", n.clone()));
        }
        let (resp, _) = self
            .get("app.bsky.notification.listNotifications", &query)
            .await?;
        let fields = json_scan::object_fields(&resp.body)
            .map_err(|e| ConnectorError::Malformed(format!("listNotifications: {}", e.0)))?;
        let field = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| *v);
        let api_cursor = field("cursor").and_then(|c| serde_json::from_slice::<String>(c).ok());
        let elems = match field("notifications") {
            Some(raw) => json_scan::split_array(raw)
                .map_err(|e| ConnectorError::Malformed(format!("listNotifications: {}", e.0)))?,
            None => Vec::new(),
        };
        let fresh_poll = cur.next.is_none();
        let mut page = FetchPage::default();
        let mut reached_old = false;
        let mut newest: Option<(i64, Vec<String>)> = None;
        let mut notes = Vec::new();
        for el in &elems {
            let n: Notification = match serde_json::from_slice(el) {
                Ok(n) => n,
                Err(e) => {
                    // Already quarantined by an earlier poll when it is not newer than the mark.
                    let old = cur
                        .seen
                        .zip(raw_indexed_at(el))
                        .is_some_and(|(seen, at)| at <= seen);
                    if old {
                        reached_old = true;
                        continue;
                    }
                    page.malformed.push(Malformed {
                        reason: format!("bluesky notification: {e}"),
                        raw: el.to_vec(),
                    });
                    continue;
                }
            };
            let Some(at) = ms(&n.indexed_at) else {
                page.malformed.push(Malformed {
                    reason: format!("bluesky notification: bad indexedAt {:?}", n.indexed_at),
                    raw: el.to_vec(),
                });
                continue;
            };
            if let Some(seen) = cur.seen {
                if at < seen || (at == seen && cur.seen_uris.contains(&n.uri)) {
                    reached_old = true;
                    continue;
                }
            }
            match &mut newest {
                Some((t, uris)) if *t == at => uris.push(n.uri.clone()),
                Some((t, _)) if *t > at => {}
                _ => newest = Some((at, vec![n.uri.clone()])),
            }
            notes.push(n);
        }
        let dids: Vec<String> = {
            let mut d: Vec<String> = notes
                .iter()
                .filter(|n| matches!(n.reason.as_str(), "reply" | "mention" | "quote"))
                .map(|n| n.author.did.clone())
                .collect();
            d.sort();
            d.dedup();
            d
        };
        let counts = if dids.is_empty() {
            HashMap::new()
        } else {
            self.followers(&dids).await
        };
        for n in notes {
            let kind = match n.reason.as_str() {
                "reply" => Some(Kind::Reply),
                "mention" => Some(Kind::Mention),
                "quote" => Some(Kind::Quote),
                _ => None,
            };
            if let Some(kind) = kind {
                let mut item = self.post_item(kind, &n.uri, &n.author, &n.record, &n.indexed_at);
                item.author.followers =
                    counts.get(&n.author.did).copied().or(item.author.followers);
                if kind == Kind::Quote {
                    item.post_native_id = n.reason_subject.clone();
                }
                page.items.push(item);
                continue;
            }
            let activity = match n.reason.as_str() {
                "like" => ActivityKind::Like,
                "repost" => ActivityKind::Repost,
                "follow" => ActivityKind::Follow,
                _ => continue,
            };
            let a = Activity {
                platform: Platform::Bluesky,
                account: self.cfg.name.clone(),
                native_id: n.uri.clone(),
                kind: activity,
                author: Self::author(&n.author),
                at: Timestamp::parse(&n.indexed_at).unwrap_or(Timestamp(0)),
                target: n.reason_subject.clone(),
            };
            if self.cfg.activity_items {
                let mut item = self.post_item(
                    Kind::Mention,
                    &n.uri,
                    &n.author,
                    &Value::Null,
                    &n.indexed_at,
                );
                item.text = format!("[{}]", activity.as_str());
                item.post_native_id = a.target.clone();
                item.url = None;
                page.items.push(item);
            } else {
                page.activity.push(a);
            }
        }
        if fresh_poll {
            cur.top = newest.as_ref().map(|(t, _)| *t);
            cur.top_uris = newest.map(|(_, u)| u).unwrap_or_default();
        } else if let Some((t, uris)) = newest {
            // Resuming a poll: its top is already recorded; nothing newer can be on later pages.
            if cur.top.is_none_or(|top| t > top) {
                cur.top = Some(t);
                cur.top_uris = uris;
            }
        }
        cur.pages += 1;
        let first_sync_done = cur.seen.is_none() && cur.pages >= FIRST_SYNC_PAGES;
        let done = reached_old || api_cursor.is_none() || elems.is_empty() || first_sync_done;
        if fresh_poll && page.is_empty() && done {
            // Nothing new: keep the stored cursor, write nothing.
            return Ok(page);
        }
        if done {
            let (seen, seen_uris) = match (cur.top, cur.seen) {
                (Some(t), Some(s)) if t < s => (Some(s), cur.seen_uris.clone()),
                (Some(t), Some(s)) if t == s => {
                    let mut u = cur.seen_uris.clone();
                    u.extend(cur.top_uris.iter().cloned());
                    (Some(s), u)
                }
                (Some(t), _) => (Some(t), cur.top_uris.clone()),
                (None, s) => (s, cur.seen_uris.clone()),
            };
            cur = Cursor {
                seen,
                seen_uris,
                ..Cursor::default()
            };
        } else {
            cur.next = api_cursor;
            page.more = true;
        }
        page.cursor = Some(serde_json::to_string(&cur).unwrap_or_default());
        Ok(page)
    }

    /// `{uri, cid}` of a post and of its thread root.
    async fn refs(&self, uri: &str) -> Result<(Value, Value)> {
        let (resp, _) = self
            .get("app.bsky.feed.getPosts", &[("uris", uri.to_string())])
            .await?;
        let v: Value = resp.json()?;
        let post: PostView = v["posts"]
            .get(0)
            .cloned()
            .and_then(|p| serde_json::from_value(p).ok())
            .ok_or_else(|| ConnectorError::Refused(format!("post not found: {uri}")))?;
        let parent = json!({"uri": post.uri, "cid": post.cid});
        let root = match &post.record["reply"]["root"] {
            r if r["uri"].is_string() && r["cid"].is_string() => {
                json!({"uri": r["uri"], "cid": r["cid"]})
            }
            _ => parent.clone(),
        };
        Ok((parent, root))
    }

    /// Creates a record with a kith-chosen key; "already exists" means an earlier attempt got
    /// through, which is success.
    async fn create(
        &self,
        collection: &str,
        key: &str,
        record: Value,
    ) -> Result<(String, Session)> {
        let rkey = tid_for(key);
        let s = self.current().await?;
        let body = json!({"repo": s.did, "collection": collection, "rkey": rkey, "record": record});
        let (resp, s) = self.post("com.atproto.repo.createRecord", &body).await?;
        let uri = format!("at://{}/{collection}/{rkey}", s.did);
        if resp.is_success() {
            let v: Value = resp.json().unwrap_or_default();
            let got = v["uri"].as_str().map(String::from).unwrap_or(uri);
            return Ok((got, s));
        }
        let msg = resp.error_message();
        if resp.status == 400 && msg.to_ascii_lowercase().contains("already exists") {
            return Ok((uri, s));
        }
        self.checked(resp, &s).map(|_| (uri, s.clone()))
    }

    /// `com.atproto.repo.getRecord` in our own repo: `Some({uri, cid, value})`, or `None` when
    /// the PDS says `RecordNotFound`. Other failures are errors.
    async fn own_record(&self, collection: &str, rkey: &str) -> Result<Option<(Value, Session)>> {
        let s = self.current().await?;
        let query = [
            ("repo", s.did.clone()),
            ("collection", collection.to_string()),
            ("rkey", rkey.to_string()),
        ];
        let (resp, s) = self
            .xrpc(
                |c, host, bearer| {
                    c.get(format!("{host}/xrpc/com.atproto.repo.getRecord"))
                        .query(&query)
                        .header("authorization", bearer)
                },
                Retry::Safe,
            )
            .await?;
        if resp.status == 400 && error_name(&resp).as_deref() == Some("RecordNotFound") {
            return Ok(None);
        }
        let resp = self.checked(resp, &s)?;
        Ok(Some((resp.json()?, s)))
    }

    /// `{parent, root}` strong refs for a reply to `uri`. Our own posts (every earlier thread
    /// part) are read from the PDS, which knows a post the moment it is written; others' from
    /// the AppView (`refs`).
    async fn reply_refs(&self, uri: &str) -> Result<(Value, Value)> {
        let s = self.current().await?;
        let collection = uri.split('/').nth(3).unwrap_or_default();
        if did_of(uri) != s.did || collection != POST {
            return self.refs(uri).await;
        }
        let Some((v, _)) = self.own_record(POST, rkey(uri)).await? else {
            return Err(ConnectorError::Refused(format!(
                "the previous part of the thread is gone: {uri}"
            )));
        };
        let cid = v["cid"]
            .as_str()
            .ok_or_else(|| ConnectorError::Malformed(format!("getRecord: no cid for {uri}")))?;
        let parent = json!({"uri": uri, "cid": cid});
        let root = match &v["value"]["reply"]["root"] {
            r if r["uri"].is_string() && r["cid"].is_string() => {
                json!({"uri": r["uri"], "cid": r["cid"]})
            }
            _ => parent.clone(),
        };
        Ok((parent, root))
    }

    /// Publishes one post (or thread part) with the record key derived from its idempotency key.
    async fn publish_post(&self, post: &Outgoing) -> Result<Sent> {
        if post.native_at.is_some() {
            return Err(ConnectorError::Unsupported(
                "Bluesky has no scheduled posts; leave the time to kith, which publishes at the \
                 due time itself"
                    .into(),
            ));
        }
        super::refuse_empty(&post.text)?;
        if let Some((n, limit, bytes)) = crate::text::over_limit(
            &post.text,
            crate::domain::platform::CountRule::Bluesky,
            POST_GRAPHEMES,
        ) {
            let unit = if bytes { "bytes" } else { "graphemes" };
            return Err(ConnectorError::Refused(format!(
                "the post is {n} {unit} long; Bluesky allows {limit}"
            )));
        }
        let mut record = json!({
            "$type": POST,
            "text": post.text,
            "createdAt": Timestamp::now().to_rfc3339(),
        });
        let facets = link_facets(&post.text);
        if !facets.is_empty() {
            record["facets"] = Value::Array(facets);
        }
        if let Some(prev) = &post.reply_to {
            let (parent, root) = self.reply_refs(&prev.native_id).await?;
            record["reply"] = json!({"root": root, "parent": parent});
        }
        let key = post.idempotency_key.as_str();
        match self.create(POST, key, record).await {
            Ok((uri, s)) => Ok(Sent {
                url: Some(post_url(&s.handle, &uri)),
                native_id: uri,
            }),
            Err(e @ ConnectorError::Network(_)) => {
                // A 5xx may be the PDS refusing a record that an earlier attempt already wrote
                // (a duplicate key is a bare 500 there), or a write whose answer got lost. The
                // record under our key tells; if it is not there (or the check fails) the
                // outcome stays unknown.
                match self.find_own(key).await {
                    Ok(Lookup::Found(sent)) => Ok(sent),
                    _ => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// The post whose record key derives from `key`, read from our own repo.
    async fn find_own(&self, key: &str) -> Result<Lookup> {
        let rk = tid_for(key);
        Ok(match self.own_record(POST, &rk).await? {
            Some((v, s)) => {
                let uri = v["uri"]
                    .as_str()
                    .map(String::from)
                    .unwrap_or_else(|| format!("at://{}/{POST}/{rk}", s.did));
                Lookup::Found(Sent {
                    url: Some(post_url(&s.handle, &uri)),
                    native_id: uri,
                })
            }
            None => Lookup::Absent,
        })
    }

    async fn hide(&self, item: &Item) -> Result<()> {
        let s = self.current().await?;
        let root = item
            .root_native_id
            .clone()
            .or_else(|| item.parent_native_id.clone())
            .unwrap_or_else(|| item.native_id.clone());
        if did_of(&root) != s.did || root == item.native_id {
            return Err(ConnectorError::Unsupported(
                "Bluesky can hide a reply only in a thread that starts with our own post".into(),
            ));
        }
        let gate_key = rkey(&root).to_string();
        let (resp, s) = self
            .xrpc(
                |c, host, bearer| {
                    c.get(format!("{host}/xrpc/com.atproto.repo.getRecord"))
                        .query(&[
                            ("repo", s.did.as_str()),
                            ("collection", "app.bsky.feed.threadgate"),
                            ("rkey", gate_key.as_str()),
                        ])
                        .header("authorization", bearer)
                },
                Retry::Safe,
            )
            .await?;
        let mut gate = if resp.is_success() {
            resp.json::<Value>()?["value"].clone()
        } else if error_name(&resp).as_deref() == Some("RecordNotFound") || resp.status == 404 {
            json!({"$type": "app.bsky.feed.threadgate", "post": root,
                   "createdAt": Timestamp::now().to_rfc3339()})
        } else {
            return self.checked(resp, &s).map(|_| ());
        };
        let mut hidden: Vec<Value> = gate["hiddenReplies"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if !hidden
            .iter()
            .any(|h| h.as_str() == Some(item.native_id.as_str()))
        {
            if hidden.len() >= 300 {
                return Err(ConnectorError::Refused(
                    "this thread already hides 300 replies, Bluesky's maximum".into(),
                ));
            }
            hidden.push(json!(item.native_id));
        }
        gate["hiddenReplies"] = Value::Array(hidden);
        let body = json!({"repo": s.did, "collection": "app.bsky.feed.threadgate",
                          "rkey": gate_key, "record": gate});
        let (resp, s) = self.post("com.atproto.repo.putRecord", &body).await?;
        self.checked(resp, &s).map(|_| ())
    }
}

/// `indexedAt` of a notification whose other fields may be what is broken.
fn raw_indexed_at(el: &[u8]) -> Option<i64> {
    let fields = json_scan::object_fields(el).ok()?;
    let (_, v) = fields.iter().find(|(k, _)| k == "indexedAt")?;
    ms(&serde_json::from_slice::<String>(v).ok()?)
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

    /// The record under the post's key: there (`Found`) or `RecordNotFound` (`Absent`). The key
    /// names the record, so `since` is not needed.
    fn lookup<'a>(&'a self, post: &'a Outgoing, since: Timestamp) -> BoxFuture<'a, Result<Lookup>> {
        let _ = since;
        Box::pin(self.find_own(&post.idempotency_key))
    }

    fn act<'a>(&'a self, item: &'a Item, action: Action) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            match action {
                Action::Like => {
                    let (subject, _) = self.refs(&item.native_id).await?;
                    let record = json!({"$type": "app.bsky.feed.like", "subject": subject,
                                        "createdAt": Timestamp::now().to_rfc3339()});
                    let key = format!("like:{}", item.native_id);
                    self.create("app.bsky.feed.like", &key, record).await?;
                    Ok(())
                }
                Action::Hide => self.hide(item).await,
                Action::Mute => {
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
    fn record_keys_are_stable_tids() {
        let a = tid_for("01JABCDEF");
        assert_eq!(a, tid_for("01JABCDEF"));
        assert_ne!(a, tid_for("01JABCDEG"));
        assert_eq!(a.len(), 13);
        assert!("234567abcdefghij".contains(a.chars().next().unwrap()));
        assert!(a
            .chars()
            .all(|c| "234567abcdefghijklmnopqrstuvwxyz".contains(c)));
    }

    #[test]
    fn facets_use_utf8_byte_offsets() {
        let text = "Смотрите 👉 https://lumo.example/новинки. Спасибо";
        let f = link_facets(text);
        assert_eq!(f.len(), 1);
        let start = f[0]["index"]["byteStart"].as_u64().unwrap() as usize;
        let end = f[0]["index"]["byteEnd"].as_u64().unwrap() as usize;
        assert_eq!(&text[start..end], "https://lumo.example/новинки");
        assert_eq!(start, "Смотрите 👉 ".len());
        assert!(link_facets("no links, http only").is_empty());
    }

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
