//! Publishing from the outbox through the Mastodon connector against a fake server (wiremock):
//! the exact requests (bodies, idempotency keys, thread links), what each answer means for the
//! scheduler ("not published" vs "outcome unknown"), and `lookup` resolving an unknown outcome by
//! searching the account's statuses and scheduled statuses. Bluesky and Telegram are in
//! `connector_publish_bluesky.rs` and `connector_publish_telegram.rs`.

mod support;

use kith::connectors::mastodon::Mastodon;
use kith::connectors::{Connector, ConnectorError, Lookup, Sent};
use serde_json::{json, Value};
use std::time::Duration;
use support::fake::{answer, body, first_then, ok, on, requests_to, serve, text};
use support::mastodon::{self, STATUSES, TOKEN};
use support::net::THRICE;
use support::publish::{post, ts};
use wiremock::matchers::{header, query_param, query_param_is_missing};
use wiremock::{MockServer, Request, ResponseTemplate};

// ---------------------------------------------------------------------------------------------
// Mastodon

const OWN: &str = "/api/v1/accounts/42/statuses";

fn mastodon(server: &MockServer) -> Mastodon {
    mastodon::connector(server, TOKEN, THRICE)
}

async fn mount_me(server: &MockServer) {
    mastodon::me().mount(server).await;
}

fn status(id: &str, at: &str, html: &str, reply_to: Option<&str>) -> Value {
    json!({"id": id, "created_at": at, "in_reply_to_id": reply_to, "visibility": "public",
           "url": format!("https://our.example/@shop/{id}"), "content": html,
           "account": {"id": "42", "acct": "shop"}})
}

#[tokio::test]
async fn mastodon_publish_sends_the_key_and_the_exact_body() {
    let server = MockServer::start().await;
    on("POST", STATUSES)
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("idempotency-key", "post-1:acct:0"))
        .respond_with(ok(status(
            "112000000000000001",
            "2026-03-14T09:00:00.000Z",
            "<p>Nouvelle collection 🌿</p>",
            None,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let sent = mastodon(&server)
        .publish(&post("Nouvelle collection 🌿", "post-1:acct:0"))
        .await
        .expect("published");
    assert_eq!(
        sent,
        Sent {
            native_id: "112000000000000001".into(),
            url: Some("https://our.example/@shop/112000000000000001".into()),
        }
    );
    let reqs = requests_to(&server, STATUSES).await;
    assert_eq!(
        body(&reqs[0]),
        json!({"status": "Nouvelle collection 🌿", "visibility": "public"})
    );
}

#[tokio::test]
async fn mastodon_native_schedule_returns_a_scheduled_id() {
    let server = MockServer::start().await;
    on("POST", STATUSES)
        .and(header("idempotency-key", "post-2:acct:0"))
        .respond_with(ok(json!({
            "id": "3221", "scheduled_at": "2030-05-01T08:00:00.000Z",
            "params": {"text": "Bientôt !", "visibility": "public", "in_reply_to_id": null},
            "media_attachments": []})))
        .expect(1)
        .mount(&server)
        .await;
    let mut p = post("Bientôt !", "post-2:acct:0");
    p.native_at = Some(ts("2030-05-01T08:00:00Z"));
    let sent = mastodon(&server).publish(&p).await.expect("scheduled");
    assert_eq!(
        sent,
        Sent {
            native_id: "scheduled:3221".into(),
            url: None
        }
    );
    let reqs = requests_to(&server, STATUSES).await;
    assert_eq!(
        body(&reqs[0]),
        json!({"status": "Bientôt !", "visibility": "public",
               "scheduled_at": "2030-05-01T08:00:00.000Z"})
    );
}

#[tokio::test]
async fn mastodon_thread_part_answers_the_previous_part() {
    let server = MockServer::start().await;
    on("POST", STATUSES)
        .respond_with(ok(status(
            "502",
            "2026-03-14T09:00:01.000Z",
            "<p>2/2</p>",
            Some("501"),
        )))
        .expect(1)
        .mount(&server)
        .await;
    let mut p = post("2/2", "post-3:acct:1");
    p.reply_to = Some(Sent {
        native_id: "501".into(),
        url: Some("https://our.example/@shop/501".into()),
    });
    let sent = mastodon(&server).publish(&p).await.expect("part 2");
    assert_eq!(sent.native_id, "502");
    let reqs = requests_to(&server, STATUSES).await;
    assert_eq!(
        body(&reqs[0]),
        json!({"status": "2/2", "visibility": "public", "in_reply_to_id": "501"})
    );
    assert_eq!(
        reqs[0]
            .headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok()),
        Some("post-3:acct:1")
    );

    // A part cannot answer a post that does not exist yet: refused before any request.
    let mut q = post("2/2", "post-4:acct:1");
    q.reply_to = Some(Sent {
        native_id: "scheduled:77".into(),
        url: None,
    });
    let err = mastodon(&server).publish(&q).await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Unsupported(m) if m.contains("still scheduled")),
        "{err:?}"
    );
    assert_eq!(requests_to(&server, STATUSES).await.len(), 1);
}

#[tokio::test]
async fn mastodon_retries_a_5xx_with_the_same_key() {
    let server = MockServer::start().await;
    first_then(
        &server,
        on("POST", STATUSES).respond_with(ResponseTemplate::new(503).set_body_string("busy")),
        on("POST", STATUSES).respond_with(ok(status(
            "900",
            "2026-03-14T09:00:00.000Z",
            "<p>Hello</p>",
            None,
        ))),
    )
    .await;
    let sent = mastodon(&server)
        .publish(&post("Hello", "post-5:acct:0"))
        .await
        .expect("second attempt");
    assert_eq!(sent.native_id, "900");
    let reqs = requests_to(&server, STATUSES).await;
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        assert_eq!(
            r.headers
                .get("idempotency-key")
                .and_then(|v| v.to_str().ok()),
            Some("post-5:acct:0")
        );
        assert_eq!(body(r), json!({"status": "Hello", "visibility": "public"}));
    }
}

#[tokio::test]
async fn mastodon_errors_say_whether_the_post_may_be_out() {
    // 429 asking for longer than we wait: RateLimited, nothing published.
    let server = MockServer::start().await;
    serve(
        &server,
        on("POST", STATUSES),
        ResponseTemplate::new(429)
            .insert_header("retry-after", "120")
            .set_body_json(json!({"error": "Too many requests"})),
    )
    .await;
    let err = mastodon(&server)
        .publish(&post("x", "k-429"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ConnectorError::RateLimited {
            wait: Duration::from_secs(120)
        }
    );
    assert_eq!(requests_to(&server, STATUSES).await.len(), 1);

    // 422: the server refused it (validation), with its own message.
    let server = MockServer::start().await;
    serve(
        &server,
        on("POST", STATUSES),
        answer(422, json!({"error": "Validation failed: Scheduled at must be at least 5 minutes in the future"})),
    )
    .await;
    let err = mastodon(&server)
        .publish(&post("x", "k-422"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ConnectorError::Refused(
            "HTTP 422: Validation failed: Scheduled at must be at least 5 minutes in the future"
                .into()
        )
    );
    assert_eq!(requests_to(&server, STATUSES).await.len(), 1);

    // A success we cannot read: the status probably exists, so the outcome is unknown.
    let server = MockServer::start().await;
    serve(&server, on("POST", STATUSES), text("<html>ok</html>")).await;
    let err = mastodon(&server)
        .publish(&post("x", "k-200"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Network(m) if m.contains("may have been published")),
        "{err:?}"
    );

    // 5xx every time: Network (maybe accepted), after every attempt carried the same key.
    let server = MockServer::start().await;
    serve(&server, on("POST", STATUSES), ResponseTemplate::new(502)).await;
    let err = mastodon(&server)
        .publish(&post("x", "k-502"))
        .await
        .unwrap_err();
    assert_eq!(err, ConnectorError::Network("HTTP 502".into()));
    assert_eq!(requests_to(&server, STATUSES).await.len(), 3);

    // An empty post is refused before any request.
    let server = MockServer::start().await;
    let err = mastodon(&server)
        .publish(&post("  \n ", "k-empty"))
        .await
        .unwrap_err();
    assert_eq!(err, ConnectorError::Refused("the post is empty".into()));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn mastodon_lookup_finds_the_post_by_its_rendered_text() {
    let server = MockServer::start().await;
    mount_me(&server).await;
    serve(
        &server,
        on("GET", OWN)
            .and(query_param("limit", "40"))
            .and(query_param("exclude_reblogs", "true"))
            .and(query_param_is_missing("max_id")),
        ok(json!([
            // Same text, but as a reply: not our top-level post.
            status("130", "2026-03-14T09:12:00.000Z",
                "<p>Merci <span class=\"h-card\"><a href=\"https://social.example.fr/@lea\" class=\"u-url mention\">@<span>lea</span></a></span> !</p><p>Voir <a href=\"https://lumo.example/nouveautés/printemps-2026\" rel=\"nofollow noopener\" target=\"_blank\"><span class=\"invisible\">https://</span><span class=\"ellipsis\">lumo.example/nouveautés/print</span><span class=\"invisible\">emps-2026</span></a></p>",
                Some("99")),
            status("120", "2026-03-14T09:10:00.000Z",
                "<p>Merci <span class=\"h-card\"><a href=\"https://social.example.fr/@lea\" class=\"u-url mention\">@<span>lea</span></a></span> !</p><p>Voir <a href=\"https://lumo.example/nouveautés/printemps-2026\" rel=\"nofollow noopener\" target=\"_blank\"><span class=\"invisible\">https://</span><span class=\"ellipsis\">lumo.example/nouveautés/print</span><span class=\"invisible\">emps-2026</span></a></p>",
                None),
        ])),
    )
    .await;
    let p = post(
        "Merci @lea@social.example.fr !\n\nVoir https://lumo.example/nouveautés/printemps-2026",
        "k-1",
    );
    let found = mastodon(&server)
        .lookup(&p, ts("2026-03-14T09:05:00Z"))
        .await
        .expect("lookup");
    assert_eq!(
        found,
        Lookup::Found(Sent {
            native_id: "120".into(),
            url: Some("https://our.example/@shop/120".into()),
        })
    );

    // As a thread part answering 99, the other one is the match.
    let mut part = p.clone();
    part.reply_to = Some(Sent {
        native_id: "99".into(),
        url: None,
    });
    let found = mastodon(&server)
        .lookup(&part, ts("2026-03-14T09:05:00Z"))
        .await
        .expect("lookup");
    assert!(
        matches!(&found, Lookup::Found(s) if s.native_id == "130"),
        "{found:?}"
    );
}

#[tokio::test]
async fn mastodon_lookup_is_absent_once_it_reaches_past_since() {
    let server = MockServer::start().await;
    mount_me(&server).await;
    serve(
        &server,
        on("GET", OWN),
        ok(json!([
            status(
                "120",
                "2026-03-14T09:10:00.000Z",
                "<p>Something else</p>",
                None
            ),
            // The same text, but from yesterday's post: not this attempt.
            status("80", "2026-03-13T09:00:00.000Z", "<p>Bonjour !</p>", None),
        ])),
    )
    .await;
    let got = mastodon(&server)
        .lookup(&post("Bonjour !", "k-2"), ts("2026-03-14T09:00:00Z"))
        .await
        .expect("lookup");
    assert_eq!(got, Lookup::Absent);
    assert_eq!(
        requests_to(&server, OWN).await.len(),
        1,
        "one page was enough"
    );

    // An empty history is absent too.
    let server = MockServer::start().await;
    mount_me(&server).await;
    serve(&server, on("GET", OWN), ok(json!([]))).await;
    let got = mastodon(&server)
        .lookup(&post("Bonjour !", "k-3"), ts("2026-03-14T09:00:00Z"))
        .await
        .expect("lookup");
    assert_eq!(got, Lookup::Absent);
}

#[tokio::test]
async fn mastodon_lookup_pages_back_with_max_id() {
    let server = MockServer::start().await;
    mount_me(&server).await;
    let base = format!("{}{OWN}", server.uri());
    serve(
        &server,
        on("GET", OWN)
            .and(query_param_is_missing("max_id")),
        ResponseTemplate::new(200)
                .insert_header(
                    "link",
                    format!(
                        "<{base}?limit=40&exclude_reblogs=true&max_id=118>; rel=\"next\", <{base}?min_id=130>; rel=\"prev\""
                    )
                    .as_str(),
                )
                .set_body_json(json!([
                    status("130", "2026-03-14T09:30:00.000Z", "<p>Later post</p>", None),
                    status("118", "2026-03-14T09:20:00.000Z", "<p>Other post</p>", None),
                ])),
    )
    .await;
    serve(
        &server,
        on("GET", OWN).and(query_param("max_id", "118")),
        ok(json!([status(
            "110",
            "2026-03-14T09:02:00.000Z",
            "<p>Hello  <br>world</p>",
            None
        )])),
    )
    .await;
    let got = mastodon(&server)
        .lookup(&post("Hello\nworld", "k-4"), ts("2026-03-14T09:00:00Z"))
        .await
        .expect("lookup");
    assert_eq!(
        got,
        Lookup::Found(Sent {
            native_id: "110".into(),
            url: Some("https://our.example/@shop/110".into()),
        })
    );
    let reqs = requests_to(&server, OWN).await;
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs[1]
            .url
            .query_pairs()
            .find(|(k, _)| k == "max_id")
            .map(|(_, v)| v.into_owned()),
        Some("118".into())
    );
}

#[tokio::test]
async fn mastodon_lookup_is_unknowable_when_history_is_out_of_reach() {
    let server = MockServer::start().await;
    mount_me(&server).await;
    // Every page is newer than `since`: a busy account. Each page names the next one.
    serve(&server, on("GET", OWN), |req: &Request| {
        let max: u64 = req
            .url
            .query_pairs()
            .find(|(k, _)| k == "max_id")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(1000);
        let id = (max - 1).to_string();
        ok(json!([status(
            &id,
            "2026-03-14T10:00:00.000Z",
            "<p>Busy</p>",
            None
        )]))
    })
    .await;
    let got = mastodon(&server)
        .lookup(&post("Hello", "k-5"), ts("2026-03-14T09:00:00Z"))
        .await
        .expect("lookup");
    assert_eq!(got, Lookup::Unknowable);
    assert_eq!(
        requests_to(&server, OWN).await.len(),
        5,
        "at most five pages"
    );
}

#[tokio::test]
async fn mastodon_lookup_of_a_scheduled_post_reads_scheduled_statuses() {
    let server = MockServer::start().await;
    mount_me(&server).await;
    serve(
        &server,
        on("GET", "/api/v1/scheduled_statuses"),
        ok(json!([
            // Same text, another week: not this one.
            {"id": "3300", "scheduled_at": "2030-05-08T08:00:00.000Z",
             "params": {"text": "Le fil du jeudi", "in_reply_to_id": null}, "media_attachments": []},
            {"id": "3221", "scheduled_at": "2030-05-01T08:00:00.000Z",
             "params": {"text": "Le fil  du jeudi\n", "in_reply_to_id": null}, "media_attachments": []},
        ])),
    )
    .await;
    let mut p = post("Le fil du jeudi", "k-6");
    p.native_at = Some(ts("2030-05-01T08:00:00Z"));
    let got = mastodon(&server)
        .lookup(&p, ts("2026-03-14T09:00:00Z"))
        .await
        .expect("lookup");
    assert_eq!(
        got,
        Lookup::Found(Sent {
            native_id: "scheduled:3221".into(),
            url: None
        })
    );
    assert!(
        requests_to(&server, OWN).await.is_empty(),
        "found before reading statuses"
    );

    // Not scheduled and not published: absent only after both places were searched.
    p.native_at = Some(ts("2030-05-15T08:00:00Z"));
    serve(
        &server,
        on("GET", OWN),
        ok(json!([status(
            "10",
            "2026-03-01T00:00:00.000Z",
            "<p>Old</p>",
            None
        )])),
    )
    .await;
    let got = mastodon(&server)
        .lookup(&p, ts("2026-03-14T09:00:00Z"))
        .await
        .expect("lookup");
    assert_eq!(got, Lookup::Absent);
    assert_eq!(requests_to(&server, OWN).await.len(), 1);
}
