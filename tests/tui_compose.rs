//! The composer and the calendar, headless against a real engine on a demo store: choosing two
//! accounts, counters per network with CJK, emoji and Cyrillic, the over-limit mark, the time
//! line, the post the engine holds, the draft kept on disk across a restart, and the calendar's
//! move, edit, duplicate and cancel.

mod tui_common;

use kith::domain::post::Summary;
use kith::domain::when::{self, Zone};
use kith::domain::Timestamp;
use kith::engine::api::{PostQuery, Request, Response};
use kith::engine::Backend;
use kith::tui::popups::Popup;
use kith::tui::App;
use std::sync::Arc;
use tui_common::compose::{choose, composer, posts};
use tui_common::*;

struct Fixed(Timestamp);
impl kith::engine::outbox::WallClock for Fixed {
    fn now(&self) -> Timestamp {
        self.0
    }
}

fn calendar(r: &Rig) -> &kith::tui::calendar::CalendarPanel {
    match &r.app.popup {
        Some(Popup::Calendar(p)) => p,
        other => panic!("expected the calendar, got {other:?}"),
    }
}

const TEXT: &str = "Привет 你好👍🏽 #lumo https://lumo.example/spring";

#[tokio::test]
async fn compose_count_schedule_restore_and_calendar() {
    let mut r = rig().await;
    r.backend.engine().set_clock(Arc::new(Fixed(NOW)));
    let drafts = r.dir.path().join("drafts");
    r.app.cfg.drafts_dir = Some(drafts.clone());

    r.press("c").await;
    assert_eq!(composer(&r).focus, kith::tui::compose::Field::Targets);
    choose(&mut r, "lumo@mastodon.social").await;
    choose(&mut r, "lumo.bsky.social").await;
    assert_eq!(
        composer(&r).targets,
        ["lumo@mastodon.social", "lumo.bsky.social"]
    );
    r.press("tab").await;
    r.type_text(TEXT).await;
    // Mastodon counts the link as 23; Bluesky counts every grapheme (👍🏽 is one).
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains("Mastodon 40/500  Bluesky 44/300"),
        "{screen}"
    );
    // The preview shows the text per network.
    assert!(screen.contains("── Mastodon ─"), "{screen}");
    assert!(screen.contains("── Bluesky ─"), "{screen}");
    assert!(!screen.contains('»'), "{screen}");

    // Over Bluesky's 300: the counter says by how much, the text shows where.
    r.press("enter").await;
    r.type_text(&"Ж".repeat(260)).await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains("Mastodon 301/500  Bluesky 305/300 −5"),
        "{screen}"
    );
    assert!(
        screen.contains("» over the limit from here on Bluesky"),
        "{screen}"
    );
    // The mark sits after the 300th grapheme: 255 Ж before it on the second line.
    let c = composer(&r);
    let counters = kith::tui::compose::counters(&r.app, c);
    assert_eq!(
        kith::tui::compose::mark_at(&counters, c.split),
        Some(TEXT.len() + 1 + 255 * "Ж".len())
    );
    assert_eq!(screen.matches('»').count(), 2, "{screen}");
    assert!(screen.contains("ЖЖ»│"), "{screen}");
    // Confirming is refused while it is too long.
    r.press("ctrl-s").await;
    assert!(!composer(&r).confirm);
    let note = r
        .app
        .note
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(note.contains("Bluesky 305/300 −5"), "{note}");
    for _ in 0..10 {
        r.press("backspace").await;
    }
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains("Mastodon 291/500  Bluesky 295/300"),
        "{screen}"
    );
    assert!(!screen.contains('»'), "{screen}");
    let text = format!("{TEXT}\n{}", "Ж".repeat(250));

    // The time line (after the pictures line): `+90m` shows the absolute time live (or the
    // parser's own error).
    r.press("tab").await;
    r.press("tab").await;
    r.type_text("+90m").await;
    let screen = screen_text(&r.app, 120, 36);
    let due = Timestamp(NOW.0 + 90 * 60_000);
    match when::parse_when("+90m", NOW, &Zone::UTC) {
        Ok(at) => {
            assert_eq!(at, due);
            assert!(
                screen.contains(&format!("→ {}", when::show(due, &Zone::UTC))),
                "{screen}"
            );
        }
        Err(e) => panic!("+90m: {e}"),
    }
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains(&format!("→ {}", when::show(due, &Zone::UTC))),
        "{screen}"
    );

    // The draft is on disk after every keystroke: a new App on the same data dir has it back.
    let saved = std::fs::read_to_string(drafts.join("composer.json")).expect("draft file");
    assert!(saved.contains("Ж"), "{saved}");
    let mut cfg = r.app.cfg.clone();
    cfg.drafts_dir = Some(drafts.clone());
    r.app = App::new(cfg, NOW);
    let fx = kith::tui::start(&mut r.app);
    kith::tui::headless::settle(&mut r.app, &r.backend, &mut r.events, fx).await;
    r.press("c").await;
    assert_eq!(composer(&r).editor.text(), text);
    assert_eq!(
        composer(&r).targets,
        ["lumo@mastodon.social", "lumo.bsky.social"]
    );
    // Esc keeps it; c brings it back.
    r.press("esc").await;
    assert!(r.app.popup.is_none());
    r.press("c").await;
    assert_eq!(composer(&r).editor.text(), text);

    // ctrl-s: the confirmation line, then enter sends.
    r.press("ctrl-s").await;
    assert!(composer(&r).confirm);
    let screen = screen_text(&r.app, 120, 36);
    let confirm = format!(
        "Goes out {} on lumo@mastodon.social, lumo.bsky.social.",
        when::show(due, &Zone::UTC)
    );
    assert!(screen.contains(&confirm), "{screen}");
    r.press("enter").await;
    assert!(r.app.popup.is_none(), "{:?}", r.app.note);
    let all = posts(&r).await;
    assert_eq!(all.len(), 1);
    let p = &all[0];
    assert_eq!(p.text, text);
    assert_eq!(p.due_at, Some(due));
    assert_eq!(
        p.targets
            .iter()
            .map(|t| t.account.as_str())
            .collect::<Vec<_>>(),
        ["lumo@mastodon.social", "lumo.bsky.social"]
    );
    assert_eq!(p.summary(), Summary::Scheduled);
    // The draft is gone, on disk and in the app.
    assert!(!drafts.join("composer.json").exists());
    r.press("c").await;
    assert_eq!(composer(&r).editor.text(), "");
    r.press("esc").await;

    // The calendar: this week (Mon 03-09 .. Sun 03-15), the post on Saturday at 13:30.
    r.press("S").await;
    let cal = calendar(&r);
    assert_eq!(cal.day, 5);
    assert_eq!(cal.current(&Zone::UTC).map(|x| x.id), Some(p.id));
    let screen = screen_text(&r.app, 120, 36);
    assert!(screen.contains("Sat 03-14 (1)"), "{screen}");
    assert!(screen.contains("13:30 ◷ lumo@"), "{screen}");
    let narrow = screen_text(&r.app, 80, 24);
    assert!(
        narrow.contains("13:30 ◷ lumo@mastodon.social,lumo.bsky.social Привет"),
        "{narrow}"
    );

    // m: move it to Sunday 10:00.
    r.press("m").await;
    r.type_text("2026-03-15 10:00").await;
    r.press("enter").await;
    let moved = Timestamp::parse("2026-03-15T10:00:00Z").expect("ts");
    assert_eq!(posts(&r).await[0].due_at, Some(moved));
    let screen = screen_text(&r.app, 120, 36);
    assert!(screen.contains("Sun 03-15 (1)"), "{screen}");
    assert!(screen.contains("Sat 03-14 (0)"), "{screen}");

    // e: new text through the composer, back to the calendar.
    r.press("right").await;
    r.press("e").await;
    assert!(composer(&r).editing.is_some());
    r.type_text(" 🎉").await;
    r.press("ctrl-s enter").await;
    assert!(matches!(r.app.popup, Some(Popup::Calendar(_))));
    let p = posts(&r).await.remove(0);
    assert_eq!(p.text, format!("{text} 🎉"));

    // d: a copy next Monday; ] shows it.
    r.press("d").await;
    r.type_text("2026-03-16 09:00").await;
    r.press("enter").await;
    assert_eq!(posts(&r).await.len(), 2);
    r.press("]").await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(screen.contains("Mon 03-16 (1)"), "{screen}");
    r.press("[").await;

    // x: cancel the moved post (asks first).
    r.press("x").await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains(&format!("Cancel {}? y / n", p.id)),
        "{screen}"
    );
    r.press("y").await;
    let all = posts(&r).await;
    let cancelled = all.iter().find(|x| x.id == p.id).expect("post");
    assert_eq!(cancelled.summary(), Summary::Cancelled);
    let screen = screen_text(&r.app, 120, 36);
    assert!(screen.contains("10:00 ✗"), "{screen}");
}

#[tokio::test]
async fn hostile_account_names_and_text_keep_the_composer_intact() {
    let mut items = sample_items();
    let mut evil = kith::domain::NewItem::comment(
        kith::domain::Platform::Mastodon,
        "evil\x1b]0;title\x07\u{202E}acc",
        "e1",
        "x",
        "hi",
        mins_ago(1),
    );
    evil.url = None;
    items.push(evil);
    let mut r = rig_with(items).await;
    r.press("c").await;
    choose(&mut r, "evil\x1b]0;title\x07\u{202E}acc").await;
    r.press("tab").await;
    if let Some(Popup::Compose(c)) = r.app.popup.as_mut() {
        c.editor.insert("a\x1b[2Jb \u{202E}x @evil\x07 #tag");
    }
    for (w, h) in [(120, 36), (80, 24)] {
        let screen = screen_text(&r.app, w, h);
        assert!(
            !screen.contains('\x1b') && !screen.contains('\x07'),
            "{screen}"
        );
        assert!(!screen.contains('\u{202E}'), "{screen}");
        for line in screen.lines() {
            assert_eq!(kith::text::width(line), w as usize, "{line:?}");
        }
    }
}

#[tokio::test]
async fn help_lists_the_composer_and_calendar_keys() {
    use kith::config::keymap::Context;
    let r = rig().await;
    let map = &r.app.cfg.keymap;
    let rows = |ctx: Context| -> Vec<(String, String)> {
        kith::tui::help::sections(map, &[ctx])
            .into_iter()
            .flat_map(|s| s.rows)
            .collect()
    };
    let has = |ctx: Context, k: &str, d: &str| {
        let rows = rows(ctx);
        assert!(
            rows.iter()
                .any(|(keys, desc)| keys == k && desc.starts_with(d)),
            "{k} {d}: {rows:?}"
        );
    };
    has(Context::Normal, "c", "Write a post");
    has(Context::Normal, "S", "Calendar");
    has(Context::Composer, "ctrl-t", "Thread");
    has(Context::Calendar, "x", "Cancel the post");
    has(Context::Calendar, "r", "Send again");
    has(
        Context::ComposerTargets,
        "enter, space",
        "Choose the account",
    );
}

#[tokio::test]
async fn the_style_sheet_marks_words_to_avoid_and_to_prefer() {
    let mut r = rig().await;
    r.backend.engine().set_clock(Arc::new(Fixed(NOW)));
    r.app.cfg.drafts_dir = Some(r.dir.path().join("drafts"));
    r.app.cfg.style = kith::text::voice::StyleSheet::from_toml(
        "[avoid]\n\"дешёвый\" = \"доступный\"\n\"ASAP\" = \"\"\n[prefer]\nphrases = [\"сообщество\"]\n",
    )
    .expect("sheet");
    r.press("c").await;
    choose(&mut r, "lumo.bsky.social").await;
    r.press("tab").await;
    r.type_text("Дешевый свет для сообщества ASAP").await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(screen.contains("✗ Дешевый → Доступный"), "{screen}");
    assert!(screen.contains("✗ ASAP"), "{screen}");
    assert!(
        !screen.contains("✓ сообщества"),
        "whole words only: {screen}"
    );
}

#[tokio::test]
async fn a_text_over_the_limit_previews_as_a_thread_when_split_is_on() {
    let mut r = rig().await;
    r.backend.engine().set_clock(Arc::new(Fixed(NOW)));
    r.app.cfg.drafts_dir = Some(r.dir.path().join("drafts"));
    r.press("c").await;
    choose(&mut r, "lumo.bsky.social").await;
    r.press("tab").await;
    r.type_text(&"Свет для дома. ".repeat(30)).await;
    let screen = screen_text(&r.app, 160, 60);
    assert!(!screen.contains("part 1/2"), "{screen}");
    r.press("ctrl-t").await;
    let screen = screen_text(&r.app, 160, 60);
    assert!(screen.contains("· part 1/2 ·"), "{screen}");
    assert!(screen.contains("· part 2/2 ·"), "{screen}");
}

#[tokio::test]
async fn one_account_gets_its_own_wording() {
    let mut r = rig().await;
    r.backend.engine().set_clock(Arc::new(Fixed(NOW)));
    r.app.cfg.drafts_dir = Some(r.dir.path().join("drafts"));
    r.press("c").await;
    choose(&mut r, "lumo@mastodon.social").await;
    choose(&mut r, "lumo.bsky.social").await;
    r.press("tab").await;
    r.type_text("Весенняя коллекция").await;
    // Back to the accounts, on Bluesky: `v` gives it its own text, starting from the common one.
    r.press("backtab").await;
    let at = r
        .app
        .accounts
        .iter()
        .position(|(n, _)| n == "lumo.bsky.social")
        .expect("bluesky");
    r.press("home").await;
    for _ in 0..at {
        r.press("down").await;
    }
    r.press("v").await;
    r.type_text(" 🦋").await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(screen.contains("Text for lumo.bsky.social"), "{screen}");
    assert!(
        screen.contains("Mastodon 18/500  Bluesky 20/300"),
        "{screen}"
    );
    assert!(screen.contains("── Bluesky ✎ "), "{screen}");
    r.press("ctrl-s").await;
    r.press("enter").await;
    r.settle().await;
    let Response::Posts(posts) = r
        .backend
        .call(Request::Posts(PostQuery {
            limit: 10,
            ..Default::default()
        }))
        .await
        .expect("posts")
    else {
        panic!("posts")
    };
    let p = &posts[0];
    assert_eq!(p.text, "Весенняя коллекция");
    let variant = |a: &str| p.target(a).expect("target").variant.clone();
    assert_eq!(variant("lumo@mastodon.social"), None);
    assert_eq!(
        variant("lumo.bsky.social").as_deref(),
        Some("Весенняя коллекция 🦋")
    );
}

#[tokio::test]
async fn accounts_kith_cannot_publish_to_are_shown_but_never_ticked() {
    let mut r = rig().await;
    r.backend.engine().set_clock(Arc::new(Fixed(NOW)));
    r.press("c").await;
    // The cursor starts on the first account that can take a post (Instagram's, with a picture).
    let c = composer(&r);
    assert_eq!(r.app.accounts[c.cursor].0, "@lumo.lamps");
    // The sample's Google account (reviews) and YouTube channel: listed, dimmed, with the reason.
    for (name, platform) in [("Lumo Store", "Google"), ("Lumo Official", "YouTube")] {
        choose(&mut r, name).await;
        assert!(composer(&r).targets.is_empty(), "{name} was ticked");
        let note = r.app.note.clone().expect("a reason");
        assert_eq!(
            (note.text.as_str(), note.tone),
            (
                format!("kith cannot publish to {platform} ({name}): it only reads it").as_str(),
                kith::tui::app::Tone::Error
            )
        );
        // `v` (own wording) does not tick it either.
        r.press("v").await;
        assert!(composer(&r).targets.is_empty(), "{name} was ticked by v");
    }
    let screen = screen_text(&r.app, 120, 36);
    let row = |name: &str| {
        screen
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} in {screen}"))
            .to_string()
    };
    assert!(row("Lumo Store").contains("[-]  Lumo Store"), "{screen}");
    assert!(
        row("Lumo Store").contains("Google        read only"),
        "{screen}"
    );
    assert!(
        row("lumo.bsky.social").contains("[ ]  lumo.bsky.social"),
        "{screen}"
    );
    assert!(!row("lumo.bsky.social").contains("read only"), "{screen}");
    // A publishing account still ticks.
    choose(&mut r, "lumo.bsky.social").await;
    assert_eq!(composer(&r).targets, ["lumo.bsky.social"]);
    // The engine refuses such a post too, whoever asks.
    let refused = r
        .backend
        .call(Request::PostCreate {
            post: kith::domain::post::NewPost {
                text: "Скидки!".into(),
                targets: vec![kith::domain::post::NewTarget {
                    account: "Lumo Store".into(),
                    ..Default::default()
                }],
                due_at: None,
                media: Vec::new(),
            },
            queue: false,
        })
        .await
        .expect_err("refused");
    assert_eq!(
        refused.to_string(),
        "kith cannot publish to Google (Lumo Store): it only reads it"
    );
    assert!(posts(&r).await.is_empty());
}
