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

/// English columns keep a one-cell gap too; tabs and presets read as before.
#[tokio::test]
async fn en_columns_members_and_presets() {
    let s = tui_common::snaps::columns(Lang::En).await;
    let has = |i: usize, what: &str| assert!(s[i].contains(what), "{what:?} in\n{}", s[i]);
    has(0, " src  kind    status  age author ");
    has(0, "•VK   mention new     now 王芳 ");
    has(1, " 7d [30d] 90d  all ");
    for preset in ["1h ", "tomorrow ", "1w "] {
        has(2, preset);
    }
}

/// Tags in list rows at 160, 120 and 80 columns; the filter's tag field and the tag prompt.
#[tokio::test]
async fn en_tags() {
    tui_common::snaps::tags(Lang::En).await;
}

#[path = "tui_common/rules_snap.rs"]
mod rules_snap;

/// The Rules panel at 80x24 and 160x45, and a broken file's problem.
#[tokio::test]
async fn en_rules_panel() {
    rules_snap::rules_panel(Lang::En).await;
}
