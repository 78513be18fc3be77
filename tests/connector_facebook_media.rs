//! Pictures on a Facebook Page against a local server speaking the Graph API: each one goes up
//! as an unpublished, temporary Page photo (multipart `source` with the exact bytes, alt text as
//! `alt_text_custom`), and the feed post names them in order with `attached_media`.

mod support;

use kith::connectors::facebook::Facebook;
use kith::connectors::{Connector, ConnectorError, Outgoing};
use kith::domain::media::{ImageType, Picture};
use kith::domain::Platform;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::fake::{hits, ok, on, requests_to};
use support::multipart::{form, parts};
use support::net;
use wiremock::MockServer;

const PAGE: &str = "1234567890123456";
const TOKEN: &str = "EAAB-page-token-secret";
const V: &str = "/v23.0";

fn connector(server: &MockServer) -> Facebook {
    let cfg = kith::connectors::AccountConfig {
        page_id: Some(PAGE.into()),
        ..net::account("fb", Platform::Facebook, server.uri())
    };
    Facebook::new(
        &cfg,
        TOKEN.into(),
        net::http(TOKEN, Duration::from_secs(2), net::THRICE),
    )
}

/// A PNG whose body holds every byte value, line breaks and something like a boundary: a
/// multipart body that mangles any of them fails the comparison.
fn png_bytes() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    b.extend(640u32.to_be_bytes());
    b.extend(480u32.to_be_bytes());
    b.extend([8, 6, 0, 0, 0]);
    b.extend((0..=255u8).cycle().take(3000));
    b.extend(b"\r\n--boundary\r\n\r\n");
    b
}

fn picture(bytes: Vec<u8>, alt: &str, handle: Option<&str>) -> Picture {
    Picture {
        bytes: Arc::new(bytes),
        kind: ImageType::Png,
        width: 640,
        height: 480,
        alt: alt.into(),
        name: "image1.png".into(),
        handle: handle.map(String::from),
    }
}

#[tokio::test]
async fn a_picture_goes_up_as_an_unpublished_photo_with_its_exact_bytes() {
    let server = MockServer::start().await;
    on("POST", format!("{V}/{PAGE}/photos"))
        .respond_with(ok(json!({"id": "901234567890"})))
        .mount(&server)
        .await;
    let c = connector(&server);
    let bytes = png_bytes();
    let handle = c
        .upload(&picture(bytes.clone(), "  Рыжий кот на лампе 🐱 ", None))
        .await
        .unwrap();
    assert_eq!(handle, "901234567890");
    // Without alt text, no alt field at all.
    c.upload(&picture(bytes.clone(), " ", None)).await.unwrap();

    let got = requests_to(&server, &format!("{V}/{PAGE}/photos")).await;
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[0]
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert!(!got[0].url.as_str().contains(TOKEN));
    let p = parts(&got[0]);
    let fields: Vec<(&str, String)> = p
        .iter()
        .filter(|p| p.file_name.is_none())
        .map(|p| (p.name.as_str(), p.text()))
        .collect();
    assert_eq!(
        fields,
        [
            ("published", "false".to_string()),
            ("temporary", "true".to_string()),
            ("alt_text_custom", "Рыжий кот на лампе 🐱".to_string()),
        ]
    );
    let file = p.iter().find(|p| p.name == "source").expect("source part");
    assert_eq!(file.bytes, bytes, "the exact bytes");
    assert_eq!(file.file_name.as_deref(), Some("image1.png"));
    assert_eq!(file.content_type.as_deref(), Some("image/png"));
    let names: Vec<String> = parts(&got[1]).into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["published", "temporary", "source"]);
}

#[tokio::test]
async fn the_feed_post_names_its_pictures_in_order_and_drops_the_link_preview() {
    let server = MockServer::start().await;
    on("POST", format!("{V}/{PAGE}/feed"))
        .respond_with(ok(json!({"id": format!("{PAGE}_88")})))
        .mount(&server)
        .await;
    let c = connector(&server);
    let text = "Новые лампы 💡 https://lumo.example/lamps";
    let post = Outgoing {
        text: text.into(),
        idempotency_key: "p1".into(),
        media: vec![
            picture(png_bytes(), "one", Some("9001")),
            picture(png_bytes(), "two", Some("9002")),
            picture(png_bytes(), "", Some("9003")),
        ],
        ..Default::default()
    };
    let sent = c.publish(&post).await.unwrap();
    assert_eq!(sent.native_id, format!("{PAGE}_88"));
    let got = requests_to(&server, &format!("{V}/{PAGE}/feed")).await;
    assert_eq!(
        form(&got[0]),
        [
            ("message".to_string(), text.to_string()),
            (
                "attached_media[0]".to_string(),
                r#"{"media_fbid":"9001"}"#.to_string()
            ),
            (
                "attached_media[1]".to_string(),
                r#"{"media_fbid":"9002"}"#.to_string()
            ),
            (
                "attached_media[2]".to_string(),
                r#"{"media_fbid":"9003"}"#.to_string()
            ),
        ]
    );

    // A picture the engine never uploaded: refused before any request.
    kith::i18n::init(kith::i18n::Lang::En);
    let before = hits(&server).await;
    let mut missing = post.clone();
    missing.media[1].handle = None;
    let e = c.publish(&missing).await.unwrap_err();
    assert_eq!(
        e,
        ConnectorError::Refused("picture 2 was not uploaded before the post".into())
    );
    assert_eq!(hits(&server).await, before);
}
