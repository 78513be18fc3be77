//! The composer's pictures line, headless against a real engine on a demo store: a path typed
//! and completed with Tab, its alt text, what each picture is, each network's limits and its
//! refusal before anything is sent, Backspace removing the last one, the pictures kept in the
//! draft across a restart, and the post the engine stores with its kept copies.

mod tui_common;

use kith::domain::media::ImageType;
use kith::tui::compose::Field;
use std::sync::Arc;
use tui_common::compose::{choose, composer, posts};
use tui_common::*;

struct Fixed;
impl kith::engine::outbox::WallClock for Fixed {
    fn now(&self) -> kith::domain::Timestamp {
        NOW
    }
}

fn png(w: u32, h: u32, len: usize) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    b.extend(w.to_be_bytes());
    b.extend(h.to_be_bytes());
    b.extend([8, 6, 0, 0, 0]);
    b.resize(len.max(b.len()), 7);
    b
}

#[tokio::test]
async fn pictures_are_attached_described_checked_kept_and_sent() {
    let mut r = rig().await;
    r.backend.engine().set_clock(Arc::new(Fixed));
    let drafts = r.dir.path().join("drafts");
    r.app.cfg.drafts_dir = Some(drafts.clone());
    let pics = tempfile::tempdir().expect("tmp");
    let dir = pics.path().display().to_string();
    std::fs::write(pics.path().join("кот на лампе.png"), png(1200, 630, 3000)).expect("w");
    std::fs::write(pics.path().join("huge.png"), png(4000, 3000, 1_200_000)).expect("w");
    std::fs::write(pics.path().join("notes.txt"), "hello").expect("w");

    r.press("c").await;
    choose(&mut r, "lumo@mastodon.social").await;
    choose(&mut r, "lumo.bsky.social").await;
    r.press("tab").await;
    r.type_text("Лампа недели").await;
    r.press("tab").await;
    assert_eq!(composer(&r).focus, Field::Media);
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains("Pictures (0): a file path (Tab completes"),
        "{screen}"
    );

    // Tab completes the path; Enter attaches; the alt text comes next.
    r.type_text(&format!("{dir}/ко")).await;
    r.press("tab").await;
    assert_eq!(
        composer(&r).focus,
        Field::Media,
        "Tab moved on instead of completing"
    );
    assert_eq!(
        composer(&r).media_line.input.text,
        format!("{dir}/кот на лампе.png")
    );
    r.press("enter").await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains("Alt text for кот на лампе.png:"),
        "{screen}"
    );
    r.type_text("Рыжий кот 🐈 на лампе").await;
    r.press("enter").await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains("1 кот на лампе.png  PNG 1200×630  3 KB  alt: Рыжий кот 🐈 на лампе"),
        "{screen}"
    );
    assert!(
        screen.contains("Mastodon 1/4 ≤16.7 MB · Bluesky 1/4 ≤1 MB"),
        "{screen}"
    );

    // Not a picture: refused on the spot, nothing attached.
    r.type_text(&format!("{dir}/notes.txt")).await;
    r.press("enter").await;
    assert!(
        note(&r).ends_with("notes.txt is not a picture kith can send (PNG, JPEG, GIF or WebP)"),
        "{}",
        note(&r)
    );
    assert_eq!(composer(&r).media.len(), 1);
    // The refused path stays to be corrected.
    let typed = composer(&r).media_line.input.text.clone();
    assert_eq!(typed, format!("{dir}/notes.txt"));
    for _ in 0..typed.chars().count() {
        r.press("backspace").await;
    }
    assert_eq!(composer(&r).media.len(), 1);

    // Too big for Bluesky: shown under the pictures, and confirming is refused.
    r.type_text(&format!("{dir}/huge.png")).await;
    r.press("enter").await;
    r.press("enter").await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains("lumo.bsky.social: huge.png is 1.2 MB, Bluesky takes at most 1 MB"),
        "{screen}"
    );
    r.press("ctrl-s").await;
    assert!(!composer(&r).confirm);
    assert_eq!(
        note(&r),
        "lumo.bsky.social: huge.png is 1.2 MB, Bluesky takes at most 1 MB"
    );
    r.press("backspace").await;
    assert_eq!(composer(&r).media.len(), 1);
    assert_eq!(note(&r), "Removed huge.png");

    // The draft keeps the pictures across a restart of the TUI.
    r.press("esc").await;
    let saved = std::fs::read_to_string(drafts.join("composer.json")).expect("draft");
    assert!(
        saved.contains("кот на лампе.png") && saved.contains("Рыжий кот"),
        "{saved}"
    );
    r.app.popup = None;
    let kept = kith::tui::compose::load_draft(&drafts).expect("draft reads");
    assert_eq!(kept.media.len(), 1);
    assert_eq!(
        kept.media[0].info.as_ref().map(|i| (i.width, i.height)),
        Some((1200, 630))
    );

    r.press("c").await;
    assert_eq!(composer(&r).media.len(), 1);
    r.press("ctrl-s").await;
    assert!(composer(&r).confirm, "{}", note(&r));
    r.press("enter").await;
    r.settle().await;
    let p = posts(&r).await;
    assert_eq!(p.len(), 1);
    let m = &p[0].media;
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0].name.as_str(), m[0].alt.as_str(), m[0].kind, m[0].width),
        (
            "кот на лампе.png",
            "Рыжий кот 🐈 на лампе",
            ImageType::Png,
            1200
        )
    );
    let copy = r.dir.path().join("media").join(&m[0].file);
    assert_eq!(std::fs::read(copy).expect("kept copy").len(), 3000);
}

#[tokio::test]
async fn where_the_terminal_draws_pictures_the_last_one_shows_as_a_thumbnail() {
    let mut r = rig().await;
    let mut picker = ratatui_image::picker::Picker::halfblocks();
    picker.set_protocol_type(ratatui_image::picker::ProtocolType::Kitty);
    r.app.images = Some(Arc::new(picker));
    let pics = tempfile::tempdir().expect("tmp");
    let path = pics.path().join("лампа.png");
    image::DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
        64,
        48,
        image::Rgba([250, 200, 20, 255]),
    ))
    .save(&path)
    .expect("png");
    r.press("c").await;
    choose(&mut r, "lumo@mastodon.social").await;
    r.press("tab").await;
    r.type_text("Лампа").await;
    // Kitty gets the picture once (`ESC _G…`), then cells of U+10EEEE placeholders show it.
    let drawn = |s: &str| s.contains("\u{1b}_G") || s.contains('\u{10EEEE}');
    let before = screen_text(&r.app, 140, 40);
    assert!(!drawn(&before), "a thumbnail before any picture");
    r.press("tab").await;
    r.type_text(&path.display().to_string()).await;
    r.press("enter").await;
    assert!(composer(&r).media[0].thumb.is_some());
    let screen = screen_text(&r.app, 140, 40);
    assert!(drawn(&screen), "no kitty thumbnail: {screen}");
    // Narrow screens have no room for it: the line alone says what the picture is.
    let narrow = screen_text(&r.app, 80, 24);
    assert!(!drawn(&narrow), "{narrow}");
    assert!(narrow.contains("1 лампа.png  PNG 64×48"), "{narrow}");
}
