//! Pictures on Bluesky against a local server (wiremock): `uploadBlob` receives the picture's
//! exact bytes with its type and the blob it returns is the handle; the post embeds the blobs
//! (`app.bsky.embed.images`) with alt text and aspect ratio, also without text; a refused blob is
//! refused with the server's words; an expired session is refreshed once and the upload repeated.

mod support;

use kith::connectors::bluesky::{tid_for, Bluesky};
use kith::connectors::{Connector, ConnectorError};
use kith::domain::media::{sniff, Picture};
use serde_json::{json, Value};
use std::sync::Arc;
use support::bluesky::{self, session, ME};
use support::fake::{answer, body, ok, on, requests_to, serve};
use support::net::THRICE;
use support::publish::post;
use wiremock::matchers::header;
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

const PASSWORD: &str = "app-pass-abcd-efgh";
const UPLOAD: &str = "/xrpc/com.atproto.repo.uploadBlob";
const CREATE: &str = "/xrpc/com.atproto.repo.createRecord";

fn bluesky(server: &MockServer, dir: &std::path::Path) -> Bluesky {
    bluesky::connector(&bluesky::account("acct", server), PASSWORD, THRICE, dir)
}

/// A PNG header of `w`×`h`, padded with `fill` to `len` bytes.
fn png(w: u32, h: u32, len: usize, fill: u8) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    b.extend(w.to_be_bytes());
    b.extend(h.to_be_bytes());
    b.extend([8, 6, 0, 0, 0]);
    b.resize(len.max(b.len()), fill);
    b
}

/// A WebP (VP8X) header of `w`×`h` followed by every byte value.
fn webp(w: u32, h: u32) -> Vec<u8> {
    let mut b = b"RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x10\x00\x00\x00".to_vec();
    b.extend(&(w - 1).to_le_bytes()[..3]);
    b.extend(&(h - 1).to_le_bytes()[..3]);
    b.extend(0..=255u8);
    b
}

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

/// The blob a PDS returns for `len` bytes of `mime`.
fn blob(len: usize, mime: &str) -> Value {
    json!({"$type": "blob", "ref": {"$link": format!("bafkreiblob{len}")},
           "mimeType": mime, "size": len})
}

/// `uploadBlob` as a PDS answers it: a blob naming what it received.
struct Blobs;

impl Respond for Blobs {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mime = req
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        ok(json!({"blob": blob(req.body.len(), mime)}))
    }
}

#[tokio::test]
async fn an_upload_sends_the_exact_bytes_with_their_type_and_keeps_the_blob() {
    kith::i18n::init(kith::i18n::Lang::En);
    let (server, dir) = bluesky::logged_in(PASSWORD).await;
    serve(&server, on("POST", UPLOAD), Blobs).await;
    let c = bluesky(&server, dir.path());
    let a = picture(1, png(1200, 630, 4000, 0x0D), "кружки");
    let b = picture(2, webp(1024, 600), "");
    let ha = c.upload(&a).await.expect("uploaded");
    let hb = c.upload(&b).await.expect("uploaded");
    // The handle is the blob itself, as compact JSON.
    assert_eq!(
        serde_json::from_str::<Value>(&ha).expect("JSON"),
        blob(4000, "image/png")
    );
    assert_eq!(
        serde_json::from_str::<Value>(&hb).expect("JSON"),
        blob(b.bytes.len(), "image/webp")
    );
    assert!(!ha.contains(' ') && !ha.contains('\n'), "{ha}");
    let reqs = requests_to(&server, UPLOAD).await;
    assert_eq!(reqs.len(), 2);
    let got: Vec<(&[u8], Option<&str>, Option<&str>)> = reqs
        .iter()
        .map(|r| {
            let h = |n: &str| r.headers.get(n).and_then(|v| v.to_str().ok());
            (r.body.as_slice(), h("content-type"), h("authorization"))
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                a.bytes.as_slice(),
                Some("image/png"),
                Some("Bearer access-1")
            ),
            (
                b.bytes.as_slice(),
                Some("image/webp"),
                Some("Bearer access-1")
            ),
        ]
    );
}

#[tokio::test]
async fn the_post_embeds_its_blobs_with_alt_text_and_aspect_ratio() {
    kith::i18n::init(kith::i18n::Lang::En);
    let (server, dir) = bluesky::logged_in(PASSWORD).await;
    serve(&server, on("POST", UPLOAD), Blobs).await;
    serve(
        &server,
        on("POST", CREATE),
        ok(json!({"uri": format!("at://{ME}/app.bsky.feed.post/x"), "cid": "bafyreinew"})),
    )
    .await;
    let c = bluesky(&server, dir.path());
    let mut a = picture(1, png(1200, 630, 900, 1), "Две кружки 🍵");
    let mut b = picture(2, webp(1024, 600), "");
    a.handle = Some(c.upload(&a).await.expect("a"));
    b.handle = Some(c.upload(&b).await.expect("b"));
    let mut p = post("Новинки https://lumo.example", "post-9:bsky:0");
    p.media = vec![a.clone(), b.clone()];
    c.publish(&p).await.expect("published");
    // Pictures alone: the text is empty, as the lexicon allows.
    let mut alone = post("", "post-10:bsky:0");
    alone.media = vec![b.clone()];
    c.publish(&alone).await.expect("published");
    let reqs = requests_to(&server, CREATE).await;
    assert_eq!(reqs.len(), 2);
    let embed = |pics: &[(&Picture, usize, &str)]| {
        json!({"$type": "app.bsky.embed.images", "images": pics.iter().map(|(p, len, mime)| json!({
            "image": blob(*len, mime),
            "alt": p.alt,
            "aspectRatio": {"width": p.width, "height": p.height},
        })).collect::<Vec<_>>()})
    };
    let first = body(&reqs[0]);
    assert_eq!(first["rkey"], tid_for("post-9:bsky:0"));
    assert_eq!(
        first["record"]["embed"],
        embed(&[(&a, 900, "image/png"), (&b, b.bytes.len(), "image/webp")])
    );
    assert_eq!(
        first["record"]["embed"]["images"][0]["aspectRatio"],
        json!({"width": 1200, "height": 630})
    );
    assert_eq!(first["record"]["text"], "Новинки https://lumo.example");
    assert!(first["record"]["facets"].is_array());
    let second = body(&reqs[1]);
    assert_eq!(second["record"]["text"], "");
    assert_eq!(
        second["record"]["embed"],
        embed(&[(&b, b.bytes.len(), "image/webp")])
    );
    assert_eq!(second["record"].get("facets"), None);
    // The kept handles were used: nothing uploaded again.
    assert_eq!(requests_to(&server, UPLOAD).await.len(), 2);
    // Without pictures an empty post is still refused before any request.
    assert!(matches!(
        c.publish(&post("  ", "post-11:bsky:0")).await,
        Err(ConnectorError::Refused(_))
    ));
    assert_eq!(requests_to(&server, CREATE).await.len(), 2);
}

#[tokio::test]
async fn a_refused_blob_is_refused_with_the_servers_words() {
    kith::i18n::init(kith::i18n::Lang::En);
    let (server, dir) = bluesky::logged_in(PASSWORD).await;
    serve(
        &server,
        on("POST", UPLOAD),
        answer(
            400,
            json!({"error": "InvalidRequest", "message": "This file is too large"}),
        ),
    )
    .await;
    let c = bluesky(&server, dir.path());
    assert_eq!(
        c.upload(&picture(1, png(10, 10, 100, 1), "")).await,
        Err(ConnectorError::Refused(
            "Bluesky refused the picture: HTTP 400: InvalidRequest: This file is too large".into()
        ))
    );
}

#[tokio::test]
async fn an_expired_session_is_refreshed_and_the_same_bytes_sent_again() {
    kith::i18n::init(kith::i18n::Lang::En);
    let (server, dir) = bluesky::logged_in(PASSWORD).await;
    serve(
        &server,
        on("POST", UPLOAD).and(header("authorization", "Bearer access-1")),
        answer(
            400,
            json!({"error": "ExpiredToken", "message": "Token has expired"}),
        ),
    )
    .await;
    serve(
        &server,
        on("POST", UPLOAD).and(header("authorization", "Bearer access-2")),
        Blobs,
    )
    .await;
    on("POST", "/xrpc/com.atproto.server.refreshSession")
        .and(header("authorization", "Bearer refresh-1"))
        .respond_with(ok(session("access-2", "refresh-2")))
        .expect(1)
        .mount(&server)
        .await;
    let c = bluesky(&server, dir.path());
    let p = picture(1, png(64, 48, 500, 0xFF), "");
    let h = c.upload(&p).await.expect("uploaded after the refresh");
    assert_eq!(
        serde_json::from_str::<Value>(&h).expect("JSON"),
        blob(500, "image/png")
    );
    let reqs = requests_to(&server, UPLOAD).await;
    assert_eq!(reqs.len(), 2);
    assert!(reqs.iter().all(|r| r.body == *p.bytes));
}
