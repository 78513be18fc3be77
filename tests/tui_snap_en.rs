//! Snapshots of every screen in English at 120x36 and 80x24, with CJK and emoji rows.

#[path = "tui_common/screens.rs"]
mod screens;
#[path = "tui_common/mod.rs"]
mod tui_common;

use screens::*;
use tui_common::*;

async fn shot(r: &Rig, name: &str, w: u16, h: u16) {
    let (text, buf) = render(&r.app, w, h);
    // Popups cover the sidebar's edge; the screen's right edge stays visible.
    let side = if r.app.popup.is_none() {
        side_width(w)
    } else {
        0
    };
    assert_borders_aligned(&buf, side);
    insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

async fn sized(w: u16, h: u16) -> Rig {
    kith::i18n::init(kith::i18n::Lang::En);
    let mut r = rig().await;
    r.app.size = (w, h);
    r
}

#[tokio::test]
async fn en_screens_120x36() {
    let (w, h) = (120, 36);
    let mut r = sized(w, h).await;
    shot(&r, "en_main_120", w, h).await;
    r.press("j j").await;
    r.press("enter").await;
    shot(&r, "en_detail_120", w, h).await;
    r.press("esc ?").await;
    shot(&r, "en_help_120", w, h).await;
    r.press("esc /").await;
    r.type_text("lamp").await;
    shot(&r, "en_search_120", w, h).await;
    r.press("esc f right").await;
    shot(&r, "en_filter_120", w, h).await;
    r.press("esc s").await;
    shot(&r, "en_snooze_120", w, h).await;
    r.press("esc :").await;
    r.type_text("re").await;
    shot(&r, "en_palette_120", w, h).await;
    r.press("esc g g r").await;
    r.type_text("Hello there, ").await;
    r.press("enter").await;
    r.type_text("second line 你好 👍").await;
    shot(&r, "en_reply_120", w, h).await;
    r.press("ctrl-t").await;
    r.type_text("th").await;
    shot(&r, "en_reply_picker_120", w, h).await;
}

#[tokio::test]
async fn en_screens_80x24() {
    let (w, h) = (80, 24);
    let mut r = sized(w, h).await;
    shot(&r, "en_main_80", w, h).await;
    r.press("[").await;
    r.press("G").await;
    shot(&r, "en_all_bottom_80", w, h).await;
    r.press("g g r ctrl-t").await;
    shot(&r, "en_reply_picker_80", w, h).await;
    r.press("esc esc ?").await;
    shot(&r, "en_help_80", w, h).await;
}
