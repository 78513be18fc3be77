//! Telegram posts with pictures against a local Bot API (wiremock): the files travel in the
//! publishing request itself: one photo as `sendPhoto`, one GIF as `sendAnimation`, an album as
//! `sendMediaGroup` with `attach://` names and the caption on its first photo. What Telegram
//! would refuse (a GIF in an album, a caption too long) is refused before any request.

mod support;

use kith::connectors::telegram::Telegram;
use kith::connectors::{Connector, ConnectorError, Outgoing, Sent};
use serde_json::{json, Value};
use std::time::Duration;
use support::fake::{answer, ok, on, requests_to, serve};
use support::images::{gif, jpeg, picture, png};
use support::multipart::{part as field, parts, Part};
use support::publish::post;
use support::telegram;
use wiremock::{MockServer, ResponseTemplate};

const T_TOKEN: &str = "735190442:AAF-secret-token-xyz";
const CHANNEL: i64 = -1001122334455;

fn bot(server: &MockServer) -> Telegram {
    telegram::connector(
        server,
        "acct",
        T_TOKEN,
        vec![CHANNEL],
        Duration::from_secs(2),
    )
}

fn path(method: &str) -> String {
    telegram::method(T_TOKEN, method)
}

fn message(id: i64) -> Value {
    json!({"message_id": id, "date": 1773480500, "photo": [],
        "chat": {"id": CHANNEL, "title": "Наш канал", "type": "channel", "username": "lumo_shop"}})
}

fn result(v: Value) -> ResponseTemplate {
    ok(json!({"ok": true, "result": v}))
}

fn with(text: &str, files: &[&[u8]]) -> Outgoing {
    Outgoing {
        media: files
            .iter()
            .enumerate()
            .map(|(i, b)| picture(b, i + 1))
            .collect(),
        ..post(text, "post-3:tg:0")
    }
}

fn text_part(name: &str, v: &str) -> Part {
    Part {
        name: name.into(),
        file_name: None,
        content_type: None,
        bytes: v.as_bytes().to_vec(),
    }
}

fn file_part(name: &str, file: &str, mime: &str, b: &[u8]) -> Part {
    Part {
        name: name.into(),
        file_name: Some(file.into()),
        content_type: Some(mime.into()),
        bytes: b.to_vec(),
    }
}

#[tokio::test]
async fn one_photo_goes_as_send_photo_with_its_bytes_caption_and_chat() {
    kith::i18n::init(kith::i18n::Lang::En);
    let server = MockServer::start().await;
    serve(&server, on("POST", path("sendPhoto")), result(message(931))).await;
    let pic = png(1200, 630, 4000);
    let caption = "Лампа дня 💡 & <скидки>";
    let sent = bot(&server)
        .publish(&with(caption, &[&pic]))
        .await
        .expect("published");
    assert_eq!(
        sent,
        Sent {
            native_id: format!("{CHANNEL}:931"),
            url: Some("https://t.me/lumo_shop/931".into()),
        }
    );
    let reqs = requests_to(&server, &path("sendPhoto")).await;
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        parts(&reqs[0]),
        vec![
            text_part("chat_id", &CHANNEL.to_string()),
            file_part("photo", "image1.png", "image/png", &pic),
            text_part("caption", caption),
        ]
    );
    // A picture without text goes without a caption.
    bot(&server)
        .publish(&with("", &[&pic]))
        .await
        .expect("published");
    let reqs = requests_to(&server, &path("sendPhoto")).await;
    let names: Vec<String> = parts(&reqs[1]).into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["chat_id", "photo"]);
    assert!(requests_to(&server, &path("sendMessage")).await.is_empty());
}

#[tokio::test]
async fn an_album_goes_as_send_media_group_with_attach_names_and_one_caption() {
    kith::i18n::init(kith::i18n::Lang::En);
    let server = MockServer::start().await;
    serve(
        &server,
        on("POST", path("sendMediaGroup")),
        result(json!([message(940), message(941), message(942)])),
    )
    .await;
    let (a, b, c) = (png(800, 600, 3000), jpeg(640, 480, 2500), png(10, 10, 700));
    let sent = bot(&server)
        .publish(&with("Три новинки", &[&a, &b, &c]))
        .await
        .expect("published");
    // The album's first message stands for the post.
    assert_eq!(
        sent,
        Sent {
            native_id: format!("{CHANNEL}:940"),
            url: Some("https://t.me/lumo_shop/940".into()),
        }
    );
    let reqs = requests_to(&server, &path("sendMediaGroup")).await;
    assert_eq!(reqs.len(), 1);
    let got = parts(&reqs[0]);
    let media: Value =
        serde_json::from_slice(&field(&got, "media").expect("media").bytes).expect("JSON");
    assert_eq!(
        media,
        json!([
            {"type": "photo", "media": "attach://p0", "caption": "Три новинки"},
            {"type": "photo", "media": "attach://p1"},
            {"type": "photo", "media": "attach://p2"},
        ])
    );
    assert_eq!(
        got,
        vec![
            text_part("chat_id", &CHANNEL.to_string()),
            text_part("media", &media.to_string()),
            file_part("p0", "image1.png", "image/png", &a),
            file_part("p1", "image2.jpg", "image/jpeg", &b),
            file_part("p2", "image3.png", "image/png", &c),
        ]
    );
    // An answer without messages: the album probably went out.
    let server = MockServer::start().await;
    serve(
        &server,
        on("POST", path("sendMediaGroup")),
        result(json!([])),
    )
    .await;
    let err = bot(&server)
        .publish(&with("x", &[&a, &c]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Network(m) if m.contains("may have been published")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_gif_alone_is_an_animation_and_in_an_album_is_refused_before_sending() {
    kith::i18n::init(kith::i18n::Lang::En);
    let server = MockServer::start().await;
    serve(
        &server,
        on("POST", path("sendAnimation")),
        result(message(950)),
    )
    .await;
    let g = gif(320, 240, 1500);
    let sent = bot(&server)
        .publish(&with("Смотрите", &[&g]))
        .await
        .expect("published");
    assert_eq!(sent.native_id, format!("{CHANNEL}:950"));
    let reqs = requests_to(&server, &path("sendAnimation")).await;
    assert_eq!(
        parts(&reqs[0]),
        vec![
            text_part("chat_id", &CHANNEL.to_string()),
            file_part("animation", "image1.gif", "image/gif", &g),
            text_part("caption", "Смотрите"),
        ]
    );

    let server = MockServer::start().await;
    let err = bot(&server)
        .publish(&with("Смотрите", &[&png(9, 9, 100), &g]))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ConnectorError::Refused(
            "picture 2 of 2 is a GIF: Telegram albums take only photos; post the GIF on its own"
                .into()
        )
    );
    // A caption over 1024 UTF-16 units (513 emoji are 1026), and 11 pictures.
    let err = bot(&server)
        .publish(&with(&"🎉".repeat(513), &[&png(9, 9, 100)]))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ConnectorError::Refused(
            "with pictures the text is their caption: 1026 UTF-16 units, Telegram allows 1024"
                .into()
        )
    );
    let one = png(9, 9, 100);
    let eleven: Vec<&[u8]> = (0..11).map(|_| one.as_slice()).collect();
    let err = bot(&server).publish(&with("x", &eleven)).await.unwrap_err();
    assert_eq!(
        err,
        ConnectorError::Refused("11 pictures in one Telegram post; it holds at most 10".into())
    );
    assert!(server
        .received_requests()
        .await
        .expect("recorded")
        .is_empty());
}

#[tokio::test]
async fn telegrams_refusal_of_a_photo_is_a_refusal_and_a_thread_part_keeps_its_place() {
    kith::i18n::init(kith::i18n::Lang::En);
    let server = MockServer::start().await;
    serve(
        &server,
        on("POST", path("sendPhoto")),
        answer(
            400,
            json!({"ok": false, "error_code": 400,
            "description": "Bad Request: IMAGE_PROCESS_FAILED"}),
        ),
    )
    .await;
    let err = bot(&server)
        .publish(&with("x", &[&png(9, 9, 100)]))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ConnectorError::Refused("sendPhoto: Bad Request: IMAGE_PROCESS_FAILED".into())
    );
    assert_eq!(requests_to(&server, &path("sendPhoto")).await.len(), 1);

    let server = MockServer::start().await;
    serve(&server, on("POST", path("sendPhoto")), result(message(960))).await;
    let mut p = with("", &[&png(9, 9, 100)]);
    p.reply_to = Some(Sent {
        native_id: format!("{CHANNEL}:959"),
        url: None,
    });
    bot(&server).publish(&p).await.expect("published");
    let reqs = requests_to(&server, &path("sendPhoto")).await;
    let got = parts(&reqs[0]);
    let reply: Value =
        serde_json::from_slice(&field(&got, "reply_parameters").expect("placed").bytes)
            .expect("JSON");
    assert_eq!(reply, json!({"message_id": 959}));
}
