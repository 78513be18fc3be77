//! Pictures exactly once across crashes: `kith serve` is killed with SIGKILL at random moments
//! while posts with two pictures fall due and the fake Mastodon answers uploads and posts slowly
//! (so kills land mid-upload and mid-post). In the end every post is on the server exactly once
//! and always with both its pictures (bytes and alt text), or held as unknown for a person; an
//! upload whose id was kept is never uploaded again, and only an upload cut by a kill can be left
//! unused. `KITH_CRASH_ROUNDS` sets the number of kills (default 6).

mod support;

use kith::connectors::{secrets::SecretSource, AccountConfig};
use kith::domain::media::NewMedia;
use kith::domain::post::{NewPost, TargetState};
use kith::domain::{Platform, Timestamp};
use kith::engine::api::Request;
use kith::engine::Engine;
use kith::store::Store;
use std::collections::HashSet;
use support::crash;
use support::engine::{self, target};
use support::mastodon_server::MastodonServer;
use support::net;

const TOKEN_VAR: &str = "KITH_CRASH_MEDIA_TOKEN";

/// A PNG header of `w`×`h` padded with a pattern, so every picture's bytes differ.
fn png(w: u32, h: u32, seed: u8) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    b.extend(w.to_be_bytes());
    b.extend(h.to_be_bytes());
    b.extend([8, 6, 0, 0, 0]);
    b.extend((0..2000u32).map(|i| (i as u8).wrapping_mul(seed)));
    b
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_never_posts_without_pictures_nor_twice() {
    let rounds = crash::rounds();
    let posts: i64 = 3 * rounds as i64;
    kith::i18n::init(kith::i18n::Lang::En);
    let fake = MastodonServer::start().await;
    {
        let mut st = fake.state.lock().unwrap();
        st.jitter_ms = 400;
        st.media_sync = true;
    }
    let home = tempfile::tempdir().expect("tmp");
    let h = home.path();
    let data = h.join("data");
    let files = h.join("pictures");
    std::fs::create_dir_all(&files).expect("dir");
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
            let media = (0..2u8)
                .map(|k| {
                    let path = files.join(format!("p{i}-{k}.png"));
                    std::fs::write(&path, png(100 + i as u32, 50, 3 + 2 * k + i as u8))
                        .expect("write");
                    NewMedia {
                        path: path.display().to_string(),
                        alt: format!("картинка {k} поста {i}"),
                    }
                })
                .collect();
            let post = NewPost {
                text: format!("пост {i} 🌿"),
                targets: vec![target("shop")],
                due_at: Some(Timestamp(start + i * 150)),
                media,
            };
            engine::create_post(&engine, post, false).await;
        }
    }
    crash::kill_rounds(h, &data, TOKEN_VAR, rounds, 0xD1B5_4A32_D192_ED03u64, 600).await;
    let final_posts = crash::settle(h, &data, TOKEN_VAR).await;
    assert_eq!(final_posts.len() as i64, posts);
    let statuses = fake.statuses();
    let uploaded = fake.media();
    let mut unknown = 0;
    for p in &final_posts {
        let mine: Vec<_> = statuses.iter().filter(|s| s.text == p.text).collect();
        match &p.targets[0].state {
            TargetState::Sent { .. } => assert_eq!(mine.len(), 1, "{} doubled or lost", p.id),
            TargetState::Unknown { .. } => {
                assert!(mine.len() <= 1, "{} doubled", p.id);
                unknown += 1;
            }
            other => panic!("{}: {other:?} ({:?})", p.id, p.log),
        }
        for st in mine {
            // Never without its pictures: both, in order, with their bytes and alt text.
            let got: Vec<(Vec<u8>, Option<String>)> = st
                .media
                .iter()
                .map(|m| (m.bytes.clone(), m.description.clone()))
                .collect();
            let want: Vec<(Vec<u8>, Option<String>)> = p
                .media
                .iter()
                .map(|a| {
                    let bytes = std::fs::read(data.join("media").join(&a.file)).expect("copy");
                    (bytes, Some(a.alt.clone()))
                })
                .collect();
            assert_eq!(got, want, "{} went out without its pictures", p.id);
        }
        // Each kept upload id is distinct and is what the status carries.
        let kept: HashSet<&str> = p.uploads.iter().map(|u| u.handle.as_str()).collect();
        assert_eq!(kept.len(), p.uploads.len(), "{}: an id kept twice", p.id);
    }
    // Every upload kith kept was used at most once; the unused ones were cut by a kill before
    // their id could be kept.
    let attached = uploaded.iter().filter(|m| m.status.is_some()).count();
    let orphans = uploaded.len() - attached;
    assert!(
        orphans as u32 <= rounds,
        "{orphans} unused uploads for {rounds} kills: uploads were repeated"
    );
    let cut_posts = final_posts
        .iter()
        .filter(|p| p.log.iter().any(|a| a.what == "unknown"))
        .count();
    eprintln!(
        "{rounds} kills, {posts} posts with 2 pictures: {} sent once with both, {unknown} held as \
         unknown, {} uploads ({orphans} unused, cut by a kill), {cut_posts} cut mid-post",
        posts - unknown,
        uploaded.len()
    );
    // The kills must have hit uploads or posts in flight, or this test proved nothing.
    assert!(
        orphans + cut_posts > 0,
        "no kill landed mid-upload or mid-post"
    );
}
