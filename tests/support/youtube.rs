//! YouTube as the tests fake it: the Data API under `/youtube/v3/`, its documented payloads
//! (comment threads, comments, channels), our channel UCourChannel000000000000, Google's error
//! bodies, the OAuth token endpoint, and a connector on a local server with its own data dir.

use super::fake::{ok, on};
use super::net;
use kith::connectors::oauth::{Client, TokenSet};
use kith::connectors::youtube::Youtube;
use kith::connectors::{AccountConfig, Connector, FetchPage};
use kith::domain::{Item, ItemId, Kind, NewItem, Platform, Timestamp};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;
use wiremock::matchers::query_param;
use wiremock::{MockBuilder, MockServer, ResponseTemplate};

pub const CHANNEL: &str = "UCourChannel000000000000";
pub const VIDEO: &str = "vId123abcde";
/// A bare access token.
pub const TOKEN: &str = "ya29.bare-access-token";
pub const THREADS: &str = "/youtube/v3/commentThreads";
pub const COMMENTS: &str = "/youtube/v3/comments";

/// `verb` requests to the Data API resource `res` (`commentThreads`, `comments`...).
pub fn api(verb: &str, res: &str) -> MockBuilder {
    on(verb, format!("/youtube/v3/{res}"))
}

/// The account "yt" on `server` (API and OAuth both), our channel set.
pub fn account(server: &MockServer) -> AccountConfig {
    AccountConfig {
        channel_id: Some(CHANNEL.into()),
        auth_url: Some(server.uri()),
        ..net::account("yt", Platform::Youtube, server.uri())
    }
}

/// A connector with `secret` (a bare token or a token set's JSON), data under `dir`.
pub fn connector(server: &MockServer, secret: &str, dir: &Path) -> Youtube {
    Youtube::new(
        &account(server),
        secret.into(),
        net::http(secret, Duration::from_secs(2), net::THRICE),
        dir,
    )
}

/// A token set for client "cid.apps" whose access token is `access`, expiring at `expires_at`.
pub fn token_set(access: &str, expires_at: i64) -> String {
    serde_json::to_string(&TokenSet {
        client: Client {
            id: "cid.apps".into(),
            secret: "client-secret-xyz".into(),
        },
        access_token: access.into(),
        refresh_token: Some("refresh-abc".into()),
        expires_at,
    })
    .expect("token set as JSON")
}

/// A comment by `author` (channel `UC{author}`) published at `at`.
pub fn comment(id: &str, author: &str, text: &str, at: &str) -> Value {
    json!({"kind": "youtube#comment", "id": id, "snippet": {
        "videoId": VIDEO, "textDisplay": text, "textOriginal": text,
        "authorDisplayName": format!("@{author}"),
        "authorProfileImageUrl": "https://yt3.ggpht.com/ytc/x=s48",
        "authorChannelUrl": format!("http://www.youtube.com/@{author}"),
        "authorChannelId": {"value": format!("UC{author}")},
        "canRate": true, "viewerRating": "none", "likeCount": 3,
        "publishedAt": at, "updatedAt": at}})
}

/// A reply `id` to `parent`.
pub fn reply(id: &str, parent: &str, author: &str, text: &str, at: &str) -> Value {
    let mut c = comment(id, author, text, at);
    c["snippet"]["parentId"] = json!(parent);
    c
}

/// A thread around `top` with `replies` embedded and `total` replies in all.
pub fn thread(top: Value, replies: Vec<Value>, total: u64) -> Value {
    let id = top["id"].clone();
    let mut t = json!({"kind": "youtube#commentThread", "id": id, "snippet": {
        "channelId": CHANNEL, "videoId": VIDEO, "canReply": true,
        "totalReplyCount": total, "isPublic": true, "topLevelComment": top}});
    if !replies.is_empty() {
        t["replies"] = json!({"comments": replies});
    }
    t
}

/// A list answer: `items` and, when given, `nextPageToken`.
pub fn list(items: Vec<Value>, next: Option<&str>) -> ResponseTemplate {
    let mut v = json!({"kind": "youtube#commentThreadListResponse", "items": items});
    if let Some(n) = next {
        v["nextPageToken"] = json!(n);
    }
    ResponseTemplate::new(200).set_body_json(v)
}

/// Google's error body with `reason`.
pub fn error(code: u16, reason: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(code).set_body_json(json!({"error": {"code": code, "message": message,
        "errors": [{"domain": "youtube.quota", "reason": reason, "message": message}]}}))
}

/// A stored item of account "yt".
pub fn item(native_id: &str, kind: Kind, parent: Option<&str>) -> Item {
    let mut new = NewItem::comment(
        Platform::Youtube,
        "yt",
        native_id,
        "UCmaria",
        "hello",
        Timestamp(0),
    );
    new.kind = kind;
    new.parent_native_id = parent.map(String::from);
    new.root_native_id = parent.map(String::from);
    new.post_native_id = Some(VIDEO.into());
    Item::from_new(ItemId(1), &new, Timestamp(0))
}

/// Fetches until the connector says the sync is over, feeding each cursor back.
pub async fn sync(c: &dyn Connector, cursor: Option<String>) -> (Vec<FetchPage>, Option<String>) {
    let mut cur = cursor;
    let mut pages = Vec::new();
    for _ in 0..20 {
        let p = c.fetch(cur.as_deref()).await.expect("fetch");
        if p.cursor.is_some() {
            cur = p.cursor.clone();
        }
        let more = p.more;
        pages.push(p);
        if !more {
            return (pages, cur);
        }
    }
    panic!("the sync never ended");
}

/// The held and likely-spam passes answering nothing.
pub async fn quiet_moderation_passes(server: &MockServer) {
    for s in ["heldForReview", "likelySpam"] {
        api("GET", "commentThreads")
            .and(query_param("moderationStatus", s))
            .respond_with(list(vec![], None))
            .with_priority(5)
            .mount(server)
            .await;
    }
}

/// The OAuth token endpoint handing out `access`.
pub async fn on_token(server: &MockServer, access: &str) {
    on("POST", "/token")
        .respond_with(ok(json!({"access_token": access, "expires_in": 3599,
            "token_type": "Bearer", "scope": "https://www.googleapis.com/auth/youtube.force-ssl"})))
        .mount(server)
        .await;
}

/// An account or project name as kith names its files.
pub fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}
