//! Pictures on Mastodon against a local server that keeps uploads and statuses as Mastodon does:
//! the upload's multipart form (field names, file name, type, alt text, the exact bytes); a
//! picture still processing looked at until ready, and given up on (to retry) when it never is;
//! a refused picture refused with the server's words; `media_ids` in order, also without text;
//! `lookup` telling picture posts apart by their attachments; and the whole way through the
//! engine's outbox.

mod support;

use kith::connectors::mastodon::Mastodon;
use kith::connectors::secrets::SecretSource;
use kith::connectors::{AccountConfig, Connector, ConnectorError, Lookup, Sent};
use kith::domain::media::{sniff, NewMedia, Picture};
use kith::domain::post::{NewPost, Post, PostId, TargetState};
use kith::domain::{Platform, Timestamp};
use kith::engine::outbox::OutboxSettings;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::engine::{self, target, TempEngine};
use support::fake::{body, requests_to};
use support::mastodon::{self, TOKEN};
use support::mastodon_server::MastodonServer;
use support::net::{self, THRICE};
use support::publish::post;

/// A PNG header of `w`×`h`, padded with `fill` to `len` bytes.
fn png(w: u32, h: u32, len: usize, fill: u8) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    b.extend(w.to_be_bytes());
    b.extend(h.to_be_bytes());
    b.extend([8, 6, 0, 0, 0]);
    b.resize(len.max(b.len()), fill);
    b
}

/// A GIF header of `w`×`h` followed by every byte value (CR, LF and `--` included).
fn gif(w: u16, h: u16) -> Vec<u8> {
    let mut b = b"GIF89a".to_vec();
    b.extend(w.to_le_bytes());
    b.extend(h.to_le_bytes());
    b.extend(0..=255u8);
    b.extend(b"\r\n--x\r\n\r\n");
    b
}

/// Picture number `n` of a post, as the engine hands it over.
fn picture(n: usize, bytes: Vec<u8>, alt: &str) -> Picture {
    let info = sniff(&bytes).expect("a picture");
    Picture {
        bytes: Arc::new(bytes),
        kind: info.kind,
        width: info.width,
        height: info.height,
        alt: alt.into(),
        name: format!("image{n}.{}", info.kind.ext()),
        handle: None,
    }
}

fn connector(fake: &MastodonServer) -> Mastodon {
    mastodon::connector(&fake.server, TOKEN, THRICE).with_media_wait(Duration::from_millis(10), 5)
}

fn uploaded(mut p: Picture, handle: &str) -> Picture {
    p.handle = Some(handle.into());
    p
}

#[tokio::test]
async fn an_upload_is_a_form_with_the_file_its_type_and_its_alt_text() {
    kith::i18n::init(kith::i18n::Lang::En);
    let fake = MastodonServer::start().await;
    fake.state.lock().unwrap().media_sync = true;
    let c = connector(&fake);
    let a = picture(1, png(1200, 630, 3000, 0xAB), "Две кружки 🍵 на столе");
    let b = picture(2, gif(320, 240), "");
    let ha = c.upload(&a).await.expect("uploaded");
    let hb = c.upload(&b).await.expect("uploaded");
    let media = fake.media();
    assert_eq!(media.len(), 2);
    assert_eq!(ha, media[0].id.to_string());
    assert_eq!(hb, media[1].id.to_string());
    assert_eq!(media[0].bytes, *a.bytes);
    assert_eq!(media[0].file_name.as_deref(), Some("image1.png"));
    assert_eq!(media[0].content_type.as_deref(), Some("image/png"));
    assert_eq!(
        media[0].description.as_deref(),
        Some("Две кружки 🍵 на столе")
    );
    assert_eq!(media[1].bytes, *b.bytes);
    assert_eq!(media[1].file_name.as_deref(), Some("image2.gif"));
    assert_eq!(media[1].content_type.as_deref(), Some("image/gif"));
    // No alt text: no description field at all.
    assert_eq!(media[1].description, None);
    let reqs = requests_to(&fake.server, "/api/v2/media").await;
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        assert_eq!(
            r.headers.get("authorization").and_then(|v| v.to_str().ok()),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }
    // Processed at once: nothing to look at.
    assert_eq!(fake.state.lock().unwrap().media_looks, 0);
}

#[tokio::test]
async fn a_picture_still_processing_is_looked_at_until_it_is_ready() {
    kith::i18n::init(kith::i18n::Lang::En);
    let fake = MastodonServer::start().await;
    // 202 on upload, then two looks answered 206 before the third finds it processed.
    fake.state.lock().unwrap().media_looks_pending = 2;
    let c = connector(&fake);
    let h = c
        .upload(&picture(1, png(10, 10, 100, 1), "a"))
        .await
        .expect("ready");
    assert_eq!(h, fake.media()[0].id.to_string());
    assert!(fake.media()[0].processed);
    assert_eq!(fake.state.lock().unwrap().media_looks, 3);
    let looks = requests_to(&fake.server, &format!("/api/v1/media/{h}")).await;
    assert_eq!(looks.len(), 3);
    // Only once processed may a status carry it; it does.
    let mut p = post("", "k-ready");
    p.media = vec![uploaded(picture(1, png(10, 10, 100, 1), "a"), &h)];
    c.publish(&p).await.expect("published");
    assert_eq!(fake.statuses()[0].media.len(), 1);
}

#[tokio::test]
async fn a_picture_never_processed_is_a_failure_to_retry_after_a_few_looks() {
    kith::i18n::init(kith::i18n::Lang::En);
    let fake = MastodonServer::start().await;
    fake.state.lock().unwrap().media_looks_pending = 100;
    let c = connector(&fake);
    let err = c
        .upload(&picture(1, png(10, 10, 100, 1), ""))
        .await
        .expect_err("never ready");
    assert_eq!(
        err,
        ConnectorError::Network(
            "Mastodon was still processing the picture after 1 s; kith uploads it again later"
                .into()
        )
    );
    assert_eq!(fake.state.lock().unwrap().media_looks, 5);
}

#[tokio::test]
async fn a_refused_picture_is_refused_with_the_servers_words_and_no_secret() {
    kith::i18n::init(kith::i18n::Lang::En);
    let fake = MastodonServer::start().await;
    {
        let mut st = fake.state.lock().unwrap();
        st.media_faults.push_back((
            422,
            json!({"error": format!("Validation failed: File content type is invalid ({TOKEN})")}),
        ));
        st.media_faults.push_back((413, json!({})));
        st.media_faults
            .push_back((401, json!({"error": "The access token is invalid"})));
    }
    let c = connector(&fake);
    let pic = picture(1, png(10, 10, 100, 1), "");
    assert_eq!(
        c.upload(&pic).await,
        Err(ConnectorError::Refused(
            "Mastodon refused the picture: HTTP 422: Validation failed: File content type is \
             invalid (•••)"
                .into()
        ))
    );
    assert_eq!(
        c.upload(&pic).await,
        Err(ConnectorError::Refused(
            "Mastodon refused the picture: HTTP 413".into()
        ))
    );
    assert_eq!(
        c.upload(&pic).await,
        Err(ConnectorError::Auth(
            "HTTP 401: The access token is invalid".into()
        ))
    );
    assert!(fake.media().is_empty());
}

#[tokio::test]
async fn a_post_carries_its_media_ids_in_order_and_may_have_no_text() {
    kith::i18n::init(kith::i18n::Lang::En);
    let fake = MastodonServer::start().await;
    fake.state.lock().unwrap().media_sync = true;
    let c = connector(&fake);
    let a = picture(1, png(40, 30, 200, 1), "first");
    let b = picture(2, gif(30, 40), "second");
    let ha = c.upload(&a).await.expect("a");
    let hb = c.upload(&b).await.expect("b");
    // Given in the post's order (b first), whatever order they were uploaded in.
    let mut p = post("Новинки 🌿", "k-two");
    p.media = vec![uploaded(b.clone(), &hb), uploaded(a.clone(), &ha)];
    let sent = c.publish(&p).await.expect("published");
    let reqs = requests_to(&fake.server, mastodon::STATUSES).await;
    assert_eq!(
        body(&reqs[0]),
        json!({"status": "Новинки 🌿", "visibility": "public", "media_ids": [hb, ha]})
    );
    let st = fake.statuses();
    assert_eq!(sent.native_id, st[0].id.to_string());
    let ids: Vec<String> = st[0].media.iter().map(|m| m.id.to_string()).collect();
    assert_eq!(ids, vec![hb.clone(), ha.clone()]);
    // Pictures without words.
    let c2 = c.upload(&a).await.expect("again");
    let mut only = post("", "k-only");
    only.media = vec![uploaded(a.clone(), &c2)];
    c.publish(&only).await.expect("a picture alone");
    assert_eq!(fake.statuses()[1].text, "");
    assert_eq!(fake.statuses()[1].media[0].id.to_string(), c2);
    // An id the server does not have (or one already used) is refused as Mastodon refuses it.
    let mut stale = post("again", "k-stale");
    stale.media = vec![uploaded(a, &ha)];
    assert_eq!(
        c.publish(&stale).await,
        Err(ConnectorError::Refused(format!(
            "HTTP 422: Media attachment with ID(s) {ha} not found"
        )))
    );
    // Without pictures an empty post is still refused before any request.
    assert!(matches!(
        c.publish(&post(" ", "k-empty")).await,
        Err(ConnectorError::Refused(_))
    ));
    assert_eq!(requests_to(&fake.server, mastodon::STATUSES).await.len(), 3);
}

#[tokio::test]
async fn lookup_tells_picture_posts_apart_by_their_attachments() {
    kith::i18n::init(kith::i18n::Lang::En);
    let fake = MastodonServer::start().await;
    fake.state.lock().unwrap().media_sync = true;
    let c = connector(&fake);
    let pic = |n| picture(n, png(10, 10, 100, n as u8), "");
    let mut handles = Vec::new();
    for n in 1..=3 {
        handles.push(c.upload(&pic(n)).await.expect("up"));
    }
    // Two posts of pictures alone, then one whose text another status also has.
    let mut posts = Vec::new();
    for (i, (text, h)) in [("", &handles[0]), ("", &handles[1]), ("Same", &handles[2])]
        .into_iter()
        .enumerate()
    {
        let mut p = post(text, &format!("k{i}"));
        p.media = vec![uploaded(pic(i + 1), h)];
        posts.push(p.clone());
        c.publish(&p).await.expect("published");
    }
    c.publish(&post("Same", "k-plain")).await.expect("plain");
    let st = fake.statuses();
    let since = Timestamp(Timestamp::now().0 - 3_600_000);
    let found = |i: usize| {
        Lookup::Found(Sent {
            native_id: st[i].id.to_string(),
            url: Some(format!("{}/@shop/{}", fake.uri(), st[i].id)),
        })
    };
    assert_eq!(c.lookup(&posts[0], since).await, Ok(found(0)));
    assert_eq!(c.lookup(&posts[1], since).await, Ok(found(1)));
    assert_eq!(c.lookup(&posts[2], since).await, Ok(found(2)));
    // The plain one is still found by its text, not taken for the one with a picture.
    assert_eq!(
        c.lookup(&post("Same", "k-plain"), since).await,
        Ok(found(3))
    );
    // A picture never posted: not there.
    let other = c.upload(&pic(4)).await.expect("up");
    let mut absent = post("", "k-absent");
    absent.media = vec![uploaded(pic(4), &other)];
    assert_eq!(c.lookup(&absent, since).await, Ok(Lookup::Absent));
    // Pictures without words and without handles could be any of them: kith cannot tell.
    let mut blind = post("", "k-blind");
    blind.media = vec![pic(1)];
    assert_eq!(c.lookup(&blind, since).await, Ok(Lookup::Unknowable));
}

struct Rig {
    engine: TempEngine,
    fake: MastodonServer,
    files: tempfile::TempDir,
}

async fn rig() -> Rig {
    kith::i18n::init(kith::i18n::Lang::En);
    std::env::set_var("KITH_MEDIA_MB_TOKEN", "media-token");
    let fake = MastodonServer::start().await;
    let timeouts = net::timeouts(Duration::from_millis(1500), 1 << 20);
    let engine = TempEngine::new(|dir| net::context(dir, timeouts, net::TWICE));
    engine.set_outbox(OutboxSettings {
        backoff_ms: 200,
        max_backoff_ms: 400,
        ..Default::default()
    });
    let cfg = AccountConfig {
        secret: SecretSource::Env("KITH_MEDIA_MB_TOKEN".into()),
        ..net::account("shop", Platform::Mastodon, fake.uri())
    };
    engine::add_account(&engine, cfg).await;
    engine.start_outbox();
    Rig {
        engine,
        fake,
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
        let new = NewPost {
            text: text.into(),
            targets: vec![target("shop")],
            due_at: Some(Timestamp::now()),
            media,
        };
        engine::create_post(&self.engine, new, false).await
    }

    /// Waits (real time) until the target leaves the sending states.
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

fn sent_url(p: &Post) -> Option<String> {
    match &p.targets[0].state {
        TargetState::Sent { url, .. } => url.clone(),
        _ => None,
    }
}

#[tokio::test]
async fn the_outbox_posts_two_pictures_once_with_their_descriptions() {
    let r = rig().await;
    let a = png(1200, 630, 5000, 0x5A);
    let b = gif(320, 240);
    let media = vec![
        r.file("mugs.png", &a, "Две кружки на столе"),
        r.file("shop.gif", &b, "店面 🏪"),
    ];
    let p = r.post("Новая коллекция", media).await;
    let p = r.settled(p.id).await;
    let st = r.fake.statuses();
    assert_eq!(st.len(), 1, "{st:?}");
    assert_eq!(
        sent_url(&p),
        Some(format!("{}/@shop/{}", r.fake.uri(), st[0].id))
    );
    assert_eq!(st[0].text, "Новая коллекция");
    let got: Vec<(&[u8], Option<&str>, Option<&str>)> = st[0]
        .media
        .iter()
        .map(|m| {
            (
                m.bytes.as_slice(),
                m.description.as_deref(),
                m.content_type.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (a.as_slice(), Some("Две кружки на столе"), Some("image/png")),
            (b.as_slice(), Some("店面 🏪"), Some("image/gif")),
        ]
    );
    // Each uploaded once, each looked at once (202, then ready).
    assert_eq!(r.fake.media().len(), 2);
    assert_eq!(r.fake.state.lock().unwrap().media_looks, 2);
}

#[tokio::test]
async fn a_picture_post_whose_answer_was_lost_is_found_by_its_pictures() {
    let r = rig().await;
    {
        let mut s = r.fake.state.lock().unwrap();
        // Accepted at once, answered after the client gave up (its own retry too).
        s.accept_then_wait.push_back(Duration::from_secs(3));
        s.accept_then_wait.push_back(Duration::from_secs(3));
    }
    let p = r
        .post("", vec![r.file("a.png", &png(8, 8, 64, 7), "")])
        .await;
    let p = r.settled(p.id).await;
    let st = r.fake.statuses();
    assert_eq!(st.len(), 1, "{st:?}");
    assert_eq!(
        sent_url(&p),
        Some(format!("{}/@shop/{}", r.fake.uri(), st[0].id))
    );
    let whats: Vec<&str> = p.log.iter().map(|a| a.what.as_str()).collect();
    assert!(whats.contains(&"unknown"), "{whats:?}");
    // Found by its attachment: not sent a second time to learn its fate.
    assert_eq!(
        whats.iter().filter(|w| **w == "sending").count(),
        1,
        "{:?}",
        p.log
    );
}
