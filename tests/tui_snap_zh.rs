//! Snapshots of every screen in Chinese at 120x36 and 80x24, with CJK and emoji rows.

#[path = "tui_common/mod.rs"]
mod tui_common;

use kith::i18n::Lang;

#[tokio::test]
async fn zh_screens_120x36() {
    tui_common::snaps::screens_120x36(Lang::Zh).await;
}

#[tokio::test]
async fn zh_screens_80x24() {
    tui_common::snaps::screens_80x24(Lang::Zh).await;
}

#[tokio::test]
async fn zh_composer_and_calendar() {
    tui_common::snaps::compose_screens(Lang::Zh, false).await;
}
