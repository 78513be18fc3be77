//! The engine with a connected Mastodon account on a local server: threads fetched on open (our
//! own posts marked as ours), a failed reply sent again with the same idempotency key, a like that
//! reaches the platform and the audit log, a rate limit that waits instead of failing, a malformed
//! notification quarantined while the rest of the page is stored.

mod support;

use kith::connectors::RemoteAction;
use kith::domain::{ItemId, Outgoing, Platform, Timestamp};
use kith::engine::api::{Event, Request, Response};
use serde_json::{json, Value};
use std::time::Duration;
use support::engine::{self, TempEngine};
use support::fake::{answer, first_then, ok, on, on_any, serve, Fake};
use support::mastodon::{self, NOTIFICATIONS, STATUSES};
use support::net;
use wiremock::{MockServer, ResponseTemplate};

struct Rig {
    engine: TempEngine,
    server: MockServer,
}

fn status(id: &str, account_id: &str, acct: &str, reply_to: Option<&str>, html: &str) -> Value {
    json!({"id": id, "in_reply_to_id": reply_to, "in_reply_to_account_id": reply_to.map(|_| "42"),
           "visibility": "public", "language": "en", "created_at": "2026-03-14T09:21:07.401Z",
           "spoiler_text": "", "url": format!("https://social.example/@x/{id}"), "content": html,
           "mentions": [], "account": {"id": account_id, "acct": acct, "username": acct,
           "display_name": acct, "followers_count": 5}})
}

async fn rig(var: &str, notifications: Value) -> Rig {
    let server = Fake::new()
        .with(mastodon::me())
        .with(mastodon::instance(500))
        .with(
            on("GET", NOTIFICATIONS)
                .respond_with(ok(notifications))
                .with_priority(10),
        )
        .start()
        .await;
    let cfg = net::account("shop", Platform::Mastodon, server.uri());
    let timeouts = net::timeouts(Duration::from_secs(2), 1 << 20);
    let engine = TempEngine::connected(cfg, var, "engine-test-token", timeouts).await;
    Rig { engine, server }
}

fn mention(nid: &str, st: Value) -> Value {
    json!({"id": nid, "type": "mention", "created_at": "2026-03-14T09:21:07.512Z",
           "account": st["account"].clone(), "status": st})
}

async fn sync(r: &Rig) -> kith::engine::api::SyncReport {
    engine::sync(&r.engine, "shop").await
}

fn id_of(r: &Rig, native: &str) -> ItemId {
    r.engine.id_of("shop", native)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_a_thread_fetches_it_and_marks_our_posts() {
    let ours = status("100", "42", "shop", None, "<p>New lamp is out!</p>");
    let theirs = status("200", "7", "lea", Some("100"), "<p>Looks great</p>");
    let r = rig("KITH_T_THREAD", json!([mention("1", theirs.clone())])).await;
    let later = status("300", "9", "bob", Some("100"), "<p>When in stock?</p>");
    serve(
        &r.server,
        on("GET", "/api/v1/statuses/200/context"),
        ok(json!({"ancestors": [ours], "descendants": [later]})),
    )
    .await;
    assert_eq!(sync(&r).await.added, 1);
    let id = id_of(&r, "200");
    let mut events = r.engine.subscribe();
    let Response::Thread(first) = r.engine.call(Request::Thread(id)).await.expect("thread") else {
        panic!("thread")
    };
    assert_eq!(first.len(), 1, "the stored thread comes back at once");
    let fetched = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let Ok(Event::ThreadFetched(t)) = events.recv().await {
                return t;
            }
        }
    })
    .await
    .expect("thread fetched event");
    assert_eq!(fetched, id);
    let Response::Thread(full) = r.engine.call(Request::Thread(id)).await.expect("thread") else {
        panic!("thread")
    };
    let natives: Vec<&str> = full.iter().map(|i| i.native_id.as_str()).collect();
    assert!(natives.contains(&"100") && natives.contains(&"200") && natives.contains(&"300"));
    let root = full.iter().find(|i| i.native_id == "100").expect("root");
    assert!(root.is_ours(), "our own post is stored as ours");
    let o = r.engine.store().overview().expect("overview");
    assert_eq!(o.total, 2, "our post is not in the inbox; the new reply is");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_reply_is_sent_again_with_the_same_key() {
    let theirs = status("200", "7", "lea", None, "<p>Hello?</p>");
    let r = rig("KITH_T_RETRY", json!([mention("1", theirs)])).await;
    on_any("GET", "^/api/v1/statuses/[0-9]+$")
        .respond_with(ok(json!({"id": "200", "visibility": "public"})))
        .mount(&r.server)
        .await;
    first_then(
        &r.server,
        on("POST", STATUSES).respond_with(answer(
            422,
            json!({"error": "Validation failed: try later"}),
        )),
        on("POST", STATUSES).respond_with(ok(status(
            "900",
            "42",
            "shop",
            Some("200"),
            "<p>ok</p>",
        ))),
    )
    .await;
    sync(&r).await;
    let id = id_of(&r, "200");
    let Response::Replied { reply, .. } = r
        .engine
        .call(Request::Reply {
            id,
            text: "We are on it".into(),
            if_version: None,
            private: false,
        })
        .await
        .expect("reply")
    else {
        panic!("reply")
    };
    let state = wait_settled(&r, reply.id).await;
    match state {
        Outgoing::Failed { reason } => assert!(reason.contains("Validation failed"), "{reason}"),
        other => panic!("expected failure, got {other:?}"),
    }
    r.engine
        .call(Request::RetryReply(reply.id))
        .await
        .expect("retry");
    let state = wait_settled(&r, reply.id).await;
    assert_eq!(
        state,
        Outgoing::Sent {
            url: Some("https://social.example/@x/900".into())
        }
    );
    let posts: Vec<_> = r
        .server
        .received_requests()
        .await
        .expect("requests")
        .into_iter()
        .filter(|q| q.method.as_str() == "POST")
        .collect();
    assert_eq!(posts.len(), 2);
    let keys: Vec<_> = posts
        .iter()
        .map(|p| p.headers.get("idempotency-key").expect("key").clone())
        .collect();
    assert_eq!(
        keys[0], keys[1],
        "a retry reuses the key, so it can never post twice"
    );
    // Retrying something that did not fail is refused.
    assert!(r.engine.call(Request::RetryReply(reply.id)).await.is_err());
}

async fn wait_settled(r: &Rig, id: ItemId) -> Outgoing {
    for _ in 0..200 {
        let item = r.engine.store().get(id).expect("get").expect("reply");
        match item.outgoing {
            Some(Outgoing::Sending) | None => tokio::time::sleep(Duration::from_millis(20)).await,
            Some(o) => return o,
        }
    }
    panic!("reply never settled")
}

/// A synced account holding one mention (status 200) whose like the server takes exactly once.
async fn one_to_like(var: &str) -> (Rig, ItemId) {
    let theirs = status("200", "7", "lea", None, "<p>Love it</p>");
    let r = rig(var, json!([mention("1", theirs.clone())])).await;
    on("POST", "/api/v1/statuses/200/favourite")
        .respond_with(ok(theirs))
        .expect(1)
        .mount(&r.server)
        .await;
    sync(&r).await;
    let id = id_of(&r, "200");
    (r, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_like_reaches_the_platform_and_the_audit_log() {
    let (r, id) = one_to_like("KITH_T_LIKE").await;
    let resp = r
        .engine
        .call(Request::Act {
            id,
            action: RemoteAction::Like,
            if_version: None,
        })
        .await
        .expect("like");
    assert!(matches!(
        resp,
        Response::Acted {
            action: RemoteAction::Like,
            ..
        }
    ));
    let audit = r.engine.store().audit(Some(id), 10).expect("audit");
    let lines: Vec<String> = audit
        .iter()
        .map(|a| format!("{} {}", a.action, a.after.clone().unwrap_or_default()))
        .collect();
    assert!(
        lines.contains(&"action like requested".to_string()),
        "{lines:?}"
    );
    assert!(lines.contains(&"action like done".to_string()), "{lines:?}");
    // Hiding is not something Mastodon allows: refused before any request, with the reason.
    let err = r
        .engine
        .call(Request::Act {
            id,
            action: RemoteAction::Hide,
            if_version: None,
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Mastodon"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_waits_and_a_malformed_item_is_quarantined() {
    let good = status("200", "7", "lea", None, "<p>ok</p>");
    let page = json!([
        mention("3", good),
        {"id": "2", "type": "mention", "created_at": "2026-03-14T09:21:07.512Z",
         "account": {"id": 5, "acct": ["not", "a", "string"]}, "status": {"id": "201"}}
    ]);
    let r = rig("KITH_T_RATE", page).await;
    let report = sync(&r).await;
    assert_eq!((report.added, report.malformed), (1, 1), "{report:?}");
    let q = r.engine.store().quarantined(10).expect("quarantine");
    assert_eq!(q.len(), 1);
    assert!(String::from_utf8_lossy(&q[0].raw).contains("not"));
    assert_eq!(q[0].source, "mastodon shop");

    on_any("GET", "^/api/v1/notifications$")
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "120")
                .set_body_json(json!({"error": "Too many requests"})),
        )
        .with_priority(1)
        .mount(&r.server)
        .await;
    let report = sync(&r).await;
    let err = report.error.expect("rate limited").to_string();
    assert!(err.contains("rate limited"), "{err}");
    assert!(!report.needs_reauth);
    let Response::Accounts(views) = r.engine.call(Request::Accounts).await.expect("accounts")
    else {
        panic!("accounts")
    };
    let v = views.iter().find(|v| v.name == "shop").expect("shop");
    let wait = v.runtime.rate_wait_until.expect("waiting").0 - Timestamp::now().0;
    assert!((100_000..=121_000).contains(&wait), "{wait}");
    assert_eq!(
        v.state.last_error, None,
        "a rate limit is a wait, not an error"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_cut_short_by_a_crash_is_sent_at_the_next_start() {
    let (r, id) = one_to_like("KITH_T_RESUME").await;
    // What a crash right after "requested" leaves behind.
    r.engine
        .store()
        .action_state("anna", id, RemoteAction::Like, None, Timestamp::now())
        .expect("requested");
    assert_eq!(
        r.engine.store().pending_actions().expect("pending"),
        vec![(id, RemoteAction::Like)]
    );
    r.engine.start();
    for _ in 0..100 {
        if r.engine
            .store()
            .pending_actions()
            .expect("pending")
            .is_empty()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(r
        .engine
        .store()
        .pending_actions()
        .expect("pending")
        .is_empty());
    let audit = r.engine.store().audit(Some(id), 10).expect("audit");
    assert!(audit
        .iter()
        .any(|a| a.after.as_deref() == Some("like done")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_poll_loop_syncs_each_account_on_its_own_and_shows_the_next_poll() {
    let theirs = status("200", "7", "lea", None, "<p>Hello from the loop</p>");
    let r = rig("KITH_T_LOOP", json!([mention("1", theirs)])).await;
    let mut events = r.engine.subscribe();
    r.engine.start_sync();
    let added = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let Ok(Event::ItemsAdded(n)) = events.recv().await {
                return n;
            }
        }
    })
    .await
    .expect("the loop polled the account without being asked");
    assert_eq!(added, 1);
    assert!(r
        .engine
        .store()
        .id_by_native("shop", "200")
        .expect("lookup")
        .is_some());
    // Front ends hear how far the pass has come.
    let progress = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let Ok(Event::SyncProgress { account, added, .. }) = events.recv().await {
                if added > 0 {
                    return account;
                }
            }
        }
    })
    .await
    .expect("progress event");
    assert_eq!(progress, "shop");
    // The pass ends (last poll recorded) just after its items are announced.
    let mut v = None;
    for _ in 0..100 {
        let Response::Accounts(views) = r.engine.call(Request::Accounts).await.expect("accounts")
        else {
            panic!("accounts")
        };
        let shop = views.into_iter().find(|v| v.name == "shop").expect("shop");
        if shop.runtime.last_poll.is_some() {
            v = Some(shop);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let v = v.expect("the pass finished");
    let next = v.runtime.next_poll.expect("next poll scheduled").0 - Timestamp::now().0;
    // Interval 60 s with ±10 % jitter.
    assert!((50_000..=66_500).contains(&next), "{next}");
    assert!(v.runtime.last_poll.is_some());
    assert_eq!(
        v.runtime.text_limit,
        Some(500),
        "the instance's limit was read"
    );
}

/// A pass's member counts are applied when the pass ends (not left for the first ranking read),
/// and open member panels are told.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_pass_applies_its_member_counts_and_says_so() {
    let a = status("200", "7", "lea", None, "<p>Love it</p>");
    let b = status("201", "7", "lea", None, "<p>Again</p>");
    let r = rig(
        "KITH_T_MEMBERS",
        json!([mention("2", b.clone()), mention("1", a.clone())]),
    )
    .await;
    let mut events = r.engine.subscribe();
    assert_eq!(sync(&r).await.added, 2);
    let store = r.engine.store();
    assert_eq!(store.members_unsettled().expect("unsettled"), 0);
    let lea = store.member_record(
        store
            .member(Platform::Mastodon, "7")
            .expect("read")
            .expect("lea")
            .id,
    );
    let lea = lea.expect("get").expect("record");
    assert_eq!(lea.handle.as_deref(), Some("lea"));
    assert_eq!(lea.buckets.totals().iter().sum::<u64>(), 2);
    let told = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if events.recv().await.expect("event") == Event::MembersChanged {
                return;
            }
        }
    })
    .await;
    assert!(told.is_ok(), "MembersChanged after the pass");
}
