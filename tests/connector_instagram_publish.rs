//! Instagram publishing against a local server speaking the Graph API (the documented payloads
//! of the content publishing guide): a picture hosted as an unpublished photo of the token's
//! Page (`/me` → `/{page}/photos` → `/{photo}?fields=images`), a container from its largest
//! address with the caption, its status waited on, `media_publish`, the permalink; carousels;
//! a container in ERROR; the publishing limit (read first, shown in `rate_info`, a full one waits
//! for the oldest post to leave the window); and the search for an earlier attempt.

mod support;

use kith::connectors::http::PostQuota;
use kith::connectors::instagram::Instagram;
use kith::connectors::{Connector, ConnectorError, Lookup, Outgoing, Sent};
use kith::domain::media::{ImageType, Picture};
use kith::domain::{Platform, Timestamp};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use support::fake::{answer, first_then, hits, ok, on, requests_to};
use support::multipart::{field, form, parts};
use support::net;
use wiremock::matchers::body_string_contains;
use wiremock::{MockServer, Request};

const IG: &str = "17841400000000009";
const PAGE: &str = "1234567890123456";
const TOKEN: &str = "EAAB-ig-page-token";
const V: &str = "/v23.0";
const BIG: &str = "https://scontent.example/v/t39/big.jpg?oh=1&oe=2";

fn connector(server: &MockServer) -> Instagram {
    let cfg = kith::connectors::AccountConfig {
        page_id: Some(IG.into()),
        ..net::account("ig", Platform::Instagram, server.uri())
    };
    Instagram::new(
        &cfg,
        TOKEN.into(),
        net::http(TOKEN, Duration::from_secs(2), net::THRICE),
    )
    .with_status_poll(Duration::from_millis(20), 4)
}

/// A baseline JPEG of 1080×1080 (SOI, APP0, SOF0), padded with every byte value.
fn jpeg() -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0xAA, 0xBB];
    b.extend([0xFF, 0xC0, 0x00, 0x11, 0x08, 0x04, 0x38, 0x04, 0x38, 0x03]);
    b.extend((0..=255u8).cycle().take(2000));
    b
}

fn picture(alt: &str, handle: Option<&str>) -> Picture {
    Picture {
        bytes: Arc::new(jpeg()),
        kind: ImageType::Jpeg,
        width: 1080,
        height: 1080,
        alt: alt.into(),
        name: "image1.jpg".into(),
        handle: handle.map(String::from),
    }
}

fn post(text: &str, media: Vec<Picture>) -> Outgoing {
    Outgoing {
        text: text.into(),
        idempotency_key: "k1".into(),
        media,
        ..Default::default()
    }
}

async fn quota(server: &MockServer, used: u64) {
    on("GET", format!("{V}/{IG}/content_publishing_limit"))
        .respond_with(ok(json!({"data": [{"quota_usage": used,
            "config": {"quota_total": 25, "quota_duration": 86400}}]})))
        .mount(server)
        .await;
}

/// Publishing once the container is ready: `media_publish` → M1, and M1's permalink.
async fn publishing(server: &MockServer) {
    on("POST", format!("{V}/{IG}/media_publish"))
        .respond_with(ok(json!({"id": "M1"})))
        .mount(server)
        .await;
    on("GET", format!("{V}/M1"))
        .respond_with(ok(
            json!({"permalink": "https://www.instagram.com/p/C0ffee/", "id": "M1"}),
        ))
        .mount(server)
        .await;
}

fn line(r: &Request) -> String {
    format!("{} {}", r.method, r.url.path().trim_start_matches(V))
}

async fn lines(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(line)
        .collect()
}

#[tokio::test]
async fn a_picture_is_hosted_on_the_page_then_published_from_its_address() {
    let server = MockServer::start().await;
    on("GET", format!("{V}/me"))
        .respond_with(ok(json!({"id": PAGE, "name": "Lumo"})))
        .mount(&server)
        .await;
    on("POST", format!("{V}/{PAGE}/photos"))
        .respond_with(ok(json!({"id": "PH1"})))
        .mount(&server)
        .await;
    on("GET", format!("{V}/PH1"))
        .respond_with(ok(json!({"id": "PH1", "images": [
            {"height": 480, "width": 480, "source": "https://scontent.example/small.jpg"},
            {"height": 1080, "width": 1080, "source": BIG},
            {"height": 130, "width": 130, "source": "https://scontent.example/thumb.jpg"}]})))
        .mount(&server)
        .await;
    quota(&server, 3).await;
    on("POST", format!("{V}/{IG}/media"))
        .respond_with(ok(json!({"id": "C1"})))
        .mount(&server)
        .await;
    first_then(
        &server,
        on("GET", format!("{V}/C1"))
            .respond_with(ok(json!({"status_code": "IN_PROGRESS", "id": "C1"}))),
        on("GET", format!("{V}/C1"))
            .respond_with(ok(json!({"status_code": "FINISHED", "id": "C1"}))),
    )
    .await;
    publishing(&server).await;
    let c = connector(&server);

    let handle = c.upload(&picture("", None)).await.unwrap();
    assert_eq!(handle, BIG, "the largest rendition's address");
    // The Page is asked for once.
    assert_eq!(c.upload(&picture("", None)).await.unwrap(), BIG);
    let photo = &requests_to(&server, &format!("{V}/{PAGE}/photos")).await[0];
    let p = parts(photo);
    let names: Vec<&str> = p.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["published", "temporary", "source"]);
    assert_eq!((p[0].text(), p[1].text()), ("false".into(), "true".into()));
    assert_eq!(p[2].bytes, jpeg());
    assert_eq!(p[2].content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(
        query(
            &requests_to(&server, &format!("{V}/PH1")).await[0],
            "fields"
        ),
        Some("images".into())
    );
    server.reset().await;
    quota(&server, 3).await;
    on("POST", format!("{V}/{IG}/media"))
        .respond_with(ok(json!({"id": "C1"})))
        .mount(&server)
        .await;
    first_then(
        &server,
        on("GET", format!("{V}/C1"))
            .respond_with(ok(json!({"status_code": "IN_PROGRESS", "id": "C1"}))),
        on("GET", format!("{V}/C1"))
            .respond_with(ok(json!({"status_code": "FINISHED", "id": "C1"}))),
    )
    .await;
    publishing(&server).await;

    let caption = "Новая лампа 💡 #lumo\n新品";
    let sent = c
        .publish(&post(
            caption,
            vec![picture("A brass lamp, lit", Some(&handle))],
        ))
        .await
        .unwrap();
    assert_eq!(
        sent,
        Sent {
            native_id: "M1".into(),
            url: Some("https://www.instagram.com/p/C0ffee/".into()),
        }
    );
    assert_eq!(
        lines(&server).await,
        [
            format!("GET /{IG}/content_publishing_limit"),
            format!("POST /{IG}/media"),
            "GET /C1".into(),
            "GET /C1".into(),
            format!("POST /{IG}/media_publish"),
            "GET /M1".into(),
        ]
    );
    let container = &requests_to(&server, &format!("{V}/{IG}/media")).await[0];
    assert_eq!(
        form(container),
        [
            ("image_url".to_string(), BIG.to_string()),
            ("alt_text".to_string(), "A brass lamp, lit".to_string()),
            ("caption".to_string(), caption.to_string()),
        ]
    );
    let status = &requests_to(&server, &format!("{V}/C1")).await[0];
    assert!(query(status, "fields").is_some_and(|f| f.split(',').any(|x| x == "status_code")));
    let published = &requests_to(&server, &format!("{V}/{IG}/media_publish")).await[0];
    assert_eq!(form(published), [("creation_id".into(), "C1".into())]);
    // The limit as read, with this post counted.
    assert_eq!(
        c.rate_info().posts,
        Some(PostQuota {
            used: 4,
            limit: 25,
            hours: 24
        })
    );
}

fn query(r: &Request, k: &str) -> Option<String> {
    support::fake::query(r, k)
}

#[tokio::test]
async fn several_pictures_go_as_one_carousel_in_order() {
    let server = MockServer::start().await;
    quota(&server, 0).await;
    for (url, id) in [("one.jpg", "K1"), ("two.jpg", "K2")] {
        on("POST", format!("{V}/{IG}/media"))
            .and(body_string_contains(url))
            .respond_with(ok(json!({ "id": id })))
            .mount(&server)
            .await;
    }
    on("POST", format!("{V}/{IG}/media"))
        .and(body_string_contains("media_type=CAROUSEL"))
        .respond_with(ok(json!({"id": "CC"})))
        .mount(&server)
        .await;
    on("GET", format!("{V}/CC"))
        .respond_with(ok(json!({"status_code": "FINISHED", "id": "CC"})))
        .mount(&server)
        .await;
    publishing(&server).await;
    let c = connector(&server);
    let sent = c
        .publish(&post(
            "Две лампы",
            vec![
                picture("first", Some("https://cdn.example/one.jpg")),
                picture("", Some("https://cdn.example/two.jpg")),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(sent.native_id, "M1");
    let made: Vec<Vec<(String, String)>> = requests_to(&server, &format!("{V}/{IG}/media"))
        .await
        .iter()
        .map(form)
        .collect();
    let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
    assert_eq!(
        made,
        [
            vec![
                pair("image_url", "https://cdn.example/one.jpg"),
                pair("alt_text", "first"),
                pair("is_carousel_item", "true"),
            ],
            vec![
                pair("image_url", "https://cdn.example/two.jpg"),
                pair("is_carousel_item", "true"),
            ],
            vec![
                pair("media_type", "CAROUSEL"),
                pair("children", "K1,K2"),
                pair("caption", "Две лампы"),
            ],
        ]
    );
    let published = &requests_to(&server, &format!("{V}/{IG}/media_publish")).await[0];
    assert_eq!(field(published, "creation_id").as_deref(), Some("CC"));
}

#[tokio::test]
async fn a_container_in_error_is_refused_and_never_published() {
    kith::i18n::init(kith::i18n::Lang::En);
    let server = MockServer::start().await;
    quota(&server, 1).await;
    on("POST", format!("{V}/{IG}/media"))
        .respond_with(ok(json!({"id": "C9"})))
        .mount(&server)
        .await;
    on("GET", format!("{V}/C9"))
        .respond_with(ok(
            json!({"status_code": "ERROR", "status": "Error: 2207026", "id": "C9"}),
        ))
        .mount(&server)
        .await;
    publishing(&server).await;
    let c = connector(&server);
    let e = c
        .publish(&post(
            "x",
            vec![picture("", Some("https://cdn.example/a.jpg"))],
        ))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        ConnectorError::Refused(
            "Instagram could not use the pictures (container ERROR) Error: 2207026".into()
        )
    );
    assert!(requests_to(&server, &format!("{V}/{IG}/media_publish"))
        .await
        .is_empty());

    // Still processing after the last look: not published, tried again later.
    server.reset().await;
    quota(&server, 1).await;
    on("POST", format!("{V}/{IG}/media"))
        .respond_with(ok(json!({"id": "C8"})))
        .mount(&server)
        .await;
    on("GET", format!("{V}/C8"))
        .respond_with(ok(json!({"status_code": "IN_PROGRESS", "id": "C8"})))
        .mount(&server)
        .await;
    publishing(&server).await;
    let e = c
        .publish(&post(
            "x",
            vec![picture("", Some("https://cdn.example/a.jpg"))],
        ))
        .await
        .unwrap_err();
    assert!(matches!(e, ConnectorError::Unreachable(_)), "{e:?}");
    assert_eq!(requests_to(&server, &format!("{V}/C8")).await.len(), 4);
    assert!(requests_to(&server, &format!("{V}/{IG}/media_publish"))
        .await
        .is_empty());

    // A container request that keeps failing is "not published" too, never "maybe".
    server.reset().await;
    quota(&server, 1).await;
    on("POST", format!("{V}/{IG}/media"))
        .respond_with(answer(
            500,
            json!({"error": {"message": "boom", "code": 2}}),
        ))
        .mount(&server)
        .await;
    let e = c
        .publish(&post(
            "x",
            vec![picture("", Some("https://cdn.example/a.jpg"))],
        ))
        .await
        .unwrap_err();
    assert!(matches!(e, ConnectorError::Unreachable(_)), "{e:?}");

    // media_publish failing after it left: the outcome is unknown.
    server.reset().await;
    quota(&server, 1).await;
    on("POST", format!("{V}/{IG}/media"))
        .respond_with(ok(json!({"id": "C7"})))
        .mount(&server)
        .await;
    on("GET", format!("{V}/C7"))
        .respond_with(ok(json!({"status_code": "FINISHED", "id": "C7"})))
        .mount(&server)
        .await;
    on("POST", format!("{V}/{IG}/media_publish"))
        .respond_with(answer(
            500,
            json!({"error": {"message": "boom", "code": 2}}),
        ))
        .mount(&server)
        .await;
    let e = c
        .publish(&post(
            "x",
            vec![picture("", Some("https://cdn.example/a.jpg"))],
        ))
        .await
        .unwrap_err();
    assert!(matches!(e, ConnectorError::Network(_)), "{e:?}");
    assert_eq!(
        requests_to(&server, &format!("{V}/{IG}/media_publish"))
            .await
            .len(),
        1,
        "never sent twice"
    );
}

#[tokio::test]
async fn a_used_up_limit_waits_for_the_oldest_post_and_creates_no_container() {
    let server = MockServer::start().await;
    quota(&server, 25).await;
    let now = Timestamp::now().0;
    let at = |hours_ago: i64| {
        chrono::DateTime::from_timestamp_millis(now - hours_ago * 3_600_000)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%S+0000")
            .to_string()
    };
    // Newest first; the one 30 h ago is outside the window, the oldest inside is 23 h old.
    on("GET", format!("{V}/{IG}/media"))
        .respond_with(ok(json!({"data": [
            {"id": "m3", "timestamp": at(1)},
            {"id": "m2", "timestamp": at(23)},
            {"id": "m1", "timestamp": at(30)}]})))
        .mount(&server)
        .await;
    on("POST", format!("{V}/{IG}/media"))
        .respond_with(ok(json!({"id": "C1"})))
        .mount(&server)
        .await;
    let c = connector(&server);
    let e = c
        .publish(&post(
            "x",
            vec![picture("", Some("https://cdn.example/a.jpg"))],
        ))
        .await
        .unwrap_err();
    let ConnectorError::RateLimited { wait } = e else {
        panic!("{e:?}");
    };
    // An hour until the 23-hour-old post leaves the window, and a minute's margin.
    assert!(
        (3600..=3700).contains(&wait.as_secs()),
        "{}",
        wait.as_secs()
    );
    assert!(requests_to(&server, &format!("{V}/{IG}/media"))
        .await
        .iter()
        .all(|r| r.method.as_str() == "GET"));
    assert_eq!(
        c.rate_info().posts,
        Some(PostQuota {
            used: 25,
            limit: 25,
            hours: 24
        })
    );
}

#[tokio::test]
async fn a_post_without_a_picture_or_with_a_long_caption_sends_nothing() {
    kith::i18n::init(kith::i18n::Lang::En);
    let server = MockServer::start().await;
    let c = connector(&server);
    assert_eq!(
        c.publish(&post("Текст без картинки", vec![]))
            .await
            .unwrap_err(),
        ConnectorError::Refused("an Instagram post needs a picture".into())
    );
    let long = "я".repeat(2201);
    assert_eq!(
        c.publish(&post(
            &long,
            vec![picture("", Some("https://cdn.example/a.jpg"))]
        ))
        .await
        .unwrap_err(),
        ConnectorError::Refused("the caption has 2201 characters; Instagram takes 2200".into())
    );
    assert_eq!(hits(&server).await, 0);
}

#[tokio::test]
async fn a_sync_pass_reads_the_limit_and_an_earlier_post_is_found_by_its_caption() {
    let server = MockServer::start().await;
    let recent = Timestamp::now().to_rfc3339();
    on("GET", format!("{V}/{IG}/media"))
        .respond_with(ok(json!({"data": [
            {"id": "M5", "caption": "Другая подпись", "timestamp": recent,
             "permalink": "https://www.instagram.com/p/5/", "comments_count": 0},
            {"id": "M4", "caption": "Лампа дня 💡 ", "timestamp": recent,
             "permalink": "https://www.instagram.com/p/4/", "comments_count": 0},
            {"id": "M0", "caption": "Старая", "timestamp": "2020-01-01T10:00:00+0000",
             "permalink": "https://www.instagram.com/p/0/", "comments_count": 0}]})))
        .mount(&server)
        .await;
    quota(&server, 7).await;
    let c = connector(&server);
    assert_eq!(c.rate_info().posts, None);
    c.fetch(None).await.unwrap();
    assert_eq!(
        c.rate_info().posts,
        Some(PostQuota {
            used: 7,
            limit: 25,
            hours: 24
        })
    );
    // Read again only when the last reading is stale.
    c.fetch(None).await.unwrap();
    assert_eq!(
        requests_to(&server, &format!("{V}/{IG}/content_publishing_limit"))
            .await
            .len(),
        1
    );

    let since = Timestamp(Timestamp::now().0 - 60_000);
    let pic = vec![picture("", Some("https://cdn.example/a.jpg"))];
    assert_eq!(
        c.lookup(&post("Лампа дня 💡", pic.clone()), since)
            .await
            .unwrap(),
        Lookup::Found(Sent {
            native_id: "M4".into(),
            url: Some("https://www.instagram.com/p/4/".into()),
        })
    );
    assert_eq!(
        c.lookup(&post("Старая", pic), since).await.unwrap(),
        Lookup::Absent
    );
    let asked = requests_to(&server, &format!("{V}/{IG}/media")).await;
    let fields: Vec<Value> = asked.iter().map(|r| json!(query(r, "fields"))).collect();
    assert_eq!(
        fields.last(),
        Some(&json!("id,caption,timestamp,permalink"))
    );
}
