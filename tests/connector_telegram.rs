//! The Telegram connector against a local server speaking the Bot API: updates mapped to DMs,
//! channel comments, mentions and reactions; offsets as cursors; a broken update quarantined while
//! the rest is kept; 429 with `retry_after`; a refused token with no token in the message; replies
//! threaded with `reply_parameters`; reactions and deletes; what Telegram cannot do; every page
//! stored before the next `getUpdates` confirms it.

mod support;

use kith::connectors::http::RetryPolicy;
use kith::connectors::secrets::SecretSource;
use kith::connectors::telegram::Telegram;
use kith::connectors::{AccountConfig, ActivityKind, Connector, ConnectorError, RemoteAction};
use kith::domain::{Item, Kind, NewItem, Platform, Timestamp};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use support::engine::{self, TempEngine};
use support::fake::{answer, at, first_then, serve};
use support::net;
use support::telegram::{self, ok};
use wiremock::matchers::body_partial_json;
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

const TOKEN: &str = "735190442:AAF-secret-token-xyz";

fn connector(server: &MockServer, chats: Vec<i64>, total: Duration) -> Telegram {
    telegram::connector(server, "bot", TOKEN, chats, total)
}

fn m(method: &str) -> String {
    telegram::method(TOKEN, method)
}

async fn with_me(server: &MockServer) {
    telegram::get_me(TOKEN).mount(server).await;
}

fn updates() -> Value {
    json!([
        // The documented example: a comment in the discussion group under a channel post.
        {"update_id": 884512337, "message": {"message_id": 5521, "message_thread_id": 5518, "date": 1773480067,
         "from": {"id": 735190442, "is_bot": false, "first_name": "Ольга", "last_name": "Смирнова", "username": "olga_sm", "language_code": "ru"},
         "chat": {"id": -1001987654321i64, "title": "Обсуждение канала", "type": "supergroup"},
         "reply_to_message": {"message_id": 5518, "is_automatic_forward": true, "date": 1773479000, "text": "Новый выпуск уже вышел!",
            "sender_chat": {"id": -1001122334455i64, "title": "Наш канал", "type": "channel"},
            "chat": {"id": -1001987654321i64, "type": "supergroup"}},
         "text": "Спасибо, очень полезно 👍"}},
        // A DM with a hostile name.
        {"update_id": 884512338, "message": {"message_id": 12, "date": 1773480100,
         "from": {"id": 42, "is_bot": false, "first_name": "\u{202e}gnp.exe\u{1b}[31m"},
         "chat": {"id": 42, "type": "private", "first_name": "x"},
         "text": "Где мой заказ?\r\nНомер 5521"}},
        // A group message mentioning the bot (after an emoji: UTF-16 offsets).
        {"update_id": 884512339, "message": {"message_id": 90, "date": 1773480200,
         "from": {"id": 43, "is_bot": false, "first_name": "Li", "username": "li"},
         "chat": {"id": -100555, "type": "supergroup", "title": "Fans", "username": "lumo_fans"},
         "text": "👍 @lumo_bot 你好",
         "entities": [{"type": "mention", "offset": 3, "length": 9}]}},
        // Group chatter that is not for us: skipped.
        {"update_id": 884512340, "message": {"message_id": 91, "date": 1773480201,
         "from": {"id": 44, "is_bot": false, "first_name": "Bob"},
         "chat": {"id": -100555, "type": "supergroup", "title": "Fans"}, "text": "lunch?"}},
        // A reaction: member activity.
        {"update_id": 884512341, "message_reaction": {"chat": {"id": -100555, "type": "supergroup"},
         "message_id": 90, "user": {"id": 43, "is_bot": false, "first_name": "Li"}, "date": 1773480300,
         "old_reaction": [], "new_reaction": [{"type": "emoji", "emoji": "❤"}]}},
        // Broken: a lone surrogate in the text.
        {"update_id": 884512342, "message": {"message_id": 13, "date": 1773480400,
         "from": {"id": 45, "is_bot": false, "first_name": "Z"}, "chat": {"id": 45, "type": "private"},
         "text": "bad SURROGATE text"}},
        // Broken: a missing required field.
        {"update_id": 884512343, "message": {"message_id": 14, "chat": {"id": 45, "type": "private"}}}
    ])
}

#[tokio::test]
async fn updates_map_to_items_and_activity_and_bad_ones_are_quarantined() {
    let server = MockServer::start().await;
    with_me(&server).await;
    // Raw body, so the lone surrogate reaches the connector as the Bot API would send it.
    let raw = format!(r#"{{"ok":true,"result":{}}}"#, updates()).replace("SURROGATE", "\\ud800");
    serve(
        &server,
        at(m("getUpdates")).and(body_partial_json(json!({"offset": 0}))),
        ResponseTemplate::new(200).set_body_raw(raw, "application/json"),
    )
    .await;
    serve(
        &server,
        at(m("getUpdates")).and(body_partial_json(json!({"offset": 884512344}))),
        ok(json!([])),
    )
    .await;
    let c = connector(&server, Vec::new(), Duration::from_secs(2));
    let page = c.fetch(None).await.expect("page");
    assert_eq!(page.cursor.as_deref(), Some("884512344"));
    assert!(!page.more);
    let kinds: Vec<(String, Kind)> = page
        .items
        .iter()
        .map(|i| (i.native_id.clone(), i.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("-1001987654321:5521".to_string(), Kind::Comment),
            ("42:12".to_string(), Kind::Dm),
            ("-100555:90".to_string(), Kind::Mention),
        ]
    );
    let comment: &NewItem = &page.items[0];
    assert_eq!(comment.text, "Спасибо, очень полезно 👍");
    assert_eq!(comment.author.name.as_deref(), Some("Ольга Смирнова"));
    assert_eq!(comment.author.handle.as_deref(), Some("olga_sm"));
    assert_eq!(
        comment.parent_native_id.as_deref(),
        Some("-1001987654321:5518")
    );
    assert_eq!(
        comment.root_native_id.as_deref(),
        Some("-1001987654321:5518")
    );
    assert_eq!(
        comment.url.as_deref(),
        Some("https://t.me/c/1987654321/5521")
    );
    assert_eq!(comment.created_at, Timestamp(1_773_480_067_000));
    assert_eq!(comment.lang.as_deref(), Some("ru"));
    let dm = &page.items[1];
    assert_eq!(dm.author.name.as_deref(), Some("\u{202e}gnp.exe\u{1b}[31m"));
    assert_eq!(dm.text, "Где мой заказ?\r\nНомер 5521");
    assert_eq!(dm.url, None);
    assert_eq!(
        page.items[2].url.as_deref(),
        Some("https://t.me/lumo_fans/90")
    );
    assert_eq!(page.activity.len(), 1);
    assert_eq!(page.activity[0].kind, ActivityKind::Like);
    assert_eq!(page.activity[0].target.as_deref(), Some("-100555:90"));
    assert_eq!(page.malformed.len(), 2);
    assert!(String::from_utf8_lossy(&page.malformed[0].raw).contains("884512342"));
    assert!(String::from_utf8_lossy(&page.malformed[1].raw).contains("884512343"));

    // Nothing new: one request, no cursor change.
    let before = server.received_requests().await.unwrap().len();
    let idle = c.fetch(page.cursor.as_deref()).await.expect("idle");
    assert!(idle.is_empty() && idle.cursor.is_none() && !idle.more);
    assert_eq!(server.received_requests().await.unwrap().len(), before + 1);
}

#[tokio::test]
async fn full_pages_ask_for_more_and_chats_filter() {
    let server = MockServer::start().await;
    with_me(&server).await;
    let many: Vec<Value> = (1..=100)
        .map(|i| {
            json!({"update_id": i, "message": {"message_id": i, "date": 1773480000 + i,
            "from": {"id": 9, "is_bot": false, "first_name": "A"},
            "chat": {"id": if i % 2 == 0 { 9 } else { 10 }, "type": "private"}, "text": "hi"}})
        })
        .collect();
    serve(&server, at(m("getUpdates")), ok(Value::Array(many))).await;
    let c = connector(&server, vec![9], Duration::from_secs(2));
    let page = c.fetch(Some("1")).await.expect("page");
    assert!(page.more, "a full page means more may wait");
    assert_eq!(page.cursor.as_deref(), Some("101"));
    assert_eq!(page.items.len(), 50, "only the watched chat");
    assert!(page.items.iter().all(|i| i.native_id.starts_with("9:")));
}

#[tokio::test]
async fn rate_limits_and_refused_tokens() {
    let server = MockServer::start().await;
    with_me(&server).await;
    first_then(
        &server,
        at(m("getUpdates")).respond_with(answer(
            429,
            json!({"ok": false, "error_code": 429,
            "description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}}),
        )),
        at(m("getUpdates")).respond_with(ok(json!([]))),
    )
    .await;
    let c = connector(&server, Vec::new(), Duration::from_secs(2));
    let t = std::time::Instant::now();
    let page = c.fetch(Some("5")).await.expect("after the wait");
    assert!(page.is_empty());
    assert!(
        t.elapsed() >= Duration::from_millis(950),
        "waited retry_after"
    );

    let dead = MockServer::start().await;
    serve(
        &dead,
        at(m("getMe")),
        answer(
            401,
            json!({"ok": false, "error_code": 401, "description": "Unauthorized"}),
        ),
    )
    .await;
    let c = connector(&dead, Vec::new(), Duration::from_secs(2));
    match c.whoami().await {
        Err(ConnectorError::Auth(msg)) => {
            assert_eq!(msg, "getMe: Unauthorized");
            assert!(!msg.contains(TOKEN));
        }
        other => panic!("expected Auth, got {other:?}"),
    }
    match c.fetch(None).await {
        Err(e) => assert!(!e.to_string().contains("AAF-secret"), "{e}"),
        Ok(p) => panic!("fetched {p:?}"),
    }
}

#[tokio::test]
async fn a_stalled_server_times_out_without_leaking_the_token() {
    let server = MockServer::start().await;
    serve(
        &server,
        at(m("getMe")),
        ok(json!({"id": 777})).set_delay(Duration::from_secs(10)),
    )
    .await;
    let c = connector(&server, Vec::new(), Duration::from_millis(300));
    let t = std::time::Instant::now();
    let err = c.whoami().await.unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(3));
    assert_eq!(err, ConnectorError::Network("timed out".into()));
}

fn stored(native: &str) -> Item {
    let mut new = NewItem::comment(Platform::Telegram, "bot", native, "42", "hi", Timestamp(0));
    new.kind = Kind::Dm;
    Item::from_new(kith::domain::ItemId(1), &new, Timestamp(0))
}

#[tokio::test]
async fn replies_reactions_and_deletes() {
    let server = MockServer::start().await;
    at(m("sendMessage"))
        .respond_with(ok(json!({"message_id": 5600, "date": 1773480500,
            "chat": {"id": -1001987654321i64, "type": "supergroup"}, "text": "Рады помочь!"})))
        .expect(1)
        .mount(&server)
        .await;
    at(m("setMessageReaction"))
        .respond_with(ok(json!(true)))
        .expect(1)
        .mount(&server)
        .await;
    serve(
        &server,
        at(m("deleteMessage")),
        answer(
            400,
            json!({"ok": false, "error_code": 400,
            "description": "Bad Request: message can't be deleted"}),
        ),
    )
    .await;
    let c = connector(&server, Vec::new(), Duration::from_secs(2));
    let item = stored("-1001987654321:5521");
    let sent = c.reply(&item, "Рады помочь!", "key-1").await.expect("sent");
    assert_eq!(sent.native_id, "-1001987654321:5600");
    assert_eq!(sent.url.as_deref(), Some("https://t.me/c/1987654321/5600"));
    let reqs = server.received_requests().await.unwrap();
    let body: Value = serde_json::from_slice(&reqs[0].body).unwrap();
    assert_eq!(
        body,
        json!({"chat_id": -1001987654321i64, "text": "Рады помочь!",
               "reply_parameters": {"message_id": 5521, "allow_sending_without_reply": true}})
    );
    c.act(&item, RemoteAction::Like).await.expect("like");
    let reqs = server.received_requests().await.unwrap();
    let body: Value = serde_json::from_slice(&reqs[1].body).unwrap();
    assert_eq!(body["reaction"], json!([{"type": "emoji", "emoji": "👍"}]));
    assert_eq!(
        c.act(&item, RemoteAction::Delete).await,
        Err(ConnectorError::Refused(
            "deleteMessage: Bad Request: message can't be deleted".into()
        ))
    );
    let before = server.received_requests().await.unwrap().len();
    match c.act(&item, RemoteAction::Hide).await {
        Err(ConnectorError::Unsupported(why)) => assert!(why.contains("Telegram"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        before,
        "no request"
    );
    assert!(c.thread(&item).await.expect("thread").is_empty());
}

/// `getUpdates` as the Bot API serves it: from `offset`, 100 at a time, and a call with a higher
/// offset confirms every update below it, which Telegram then deletes for good. Each call
/// records how many of the updates it confirms were not stored yet (lost after a crash).
struct Confirming {
    total: i64,
    engine: Arc<OnceLock<Arc<kith::engine::Engine>>>,
    unstored: Arc<AtomicUsize>,
}

impl Respond for Confirming {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let offset = serde_json::from_slice::<Value>(&req.body)
            .ok()
            .and_then(|v| v["offset"].as_i64())
            .unwrap_or(0)
            .max(1);
        if let Some(engine) = self.engine.get() {
            let lost = (1..offset)
                .filter(|id| {
                    let native = format!("{}:{id}", 9000 + id % 7);
                    engine
                        .store()
                        .id_by_native("bot", &native)
                        .ok()
                        .flatten()
                        .is_none()
                })
                .count();
            self.unstored.fetch_max(lost, Ordering::SeqCst);
        }
        let result: Vec<Value> = (offset..=self.total)
            .take(100)
            .map(|i| {
                let chat = 9000 + i % 7;
                json!({"update_id": i, "message": {"message_id": i, "date": 1_773_480_000 + i,
                    "chat": {"id": chat, "type": "private", "first_name": "Ольга"},
                    "from": {"id": chat, "is_bot": false, "first_name": "Ольга"},
                    "text": format!("сообщение {i}")}})
            })
            .collect();
        ok(json!(result))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_of_updates_is_stored_before_the_next_call_confirms_it() {
    let server = MockServer::start().await;
    with_me(&server).await;
    let engine_cell = Arc::new(OnceLock::new());
    let unstored = Arc::new(AtomicUsize::new(0));
    serve(
        &server,
        at(m("getUpdates")),
        Confirming {
            total: 250,
            engine: Arc::clone(&engine_cell),
            unstored: Arc::clone(&unstored),
        },
    )
    .await;
    std::env::set_var("KITH_T_TG_CONFIRM", TOKEN);
    let e = TempEngine::new(|dir| {
        let timeouts = net::timeouts(Duration::from_secs(5), 4 << 20);
        net::context(dir, timeouts, RetryPolicy::default())
    });
    let _ = engine_cell.set(Arc::clone(&e.engine));
    let cfg = AccountConfig {
        secret: SecretSource::Env("KITH_T_TG_CONFIRM".into()),
        ..net::account("bot", Platform::Telegram, server.uri())
    };
    engine::add_account(&e, cfg).await;
    let report = engine::sync(&e, "bot").await;
    assert_eq!((report.added, report.error.as_ref()), (250, None));
    assert_eq!(
        unstored.load(Ordering::SeqCst),
        0,
        "getUpdates confirmed updates kith had not stored yet"
    );
}
