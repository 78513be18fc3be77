//! Snapshots of every screen in English at 120x36 and 80x24, with CJK and emoji rows.

#[path = "tui_common/mod.rs"]
mod tui_common;

use kith::i18n::Lang;

#[tokio::test]
async fn en_screens_120x36() {
    tui_common::snaps::screens_120x36(Lang::En).await;
}

#[tokio::test]
async fn en_screens_80x24() {
    tui_common::snaps::screens_80x24(Lang::En).await;
}

#[tokio::test]
async fn en_composer_and_calendar() {
    tui_common::snaps::compose_screens(Lang::En, true).await;
}
