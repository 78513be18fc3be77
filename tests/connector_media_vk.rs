//! VK pictures against the stateful fake VK (tests/support/vk.rs, vk_photos.rs): each picture
//! goes up ahead of the post (`photos.getWallUploadServer`, the file in the field `photo`,
//! `photos.saveWallPhoto` with what the upload answered) and comes back as a handle, which
//! `wall.post` lists in `attachments` in order. An upload the server took nothing from is never
//! a success; moving a postponed post keeps its photos; looking for a post compares them.

mod support;

use kith::connectors::vk::Vk;
use kith::connectors::{Connector, ConnectorError, Lookup, Outgoing};
use kith::domain::{Platform, Timestamp};
use serde_json::json;
use std::time::Duration;
use support::images::{jpeg, picture, png};
use support::multipart::Part;
use support::net;
use support::publish::post;
use support::vk::{self as fake, COMMUNITY_TOKEN, GROUP, USER_TOKEN};
use wiremock::MockServer;

fn connector(server: &MockServer, user: bool) -> Vk {
    let cfg = kith::connectors::AccountConfig {
        group_id: Some(GROUP),
        ..net::account("vk.com/lumo", Platform::Vk, server.uri())
    };
    let mut http = net::http(COMMUNITY_TOKEN, Duration::from_secs(5), net::THRICE);
    http.add_secret(USER_TOKEN);
    Vk::new(
        &cfg,
        COMMUNITY_TOKEN.into(),
        user.then(|| USER_TOKEN.to_string()),
        http,
    )
    .with_per_second_wait(Duration::from_millis(20))
}

/// A post carrying pictures already uploaded under `handles`.
fn with(text: &str, handles: &[&str]) -> Outgoing {
    let one = png(9, 9, 100);
    Outgoing {
        media: handles
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let mut p = picture(&one, i + 1);
                p.handle = Some(h.to_string());
                p
            })
            .collect(),
        ..post(text, "post-21:vk:0")
    }
}

fn methods(vk: &fake::Vk) -> Vec<String> {
    vk.state().calls.iter().map(|c| c.method.clone()).collect()
}

#[tokio::test]
async fn a_picture_goes_up_through_the_upload_server_and_comes_back_as_a_handle() {
    kith::i18n::init(kith::i18n::Lang::En);
    let vk = fake::Vk::new();
    let server = vk.start().await;
    let c = connector(&server, true);
    let (a, b) = (png(1200, 630, 5000), jpeg(640, 480, 3000));
    let first = c.upload(&picture(&a, 1)).await.expect("uploaded");
    let second = c.upload(&picture(&b, 2)).await.expect("uploaded");
    assert_eq!(first, format!("photo-{GROUP}_457239001"));
    assert_eq!(second, format!("photo-{GROUP}_457239002"));
    assert_eq!(
        methods(&vk),
        [
            "photos.getWallUploadServer",
            "photos.saveWallPhoto",
            "photos.getWallUploadServer",
            "photos.saveWallPhoto"
        ]
    );
    let s = vk.state();
    // The files arrived whole, in the field `photo`, under kith's names and types.
    let got: Vec<&Part> = s.photos.uploads.iter().map(|u| &u[0]).collect();
    assert_eq!(
        s.photos.uploads.iter().map(Vec::len).collect::<Vec<_>>(),
        [1, 1]
    );
    assert_eq!(
        got.iter()
            .map(|p| (
                p.name.as_str(),
                p.file_name.as_deref(),
                p.content_type.as_deref(),
                p.bytes.as_slice()
            ))
            .collect::<Vec<_>>(),
        [
            ("photo", Some("image1.png"), Some("image/png"), a.as_slice()),
            (
                "photo",
                Some("image2.jpg"),
                Some("image/jpeg"),
                b.as_slice()
            )
        ]
    );
    let ask = &s.calls[0];
    assert_eq!(ask.get("group_id"), Some(GROUP.to_string().as_str()));
    assert_eq!(ask.get("access_token"), Some(USER_TOKEN));
    // saveWallPhoto got exactly what the upload answered.
    let save = &s.calls[1];
    assert_eq!(save.get("group_id"), Some(GROUP.to_string().as_str()));
    assert_eq!(save.get("server"), Some("815"));
    assert_eq!(
        save.get("photo"),
        Some(r#"[{"kid":"k1","photo":"a1b2c31","sizes":[]}]"#)
    );
    assert_eq!(save.get("hash"), Some("5ab1e1"));
    assert_eq!(save.get("access_token"), Some(USER_TOKEN));
}

#[tokio::test]
async fn wall_post_lists_the_pictures_in_order_then_the_link() {
    kith::i18n::init(kith::i18n::Lang::En);
    let vk = fake::Vk::new();
    let server = vk.start().await;
    let c = connector(&server, true);
    let p = with(
        "Новинка: https://lumo.example/new",
        &["photo-1_3", "photo-1_2"],
    );
    c.publish(&p).await.expect("published");
    // Pictures alone, no text at all.
    let mut alone = with("", &["photo-1_7"]);
    alone.idempotency_key = "post-22:vk:0".into();
    c.publish(&alone).await.expect("published");
    let posts = vk.calls("wall.post");
    assert_eq!(posts.len(), 2);
    assert_eq!(
        posts[0].get("attachments"),
        Some("photo-1_3,photo-1_2,https://lumo.example/new")
    );
    assert_eq!(posts[1].get("attachments"), Some("photo-1_7"));
    assert_eq!(posts[1].get("message"), Some(""));

    // A picture that was never uploaded is refused, not posted without it.
    let mut missing = with("x", &["photo-1_3", "photo-1_4"]);
    missing.media[1].handle = None;
    missing.idempotency_key = "post-23:vk:0".into();
    assert_eq!(
        c.publish(&missing).await,
        Err(ConnectorError::Refused(
            "picture 2 was not uploaded to VK ahead of the post".into()
        ))
    );
    assert_eq!(vk.calls("wall.post").len(), 2);
}

#[tokio::test]
async fn an_upload_the_server_took_nothing_from_is_never_a_success() {
    kith::i18n::init(kith::i18n::Lang::En);
    let vk = fake::Vk::new();
    vk.state()
        .photos
        .answers
        .push_back(json!({"server": 815, "photo": "[]", "hash": "0f0f"}));
    vk.state()
        .photos
        .answers
        .push_back(json!({"error": "ERR_UPLOAD_BAD_IMAGE_SIZE: photo too small"}));
    let server = vk.start().await;
    let c = connector(&server, true);
    let pic = picture(&png(9, 9, 100), 1);
    assert_eq!(
        c.upload(&pic).await,
        Err(ConnectorError::Refused(
            "VK's upload server took nothing from image1.png (its answer holds no photo): the \
             file may be damaged or too small"
                .into()
        ))
    );
    assert_eq!(
        c.upload(&pic).await,
        Err(ConnectorError::Refused(
            "VK's upload server refused image1.png: ERR_UPLOAD_BAD_IMAGE_SIZE: photo too small"
                .into()
        ))
    );
    assert!(vk.calls("photos.saveWallPhoto").is_empty());
    // VK's own errors on the way keep their meaning.
    vk.fail_next("photos.getWallUploadServer", 5, json!({}));
    assert!(matches!(c.upload(&pic).await, Err(ConnectorError::Auth(_))));
    // Without a user token VK gives no upload server: nothing is asked.
    let before = vk.state().calls.len();
    assert!(matches!(
        connector(&server, false).upload(&pic).await,
        Err(ConnectorError::Unsupported(_))
    ));
    assert_eq!(vk.state().calls.len(), before);
}

#[tokio::test]
async fn a_postponed_post_keeps_its_photos_when_moved_and_lookup_compares_them() {
    kith::i18n::init(kith::i18n::Lang::En);
    let vk = fake::Vk::new();
    let server = vk.start().await;
    let c = connector(&server, true);
    let mut p = with(
        "Скоро: https://lumo.example/soon",
        &["photo-1_5", "photo-1_6"],
    );
    p.native_at = Some(Timestamp::parse("2026-12-20T09:00:00Z").expect("t"));
    let sent = c.publish(&p).await.expect("postponed");
    c.reschedule(
        &sent.native_id,
        Some(Timestamp::parse("2026-12-21T09:00:00Z").expect("t")),
    )
    .await
    .expect("moved");
    let edit = vk.calls("wall.edit");
    assert_eq!(
        edit[0].get("attachments"),
        Some("photo-1_5,photo-1_6,https://lumo.example/soon")
    );
    assert_eq!(
        vk.state().posts[0].attachments,
        "photo-1_5,photo-1_6,https://lumo.example/soon"
    );
    // The same text with other photos is another post.
    let since = Timestamp::parse("2026-03-14T09:00:00Z").expect("t");
    assert_eq!(
        c.lookup(&p, since).await.expect("looked"),
        Lookup::Found(sent.clone())
    );
    let other = with("Скоро: https://lumo.example/soon", &["photo-1_9"]);
    assert_eq!(
        c.lookup(&other, since).await.expect("looked"),
        Lookup::Absent
    );
}
