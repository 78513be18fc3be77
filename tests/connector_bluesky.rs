//! The Bluesky connector against a local server speaking the AT Protocol XRPC endpoints: login
//! and a kept session, notifications paged from the top with a resumable cursor, follower counts,
//! a broken notification quarantined, one refresh for many requests on an expired token, a dead
//! refresh token and a refused password, replies with a kith-chosen record key, hide, like, mute.

mod support;

use kith::connectors::bluesky::{tid_for, Bluesky};
use kith::connectors::http::RetryPolicy;
use kith::connectors::secrets::SessionFile;
use kith::connectors::{ActivityKind, Connector, ConnectorError, RemoteAction};
use kith::domain::{Item, ItemId, Kind, NewItem, Platform, Timestamp};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use support::bluesky::{self, session, ME};
use support::fake::{answer, at, first_then, ok, on, serve};
use support::net::TWICE;
use wiremock::matchers::{body_partial_json, header, query_param, query_param_is_missing};
use wiremock::{MockServer, ResponseTemplate};

const PASSWORD: &str = "app-pass-abcd-efgh";

/// Account "shop"; a `Retry-After` up to 5 s is waited out.
fn connector(server: &MockServer, dir: &std::path::Path) -> Bluesky {
    let policy = RetryPolicy {
        max_wait: Duration::from_secs(5),
        ..TWICE
    };
    bluesky::connector(&bluesky::account("shop", server), PASSWORD, policy, dir)
}

fn notification(uri: &str, reason: &str, at: &str, text: &str) -> Value {
    json!({"uri": uri, "cid": "bafyreib2rxkexample01", "reason": reason,
      "author": {"did": "did:plc:4x7kq2w3abcdexyz", "handle": "yuki.bsky.social", "displayName": "山田 由紀"},
      "reasonSubject": "at://did:plc:ourshop0000000000/app.bsky.feed.post/3lkpzzzroot22",
      "record": {"$type": "app.bsky.feed.post", "text": text, "langs": ["ja"], "createdAt": at,
        "reply": {"root": {"uri": "at://did:plc:ourshop0000000000/app.bsky.feed.post/3lkpzzzroot22", "cid": "bafyreiroot01"},
                  "parent": {"uri": "at://did:plc:ourshop0000000000/app.bsky.feed.post/3lkpzzzroot22", "cid": "bafyreiroot01"}}},
      "isRead": false, "indexedAt": at, "labels": []})
}

fn page(items: Vec<Value>, cursor: Option<&str>) -> ResponseTemplate {
    let mut v = json!({"notifications": items});
    if let Some(c) = cursor {
        v["cursor"] = json!(c);
    }
    ok(v)
}

#[tokio::test]
async fn logs_in_once_pages_from_the_top_and_stops_at_what_it_has() {
    let (server, dir) = bluesky::logged_in(PASSWORD).await;
    let top = vec![
        notification(
            "at://did:plc:4x7kq2w3abcdexyz/app.bsky.feed.post/3lkq2abcxyz2a",
            "reply",
            "2026-03-14T09:20:56.004Z",
            "ありがとうございます！次のイベントも楽しみです 🎌",
        ),
        notification(
            "at://did:plc:4x7kq2w3abcdexyz/app.bsky.feed.like/3lkq2like0001",
            "like",
            "2026-03-14T09:20:00.000Z",
            "",
        ),
        json!({"uri": "at://x/app.bsky.feed.post/bad", "reason": "mention", "indexedAt": "2026-03-14T09:19:00.000Z",
               "author": {"did": 7}}),
    ];
    serve(
        &server,
        at("/xrpc/app.bsky.notification.listNotifications").and(query_param_is_missing("cursor")),
        page(top.clone(), Some("c2")),
    )
    .await;
    let older = vec![notification(
        "at://did:plc:4x7kq2w3abcdexyz/app.bsky.feed.post/3lkq2older01",
        "mention",
        "2026-03-13T08:00:00.000Z",
        "@shop.bsky.social привет",
    )];
    serve(
        &server,
        at("/xrpc/app.bsky.notification.listNotifications").and(query_param("cursor", "c2")),
        page(older, None),
    )
    .await;
    serve(
        &server,
        at("/xrpc/app.bsky.actor.getProfiles")
            .and(header("authorization", "Bearer access-1")),
        ok(json!({"profiles": [
            {"did": "did:plc:4x7kq2w3abcdexyz", "handle": "yuki.bsky.social", "followersCount": 5120}]})),
    )
    .await;
    let c = connector(&server, dir.path());
    let first = c.fetch(None).await.expect("first page");
    assert!(first.more, "a full walk continues on the next page");
    assert_eq!(first.items.len(), 1);
    let reply = &first.items[0];
    assert_eq!(reply.kind, Kind::Reply);
    assert_eq!(
        reply.text,
        "ありがとうございます！次のイベントも楽しみです 🎌"
    );
    assert_eq!(reply.author.name.as_deref(), Some("山田 由紀"));
    assert_eq!(reply.author.followers, Some(5120));
    assert_eq!(reply.lang.as_deref(), Some("ja"));
    assert_eq!(
        reply.root_native_id.as_deref(),
        Some("at://did:plc:ourshop0000000000/app.bsky.feed.post/3lkpzzzroot22")
    );
    assert_eq!(
        reply.url.as_deref(),
        Some("https://bsky.app/profile/yuki.bsky.social/post/3lkq2abcxyz2a")
    );
    assert_eq!(first.activity.len(), 1);
    assert_eq!(first.activity[0].kind, ActivityKind::Like);
    assert_eq!(first.malformed.len(), 1);
    assert!(String::from_utf8_lossy(&first.malformed[0].raw).contains("bad"));

    let second = c.fetch(first.cursor.as_deref()).await.expect("second page");
    assert!(!second.more);
    assert_eq!(second.items.len(), 1);
    assert_eq!(second.items[0].kind, Kind::Mention);
    let done: Value = serde_json::from_str(second.cursor.as_deref().unwrap()).unwrap();
    assert_eq!(done["next"], Value::Null);

    // The next poll starts at the top and re-reads its window behind the mark: here the last
    // notifications, which this server splits over two pages. It finds only what it has (the
    // broken one is not quarantined again) and ends on the cursor it started from, which the
    // engine does not write again.
    let before = server.received_requests().await.unwrap().len();
    let idle = c.fetch(second.cursor.as_deref()).await.expect("idle");
    assert!(idle.is_empty() && idle.more);
    let idle = c
        .fetch(idle.cursor.as_deref())
        .await
        .expect("idle, second page");
    assert!(idle.is_empty() && !idle.more);
    assert_eq!(idle.cursor, second.cursor);
    assert_eq!(server.received_requests().await.unwrap().len(), before + 2);

    // The session was kept in a private file: a new connector does not log in again.
    let again = connector(&server, dir.path());
    again
        .fetch(second.cursor.as_deref())
        .await
        .expect("with saved session");
    let logins = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().ends_with("createSession"))
        .count();
    assert_eq!(logins, 1);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_for_every_waiting_request() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().expect("tmp");
    SessionFile::for_account(dir.path(), "shop")
        .save(&session("old-access", "refresh-1"))
        .expect("save");
    serve(
        &server,
        at("/xrpc/app.bsky.notification.listNotifications")
            .and(header("authorization", "Bearer old-access")),
        answer(
            400,
            json!({"error": "ExpiredToken", "message": "Token has expired"}),
        ),
    )
    .await;
    serve(
        &server,
        at("/xrpc/app.bsky.notification.listNotifications")
            .and(header("authorization", "Bearer new-access")),
        page(Vec::new(), None),
    )
    .await;
    on("POST", "/xrpc/com.atproto.server.refreshSession")
        .and(header("authorization", "Bearer refresh-1"))
        .respond_with(ok(session("new-access", "refresh-2")).set_delay(Duration::from_millis(100)))
        .expect(1)
        .mount(&server)
        .await;
    let c = Arc::new(connector(&server, dir.path()));
    let calls = (0..5).map(|_| {
        let c = Arc::clone(&c);
        tokio::spawn(async move { c.fetch(None).await })
    });
    for r in futures::future::join_all(calls).await {
        assert!(r.expect("join").expect("fetch").is_empty());
    }
    let saved: Value = serde_json::from_slice(
        &std::fs::read(SessionFile::for_account(dir.path(), "shop").path()).unwrap(),
    )
    .unwrap();
    assert_eq!(saved["refreshJwt"], "refresh-2", "the new session is kept");
}

#[tokio::test]
async fn a_dead_refresh_token_logs_in_again_and_a_refused_password_needs_a_human() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().expect("tmp");
    SessionFile::for_account(dir.path(), "shop")
        .save(&session("old-access", "dead-refresh"))
        .expect("save");
    serve(
        &server,
        at("/xrpc/app.bsky.notification.listNotifications"),
        answer(400, json!({"error": "ExpiredToken"})),
    )
    .await;
    serve(
        &server,
        at("/xrpc/com.atproto.server.refreshSession"),
        answer(400, json!({"error": "ExpiredToken"})),
    )
    .await;
    at("/xrpc/com.atproto.server.createSession")
        .respond_with(answer(
            401,
            json!({"error": "AuthenticationRequired", "message": "Invalid identifier or password"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let c = connector(&server, dir.path());
    match c.fetch(None).await {
        Err(ConnectorError::Auth(msg)) => {
            assert_eq!(
                msg,
                "HTTP 401: AuthenticationRequired: Invalid identifier or password"
            );
            assert!(!msg.contains(PASSWORD));
        }
        other => panic!("expected Auth, got {other:?}"),
    }
}

fn item(native: &str, root: Option<&str>) -> Item {
    let mut new = NewItem::comment(
        Platform::Bluesky,
        "shop",
        native,
        "did:plc:4x7kq2w3abcdexyz",
        "hi",
        Timestamp(0),
    );
    new.kind = Kind::Reply;
    new.author.handle = Some("yuki.bsky.social".into());
    new.parent_native_id = root.map(String::from);
    new.root_native_id = root.map(String::from);
    Item::from_new(ItemId(1), &new, Timestamp(0))
}

const THEIR_POST: &str = "at://did:plc:4x7kq2w3abcdexyz/app.bsky.feed.post/3lkq2abcxyz2a";
const OUR_ROOT: &str = "at://did:plc:ourshop0000000000/app.bsky.feed.post/3lkpzzzroot22";

async fn mount_get_posts(server: &MockServer) {
    serve(
        server,
        at("/xrpc/app.bsky.feed.getPosts")
            .and(query_param("uris", THEIR_POST)),
        ok(json!({"posts": [{
            "uri": THEIR_POST, "cid": "bafyreib2rxkexample01",
            "author": {"did": "did:plc:4x7kq2w3abcdexyz", "handle": "yuki.bsky.social"},
            "record": {"text": "hi", "reply": {"root": {"uri": OUR_ROOT, "cid": "bafyreiroot01"},
                                               "parent": {"uri": OUR_ROOT, "cid": "bafyreiroot01"}}},
            "indexedAt": "2026-03-14T09:20:56.004Z"}]})),
    )
    .await;
}

#[tokio::test]
async fn a_reply_names_its_record_so_a_retry_cannot_post_twice() {
    let (server, dir) = bluesky::logged_in(PASSWORD).await;
    mount_get_posts(&server).await;
    let key = "01JREPLYKEY0001";
    let uri = format!("at://{ME}/app.bsky.feed.post/{}", tid_for(key));
    first_then(
        &server,
        at("/xrpc/com.atproto.repo.createRecord")
            .respond_with(ok(json!({"uri": uri, "cid": "bafyreinew"}))),
        at("/xrpc/com.atproto.repo.createRecord").respond_with(answer(
            400,
            json!({"error": "InvalidRequest", "message": "Record already exists"}),
        )),
    )
    .await;
    let c = connector(&server, dir.path());
    let text = "Спасибо! Подробности: https://lumo.example/события";
    let it = item(THEIR_POST, Some(OUR_ROOT));
    let first = c.reply(&it, text, key).await.expect("first");
    let again = c
        .reply(&it, text, key)
        .await
        .expect("retry is not an error");
    assert_eq!(first.native_id, uri);
    assert_eq!(again.native_id, uri);
    assert_eq!(
        first.url.as_deref(),
        Some(
            format!(
                "https://bsky.app/profile/shop.bsky.social/post/{}",
                tid_for(key)
            )
            .as_str()
        )
    );
    let creates: Vec<Value> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().ends_with("createRecord"))
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(creates.len(), 2);
    assert_eq!(
        creates[0]["rkey"], creates[1]["rkey"],
        "same record key on retry"
    );
    let rec = &creates[0]["record"];
    assert_eq!(creates[0]["repo"], ME);
    assert_eq!(creates[0]["collection"], "app.bsky.feed.post");
    assert_eq!(rec["text"], text);
    assert_eq!(
        rec["reply"]["parent"],
        json!({"uri": THEIR_POST, "cid": "bafyreib2rxkexample01"})
    );
    assert_eq!(
        rec["reply"]["root"],
        json!({"uri": OUR_ROOT, "cid": "bafyreiroot01"})
    );
    let start = rec["facets"][0]["index"]["byteStart"].as_u64().unwrap() as usize;
    let end = rec["facets"][0]["index"]["byteEnd"].as_u64().unwrap() as usize;
    assert_eq!(&text[start..end], "https://lumo.example/события");
}

#[tokio::test]
async fn hide_works_in_our_threads_only_and_like_and_mute_go_out() {
    let (server, dir) = bluesky::logged_in(PASSWORD).await;
    mount_get_posts(&server).await;
    serve(
        &server,
        at("/xrpc/com.atproto.repo.getRecord").and(query_param("rkey", "3lkpzzzroot22")),
        answer(
            400,
            json!({"error": "RecordNotFound", "message": "Could not locate record"}),
        ),
    )
    .await;
    at("/xrpc/com.atproto.repo.putRecord")
        .respond_with(ok(json!({"uri": "x", "cid": "y"})))
        .expect(1)
        .mount(&server)
        .await;
    at("/xrpc/com.atproto.repo.createRecord")
        .and(body_partial_json(
            json!({"collection": "app.bsky.feed.like"}),
        ))
        .respond_with(ok(json!({"uri": "l", "cid": "c"})))
        .expect(1)
        .mount(&server)
        .await;
    at("/xrpc/app.bsky.graph.muteThread")
        .and(body_partial_json(json!({"root": OUR_ROOT})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let c = connector(&server, dir.path());
    let ours = item(THEIR_POST, Some(OUR_ROOT));
    c.act(&ours, RemoteAction::Hide).await.expect("hide");
    let put: Value = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .find(|r| r.url.path().ends_with("putRecord"))
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .expect("putRecord");
    assert_eq!(put["collection"], "app.bsky.feed.threadgate");
    assert_eq!(put["rkey"], "3lkpzzzroot22");
    assert_eq!(put["record"]["post"], OUR_ROOT);
    assert_eq!(put["record"]["hiddenReplies"], json!([THEIR_POST]));

    let elsewhere = item(
        THEIR_POST,
        Some("at://did:plc:someoneelse/app.bsky.feed.post/3xyz"),
    );
    let before = server.received_requests().await.unwrap().len();
    match c.act(&elsewhere, RemoteAction::Hide).await {
        Err(ConnectorError::Unsupported(why)) => assert!(why.contains("our own post"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        before,
        "no request"
    );

    c.act(&ours, RemoteAction::Like).await.expect("like");
    c.act(&ours, RemoteAction::Mute).await.expect("mute");
    assert!(matches!(
        c.act(&ours, RemoteAction::Delete).await,
        Err(ConnectorError::Unsupported(_))
    ));
}

#[tokio::test]
async fn a_thread_is_flattened_with_our_posts_marked() {
    let (server, dir) = bluesky::logged_in(PASSWORD).await;
    let post = |uri: &str, did: &str, handle: &str, text: &str, reply: bool| {
        let mut record = json!({"$type": "app.bsky.feed.post", "text": text,
                                "createdAt": "2026-03-14T09:00:00.000Z"});
        if reply {
            record["reply"] = json!({"root": {"uri": OUR_ROOT, "cid": "r"},
                                     "parent": {"uri": OUR_ROOT, "cid": "r"}});
        }
        json!({"uri": uri, "cid": "c", "author": {"did": did, "handle": handle},
               "record": record, "indexedAt": "2026-03-14T09:00:01.000Z"})
    };
    serve(
        &server,
        at("/xrpc/app.bsky.feed.getPostThread")
            .and(query_param("uri", THEIR_POST)),
        ok(json!({"thread": {
            "$type": "app.bsky.feed.defs#threadViewPost",
            "post": post(THEIR_POST, "did:plc:4x7kq2w3abcdexyz", "yuki.bsky.social", "ありがとう", true),
            "parent": {"$type": "app.bsky.feed.defs#threadViewPost",
                       "post": post(OUR_ROOT, ME, "shop.bsky.social", "Новая лампа!", false)},
            "replies": [
                {"$type": "app.bsky.feed.defs#notFoundPost", "uri": "at://gone/x/y", "notFound": true},
                {"$type": "app.bsky.feed.defs#threadViewPost",
                 "post": post("at://did:plc:zz/app.bsky.feed.post/3kid", "did:plc:zz", "zz.bsky.social", "+1", true)}
            ]}})),
    )
    .await;
    let c = connector(&server, dir.path());
    let mut posts = c
        .thread(&item(THEIR_POST, Some(OUR_ROOT)))
        .await
        .expect("thread");
    posts.sort_by(|a, b| a.native_id.cmp(&b.native_id));
    let summary: Vec<(&str, bool, Kind)> = posts
        .iter()
        .map(|p| (p.text.as_str(), p.ours, p.kind))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("ありがとう", false, Kind::Reply),
            ("Новая лампа!", true, Kind::Comment),
            ("+1", false, Kind::Reply),
        ]
    );
}

#[tokio::test]
async fn hostile_text_passes_unchanged_and_a_stalled_server_times_out() {
    let (server, dir) = bluesky::logged_in(PASSWORD).await;
    let hostile_name = "\u{202e}evil\u{1b}[2J\u{200b}Zalgo: Z\u{0336}\u{0337}\u{0338}";
    let hostile_text = "line1\r\nline2\u{0}\u{2028}👨‍👩‍👧 ﷽ \u{e0041}";
    let mut n = notification(
        "at://did:plc:4x7kq2w3abcdexyz/app.bsky.feed.post/3hostile",
        "mention",
        "2026-03-14T09:20:56.004Z",
        hostile_text,
    );
    n["author"]["displayName"] = json!(hostile_name);
    serve(
        &server,
        at("/xrpc/app.bsky.notification.listNotifications"),
        page(vec![n], None),
    )
    .await;
    serve(
        &server,
        at("/xrpc/app.bsky.actor.getProfiles"),
        ResponseTemplate::new(500),
    )
    .await;
    let c = connector(&server, dir.path());
    let p = c
        .fetch(None)
        .await
        .expect("page, even with profiles failing");
    assert_eq!(p.items.len(), 1);
    assert_eq!(p.items[0].text, hostile_text);
    assert_eq!(p.items[0].author.name.as_deref(), Some(hostile_name));
    assert_eq!(p.items[0].author.followers, None);

    let stalled = MockServer::start().await;
    serve(
        &stalled,
        at("/xrpc/com.atproto.server.createSession"),
        ResponseTemplate::new(200).set_delay(Duration::from_secs(10)),
    )
    .await;
    let dir2 = tempfile::tempdir().expect("tmp");
    let c = connector(&stalled, dir2.path());
    let t = std::time::Instant::now();
    assert_eq!(
        c.fetch(None).await.unwrap_err(),
        ConnectorError::Network("timed out".into())
    );
    assert!(t.elapsed() < Duration::from_secs(6), "{:?}", t.elapsed());
}
