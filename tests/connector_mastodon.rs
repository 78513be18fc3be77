//! The Mastodon connector's inbox against a fake server (wiremock) serving the documented
//! payloads: every notification type mapped, activity as items, paging and its cursor across a
//! restart. What goes wrong on the server is in `connector_mastodon_faults.rs`, writes in
//! `connector_mastodon_write.rs`.

mod support;

use kith::connectors::mastodon::Mastodon;
use kith::connectors::{ActivityKind, Connector, FetchPage};
use kith::domain::{Author, Kind, Platform, Status, Timestamp};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::Duration;
use support::fake::{on, requests_to, serve, text};
use support::mastodon::{self, documented_me, fixture, page, NOTIFICATIONS, TOKEN};
use support::page::{cursor_json, native_ids};
use wiremock::matchers::{header, query_param, query_param_is_missing};
use wiremock::MockServer;

fn connector(server: &MockServer) -> Mastodon {
    mastodon::connector_within(server, false, Duration::from_secs(1))
}

async fn mount_me(server: &MockServer) {
    documented_me().mount(server).await;
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
