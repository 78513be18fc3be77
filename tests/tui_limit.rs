//! Patterns in the TUI: `l` limits the list (shown in the status bar, cleared by an empty
//! pattern or Esc), a bad pattern keeps the prompt open with a caret under the mistake, and `/`
//! takes patterns as well as words.

mod tui_common;

use tui_common::*;

#[tokio::test]
async fn limit_narrows_the_list_and_shows_in_the_status_bar() {
    let mut r = rig().await;
    assert_eq!(r.rows().len(), 6);
    r.press("l").await;
    r.type_text("~p vk|telegram").await;
    assert_eq!(r.rows().len(), 6, "nothing changes before Enter");
    r.press("enter").await;
    assert!(r.app.prompt.is_none());
    assert_eq!(
        r.rows(),
        vec![
            "Лампа мерцает на минимальной яркости, что делать?",
            "コンピュータ ｶﾞｷﾞｸﾞ works now"
        ]
    );
    let screen = screen_text(&r.app, 120, 36);
    assert!(screen.contains(" · limit: ~p vk|telegram "), "{screen}");
    // The limit stays when the view changes, like the filter.
    r.press("]").await;
    assert!(r.rows().iter().all(|t| !t.contains("lovely")));
    r.press("[").await;
    // An empty pattern clears it.
    r.press("l ctrl-u enter").await;
    assert_eq!(r.app.limit, "");
    assert_eq!(r.rows().len(), 6);
    // So does Esc in the list.
    r.press("l").await;
    r.type_text("~k review").await;
    r.press("enter").await;
    assert_eq!(r.rows(), vec!["Too expensive for what it is."]);
    r.press("esc").await;
    assert_eq!(r.app.limit, "");
    assert_eq!(r.rows().len(), 6);
}

#[tokio::test]
async fn a_bad_limit_keeps_the_prompt_open_with_a_caret_under_the_mistake() {
    let mut r = rig().await;
    r.press("l").await;
    r.type_text("ламп* ~p vkk").await;
    r.press("enter").await;
    assert!(r.app.prompt.is_some(), "the prompt stays open");
    assert_eq!(r.app.pattern_error.as_ref().map(|e| e.at), Some(9));
    assert_eq!(r.app.limit, "");
    assert_eq!(r.rows().len(), 6);
    let screen = screen_text(&r.app, 120, 36);
    let lines: Vec<&str> = screen.lines().collect();
    assert!(lines[34].starts_with("Limit: ламп* ~p vkk"), "{screen}");
    assert!(
        lines[35].starts_with(&format!(
            "{}^ unknown platform \"vkk\" at 10: one of",
            " ".repeat(16)
        )),
        "{screen}"
    );
    // Fixing it clears the message; Enter applies.
    r.press("backspace").await;
    assert!(r.app.pattern_error.is_none());
    r.press("enter").await;
    assert_eq!(
        r.rows(),
        vec!["Лампа мерцает на минимальной яркости, что делать?"]
    );
    // Esc in the prompt leaves the limit as it was.
    r.press("l").await;
    r.type_text(" ~x").await;
    r.press("esc").await;
    assert_eq!(r.app.limit, "ламп* ~p vk");
    assert!(r.app.pattern_error.is_none());
}

#[tokio::test]
async fn search_takes_patterns_and_plain_words() {
    let mut r = rig().await;
    r.press("/").await;
    r.type_text("~s done").await;
    assert_eq!(
        r.rows(),
        vec!["Already handled"],
        "a search looks everywhere"
    );
    r.press("ctrl-u").await;
    r.type_text("~p telegram | ламп*").await;
    assert_eq!(r.rows().len(), 2);
    // Half typed: the list stays, the prompt says what is missing.
    r.type_text(" ~p").await;
    assert_eq!(r.rows().len(), 2);
    assert_eq!(
        r.app.pattern_error.as_ref().map(|e| e.phrase.key.as_str()),
        Some("pattern.err.missing_value")
    );
    r.press("enter").await;
    assert!(
        r.app.prompt.is_some(),
        "Enter does not take a broken pattern"
    );
    r.press("esc").await;
    // Plain words as before, with a limit on top.
    r.press("l").await;
    r.type_text("~p vk").await;
    r.press("enter /").await;
    r.type_text("ламп").await;
    assert_eq!(r.rows().len(), 1);
    r.press("ctrl-u").await;
    r.type_text("works").await;
    assert_eq!(r.rows().len(), 0, "the telegram item is outside the limit");
}

#[tokio::test]
async fn an_item_that_stops_matching_the_limit_leaves_the_list() {
    let mut r = rig().await;
    r.press("l").await;
    r.type_text("~s new ~p vk|telegram|mastodon").await;
    r.press("enter").await;
    assert_eq!(r.rows().len(), 3);
    // Reopened, the item is still in the Inbox view, but no longer in the limit.
    let first = r.app.list.current().cloned().expect("selected");
    r.press("o").await;
    assert_eq!(r.get(first.id).await.status, kith::domain::Status::Open);
    assert_eq!(r.rows().len(), 2, "{:?}", r.rows());
    assert!(!r.app.list.rows.iter().any(|i| i.id == first.id));
}
