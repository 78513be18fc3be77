//! Publishing from the outbox through each connector against a fake server (wiremock): the exact
//! requests (bodies, idempotency keys, record keys, thread links), what each answer means for
//! the scheduler ("not published" vs "outcome unknown"), and `lookup` resolving an unknown
//! outcome: Mastodon searches the account's statuses, Bluesky reads the record under the post's
//! key, Telegram cannot tell.

mod support;

use kith::connectors::bluesky::{tid_for, Bluesky};
use kith::connectors::mastodon::Mastodon;
use kith::connectors::telegram::Telegram;
use kith::connectors::{Connector, ConnectorError, Lookup, Outgoing, Sent};
use kith::domain::Timestamp;
use serde_json::{json, Value};
use std::time::Duration;
use support::bluesky::ME;
use support::fake::{answer, body, first_then, ok, on, requests_to, serve, text};
use support::mastodon::STATUSES;
use support::net::THRICE;
use support::{bluesky, mastodon, telegram};
use wiremock::matchers::{header, query_param, query_param_is_missing};
use wiremock::{MockServer, Request, ResponseTemplate};

fn post(text: &str, key: &str) -> Outgoing {
    Outgoing {
        text: text.into(),
        idempotency_key: key.into(),
        reply_to: None,
        native_at: None,
    }
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).expect("timestamp")
}

// ---------------------------------------------------------------------------------------------
// Mastodon

const M_TOKEN: &str = "tok-SECRET-123456";
const OWN: &str = "/api/v1/accounts/42/statuses";

fn mastodon(server: &MockServer) -> Mastodon {
    mastodon::connector(server, M_TOKEN, THRICE)
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
        .and(header(
            "authorization",
            format!("Bearer {M_TOKEN}").as_str(),
        ))
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

// ---------------------------------------------------------------------------------------------
// Bluesky

const B_PASSWORD: &str = "app-pass-abcd-efgh";
const CREATE: &str = "/xrpc/com.atproto.repo.createRecord";
const GET_RECORD: &str = "/xrpc/com.atproto.repo.getRecord";

fn bluesky(server: &MockServer, dir: &std::path::Path) -> Bluesky {
    bluesky::connector(&bluesky::account("acct", server), B_PASSWORD, THRICE, dir)
}

async fn mount_login(server: &MockServer) {
    bluesky::login("access-1").mount(server).await;
}

fn uri_for(key: &str) -> String {
    format!("at://{ME}/app.bsky.feed.post/{}", tid_for(key))
}

fn url_for(key: &str) -> String {
    format!(
        "https://bsky.app/profile/shop.bsky.social/post/{}",
        tid_for(key)
    )
}

/// A createRecord body with `createdAt` checked and removed (it is the send time).
fn create_body(r: &Request) -> Value {
    let mut b = body(r);
    let at = b["record"]["createdAt"].as_str().expect("createdAt");
    assert!(Timestamp::parse(at).is_some(), "createdAt {at}");
    b["record"]
        .as_object_mut()
        .expect("record is an object")
        .remove("createdAt");
    b
}

#[tokio::test]
async fn bluesky_publish_names_its_record_after_the_key() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().expect("tmp");
    mount_login(&server).await;
    let key = "post-7:bsky:0";
    first_then(
        &server,
        on("POST", CREATE)
            .and(header("authorization", "Bearer access-1"))
            .respond_with(ok(json!({"uri": uri_for(key), "cid": "bafyreinew"}))),
        on("POST", CREATE).respond_with(answer(
            400,
            json!({"error": "InvalidRequest", "message": "Record already exists"}),
        )),
    )
    .await;
    let c = bluesky(&server, dir.path());
    let text = "Весенняя коллекция 🌸 https://lumo.example/весна";
    let first = c.publish(&post(text, key)).await.expect("published");
    let again = c
        .publish(&post(text, key))
        .await
        .expect("the second attempt finds the first");
    let expected = Sent {
        native_id: uri_for(key),
        url: Some(url_for(key)),
    };
    assert_eq!(first, expected);
    assert_eq!(again, expected);
    let reqs = requests_to(&server, CREATE).await;
    assert_eq!(reqs.len(), 2);
    let link_start = "Весенняя коллекция 🌸 ".len();
    for r in &reqs {
        assert_eq!(
            create_body(r),
            json!({"repo": ME, "collection": "app.bsky.feed.post", "rkey": tid_for(key),
                "record": {"$type": "app.bsky.feed.post", "text": text,
                    "facets": [{"index": {"byteStart": link_start, "byteEnd": text.len()},
                        "features": [{"$type": "app.bsky.richtext.facet#link",
                                      "uri": "https://lumo.example/весна"}]}]}})
        );
    }
    // Another key names another record.
    assert_ne!(tid_for(key), tid_for("post-7:bsky:1"));
}

#[tokio::test]
async fn bluesky_duplicate_refused_with_a_500_is_found_by_its_key() {
    // The reference PDS answers a second record under the same key with a bare 500.
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().expect("tmp");
    mount_login(&server).await;
    let key = "post-8:bsky:0";
    serve(
        &server,
        on("POST", CREATE),
        answer(
            500,
            json!({"error": "InternalServerError", "message": "Internal Server Error"}),
        ),
    )
    .await;
    serve(
        &server,
        on("GET", GET_RECORD)
            .and(query_param("repo", ME))
            .and(query_param("collection", "app.bsky.feed.post"))
            .and(query_param("rkey", tid_for(key).as_str())),
        ok(json!({
            "uri": uri_for(key), "cid": "bafyreiold",
            "value": {"$type": "app.bsky.feed.post", "text": "Hi", "createdAt": "2026-03-14T09:00:00.000Z"}})),
    )
    .await;
    let sent = bluesky(&server, dir.path())
        .publish(&post("Hi", key))
        .await
        .expect("it is there");
    assert_eq!(
        sent,
        Sent {
            native_id: uri_for(key),
            url: Some(url_for(key))
        }
    );

    // A 500 with no record under the key: the outcome stays unknown (Network).
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().expect("tmp");
    mount_login(&server).await;
    serve(&server, on("POST", CREATE), ResponseTemplate::new(502)).await;
    serve(
        &server,
        on("GET", GET_RECORD),
        answer(
            400,
            json!({"error": "RecordNotFound", "message": "Could not locate record"}),
        ),
    )
    .await;
    let err = bluesky(&server, dir.path())
        .publish(&post("Hi", "post-9:bsky:0"))
        .await
        .unwrap_err();
    assert_eq!(err, ConnectorError::Network("HTTP 502".into()));
}

#[tokio::test]
async fn bluesky_thread_part_links_root_and_parent() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().expect("tmp");
    mount_login(&server).await;
    let first = uri_for("post-10:bsky:0");
    let second = uri_for("post-10:bsky:1");
    // Part 2 (itself answering part 1) is read from the PDS: parent = part 2, root = part 1.
    serve(
        &server,
        on("GET", GET_RECORD)
            .and(query_param("rkey", tid_for("post-10:bsky:1").as_str())),
        ok(json!({
            "uri": second, "cid": "bafyreipart2",
            "value": {"$type": "app.bsky.feed.post", "text": "2/3", "createdAt": "2026-03-14T09:00:01.000Z",
                      "reply": {"root": {"uri": first, "cid": "bafyreipart1"},
                                "parent": {"uri": first, "cid": "bafyreipart1"}}}})),
    )
    .await;
    let key = "post-10:bsky:2";
    serve(
        &server,
        on("POST", CREATE),
        ok(json!({"uri": uri_for(key), "cid": "bafyreipart3"})),
    )
    .await;
    let mut p = post("3/3", key);
    p.reply_to = Some(Sent {
        native_id: second.clone(),
        url: None,
    });
    let sent = bluesky(&server, dir.path())
        .publish(&p)
        .await
        .expect("part 3");
    assert_eq!(sent.native_id, uri_for(key));
    let reqs = requests_to(&server, CREATE).await;
    assert_eq!(
        create_body(&reqs[0]),
        json!({"repo": ME, "collection": "app.bsky.feed.post", "rkey": tid_for(key),
            "record": {"$type": "app.bsky.feed.post", "text": "3/3",
                "reply": {"root": {"uri": first, "cid": "bafyreipart1"},
                          "parent": {"uri": second, "cid": "bafyreipart2"}}}})
    );
}

#[tokio::test]
async fn bluesky_lookup_reads_the_record_under_the_key() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().expect("tmp");
    mount_login(&server).await;
    let there = "post-11:bsky:0";
    serve(
        &server,
        on("GET", GET_RECORD)
            .and(query_param("rkey", tid_for(there).as_str())),
        ok(json!({
            "uri": uri_for(there), "cid": "bafyreix",
            "value": {"$type": "app.bsky.feed.post", "text": "Hi", "createdAt": "2026-03-14T09:00:00.000Z"}})),
    )
    .await;
    let gone = "post-12:bsky:0";
    serve(
        &server,
        on("GET", GET_RECORD)
            .and(query_param("rkey", tid_for(gone).as_str())),
        answer(400, json!({
            "error": "RecordNotFound", "message": format!("Could not locate record: {}", uri_for(gone))})),
    )
    .await;
    let broken = "post-13:bsky:0";
    serve(
        &server,
        on("GET", GET_RECORD).and(query_param("rkey", tid_for(broken).as_str())),
        answer(
            400,
            json!({"error": "InvalidRequest", "message": "Could not find repo"}),
        ),
    )
    .await;
    let c = bluesky(&server, dir.path());
    let since = ts("2026-03-14T09:00:00Z");
    assert_eq!(
        c.lookup(&post("Hi", there), since).await.expect("found"),
        Lookup::Found(Sent {
            native_id: uri_for(there),
            url: Some(url_for(there))
        })
    );
    assert_eq!(
        c.lookup(&post("Hi", gone), since).await.expect("absent"),
        Lookup::Absent
    );
    assert_eq!(
        c.lookup(&post("Hi", broken), since).await.unwrap_err(),
        ConnectorError::Refused("HTTP 400: InvalidRequest: Could not find repo".into())
    );
}

#[tokio::test]
async fn bluesky_refuses_what_it_cannot_publish_before_any_request() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().expect("tmp");
    let c = bluesky(&server, dir.path());
    let err = c
        .publish(&post(&"ё".repeat(301), "k-long"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ConnectorError::Refused("the post is 301 graphemes long; Bluesky allows 300".into())
    );
    // 300 graphemes, but each one heavy with combining marks: over 3000 bytes.
    let heavy = "e\u{301}\u{302}\u{303}\u{304}\u{305}\u{306}".repeat(300);
    let err = c.publish(&post(&heavy, "k-heavy")).await.unwrap_err();
    assert_eq!(
        err,
        ConnectorError::Refused(format!(
            "the post is {} bytes long; Bluesky allows 3000",
            heavy.len()
        ))
    );
    let mut p = post("Later", "k-later");
    p.native_at = Some(ts("2030-01-01T00:00:00Z"));
    let err = c.publish(&p).await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Unsupported(m) if m.contains("no scheduled posts")),
        "{err:?}"
    );
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "not even a login"
    );
}

// ---------------------------------------------------------------------------------------------
// Telegram

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
