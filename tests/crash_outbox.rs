//! Exactly once across crashes: `kith serve` is killed with SIGKILL at random moments while
//! posts fall due and the fake Mastodon answers slowly (so kills land mid-request). In the end
//! every post exists exactly once on the server, or is held as unknown for a person — none
//! doubled, none lost. `KITH_CRASH_ROUNDS` sets the number of kills (default 6).

mod support;

use kith::connectors::{secrets::SecretSource, AccountConfig};
use kith::domain::post::TargetState;
use kith::domain::{Platform, Timestamp};
use kith::engine::api::Request;
use kith::engine::Engine;
use kith::store::Store;
use support::crash;
use support::engine::{self, new_post, target};
use support::mastodon_server::MastodonServer;
use support::net;

const TOKEN_VAR: &str = "KITH_CRASH_OUTBOX_TOKEN";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_while_posts_fall_due_never_doubles_or_loses_one() {
    let rounds = crash::rounds();
    let posts: i64 = 5 * rounds as i64;
    kith::i18n::init(kith::i18n::Lang::En);
    let fake = MastodonServer::start().await;
    fake.state.lock().unwrap().jitter_ms = 400;
    let home = tempfile::tempdir().expect("tmp");
    let h = home.path();
    let data = h.join("data");
    let start = Timestamp::now().0 + 500;
    {
        let engine = Engine::new(Store::open(&data).expect("store"), "planner");
        engine
            .call(Request::AccountAdd {
                cfg: AccountConfig {
                    secret: SecretSource::Env(TOKEN_VAR.into()),
                    interval_secs: 3600,
                    ..net::account("shop", Platform::Mastodon, fake.uri())
                },
                replace: false,
                secret: None,
                user_secret: None,
            })
            .await
            .expect("account");
        for i in 0..posts {
            // Spread over the rounds: some fall due while an engine runs, some while none does.
            let due = Timestamp(start + i * 90);
            let post = new_post(&format!("пост {i} 🌿"), target("shop"), Some(due));
            engine::create_post(&engine, post, false).await;
        }
    }
    crash::kill_rounds(h, &data, TOKEN_VAR, rounds, 0x9E37_79B9_7F4A_7C15u64, 500).await;
    let final_posts = crash::settle(h, &data, TOKEN_VAR).await;
    assert_eq!(final_posts.len() as i64, posts);
    let mut unknown = 0;
    for p in &final_posts {
        let on_server = fake.count(&p.text);
        match &p.targets[0].state {
            TargetState::Sent { url, .. } => {
                assert_eq!(on_server, 1, "{} doubled or lost: {p:?}", p.id);
                let st = fake
                    .statuses()
                    .into_iter()
                    .find(|s| s.text == p.text)
                    .expect("status");
                assert_eq!(
                    url.as_deref(),
                    Some(format!("{}/@shop/{}", fake.uri(), st.id).as_str())
                );
            }
            TargetState::Unknown { .. } => {
                assert!(on_server <= 1, "{} doubled: {p:?}", p.id);
                unknown += 1;
            }
            other => panic!("{}: {other:?} ({:?})", p.id, p.log),
        }
    }
    let statuses = fake.statuses();
    assert_eq!(
        statuses.len() as i64,
        final_posts
            .iter()
            .filter(|p| fake.count(&p.text) == 1)
            .count() as i64,
        "a status the outbox does not know of: {statuses:?}"
    );
    let cut = final_posts
        .iter()
        .filter(|p| p.log.iter().any(|a| a.what == "unknown"))
        .count();
    eprintln!(
        "{rounds} kills, {posts} posts: {} sent once, {unknown} held as unknown, {cut} cut \
         mid-send and resolved, {} publish requests seen",
        posts - unknown,
        fake.state.lock().unwrap().posts_seen
    );
    // The kills must have hit sends in flight, or this test proved nothing.
    assert!(cut > 0, "no kill landed while a post was being sent");
}
