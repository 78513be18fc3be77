//! The YouTube connector's writes and quota against a local server speaking the Data API v3:
//! `quotaExceeded` waits for Pacific midnight; a reply whose outcome is unknown is found by
//! listing the thread instead of being sent twice; moderation with its exact parameters; the
//! quota ledger counting units and setting the poll floor.

mod support;

use kith::connectors::youtube::{pacific, quota};
use kith::connectors::{Connector, ConnectorError, RemoteAction};
use kith::domain::remote::{BanReason, BanTerms};
use kith::domain::{Kind, Timestamp};
use serde_json::json;
use std::time::Duration;
use support::fake::{answer, ok, requests_to};
use support::youtube::{
    self as yt, api, comment, hex, list, quiet_moderation_passes, reply, sync, thread, CHANNEL,
    COMMENTS, THREADS, TOKEN,
};
use wiremock::matchers::query_param;
use wiremock::{MockServer, ResponseTemplate};

#[tokio::test]
async fn quota_exceeded_waits_for_pacific_midnight_without_asking_again() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    api("GET", "commentThreads")
        .respond_with(yt::error(
            403,
            "quotaExceeded",
            "The request cannot be completed because you have exceeded your quota.",
        ))
        .mount(&server)
        .await;
    let c = yt::connector(&server, TOKEN, dir.path());
    let before = Timestamp::now();
    let err = c.fetch(None).await.unwrap_err();
    let ConnectorError::RateLimited { wait } = err else {
        panic!("{err:?}")
    };
    let midnight = pacific::next_midnight(before);
    let expect = Duration::from_millis((midnight.0 - before.0) as u64);
    assert!(
        expect.saturating_sub(wait) < Duration::from_secs(5) && wait <= expect,
        "{wait:?} vs {expect:?}"
    );
    let rate = c.rate_info();
    assert_eq!((rate.limit, rate.remaining), (Some(10_000), Some(0)));
    assert_eq!(rate.reset_at, Some(midnight));
    assert!(c.poll_floor().unwrap() > Duration::from_secs(60));
    // The next call does not spend another unit on a certain refusal.
    assert!(matches!(
        c.fetch(None).await,
        Err(ConnectorError::RateLimited { .. })
    ));
    assert_eq!(requests_to(&server, THREADS).await.len(), 1);
    // A short rate limit is a short wait.
    let busy = MockServer::start().await;
    api("GET", "commentThreads")
        .respond_with(yt::error(403, "rateLimitExceeded", "slow down"))
        .mount(&busy)
        .await;
    let other = tempfile::tempdir().unwrap();
    assert_eq!(
        yt::connector(&busy, TOKEN, other.path())
            .fetch(None)
            .await
            .unwrap_err(),
        ConnectorError::RateLimited {
            wait: Duration::from_secs(60)
        }
    );
}

#[tokio::test]
async fn an_unknown_reply_outcome_is_looked_up_not_sent_twice() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    api("POST", "comments")
        .respond_with(answer(
            500,
            json!({"error": {"code": 500, "message": "backend"}}),
        ))
        .mount(&server)
        .await;
    // Before the insert, not there yet (the look every reply starts with).
    api("GET", "comments")
        .respond_with(list(vec![], None))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    api("GET", "comments")
        .and(query_param("parentId", "c1"))
        .respond_with(list(
            vec![
                reply("c1.fan", "c1", "fan", "Спасибо!", "2026-03-14T09:00:00Z"),
                // Ours, same text, but long before this attempt: an older answer, not this one.
                reply(
                    "c1.old",
                    "c1",
                    "ourChannel000000000000",
                    "Спасибо!",
                    "2020-01-01T00:00:00Z",
                ),
                reply(
                    "c1.ours",
                    "c1",
                    "ourChannel000000000000",
                    "Спасибо!",
                    &Timestamp::now().to_rfc3339(),
                ),
            ],
            None,
        ))
        .mount(&server)
        .await;
    let c = yt::connector(&server, TOKEN, dir.path());
    // Answering a reply goes under its top-level comment.
    let sent = c
        .reply(
            &yt::item("c1.fan", Kind::Reply, Some("c1")),
            "Спасибо!",
            "key-1",
        )
        .await
        .unwrap();
    assert_eq!(sent.native_id, "c1.ours");
    assert_eq!(
        sent.url.as_deref(),
        Some("https://www.youtube.com/watch?v=vId123abcde&lc=c1.ours")
    );
    let posts = requests_to(&server, COMMENTS)
        .await
        .into_iter()
        .filter(|r| r.method.as_str() == "POST")
        .collect::<Vec<_>>();
    assert_eq!(posts.len(), 1, "never sent twice");
    assert_eq!(
        support::fake::query(&posts[0], "part").as_deref(),
        Some("snippet")
    );
    assert_eq!(
        support::fake::body(&posts[0]),
        json!({"snippet": {"parentId": "c1", "textOriginal": "Спасибо!"}})
    );
}

#[tokio::test]
async fn a_reply_not_found_after_a_failure_is_sent_once_more() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    support::fake::first_then(
        &server,
        api("POST", "comments").respond_with(answer(503, json!({}))),
        api("POST", "comments").respond_with(ok(json!({"kind": "youtube#comment", "id": "c1.new",
            "snippet": {"parentId": "c1", "textOriginal": "Thanks!",
                "authorChannelId": {"value": CHANNEL}, "publishedAt": "2026-03-14T09:00:00Z"}}))),
    )
    .await;
    api("GET", "comments")
        .respond_with(list(vec![], None))
        .mount(&server)
        .await;
    let c = yt::connector(&server, TOKEN, dir.path());
    let sent = c
        .reply(&yt::item("c1", Kind::Comment, None), "Thanks!", "key-2")
        .await
        .unwrap();
    assert_eq!(sent.native_id, "c1.new");
    let reqs = requests_to(&server, COMMENTS).await;
    let verbs: Vec<_> = reqs.iter().map(|r| r.method.as_str().to_string()).collect();
    assert_eq!(
        verbs,
        ["GET", "POST", "GET", "POST"],
        "looked before sending, and again before sending again"
    );
    // Too long: refused before any request.
    let long = "é".repeat(10_001);
    let err = c
        .reply(&yt::item("c1", Kind::Comment, None), &long, "key-3")
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Refused(_)), "{err:?}");
    assert_eq!(requests_to(&server, COMMENTS).await.len(), 4);
}

#[tokio::test]
async fn moderation_sets_the_status_youtube_knows() {
    kith::i18n::init(kith::i18n::Lang::En);
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    api("POST", "comments/setModerationStatus")
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let c = yt::connector(&server, TOKEN, dir.path());
    let it = yt::item("c1", Kind::Comment, None);
    let ban = RemoteAction::Ban(BanTerms {
        days: 30,
        reason: BanReason::Spam,
    });
    for a in [
        RemoteAction::Hide,
        RemoteAction::Restore,
        RemoteAction::Reject,
        ban,
    ] {
        c.act(&it, a).await.unwrap();
    }
    let reqs = requests_to(&server, "/youtube/v3/comments/setModerationStatus").await;
    // Google answers a POST without a length with 411.
    assert_eq!(
        reqs[0]
            .headers
            .get("content-length")
            .map(|v| v.to_str().unwrap()),
        Some("0")
    );
    let got: Vec<_> = reqs
        .iter()
        .map(|r| {
            let mut q: Vec<_> = r
                .url
                .query_pairs()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            q.sort();
            q.join("&")
        })
        .collect();
    assert_eq!(
        got,
        [
            "id=c1&moderationStatus=heldForReview",
            "id=c1&moderationStatus=published",
            "id=c1&moderationStatus=rejected",
            "banAuthor=true&id=c1&moderationStatus=rejected",
        ]
    );
    let like = c.act(&it, RemoteAction::Like).await.unwrap_err();
    assert_eq!(
        like,
        ConnectorError::Unsupported(
            "YouTube has no API to like a comment; only its website can".into()
        )
    );
    let del = c.act(&it, RemoteAction::Delete).await.unwrap_err();
    assert!(
        matches!(&del, ConnectorError::Unsupported(m) if m.contains("Only a comment's author")),
        "{del:?}"
    );
    assert_eq!(
        requests_to(&server, "/youtube/v3/comments/setModerationStatus")
            .await
            .len(),
        4
    );
    // 4 moderation calls at 50 units.
    assert_eq!(c.rate_info().remaining, Some(10_000 - 4 * quota::WRITE));
}

#[tokio::test]
async fn the_ledger_counts_units_and_the_last_pass_sets_the_poll_floor() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    quiet_moderation_passes(&server).await;
    api("GET", "commentThreads")
        .and(query_param("moderationStatus", "published"))
        .respond_with(list(
            vec![thread(
                comment("c1", "a", "top", "2026-03-14T09:00:00Z"),
                vec![],
                2,
            )],
            None,
        ))
        .mount(&server)
        .await;
    api("GET", "comments")
        .respond_with(list(
            vec![reply("c1.r1", "c1", "b", "x", "2026-03-14T09:10:00Z")],
            None,
        ))
        .mount(&server)
        .await;
    api("POST", "comments")
        .respond_with(ok(
            json!({"id": "c1.mine", "snippet": {"videoId": yt::VIDEO}}),
        ))
        .mount(&server)
        .await;
    let c = yt::connector(&server, TOKEN, dir.path());
    sync(&c, None).await;
    // Three passes and one comments.list: 4 units.
    assert_eq!(c.rate_info().remaining, Some(10_000 - 4));
    c.reply(&yt::item("c1", Kind::Comment, None), "hi", "k")
        .await
        .unwrap();
    // The reply looks first (1 unit), then inserts (50).
    assert_eq!(c.rate_info().remaining, Some(10_000 - 55));
    // Another connector of the same bare-token account reads the same ledger.
    let file = dir
        .path()
        .join("quota")
        .join(format!("{}.json", hex("account:yt")));
    let spent: serde_json::Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    assert_eq!(
        (spent["used"].as_u64(), spent["last_pass"].as_u64()),
        (Some(55), Some(4))
    );
    assert_eq!(c.poll_floor(), Some(quota::MIN_POLL));
}

#[tokio::test]
async fn a_later_attempt_with_the_same_key_looks_before_sending() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    api("POST", "comments")
        .respond_with(answer(502, json!({})))
        .mount(&server)
        .await;
    // Not listed yet when the attempts fail (YouTube may show it a little later): looked at
    // before the first insert and after each failure.
    api("GET", "comments")
        .respond_with(list(vec![], None))
        .up_to_n_times(3)
        .with_priority(1)
        .mount(&server)
        .await;
    api("GET", "comments")
        .respond_with(list(
            vec![reply(
                "c1.late",
                "c1",
                "ourChannel000000000000",
                "Thanks!",
                &Timestamp::now().to_rfc3339(),
            )],
            None,
        ))
        .with_priority(2)
        .mount(&server)
        .await;
    let c = yt::connector(&server, TOKEN, dir.path());
    let it = yt::item("c1", Kind::Comment, None);
    // The first call: sent, failed, not found, sent again, failed again: outcome unknown.
    let err = c.reply(&it, "Thanks!", "key-9").await.unwrap_err();
    assert!(matches!(err, ConnectorError::Network(_)), "{err:?}");
    let posts =
        |reqs: Vec<wiremock::Request>| reqs.iter().filter(|r| r.method.as_str() == "POST").count();
    assert_eq!(posts(requests_to(&server, COMMENTS).await), 2);
    // The operator retries: the reply turned up meanwhile, so nothing is sent.
    let sent = c.reply(&it, "Thanks!", "key-9").await.unwrap();
    assert_eq!(sent.native_id, "c1.late");
    assert_eq!(posts(requests_to(&server, COMMENTS).await), 2);
    // After a restart (a connector that remembers nothing) the engine's retry looks first too.
    let restarted = yt::connector(&server, TOKEN, dir.path());
    let again = restarted.reply(&it, "Thanks!", "key-9").await.unwrap();
    assert_eq!(again.native_id, "c1.late");
    assert_eq!(posts(requests_to(&server, COMMENTS).await), 2);
}
