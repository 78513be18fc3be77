//! The YouTube connector's pull and auth against a local server speaking the Data API v3:
//! comment threads paged with `nextPageToken` through the published, held and likely-spam
//! passes; a repeating page token ends a pass; embedded replies completed by `comments.list`; a
//! broken comment quarantined; an expiring or refused token refreshed and kept.

mod support;

use kith::connectors::Connector;
use kith::domain::{Kind, Status, Timestamp};
use serde_json::json;
use support::engine::{self, TempEngine};
use support::fake::{ok, requests_to};
use support::youtube::{
    self as yt, api, comment, hex, list, on_token, quiet_moderation_passes, reply, sync, thread,
    CHANNEL, COMMENTS, THREADS, TOKEN,
};
use wiremock::matchers::{header, query_param, query_param_is_missing};
use wiremock::MockServer;

#[tokio::test]
async fn threads_are_paged_through_all_three_passes_with_tags() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    api("GET", "commentThreads")
        .and(query_param("moderationStatus", "published"))
        .and(query_param_is_missing("pageToken"))
        .respond_with(list(
            vec![thread(
                comment(
                    "c1",
                    "mariagarcía",
                    "¡Gran vídeo! ¿Habrá subtítulos en español?",
                    "2026-03-14T09:19:02Z",
                ),
                vec![],
                0,
            )],
            Some("P2"),
        ))
        .mount(&server)
        .await;
    api("GET", "commentThreads")
        .and(query_param("moderationStatus", "published"))
        .and(query_param("pageToken", "P2"))
        .respond_with(list(
            vec![thread(
                comment("c0", "li", "你好", "2026-03-13T09:00:00Z"),
                vec![],
                0,
            )],
            None,
        ))
        .mount(&server)
        .await;
    api("GET", "commentThreads")
        .and(query_param("moderationStatus", "heldForReview"))
        .respond_with(list(
            vec![thread(
                comment("h1", "olga", "ссылка тут", "2026-03-14T10:00:00Z"),
                vec![],
                0,
            )],
            None,
        ))
        .mount(&server)
        .await;
    api("GET", "commentThreads")
        .and(query_param("moderationStatus", "likelySpam"))
        .respond_with(list(
            vec![thread(
                comment("s1", "bot", "cheap followers", "2026-03-14T11:00:00Z"),
                vec![],
                0,
            )],
            None,
        ))
        .mount(&server)
        .await;
    let c = yt::connector(&server, TOKEN, dir.path());
    let (pages, _) = sync(&c, None).await;
    let items: Vec<_> = pages.iter().flat_map(|p| p.items.clone()).collect();
    let ids: Vec<_> = items.iter().map(|i| i.native_id.as_str()).collect();
    assert_eq!(ids, ["c1", "c0", "h1", "s1"]);
    assert_eq!(
        pages.len(),
        4,
        "two published pages, then one per moderation pass"
    );
    let c1 = &items[0];
    assert_eq!(c1.kind, Kind::Comment);
    assert_eq!(c1.text, "¡Gran vídeo! ¿Habrá subtítulos en español?");
    assert_eq!(c1.author.id, "UCmariagarcía");
    assert_eq!(c1.author.handle.as_deref(), Some("@mariagarcía"));
    assert_eq!(c1.author.name.as_deref(), Some("@mariagarcía"));
    assert_eq!(c1.post_native_id.as_deref(), Some(yt::VIDEO));
    assert_eq!(c1.parent_native_id, None);
    assert_eq!(
        c1.created_at,
        Timestamp::parse("2026-03-14T09:19:02Z").unwrap()
    );
    assert_eq!(
        c1.url.as_deref(),
        Some("https://www.youtube.com/watch?v=vId123abcde&lc=c1")
    );
    assert_eq!((c1.status, c1.tags.clone()), (Status::New, vec![]));
    assert_eq!(
        (items[2].status, items[2].tags.clone()),
        (Status::New, vec!["held".to_string()])
    );
    assert_eq!(
        (items[3].status, items[3].tags.clone()),
        (Status::Spam, vec!["likely-spam".to_string()])
    );
    let reqs = requests_to(&server, THREADS).await;
    assert_eq!(reqs.len(), 4);
    let q = |k: &str| support::fake::query(&reqs[0], k);
    assert_eq!(q("part").as_deref(), Some("snippet,replies"));
    assert_eq!(q("allThreadsRelatedToChannelId").as_deref(), Some(CHANNEL));
    assert_eq!(q("maxResults").as_deref(), Some("100"));
    assert_eq!(q("order").as_deref(), Some("time"));
    assert_eq!(q("textFormat").as_deref(), Some("plainText"));
    assert_eq!(
        reqs[0].headers.get("authorization").unwrap(),
        &format!("Bearer {TOKEN}")
    );
}

#[tokio::test]
async fn a_repeating_page_token_ends_the_pass() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    quiet_moderation_passes(&server).await;
    api("GET", "commentThreads")
        .and(query_param("moderationStatus", "published"))
        .and(query_param_is_missing("pageToken"))
        .respond_with(list(
            vec![thread(
                comment("c1", "a", "one", "2026-03-14T09:00:00Z"),
                vec![],
                0,
            )],
            Some("LOOP"),
        ))
        .mount(&server)
        .await;
    // A server that hands out the same token again would page for ever.
    api("GET", "commentThreads")
        .and(query_param("pageToken", "LOOP"))
        .respond_with(list(
            vec![thread(
                comment("c2", "a", "two", "2026-03-14T08:00:00Z"),
                vec![],
                0,
            )],
            Some("LOOP"),
        ))
        .mount(&server)
        .await;
    let c = yt::connector(&server, TOKEN, dir.path());
    let (pages, _) = sync(&c, None).await;
    let published: Vec<_> = requests_to(&server, THREADS)
        .await
        .into_iter()
        .filter(|r| support::fake::query(r, "moderationStatus").as_deref() == Some("published"))
        .collect();
    assert_eq!(published.len(), 2);
    assert_eq!(pages.iter().map(|p| p.items.len()).sum::<usize>(), 2);
}

#[tokio::test]
async fn embedded_replies_are_completed_from_comments_list() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    quiet_moderation_passes(&server).await;
    let r = |n: u32| {
        reply(
            &format!("c1.r{n}"),
            "c1",
            if n == 2 {
                "ourChannel000000000000"
            } else {
                "fan"
            },
            &format!("reply {n}"),
            &format!("2026-03-14T10:0{n}:00Z"),
        )
    };
    api("GET", "commentThreads")
        .and(query_param("moderationStatus", "published"))
        .respond_with(list(
            vec![
                thread(
                    comment("c1", "mariagarcía", "top", "2026-03-14T09:00:00Z"),
                    vec![r(1)],
                    3,
                ),
                // All its replies are embedded: no comments.list for it.
                thread(
                    comment("c2", "li", "top2", "2026-03-14T08:00:00Z"),
                    vec![reply("c2.r1", "c2", "fan", "x", "2026-03-14T08:30:00Z")],
                    1,
                ),
            ],
            None,
        ))
        .mount(&server)
        .await;
    api("GET", "comments")
        .and(query_param("parentId", "c1"))
        .and(query_param_is_missing("pageToken"))
        .respond_with(list(vec![r(1), r(2)], Some("R2")))
        .mount(&server)
        .await;
    api("GET", "comments")
        .and(query_param("parentId", "c1"))
        .and(query_param("pageToken", "R2"))
        .respond_with(list(vec![r(3)], None))
        .mount(&server)
        .await;
    let c = yt::connector(&server, TOKEN, dir.path());
    let (pages, cursor) = sync(&c, None).await;
    let items: Vec<_> = pages.iter().flat_map(|p| p.items.clone()).collect();
    let ids: Vec<_> = items.iter().map(|i| i.native_id.as_str()).collect();
    assert_eq!(ids, ["c1", "c1.r1", "c1.r2", "c1.r3", "c2", "c2.r1"]);
    let r3 = &items[3];
    assert_eq!(r3.kind, Kind::Reply);
    assert_eq!(r3.parent_native_id.as_deref(), Some("c1"));
    assert_eq!(r3.root_native_id.as_deref(), Some("c1"));
    assert_eq!(r3.text, "reply 3");
    assert!(items[2].ours && !r3.ours, "our channel's own reply is ours");
    let reqs = requests_to(&server, COMMENTS).await;
    assert_eq!(reqs.len(), 2, "one thread's replies, two pages");
    assert_eq!(
        support::fake::query(&reqs[0], "part").as_deref(),
        Some("snippet")
    );
    assert_eq!(
        support::fake::query(&reqs[0], "maxResults").as_deref(),
        Some("100")
    );
    // The next poll knows c1's replies are all read while it still has 3.
    let (again, _) = sync(&c, cursor).await;
    assert_eq!(requests_to(&server, COMMENTS).await.len(), 2);
    let ids: Vec<_> = again
        .iter()
        .flat_map(|p| p.items.iter().map(|i| i.native_id.clone()))
        .collect();
    assert_eq!(
        ids,
        ["c1", "c1.r1", "c2", "c2.r1"],
        "re-read, deduplicated by the store"
    );
}

#[tokio::test]
async fn a_broken_comment_is_quarantined_and_the_page_kept() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    quiet_moderation_passes(&server).await;
    let mut no_date = comment("bad1", "x", "no date", "2026-03-14T09:00:00Z");
    no_date["snippet"]
        .as_object_mut()
        .unwrap()
        .remove("publishedAt");
    let mut no_author = reply("bad2", "c1", "y", "who?", "2026-03-14T09:30:00Z");
    no_author["snippet"]["authorChannelId"] = json!(null);
    api("GET", "commentThreads")
        .and(query_param("moderationStatus", "published"))
        .respond_with(list(
            vec![
                thread(
                    comment("c1", "a", "fine", "2026-03-14T09:00:00Z"),
                    vec![
                        no_author,
                        reply("c1.r1", "c1", "b", "ok", "2026-03-14T09:40:00Z"),
                    ],
                    2,
                ),
                thread(no_date, vec![], 0),
                json!("not a thread"),
            ],
            None,
        ))
        .mount(&server)
        .await;
    let c = yt::connector(&server, TOKEN, dir.path());
    let page = c.fetch(None).await.unwrap();
    let ids: Vec<_> = page.items.iter().map(|i| i.native_id.as_str()).collect();
    assert_eq!(ids, ["c1", "c1.r1"]);
    assert_eq!(page.malformed.len(), 3);
    assert!(
        page.malformed[0].reason.contains("bad2"),
        "{:?}",
        page.malformed[0].reason
    );
    assert!(String::from_utf8_lossy(&page.malformed[0].raw).contains("who?"));
    assert!(
        page.malformed[1].reason.contains("publishedAt"),
        "{:?}",
        page.malformed[1].reason
    );
    assert_eq!(page.malformed[2].raw, b"\"not a thread\"");
    assert!(page.more, "the held pass comes next");
}

#[tokio::test]
async fn an_expiring_token_is_refreshed_kept_and_used() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    on_token(&server, "ya29.fresh").await;
    api("GET", "channels")
        .and(header("authorization", "Bearer ya29.fresh"))
        .respond_with(ok(json!({"items": [{"id": CHANNEL,
            "snippet": {"title": "Our Channel", "customUrl": "@ourchannel"}}]})))
        .mount(&server)
        .await;
    let expired = yt::token_set("ya29.old", Timestamp::now().0 - 1000);
    let c = yt::connector(&server, &expired, dir.path());
    let me = c.whoami().await.unwrap();
    assert_eq!(
        (me.id.as_str(), me.handle.as_str(), me.name.as_deref()),
        (CHANNEL, "@ourchannel", Some("Our Channel"))
    );
    let form = String::from_utf8(requests_to(&server, "/token").await[0].body.clone()).unwrap();
    assert!(
        form.contains("grant_type=refresh_token") && form.contains("refresh_token=refresh-abc"),
        "{form}"
    );
    // Kept 0600, and a new connector built from the old secret starts from it.
    let kept = dir
        .path()
        .join("youtube")
        .join(format!("{}.token.json", hex("yt")));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&kept).unwrap()).unwrap();
    assert_eq!(saved["access_token"], "ya29.fresh");
    assert_eq!(saved["refresh_token"], "refresh-abc");
    let again = yt::connector(&server, &expired, dir.path());
    again.whoami().await.unwrap();
    assert_eq!(
        requests_to(&server, "/token").await.len(),
        1,
        "no second refresh"
    );
}

#[tokio::test]
async fn a_refused_token_is_refreshed_once_and_the_call_repeated() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    on_token(&server, "ya29.fresh").await;
    api("GET", "channels")
        .and(header("authorization", "Bearer ya29.fresh"))
        .respond_with(ok(
            json!({"items": [{"id": CHANNEL, "snippet": {"title": "Ours"}}]}),
        ))
        .mount(&server)
        .await;
    api("GET", "channels")
        .and(header("authorization", "Bearer ya29.revoked"))
        .respond_with(yt::error(401, "authError", "Invalid Credentials"))
        .mount(&server)
        .await;
    let fresh_for_an_hour = yt::token_set("ya29.revoked", Timestamp::now().0 + 3_600_000);
    let c = yt::connector(&server, &fresh_for_an_hour, dir.path());
    assert_eq!(c.whoami().await.unwrap().handle, CHANNEL);
    assert_eq!(requests_to(&server, "/youtube/v3/channels").await.len(), 2);
    // A bare token that is refused cannot be refreshed: a human must act.
    let bare = MockServer::start().await;
    api("GET", "channels")
        .respond_with(yt::error(401, "authError", "Invalid Credentials"))
        .mount(&bare)
        .await;
    let err = yt::connector(&bare, TOKEN, dir.path())
        .whoami()
        .await
        .unwrap_err();
    assert!(err.is_auth(), "{err:?}");
    assert!(!err.to_string().contains(TOKEN));
}

#[tokio::test]
async fn a_poll_stops_at_a_page_wholly_behind_the_window() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    quiet_moderation_passes(&server).await;
    let page = |token: Option<&str>, id: &str, at: &str, next: Option<&str>| {
        let m = api("GET", "commentThreads").and(query_param("moderationStatus", "published"));
        let m = match token {
            Some(t) => m.and(query_param("pageToken", t)),
            None => m.and(query_param_is_missing("pageToken")),
        };
        m.respond_with(list(
            vec![thread(comment(id, "a", id, at), vec![], 0)],
            next,
        ))
    };
    page(None, "new", "2026-03-14T12:00:00Z", Some("P2"))
        .mount(&server)
        .await;
    // Four hours behind the newest: inside the window, read again by every poll.
    page(Some("P2"), "recent", "2026-03-14T08:00:00Z", Some("P3"))
        .mount(&server)
        .await;
    // A day behind: a poll stops here; only the first sync goes on to P4.
    page(Some("P3"), "old", "2026-03-13T12:00:00Z", Some("P4"))
        .mount(&server)
        .await;
    page(Some("P4"), "older", "2026-03-12T12:00:00Z", None)
        .mount(&server)
        .await;
    let c = yt::connector(&server, TOKEN, dir.path());
    let (_, cursor) = sync(&c, None).await;
    let asked = |reqs: &[wiremock::Request]| {
        reqs.iter()
            .filter(|r| support::fake::query(r, "moderationStatus").as_deref() == Some("published"))
            .map(|r| support::fake::query(r, "pageToken").unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        asked(&requests_to(&server, THREADS).await),
        ["", "P2", "P3", "P4"]
    );
    server.reset().await;
    quiet_moderation_passes(&server).await;
    page(None, "new", "2026-03-14T12:00:00Z", Some("P2"))
        .mount(&server)
        .await;
    page(Some("P2"), "recent", "2026-03-14T08:00:00Z", Some("P3"))
        .mount(&server)
        .await;
    page(Some("P3"), "old", "2026-03-13T12:00:00Z", Some("P4"))
        .mount(&server)
        .await;
    let (pages, _) = sync(&c, cursor).await;
    assert_eq!(
        asked(&requests_to(&server, THREADS).await),
        ["", "P2", "P3"]
    );
    assert_eq!(pages.iter().map(|p| p.items.len()).sum::<usize>(), 3);
}

#[tokio::test]
async fn the_engine_stores_each_comment_once_through_repeated_polls() {
    let server = MockServer::start().await;
    api("GET", "commentThreads")
        .and(query_param("moderationStatus", "published"))
        .respond_with(list(
            vec![thread(
                comment("c1", "mariagarcía", "¿Subtítulos?", "2026-03-14T09:19:02Z"),
                vec![reply("c1.r1", "c1", "li", "+1", "2026-03-14T09:30:00Z")],
                1,
            )],
            None,
        ))
        .mount(&server)
        .await;
    api("GET", "commentThreads")
        .and(query_param("moderationStatus", "heldForReview"))
        .respond_with(list(
            vec![thread(
                comment("h1", "olga", "ссылка", "2026-03-14T10:00:00Z"),
                vec![],
                0,
            )],
            None,
        ))
        .mount(&server)
        .await;
    api("GET", "commentThreads")
        .and(query_param("moderationStatus", "likelySpam"))
        .respond_with(list(vec![], None))
        .mount(&server)
        .await;
    let timeouts = support::net::timeouts(std::time::Duration::from_secs(2), 1 << 20);
    let e = TempEngine::connected(yt::account(&server), "KITH_T_YT_ENGINE", TOKEN, timeouts).await;
    let first = engine::sync(&e, "yt").await;
    assert_eq!((first.added, first.error.as_ref()), (3, None));
    let again = engine::sync(&e, "yt").await;
    assert_eq!((again.added, again.error.as_ref()), (0, None));
    let held = e.engine.store().get(e.id_of("yt", "h1")).unwrap().unwrap();
    assert_eq!(held.tags, ["held"]);
    let r1 = e
        .engine
        .store()
        .get(e.id_of("yt", "c1.r1"))
        .unwrap()
        .unwrap();
    assert_eq!(r1.parent_native_id.as_deref(), Some("c1"));
}
