//! Snapshots of every screen in Russian at 120x36 and 80x24, with CJK and emoji rows.

#[path = "tui_common/mod.rs"]
mod tui_common;

use kith::i18n::Lang;

#[tokio::test]
async fn ru_screens_120x36() {
    tui_common::snaps::screens_120x36(Lang::Ru).await;
}

#[tokio::test]
async fn ru_screens_80x24() {
    tui_common::snaps::screens_80x24(Lang::Ru).await;
}

/// Columns as wide as the widest Russian word plus a gap, at 160 and 80 columns (no
/// `упоминанновое`, `в работе7ч`, `сейча王芳`; `когда` whole); period tabs and snooze
/// presets in Russian.
#[tokio::test]
async fn ru_columns_members_and_presets() {
    let s = tui_common::snaps::columns(Lang::Ru).await;
    let has = |i: usize, what: &str| assert!(s[i].contains(what), "{what:?} in\n{}", s[i]);
    has(0, " где  тип        статус   когда  автор ");
    has(0, "•VK   упоминание новое    сейчас 王芳 ");
    has(0, " VK   ответ      в работе 59м    Дмитрий ");
    has(0, " VK   цитата     в работе 2д     Лёша ");
    has(3, " где  статус   когда  автор ");
    has(3, "•VK   новое    сейчас 王芳 ");
    has(3, " VK   в работе 59м    Дмитрий ");
    has(1, " 7д [30д] 90д  всё ");
    has(4, " 7д [30д] 90д  всё ");
    for preset in ["1 ч ", "3 ч ", "завтра ", "1 нед. "] {
        has(2, preset);
    }
}

/// Tags in list rows at 160, 120 and 80 columns; the filter's tag field and the tag prompt.
#[tokio::test]
async fn ru_tags() {
    tui_common::snaps::tags(Lang::Ru).await;
}

#[path = "tui_common/rules_snap.rs"]
mod rules_snap;

/// The Rules panel at 80x24 and 160x45, and a broken file's problem.
#[tokio::test]
async fn ru_rules_panel() {
    rules_snap::rules_panel(Lang::Ru).await;
}
