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

/// Columns sized by the widest Chinese word; period tabs, snooze presets in Chinese; the
/// members' interactions column holds the widest row (its kind marks are two cells wide).
#[tokio::test]
async fn zh_columns_members_and_presets() {
    let s = tui_common::snaps::columns(Lang::Zh).await;
    let has = |i: usize, what: &str| assert!(s[i].contains(what), "{what:?} in\n{}", s[i]);
    has(0, " 来源 类型 状态   时间 作者 ");
    has(0, "•VK   提及 新     刚刚 王芳 ");
    has(0, " VK   回复 处理中 59分 Дмитрий ");
    has(1, " 7天 [30天] 90天  全部 ");
    for preset in ["1小时 ", "3小时 ", "明天 ", "1周 "] {
        has(2, preset);
    }
    for (w, h) in [(160, 40), (120, 36)] {
        let m = tui_common::snaps::members_screen(Lang::Zh, w, h).await;
        assert!(m.contains("1评 1回 1@ 1引 1信 1★"), "{w}x{h}:\n{m}");
    }
}

/// Tags in list rows at 160, 120 and 80 columns; the filter's tag field and the tag prompt.
#[tokio::test]
async fn zh_tags() {
    tui_common::snaps::tags(Lang::Zh).await;
}

#[path = "tui_common/rules_snap.rs"]
mod rules_snap;

/// The Rules panel at 80x24 and 160x45, and a broken file's problem.
#[tokio::test]
async fn zh_rules_panel() {
    rules_snap::rules_panel(Lang::Zh).await;
}
