//! Publishing from the outbox through the Bluesky connector against a fake server (wiremock):
//! records named after the post's idempotency key, so a retry cannot post twice (the reference
//! PDS refuses the second one with a bare 500, told apart by reading the record back); thread
//! parts linked to root and parent; `lookup` reading the record under the key; what Bluesky
//! cannot publish refused before any request.

mod support;

use kith::connectors::bluesky::{tid_for, Bluesky};
use kith::connectors::{Connector, ConnectorError, Lookup, Sent};
use kith::domain::Timestamp;
use serde_json::{json, Value};
use support::bluesky::{self, ME};
use support::fake::{answer, body, first_then, ok, on, requests_to, serve};
use support::net::THRICE;
use support::publish::{post, ts};
use wiremock::matchers::{header, query_param};
use wiremock::{MockServer, Request, ResponseTemplate};

const PASSWORD: &str = "app-pass-abcd-efgh";
const CREATE: &str = "/xrpc/com.atproto.repo.createRecord";
const GET_RECORD: &str = "/xrpc/com.atproto.repo.getRecord";

fn bluesky(server: &MockServer, dir: &std::path::Path) -> Bluesky {
    bluesky::connector(&bluesky::account("acct", server), PASSWORD, THRICE, dir)
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
    let (server, dir) = bluesky::logged_in(PASSWORD).await;
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
    let (server, dir) = bluesky::logged_in(PASSWORD).await;
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
    let (server, dir) = bluesky::logged_in(PASSWORD).await;
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
    let (server, dir) = bluesky::logged_in(PASSWORD).await;
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
    let (server, dir) = bluesky::logged_in(PASSWORD).await;
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
