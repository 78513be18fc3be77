//! The Members panel, headless against a real engine: the ranking per period, the profile with
//! its explanation, tagging and filtering by tag, a repeat reward asked about, the jump to a
//! person's items, and the CSV export.

mod tui_common;

use kith::domain::{Author, Kind, NewItem, Platform, Timestamp};
use kith::tui::popups::Popup;
use tui_common::*;

/// Items written now (the engine ranks against the real clock).
fn recent_items() -> Vec<NewItem> {
    let now = Timestamp::now().0;
    let mut v = Vec::new();
    let mut add = |n: u32, p: Platform, who: &str, name: &str, kind: Kind, days: i64| {
        let mut it = NewItem::comment(
            p,
            "acc",
            &format!("n{n}"),
            who,
            &format!("text {n}"),
            Timestamp(now - days * 86_400_000 - n as i64),
        );
        it.kind = kind;
        it.author = Author {
            id: who.into(),
            handle: Some(format!("{who}_h")),
            name: Some(name.into()),
            followers: Some(100 * n as u64),
        };
        v.push(it);
    };
    // 林小雨 reviews twice this week; Дмитрий comments three times, one 20 days ago.
    add(1, Platform::Vk, "lin", "林小雨", Kind::Review, 0);
    add(2, Platform::Vk, "lin", "林小雨", Kind::Review, 1);
    add(3, Platform::Telegram, "dima", "Дмитрий", Kind::Comment, 0);
    add(4, Platform::Telegram, "dima", "Дмитрий", Kind::Comment, 2);
    add(5, Platform::Telegram, "dima", "Дмитрий", Kind::Comment, 20);
    add(6, Platform::Mastodon, "bob", "Bob", Kind::Mention, 3);
    v
}

fn panel(r: &Rig) -> &kith::tui::members::MembersPanel {
    match &r.app.popup {
        Some(Popup::Members(p)) => p,
        other => panic!("expected the members panel, got {other:?}"),
    }
}

fn names(r: &Rig) -> Vec<String> {
    panel(r)
        .ranking
        .rows
        .iter()
        .map(|x| x.label().to_string())
        .collect()
}

#[tokio::test]
async fn ranking_profile_tags_rewards_items_and_export() {
    let mut r = rig_with(recent_items()).await;
    r.app.cfg.export_dir = r.dir.path().join("exports");
    r.press("m").await;
    // 30 days: Дмитрий's three comments (≈ 8.3) beat 林小雨's two reviews (≈ 9.9)? No: reviews
    // weigh 5, so 林小雨 leads.
    assert_eq!(names(&r), ["林小雨", "Дмитрий", "Bob"]);
    let p = panel(&r);
    let prof = p
        .profile
        .as_ref()
        .expect("the first person's profile loads with the list");
    assert_eq!(prof.row.label(), "林小雨");
    assert_eq!(prof.explained.parts.len(), 1);
    assert_eq!(prof.explained.parts[0].count, 2);
    let screen = screen_text(&r.app, 160, 30);
    assert!(screen.contains("林小雨"), "{screen}");
    assert!(screen.contains("[30d]"), "{screen}");
    // The 7-day window drops the comment of 20 days ago; the order holds.
    r.press("1").await;
    assert_eq!(panel(&r).query.period, kith::domain::member::Period::Week);
    let dima = panel(&r)
        .ranking
        .rows
        .iter()
        .find(|x| x.label() == "Дмитрий")
        .expect("dima")
        .counts
        .iter()
        .sum::<u64>();
    assert_eq!(dima, 2);
    // Tag Дмитрий, then show only that tag.
    r.press("j").await;
    r.press("t").await;
    r.type_text("VIP").await;
    r.press("enter").await;
    assert!(r.app.note.as_ref().is_some_and(|n| n.text == "Tagged"));
    r.press("#").await;
    r.type_text("vip").await;
    r.press("enter").await;
    assert_eq!(names(&r), ["Дмитрий"]);
    assert_eq!(panel(&r).ranking.rows[0].tags, ["VIP"]);
    // A reward, then the same again: refused with the date, and R confirms.
    r.press("r").await;
    r.type_text("t-shirt").await;
    r.press("enter").await;
    r.press("r").await;
    r.type_text("mug").await;
    r.press("enter").await;
    let msg = r
        .app
        .note
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(
        msg.contains("already rewarded") && msg.contains("t-shirt"),
        "{msg}"
    );
    r.press("R").await;
    let p = panel(&r).profile.as_ref().expect("profile");
    assert_eq!(
        p.rewards
            .iter()
            .map(|(_, w)| w.what.as_str())
            .collect::<Vec<_>>(),
        ["t-shirt", "mug"]
    );
    // Export what is shown.
    r.press("e").await;
    let files: Vec<_> = std::fs::read_dir(r.dir.path().join("exports"))
        .expect("exports")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 1);
    let csv = std::fs::read_to_string(&files[0]).expect("csv");
    assert!(csv.starts_with("rank,id,name,"), "{csv}");
    assert_eq!(csv.lines().count(), 2);
    assert!(csv.contains("Дмитрий"));
    // i: the inbox filtered to Дмитрий's items.
    r.press("i").await;
    assert!(r.app.popup.is_none());
    let mut rows = r.rows();
    rows.sort();
    assert_eq!(rows, ["text 3", "text 4", "text 5"]);
}

/// Below the width for the profile beside the ranking (80×24, 100×30), Enter shows the
/// profile as a full-width view and Esc goes back to the ranking.
#[tokio::test]
async fn narrow_screens_get_the_profile_as_a_full_width_view() {
    let mut r = rig_with(recent_items()).await;
    for (w, h) in [(80, 24), (100, 30)] {
        r.app.size = (w, h);
        r.press("m").await;
        let ranking = screen_text(&r.app, w, h);
        assert!(
            ranking.contains("林小雨") && ranking.contains("Дмитрий") && ranking.contains("Bob"),
            "{w}x{h}:\n{ranking}"
        );
        assert!(!ranking.contains("first seen"), "{w}x{h}:\n{ranking}");
        r.press("enter").await;
        let profile = screen_text(&r.app, w, h);
        assert!(profile.contains("30d: score"), "{w}x{h}:\n{profile}");
        assert!(profile.contains("first seen"), "{w}x{h}:\n{profile}");
        assert!(profile.contains("vk:lin_h"), "{w}x{h}:\n{profile}");
        assert!(
            profile.contains("esc back to the ranking"),
            "{w}x{h}:\n{profile}"
        );
        assert!(
            !profile.contains("Дмитрий"),
            "the ranking is hidden:\n{profile}"
        );
        // j moves to the next person, still full width.
        r.press("j").await;
        let next = screen_text(&r.app, w, h);
        assert!(next.contains("telegram:dima_h"), "{w}x{h}:\n{next}");
        assert!(next.contains("first seen"), "{w}x{h}:\n{next}");
        r.press("k").await;
        r.press("esc").await;
        assert!(
            matches!(r.app.popup, Some(Popup::Members(_))),
            "esc goes back, not out"
        );
        let back = screen_text(&r.app, w, h);
        assert!(
            back.contains("Дмитрий") && !back.contains("first seen"),
            "{back}"
        );
        r.press("esc").await;
        assert!(r.app.popup.is_none());
    }
    // Wide enough: the profile is beside the ranking, as before.
    r.app.size = (160, 40);
    r.press("m").await;
    let wide = screen_text(&r.app, 160, 40);
    assert!(
        wide.contains("Дмитрий") && wide.contains("first seen"),
        "{wide}"
    );
}
