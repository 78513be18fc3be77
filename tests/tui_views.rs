//! Saved views in the TUI against a real engine: `:save NAME` keeps the list's pattern (view and
//! limit), the sidebar shows it with its live count in its own section (and on another
//! operator's TUI), choosing it lists what it matches, counts move with the items, `:unsave`
//! takes it away; nothing to save is said so.

mod tui_common;

use kith::engine::Backend;
use kith::tui::views::View;
use tui_common::*;

/// The sidebar line naming `name`, squeezed of runs of blanks.
fn sidebar_line(app: &kith::tui::App, name: &str) -> Option<String> {
    screen_text(app, 140, 40)
        .lines()
        .find(|l| l.contains(name))
        .map(|l| {
            // The sidebar is the left column, inside its borders.
            l.split('│')
                .nth(1)
                .unwrap_or("")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
}

/// Steps through the sidebar (`]`) to `v`.
async fn go_to(r: &mut Rig, v: &View) {
    let at = r.app.views.iter().position(|x| x == v).expect("in sidebar");
    while r.app.sidebar_sel != at {
        r.press("]").await;
    }
    assert_eq!(r.app.view, *v);
}

fn note(app: &kith::tui::App) -> String {
    app.note
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn save_shows_the_view_with_its_count_here_and_on_another_tui() {
    kith::i18n::init(kith::i18n::Lang::En);
    let mut r = rig().await;
    // Boris's TUI on the same engine.
    let bob = AsOperator {
        engine: std::sync::Arc::clone(r.backend.engine()),
        op: "boris",
    };
    let mut bob_events = bob.subscribe();
    let mut cfg = config();
    cfg.operator = "boris".into();
    let mut bob_app = kith::tui::App::new(cfg, NOW);
    let fx = kith::tui::start(&mut bob_app);
    kith::tui::headless::settle(&mut bob_app, &bob, &mut bob_events, fx).await;

    // The Inbox limited to VK and Mastodon: two waiting comments.
    r.press("l").await;
    r.type_text("~p vk|mastodon").await;
    r.press("enter").await;
    assert_eq!(r.rows().len(), 2);
    r.press(":").await;
    r.type_text("save VK and Mastodon").await;
    assert!(
        screen_text(&r.app, 120, 36).contains("Save this list as view \"VK and Mastodon\" (enter)")
    );
    r.press("enter").await;
    assert_eq!(note(&r.app), "Saved view \"VK and Mastodon\" for the team.");

    let screen = screen_text(&r.app, 140, 40);
    assert!(screen.contains("Saved views"), "{screen}");
    assert_eq!(
        sidebar_line(&r.app, "VK and Mastodon").as_deref(),
        Some("VK and Mastodon 2"),
        "{screen}"
    );
    let saved = View::Saved {
        name: "VK and Mastodon".into(),
        pattern: "~s new|open ~p vk|mastodon".into(),
        shared: true,
    };
    assert!(r.app.views.contains(&saved), "{:?}", r.app.views);

    // Boris's sidebar gets it from the engine's event, with the same count.
    kith::tui::headless::settle(&mut bob_app, &bob, &mut bob_events, Vec::new()).await;
    assert_eq!(
        sidebar_line(&bob_app, "VK and Mastodon").as_deref(),
        Some("VK and Mastodon 2")
    );

    // Chosen from the sidebar, it lists what it matches (the limit cleared first).
    r.press("l").await;
    r.press("ctrl-u").await;
    r.press("enter").await;
    go_to(&mut r, &saved).await;
    assert_eq!(r.rows().len(), 2);

    // Marking one done moves the count, here and on Boris's screen.
    r.press("d").await;
    assert_eq!(
        sidebar_line(&r.app, "VK and Mastodon").as_deref(),
        Some("VK and Mastodon 1")
    );
    kith::tui::headless::settle(&mut bob_app, &bob, &mut bob_events, Vec::new()).await;
    assert_eq!(
        sidebar_line(&bob_app, "VK and Mastodon").as_deref(),
        Some("VK and Mastodon 1")
    );

    // `:unsave` without a name deletes the view shown; the Inbox takes its place.
    r.press(":").await;
    r.type_text("unsave").await;
    r.press("enter").await;
    assert_eq!(note(&r.app), "Deleted view \"VK and Mastodon\".");
    assert!(!r.app.views.contains(&saved));
    assert_eq!(r.app.view, View::Inbox);
    assert!(!screen_text(&r.app, 140, 40).contains("Saved views"));
}

#[tokio::test]
async fn nothing_to_save_is_said_and_own_views_come_after_the_team() {
    kith::i18n::init(kith::i18n::Lang::En);
    let mut r = rig().await;
    // All, without a limit, narrows nothing.
    go_to(&mut r, &View::All).await;
    r.press(":").await;
    r.type_text("save everything").await;
    r.press("enter").await;
    assert_eq!(
        note(&r.app),
        "Nothing to save: this view shows everything. Limit it (l) or pick a view first."
    );

    // The Done view, written as a pattern, then the operator's own view from config.
    r.app.cx.cfg.views = vec![("reviews".into(), "~k review".into())];
    go_to(&mut r, &View::Hidden).await;
    r.press(":").await;
    r.type_text("save hidden ones").await;
    r.press("enter").await;
    let names: Vec<(String, String, bool)> = r
        .app
        .views
        .iter()
        .filter_map(|v| match v {
            View::Saved {
                name,
                pattern,
                shared,
            } => Some((name.clone(), pattern.clone(), *shared)),
            _ => None,
        })
        .collect();
    assert_eq!(
        names,
        [
            ("hidden ones".to_string(), "~s hidden".to_string(), true),
            ("reviews".to_string(), "~k review".to_string(), false)
        ]
    );
    assert_eq!(
        sidebar_line(&r.app, "reviews").as_deref(),
        Some("· reviews 1")
    );
    // The operator's own view is changed in the config, not from the palette.
    r.press(":").await;
    r.type_text("unsave reviews").await;
    r.press("enter").await;
    assert_eq!(
        note(&r.app),
        "\"reviews\" is your own view from the config file: change it there."
    );

    // Help lists the palette's commands, at its end.
    r.press("esc").await;
    r.press("?").await;
    r.press("G").await;
    let screen = screen_text(&r.app, 140, 40);
    assert!(
        screen.contains("Palette commands (type after :)"),
        "{screen}"
    );
    assert!(
        screen.contains(":save") && screen.contains("Save this list as view NAME for the team"),
        "{screen}"
    );
    assert!(screen.contains(":view-down"), "{screen}");
}
