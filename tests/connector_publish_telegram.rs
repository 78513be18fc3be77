//! Publishing from the outbox through the Telegram connector against a fake server (wiremock):
//! posts to the account's channel with thread parts as replies, never retried once the request
//! may have left, `lookup` that cannot tell, and what Telegram cannot publish refused before any
//! request.

mod support;

use kith::connectors::telegram::Telegram;
use kith::connectors::{Connector, ConnectorError, Lookup, Sent};
use serde_json::json;
use std::time::Duration;
use support::fake::{answer, body, first_then, ok, on, requests_to, serve};
use support::publish::{post, ts};
use support::telegram;
use wiremock::{MockServer, ResponseTemplate};

const T_TOKEN: &str = "735190442:AAF-secret-token-xyz";
const CHANNEL: i64 = -1001122334455;

fn telegram(server: &MockServer, chats: Vec<i64>) -> Telegram {
    telegram::connector(server, "acct", T_TOKEN, chats, Duration::from_secs(2))
}

fn send_path() -> String {
    telegram::method(T_TOKEN, "sendMessage")
}

fn sent_message(id: i64, username: Option<&str>) -> ResponseTemplate {
    let mut chat = json!({"id": CHANNEL, "title": "Наш канал", "type": "channel"});
    if let Some(u) = username {
        chat["username"] = json!(u);
    }
    ok(json!({"ok": true, "result":
        {"message_id": id, "date": 1773480500, "chat": chat, "text": "x"}}))
}

#[tokio::test]
async fn telegram_publish_sends_to_the_channel_and_threads_parts() {
    let server = MockServer::start().await;
    first_then(
        &server,
        on("POST", send_path()).respond_with(sent_message(901, Some("lumo_shop"))),
        on("POST", send_path()).respond_with(sent_message(902, None)),
    )
    .await;
    let c = telegram(&server, vec![CHANNEL, -1001987654321]);
    let first = c
        .publish(&post("Новый выпуск 🎉", "post-14:tg:0"))
        .await
        .expect("part 1");
    assert_eq!(
        first,
        Sent {
            native_id: format!("{CHANNEL}:901"),
            url: Some("https://t.me/lumo_shop/901".into()),
        }
    );
    let mut p = post("Продолжение", "post-14:tg:1");
    p.reply_to = Some(first.clone());
    let second = c.publish(&p).await.expect("part 2");
    // A channel without a public username has no link everyone can open.
    assert_eq!(
        second,
        Sent {
            native_id: format!("{CHANNEL}:902"),
            url: None,
        }
    );
    let reqs = requests_to(&server, &send_path()).await;
    assert_eq!(
        body(&reqs[0]),
        json!({"chat_id": CHANNEL, "text": "Новый выпуск 🎉"})
    );
    assert_eq!(
        body(&reqs[1]),
        json!({"chat_id": CHANNEL, "text": "Продолжение",
               "reply_parameters": {"message_id": 901}})
    );
}

#[tokio::test]
async fn telegram_publish_is_never_retried_and_lookup_cannot_tell() {
    let server = MockServer::start().await;
    serve(&server, on("POST", send_path()), ResponseTemplate::new(502)).await;
    let c = telegram(&server, vec![CHANNEL]);
    let p = post("Hello", "post-15:tg:0");
    let err = c.publish(&p).await.unwrap_err();
    assert_eq!(err, ConnectorError::Network("HTTP 502".into()));
    assert_eq!(
        requests_to(&server, &send_path()).await.len(),
        1,
        "a send that may have arrived is never repeated"
    );
    assert_eq!(
        c.lookup(&p, ts("2026-03-14T09:00:00Z")).await,
        Ok(Lookup::Unknowable)
    );
    assert_eq!(requests_to(&server, &send_path()).await.len(), 1);

    // Telegram said no: nothing was published.
    let server = MockServer::start().await;
    serve(
        &server,
        on("POST", send_path()),
        answer(403, json!({"ok": false,
            "error_code": 403, "description": "Forbidden: bot is not a member of the channel chat"})),
    )
    .await;
    let err = telegram(&server, vec![CHANNEL])
        .publish(&p)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ConnectorError::Refused(
            "sendMessage: Forbidden: bot is not a member of the channel chat".into()
        )
    );

    // A success without a message id: it was probably sent, so the outcome is unknown.
    let server = MockServer::start().await;
    serve(
        &server,
        on("POST", send_path()),
        ok(json!({"ok": true, "result": {}})),
    )
    .await;
    let err = telegram(&server, vec![CHANNEL])
        .publish(&p)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Network(m) if m.contains("may have been published")),
        "{err:?}"
    );
}

#[tokio::test]
async fn telegram_refuses_what_it_cannot_publish_before_any_request() {
    let server = MockServer::start().await;
    let err = telegram(&server, Vec::new())
        .publish(&post("Hello", "k"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ConnectorError::Refused(
            "Telegram account acct has no channel to publish to: add the channel's chat id \
             first (kith account add ... --chat ID)"
                .into()
        )
    );
    let c = telegram(&server, vec![CHANNEL]);
    // 2049 emoji: 2049 characters but 4098 UTF-16 units.
    let err = c.publish(&post(&"🎉".repeat(2049), "k")).await.unwrap_err();
    assert_eq!(
        err,
        ConnectorError::Refused("the post is 4098 UTF-16 units long; Telegram allows 4096".into())
    );
    let mut p = post("Later", "k");
    p.native_at = Some(ts("2030-01-01T00:00:00Z"));
    assert!(matches!(
        c.publish(&p).await,
        Err(ConnectorError::Unsupported(_))
    ));
    assert!(server.received_requests().await.unwrap().is_empty());
}
