//! The Mastodon connector's inbox against a fake server (wiremock) serving the documented
//! payloads: every notification type mapped, paging and its cursor, rate limits, a refused token,
//! broken elements quarantined, hostile strings kept as sent, a stalled server. Writes are in
//! `connector_mastodon_write.rs`.

mod support;

use kith::connectors::mastodon::Mastodon;
use kith::connectors::{ActivityKind, Connector, ConnectorError, FetchPage};
use kith::domain::{Author, Kind, Platform, Status, Timestamp};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::{Duration, Instant};
use support::fake::{answer, first_then, ok, on, requests_to, serve, text};
use support::mastodon::{self, documented_me, fixture, mention, NOTIFICATIONS, TOKEN};
use wiremock::matchers::{header, method, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn connector(server: &MockServer) -> Mastodon {
    mastodon::connector_within(server, false, Duration::from_secs(1))
}

async fn mount_me(server: &MockServer) {
    documented_me().mount(server).await;
}

/// A newest-first page of mentions with ids `hi` down to `lo`, with Mastodon's Link header.
fn page(server: &MockServer, hi: u64, lo: u64) -> ResponseTemplate {
    let body: Vec<Value> = (lo..=hi).rev().map(mention).collect();
    let base = format!("{}/api/v1/notifications", server.uri());
    ResponseTemplate::new(200)
        .insert_header(
            "link",
            format!(
                "<{base}?limit=40&max_id={lo}>; rel=\"next\", <{base}?limit=40&min_id={hi}>; rel=\"prev\""
            )
            .as_str(),
        )
        .set_body_json(body)
}

/// Mounts, for each `(param, value, hi, lo)`, the page `hi..=lo` answering notifications
/// requests with `param=value`.
async fn pages(server: &MockServer, pages: &[(&str, u64, u64, u64)]) {
    for &(param, value, hi, lo) in pages {
        let asked = query_param(param, value.to_string().as_str());
        serve(
            server,
            on("GET", NOTIFICATIONS).and(asked),
            page(server, hi, lo),
        )
        .await;
    }
}

fn native_ids(p: &FetchPage) -> Vec<String> {
    p.items.iter().map(|i| i.native_id.clone()).collect()
}

fn cursor_json(p: &FetchPage) -> Value {
    serde_json::from_str(p.cursor.as_deref().expect("cursor")).expect("cursor is JSON")
}

#[tokio::test]
async fn whoami_reads_verify_credentials() {
    let server = MockServer::start().await;
    mount_me(&server).await;
    let id = connector(&server).whoami().await.unwrap();
    assert_eq!(id.id, "42");
    assert_eq!(id.handle, "shop");
    assert_eq!(id.name.as_deref(), Some("Our Shop"));
}

#[tokio::test]
async fn first_sync_maps_every_notification_type() {
    let server = MockServer::start().await;
    mount_me(&server).await;
    serve(
        &server,
        on("GET", NOTIFICATIONS)
            .and(query_param("limit", "40"))
            .and(query_param("types[]", "mention"))
            .and(query_param("types[]", "quote"))
            .and(query_param("types[]", "favourite"))
            .and(query_param("types[]", "reblog"))
            .and(query_param("types[]", "follow"))
            .and(query_param_is_missing("min_id"))
            .and(query_param_is_missing("max_id"))
            .and(header("authorization", format!("Bearer {TOKEN}").as_str())),
        text(fixture("notifications_mixed.json")),
    )
    .await;
    let page = connector(&server).fetch(None).await.unwrap();
    assert!(page.malformed.is_empty(), "{:?}", page.malformed);
    assert_eq!(
        native_ids(&page),
        vec![
            "112018845560779999",
            "112018845560778888",
            "112018845560771234",
            "112018845560770001"
        ]
    );
    let kinds: Vec<Kind> = page.items.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        vec![Kind::Quote, Kind::Dm, Kind::Reply, Kind::Mention]
    );

    let quote = &page.items[0];
    assert_eq!(quote.post_native_id.as_deref(), Some("112018800000000001"));
    assert_eq!(
        quote.text,
        "So true!\n\nRE: https://our.example/@shop/112018800000000001"
    );

    let dm = &page.items[1];
    assert_eq!(dm.title.as_deref(), Some("order #1234"), "content warning");
    assert_eq!(dm.text, "@shop where is my parcel?");
    assert_eq!(
        dm.url.as_deref(),
        Some("https://our.example/users/dmer/statuses/112018845560778888"),
        "uri when url is null"
    );

    let lea = &page.items[2];
    assert_eq!(lea.text, "@shop Merci ! Colis reçu à Zürich 🎉");
    assert_eq!(lea.parent_native_id.as_deref(), Some("112018801234567890"));
    assert_eq!(lea.lang.as_deref(), Some("fr"));
    assert_eq!(lea.title, None);
    assert_eq!(
        lea.url.as_deref(),
        Some("https://social.example.fr/@lea/112018845560771234")
    );
    assert_eq!(
        lea.created_at,
        Timestamp::parse("2026-03-14T09:21:07.401Z").unwrap()
    );
    assert_eq!(
        lea.author,
        Author {
            id: "110923".into(),
            handle: Some("lea@social.example.fr".into()),
            name: Some("Léa Müller 🌿".into()),
            followers: Some(1284),
        }
    );
    assert_eq!(lea.account, "acct");
    assert_eq!(lea.platform, Platform::Mastodon);
    assert_eq!(lea.status, Status::New);
    assert!(!lea.ours);

    let tagger = &page.items[3];
    assert_eq!(
        tagger.text,
        "Schaut mal @shop #Versand https://shop.example/products/very-long-product-name-123"
    );
    assert_eq!(
        tagger.author.followers, None,
        "a junk count is dropped, not fatal"
    );

    let acts: Vec<(ActivityKind, &str, Option<&str>, &str)> = page
        .activity
        .iter()
        .map(|a| {
            (
                a.kind,
                a.native_id.as_str(),
                a.target.as_deref(),
                a.author.id.as_str(),
            )
        })
        .collect();
    assert_eq!(
        acts,
        vec![
            (ActivityKind::Follow, "417210340", None, "555"),
            (
                ActivityKind::Repost,
                "417210339",
                Some("112018800000000001"),
                "556"
            ),
            (
                ActivityKind::Like,
                "417210338",
                Some("112018800000000001"),
                "557"
            ),
        ]
    );
    assert_eq!(
        page.activity[0].at,
        Timestamp::parse("2026-03-14T09:30:00Z").unwrap()
    );
    assert_eq!(page.activity[1].author.name, None, "empty display name");

    // A short first page: nothing to backfill, the cursor marks the newest notification.
    assert!(!page.more);
    let recent: Vec<String> = (417210333..=417210340u64)
        .rev()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(
        cursor_json(&page),
        json!({"newest": "417210340", "me": "42", "recent": recent})
    );
}

#[tokio::test]
async fn activity_items_option_turns_activity_into_items() {
    let server = MockServer::start().await;
    mount_me(&server).await;
    serve(
        &server,
        on("GET", NOTIFICATIONS),
        text(fixture("notifications_mixed.json")),
    )
    .await;
    let c = mastodon::connector_within(&server, true, Duration::from_secs(1));
    let page = c.fetch(None).await.unwrap();
    assert!(page.activity.is_empty());
    let acts: Vec<(&str, Kind, &str, Option<&str>)> = page
        .items
        .iter()
        .filter(|i| i.native_id.starts_with("notification:"))
        .map(|i| {
            (
                i.native_id.as_str(),
                i.kind,
                i.text.as_str(),
                i.parent_native_id.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        acts,
        vec![
            (
                "notification:417210340",
                Kind::Mention,
                "followed you",
                None
            ),
            (
                "notification:417210339",
                Kind::Mention,
                "boosted your post",
                Some("112018800000000001")
            ),
            (
                "notification:417210338",
                Kind::Mention,
                "favourited your post",
                Some("112018800000000001")
            ),
        ]
    );
    assert_eq!(page.items.len(), 7);
}

#[tokio::test]
async fn pagination_backfills_resumes_after_restart_polls_forward_and_idles_cheaply() {
    let server = MockServer::start().await;
    mount_me(&server).await;
    // First sync: newest page 200..161, then older pages by max_id.
    serve(
        &server,
        on("GET", NOTIFICATIONS)
            .and(query_param_is_missing("min_id"))
            .and(query_param_is_missing("max_id")),
        page(&server, 200, 161),
    )
    .await;
    pages(
        &server,
        &[
            ("max_id", 161, 160, 121),
            ("max_id", 121, 120, 116),
            // Forward: each poll starts just below the last 20 ids it has (181 after the first
            // sync): a full page (19 known, 21 new), then the rest from its newest, then nothing
            // new.
            ("min_id", 181, 221, 182),
            ("min_id", 221, 243, 222),
            ("min_id", 224, 243, 225),
        ],
    )
    .await;

    let mut seen = Vec::new();
    let p1 = connector(&server).fetch(None).await.unwrap();
    assert!(p1.more);
    let recent = |hi: u64| -> Vec<String> { (hi - 19..=hi).rev().map(|n| n.to_string()).collect() };
    assert_eq!(
        cursor_json(&p1),
        json!({"newest": "200", "older": "161", "pages": 1, "me": "42", "recent": recent(200)})
    );
    seen.extend(native_ids(&p1));

    // "Crash" after storing page 1: a fresh connector resumes the backfill from the cursor alone,
    // without asking verify_credentials again.
    let c = connector(&server);
    let before = requests_to(&server, "/api/v1/accounts/verify_credentials")
        .await
        .len();
    let mut cursor = p1.cursor.clone();
    let mut pages = 1;
    loop {
        let p = c.fetch(cursor.as_deref()).await.unwrap();
        seen.extend(native_ids(&p));
        pages += 1;
        if p.cursor.is_some() {
            cursor = p.cursor.clone();
        }
        if !p.more {
            break;
        }
        assert!(pages < 10, "runaway paging");
    }
    assert_eq!(pages, 3, "200..161, 160..121, 120..116");
    assert_eq!(
        requests_to(&server, "/api/v1/accounts/verify_credentials")
            .await
            .len(),
        before
    );
    assert_eq!(
        serde_json::from_str::<Value>(cursor.as_deref().unwrap()).unwrap(),
        json!({"newest": "200", "me": "42", "recent": recent(200)}),
        "backfill done: only the forward marks remain"
    );

    // Forward polling: full page → more, short page → done.
    let p = c.fetch(cursor.as_deref()).await.unwrap();
    assert!(p.more);
    assert_eq!(cursor_json(&p)["newest"], "221");
    seen.extend(native_ids(&p));
    cursor = p.cursor.clone();
    let p = c.fetch(cursor.as_deref()).await.unwrap();
    assert!(!p.more);
    assert_eq!(cursor_json(&p)["newest"], "243");
    assert_eq!(cursor_json(&p)["recent"], json!(recent(243)));
    seen.extend(native_ids(&p));
    cursor = p.cursor.clone();

    // Nothing new: one request, no items, cursor unchanged.
    let n = server.received_requests().await.unwrap().len();
    let idle = c.fetch(cursor.as_deref()).await.unwrap();
    assert_eq!(idle, FetchPage::default());
    assert_eq!(server.received_requests().await.unwrap().len(), n + 1);

    // Every notification exactly once, none skipped.
    let expected: Vec<String> = (116..=243).map(|n| format!("s{n}")).collect();
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no duplicates");
    let mut sorted = seen.clone();
    sorted.sort_by_key(|s| s[1..].parse::<u64>().unwrap());
    assert_eq!(sorted, expected);
}

#[tokio::test]
async fn first_sync_backfills_at_most_five_pages() {
    let server = MockServer::start().await;
    mount_me(&server).await;
    serve(
        &server,
        on("GET", NOTIFICATIONS).and(query_param_is_missing("max_id")),
        page(&server, 1000, 961),
    )
    .await;
    let older: Vec<_> = (1..10u64)
        .map(|k| 1000 - 40 * k)
        .map(|hi| ("max_id", hi + 1, hi, hi - 39))
        .collect();
    pages(&server, &older).await;
    let c = connector(&server);
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let p = c.fetch(cursor.as_deref()).await.unwrap();
        pages += 1;
        assert_eq!(p.items.len(), 40);
        cursor = p.cursor.or(cursor);
        if !p.more {
            break;
        }
    }
    assert_eq!(pages, 5);
    let recent: Vec<String> = (981..=1000u64).rev().map(|n| n.to_string()).collect();
    assert_eq!(
        serde_json::from_str::<Value>(cursor.as_deref().unwrap()).unwrap(),
        json!({"newest": "1000", "me": "42", "recent": recent})
    );
}

#[tokio::test]
async fn empty_first_sync_keeps_no_cursor() {
    let server = MockServer::start().await;
    mount_me(&server).await;
    serve(&server, on("GET", NOTIFICATIONS), text("[]")).await;
    let p = connector(&server).fetch(None).await.unwrap();
    assert_eq!(p, FetchPage::default());
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
