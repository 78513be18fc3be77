//! Bluesky sync against a local AppView that lists notifications the way the reference one does:
//! by sort time (the earlier of `createdAt` and the time it was indexed), not by arrival. A
//! backdated reply, replies indexed late in the middle of a burst, an idle poll, and a re-read
//! window that never counts an item or a reaction twice — all through the engine and a real store.

mod support;

use kith::connectors::AccountConfig;
use kith::domain::member::Act;
use kith::domain::{Platform, Timestamp};
use kith::engine::api::SyncReport;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::bluesky;
use support::engine::{self, TempEngine};
use support::fake::{at, ok, Fake};
use support::net;
use wiremock::{MockServer, Request as HttpRequest, Respond, ResponseTemplate};

const ROOT: &str = "at://did:plc:ourshop0000000000/app.bsky.feed.post/3lkpzzzroot22";
const FAN: &str = "did:plc:fan00000000000000";
const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

/// The notifications an AppView holds, listed newest sort time first (ties by cid, descending),
/// paged by a `sortAt::cid` keyset cursor, `limit` per page (default 50, at most 100). Like the
/// reference AppView, every non-empty page carries a cursor.
#[derive(Clone, Default)]
struct AppView(Arc<Mutex<Vec<(i64, String, Value)>>>);

impl AppView {
    fn add(&self, sort_at: i64, cid: &str, n: Value) {
        self.0
            .lock()
            .expect("lock")
            .push((sort_at, cid.to_string(), n));
    }
}

impl Respond for AppView {
    fn respond(&self, req: &HttpRequest) -> ResponseTemplate {
        let q = |k: &str| {
            req.url
                .query_pairs()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.into_owned())
        };
        let limit = q("limit")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(50)
            .clamp(1, 100);
        let after = q("cursor").map(|c| {
            let (t, cid) = c.split_once("::").expect("cursor");
            (t.parse::<i64>().expect("cursor time"), cid.to_string())
        });
        let mut all = self.0.lock().expect("lock").clone();
        all.sort_by(|a, b| (b.0, &b.1).cmp(&(a.0, &a.1)));
        let page: Vec<_> = all
            .into_iter()
            .filter(|(t, cid, _)| match &after {
                Some((at, acid)) => (*t, cid) < (*at, acid),
                None => true,
            })
            .take(limit)
            .collect();
        let mut body =
            json!({"notifications": page.iter().map(|p| p.2.clone()).collect::<Vec<_>>()});
        if let Some((t, cid, _)) = page.last() {
            body["cursor"] = json!(format!("{t}::{cid}"));
        }
        ok(body)
    }
}

/// `getProfiles` for whoever is asked about.
struct Profiles;

impl Respond for Profiles {
    fn respond(&self, req: &HttpRequest) -> ResponseTemplate {
        let profiles: Vec<Value> = req
            .url
            .query_pairs()
            .filter(|(k, _)| k == "actors")
            .map(|(_, did)| json!({"did": did, "handle": "fan.bsky.social", "followersCount": 77}))
            .collect();
        ok(json!({ "profiles": profiles }))
    }
}

fn iso(ms: i64) -> String {
    Timestamp(ms).to_rfc3339()
}

/// A notification as the AppView lists it: `indexedAt` is its sort time, the earlier of the
/// record's `createdAt` and when the AppView indexed it.
fn notification(
    rkey: &str,
    reason: &str,
    author: &str,
    created: i64,
    indexed: i64,
) -> (i64, String, Value) {
    let sort_at = created.min(indexed);
    let collection = match reason {
        "like" => "app.bsky.feed.like",
        "repost" => "app.bsky.feed.repost",
        "follow" => "app.bsky.graph.follow",
        _ => "app.bsky.feed.post",
    };
    let uri = format!("at://{author}/{collection}/{rkey}");
    let cid = format!("bafy{rkey}");
    let mut record = json!({"$type": collection, "createdAt": iso(created)});
    if collection == "app.bsky.feed.post" {
        record["text"] = json!(format!("reply {rkey}"));
        record["reply"] = json!({"root": {"uri": ROOT, "cid": "bafyroot"},
                                 "parent": {"uri": ROOT, "cid": "bafyroot"}});
    }
    let n = json!({"uri": uri, "cid": cid, "reason": reason,
        "author": {"did": author, "handle": "fan.bsky.social", "displayName": "Fan"},
        "reasonSubject": ROOT, "record": record, "isRead": false,
        "indexedAt": iso(sort_at), "labels": []});
    (sort_at, cid, n)
}

fn uri(rkey: &str, reason: &str, author: &str) -> String {
    notification(rkey, reason, author, 0, 0).2["uri"]
        .as_str()
        .expect("uri")
        .to_string()
}

struct Rig {
    engine: TempEngine,
    server: MockServer,
    view: AppView,
}

async fn rig(var: &str) -> Rig {
    let view = AppView::default();
    let server = Fake::new()
        .with(bluesky::login("access-1"))
        .with(at("/xrpc/app.bsky.notification.listNotifications").respond_with(view.clone()))
        .with(at("/xrpc/app.bsky.actor.getProfiles").respond_with(Profiles))
        .start()
        .await;
    let cfg = AccountConfig {
        interval_secs: 120,
        ..bluesky::account("shop", &server)
    };
    let timeouts = net::timeouts(Duration::from_secs(5), 4 << 20);
    let engine = TempEngine::connected(cfg, var, "app-pass-window-test", timeouts).await;
    Rig {
        engine,
        server,
        view,
    }
}

impl Rig {
    fn add(&self, n: (i64, String, Value)) {
        self.view.add(n.0, &n.1, n.2);
    }

    async fn sync(&self) -> SyncReport {
        engine::sync(&self.engine, "shop").await
    }

    async fn calls(&self, nsid: &str) -> usize {
        self.server
            .received_requests()
            .await
            .expect("requests")
            .iter()
            .filter(|r| r.url.path().ends_with(nsid))
            .count()
    }

    fn stored(&self, uri: &str) -> bool {
        self.engine.stored("shop", uri).is_some()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backdated_reply_listed_below_the_mark_is_stored_by_the_next_sync() {
    let r = rig("KITH_T_BSKY_BACKDATED").await;
    let now = Timestamp::now().0;
    for (i, ago) in [30, 20, 10].iter().enumerate() {
        let t = now - ago * MINUTE;
        r.add(notification(&format!("3on{i}"), "reply", FAN, t, t));
    }
    let first = r.sync().await;
    assert_eq!(
        (first.added, first.error.as_ref().map(|e| e.to_string())),
        (3, None::<String>),
        "{first:?}"
    );

    // A client whose clock is two hours behind: its reply arrives now, but the AppView sorts it
    // by its createdAt, below every reply kith already has.
    r.add(notification("3late", "reply", FAN, now - 2 * HOUR, now));
    let second = r.sync().await;
    assert_eq!(
        (second.added, second.error.as_ref().map(|e| e.to_string())),
        (1, None),
        "{second:?}"
    );
    assert!(r.stored(&uri("3late", "reply", FAN)));
    assert_eq!(r.sync().await.added, 0, "and only once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_indexed_late_in_the_middle_of_a_burst_are_all_stored() {
    let r = rig("KITH_T_BSKY_BURST").await;
    let base = Timestamp::now().0 - 5 * MINUTE;
    let late = [29usize, 30];
    for i in (0..61usize).filter(|i| !late.contains(i)) {
        let t = base + i as i64 * 1000;
        r.add(notification(&format!("3burst{i:02}"), "reply", FAN, t, t));
    }
    let first = r.sync().await;
    assert_eq!(
        (first.added, first.error.as_ref().map(|e| e.to_string())),
        (59, None),
        "{first:?}"
    );

    // The two missing replies get indexed now; their sort time is their createdAt, in the middle.
    for i in late {
        let t = base + i as i64 * 1000;
        r.add(notification(
            &format!("3burst{i:02}"),
            "reply",
            FAN,
            t,
            Timestamp::now().0,
        ));
    }
    let second = r.sync().await;
    assert_eq!(
        (second.added, second.error.as_ref().map(|e| e.to_string())),
        (2, None),
        "{second:?}"
    );
    for i in 0..61usize {
        assert!(
            r.stored(&uri(&format!("3burst{i:02}"), "reply", FAN)),
            "{i}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_costs_no_request_and_an_idle_sync_writes_nothing() {
    let r = rig("KITH_T_BSKY_IDLE").await;
    let now = Timestamp::now().0;
    // A steady account: a like every ten minutes for two days (288 notifications), a reply
    // every hour, and one notification the AppView sends broken.
    for i in 0..288i64 {
        let t = now - i * 10 * MINUTE - 5 * MINUTE;
        r.add(notification(&format!("3like{i:03}"), "like", FAN, t, t));
    }
    for i in 0..48i64 {
        let t = now - i * HOUR - 7 * MINUTE;
        r.add(notification(&format!("3rep{i:02}"), "reply", FAN, t, t));
    }
    let broken = json!({"uri": "at://did:plc:x/app.bsky.feed.post/3broken", "reason": "mention",
                        "indexedAt": iso(now - 50 * MINUTE), "author": {"did": 7}});
    r.view.add(now - 50 * MINUTE, "bafy3broken", broken);
    let first = r.sync().await;
    assert_eq!(first.error, None, "{first:?}");
    assert_eq!(first.malformed, 1);

    // A reply from a client five hours behind: found by a poll that is still one request.
    let polls = r.calls("listNotifications").await;
    r.add(notification("3behind", "reply", FAN, now - 5 * HOUR, now));
    let found = r.sync().await;
    assert_eq!(
        (found.added, found.malformed, found.requests),
        (1, 0, 1),
        "{found:?}"
    );
    assert!(r.stored(&uri("3behind", "reply", FAN)));
    assert_eq!(r.calls("listNotifications").await, polls + 1);

    // Nothing new: one request, no profile lookups, nothing written (the stored state, cursor
    // included, is exactly as it was), the broken notification not quarantined again.
    let state = r.engine.store().sync_state("shop").expect("state");
    let (polls, profiles) = (
        r.calls("listNotifications").await,
        r.calls("getProfiles").await,
    );
    let idle = r.sync().await;
    assert_eq!(
        (idle.requests, idle.added, idle.pages_stored, idle.malformed),
        (1, 0, 0, 0),
        "{idle:?}"
    );
    assert_eq!(r.calls("listNotifications").await, polls + 1);
    assert_eq!(r.calls("getProfiles").await, profiles);
    assert_eq!(r.engine.store().sync_state("shop").expect("state"), state);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_re_read_window_never_counts_an_item_or_a_reaction_twice() {
    let r = rig("KITH_T_BSKY_COUNTS").await;
    let now = Timestamp::now().0;
    let t = |m: i64| now - m * MINUTE;
    r.add(notification("3r1", "reply", FAN, t(40), t(40)));
    r.add(notification("3r2", "reply", FAN, t(30), t(30)));
    r.add(notification("3l1", "like", FAN, t(25), t(25)));
    r.add(notification("3l2", "like", FAN, t(20), t(20)));
    r.add(notification("3p1", "repost", FAN, t(15), t(15)));
    r.add(notification("3f1", "follow", FAN, t(10), t(10)));
    let first = r.sync().await;
    assert_eq!((first.added, first.activity), (2, 4), "{first:?}");

    // Late: a like indexed now with an older createdAt, and a backdated reply.
    r.add(notification("3l3", "like", FAN, t(35), now));
    r.add(notification("3r3", "reply", FAN, t(90), now));
    let second = r.sync().await;
    assert_eq!(
        (
            second.added,
            second.activity,
            second.error.as_ref().map(|e| e.to_string())
        ),
        (1, 1, None),
        "{second:?}"
    );
    for _ in 0..2 {
        let again = r.sync().await;
        assert_eq!((again.added, again.activity), (0, 0), "{again:?}");
    }

    let store = r.engine.store();
    let reactions = store.reactions(Platform::Bluesky, FAN).expect("reactions");
    assert_eq!(
        (reactions.likes, reactions.reposts, reactions.follows),
        (3, 1, 1)
    );
    let member = store
        .member(Platform::Bluesky, FAN)
        .expect("member")
        .expect("counted");
    let totals = member.buckets.totals();
    assert_eq!(
        [Act::Reply, Act::Like, Act::Repost, Act::Follow].map(|a| totals[a.index()]),
        [3, 3, 1, 1]
    );
    assert_eq!(store.sync_state("shop").expect("state").pulled, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_from_before_the_window_recovers_what_the_old_rule_missed() {
    let r = rig("KITH_T_BSKY_LEGACY").await;
    let now = Timestamp::now().0;
    for (i, ago) in [30, 20, 10].iter().enumerate() {
        let t = now - ago * MINUTE;
        r.add(notification(&format!("3old{i}"), "reply", FAN, t, t));
    }
    assert_eq!(r.sync().await.added, 3);
    // The store holds what an older kith wrote: only the mark and the uri at it. A backdated
    // reply listed below that mark was never stored.
    let newest = uri("3old2", "reply", FAN);
    let legacy = json!({"seen": now - 10 * MINUTE, "seen_uris": [newest], "top": null,
                        "top_uris": [], "next": null, "pages": 0})
    .to_string();
    r.engine
        .store()
        .store_page(
            &kith::store::PageWrite {
                account: "shop",
                platform: Platform::Bluesky,
                items: &[],
                activity: &[],
                malformed: &[],
                cursor: Some(&legacy),
            },
            Timestamp::now(),
        )
        .expect("old cursor");
    r.add(notification(
        "3missed",
        "reply",
        FAN,
        now - 3 * HOUR,
        now - 5 * MINUTE,
    ));
    let report = r.sync().await;
    assert_eq!(
        (
            report.added,
            report.duplicates,
            report.error.as_ref().map(|e| e.to_string())
        ),
        (1, 2, None),
        "{report:?}"
    );
    assert!(r.stored(&uri("3missed", "reply", FAN)));
    let cursor = r.engine.store().sync_state("shop").expect("state").cursor;
    assert!(!cursor.expect("cursor").contains("seen_uris"));
    assert_eq!(r.sync().await.added, 0);
}
