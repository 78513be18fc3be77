//! The scheduler on tokio's paused clock: due times, retries and backoff, held posts, wall-clock
//! jumps, start-up after a crash, and that waiting posts cost no wake-ups. The platform here is a
//! scripted connector (what it answers is the test's input); the real HTTP side is in
//! `outbox_http.rs` and `crash_outbox.rs`.

mod support;

use futures::future::BoxFuture;
use kith::connectors::{
    Connector, ConnectorError, FetchPage, Identity, Lookup, Outgoing, RemoteAction, Sent,
};
use kith::domain::post::{Post, PostId, TargetState};
use kith::domain::{Item, NewItem, Platform, Timestamp};
use kith::engine::api::{PostEdit, Request};
use kith::engine::outbox::{OutboxSettings, TokioClock};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::engine::{self, new_post, target, TempEngine};
use support::net;

/// 2026-12-07T09:00:00Z.
const T0: i64 = 1_796_634_000_000;
const MIN: i64 = 60_000;

#[derive(Default)]
struct Script {
    /// Answers to `publish`, in order; when empty, every publish succeeds.
    publish: VecDeque<Result<(), ConnectorError>>,
    lookup: VecDeque<Result<Lookup, ConnectorError>>,
    /// (tokio time since start, key, text) of every publish.
    calls: Vec<(Duration, String, String)>,
    lookups: usize,
}

struct Scripted {
    platform: Platform,
    start: tokio::time::Instant,
    script: Arc<Mutex<Script>>,
}

impl Connector for Scripted {
    fn platform(&self) -> Platform {
        self.platform
    }
    fn whoami(&self) -> BoxFuture<'_, kith::connectors::Result<Identity>> {
        Box::pin(async {
            Ok(Identity {
                id: "1".into(),
                handle: "shop".into(),
                name: None,
                abilities: Vec::new(),
            })
        })
    }
    fn fetch<'a>(
        &'a self,
        _c: Option<&'a str>,
    ) -> BoxFuture<'a, kith::connectors::Result<FetchPage>> {
        Box::pin(async { Ok(FetchPage::default()) })
    }
    fn thread<'a>(&'a self, _i: &'a Item) -> BoxFuture<'a, kith::connectors::Result<Vec<NewItem>>> {
        Box::pin(async { Ok(vec![]) })
    }
    fn reply<'a>(
        &'a self,
        _i: &'a Item,
        _t: &'a str,
        _k: &'a str,
    ) -> BoxFuture<'a, kith::connectors::Result<Sent>> {
        Box::pin(async { Err(ConnectorError::Unsupported("no".into())) })
    }
    fn act<'a>(
        &'a self,
        _i: &'a Item,
        _a: RemoteAction,
    ) -> BoxFuture<'a, kith::connectors::Result<()>> {
        Box::pin(async { Ok(()) })
    }
    fn publish<'a>(&'a self, post: &'a Outgoing) -> BoxFuture<'a, kith::connectors::Result<Sent>> {
        Box::pin(async move {
            // A request takes a little while, as a real one does.
            tokio::time::sleep(Duration::from_millis(50)).await;
            let mut s = self.script.lock().expect("lock");
            s.calls.push((
                self.start.elapsed(),
                post.idempotency_key.clone(),
                post.text.clone(),
            ));
            match s.publish.pop_front() {
                Some(Err(e)) => Err(e),
                _ => Ok(Sent {
                    native_id: format!("n-{}", post.idempotency_key),
                    url: Some(format!(
                        "https://social.example/@shop/{}",
                        post.idempotency_key
                    )),
                }),
            }
        })
    }
    fn lookup<'a>(
        &'a self,
        _post: &'a Outgoing,
        _since: Timestamp,
    ) -> BoxFuture<'a, kith::connectors::Result<Lookup>> {
        Box::pin(async move {
            let mut s = self.script.lock().expect("lock");
            s.lookups += 1;
            s.lookup.pop_front().unwrap_or(Ok(Lookup::Unknowable))
        })
    }
}

struct Rig {
    engine: TempEngine,
    clock: Arc<TokioClock>,
    script: Arc<Mutex<Script>>,
}

/// The scripted connector for `platform`, answering from `script`.
fn scripted(platform: Platform, script: &Arc<Mutex<Script>>) -> Arc<Scripted> {
    Arc::new(Scripted {
        platform,
        start: tokio::time::Instant::now(),
        script: script.clone(),
    })
}

async fn rig_in(dir: tempfile::TempDir, platform: Platform, script: Arc<Mutex<Script>>) -> Rig {
    kith::i18n::init(kith::i18n::Lang::En);
    let engine = TempEngine::in_dir(dir);
    let clock = Arc::new(TokioClock::new(Timestamp(T0)));
    engine.set_clock(clock.clone());
    engine.set_outbox(OutboxSettings {
        backoff_ms: 30_000,
        max_backoff_ms: 600_000,
        max_attempts: 4,
        ..Default::default()
    });
    let cfg = net::account("shop", platform, "http://127.0.0.1:9/");
    engine::add_account(&engine, cfg).await;
    engine.use_connector("shop", scripted(platform, &script));
    Rig {
        engine,
        clock,
        script,
    }
}

async fn rig(platform: Platform) -> Rig {
    rig_in(
        tempfile::tempdir().expect("tmp"),
        platform,
        Default::default(),
    )
    .await
}

async fn create(r: &Rig, text: &str, due: i64) -> Post {
    let post = new_post(text, target("shop"), Some(Timestamp(due)));
    engine::create_post(&r.engine, post, false).await
}

fn get(r: &Rig, id: PostId) -> Post {
    r.engine.store().post(id).expect("read").expect("post")
}

fn state(r: &Rig, id: PostId) -> TargetState {
    get(r, id).targets[0].state.clone()
}

fn calls(r: &Rig) -> Vec<(Duration, String, String)> {
    r.script.lock().expect("lock").calls.clone()
}

async fn run_for(d: Duration) {
    // Paused time advances by itself while every task waits on a timer.
    tokio::time::sleep(d).await;
}

#[tokio::test(start_paused = true)]
async fn a_post_leaves_at_its_time_and_not_before() {
    let r = rig(Platform::Mastodon).await;
    let p = create(&r, "Лампа дня 💡", T0 + 90 * MIN).await;
    r.engine.start_outbox();
    run_for(Duration::from_millis(90 * 60_000 - 1_000)).await;
    assert!(calls(&r).is_empty(), "sent early: {:?}", calls(&r));
    assert_eq!(state(&r, p.id), TargetState::Scheduled);
    run_for(Duration::from_millis(2_000)).await;
    let c = calls(&r);
    assert_eq!(c.len(), 1, "{c:?}");
    // It left within a second of its time (the request itself takes 50 ms here).
    let left = c[0].0.as_millis() as i64;
    assert!(
        (90 * MIN - 50..=90 * MIN + 1_000).contains(&left),
        "left at {left} ms"
    );
    assert_eq!(c[0].1, kith::domain::post::idempotency_key(p.id, "shop", 0));
    assert_eq!(c[0].2, "Лампа дня 💡");
    match state(&r, p.id) {
        TargetState::Sent { url, .. } => assert_eq!(
            url.as_deref(),
            Some(format!("https://social.example/@shop/{}", c[0].1).as_str())
        ),
        other => panic!("{other:?}"),
    }
    let log: Vec<String> = get(&r, p.id).log.iter().map(|a| a.what.clone()).collect();
    assert_eq!(log, vec!["sending", "sent"]);
}

#[tokio::test(start_paused = true)]
async fn ten_thousand_waiting_posts_cost_no_wakeups() {
    let r = rig(Platform::Mastodon).await;
    for i in 0..10_000 {
        // A week from now on, every minute.
        create(&r, &format!("post {i}"), T0 + 7 * 24 * 60 * MIN + i * MIN).await;
    }
    r.engine.start_outbox();
    run_for(Duration::from_secs(1)).await;
    let before = r.engine.outbox_wakeups();
    run_for(Duration::from_secs(3600)).await;
    let woke = r.engine.outbox_wakeups() - before;
    // One look per minute for clock jumps, nothing per post.
    assert!(woke <= 61, "woke {woke} times in an hour");
    assert!(calls(&r).is_empty());
}

#[tokio::test(start_paused = true)]
async fn rate_limits_and_server_errors_wait_and_retry_with_the_same_key() {
    let r = rig(Platform::Mastodon).await;
    {
        let mut s = r.script.lock().unwrap();
        s.publish.push_back(Err(ConnectorError::RateLimited {
            wait: Duration::from_secs(120),
        }));
        // A timeout after the request left: unknown, and the account's posts do not show it.
        s.publish
            .push_back(Err(ConnectorError::Network("timed out".into())));
        s.lookup.push_back(Ok(Lookup::Absent));
    }
    let p = create(&r, "retry me", T0 + MIN).await;
    r.engine.start_outbox();
    run_for(Duration::from_secs(61)).await;
    assert_eq!(calls(&r).len(), 1);
    assert!(matches!(
        state(&r, p.id),
        TargetState::RetryWait { attempt: 1, .. }
    ));
    run_for(Duration::from_secs(119)).await;
    assert_eq!(calls(&r).len(), 1, "retried before Retry-After");
    run_for(Duration::from_secs(2)).await;
    assert_eq!(calls(&r).len(), 2);
    assert_eq!(r.script.lock().unwrap().lookups, 1);
    // Backoff: at least half the base (full jitter) and at most the base, then success.
    assert!(matches!(
        state(&r, p.id),
        TargetState::RetryWait { attempt: 2, .. }
    ));
    run_for(Duration::from_secs(61)).await;
    let c = calls(&r);
    assert_eq!(c.len(), 3, "{c:?}");
    let gap = (c[2].0 - c[1].0).as_millis() as i64;
    assert!((29_000..=61_000).contains(&gap), "backoff {gap} ms");
    assert!(c.iter().all(|x| x.1 == c[0].1), "keys changed: {c:?}");
    assert!(matches!(state(&r, p.id), TargetState::Sent { .. }));
    let log: Vec<String> = get(&r, p.id).log.iter().map(|a| a.what.clone()).collect();
    assert_eq!(
        log,
        vec!["sending", "retry", "sending", "unknown", "retry", "sending", "sent"]
    );
}

#[tokio::test(start_paused = true)]
async fn a_refusal_fails_at_once_and_endless_errors_give_up() {
    let r = rig(Platform::Mastodon).await;
    r.script
        .lock()
        .unwrap()
        .publish
        .push_back(Err(ConnectorError::Refused(
            "Validation failed: Text too long".into(),
        )));
    let p = create(&r, "refused", T0 + MIN).await;
    r.engine.start_outbox();
    run_for(Duration::from_secs(3600)).await;
    assert_eq!(calls(&r).len(), 1);
    match state(&r, p.id) {
        TargetState::Failed { reason } => {
            let reason = kith::i18n::shown(&reason);
            assert!(reason.contains("Text too long"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    // Retrying is a person's decision; then it goes.
    r.engine
        .call(Request::PostEdit {
            id: p.id,
            if_version: None,
            edit: PostEdit::Retry,
        })
        .await
        .expect("retry");
    run_for(Duration::from_secs(2)).await;
    assert_eq!(calls(&r).len(), 2);
    assert!(matches!(state(&r, p.id), TargetState::Sent { .. }));

    for _ in 0..10 {
        r.script
            .lock()
            .unwrap()
            .publish
            .push_back(Err(ConnectorError::RateLimited {
                wait: Duration::from_secs(1),
            }));
    }
    let q = create(&r, "never", T0 + 3 * 3_600_000).await;
    run_for(Duration::from_secs(3 * 3600)).await;
    let tries = calls(&r).iter().filter(|c| c.2 == "never").count();
    assert_eq!(tries, 4, "max_attempts is 4: {:?}", get(&r, q.id).log);
    match state(&r, q.id) {
        TargetState::Failed { reason } => {
            let reason = kith::i18n::shown(&reason);
            assert!(reason.contains("4 attempts"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn wall_clock_jumps_are_noticed_and_big_ones_hold_the_post() {
    let r = rig(Platform::Mastodon).await;
    let a = create(&r, "soon", T0 + 10 * MIN).await;
    let b = create(&r, "later", T0 + 100 * MIN).await;
    r.engine.start_outbox();
    run_for(Duration::from_secs(1)).await;
    // The machine slept or the clock was set: wall time moves 15 minutes at once.
    r.clock.jump(15 * MIN);
    run_for(Duration::from_secs(61)).await;
    assert_eq!(calls(&r).len(), 1, "the 5-minute-late post goes");
    assert!(matches!(state(&r, a.id), TargetState::Sent { .. }));
    // Three hours forward: more than the hour allowed; held for a person.
    r.clock.jump(180 * MIN);
    run_for(Duration::from_secs(61)).await;
    assert_eq!(calls(&r).len(), 1);
    assert_eq!(
        state(&r, b.id),
        TargetState::Late {
            due_at: Timestamp(T0 + 100 * MIN)
        }
    );
    // Backwards: a post due "again" later is simply waited for.
    let c = create(&r, "after the jump back", r.engine.now().0 + 5 * MIN).await;
    r.clock.jump(-60 * MIN);
    run_for(Duration::from_secs(64 * 60)).await;
    assert!(
        matches!(state(&r, c.id), TargetState::Scheduled),
        "went early"
    );
    run_for(Duration::from_secs(2 * 60)).await;
    assert!(matches!(state(&r, c.id), TargetState::Sent { .. }));
    let last = calls(&r).last().cloned().expect("call");
    assert_eq!(last.2, "after the jump back");
}

#[tokio::test(start_paused = true)]
async fn moving_and_cancelling_change_what_goes_out() {
    let r = rig(Platform::Mastodon).await;
    let a = create(&r, "moved", T0 + 10 * MIN).await;
    let b = create(&r, "cancelled", T0 + 10 * MIN).await;
    r.engine.start_outbox();
    for (id, edit) in [
        (a.id, PostEdit::Move(Timestamp(T0 + 30 * MIN))),
        (b.id, PostEdit::Cancel),
    ] {
        r.engine
            .call(Request::PostEdit {
                id,
                if_version: Some(1),
                edit,
            })
            .await
            .expect("edit");
    }
    let stale = r
        .engine
        .call(Request::PostEdit {
            id: a.id,
            if_version: Some(1),
            edit: PostEdit::Cancel,
        })
        .await
        .expect_err("version moved on");
    assert!(stale.to_string().contains("changed meanwhile"), "{stale}");
    run_for(Duration::from_secs(20 * 60)).await;
    assert!(calls(&r).is_empty());
    run_for(Duration::from_secs(11 * 60)).await;
    let c = calls(&r);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].2, "moved");
    assert_eq!(state(&r, b.id), TargetState::Cancelled);
    let again = r
        .engine
        .call(Request::PostEdit {
            id: a.id,
            if_version: None,
            edit: PostEdit::Move(Timestamp(T0 + 60 * MIN)),
        })
        .await
        .expect_err("already out");
    assert!(again.to_string().contains("already gone out"), "{again}");
    let past = r
        .engine
        .call(Request::PostCreate {
            post: new_post("x", target("shop"), Some(Timestamp(T0 - 60 * MIN))),
            queue: false,
        })
        .await
        .expect_err("past");
    assert!(past.to_string().contains("in the past"), "{past}");
}

/// A post the last run was sending when it died: found on the account → sent, not sent again.
#[tokio::test(start_paused = true)]
async fn a_send_cut_by_a_crash_is_resolved_without_a_second_post() {
    for (platform, lookup, expect_calls, expect) in [
        (
            Platform::Mastodon,
            Ok(Lookup::Found(Sent {
                native_id: "109".into(),
                url: Some("https://social.example/@shop/109".into()),
            })),
            0,
            "sent",
        ),
        // Telegram cannot tell: held for a person, never re-sent blindly.
        (Platform::Telegram, Ok(Lookup::Unknowable), 0, "unknown"),
        // Bluesky's record key makes a resend harmless.
        (Platform::Bluesky, Ok(Lookup::Unknowable), 1, "sent"),
    ] {
        let script: Arc<Mutex<Script>> = Default::default();
        let (id, dir) = {
            let r = rig_in(tempfile::tempdir().expect("tmp"), platform, script.clone()).await;
            let p = create(&r, "cut short", T0 + MIN).await;
            r.engine
                .store()
                .edit_post(
                    p.id,
                    None,
                    None,
                    "engine",
                    Timestamp(T0 + MIN),
                    Box::new(|p| {
                        p.targets[0].state = TargetState::Sending {
                            attempt: 1,
                            part: 0,
                            at: Timestamp(T0 + MIN),
                        };
                        p.targets[0].first_try = Some(Timestamp(T0 + MIN));
                        Ok(())
                    }),
                )
                .expect("store")
                .expect("edit");
            let TempEngine { dir, engine } = r.engine;
            drop(engine);
            (p.id, dir)
        };
        script.lock().unwrap().lookup.push_back(lookup);
        let engine = engine::open(dir.path());
        let clock = Arc::new(TokioClock::new(Timestamp(T0 + 2 * MIN)));
        engine.set_clock(clock);
        engine.use_connector("shop", scripted(platform, &script));
        engine.start_outbox();
        run_for(Duration::from_secs(5)).await;
        let post = engine.store().post(id).expect("read").expect("post");
        assert_eq!(post.targets[0].state.name(), expect, "{platform}: {post:?}");
        assert_eq!(
            script.lock().unwrap().calls.len(),
            expect_calls,
            "{platform}"
        );
        assert_eq!(script.lock().unwrap().lookups, 1, "{platform}");
        if expect == "unknown" {
            let log = &post.log;
            assert!(log.iter().any(|a| a.what == "held"), "{platform}: {log:?}");
            assert!(kith::i18n::shown(&log[log.len() - 2].detail)
                .contains("kith stopped while sending"));
        }
    }
}

#[tokio::test(start_paused = true)]
async fn posts_overdue_at_start_go_if_a_little_late_else_wait() {
    let dir = tempfile::tempdir().expect("tmp");
    let script: Arc<Mutex<Script>> = Default::default();
    let r = rig_in(dir, Platform::Mastodon, script).await;
    let a = create(&r, "a little late", T0 + MIN).await;
    let b = create(&r, "very late", T0 + 2 * MIN).await;
    // The machine was off from before both were due until 2 h 1 min later.
    r.clock.jump(2 * 60 * MIN + 2 * MIN - 30 * MIN);
    r.engine.set_outbox(OutboxSettings {
        late_limit_ms: 2 * 60 * MIN,
        ..Default::default()
    });
    r.clock.jump(30 * MIN);
    r.engine.start_outbox();
    run_for(Duration::from_secs(2)).await;
    // a: 2 h 1 min late (> 2 h) → held; b: 2 h late exactly → goes.
    assert_eq!(state(&r, a.id).name(), "late");
    assert!(matches!(state(&r, b.id), TargetState::Sent { .. }));
    assert_eq!(calls(&r).len(), 1);
    r.engine
        .call(Request::PostEdit {
            id: a.id,
            if_version: None,
            edit: PostEdit::Retry,
        })
        .await
        .expect("confirm");
    run_for(Duration::from_secs(2)).await;
    assert!(matches!(state(&r, a.id), TargetState::Sent { .. }));
    assert_eq!(calls(&r).len(), 2);
}

#[tokio::test(start_paused = true)]
async fn the_queue_takes_the_next_free_slot_of_every_target() {
    let r = rig(Platform::Mastodon).await;
    let slots = kith::domain::when::parse_slots("12:00, 09:00").expect("slots");
    let mut by_account = std::collections::BTreeMap::new();
    by_account.insert(String::new(), slots);
    r.engine.set_outbox(OutboxSettings {
        slots: by_account,
        zone: kith::domain::when::Zone::named("Europe/Berlin").expect("zone"),
        ..Default::default()
    });
    let mut dues = Vec::new();
    for i in 0..3 {
        let post = new_post(&format!("queued {i}"), target("shop"), None);
        let p = engine::create_post(&r.engine, post, true).await;
        dues.push(p.due_at.expect("due").to_rfc3339());
    }
    // T0 is Monday 10:00 in Berlin: 12:00 today, then 09:00 and 12:00 tomorrow (UTC+1).
    assert_eq!(
        dues,
        vec![
            "2026-12-07T11:00:00.000Z",
            "2026-12-08T08:00:00.000Z",
            "2026-12-08T11:00:00.000Z"
        ]
    );
}
