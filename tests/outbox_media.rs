//! Pictures in posts, on the engine's side: attached files are recognised from their bytes,
//! checked against every target network and copied into the data directory; at send time each
//! picture is uploaded once per account (the handle kept with the post before the post goes), a
//! failed upload retries only what is missing, and networks that take pictures in the post
//! itself get the bytes. The network here is a scripted connector; each real network's upload is
//! tested against its local server in its own connector tests, and the SIGKILL case in
//! `crash_media.rs`.

mod support;

use futures::future::BoxFuture;
use kith::connectors::{
    Connector, ConnectorError, FetchPage, Identity, Outgoing, RemoteAction, Sent,
};
use kith::domain::media::{ImageType, NewMedia, Picture};
use kith::domain::post::{NewPost, Post, PostId, TargetState};
use kith::domain::{Item, NewItem, Platform, Timestamp};
use kith::engine::api::{Request, Response};
use kith::engine::outbox::{OutboxSettings, TokioClock};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::engine::{self, target, TempEngine};
use support::net;

/// 2026-12-07T09:00:00Z.
const T0: i64 = 1_796_634_000_000;

#[derive(Default)]
struct Script {
    /// Answers to `upload`, in order (`None`: it goes up); when empty, every upload succeeds.
    upload: VecDeque<Option<ConnectorError>>,
    /// (bytes, alt) of every upload tried.
    uploads: Vec<(usize, String)>,
    /// Every post published.
    published: Vec<Outgoing>,
}

struct Scripted {
    platform: Platform,
    first: bool,
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
    fn uploads_first(&self) -> bool {
        self.first
    }
    fn upload<'a>(&'a self, p: &'a Picture) -> BoxFuture<'a, kith::connectors::Result<String>> {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let mut s = self.script.lock().expect("lock");
            s.uploads.push((p.bytes.len(), p.alt.clone()));
            match s.upload.pop_front().flatten() {
                Some(e) => Err(e),
                None => Ok(format!("m{}", s.uploads.len())),
            }
        })
    }
    fn publish<'a>(&'a self, post: &'a Outgoing) -> BoxFuture<'a, kith::connectors::Result<Sent>> {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            self.script
                .lock()
                .expect("lock")
                .published
                .push(post.clone());
            Ok(Sent {
                native_id: post.idempotency_key.clone(),
                url: None,
            })
        })
    }
}

/// A PNG header of `w`×`h`, padded to `len` bytes (enough for kith to recognise it).
fn png(w: u32, h: u32, len: usize) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    b.extend(w.to_be_bytes());
    b.extend(h.to_be_bytes());
    b.extend([8, 6, 0, 0, 0]);
    b.resize(len.max(b.len()), 0xAB);
    b
}

struct Rig {
    engine: TempEngine,
    script: Arc<Mutex<Script>>,
    files: tempfile::TempDir,
}

async fn rig(accounts: &[(&str, Platform, bool)]) -> Rig {
    kith::i18n::init(kith::i18n::Lang::En);
    let engine = TempEngine::in_dir(tempfile::tempdir().expect("tmp"));
    engine.set_clock(Arc::new(TokioClock::new(Timestamp(T0))));
    engine.set_outbox(OutboxSettings {
        backoff_ms: 30_000,
        max_backoff_ms: 60_000,
        max_attempts: 5,
        ..Default::default()
    });
    let script: Arc<Mutex<Script>> = Default::default();
    for (name, platform, first) in accounts {
        engine::add_account(
            &engine,
            net::account(name, *platform, "http://127.0.0.1:9/"),
        )
        .await;
        engine.use_connector(
            name,
            Arc::new(Scripted {
                platform: *platform,
                first: *first,
                script: script.clone(),
            }),
        );
    }
    Rig {
        engine,
        script,
        files: tempfile::tempdir().expect("tmp"),
    }
}

impl Rig {
    /// Writes `bytes` as the user's file `name` and returns it as an attachment with `alt`.
    fn file(&self, name: &str, bytes: &[u8], alt: &str) -> NewMedia {
        let path = self.files.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        NewMedia {
            path: path.display().to_string(),
            alt: alt.into(),
        }
    }

    async fn create(
        &self,
        text: &str,
        accounts: &[&str],
        media: Vec<NewMedia>,
    ) -> Result<Post, String> {
        let post = NewPost {
            text: text.into(),
            targets: accounts.iter().map(|a| target(a)).collect(),
            due_at: Some(Timestamp(T0 + 60_000)),
            media,
        };
        match self
            .engine
            .call(Request::PostCreate { post, queue: false })
            .await
        {
            Ok(Response::Post(p)) => Ok(*p),
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(e.to_string()),
        }
    }

    fn get(&self, id: PostId) -> Post {
        self.engine.store().post(id).expect("read").expect("post")
    }

    fn script(&self) -> std::sync::MutexGuard<'_, Script> {
        self.script.lock().expect("lock")
    }
}

#[tokio::test(start_paused = true)]
async fn each_picture_is_uploaded_once_and_goes_with_the_post_in_order() {
    let r = rig(&[("shop", Platform::Mastodon, true)]).await;
    let cat = png(1200, 630, 3000);
    let media = vec![
        r.file("cat.png", &cat, "  A ginger cat on a lamp  "),
        r.file("dog.png", &png(40, 30, 100), "Собака 狗"),
    ];
    let p = r
        .create("Лампа дня 💡", &["shop"], media)
        .await
        .expect("created");
    // The copies are named by their content and survive the user's files.
    let sha = {
        use sha2::Digest;
        sha2::Sha256::digest(&cat)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    assert_eq!(p.media.len(), 2);
    assert_eq!(p.media[0].file, format!("{sha}.png"));
    assert_eq!(
        (
            p.media[0].name.as_str(),
            p.media[0].alt.as_str(),
            p.media[0].kind,
            p.media[0].bytes,
            p.media[0].width,
            p.media[0].height
        ),
        (
            "cat.png",
            "A ginger cat on a lamp",
            ImageType::Png,
            3000,
            1200,
            630
        )
    );
    let kept = r.engine.store().dir().join("media").join(&p.media[0].file);
    assert_eq!(std::fs::read(&kept).expect("kept copy"), cat);
    std::fs::remove_file(r.files.path().join("cat.png")).expect("rm");

    r.engine.start_outbox();
    tokio::time::sleep(Duration::from_secs(62)).await;
    let got = r.get(p.id);
    assert!(
        matches!(got.targets[0].state, TargetState::Sent { .. }),
        "{got:?}"
    );
    let handles: Vec<(usize, &str)> = got
        .uploads
        .iter()
        .map(|u| (u.index, u.handle.as_str()))
        .collect();
    assert_eq!(handles, vec![(0, "m1"), (1, "m2")]);
    let s = r.script();
    assert_eq!(
        s.uploads,
        vec![
            (3000, "A ginger cat on a lamp".to_string()),
            (100, "Собака 狗".to_string())
        ]
    );
    assert_eq!(s.published.len(), 1);
    let sent: Vec<(Option<&str>, &str, u32)> = s.published[0]
        .media
        .iter()
        .map(|m| (m.handle.as_deref(), m.name.as_str(), m.width))
        .collect();
    assert_eq!(
        sent,
        vec![
            (Some("m1"), "image1.png", 1200),
            (Some("m2"), "image2.png", 40)
        ]
    );
    let log: Vec<&str> = got.log.iter().map(|a| a.what.as_str()).collect();
    assert_eq!(log, vec!["uploaded", "uploaded", "sending", "sent"]);
}

#[tokio::test(start_paused = true)]
async fn a_failed_upload_retries_only_the_pictures_still_missing() {
    let r = rig(&[("shop", Platform::Bluesky, true)]).await;
    {
        let mut s = r.script();
        // The first picture goes up; the second times out (it may be up there, unused).
        s.upload
            .push_back(Some(ConnectorError::Unreachable("no route".into())));
    }
    let media = vec![
        r.file("a.png", &png(10, 10, 500), "one"),
        r.file("b.png", &png(20, 20, 600), "two"),
    ];
    // The first upload fails before anything left; the second attempt uploads both.
    let p = r.create("x", &["shop"], media).await.expect("created");
    r.engine.start_outbox();
    tokio::time::sleep(Duration::from_secs(61)).await;
    {
        let got = r.get(p.id);
        assert!(
            matches!(
                got.targets[0].state,
                TargetState::RetryWait { attempt: 1, .. }
            ),
            "{got:?}"
        );
        assert!(got.uploads.is_empty());
        assert!(
            r.script().published.is_empty(),
            "posted without its pictures"
        );
    }
    {
        let mut s = r.script();
        s.upload.push_back(None);
        s.upload
            .push_back(Some(ConnectorError::Network("timed out".into())));
    }
    // Retry: the first goes up and is kept, the second fails again (maybe up, unused).
    tokio::time::sleep(Duration::from_secs(31)).await;
    {
        let got = r.get(p.id);
        assert_eq!(got.uploads.len(), 1, "{got:?}");
        assert!(matches!(
            got.targets[0].state,
            TargetState::RetryWait { attempt: 2, .. }
        ));
        assert!(r.script().published.is_empty());
    }
    tokio::time::sleep(Duration::from_secs(61)).await;
    let got = r.get(p.id);
    assert!(
        matches!(got.targets[0].state, TargetState::Sent { .. }),
        "{got:?}"
    );
    let s = r.script();
    // a (failed), a (kept), b (failed), b (kept): the kept one was never uploaded again.
    let alts: Vec<&str> = s.uploads.iter().map(|u| u.1.as_str()).collect();
    assert_eq!(alts, vec!["one", "one", "two", "two"]);
    assert_eq!(s.published.len(), 1);
    let handles: Vec<Option<&str>> = s.published[0]
        .media
        .iter()
        .map(|m| m.handle.as_deref())
        .collect();
    assert_eq!(handles, vec![Some("m2"), Some("m4")]);
}

#[tokio::test(start_paused = true)]
async fn networks_that_take_pictures_with_the_post_get_the_bytes_and_a_caption_limit() {
    let r = rig(&[("bot", Platform::Telegram, false)]).await;
    let pic = png(64, 64, 2048);
    // A caption holds 1024 characters on Telegram; a plain message 4096.
    let long = "ж".repeat(1100);
    let err = r
        .create(&long, &["bot"], vec![r.file("p.png", &pic, "")])
        .await
        .expect_err("caption too long");
    assert!(err.contains("1100") && err.contains("1024"), "{err}");
    r.create(&long, &["bot"], vec![])
        .await
        .expect("a long text alone is fine");
    let p = r
        .create("Новинка", &["bot"], vec![r.file("p.png", &pic, "")])
        .await
        .expect("created");
    r.engine.start_outbox();
    tokio::time::sleep(Duration::from_secs(62)).await;
    assert!(matches!(
        r.get(p.id).targets[0].state,
        TargetState::Sent { .. }
    ));
    let s = r.script();
    assert!(s.uploads.is_empty(), "uploaded ahead: {:?}", s.uploads);
    let with = s
        .published
        .iter()
        .find(|o| o.text == "Новинка")
        .expect("sent");
    assert_eq!(with.media.len(), 1);
    assert_eq!(with.media[0].handle, None);
    assert_eq!(with.media[0].bytes.as_slice(), pic.as_slice());
}

#[tokio::test]
async fn pictures_are_refused_before_anything_is_stored_or_sent() {
    let r = rig(&[
        ("sky", Platform::Bluesky, true),
        ("ig", Platform::Instagram, true),
        ("shop", Platform::Mastodon, true),
    ])
    .await;
    let big = r.file("big.png", &png(4000, 3000, 1_000_001), "");
    let err = r
        .create("x", &["shop", "sky"], vec![big])
        .await
        .expect_err("too big");
    assert_eq!(err, "sky: big.png is 1 MB, Bluesky takes at most 1 MB");
    let text = r.file("notes.txt", b"just words", "");
    let err = r
        .create("x", &["shop"], vec![text])
        .await
        .expect_err("not a picture");
    assert!(
        err.ends_with("notes.txt is not a picture kith can send (PNG, JPEG, GIF or WebP)"),
        "{err}"
    );
    let cut = r.file("cut.png", &png(10, 10, 24)[..20], "");
    let err = r
        .create("x", &["shop"], vec![cut])
        .await
        .expect_err("damaged");
    assert!(err.contains("cut.png looks like a picture"), "{err}");
    let five: Vec<NewMedia> = (0..5)
        .map(|i| r.file(&format!("{i}.png"), &png(9, 9, 50), ""))
        .collect();
    let err = r.create("x", &["sky"], five).await.expect_err("too many");
    assert_eq!(err, "sky: 5 pictures, Bluesky takes at most 4");
    let err = r
        .create("x", &["ig"], vec![])
        .await
        .expect_err("instagram needs one");
    assert!(
        err.starts_with("ig: every Instagram post needs a picture"),
        "{err}"
    );
    let err = r
        .create("x", &["ig"], vec![r.file("p.png", &png(9, 9, 50), "")])
        .await
        .expect_err("instagram takes JPEG");
    assert_eq!(err, "ig: p.png is PNG, Instagram takes JPG");
    let missing = NewMedia {
        path: r.files.path().join("nowhere.png").display().to_string(),
        alt: String::new(),
    };
    let err = r
        .create("x", &["shop"], vec![missing])
        .await
        .expect_err("missing");
    assert!(err.starts_with("Cannot read the picture"), "{err}");
    // Nothing was kept: no post, no copy.
    assert!(r.engine.store().posts(10).expect("posts").is_empty());
    assert!(!r.engine.store().dir().join("media").exists());
}
