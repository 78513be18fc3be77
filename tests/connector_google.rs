//! The Google Business Profile connector against a local server speaking My Business API v4
//! (payloads from platform-apis §7): paging over locations, a repeating page token, an edited
//! review coming back as an edit, our existing answer shown as ours, a broken review
//! quarantined, the incremental window; answers by `PUT …/reply` (path, body, 4096 bytes,
//! repeated after a 503), deleting our answer, refusals, 429 and token refresh.

mod support;

use kith::connectors::{Connector, ConnectorError, RemoteAction};
use kith::domain::{Kind, Timestamp};
use serde_json::json;
use support::fake::{body, ok, on, query, requests_to};
use support::google::{
    self as g, answered, error, item, items, list, name, review, reviews, reviews_path, sync, TOKEN,
};
use support::youtube::{hex, on_token, token_set};
use wiremock::matchers::{header, query_param};
use wiremock::{MockServer, ResponseTemplate};

const T1: &str = "2026-03-13T18:02:11.482Z";
const T2: &str = "2026-03-14T08:00:00Z";
const T3: &str = "2026-03-15T10:30:00Z";

#[tokio::test]
async fn every_location_is_paged_a_repeating_token_ends_it_and_answers_are_ours() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut anon = review("2", "Anon1", "STAR_RATING_UNSPECIFIED", "", T1, T1);
    anon["reviewer"] = json!({"isAnonymous": true, "displayName": "A Google User"});
    reviews("GET", "2")
        .and(query_param("pageToken", "p2"))
        .respond_with(list(
            vec![
                review("2", "Old1", "TWO", "Froid.", T1, T1),
                json!({"name": name("2", "Broken"), "starRating": "ONE"}),
            ],
            Some("p2"),
        ))
        .with_priority(1)
        .mount(&server)
        .await;
    reviews("GET", "2")
        .respond_with(list(
            vec![
                answered(
                    review(
                        "2",
                        "AbFvOqnEx",
                        "FOUR",
                        "Très bon accueil, un peu d'attente le samedi.",
                        T1,
                        T1,
                    ),
                    "Merci François, à bientôt !",
                    T2,
                ),
                anon,
            ],
            Some("p2"),
        ))
        .with_priority(2)
        .mount(&server)
        .await;
    reviews("GET", "3")
        .respond_with(list(
            vec![review("3", "Other", "FIVE", "Parfait", T1, T1)],
            None,
        ))
        .mount(&server)
        .await;
    let c = g::connector(&server, &["2", "3"], TOKEN, dir.path());
    let (pages, _) = sync(&c, None).await;
    assert_eq!(pages.len(), 3, "two pages of location 2, one of 3");
    let got = items(&pages);
    let ids: Vec<&str> = got.iter().map(|i| i.native_id.as_str()).collect();
    let answer = format!("{}/reply@2026-03-14T08:00:00.000Z", name("2", "AbFvOqnEx"));
    assert_eq!(
        ids,
        [
            name("2", "AbFvOqnEx").as_str(),
            answer.as_str(),
            &name("2", "Anon1"),
            &name("2", "Old1"),
            &name("3", "Other"),
        ]
    );
    let first = &got[0];
    assert_eq!(
        (first.kind, first.rating, first.text.as_str()),
        (
            Kind::Review,
            Some(4),
            "Très bon accueil, un peu d'attente le samedi."
        )
    );
    assert_eq!(first.author.name.as_deref(), Some("François Lefèvre"));
    assert_eq!(first.created_at, Timestamp::parse(T1).unwrap());
    let ours = &got[1];
    assert!(ours.ours && ours.kind == Kind::Reply, "{ours:?}");
    assert_eq!(
        ours.parent_native_id.as_deref(),
        Some(first.native_id.as_str())
    );
    assert_eq!(ours.text, "Merci François, à bientôt !");
    assert_eq!(
        (got[2].rating, got[2].author.id.as_str()),
        (None, "google:anonymous")
    );
    assert_eq!(got[2].author.name, None);
    assert_eq!((got[3].rating, got[4].rating), (Some(2), Some(5)));
    // The broken review (no createTime) is quarantined with its bytes; the rest of its page kept.
    assert_eq!(pages[1].malformed.len(), 1);
    assert!(
        pages[1].malformed[0].reason.contains("createTime"),
        "{:?}",
        pages[1].malformed
    );
    let asked = requests_to(&server, &reviews_path("2")).await;
    assert_eq!(asked.len(), 2, "the repeated token is not followed");
    assert_eq!(query(&asked[0], "pageSize").as_deref(), Some("50"));
    assert_eq!(
        query(&asked[0], "orderBy").as_deref(),
        Some("updateTime desc")
    );
    assert_eq!(query(&asked[0], "pageToken"), None);
    assert_eq!(query(&asked[1], "pageToken").as_deref(), Some("p2"));
    assert_eq!(
        asked[0]
            .headers
            .get("authorization")
            .and_then(|h| h.to_str().ok()),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(requests_to(&server, &reviews_path("3")).await.len(), 1);
}

#[tokio::test]
async fn an_edited_review_comes_back_as_an_edit_and_the_first_text_stays() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mounted = |r: serde_json::Value| {
        let server = &server;
        async move {
            server.reset().await;
            reviews("GET", "2")
                .respond_with(list(vec![r], None))
                .mount(server)
                .await;
        }
    };
    mounted(review("2", "R1", "FOUR", "Bon accueil.", T1, T1)).await;
    let c = g::connector(&server, &["2"], TOKEN, dir.path());
    let (first, cur) = sync(&c, None).await;
    assert_eq!(items(&first).len(), 1);
    assert!(items(&first)[0].tags.is_empty());

    // Only answered (the review's updateTime moves, its text and stars do not): no edit.
    mounted(answered(
        review("2", "R1", "FOUR", "Bon accueil.", T1, T2),
        "Merci !",
        T2,
    ))
    .await;
    let (pages, cur) = sync(&c, cur).await;
    assert!(
        items(&pages)
            .iter()
            .all(|i| !i.tags.contains(&"edited".to_string())),
        "{:?}",
        items(&pages)
    );

    // Changed: two stars and a new text, written at T3.
    mounted(review(
        "2",
        "R1",
        "TWO",
        "Finalement, trop d'attente.",
        T1,
        T3,
    ))
    .await;
    let (pages, cur) = sync(&c, cur).await;
    let got = items(&pages);
    assert_eq!(
        got[0].native_id,
        name("2", "R1"),
        "the first copy, kept by the store"
    );
    let edit = &got[1];
    assert_eq!(
        edit.native_id,
        format!("{}@2026-03-15T10:30:00.000Z", name("2", "R1"))
    );
    assert_eq!(
        (edit.kind, edit.rating, edit.text.as_str()),
        (Kind::Review, Some(2), "Finalement, trop d'attente.")
    );
    assert_eq!(
        edit.parent_native_id.as_deref(),
        Some(name("2", "R1").as_str())
    );
    assert_eq!(edit.tags, ["edited"]);
    assert_eq!(edit.created_at, Timestamp::parse(T3).unwrap());

    // Read again behind the mark: the same edit id, nothing new.
    let (pages, _) = sync(&c, cur).await;
    let again: Vec<String> = items(&pages).into_iter().map(|i| i.native_id).collect();
    assert_eq!(again, [name("2", "R1")], "the text is what was seen last");

    // A review first seen already edited is kept as it is now, tagged.
    let fresh = tempfile::tempdir().unwrap();
    let c = g::connector(&server, &["2"], TOKEN, fresh.path());
    let (pages, _) = sync(&c, None).await;
    let got = items(&pages);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].tags, ["edited"]);
}

#[tokio::test]
async fn a_poll_stops_at_a_page_wholly_behind_the_window() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    reviews("GET", "2")
        .and(query_param("pageToken", "more"))
        .respond_with(list(
            vec![review("2", "Old", "FIVE", "Top", T1, T1)],
            Some("more2"),
        ))
        .with_priority(1)
        .mount(&server)
        .await;
    reviews("GET", "2")
        .and(query_param("pageToken", "more2"))
        .respond_with(list(vec![], None))
        .with_priority(1)
        .mount(&server)
        .await;
    reviews("GET", "2")
        .respond_with(list(
            vec![review("2", "New", "FIVE", "Top", T3, T3)],
            Some("more"),
        ))
        .with_priority(2)
        .mount(&server)
        .await;
    let c = g::connector(&server, &["2"], TOKEN, dir.path());
    // First sync: every page.
    let (_, cur) = sync(&c, None).await;
    let first = requests_to(&server, &reviews_path("2")).await.len();
    assert_eq!(first, 3);
    // Next poll: page 1 holds the newest again, page 2 is wholly older than T3 - 24 h.
    sync(&c, cur).await;
    assert_eq!(
        requests_to(&server, &reviews_path("2")).await.len(),
        first + 2
    );
}

#[tokio::test]
async fn an_answer_is_put_at_the_review_path_and_repeated_after_a_503() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let at = "/v4/accounts/1/locations/2/reviews/AbFvOqnEx/reply";
    on("PUT", at)
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    on("PUT", at)
        .respond_with(ok(json!({"comment": "Merci !", "updateTime": T2})))
        .with_priority(2)
        .mount(&server)
        .await;
    let c = g::connector(&server, &["2"], TOKEN, dir.path());
    let review = item(&name("2", "AbFvOqnEx"));
    let sent = c.reply(&review, "Merci !", "key-1").await.unwrap();
    assert_eq!(
        sent.native_id,
        format!("{}/reply@2026-03-14T08:00:00.000Z", name("2", "AbFvOqnEx")),
        "the id a sync gives the same answer"
    );
    let puts = requests_to(&server, at).await;
    assert_eq!(puts.len(), 2, "the PUT is safe to repeat");
    for p in &puts {
        assert_eq!(body(p), json!({"comment": "Merci !"}));
    }
    // An answer to an edit goes to the review itself.
    let mut edit = item(&format!(
        "{}@2026-03-15T10:30:00.000Z",
        name("2", "AbFvOqnEx")
    ));
    edit.root_native_id = Some(name("2", "AbFvOqnEx"));
    c.reply(&edit, "Désolé.", "key-2").await.unwrap();
    assert_eq!(requests_to(&server, at).await.len(), 3);
}

#[tokio::test]
async fn an_answer_over_4096_bytes_is_refused_before_sending() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let at = "/v4/accounts/1/locations/2/reviews/R1/reply";
    on("PUT", at)
        .respond_with(ok(json!({"comment": "x", "updateTime": T2})))
        .mount(&server)
        .await;
    let c = g::connector(&server, &["2"], TOKEN, dir.path());
    let review = item(&name("2", "R1"));
    // 2049 "é" are 2049 characters but 4098 bytes.
    let err = c.reply(&review, &"é".repeat(2049), "k").await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Refused(m) if m.contains("4098 bytes")),
        "{err:?}"
    );
    assert!(requests_to(&server, at).await.is_empty());
    c.reply(&review, &"é".repeat(2048), "k").await.unwrap();
    assert_eq!(requests_to(&server, at).await.len(), 1);
}

#[tokio::test]
async fn our_answer_is_deleted_and_reviews_cannot_be_liked_hidden_or_deleted() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let at = "/v4/accounts/1/locations/2/reviews/R1/reply";
    on("DELETE", at)
        .respond_with(ok(json!({})))
        .mount(&server)
        .await;
    let c = g::connector(&server, &["2"], TOKEN, dir.path());
    let mut ours = item(&format!(
        "{}/reply@2026-03-14T08:00:00.000Z",
        name("2", "R1")
    ));
    ours.kind = Kind::Reply;
    ours.parent_native_id = Some(name("2", "R1"));
    ours.root_native_id = Some(name("2", "R1"));
    ours.outgoing = Some(kith::domain::Outgoing::Sent { url: None });
    c.act(&ours, RemoteAction::Delete).await.unwrap();
    assert_eq!(requests_to(&server, at).await.len(), 1);
    kith::i18n::init(kith::i18n::Lang::En);
    let review = item(&name("2", "R1"));
    for a in [RemoteAction::Like, RemoteAction::Hide, RemoteAction::Delete] {
        let err = c.act(&review, a).await.unwrap_err();
        assert_eq!(
            err,
            ConnectorError::Unsupported(
                "Owners cannot hide, like or delete a Google review: answer it publicly instead"
                    .into()
            )
        );
    }
    assert_eq!(requests_to(&server, at).await.len(), 1, "nothing sent");
}

#[tokio::test]
async fn google_errors_become_kith_errors() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    reviews("GET", "2")
        .respond_with(error(429, "RESOURCE_EXHAUSTED", "Quota exceeded"))
        .mount(&server)
        .await;
    reviews("GET", "3")
        .respond_with(error(
            403,
            "PERMISSION_DENIED",
            "The caller does not have permission",
        ))
        .mount(&server)
        .await;
    reviews("GET", "4")
        .respond_with(error(404, "NOT_FOUND", "Requested entity was not found."))
        .mount(&server)
        .await;
    let err = g::connector(&server, &["2"], TOKEN, dir.path())
        .fetch(None)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::RateLimited { .. }), "{err:?}");
    let err = g::connector(&server, &["3"], TOKEN, dir.path())
        .fetch(None)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ConnectorError::Refused(
            "google: PERMISSION_DENIED: The caller does not have permission".into()
        )
    );
    let err = g::connector(&server, &["4"], TOKEN, dir.path())
        .fetch(None)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ConnectorError::Refused("google: NOT_FOUND: Requested entity was not found.".into())
    );
}

#[tokio::test]
async fn an_expiring_token_is_refreshed_kept_and_a_refused_one_refreshed_once() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    on_token(&server, "ya29.fresh").await;
    reviews("GET", "2")
        .and(header("authorization", "Bearer ya29.fresh"))
        .respond_with(list(vec![], None))
        .mount(&server)
        .await;
    reviews("GET", "2")
        .and(header("authorization", "Bearer ya29.revoked"))
        .respond_with(error(401, "UNAUTHENTICATED", "Invalid Credentials"))
        .mount(&server)
        .await;
    let expired = token_set("ya29.old", Timestamp::now().0 - 1000);
    let c = g::connector(&server, &["2"], &expired, dir.path());
    let me = c.whoami().await.unwrap();
    assert_eq!((me.id.as_str(), me.handle.as_str()), ("1", "accounts/1"));
    kith::i18n::init(kith::i18n::Lang::En);
    assert_eq!(
        me.abilities[0].to_string(),
        "location 2: 4.3★ on average from 27 reviews"
    );
    let form = String::from_utf8(requests_to(&server, "/token").await[0].body.clone()).unwrap();
    assert!(form.contains("refresh_token=refresh-abc"), "{form}");
    let kept = dir
        .path()
        .join("google")
        .join(format!("{}.token.json", hex("gbp")));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // A token the server refuses before it expires: refreshed once, the call repeated.
    let other = tempfile::tempdir().unwrap();
    let revoked = token_set("ya29.revoked", Timestamp::now().0 + 3_600_000);
    let c = g::connector(&server, &["2"], &revoked, other.path());
    c.fetch(None).await.unwrap();
    assert_eq!(requests_to(&server, "/token").await.len(), 2);
    // A bare token that is refused cannot be refreshed: a human must act.
    let bare = MockServer::start().await;
    reviews("GET", "2")
        .respond_with(error(401, "UNAUTHENTICATED", "Invalid Credentials"))
        .mount(&bare)
        .await;
    let err = g::connector(&bare, &["2"], "ya29.revoked", dir.path())
        .fetch(None)
        .await
        .unwrap_err();
    assert!(err.is_auth(), "{err:?}");
    assert!(!err.to_string().contains("ya29.revoked"));
}
