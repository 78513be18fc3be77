//! The outbox against a local server that speaks Mastodon's publishing API and keeps state as
//! the real one does (idempotency keys, the account's statuses): publish, server errors and rate
//! limits during publish, a timeout after the server accepted (no duplicate), native scheduling,
//! a thread.

mod support;

use kith::connectors::secrets::SecretSource;
use kith::connectors::AccountConfig;
use kith::domain::post::{idempotency_key, NewTarget, Post, PostId, TargetState};
use kith::domain::{Platform, Timestamp};
use kith::engine::api::{Request, Response};
use kith::engine::outbox::OutboxSettings;
use std::time::Duration;
use support::engine::{self, new_post, target, TempEngine};
use support::mastodon_server::MastodonServer;
use support::net;

struct Rig {
    engine: TempEngine,
    fake: MastodonServer,
}

async fn rig() -> Rig {
    kith::i18n::init(kith::i18n::Lang::En);
    std::env::set_var("KITH_OUTBOX_HTTP_TOKEN", "outbox-token");
    let fake = MastodonServer::start().await;
    let timeouts = net::timeouts(Duration::from_millis(1500), 1 << 20);
    let engine = TempEngine::new(|dir| net::context(dir, timeouts, net::TWICE));
    engine.set_outbox(OutboxSettings {
        backoff_ms: 200,
        max_backoff_ms: 400,
        ..Default::default()
    });
    engine::add_account(&engine, account("shop", Platform::Mastodon, fake.uri())).await;
    engine.start_outbox();
    Rig { engine, fake }
}

/// An account whose token is in `KITH_OUTBOX_HTTP_TOKEN`.
fn account(name: &str, platform: Platform, base_url: String) -> AccountConfig {
    AccountConfig {
        secret: SecretSource::Env("KITH_OUTBOX_HTTP_TOKEN".into()),
        ..net::account(name, platform, base_url)
    }
}

async fn post(r: &Rig, text: &str, due: Timestamp, native: bool, split: bool) -> Post {
    let to = NewTarget {
        native,
        split,
        ..target("shop")
    };
    engine::create_post(&r.engine, new_post(text, to, Some(due)), false).await
}

/// Waits (real time) until the target leaves the sending states.
async fn settled(r: &Rig, id: PostId) -> Post {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let p = r.engine.store().post(id).expect("read").expect("post");
        if p.settled(&p.targets[0]) {
            return p;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never settled: {p:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn url(p: &Post) -> Option<String> {
    match &p.targets[0].state {
        TargetState::Sent { url, .. } => url.clone(),
        _ => None,
    }
}

#[tokio::test]
async fn a_post_due_now_is_published_once_with_its_key_and_link() {
    let r = rig().await;
    let text = "Новая коллекция 🌿 & <скидки>\n新品上市";
    let p = post(&r, text, Timestamp::now(), false, false).await;
    let p = settled(&r, p.id).await;
    let st = r.fake.statuses();
    assert_eq!(st.len(), 1, "{st:?}");
    assert_eq!(st[0].text, text);
    assert_eq!(
        st[0].key.as_deref(),
        Some(idempotency_key(p.id, "shop", 0).as_str())
    );
    assert_eq!(
        url(&p),
        Some(format!("{}/@shop/{}", r.fake.uri(), st[0].id))
    );
}

#[tokio::test]
async fn server_errors_and_rate_limits_during_publish_never_double_it() {
    let r = rig().await;
    {
        let mut s = r.fake.state.lock().unwrap();
        // Two 503s exhaust the client's own retries; then a 429 asks for a second's pause.
        s.faults.push_back((503, None));
        s.faults.push_back((503, None));
        s.faults.push_back((429, Some(1)));
    }
    let p = post(&r, "after the storm", Timestamp::now(), false, false).await;
    let p = settled(&r, p.id).await;
    assert!(url(&p).is_some(), "{p:?}");
    assert_eq!(r.fake.count("after the storm"), 1);
    let whats: Vec<&str> = p.log.iter().map(|a| a.what.as_str()).collect();
    assert!(whats.contains(&"sent"), "{whats:?}");
    assert!(
        whats.iter().filter(|w| **w == "sending").count() >= 2,
        "{whats:?}"
    );
}

#[tokio::test]
async fn a_timeout_after_the_server_accepted_gives_no_duplicate() {
    let r = rig().await;
    {
        let mut s = r.fake.state.lock().unwrap();
        // Accepted at once, answered after the client gave up (twice: its own retry too).
        s.accept_then_wait.push_back(Duration::from_secs(3));
        s.accept_then_wait.push_back(Duration::from_secs(3));
    }
    let p = post(&r, "slow but accepted", Timestamp::now(), false, false).await;
    let p = settled(&r, p.id).await;
    assert_eq!(
        r.fake.count("slow but accepted"),
        1,
        "{:?}",
        r.fake.statuses()
    );
    let st = r.fake.statuses();
    assert_eq!(
        url(&p),
        Some(format!("{}/@shop/{}", r.fake.uri(), st[0].id)),
        "{p:?}"
    );
    let whats: Vec<&str> = p.log.iter().map(|a| a.what.as_str()).collect();
    assert!(whats.contains(&"unknown"), "{whats:?}");
}

#[tokio::test]
async fn native_scheduling_hands_the_post_to_mastodon() {
    let r = rig().await;
    let due = Timestamp(Timestamp::now().0 + 3_600_000);
    let p = post(&r, "planned on the server", due, true, false).await;
    let p = settled(&r, p.id).await;
    let st = r.fake.statuses();
    assert_eq!(st.len(), 1);
    assert_eq!(
        st[0].scheduled_at.as_deref(),
        Some(due.to_rfc3339().as_str())
    );
    assert_eq!(
        p.targets[0].state,
        TargetState::NativeScheduled {
            remote_id: format!("scheduled:s{}", st[0].id)
        }
    );
    // Moved and then cancelled on the server itself.
    let later = Timestamp(due.0 + 3_600_000);
    let Response::Post(moved) = r
        .engine
        .call(Request::PostEdit {
            id: p.id,
            if_version: Some(p.version),
            edit: kith::engine::api::PostEdit::Move(later),
        })
        .await
        .expect("move")
    else {
        panic!("post")
    };
    assert_eq!(moved.due_at, Some(later));
    assert!(matches!(
        moved.targets[0].state,
        TargetState::NativeScheduled { .. }
    ));
    let Response::Post(gone) = r
        .engine
        .call(Request::PostEdit {
            id: p.id,
            if_version: None,
            edit: kith::engine::api::PostEdit::Cancel,
        })
        .await
        .expect("cancel")
    else {
        panic!("post")
    };
    assert_eq!(gone.targets[0].state, TargetState::Cancelled);
    let calls: Vec<(String, String, String)> = r
        .fake
        .server
        .received_requests()
        .await
        .expect("recorded")
        .into_iter()
        .filter(|q| q.url.path().starts_with("/api/v1/scheduled_statuses/"))
        .map(|q| {
            (
                q.method.to_string(),
                q.url.path().to_string(),
                String::from_utf8_lossy(&q.body).into_owned(),
            )
        })
        .collect();
    let sid = format!("/api/v1/scheduled_statuses/s{}", st[0].id);
    assert_eq!(
        calls,
        vec![
            (
                "PUT".to_string(),
                sid.clone(),
                format!("{{\"scheduled_at\":\"{}\"}}", later.to_rfc3339())
            ),
            ("DELETE".to_string(), sid, String::new()),
        ]
    );
    // Too soon for the platform's scheduler: refused before anything is stored.
    let soon = r
        .engine
        .call(Request::PostCreate {
            post: new_post(
                "too soon",
                NewTarget {
                    native: true,
                    ..target("shop")
                },
                Some(Timestamp(Timestamp::now().0 + 60_000)),
            ),
            queue: false,
        })
        .await
        .expect_err("too soon");
    assert!(soon.to_string().contains("6 minutes"), "{soon}");
}

#[tokio::test]
async fn a_long_text_goes_out_as_a_thread_each_part_answering_the_last() {
    let r = rig().await;
    let sentence = "Каждая лампа проверена вручную перед отправкой 🌿. ";
    let text = sentence.repeat(20);
    let p = post(&r, &text, Timestamp::now(), false, true).await;
    let p = settled(&r, p.id).await;
    let st = r.fake.statuses();
    assert!(st.len() >= 2, "{st:?}");
    assert_eq!(p.targets[0].parts.len(), st.len());
    assert_eq!(st[0].in_reply_to, None);
    for w in st.windows(2) {
        assert_eq!(w[1].in_reply_to, Some(w[0].id.to_string()));
    }
    for (i, s) in st.iter().enumerate() {
        assert!(s.text.chars().count() <= 500, "part {i} too long");
        assert!(
            s.text.ends_with(&format!("{}/{}", i + 1, st.len())),
            "{}",
            s.text
        );
        assert_eq!(
            s.key.as_deref(),
            Some(idempotency_key(p.id, "shop", i as u32).as_str())
        );
    }
    assert_eq!(
        url(&p),
        Some(format!("{}/@shop/{}", r.fake.uri(), st[0].id))
    );
}

#[tokio::test]
async fn a_server_that_cannot_be_reached_means_not_sent_and_a_retry() {
    let r = rig().await;
    // A port nobody listens on: the connection is refused before any byte of the post leaves.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = dead.local_addr().expect("addr").port();
    drop(dead);
    let cfg = AccountConfig {
        chats: vec![-1001],
        ..account(
            "gone",
            Platform::Telegram,
            format!("http://127.0.0.1:{port}/"),
        )
    };
    engine::add_account(&r.engine, cfg).await;
    let post = new_post("nobody home", target("gone"), Some(Timestamp::now()));
    let p = engine::create_post(&r.engine, post, false).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let p = loop {
        let p = r.engine.store().post(p.id).expect("read").expect("post");
        if matches!(p.targets[0].state, TargetState::RetryWait { .. }) {
            break p;
        }
        assert!(tokio::time::Instant::now() < deadline, "{p:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // Telegram cannot be asked whether it arrived; a refused connection needs no asking.
    let whats: Vec<&str> = p.log.iter().map(|a| a.what.as_str()).collect();
    assert_eq!(whats, vec!["sending", "retry"]);
    assert!(
        kith::i18n::shown(&p.log[1].detail).contains("could not connect"),
        "{:?}",
        p.log
    );
}
