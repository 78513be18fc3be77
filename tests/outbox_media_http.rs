//! A post with pictures through the whole engine and outbox, on a real store, to local servers:
//! Telegram gets the files in one `sendMediaGroup` (nothing uploaded ahead), VK gets each file
//! through its upload server, the handles kept with the post, then one `wall.post` listing them.
//! Each run ends with exactly one post carrying the pictures.

mod support;

use kith::connectors::secrets::SecretSource;
use kith::connectors::AccountConfig;
use kith::domain::media::NewMedia;
use kith::domain::post::{NewPost, Post, PostId, TargetState};
use kith::domain::{Platform, Timestamp};
use kith::engine::api::{Request, Response};
use kith::engine::outbox::OutboxSettings;
use serde_json::{json, Value};
use std::time::Duration;
use support::engine::{target, TempEngine};
use support::fake::{ok, on, serve};
use support::images::{jpeg, png};
use support::multipart::{part as field, parts};
use support::net;
use support::telegram;
use support::vk::{self as fake, COMMUNITY_TOKEN, GROUP, USER_TOKEN};
use wiremock::MockServer;

const T_TOKEN: &str = "735190442:AAF-media-token-xyz";
const CHANNEL: i64 = -1001122334455;

async fn engine(cfg: AccountConfig, var: &str, secret: &str) -> TempEngine {
    kith::i18n::init(kith::i18n::Lang::En);
    let timeouts = net::timeouts(Duration::from_secs(3), 1 << 20);
    let e = TempEngine::connected(cfg, var, secret, timeouts).await;
    e.set_outbox(OutboxSettings {
        backoff_ms: 200,
        max_backoff_ms: 400,
        ..Default::default()
    });
    e
}

/// Creates a post due now on `account` with `files` (written to `dir` first) and runs the
/// outbox until the target settles.
async fn publish(
    e: &TempEngine,
    account: &str,
    text: &str,
    files: &[(&str, &[u8])],
    dir: &std::path::Path,
) -> Post {
    let media = files
        .iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).expect("write");
            NewMedia {
                path: path.display().to_string(),
                alt: String::new(),
            }
        })
        .collect();
    let post = NewPost {
        text: text.into(),
        targets: vec![target(account)],
        due_at: Some(Timestamp::now()),
        media,
    };
    let id = match e.call(Request::PostCreate { post, queue: false }).await {
        Ok(Response::Post(p)) => p.id,
        other => panic!("{other:?}"),
    };
    e.start_outbox();
    settled(e, id).await
}

async fn settled(e: &TempEngine, id: PostId) -> Post {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let p = e.store().post(id).expect("read").expect("post");
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

fn message(id: i64) -> Value {
    json!({"message_id": id, "date": 1773480500, "photo": [],
        "chat": {"id": CHANNEL, "title": "Наш канал", "type": "channel", "username": "lumo_shop"}})
}

#[tokio::test]
async fn a_telegram_post_with_two_pictures_goes_out_once_as_an_album() {
    let server = MockServer::start().await;
    serve(
        &server,
        on("POST", telegram::method(T_TOKEN, "sendMediaGroup")),
        ok(json!({"ok": true, "result": [message(970), message(971)]})),
    )
    .await;
    let cfg = AccountConfig {
        chats: vec![CHANNEL],
        ..net::account("tg", Platform::Telegram, server.uri())
    };
    let e = engine(cfg, "KITH_T_MEDIA_HTTP_TG", T_TOKEN).await;
    let files = tempfile::tempdir().expect("tmp");
    let (a, b) = (png(1200, 630, 6000), jpeg(640, 480, 4000));
    let p = publish(
        &e,
        "tg",
        "Две лампы 💡",
        &[("a.png", &a), ("b.jpg", &b)],
        files.path(),
    )
    .await;
    let t = &p.targets[0];
    assert!(matches!(t.state, TargetState::Sent { .. }), "{p:?}");
    assert_eq!(t.parts.len(), 1);
    assert_eq!(t.parts[0].native_id, format!("{CHANNEL}:970"));
    assert_eq!(
        t.parts[0].url.as_deref(),
        Some("https://t.me/lumo_shop/970")
    );
    assert!(p.uploads.is_empty(), "nothing goes up ahead on Telegram");
    let reqs = server.received_requests().await.expect("recorded");
    assert_eq!(reqs.len(), 1, "exactly one request: the album");
    let got = parts(&reqs[0]);
    let media: Value =
        serde_json::from_slice(&field(&got, "media").expect("media").bytes).expect("JSON");
    assert_eq!(
        media,
        json!([{"type": "photo", "media": "attach://p0", "caption": "Две лампы 💡"},
               {"type": "photo", "media": "attach://p1"}])
    );
    assert_eq!(field(&got, "p0").expect("p0").bytes, a);
    assert_eq!(field(&got, "p1").expect("p1").bytes, b);
}

#[tokio::test]
async fn a_vk_post_with_two_pictures_uploads_each_once_then_posts_once() {
    let vk = fake::Vk::new();
    let server = vk.start().await;
    std::env::set_var("KITH_T_MEDIA_HTTP_VK_USER", USER_TOKEN);
    let cfg = AccountConfig {
        group_id: Some(GROUP),
        user_secret: Some(SecretSource::Env("KITH_T_MEDIA_HTTP_VK_USER".into())),
        ..net::account("vk", Platform::Vk, server.uri())
    };
    let e = engine(cfg, "KITH_T_MEDIA_HTTP_VK", COMMUNITY_TOKEN).await;
    let files = tempfile::tempdir().expect("tmp");
    let (a, b) = (png(1200, 630, 6000), jpeg(640, 480, 4000));
    let p = publish(
        &e,
        "vk",
        "Две лампы 💡",
        &[("a.png", &a), ("b.jpg", &b)],
        files.path(),
    )
    .await;
    let t = &p.targets[0];
    assert!(matches!(t.state, TargetState::Sent { .. }), "{p:?}");
    let handles: Vec<(usize, &str)> = p
        .uploads
        .iter()
        .map(|u| (u.index, u.handle.as_str()))
        .collect();
    let (h1, h2) = (
        format!("photo-{GROUP}_457239001"),
        format!("photo-{GROUP}_457239002"),
    );
    assert_eq!(handles, vec![(0, h1.as_str()), (1, h2.as_str())]);
    let s = vk.state();
    let sent: Vec<&[u8]> = s
        .photos
        .uploads
        .iter()
        .map(|u| field(u, "photo").expect("photo").bytes.as_slice())
        .collect();
    assert_eq!(sent, [a.as_slice(), b.as_slice()]);
    assert_eq!(s.photos.saved.len(), 2);
    let posts: Vec<_> = s.calls.iter().filter(|c| c.method == "wall.post").collect();
    assert_eq!(posts.len(), 1, "one wall.post");
    assert_eq!(
        posts[0].get("attachments"),
        Some(format!("{h1},{h2}").as_str())
    );
    assert_eq!(s.posts.len(), 1);
    assert_eq!(s.posts[0].text, "Две лампы 💡");
    assert_eq!(s.posts[0].attachments, format!("{h1},{h2}"));
    assert_eq!(
        t.parts[0].native_id,
        format!("wall-{GROUP}_{}", s.posts[0].id)
    );
}
