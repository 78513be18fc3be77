//! Mastodon writes against a fake server (wiremock): replies that keep the visibility of what
//! they answer and mention its author once, with an idempotency key on every attempt; threads;
//! likes, mutes and dismissals; what Mastodon cannot do; the instance's text limit.

mod support;

use kith::connectors::mastodon::Mastodon;
use kith::connectors::{action_unavailable, Connector, ConnectorError, RemoteAction};
use kith::domain::{Kind, Platform};
use serde_json::json;
use std::time::Duration;
use support::fake::{answer, first_then, ok, on, requests_to, serve, text};
use support::mastodon::{
    self, documented_me, fixture, item, mention, NOTIFICATIONS, STATUSES, TOKEN,
};
use wiremock::matchers::{body_json, header, method, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn connector(server: &MockServer) -> Mastodon {
    mastodon::connector_within(server, false, Duration::from_secs(1))
}

async fn mount_me(server: &MockServer) {
    documented_me().mount(server).await;
}

/// The post being answered, as `GET /api/v1/statuses/:id` shows it.
async fn visibility(server: &MockServer, id: &str, v: &str) {
    serve(
        server,
        on("GET", format!("/api/v1/statuses/{id}")),
        ok(json!({"id": id, "visibility": v})),
    )
    .await;
}

#[tokio::test]
async fn a_reply_to_a_followers_only_post_stays_followers_only() {
    let server = MockServer::start().await;
    visibility(&server, "5", "private").await;
    on("POST", STATUSES)
        .and(body_json(
            json!({"status": "@pal thanks", "in_reply_to_id": "5", "visibility": "private"}),
        ))
        .respond_with(ok(json!({"id": "6"})))
        .expect(1)
        .mount(&server)
        .await;
    let it = item("5", Kind::Mention, "pal", "7");
    let sent = connector(&server).reply(&it, "thanks", "k").await.unwrap();
    assert_eq!(sent.native_id, "6");
}

#[tokio::test]
async fn reply_mentions_the_author_and_sends_an_idempotency_key() {
    let server = MockServer::start().await;
    visibility(&server, "112018845560771234", "public").await;
    // The first attempt fails with 503; the retry must carry the same key.
    first_then(
        &server,
        on("POST", STATUSES).respond_with(ResponseTemplate::new(503)),
        on("POST", STATUSES)
            .and(header("idempotency-key", "key-1"))
            .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
            .and(body_json(json!({
                "status": "@lea@social.example.fr Merci, bonne journée !",
                "in_reply_to_id": "112018845560771234",
                "visibility": "public"
            })))
            .respond_with(text(fixture("status_created.json"))),
    )
    .await;
    let it = item(
        "112018845560771234",
        Kind::Reply,
        "lea@social.example.fr",
        "110923",
    );
    let sent = connector(&server)
        .reply(&it, "Merci, bonne journée !", "key-1")
        .await
        .unwrap();
    assert_eq!(sent.native_id, "112018900000000001");
    assert_eq!(
        sent.url.as_deref(),
        Some("https://our.example/@shop/112018900000000001")
    );
    let reqs = requests_to(&server, STATUSES).await;
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        assert_eq!(r.headers.get("idempotency-key").unwrap(), "key-1");
        assert_eq!(r.headers.get("content-type").unwrap(), "application/json");
    }
}

#[tokio::test]
async fn reply_to_a_dm_stays_direct_and_does_not_double_mention() {
    let server = MockServer::start().await;
    serve(
        &server,
        on("POST", STATUSES)
            .and(header("idempotency-key", "key-2"))
            .and(body_json(json!({
                "status": "Hi @DMer, it ships today",
                "in_reply_to_id": "112018845560778888",
                "visibility": "direct"
            }))),
        ok(json!({"id": "77", "uri": "https://our.example/s/77"})),
    )
    .await;
    let it = item("112018845560778888", Kind::Dm, "dmer", "559");
    let sent = connector(&server)
        .reply(&it, "Hi @DMer, it ships today", "key-2")
        .await
        .unwrap();
    assert_eq!(sent.native_id, "77");
    assert_eq!(sent.url.as_deref(), Some("https://our.example/s/77"));
}

#[tokio::test]
async fn reply_refused_is_refused() {
    let server = MockServer::start().await;
    visibility(&server, "1", "public").await;
    serve(
        &server,
        on("POST", STATUSES),
        answer(
            422,
            json!({"error": "Validation failed: Text character limit of 500 exceeded"}),
        ),
    )
    .await;
    let it = item("1", Kind::Mention, "pal", "7");
    let err = connector(&server).reply(&it, "x", "k").await.unwrap_err();
    assert_eq!(
        err,
        ConnectorError::Refused(
            "HTTP 422: Validation failed: Text character limit of 500 exceeded".into()
        )
    );
}

#[tokio::test]
async fn thread_returns_ancestors_and_descendants() {
    let server = MockServer::start().await;
    mount_me(&server).await;
    serve(
        &server,
        on("GET", "/api/v1/statuses/112018845560771234/context"),
        ResponseTemplate::new(200)
            .insert_header(
                "mastodon-async-refresh",
                "id=\"abc\", retry=5, result_count=1",
            )
            .set_body_string(fixture("context.json")),
    )
    .await;
    let it = item(
        "112018845560771234",
        Kind::Reply,
        "lea@social.example.fr",
        "110923",
    );
    let t = connector(&server).thread(&it).await.unwrap();
    let got: Vec<(&str, Kind, bool, &str)> = t
        .iter()
        .map(|i| (i.native_id.as_str(), i.kind, i.ours, i.text.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "112018801234567890",
                Kind::Comment,
                true,
                "Parcels ship today!"
            ),
            (
                "112018845560771300",
                Kind::Reply,
                false,
                "Same here & thanks"
            ),
        ]
    );
    assert_eq!(t[1].parent_native_id.as_deref(), Some("112018845560771234"));
    assert_eq!(t[1].author.handle.as_deref(), Some("zoe@z.example"));
    assert_eq!(t[1].author.followers, Some(9));
}

#[tokio::test]
async fn like_and_mute_post_to_the_status() {
    let server = MockServer::start().await;
    for verb in ["favourite", "mute"] {
        on("POST", format!("/api/v1/statuses/555/{verb}").as_str())
            .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
            .respond_with(ok(json!({"id": "555"})))
            .expect(1)
            .mount(&server)
            .await;
    }
    let c = connector(&server);
    let it = item("555", Kind::Mention, "pal", "7");
    assert_eq!(c.act(&it, RemoteAction::Like).await, Ok(()));
    assert_eq!(c.act(&it, RemoteAction::Mute).await, Ok(()));
    server.verify().await;
}

#[tokio::test]
async fn like_of_a_deleted_status_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(answer(404, json!({"error": "Record not found"})))
        .mount(&server)
        .await;
    let it = item("555", Kind::Mention, "pal", "7");
    assert_eq!(
        connector(&server).act(&it, RemoteAction::Like).await,
        Err(ConnectorError::Refused("HTTP 404: Record not found".into()))
    );
}

#[tokio::test]
async fn dismiss_finds_the_notification_of_the_status() {
    let server = MockServer::start().await;
    let mut fav = mention(30);
    fav["type"] = json!("favourite");
    fav["status"]["id"] = json!("s31");
    serve(
        &server,
        on("GET", NOTIFICATIONS).and(query_param("limit", "80")),
        ok(json!([mention(32), fav, mention(31), mention(29)])),
    )
    .await;
    on("POST", "/api/v1/notifications/31/dismiss")
        .respond_with(ok(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let c = connector(&server);
    assert_eq!(
        c.act(
            &item("s31", Kind::Mention, "pal", "7"),
            RemoteAction::Dismiss
        )
        .await,
        Ok(())
    );
    server.verify().await;

    let err = c
        .act(
            &item("s999", Kind::Mention, "pal", "7"),
            RemoteAction::Dismiss,
        )
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ConnectorError::Refused(
            "no notification for status s999 among the latest 80; it may already be dismissed"
                .into()
        )
    );
}

#[tokio::test]
async fn dismiss_of_an_activity_item_uses_its_notification_id() {
    let server = MockServer::start().await;
    on("POST", "/api/v1/notifications/417210338/dismiss")
        .respond_with(ok(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let it = item("notification:417210338", Kind::Mention, "fav", "557");
    assert_eq!(
        connector(&server).act(&it, RemoteAction::Dismiss).await,
        Ok(())
    );
    assert!(matches!(
        connector(&server).act(&it, RemoteAction::Like).await,
        Err(ConnectorError::Unsupported(_))
    ));
    server.verify().await;
}

#[tokio::test]
async fn hide_and_delete_are_unsupported_without_a_request() {
    let server = MockServer::start().await;
    let c = connector(&server);
    let it = item("555", Kind::Mention, "pal", "7");
    for a in [RemoteAction::Hide, RemoteAction::Delete] {
        let expected = action_unavailable(Platform::Mastodon, a).unwrap();
        assert_eq!(
            c.act(&it, a).await,
            Err(ConnectorError::Unsupported(expected))
        );
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn text_limit_comes_from_the_instance_once() {
    let server = MockServer::start().await;
    on("GET", "/api/v2/instance")
        .respond_with(text(fixture("instance.json")))
        .expect(1)
        .mount(&server)
        .await;
    let c = connector(&server);
    assert_eq!(c.text_limit().await, Ok(1000));
    assert_eq!(c.text_limit().await, Ok(1000));
    server.verify().await;

    let bare = MockServer::start().await;
    serve(
        &bare,
        on("GET", "/api/v2/instance"),
        ok(json!({"domain": "x"})),
    )
    .await;
    assert_eq!(connector(&bare).text_limit().await, Ok(500));
}
