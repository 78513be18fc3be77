//! The Instagram connector against a local server speaking the Graph API (the documented
//! comment payload in `../shared/platform-apis.md` §6): media and comments with their replies
//! resumed from the stored cursor, replies under the top comment that look before a second try,
//! hide/unhide/delete, likes refused with the reason, and the real binary's
//! `account add instagram` → `sync --once` → `reply`.

mod cli_common;
mod support;

use cli_common::Env;
use kith::connectors::instagram::Instagram;
use kith::connectors::{Connector, ConnectorError, RemoteAction};
use kith::domain::{Item, ItemId, Kind, NewItem, Platform, Status, Timestamp};
use serde_json::{json, Value};
use std::time::Duration;
use support::fake::{answer, first_then, ok, on, requests_to};
use support::net;
use wiremock::matchers::{query_param, query_param_is_missing};
use wiremock::MockServer;

const IG: &str = "17841400000000009";
const TOKEN: &str = "EAAB-ig-page-token";
const V: &str = "/v23.0";
const MEDIA: &str = "17912345678901234";

fn connector(server: &MockServer) -> Instagram {
    let cfg = kith::connectors::AccountConfig {
        page_id: Some(IG.into()),
        ..net::account("ig", Platform::Instagram, server.uri())
    };
    Instagram::new(
        &cfg,
        TOKEN.into(),
        net::http(TOKEN, Duration::from_secs(2), net::THRICE),
    )
}

fn comment(id: &str, user: &str, text: &str, replies: Vec<Value>) -> Value {
    let mut c = json!({"id": id, "text": text, "timestamp": "2026-03-14T09:17:30+0000",
        "username": user, "from": {"id": format!("1784{user}"), "username": user},
        "like_count": 1, "hidden": false, "media": {"id": MEDIA}});
    if !replies.is_empty() {
        c["replies"] = json!({"data": replies});
    }
    c
}

async fn media(server: &MockServer, count: u64) {
    on("GET", format!("{V}/{IG}/media"))
        .respond_with(ok(json!({"data": [
            {"id": MEDIA, "caption": "Новая лампа", "timestamp": "2026-03-13T10:00:00+0000",
             "permalink": "https://www.instagram.com/p/x", "comments_count": count}]})))
        .mount(server)
        .await;
}

#[tokio::test]
async fn comments_and_replies_are_pulled_once_and_resumed_from_the_cursor() {
    let server = MockServer::start().await;
    media(&server, 3).await;
    let mut hidden = comment("c3", "spam.bot", "cheap followers", vec![]);
    hidden["hidden"] = json!(true);
    on("GET", format!("{V}/{MEDIA}/comments"))
        .and(query_param_is_missing("after"))
        .respond_with(ok(json!({"data": [
            comment("c1", "ana.souza", "Que linda! Onde posso comprar? 😍",
                vec![json!({"id": "c1r", "text": "No site!", "timestamp": "2026-03-14T09:20:00+0000",
                    "from": {"id": IG, "username": "lumo"}, "username": "lumo", "hidden": false})]),
            hidden,
        ], "paging": {"cursors": {"after": "K1"}}})))
        .mount(&server)
        .await;
    let c = connector(&server);
    let p1 = c.fetch(None).await.unwrap();
    assert!(
        p1.items.is_empty() && p1.more,
        "the media list queues the post"
    );
    let p2 = c.fetch(p1.cursor.as_deref()).await.unwrap();
    assert!(!p2.more);
    let ids: Vec<&str> = p2.items.iter().map(|i| i.native_id.as_str()).collect();
    assert_eq!(ids, ["c1", "c1r", "c3"]);
    assert_eq!(p2.items[0].author.handle.as_deref(), Some("ana.souza"));
    assert_eq!(p2.items[0].parent_native_id.as_deref(), Some(MEDIA));
    assert!(p2.items[1].ours && p2.items[1].kind == Kind::Reply);
    assert_eq!(p2.items[1].parent_native_id.as_deref(), Some("c1"));
    assert_eq!(p2.items[2].status, Status::Hidden);
    let fields = requests_to(&server, &format!("{V}/{MEDIA}/comments")).await[0]
        .url
        .query_pairs()
        .find(|(k, _)| k == "fields")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    assert!(fields.contains("replies{"), "{fields}");

    // Nothing moved: the media list only. One more comment: read from the stored cursor.
    let p = c.fetch(p2.cursor.as_deref()).await.unwrap();
    assert!(!p.more && p.items.is_empty());
    server.reset().await;
    media(&server, 4).await;
    on("GET", format!("{V}/{MEDIA}/comments"))
        .and(query_param("after", "K1"))
        .respond_with(ok(
            json!({"data": [comment("c4", "li", "你好", vec![])], "paging": {"cursors": {"after": "K2"}}}),
        ))
        .mount(&server)
        .await;
    let p1 = c.fetch(p.cursor.as_deref()).await.unwrap();
    let p2 = c.fetch(p1.cursor.as_deref()).await.unwrap();
    assert_eq!(
        p2.items
            .iter()
            .map(|i| i.native_id.as_str())
            .collect::<Vec<_>>(),
        ["c4"]
    );
}

fn stored(native: &str, kind: Kind, parent: Option<&str>) -> Item {
    let mut n = NewItem::comment(
        Platform::Instagram,
        "ig",
        native,
        "1784ana",
        "?",
        Timestamp(0),
    );
    n.kind = kind;
    n.parent_native_id = parent.map(String::from);
    Item::from_new(ItemId(1), &n, Timestamp(0))
}

#[tokio::test]
async fn replies_go_under_the_top_comment_and_look_before_a_second_try() {
    kith::i18n::init(kith::i18n::Lang::En);
    let server = MockServer::start().await;
    on("POST", format!("{V}/c1/replies"))
        .respond_with(answer(
            500,
            json!({"error": {"message": "An unknown error occurred", "code": 1}}),
        ))
        .mount(&server)
        .await;
    first_then(
        &server,
        on("GET", format!("{V}/c1/replies")).respond_with(ok(json!({"data": []}))),
        on("GET", format!("{V}/c1/replies")).respond_with(ok(json!({"data": [
            {"id": "c1r9", "text": "Obrigado!", "timestamp": Timestamp::now().to_rfc3339(),
             "from": {"id": IG, "username": "lumo"}}]}))),
    )
    .await;
    let c = connector(&server);
    // Answering a reply goes under its top comment (threads are one level deep).
    let sent = c
        .reply(&stored("c1r", Kind::Reply, Some("c1")), "Obrigado!", "k")
        .await
        .unwrap();
    assert_eq!(sent.native_id, "c1r9");
    let verbs: Vec<String> = requests_to(&server, &format!("{V}/c1/replies"))
        .await
        .iter()
        .map(|r| r.method.to_string())
        .collect();
    assert_eq!(verbs, ["POST", "GET", "POST", "GET"]);

    on("POST", format!("{V}/c1"))
        .respond_with(ok(json!({"success": true})))
        .mount(&server)
        .await;
    on("DELETE", format!("{V}/c1"))
        .respond_with(ok(json!({"success": true})))
        .mount(&server)
        .await;
    let it = stored("c1", Kind::Comment, Some(MEDIA));
    for a in [
        RemoteAction::Hide,
        RemoteAction::Restore,
        RemoteAction::Delete,
    ] {
        c.act(&it, a).await.unwrap();
    }
    let bodies: Vec<String> = requests_to(&server, &format!("{V}/c1"))
        .await
        .iter()
        .map(|r| format!("{} {}", r.method, String::from_utf8_lossy(&r.body)))
        .collect();
    assert_eq!(bodies, ["POST hide=true", "POST hide=false", "DELETE "]);
    assert_eq!(
        c.act(&it, RemoteAction::Like).await.unwrap_err(),
        ConnectorError::Unsupported(
            "Instagram has no API to like a comment; only its app can".into()
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_sync_inbox_reply_through_the_binary() {
    let server = MockServer::start().await;
    media(&server, 1).await;
    on("GET", format!("{V}/{MEDIA}/comments"))
        .respond_with(ok(
            json!({"data": [comment("c1", "ana.souza", "Onde posso comprar?", vec![])]}),
        ))
        .mount(&server)
        .await;
    on("GET", format!("{V}/{IG}"))
        .respond_with(ok(
            json!({"id": IG, "username": "lumo.lamps", "name": "Lumo"}),
        ))
        .mount(&server)
        .await;
    on("POST", format!("{V}/c1/replies"))
        .respond_with(ok(json!({"id": "c1r1"})))
        .mount(&server)
        .await;
    let env = Env::new();
    let vars = [("IG_TOKEN", TOKEN)];
    let uri = server.uri();
    let add = |id: &'static str| {
        vec![
            "account",
            "add",
            "instagram",
            "lumo",
            "--ig-user-id",
            id,
            "--token-env",
            "IG_TOKEN",
            "--base-url",
        ]
    };
    let mut bad = add("@lumo");
    bad.push(&uri);
    let (code, _, err) = env.run_async(&bad, &vars).await;
    assert_eq!(code, 2);
    assert!(err.contains("--ig-user-id"), "{err}");
    let mut good = add(IG);
    good.push(&uri);
    let (code, out, err) = env.run_async(&good, &vars).await;
    assert_eq!(code, 0, "{out} {err}");
    assert!(out.contains("@lumo.lamps"), "{out}");
    let (code, out, err) = env.run_async(&["sync", "--once", "--json"], &vars).await;
    assert_eq!(code, 0, "{out} {err}");
    let (_, out, _) = env.run_async(&["inbox", "--json"], &vars).await;
    let items: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(items.len(), 1, "{out}");
    let id = items[0]["id"].as_str().unwrap();
    let (code, out, err) = env.run_async(&["reply", id, "No site!"], &vars).await;
    assert_eq!(code, 0, "{out} {err}");
    assert_eq!(
        requests_to(&server, &format!("{V}/c1/replies")).await.len(),
        1
    );
    let (code, _, err) = env.run_async(&["act", id, "like"], &vars).await;
    assert_ne!(code, 0);
    assert!(err.contains("Instagram has no API to like"), "{err}");
}
