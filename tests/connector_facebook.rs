//! The Facebook Pages connector against a local server speaking the Graph API (payloads from
//! `../shared/platform-apis.md` §6): the feed and each post's comments resumed from the stored
//! cursor, replies in `stream` order, an empty page carrying `next`, Messenger conversations;
//! throttling by `error.code` with the usage header's wait, a dead token; replies that look
//! before a second try; hide/unhide/delete/like; scheduled posts moved and cancelled; and the
//! real binary's `account add facebook` → `sync --once` → `reply`.

mod cli_common;
mod support;

use cli_common::Env;
use kith::connectors::facebook::Facebook;
use kith::connectors::{Connector, ConnectorError, FetchPage, Lookup, Outgoing, RemoteAction};
use kith::domain::{Item, ItemId, Kind, NewItem, Platform, Status, Timestamp};
use serde_json::{json, Value};
use std::time::Duration;
use support::fake::{answer, first_then, ok, on, requests_to};
use support::net;
use wiremock::matchers::{body_string_contains, query_param, query_param_is_missing};
use wiremock::MockServer;

const PAGE: &str = "1234567890123456";
const TOKEN: &str = "EAAB-page-token-secret";
const V: &str = "/v23.0";

fn connector(server: &MockServer) -> Facebook {
    let cfg = kith::connectors::AccountConfig {
        page_id: Some(PAGE.into()),
        ..net::account("fb", Platform::Facebook, server.uri())
    };
    Facebook::new(
        &cfg,
        TOKEN.into(),
        net::http(TOKEN, Duration::from_secs(2), net::THRICE),
    )
}

fn comment(id: &str, who: &str, text: &str, at: &str, parent: Option<&str>) -> Value {
    let mut c = json!({"id": id, "message": text, "created_time": at,
        "from": {"id": format!("60{who}"), "name": who}, "is_hidden": false, "can_hide": true,
        "permalink_url": format!("https://www.facebook.com/{id}")});
    if let Some(p) = parent {
        c["parent"] = json!({"id": p});
    }
    c
}

/// The feed: our post with `n` comments, a visitor's post without any.
async fn feed(server: &MockServer, n: u64) {
    on("GET", format!("{V}/{PAGE}/feed"))
        .respond_with(ok(json!({"data": [
            {"id": format!("{PAGE}_1"), "message": "Новая коллекция", "created_time": "2026-03-13T10:00:00+0000",
             "from": {"id": PAGE, "name": "Lumo"}, "comments": {"data": [], "summary": {"total_count": n}}},
            {"id": format!("{PAGE}_2"), "message": "Где мой заказ?", "created_time": "2026-03-14T08:00:00+0000",
             "from": {"id": "6099", "name": "Olga"}, "comments": {"data": [], "summary": {"total_count": 0}}}
        ], "paging": {"cursors": {"before": "B", "after": "A"}}})))
        .mount(server)
        .await;
    // A post elsewhere that tags the Page.
    on("GET", format!("{V}/{PAGE}/tagged"))
        .respond_with(ok(json!({"data": [
            {"id": "5550_77", "message": "Лучшие лампы — @Lumo", "created_time": "2026-03-14T07:00:00+0000",
             "from": {"id": "5550", "name": "Pavel"}}]})))
        .mount(server)
        .await;
}

async fn pull_all(c: &Facebook, mut cursor: Option<String>) -> (Vec<FetchPage>, Option<String>) {
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

fn ids(pages: &[FetchPage]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| p.items.iter().map(|i| i.native_id.clone()))
        .collect()
}

#[tokio::test]
async fn the_feed_comments_and_messages_are_pulled_and_resumed_from_the_cursor() {
    let server = MockServer::start().await;
    let post = format!("{PAGE}_1");
    feed(&server, 3).await;
    on("GET", format!("{V}/{post}/comments"))
        .and(query_param_is_missing("after"))
        .and(query_param("filter", "stream"))
        .respond_with(ok(json!({"data": [
            comment(&format!("{post}_10"), "Jürgen", "Wann kommt Größe XL wieder rein? 😊", "2026-03-14T09:18:44+0000", None),
            comment(&format!("{post}_11"), "Ana", "Что с доставкой?", "2026-03-14T09:20:00+0000", None),
        ], "paging": {"cursors": {"before": "C0", "after": "C1"}, "next": "https://graph/next"}})))
        .mount(&server)
        .await;
    let mut hidden = comment(
        &format!("{post}_12"),
        "Spam",
        "buy now",
        "2026-03-14T09:21:00+0000",
        Some(&format!("{post}_10")),
    );
    hidden["is_hidden"] = json!(true);
    on("GET", format!("{V}/{post}/comments"))
        .and(query_param("after", "C1"))
        .respond_with(ok(
            json!({"data": [hidden], "paging": {"cursors": {"before": "C1", "after": "C2"}}}),
        ))
        .mount(&server)
        .await;
    on("GET", format!("{V}/{PAGE}/conversations"))
        .respond_with(ok(
            json!({"data": [{"id": "t_1", "updated_time": "2026-03-14T09:30:00+0000"}]}),
        ))
        .mount(&server)
        .await;
    on("GET", format!("{V}/t_1/messages"))
        .respond_with(ok(json!({"data": [
            {"id": "m_2", "message": "Спасибо!", "created_time": "2026-03-14T09:31:00+0000", "from": {"id": PAGE, "name": "Lumo"}},
            {"id": "m_1", "message": "Здравствуйте, где заказ?", "created_time": "2026-03-14T09:30:00+0000", "from": {"id": "6077", "name": "Ivan"}}
        ]})))
        .mount(&server)
        .await;
    let c = connector(&server);
    let (pages, cursor) = pull_all(&c, None).await;
    assert_eq!(
        ids(&pages),
        [
            format!("{PAGE}_1"),
            format!("{PAGE}_2"),
            format!("{post}_10"),
            format!("{post}_11"),
            format!("{post}_12"),
            "5550_77".into(),
            "m_2".into(),
            "m_1".into()
        ]
    );
    let items: Vec<&NewItem> = pages.iter().flat_map(|p| &p.items).collect();
    assert!(items[0].ours, "the Page's own post is stored as sent");
    assert!(!items[1].ours && items[1].kind == Kind::Mention);
    assert_eq!(items[4].kind, Kind::Reply);
    assert_eq!(
        items[4].parent_native_id.as_deref(),
        Some(format!("{post}_10").as_str())
    );
    assert_eq!(items[4].status, Status::Hidden);
    assert!(
        items[5].kind == Kind::Mention && !items[5].ours,
        "the tagging post"
    );
    assert!(items[6].ours && items[7].kind == Kind::Dm);
    let got = server.received_requests().await.unwrap();
    assert!(got.iter().all(
        |r| r.headers.get("authorization").and_then(|h| h.to_str().ok())
            == Some(format!("Bearer {TOKEN}").as_str())
    ));
    assert!(
        got.iter().all(|r| !r.url.as_str().contains(TOKEN)),
        "the token stays out of URLs"
    );

    // Nothing moved: the feed, the tagging posts and the conversations only.
    let before = server.received_requests().await.unwrap().len();
    let (pages, cursor) = pull_all(&c, cursor).await;
    assert_eq!(ids(&pages).len(), 3, "only the posts themselves");
    assert_eq!(server.received_requests().await.unwrap().len() - before, 3);

    // One more comment: read from the stored cursor, nothing before it again.
    server.reset().await;
    feed(&server, 4).await;
    on("GET", format!("{V}/{PAGE}/conversations"))
        .respond_with(ok(
            json!({"data": [{"id": "t_1", "updated_time": "2026-03-14T09:30:00+0000"}]}),
        ))
        .mount(&server)
        .await;
    on("GET", format!("{V}/{post}/comments"))
        .and(query_param("after", "C2"))
        .respond_with(ok(json!({"data": [comment(&format!("{post}_13"), "Li", "你好", "2026-03-14T10:00:00+0000", None)],
            "paging": {"cursors": {"before": "C2", "after": "C3"}, "next": "https://graph/next"}})))
        .mount(&server)
        .await;
    // The next page is empty but still says `next`: the post ends there.
    on("GET", format!("{V}/{post}/comments"))
        .and(query_param("after", "C3"))
        .respond_with(ok(
            json!({"data": [], "paging": {"next": "https://graph/next"}}),
        ))
        .mount(&server)
        .await;
    let (pages, _) = pull_all(&c, cursor).await;
    assert!(ids(&pages).contains(&format!("{post}_13")));
    assert_eq!(
        requests_to(&server, &format!("{V}/{post}/comments"))
            .await
            .len(),
        2
    );
}

#[tokio::test]
async fn throttling_waits_as_told_and_a_dead_token_needs_a_person() {
    let server = MockServer::start().await;
    first_then(
        &server,
        on("GET", format!("{V}/{PAGE}/feed")).respond_with(
            answer(400, json!({"error": {"message": "(#32) Page request limit reached", "type": "OAuthException", "code": 32}}))
                .insert_header("x-business-use-case-usage",
                    json!({PAGE: [{"type": "pages", "call_count": 100, "total_cputime": 20, "total_time": 30,
                        "estimated_time_to_regain_access": 5}]}).to_string()),
        ),
        on("GET", format!("{V}/{PAGE}/feed")).respond_with(
            answer(400, json!({"error": {"message": "Error validating access token: Session has expired", "type": "OAuthException", "code": 190}})),
        ),
    )
    .await;
    let c = connector(&server);
    assert_eq!(
        c.fetch(None).await.unwrap_err(),
        ConnectorError::RateLimited {
            wait: Duration::from_secs(300)
        }
    );
    let e = c.fetch(None).await.unwrap_err();
    assert!(e.is_auth(), "{e:?}");
    assert!(!e.to_string().contains(TOKEN));
    // The usage header is shown as what is left.
    server.reset().await;
    on("GET", format!("{V}/{PAGE}"))
        .respond_with(
            ok(json!({"id": PAGE, "name": "Lumo", "username": "lumo.lamps"})).insert_header(
                "x-app-usage",
                r#"{"call_count":85,"total_cputime":10,"total_time":12}"#,
            ),
        )
        .mount(&server)
        .await;
    on("GET", format!("{V}/me/permissions"))
        .respond_with(ok(json!({"data": [
            {"permission": "pages_manage_engagement", "status": "granted"},
            {"permission": "pages_messaging", "status": "declined"}]})))
        .mount(&server)
        .await;
    let who = c.whoami().await.unwrap();
    assert_eq!((who.id.as_str(), who.handle.as_str()), (PAGE, "lumo.lamps"));
    assert_eq!(
        who.abilities
            .iter()
            .map(|a| a.key.as_str())
            .collect::<Vec<_>>(),
        ["facebook.perm.pages_manage_engagement"]
    );
    assert_eq!(c.rate_info().remaining, Some(15));
}

fn stored(native: &str, kind: Kind, author: &str) -> Item {
    let mut n = NewItem::comment(Platform::Facebook, "fb", native, author, "?", Timestamp(0));
    n.kind = kind;
    Item::from_new(ItemId(1), &n, Timestamp(0))
}

#[tokio::test]
async fn a_reply_with_an_unknown_outcome_is_looked_for_before_a_second_try() {
    let server = MockServer::start().await;
    let target = format!("{PAGE}_1_10");
    on("POST", format!("{V}/{target}/comments"))
        .respond_with(answer(
            500,
            json!({"error": {"message": "An unknown error occurred", "code": 1}}),
        ))
        .mount(&server)
        .await;
    first_then(
        &server,
        on("GET", format!("{V}/{target}/comments")).respond_with(ok(json!({"data": []}))),
        on("GET", format!("{V}/{target}/comments")).respond_with(ok(json!({"data": [
            {"id": format!("{target}_99"), "message": "Danke! Nächste Woche.",
             "created_time": Timestamp::now().to_rfc3339(), "from": {"id": PAGE, "name": "Lumo"}}]}))),
    )
    .await;
    let c = connector(&server);
    let sent = c
        .reply(
            &stored(&target, Kind::Comment, "60J"),
            "Danke! Nächste Woche.",
            "k",
        )
        .await
        .unwrap();
    assert_eq!(sent.native_id, format!("{target}_99"));
    let verbs: Vec<String> = requests_to(&server, &format!("{V}/{target}/comments"))
        .await
        .iter()
        .map(|r| r.method.to_string())
        .collect();
    assert_eq!(
        verbs,
        ["POST", "GET", "POST", "GET"],
        "looked, tried once more, looked"
    );
    let body = String::from_utf8_lossy(
        &requests_to(&server, &format!("{V}/{target}/comments")).await[0].body,
    )
    .into_owned();
    assert!(body.contains("message=Danke%21"), "{body}");

    // Messenger: to the customer, as a response.
    on("POST", format!("{V}/{PAGE}/messages"))
        .and(body_string_contains("messaging_type=RESPONSE"))
        .respond_with(ok(json!({"recipient_id": "6077", "message_id": "m_9"})))
        .mount(&server)
        .await;
    let sent = c
        .reply(&stored("m_1", Kind::Dm, "6077"), "Уже в пути!", "k2")
        .await
        .unwrap();
    assert_eq!(sent.native_id, "m_9");
    let req = requests_to(&server, &format!("{V}/{PAGE}/messages"))
        .await
        .remove(0);
    let form: Vec<(String, String)> = req
        .url
        .join(&format!("?{}", String::from_utf8_lossy(&req.body)))
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert!(
        form.contains(&("recipient".into(), r#"{"id":"6077"}"#.into())),
        "{form:?}"
    );
}

#[tokio::test]
async fn moderation_and_scheduled_posts() {
    kith::i18n::init(kith::i18n::Lang::En);
    let server = MockServer::start().await;
    let id = format!("{PAGE}_1_10");
    on("POST", format!("{V}/{id}"))
        .respond_with(ok(json!({"success": true})))
        .mount(&server)
        .await;
    on("DELETE", format!("{V}/{id}"))
        .respond_with(ok(json!({"success": true})))
        .mount(&server)
        .await;
    on("POST", format!("{V}/{id}/likes"))
        .respond_with(ok(json!({"success": true})))
        .mount(&server)
        .await;
    let c = connector(&server);
    let it = stored(&id, Kind::Comment, "60J");
    for a in [
        RemoteAction::Hide,
        RemoteAction::Restore,
        RemoteAction::Like,
        RemoteAction::Delete,
    ] {
        c.act(&it, a).await.unwrap();
    }
    let got: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {} {}",
                r.method,
                r.url.path(),
                String::from_utf8_lossy(&r.body)
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            format!("POST {V}/{id} is_hidden=true"),
            format!("POST {V}/{id} is_hidden=false"),
            format!("POST {V}/{id}/likes "),
            format!("DELETE {V}/{id} "),
        ]
    );
    let e = c
        .act(&stored("m_1", Kind::Dm, "6077"), RemoteAction::Hide)
        .await
        .unwrap_err();
    assert!(matches!(e, ConnectorError::Unsupported(m) if m.contains("not Messenger messages")));

    on("POST", format!("{V}/{PAGE}/feed"))
        .respond_with(ok(json!({"id": format!("{PAGE}_77")})))
        .mount(&server)
        .await;
    on("POST", format!("{V}/{PAGE}_77"))
        .respond_with(ok(json!({"success": true})))
        .mount(&server)
        .await;
    on("DELETE", format!("{V}/{PAGE}_77"))
        .respond_with(ok(json!({"success": true})))
        .mount(&server)
        .await;
    on("GET", format!("{V}/{PAGE}/feed"))
        .respond_with(ok(json!({"data": []})))
        .mount(&server)
        .await;
    on("GET", format!("{V}/{PAGE}/scheduled_posts"))
        .respond_with(ok(json!({"data": [{"id": format!("{PAGE}_77"), "message": "Скоро: https://lumo.example/x"}]})))
        .mount(&server)
        .await;
    let at = Timestamp::parse("2026-12-20T09:00:00Z").unwrap();
    let post = Outgoing {
        text: "Скоро: https://lumo.example/x".into(),
        idempotency_key: "p1".into(),
        reply_to: None,
        native_at: Some(at),
        media: Vec::new(),
    };
    let sent = c.publish(&post).await.unwrap();
    assert_eq!(sent.native_id, format!("{PAGE}_77"));
    let body =
        String::from_utf8_lossy(&requests_to(&server, &format!("{V}/{PAGE}/feed")).await[0].body)
            .into_owned();
    assert!(
        body.contains("published=false")
            && body.contains(&format!("scheduled_publish_time={}", at.0 / 1000))
            && body.contains("link=https%3A%2F%2Flumo.example%2Fx"),
        "{body}"
    );
    assert_eq!(
        c.lookup(&post, Timestamp::now()).await.unwrap(),
        Lookup::Found(sent.clone())
    );
    let later = Timestamp::parse("2026-12-21T09:00:00Z").unwrap();
    c.reschedule(&sent.native_id, Some(later)).await.unwrap();
    c.reschedule(&sent.native_id, None).await.unwrap();
    let moved = requests_to(&server, &format!("{V}/{PAGE}_77")).await;
    assert_eq!(
        moved
            .iter()
            .map(|r| format!("{} {}", r.method, String::from_utf8_lossy(&r.body)))
            .collect::<Vec<_>>(),
        [
            format!("POST scheduled_publish_time={}", later.0 / 1000),
            "DELETE ".to_string()
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_sync_inbox_reply_through_the_binary() {
    let server = MockServer::start().await;
    feed(&server, 1).await;
    let post = format!("{PAGE}_1");
    on("GET", format!("{V}/{post}/comments"))
        .respond_with(ok(json!({"data": [comment(&format!("{post}_10"), "Jürgen", "Wann kommt XL?", "2026-03-14T09:18:44+0000", None)]})))
        .mount(&server)
        .await;
    on("GET", format!("{V}/{PAGE}/conversations"))
        .respond_with(answer(400, json!({"error": {"message": "(#200) Requires pages_messaging permission", "code": 200}})))
        .mount(&server)
        .await;
    on("GET", format!("{V}/{PAGE}"))
        .respond_with(ok(
            json!({"id": PAGE, "name": "Lumo", "username": "lumo.lamps"}),
        ))
        .mount(&server)
        .await;
    on("GET", format!("{V}/me/permissions"))
        .respond_with(ok(json!({"data": []})))
        .mount(&server)
        .await;
    on("POST", format!("{V}/{post}_10/comments"))
        .respond_with(ok(json!({"id": format!("{post}_10_5")})))
        .mount(&server)
        .await;
    let env = Env::new();
    let vars = [("FB_TOKEN", TOKEN)];
    let uri = server.uri();
    let (code, out, err) = env
        .run_async(
            &[
                "account",
                "add",
                "facebook",
                "lumo",
                "--page-id",
                "nope",
                "--token-env",
                "FB_TOKEN",
                "--base-url",
                &uri,
            ],
            &vars,
        )
        .await;
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("--page-id"), "{err}");
    let (code, out, err) = env
        .run_async(
            &[
                "account",
                "add",
                "facebook",
                "lumo",
                "--page-id",
                PAGE,
                "--token-env",
                "FB_TOKEN",
                "--base-url",
                &uri,
            ],
            &vars,
        )
        .await;
    assert_eq!(code, 0, "{out} {err}");
    let (code, out, err) = env.run_async(&["sync", "--once", "--json"], &vars).await;
    assert_eq!(code, 0, "{out} {err}");
    let report: Value = serde_json::from_str(out.trim()).unwrap();
    // Our post (stored as sent), the visitor's post, the tagging post and the comment; no
    // Messenger permission is not an error.
    assert_eq!(
        (report["added"].as_u64(), &report["error"]),
        (Some(4), &Value::Null),
        "{report}"
    );
    let (_, out, _) = env.run_async(&["inbox", "--json"], &vars).await;
    let items: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let q = items
        .iter()
        .find(|i| i["text"] == "Wann kommt XL?")
        .expect("the comment");
    let id = q["id"].as_str().unwrap();
    let (code, out, err) = env.run_async(&["reply", id, "Nächste Woche!"], &vars).await;
    assert_eq!(code, 0, "{out} {err}");
    assert_eq!(
        requests_to(&server, &format!("{V}/{post}_10/comments"))
            .await
            .iter()
            .filter(|r| r.method.as_str() == "POST")
            .count(),
        1
    );
}
