//! The shared HTTP client against a local server: the response size cap, 5xx retried only when
//! safe, `Retry-After` as an HTTP date, an exhausted rate window waited out or reported.

mod support;

use kith::connectors::http::{Http, Retry, RetryPolicy};
use kith::connectors::ConnectorError;
use std::time::{Duration, Instant, SystemTime};
use support::fake::{at, first_then, hits, serve, text};
use support::net::{self, THRICE};
use wiremock::{MockServer, ResponseTemplate};

fn http(max_body: usize) -> Http {
    let timeouts = net::timeouts(Duration::from_secs(3), max_body);
    Http::new(timeouts, vec!["sekrit-token".into()])
        .expect("client")
        .with_policy(RetryPolicy {
            cap: Duration::from_millis(40),
            ..THRICE
        })
}

#[tokio::test]
async fn bodies_over_the_cap_are_not_read() {
    let server = MockServer::start().await;
    serve(&server, at("/big"), text("x".repeat(5000))).await;
    let h = http(4096);
    let url = format!("{}/big", server.uri());
    let err = h
        .send(|c| c.get(url.as_str()), Retry::Safe)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ConnectorError::Malformed("response larger than 4096 bytes; not read".into())
    );
}

#[tokio::test]
async fn server_errors_are_retried_only_when_safe() {
    let server = MockServer::start().await;
    at("/flaky")
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    at("/flaky")
        .respond_with(text("ok"))
        .with_priority(2)
        .mount(&server)
        .await;
    let h = http(1 << 20);
    let url = format!("{}/flaky", server.uri());
    let r = h
        .send(|c| c.get(url.as_str()), Retry::Safe)
        .await
        .expect("third try");
    assert_eq!((r.status, r.body.as_slice()), (200, b"ok".as_slice()));
    assert_eq!(hits(&server).await, 3);

    let once = MockServer::start().await;
    serve(
        &once,
        at("/post"),
        ResponseTemplate::new(502).set_body_string(r#"{"error":"bad gateway sekrit-token"}"#),
    )
    .await;
    let url = format!("{}/post", once.uri());
    let err = h
        .send(|c| c.post(url.as_str()), Retry::Never)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ConnectorError::Network("HTTP 502: bad gateway •••".into())
    );
    assert_eq!(
        hits(&once).await,
        1,
        "a write that cannot be deduplicated is sent once"
    );
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let server = MockServer::start().await;
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    first_then(
        &server,
        at("/limited")
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", date.as_str())),
        at("/limited").respond_with(ResponseTemplate::new(200)),
    )
    .await;
    let h = http(1 << 20);
    let url = format!("{}/limited", server.uri());
    let t = Instant::now();
    h.send(|c| c.get(url.as_str()), Retry::Safe)
        .await
        .expect("after the date");
    // HTTP dates have one-second resolution: the wait is between ~1 and 2 s.
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    assert!(h.rate().blocked_until.is_some());
}

#[tokio::test]
async fn an_exhausted_window_is_reported_without_a_request() {
    let server = MockServer::start().await;
    serve(
        &server,
        at("/api"),
        ResponseTemplate::new(200)
            .insert_header("x-ratelimit-limit", "300")
            .insert_header("x-ratelimit-remaining", "0")
            .insert_header("x-ratelimit-reset", "2099-01-01T00:00:00.000Z"),
    )
    .await;
    let h = http(1 << 20);
    let url = format!("{}/api", server.uri());
    h.send(|c| c.get(url.as_str()), Retry::Safe)
        .await
        .expect("first");
    let rate = h.rate();
    assert_eq!((rate.limit, rate.remaining), (Some(300), Some(0)));
    match h.send(|c| c.get(url.as_str()), Retry::Safe).await {
        Err(ConnectorError::RateLimited { wait }) => assert!(wait > Duration::from_secs(3600)),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        hits(&server).await,
        1,
        "no request while the window is used up"
    );
}

/// A 429 as a Mastodon instance behind a proxy sends it: `Retry-After: 1`, and the window
/// headers saying the window is used up until five minutes from now.
fn limited_for_a_second() -> ResponseTemplate {
    let reset = (chrono::Utc::now() + chrono::Duration::minutes(5))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    ResponseTemplate::new(429)
        .insert_header("retry-after", "1")
        .insert_header("x-ratelimit-limit", "300")
        .insert_header("x-ratelimit-remaining", "0")
        .insert_header("x-ratelimit-reset", reset.as_str())
        .set_body_string(r#"{"error":"Too many requests"}"#)
}

#[tokio::test]
async fn an_explicit_retry_after_wins_over_the_window_headers_of_its_response() {
    let server = MockServer::start().await;
    first_then(
        &server,
        at("/limited").respond_with(limited_for_a_second()),
        at("/limited").respond_with(text("ok")),
    )
    .await;
    let h = http(1 << 20);
    let url = format!("{}/limited", server.uri());
    let t = Instant::now();
    let r = h
        .send(|c| c.get(url.as_str()), Retry::Safe)
        .await
        .expect("after one second, not five minutes");
    assert_eq!(r.status, 200);
    let waited = t.elapsed();
    assert!(
        waited >= Duration::from_millis(950) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    assert_eq!(hits(&server).await, 2);
}

#[tokio::test]
async fn a_caller_told_to_retry_after_a_second_is_not_held_back_by_the_stale_reset() {
    let server = MockServer::start().await;
    first_then(
        &server,
        at("/limited").respond_with(limited_for_a_second()),
        at("/limited").respond_with(ResponseTemplate::new(200)),
    )
    .await;
    // No retries of its own: the 429 goes back to the caller with its wait.
    let h = http(1 << 20).with_policy(RetryPolicy {
        attempts: 1,
        base: Duration::from_millis(10),
        cap: Duration::from_millis(40),
        max_wait: Duration::from_secs(5),
    });
    let url = format!("{}/limited", server.uri());
    match h.send(|c| c.get(url.as_str()), Retry::Safe).await {
        Err(ConnectorError::RateLimited { wait }) => assert_eq!(wait, Duration::from_secs(1)),
        other => panic!("{other:?}"),
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let t = Instant::now();
    let r = h
        .send(|c| c.get(url.as_str()), Retry::Safe)
        .await
        .expect("the wait the server named is over");
    assert_eq!(r.status, 200);
    assert!(
        t.elapsed() < Duration::from_millis(500),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(hits(&server).await, 2);
}
