//! Instagram Direct against a local server speaking the Graph API (Meta's Instagram Messaging
//! payloads: `/{page}/conversations?platform=instagram`, `/{conversation}/messages` with
//! `from{username,id}`, `to{data}`): the Page found with `GET /me`, conversations read only
//! when their `updated_time` moved, pages followed by `paging.next` down to what was read; a
//! token without `instagram_manage_messages` keeps comments coming and says messages are off;
//! answers and private replies through `/{page}/messages`; and the real binary's
//! `account add instagram --human-agent` → `account test` → `sync` → `reply --private`.

mod cli_common;
mod support;

use cli_common::Env;
use kith::connectors::instagram::Instagram;
use kith::connectors::{Connector, FetchPage};
use kith::domain::messaging::Delivery;
use kith::domain::{Item, ItemId, Kind, NewItem, Platform, Timestamp};
use serde_json::{json, Value};
use std::time::Duration;
use support::fake::{answer, ok, on, query, requests_to};
use support::net;
use wiremock::matchers::{query_param, query_param_is_missing};
use wiremock::MockServer;

const IG: &str = "17841400000000009";
const PAGE: &str = "1234567890123456";
const TOKEN: &str = "EAAB-ig-page-token";
const V: &str = "/v23.0";
const MEDIA: &str = "17912345678901234";
const CONV: &str = "aWdfZAG06MTpJR01lc3NhZA2VUaHJlYWQ6MTc4NDE0";
const ANA: &str = "6543210987654321";

fn connector(server: &MockServer, human_agent: bool) -> Instagram {
    let cfg = kith::connectors::AccountConfig {
        page_id: Some(IG.into()),
        human_agent,
        ..net::account("ig", Platform::Instagram, server.uri())
    };
    Instagram::new(
        &cfg,
        TOKEN.into(),
        net::http(TOKEN, Duration::from_secs(2), net::THRICE),
    )
}

/// The account's one post with `count` comments (one written an hour ago), and the Page behind
/// the token.
async fn basics(server: &MockServer, count: u64) {
    let at = Timestamp(Timestamp::now().0 - 3_600_000).to_rfc3339();
    on("GET", format!("{V}/{IG}/media"))
        .respond_with(ok(json!({"data": [
            {"id": MEDIA, "caption": "Новая лампа", "timestamp": "2026-03-13T10:00:00+0000",
             "permalink": "https://www.instagram.com/p/x", "comments_count": count}]})))
        .mount(server)
        .await;
    on("GET", format!("{V}/{MEDIA}/comments"))
        .respond_with(ok(json!({"data": [
            {"id": "c1", "text": "Que linda! Onde posso comprar? 😍", "timestamp": at,
             "username": "ana.souza", "from": {"id": ANA, "username": "ana.souza"}, "hidden": false}]})))
        .mount(server)
        .await;
    on("GET", format!("{V}/me"))
        .respond_with(ok(json!({"id": PAGE})))
        .mount(server)
        .await;
}

fn message(id: &str, at: &str, from: (&str, &str), text: &str) -> Value {
    let to = if from.0 == IG {
        json!({"data": [{"username": "ana.souza", "id": ANA}]})
    } else {
        json!({"data": [{"username": "lumo.lamps", "id": IG}]})
    };
    json!({"id": id, "created_time": at, "from": {"id": from.0, "username": from.1},
        "to": to, "message": text})
}

async fn conversations(server: &MockServer, updated: &str) {
    on("GET", format!("{V}/{PAGE}/conversations"))
        .and(query_param("platform", "instagram"))
        .respond_with(ok(json!({"data": [{"id": CONV, "updated_time": updated}]})))
        .mount(server)
        .await;
}

async fn pull_all(c: &Instagram, mut cursor: Option<String>) -> (Vec<FetchPage>, Option<String>) {
    let mut pages = Vec::new();
    for _ in 0..30 {
        let p = c.fetch(cursor.as_deref()).await.expect("page");
        cursor = p.cursor.clone().or(cursor);
        let more = p.more;
        pages.push(p);
        if !more {
            return (pages, cursor);
        }
    }
    panic!("the pass never ended");
}

fn items(pages: &[FetchPage]) -> Vec<&NewItem> {
    pages.iter().flat_map(|p| &p.items).collect()
}

#[tokio::test]
async fn direct_conversations_are_read_page_by_page_and_only_when_they_moved() {
    let server = MockServer::start().await;
    basics(&server, 1).await;
    conversations(&server, "2026-03-14T09:40:00+0000").await;
    on("GET", format!("{V}/{CONV}/messages"))
        .and(query_param_is_missing("after"))
        .respond_with(ok(json!({"data": [
            message("m3", "2026-03-14T09:40:00+0000", (ANA, "ana.souza"), "Tem em azul?"),
            message("m2", "2026-03-14T09:35:00+0000", (IG, "lumo.lamps"), "Olá! Sim 🙂"),
        ], "paging": {"cursors": {"before": "B1", "after": "M1"}, "next": "https://graph/next"}})))
        .mount(&server)
        .await;
    on("GET", format!("{V}/{CONV}/messages"))
        .and(query_param("after", "M1"))
        .respond_with(ok(json!({"data": [
            message("m1", "2026-03-14T09:30:00+0000", (ANA, "ana.souza"), "Olá!"),
        ], "paging": {"cursors": {"before": "M1", "after": "M2"}}})))
        .mount(&server)
        .await;
    let c = connector(&server, false);
    let (pages, cursor) = pull_all(&c, None).await;
    let got = items(&pages);
    let ids: Vec<&str> = got.iter().map(|i| i.native_id.as_str()).collect();
    assert_eq!(ids, ["c1", "m3", "m2", "m1"]);
    let m3 = got[1];
    assert_eq!(
        (m3.kind, m3.author.id.as_str(), m3.author.handle.as_deref()),
        (Kind::Dm, ANA, Some("ana.souza"))
    );
    assert_eq!(m3.root_native_id.as_deref(), Some(CONV));
    assert!(
        !m3.ours && got[2].ours && !got[3].ours,
        "ours: from the account"
    );
    assert_eq!(
        got[3].created_at,
        Timestamp::parse("2026-03-14T09:30:00Z").unwrap()
    );
    let list = requests_to(&server, &format!("{V}/{PAGE}/conversations")).await;
    assert_eq!(
        query(&list[0], "fields").as_deref(),
        Some("id,updated_time")
    );
    let read = requests_to(&server, &format!("{V}/{CONV}/messages")).await;
    assert_eq!(
        query(&read[0], "fields").as_deref(),
        Some("id,created_time,from,to,message")
    );
    assert_eq!(read.len(), 2, "both pages");
    assert!(c.notices().is_empty(), "messages are on");

    // Nothing moved: the lists only, no conversation read.
    let (pages, cursor) = pull_all(&c, cursor).await;
    assert!(items(&pages).is_empty());
    assert_eq!(
        requests_to(&server, &format!("{V}/{CONV}/messages"))
            .await
            .len(),
        2
    );

    // A new message: the first page reaches what was read, so the next one is not asked for.
    server.reset().await;
    basics(&server, 1).await;
    conversations(&server, "2026-03-14T10:00:00+0000").await;
    on("GET", format!("{V}/{CONV}/messages"))
        .respond_with(ok(json!({"data": [
            message("m4", "2026-03-14T10:00:00+0000", (ANA, "ana.souza"), "Obrigada!"),
            message("m3", "2026-03-14T09:40:00+0000", (ANA, "ana.souza"), "Tem em azul?"),
        ], "paging": {"cursors": {"before": "B2", "after": "M9"}, "next": "https://graph/next"}})))
        .mount(&server)
        .await;
    let (pages, _) = pull_all(&c, cursor).await;
    let ids: Vec<&str> = items(&pages).iter().map(|i| i.native_id.as_str()).collect();
    assert_eq!(ids, ["m4", "m3"]);
    assert_eq!(
        requests_to(&server, &format!("{V}/{CONV}/messages"))
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn without_the_messaging_permission_comments_still_come_and_messages_are_off() {
    kith::i18n::init(kith::i18n::Lang::En);
    for refusal in [
        json!({"error": {"message": "(#3) Application does not have the capability to make this API call.",
            "type": "OAuthException", "code": 3, "fbtrace_id": "A1"}}),
        json!({"error": {"message": "(#10) Requires instagram_manage_messages permission to manage the object",
            "type": "OAuthException", "code": 10}}),
    ] {
        let server = MockServer::start().await;
        basics(&server, 1).await;
        on("GET", format!("{V}/{PAGE}/conversations"))
            .respond_with(answer(400, refusal))
            .mount(&server)
            .await;
        on("GET", format!("{V}/{IG}"))
            .respond_with(ok(json!({"id": IG, "username": "lumo.lamps"})))
            .mount(&server)
            .await;
        let c = connector(&server, true);
        let (pages, _) = pull_all(&c, None).await;
        let ids: Vec<&str> = items(&pages).iter().map(|i| i.native_id.as_str()).collect();
        assert_eq!(ids, ["c1"], "the comment came");
        let off = "Direct messages are off: the token lacks instagram_manage_messages \
                   (comments still come)";
        assert_eq!(
            c.notices()
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>(),
            [off]
        );
        let who = c.whoami().await.unwrap();
        assert_eq!(
            who.abilities
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>(),
            [
                off,
                "Human agent: messages are answered for 7 days; the app needs Meta's Human \
                 Agent permission, or replies after 24 hours are refused"
            ]
        );
    }
}

fn stored(native: &str, kind: Kind, author: &str) -> Item {
    let mut n = NewItem::comment(Platform::Instagram, "ig", native, author, "?", Timestamp(0));
    n.kind = kind;
    Item::from_new(ItemId(1), &n, Timestamp(0))
}

/// The form fields of a request's body, in order.
fn form(r: &wiremock::Request) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&r.body).into_owned().collect()
}

#[tokio::test]
async fn answers_and_private_replies_go_through_the_page() {
    let server = MockServer::start().await;
    on("GET", format!("{V}/me"))
        .respond_with(ok(json!({"id": PAGE})))
        .mount(&server)
        .await;
    on("POST", format!("{V}/{PAGE}/messages"))
        .respond_with(ok(
            json!({"recipient_id": ANA, "message_id": "aWdfZAG1faXRlbTo1"}),
        ))
        .mount(&server)
        .await;
    let c = connector(&server, true);
    let dm = stored("m3", Kind::Dm, ANA);
    let sent = c
        .reply_with(&dm, "Temos sim!", "k1", Delivery::Standard)
        .await
        .unwrap();
    assert_eq!(sent.native_id, "aWdfZAG1faXRlbTo1");
    c.reply_with(&dm, "Chegou ontem.", "k2", Delivery::HumanAgent)
        .await
        .unwrap();
    c.reply_with(
        &stored("c1", Kind::Comment, ANA),
        "Te mandei o link 💌",
        "k3",
        Delivery::Private,
    )
    .await
    .unwrap();
    let sent = requests_to(&server, &format!("{V}/{PAGE}/messages")).await;
    let s = |k: &str, v: &str| (k.to_string(), v.to_string());
    assert_eq!(
        sent.iter().map(form).collect::<Vec<_>>(),
        [
            vec![
                s("recipient", &format!(r#"{{"id":"{ANA}"}}"#)),
                s("message", r#"{"text":"Temos sim!"}"#),
                s("messaging_type", "RESPONSE"),
            ],
            vec![
                s("recipient", &format!(r#"{{"id":"{ANA}"}}"#)),
                s("message", r#"{"text":"Chegou ontem."}"#),
                s("messaging_type", "MESSAGE_TAG"),
                s("tag", "HUMAN_AGENT"),
            ],
            vec![
                s("recipient", r#"{"comment_id":"c1"}"#),
                s("message", r#"{"text":"Te mandei o link 💌"}"#),
            ],
        ]
    );
    assert_eq!(
        requests_to(&server, &format!("{V}/me")).await.len(),
        1,
        "the Page is asked once"
    );
    // Instagram takes 1,000 bytes a message: a longer one is refused before any request.
    let long = "é".repeat(501);
    assert!(c
        .reply_with(&dm, &long, "k4", Delivery::Standard)
        .await
        .is_err());
    assert_eq!(
        requests_to(&server, &format!("{V}/{PAGE}/messages"))
            .await
            .len(),
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn human_agent_account_test_sync_and_a_private_reply_through_the_binary() {
    let server = MockServer::start().await;
    basics(&server, 1).await;
    on("GET", format!("{V}/{PAGE}/conversations"))
        .respond_with(answer(400, json!({"error": {"message": "(#3) Application does not have the capability to make this API call.", "code": 3}})))
        .mount(&server)
        .await;
    on("GET", format!("{V}/{IG}"))
        .respond_with(ok(json!({"id": IG, "username": "lumo.lamps"})))
        .mount(&server)
        .await;
    on("POST", format!("{V}/{PAGE}/messages"))
        .respond_with(ok(json!({"recipient_id": ANA, "message_id": "aWdfPR1"})))
        .mount(&server)
        .await;
    let env = Env::new();
    let vars = [("IG_TOKEN", TOKEN)];
    let uri = server.uri();
    let add = [
        "account",
        "add",
        "instagram",
        "lumo",
        "--ig-user-id",
        IG,
        "--token-env",
        "IG_TOKEN",
        "--human-agent",
        "--base-url",
        &uri,
    ];
    let (code, out, err) = env.run_async(&add, &vars).await;
    assert_eq!(code, 0, "{out} {err}");
    assert!(
        out.contains("Direct messages are off: the token lacks instagram_manage_messages"),
        "{out}"
    );
    assert!(out.contains("needs Meta's Human Agent permission"), "{out}");
    let (_, out, _) = env.run_async(&["account", "list"], &vars).await;
    assert!(
        out.contains("Human agent: messages answered for 7 days"),
        "{out}"
    );
    // Not for other platforms.
    let (code, _, err) = env
        .run_async(
            &[
                "account",
                "add",
                "mastodon",
                "m",
                "--token-env",
                "IG_TOKEN",
                "--human-agent",
                "--no-test",
            ],
            &vars,
        )
        .await;
    assert_ne!(code, 0);
    assert!(
        err.contains("--human-agent is for Facebook and Instagram accounts, not mastodon"),
        "{err}"
    );
    let (code, out, err) = env.run_async(&["sync", "--once", "--json"], &vars).await;
    assert_eq!(code, 0, "{out} {err}");
    let report: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        (report["added"].as_u64(), &report["error"]),
        (Some(1), &Value::Null),
        "{report}"
    );
    let (_, out, _) = env.run_async(&["inbox", "--json"], &vars).await;
    let item: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let id = item["id"].as_str().unwrap();
    let (code, out, err) = env
        .run_async(&["reply", id, "--private", "Te mandei o link"], &vars)
        .await;
    assert_eq!(code, 0, "{out} {err}");
    let sent = requests_to(&server, &format!("{V}/{PAGE}/messages")).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        form(&sent[0])[0],
        ("recipient".into(), r#"{"comment_id":"c1"}"#.into())
    );
    // One private reply per comment.
    let (code, _, err) = env
        .run_async(&["reply", id, "--private", "De novo"], &vars)
        .await;
    assert_ne!(code, 0);
    assert!(
        err.contains("this comment already has its private reply"),
        "{err}"
    );
    let (_, out, _) = env.run_async(&["show", id, "--json"], &vars).await;
    assert!(out.contains("private-replied"), "{out}");
}
