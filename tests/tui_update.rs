//! Headless app tests: keys in, a real engine on a temp dir behind it, state and store checked.

mod tui_common;

use kith::domain::{Outgoing, Status};
use kith::engine::api::{Request, Response};
use kith::engine::Backend;
use kith::tui::app::Pane;
use tui_common::*;

#[tokio::test]
async fn starts_on_inbox_newest_first() {
    let r = rig().await;
    assert_eq!(r.app.view, kith::tui::views::View::Inbox);
    // The done item is not in the inbox; newest first.
    assert_eq!(r.rows().len(), 6);
    assert_eq!(r.rows()[0], "The new lamp is lovely, thanks!");
    assert_eq!(r.rows()[5], "Too expensive for what it is.");
    assert_eq!(r.app.overview.total, 7);
    assert!(r.app.overview.demo);
    assert_eq!(
        r.app.thread.items.len(),
        1,
        "the selected item's thread is loaded"
    );
}

#[tokio::test]
async fn selection_moves_and_clamps() {
    let mut r = rig().await;
    r.press("j j").await;
    assert_eq!(r.app.list.selected, 2);
    assert!(r.selected_text().starts_with("已下单"));
    r.press("k").await;
    assert_eq!(r.app.list.selected, 1);
    r.press("G").await;
    assert_eq!(r.app.list.selected, 5);
    r.press("j j j").await;
    assert_eq!(r.app.list.selected, 5);
    r.press("g g").await;
    assert_eq!(r.app.list.selected, 0);
    r.press("down down ctrl-d").await;
    assert_eq!(r.app.list.selected, 5);
    r.press("g x").await; // unknown continuation: the prefix is dropped, x (hide) runs
    assert_eq!(r.app.list.rows.len(), 5, "x hid the selected item");
    assert!(r.app.chords.is_empty());
}

#[tokio::test]
async fn done_and_undo_round_trip_through_the_store() {
    let mut r = rig().await;
    r.press("j").await;
    let item = r.app.list.current().cloned().expect("selected");
    assert_eq!(item.status, Status::New);
    r.press("e").await;
    let stored = r.get(item.id).await;
    assert_eq!(stored.status, Status::Done);
    assert!(
        !r.app.list.rows.iter().any(|i| i.id == item.id),
        "done item left the inbox"
    );
    assert_eq!(r.app.overview.status(Status::Done), 2);
    assert_eq!(r.app.undo.len(), 1);
    r.press("u").await;
    let stored = r.get(item.id).await;
    assert_eq!(stored.status, Status::New);
    assert!(stored.version > item.version);
    assert_eq!(
        r.app.list.current().map(|i| i.id),
        Some(item.id),
        "undone item is selected again"
    );
    assert_eq!(r.app.overview.status(Status::Done), 1);
    assert!(r.app.undo.is_empty());
    r.press("u").await;
    assert_eq!(
        r.app.note.as_ref().map(|n| n.text.as_str()),
        Some("Nothing to undo.")
    );
}

#[tokio::test]
async fn conflict_is_reported_not_applied() {
    let mut r = rig().await;
    let item = r.app.list.current().cloned().expect("selected");
    // Someone else changes the item meanwhile.
    let change = kith::domain::Change::AddTag("vip".into());
    r.backend
        .call(Request::Update {
            id: item.id,
            change,
            if_version: None,
        })
        .await
        .expect("update");
    // Our copy is stale only if we have not seen the event yet: drop it.
    while r.events.try_recv().is_ok() {}
    r.press("e").await;
    let note = r.app.note.clone().expect("note");
    assert_eq!(note.tone, kith::tui::app::Tone::Error);
    assert!(note.text.contains("vip"), "{}", note.text);
    assert_eq!(r.get(item.id).await.status, Status::New);
    // The row was refreshed; a second try works.
    r.press("e").await;
    assert_eq!(r.get(item.id).await.status, Status::Done);
}

#[tokio::test]
async fn live_search_filters_across_the_store() {
    let mut r = rig().await;
    r.press("/").await;
    r.type_text("ламп").await;
    assert_eq!(
        r.rows(),
        vec!["Лампа мерцает на минимальной яркости, что делать?"]
    );
    r.press("enter").await;
    assert_eq!(r.app.search, "ламп");
    r.press("esc").await;
    assert_eq!(r.rows().len(), 6, "esc in the list clears the search");
    r.press("/").await;
    r.type_text("世界").await;
    assert_eq!(r.rows().len(), 1);
    assert!(r.rows()[0].contains("你好，世界"));
    r.press("esc").await;
    assert_eq!(r.app.search, "");
    assert_eq!(
        r.rows().len(),
        6,
        "esc in the prompt restores the previous search"
    );
}

#[tokio::test]
async fn sidebar_views_and_filter_popup() {
    let mut r = rig().await;
    r.press("] ] ] ] ]").await; // Mine, Unassigned, Taken by others, Due first, New
    assert_eq!(r.app.view, kith::tui::views::View::New);
    r.press("]").await; // Reviews
    assert_eq!(r.rows(), vec!["Too expensive for what it is."]);
    r.press("[ [ [ [ [ [ [").await; // All
    assert_eq!(r.rows().len(), 7);
    // Filter: status = done.
    r.press("f down down right right right right enter").await;
    assert_eq!(r.rows(), vec!["Already handled"]);
    r.press("esc").await;
    assert_eq!(r.rows().len(), 7);
}

#[tokio::test]
async fn snooze_tag_spam_hide_and_copy() {
    let mut r = rig().await;
    // The engine refuses a snooze in its past: use the real clock here.
    r.app.now = kith::domain::Timestamp::now();
    let first = r.app.list.current().cloned().expect("sel");
    let copies = r.press("y").await;
    assert_eq!(copies, vec!["https://example.com/m1".to_string()]);
    assert!(r
        .app
        .note
        .as_ref()
        .is_some_and(|n| n.text.contains("https://example.com/m1")));
    r.press("t").await;
    r.type_text("urgent").await;
    r.press("enter").await;
    assert_eq!(r.get(first.id).await.tags, vec!["urgent".to_string()]);
    r.press("s 2").await; // second preset: 3h
    let stored = r.get(first.id).await;
    assert_eq!(stored.status, Status::Snoozed);
    assert!(stored.snoozed_until.is_some());
    r.press("u").await;
    assert_eq!(r.get(first.id).await.status, Status::New);
    r.press("!").await;
    assert_eq!(r.get(first.id).await.status, Status::Spam);
    r.press("u x").await;
    assert_eq!(r.get(first.id).await.status, Status::Hidden);
}

#[tokio::test]
async fn reply_with_saved_reply_is_stored_in_the_thread() {
    let mut r = rig().await;
    // A reply marks the item done, so watch it from All where it stays in the list.
    r.press("[").await;
    assert_eq!(r.app.view, kith::tui::views::View::All);
    let item = r.app.list.current().cloned().expect("sel");
    r.press("r").await;
    assert!(matches!(
        r.app.popup,
        Some(kith::tui::popups::Popup::Reply(_))
    ));
    r.type_text("Hi! ").await;
    r.press("ctrl-t").await;
    r.type_text("thanks").await;
    r.press("enter").await;
    let draft = match &r.app.popup {
        Some(kith::tui::popups::Popup::Reply(f)) => f.editor.text(),
        _ => panic!("editor closed"),
    };
    assert_eq!(draft, "Hi! Thank you, Anna! We're glad you like it. 💡");
    // Esc keeps the draft; r brings it back.
    r.press("esc").await;
    assert!(r.app.popup.is_none());
    assert!(r.app.drafts.contains_key(&item.id));
    r.press("r").await;
    r.press("ctrl-s").await;
    assert!(r.app.popup.is_none());
    assert!(
        !r.app.drafts.contains_key(&item.id),
        "draft dropped once stored"
    );
    // The demo connector answers shortly; wait for the reply's final state.
    let mut sent = false;
    for _ in 0..100 {
        r.settle().await;
        let ours: Vec<_> = r.app.thread.items.iter().filter(|i| i.is_ours()).collect();
        if ours.len() == 1 && matches!(ours[0].outgoing, Some(Outgoing::Sent { .. })) {
            assert_eq!(ours[0].text, draft);
            sent = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(sent, "thread: {:?}", r.app.thread.items);
    let Response::Thread(t) = r
        .backend
        .call(Request::Thread(item.id))
        .await
        .expect("thread")
    else {
        panic!()
    };
    assert!(t.iter().any(|i| i.is_ours() && i.text == draft));
}

#[tokio::test]
async fn panes_help_and_palette() {
    let mut r = rig().await;
    r.press("tab").await;
    assert_eq!(r.app.focus, Pane::Detail);
    r.press("tab").await;
    assert_eq!(r.app.focus, Pane::Sidebar);
    r.press("j j j j j").await; // moves the view in the sidebar: Inbox -> Mine ... -> New
    assert_eq!(r.app.view, kith::tui::views::View::New);
    r.press("enter").await;
    assert_eq!(r.app.focus, Pane::List);
    r.press("enter").await;
    assert!(r.app.zoom);
    r.press("esc").await;
    assert!(!r.app.zoom);
    r.press("?").await;
    assert!(matches!(
        r.app.popup,
        Some(kith::tui::popups::Popup::Help { .. })
    ));
    r.press("esc").await;
    r.press(":").await;
    r.type_text("mark done").await;
    let id = r.app.list.current().map(|i| i.id).expect("sel");
    r.press("enter").await;
    assert_eq!(r.get(id).await.status, Status::Done);
    r.press("q").await;
    assert!(r.app.quit);
}

#[tokio::test]
async fn paging_window_and_bottom_seek() {
    // 130 items, pages of 50: the window grows as the selection nears its edge.
    let items: Vec<_> = (0..130)
        .map(|i| {
            kith::domain::NewItem::comment(
                kith::domain::Platform::Mastodon,
                "acc",
                &format!("n{i}"),
                "a",
                &format!("item {i}"),
                mins_ago(1000 - i),
            )
        })
        .collect();
    let mut r = rig_with(items).await;
    assert_eq!(r.app.list.rows.len(), 50);
    assert!(r.app.list.more_below);
    assert_eq!(r.selected_text(), "item 129");
    r.press("G").await;
    // Bottom: the oldest page by seeking, not by walking.
    assert_eq!(r.selected_text(), "item 0");
    assert_eq!(r.app.list.rows.len(), 50);
    assert!(r.app.list.more_above);
    assert!(!r.app.list.more_below);
    for _ in 0..60 {
        r.press("k").await;
    }
    assert_eq!(r.selected_text(), "item 60");
    assert!(r.app.list.rows.len() > 50, "pages above were fetched");
    r.press("g g").await;
    assert_eq!(r.selected_text(), "item 129");
    for _ in 0..129 {
        r.press("j").await;
    }
    assert_eq!(r.selected_text(), "item 0");
    let texts = r.rows();
    let mut sorted = texts.clone();
    sorted.dedup();
    assert_eq!(texts.len(), sorted.len(), "no duplicate rows");
}

#[tokio::test]
async fn likes_go_out_and_unavailable_actions_say_why() {
    kith::i18n::init(kith::i18n::Lang::En);
    let mut r = rig().await;
    let first = r.app.list.current().cloned().expect("selected");
    assert_eq!(first.platform, kith::domain::Platform::Mastodon);
    r.press("L").await;
    assert_eq!(note(&r), "Liked.");
    let audit = r
        .backend
        .engine()
        .store()
        .audit(Some(first.id), 10)
        .expect("audit");
    assert!(audit
        .iter()
        .any(|a| a.action == "action" && a.after.as_deref() == Some("like done")));
    r.press("X").await;
    assert!(note(&r).contains("mute the conversation"), "{}", note(&r));
    r.press("G").await;
    let last = r.app.list.current().cloned().expect("selected");
    assert_eq!(last.platform, kith::domain::Platform::Google);
    r.press("L").await;
    assert_eq!(
        note(&r),
        "Owners cannot hide, like or delete a Google review: answer it publicly instead"
    );
}

#[tokio::test]
async fn accounts_panel_lists_every_account() {
    kith::i18n::init(kith::i18n::Lang::En);
    let mut r = rig().await;
    r.press("A").await;
    let Some(kith::tui::popups::Popup::Accounts(panel)) = &r.app.popup else {
        panic!("accounts panel not open")
    };
    assert!(panel.loaded);
    let names: Vec<&str> = panel.rows.iter().map(|a| a.name.as_str()).collect();
    assert!(names.contains(&"lumo.bsky.social"), "{names:?}");
    assert!(panel.rows.iter().all(|a| a.demo && !a.connected));
    r.press("j s").await; // sync does nothing for an account that is not connected
    assert!(matches!(
        r.app.popup,
        Some(kith::tui::popups::Popup::Accounts(_))
    ));
    r.press("esc").await;
    assert!(r.app.popup.is_none());
}

#[tokio::test]
async fn the_reply_limit_is_the_accounts_own() {
    use kith::engine::api::{AccountRuntime, AccountView};
    use kith::tui::msg::{Msg, Tag};
    kith::i18n::init(kith::i18n::Lang::En);
    let mut r = rig().await;
    let item = r.app.list.current().cloned().expect("selected");
    assert_eq!(r.app.text_limit(&item), 500, "Mastodon's default");
    let view = AccountView {
        name: item.account.clone(),
        platform: item.platform,
        connected: true,
        demo: false,
        base_url: None,
        secret_source: None,
        handle: None,
        interval_secs: None,
        items: 1,
        state: Default::default(),
        runtime: AccountRuntime {
            text_limit: Some(20),
            ..Default::default()
        },
        human_agent: false,
    };
    kith::tui::update(
        &mut r.app,
        Msg::Done(Tag::Accounts, Ok(Response::Accounts(vec![view]))),
    );
    assert_eq!(r.app.text_limit(&item), 20, "the instance's limit");
    r.press("r").await;
    r.type_text("This reply is longer than twenty").await;
    r.press("ctrl-s").await;
    assert_eq!(note(&r), "The reply is too long: 32/20.");
    assert!(matches!(
        r.app.popup,
        Some(kith::tui::popups::Popup::Reply(_))
    ));
}

#[tokio::test]
async fn sync_and_test_on_an_account_without_a_connection_say_why() {
    use kith::domain::{NewItem, Platform};
    kith::i18n::init(kith::i18n::Lang::En);
    let mut r = rig().await;
    // Two imported (not demo) accounts: one on a platform kith connects to, one it cannot.
    let imported = vec![
        NewItem::comment(
            Platform::Mastodon,
            "old@mastodon",
            "x1",
            "u",
            "hi",
            mins_ago(1),
        ),
        NewItem::comment(
            Platform::YandexMaps,
            "Яндекс Карты",
            "y1",
            "u",
            "ok",
            mins_ago(1),
        ),
    ];
    r.backend
        .call(Request::Ingest {
            items: imported,
            demo: false,
        })
        .await
        .expect("import");
    r.press("A").await;
    let row_of = |r: &Rig, name: &str| {
        let Some(kith::tui::popups::Popup::Accounts(p)) = &r.app.popup else {
            panic!("accounts panel not open")
        };
        p.rows
            .iter()
            .position(|a| a.name == name)
            .unwrap_or_else(|| panic!("{name} not listed"))
    };
    // To the top, then down to the account's row.
    let go = |r: &Rig, name: &str| format!("{}{}", "k ".repeat(40), "j ".repeat(row_of(r, name)));
    for (name, keys, said) in [
        (
            "lumo.bsky.social",
            "s",
            "lumo.bsky.social is a demo account: nothing to sync — it is the bundled demo data",
        ),
        (
            "lumo.bsky.social",
            "t",
            "lumo.bsky.social is a demo account: no credentials to test — it is the bundled demo data",
        ),
        (
            "old@mastodon",
            "s",
            "old@mastodon holds imported items only: connect it with kith account add to sync and test it",
        ),
        (
            "Яндекс Карты",
            "t",
            "Яндекс Карты holds imported items only: kith cannot connect to Yandex Maps accounts yet",
        ),
    ] {
        let moves = go(&r, name);
        r.press(&moves).await;
        r.press(keys).await;
        assert_eq!(note(&r), said, "{name} {keys}");
        // The panel's own footer says it too (the status line may be under the panel).
        let screen = screen_text(&r.app, 80, 24);
        let start: String = said.chars().take(40).collect();
        assert!(screen.contains(&start), "{screen}");
    }
    assert!(matches!(
        r.app.popup,
        Some(kith::tui::popups::Popup::Accounts(_))
    ));
}

#[tokio::test]
async fn search_looks_through_the_whole_store_not_the_view() {
    kith::i18n::init(kith::i18n::Lang::En);
    let mut r = rig().await;
    assert_eq!(r.app.view, kith::tui::views::View::Inbox);
    // "Already handled" is done: not in the Inbox, found by a search all the same.
    r.press("/").await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(screen.contains("Search everything: "), "{screen}");
    r.type_text("handled").await;
    assert_eq!(r.rows(), vec!["Already handled"]);
    r.press("enter").await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains(" Everywhere · search: handled "),
        "{screen}"
    );
    // From the due view too (it lists by due time otherwise, waiting items only).
    while r.app.view != kith::tui::views::View::Due {
        r.press("]").await;
    }
    assert_eq!(r.app.search, "", "choosing a view ends the search");
    assert!(!r.rows().contains(&"Already handled".to_string()));
    r.press("/").await;
    r.type_text("handled").await;
    assert_eq!(r.rows(), vec!["Already handled"]);
    // The user's own filter still narrows a search.
    r.press("enter").await;
    r.app.user_filter.platform = Some(kith::domain::Platform::Vk);
    let fx = kith::tui::update::reload_list(&mut r.app, None, false);
    kith::tui::headless::settle(&mut r.app, &r.backend, &mut r.events, fx).await;
    assert!(r.rows().is_empty(), "{:?}", r.rows());
    // Esc in the list clears both: the due view again.
    r.press("esc").await;
    assert_eq!(r.app.view, kith::tui::views::View::Due);
    assert_eq!(r.rows().len(), 6);
}

/// `?` (or f1 where text is typed) shows help for the panel that has the keyboard, generated from
/// the keymap, as wide as the terminal allows; closing it goes back to that panel. Footers come
/// from the keymap too and end with the help key when not everything fits.
#[tokio::test]
async fn help_for_every_panel_from_the_keymap_and_back() {
    use kith::config::keymap::Context;
    use kith::tui::popups::Popup;
    let mut r = rig().await;
    for (open, help, ctx, sample) in [
        ("m", "?", Context::Members, "Reward again (confirm)"),
        ("S", "?", Context::Calendar, "Cancel the post"),
        ("c", "f1", Context::Composer, "Thread: split a long text"),
        ("A", "?", Context::Accounts, "Test the credentials"),
        ("f", "?", Context::Filter, "Any (clear the field)"),
    ] {
        r.press(open).await;
        r.press(help).await;
        match &r.app.popup {
            Some(Popup::Help { ctxs, .. }) => {
                assert_eq!(ctxs[0], ctx, "{open}");
                assert_eq!(r.app.behind.len(), 1, "{open}: opened over its panel");
            }
            other => panic!("{open} {help}: {other:?}"),
        }
        let screen = screen_text(&r.app, 160, 45);
        assert!(screen.contains(sample), "{open}:\n{screen}");
        r.press("esc").await;
        assert!(
            r.app.popup.is_some() && !matches!(r.app.popup, Some(Popup::Help { .. })),
            "{open}: back to the panel"
        );
        r.press("esc").await;
        if r.app.popup.is_some() {
            r.press("esc").await;
        }
    }
    // The main screen's help at 160 columns is not cut at 80: every description whole.
    r.press("?").await;
    let screen = screen_text(&r.app, 160, 45);
    assert!(
        screen.contains("Filter by platform, kind, status, rating, language, date"),
        "{screen}"
    );
    assert!(screen.contains("Send a failed reply again"), "{screen}");
    r.press("esc").await;
    // Members at 80 columns: the footer says where the rest is.
    r.app.size = (80, 24);
    r.press("m").await;
    let screen = screen_text(&r.app, 80, 24);
    let footer = screen
        .lines()
        .find(|l| l.contains("? help"))
        .unwrap_or_default()
        .to_string();
    assert!(footer.contains("enter open"), "{screen}");
    assert!(
        footer.trim_end_matches(['│', ' ']).ends_with("? help"),
        "{screen}"
    );
}
