//! Posts with pictures through the whole engine to Facebook and Instagram on a local server
//! speaking the Graph API: the files attached to the post, uploaded by the outbox (handles kept
//! with the post), and exactly one published post carrying them.

mod support;

use kith::connectors::http::PostQuota;
use kith::connectors::secrets::SecretSource;
use kith::connectors::AccountConfig;
use kith::domain::media::NewMedia;
use kith::domain::post::{NewPost, Post, PostId, TargetState};
use kith::domain::{Platform, Timestamp};
use kith::engine::api::{Request, Response};
use kith::engine::outbox::OutboxSettings;
use serde_json::json;
use std::time::Duration;
use support::engine::{self, target, TempEngine};
use support::fake::{ok, on, requests_to};
use support::multipart::{field, form, parts, BodyHas};
use support::net;
use wiremock::MockServer;

const PAGE: &str = "1234567890123456";
const IG: &str = "17841400000000009";
const V: &str = "/v23.0";
const BIG: &str = "https://scontent.example/v/t39/big.jpg?oh=1&oe=2";

struct Rig {
    engine: TempEngine,
    server: MockServer,
    files: tempfile::TempDir,
}

async fn rig(platform: Platform, page_id: &str) -> Rig {
    kith::i18n::init(kith::i18n::Lang::En);
    std::env::set_var("KITH_OUTBOX_GRAPH_TOKEN", "graph-page-token");
    let server = MockServer::start().await;
    let timeouts = net::timeouts(Duration::from_secs(3), 1 << 20);
    let engine = TempEngine::new(|dir| net::context(dir, timeouts, net::TWICE));
    engine.set_outbox(OutboxSettings {
        backoff_ms: 200,
        max_backoff_ms: 400,
        ..Default::default()
    });
    let cfg = AccountConfig {
        secret: SecretSource::Env("KITH_OUTBOX_GRAPH_TOKEN".into()),
        page_id: Some(page_id.into()),
        ..net::account("shop", platform, server.uri())
    };
    engine::add_account(&engine, cfg).await;
    Rig {
        engine,
        server,
        files: tempfile::tempdir().expect("tmp"),
    }
}

impl Rig {
    fn file(&self, name: &str, bytes: &[u8], alt: &str) -> NewMedia {
        let path = self.files.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        NewMedia {
            path: path.display().to_string(),
            alt: alt.into(),
        }
    }

    async fn post(&self, text: &str, media: Vec<NewMedia>) -> Post {
        let post = NewPost {
            text: text.into(),
            targets: vec![target("shop")],
            due_at: Some(Timestamp::now()),
            media,
        };
        let p = engine::create_post(&self.engine, post, false).await;
        self.engine.start_outbox();
        p
    }

    async fn settled(&self, id: PostId) -> Post {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let p = self.engine.store().post(id).expect("read").expect("post");
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
}

fn png(fill: u8) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    b.extend(800u32.to_be_bytes());
    b.extend(600u32.to_be_bytes());
    b.extend([8, 6, 0, 0, 0]);
    b.extend(std::iter::repeat_n(fill, 1500));
    b.extend(b"\r\n");
    b
}

fn jpeg() -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0xAA, 0xBB];
    b.extend([0xFF, 0xC0, 0x00, 0x11, 0x08, 0x04, 0x38, 0x04, 0x38, 0x03]);
    b.extend((0..=255u8).cycle().take(2000));
    b
}

fn sent(p: &Post) -> (String, Option<String>) {
    let t = &p.targets[0];
    match (&t.state, t.parts.as_slice()) {
        (TargetState::Sent { url, .. }, [part]) => {
            assert_eq!(url, &part.url);
            (part.native_id.clone(), url.clone())
        }
        (other, _) => panic!("not sent once: {other:?} {:?}", p.log),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_facebook_post_with_two_pictures_goes_out_once_carrying_both() {
    let r = rig(Platform::Facebook, PAGE).await;
    for (fill, id) in [(0x11u8, "PH1"), (0x22, "PH2")] {
        on("POST", format!("{V}/{PAGE}/photos"))
            .and(BodyHas(png(fill)))
            .respond_with(ok(json!({ "id": id })))
            .mount(&r.server)
            .await;
    }
    on("POST", format!("{V}/{PAGE}/feed"))
        .respond_with(ok(json!({"id": format!("{PAGE}_501")})))
        .mount(&r.server)
        .await;
    let media = vec![
        r.file("first.png", &png(0x11), "Лампа слева"),
        r.file("second.png", &png(0x22), ""),
    ];
    let p = r.post("Две лампы 💡 https://lumo.example", media).await;
    let p = r.settled(p.id).await;
    assert_eq!(
        sent(&p),
        (
            format!("{PAGE}_501"),
            Some(format!("https://www.facebook.com/{PAGE}_501"))
        )
    );
    let handles: Vec<(usize, &str)> = p
        .uploads
        .iter()
        .map(|u| (u.index, u.handle.as_str()))
        .collect();
    assert_eq!(handles, [(0, "PH1"), (1, "PH2")]);
    let uploads = requests_to(&r.server, &format!("{V}/{PAGE}/photos")).await;
    assert_eq!(uploads.len(), 2, "each picture once");
    for (req, bytes) in uploads.iter().zip([png(0x11), png(0x22)]) {
        let source = parts(req)
            .into_iter()
            .find(|p| p.name == "source")
            .expect("source");
        assert_eq!(source.bytes, bytes);
    }
    let feed = requests_to(&r.server, &format!("{V}/{PAGE}/feed")).await;
    assert_eq!(feed.len(), 1, "exactly one post");
    assert_eq!(
        form(&feed[0]),
        [
            (
                "message".to_string(),
                "Две лампы 💡 https://lumo.example".to_string()
            ),
            (
                "attached_media[0]".to_string(),
                r#"{"media_fbid":"PH1"}"#.to_string()
            ),
            (
                "attached_media[1]".to_string(),
                r#"{"media_fbid":"PH2"}"#.to_string()
            ),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instagram_post_is_hosted_on_the_page_and_published_once() {
    let r = rig(Platform::Instagram, IG).await;
    let s = &r.server;
    on("GET", format!("{V}/me"))
        .respond_with(ok(json!({"id": PAGE})))
        .mount(s)
        .await;
    on("POST", format!("{V}/{PAGE}/photos"))
        .respond_with(ok(json!({"id": "PH7"})))
        .mount(s)
        .await;
    on("GET", format!("{V}/PH7"))
        .respond_with(ok(json!({"images": [
            {"width": 320, "height": 320, "source": "https://scontent.example/s.jpg"},
            {"width": 1080, "height": 1080, "source": BIG}]})))
        .mount(s)
        .await;
    on("GET", format!("{V}/{IG}/content_publishing_limit"))
        .respond_with(ok(json!({"data": [{"quota_usage": 2,
            "config": {"quota_total": 25, "quota_duration": 86400}}]})))
        .mount(s)
        .await;
    on("POST", format!("{V}/{IG}/media"))
        .respond_with(ok(json!({"id": "C1"})))
        .mount(s)
        .await;
    on("GET", format!("{V}/C1"))
        .respond_with(ok(json!({"status_code": "FINISHED"})))
        .mount(s)
        .await;
    on("POST", format!("{V}/{IG}/media_publish"))
        .respond_with(ok(json!({"id": "M1"})))
        .mount(s)
        .await;
    on("GET", format!("{V}/M1"))
        .respond_with(ok(
            json!({"permalink": "https://www.instagram.com/p/C0ffee/"}),
        ))
        .mount(s)
        .await;
    let media = vec![r.file("lamp.jpg", &jpeg(), "A brass lamp")];
    let p = r.post("Лампа дня 💡", media).await;
    let p = r.settled(p.id).await;
    assert_eq!(
        sent(&p),
        (
            "M1".to_string(),
            Some("https://www.instagram.com/p/C0ffee/".to_string())
        )
    );
    assert_eq!(p.uploads.len(), 1);
    assert_eq!(p.uploads[0].handle, BIG);
    let photo = &requests_to(s, &format!("{V}/{PAGE}/photos")).await;
    assert_eq!(photo.len(), 1);
    let source = parts(&photo[0])
        .into_iter()
        .find(|p| p.name == "source")
        .expect("source");
    assert_eq!(source.bytes, jpeg());
    let containers = requests_to(s, &format!("{V}/{IG}/media")).await;
    assert_eq!(containers.len(), 1);
    assert_eq!(field(&containers[0], "image_url").as_deref(), Some(BIG));
    assert_eq!(
        field(&containers[0], "caption").as_deref(),
        Some("Лампа дня 💡")
    );
    assert_eq!(
        field(&containers[0], "alt_text").as_deref(),
        Some("A brass lamp")
    );
    let published = requests_to(s, &format!("{V}/{IG}/media_publish")).await;
    assert_eq!(published.len(), 1, "exactly one post");
    assert_eq!(field(&published[0], "creation_id").as_deref(), Some("C1"));

    // The next sync hands the publishing limit to the Accounts view, this post counted.
    on("GET", format!("{V}/{IG}/media"))
        .respond_with(ok(json!({"data": []})))
        .mount(s)
        .await;
    assert_eq!(engine::sync(&r.engine, "shop").await.error, None);
    let Ok(Response::Accounts(views)) = r.engine.call(Request::Accounts).await else {
        panic!("accounts");
    };
    assert_eq!(
        views[0].runtime.rate.posts,
        Some(PostQuota {
            used: 3,
            limit: 25,
            hours: 24
        })
    );
}
