//! Selection and bulk actions in the headless app, a real engine behind it: Space/v toggle, V a
//! range, * everything in view (rows not loaded too), `;` then an action key, the question over
//! 50 items, the line that ends a bulk, `u` taking it back, drafts, the status bar.

mod tui_common;

use kith::domain::{Change, NewItem, Platform, Status};
use kith::engine::api::{Event, Request, Response};
use kith::engine::Backend;
use kith::tui::popups::Popup;
use tui_common::*;

/// The status bar (first line under the panes) as text.
fn status_bar(r: &Rig) -> String {
    let s = screen_text(&r.app, 120, 30);
    s.lines().nth(28).unwrap_or_default().to_string()
}

#[tokio::test]
async fn space_and_v_toggle_rows_marked_in_the_list_and_counted_in_the_status_bar() {
    let mut r = rig().await;
    let ids: Vec<_> = r.app.list.rows.iter().map(|i| i.id).collect();
    r.press("space").await;
    assert_eq!(r.app.list.selected, 1, "the cursor moves on");
    r.press("v").await;
    assert_eq!(
        r.app
            .selection
            .items
            .iter()
            .map(|x| x.0)
            .collect::<Vec<_>>(),
        vec![ids[0], ids[1]]
    );
    assert!(
        status_bar(&r).contains("Inbox · 2 selected"),
        "{}",
        status_bar(&r)
    );
    let screen = screen_text(&r.app, 120, 30);
    let marked: Vec<&str> = screen.lines().filter(|l| l.contains("│*")).collect();
    assert_eq!(marked.len(), 2, "{screen}");
    // Toggling a picked row drops it.
    r.press("k v").await;
    assert_eq!(r.app.selection.items.len(), 1);
    assert!(status_bar(&r).contains("1 selected"));
    // Esc clears the selection (and only that).
    r.press("esc").await;
    assert!(r.app.selection.is_empty());
    assert_eq!(note(&r), "Selection cleared.");
    assert!(!status_bar(&r).contains("selected"));
}

#[tokio::test]
async fn v_range_from_the_last_toggled_row_to_the_cursor() {
    let mut r = rig().await;
    let ids: Vec<_> = r.app.list.rows.iter().map(|i| i.id).collect();
    r.press("j space").await; // picks row 1, cursor on 2
    r.press("j j V").await; // cursor on 4
    let mut got: Vec<_> = r.app.selection.items.iter().map(|x| x.0).collect();
    got.sort();
    let mut want = ids[1..=4].to_vec();
    want.sort();
    assert_eq!(got, want);
}

#[tokio::test]
async fn semicolon_then_done_changes_every_picked_item_and_u_undoes_the_bulk() {
    let mut r = rig().await;
    let picked: Vec<_> = r.app.list.rows[..3].to_vec();
    r.press("space space space").await;
    r.press(";").await;
    assert!(r.app.selection.armed);
    assert!(
        note(&r).starts_with("3 selected: press the action key"),
        "{}",
        note(&r)
    );
    r.press("d").await;
    assert_eq!(note(&r), "done 3");
    assert!(r.app.selection.is_empty() && !r.app.selection.armed);
    for i in &picked {
        assert_eq!(r.get(i.id).await.status, Status::Done);
        assert!(
            !r.app.list.rows.iter().any(|x| x.id == i.id),
            "left the inbox"
        );
    }
    assert_eq!(r.app.undo.len(), 1);
    r.press("u").await;
    assert_eq!(note(&r), "undone 3");
    for i in &picked {
        let now = r.get(i.id).await;
        assert_eq!((now.status, now.version), (Status::New, i.version + 2));
    }
    assert_eq!(r.app.list.rows.len(), 6, "back in the inbox");
    assert!(r.app.undo.is_empty());
}

#[tokio::test]
async fn items_another_operator_changed_are_skipped_and_named_in_the_last_line() {
    let mut r = rig().await;
    let picked: Vec<_> = r.app.list.rows[..3].to_vec();
    r.press("space space space").await;
    // bob, on another front end, tags one of them after anna picked it.
    r.backend
        .engine()
        .call_as(
            "bob",
            Request::Update {
                id: picked[1].id,
                change: Change::AddTag("vip".into()),
                if_version: None,
            },
        )
        .await
        .expect("bob");
    r.settle().await;
    r.press("; !").await;
    assert_eq!(note(&r), "marked spam 2, skipped 1 (changed by bob)");
    assert_eq!(r.get(picked[1].id).await.status, Status::New);
    assert_eq!(r.get(picked[0].id).await.status, Status::Spam);
}

#[tokio::test]
async fn star_selects_everything_in_view_even_rows_not_loaded_and_over_50_asks_first() {
    let items: Vec<NewItem> = (0..80)
        .map(|i| {
            NewItem::comment(
                Platform::Vk,
                "vk.com/lumo",
                &format!("v{i}"),
                &format!("u{i}"),
                &format!("где заказ {i}?"),
                mins_ago(i + 1),
            )
        })
        .collect();
    let mut r = rig_with(items).await;
    assert!(r.app.list.rows.len() < 80, "not every row is loaded");
    r.press("*").await;
    assert!(
        status_bar(&r).contains("all 80 in view"),
        "{}",
        status_bar(&r)
    );
    let screen = screen_text(&r.app, 120, 30);
    assert!(screen.lines().filter(|l| l.contains("│*")).count() > 10);
    r.press("; e").await;
    let Some(Popup::ConfirmBulk(p)) = &r.app.popup else {
        panic!("no question: {:?}", r.app.popup.is_some())
    };
    assert_eq!(p.count, Some(80));
    let screen = screen_text(&r.app, 120, 30);
    assert!(screen.contains("done: 80 items. Go ahead?"), "{screen}");
    r.press("n").await;
    assert_eq!(note(&r), "Nothing changed.");
    assert!(r.app.popup.is_none());
    assert_eq!(r.app.overview.status(Status::Done), 0);
    // The selection stays for another try.
    r.press("; e y").await;
    assert_eq!(note(&r), "done 80");
    assert_eq!(r.app.overview.status(Status::Done), 80);
    r.press("u").await;
    assert_eq!(note(&r), "undone 80");
    assert_eq!(r.app.overview.status(Status::New), 80);
}

#[tokio::test]
async fn up_to_50_items_go_without_a_question() {
    let mut r = rig().await;
    r.press("*").await;
    assert!(
        status_bar(&r).contains("all 6 in view"),
        "{}",
        status_bar(&r)
    );
    r.press("; x").await;
    assert!(r.app.popup.is_none());
    assert_eq!(note(&r), "hidden 6");
    assert_eq!(r.app.overview.status(Status::Hidden), 6);
}

#[tokio::test]
async fn tag_assign_and_claim_follow_semicolon_with_their_own_prompts() {
    let mut r = rig().await;
    let picked: Vec<_> = r.app.list.rows[..2].to_vec();
    r.press("space space ; t").await;
    assert!(r.app.prompt.is_some() && r.app.selection.armed);
    r.type_text("delivery").await;
    r.press("enter").await;
    assert_eq!(note(&r), "tagged 2");
    for i in &picked {
        assert_eq!(r.get(i.id).await.tags, vec!["delivery".to_string()]);
    }
    // Untag with -word, as for one item.
    r.press("g g space space ; t").await;
    r.type_text("-delivery").await;
    r.press("enter").await;
    assert_eq!(note(&r), "untagged 2");
    r.press("g g space space ; @").await;
    r.type_text("anna").await;
    r.press("enter").await;
    assert_eq!(note(&r), "assigned 2");
    assert_eq!(r.get(picked[0].id).await.assignee.as_deref(), Some("anna"));
    r.press("g g space space ; a").await;
    assert_eq!(note(&r), "claimed 0, 2 already so");
}

#[tokio::test]
async fn a_key_that_does_not_act_on_a_selection_keeps_it_and_esc_after_semicolon_only_disarms() {
    let mut r = rig().await;
    r.press("space ; j").await;
    assert_eq!(
        note(&r),
        "That key does not act on a selection; the selection stays."
    );
    assert_eq!(r.app.list.selected, 1, "j did not move");
    assert_eq!(r.app.selection.items.len(), 1);
    r.press("; esc").await;
    assert!(!r.app.selection.armed);
    assert_eq!(r.app.selection.items.len(), 1);
    assert_eq!(note(&r), "Cancelled; the selection stays.");
    // `;` with nothing picked says how to pick.
    r.press("esc ;").await;
    assert!(!r.app.selection.armed);
    assert!(note(&r).starts_with("Nothing selected"), "{}", note(&r));
}

#[tokio::test]
async fn a_saved_reply_becomes_a_draft_on_every_picked_item_and_fills_the_editor() {
    let mut r = rig().await;
    let picked: Vec<_> = r.app.list.rows[..2].to_vec();
    r.press("space space ; r").await;
    assert!(matches!(r.app.popup, Some(Popup::BulkDraft(_))));
    r.type_text("Delivery").await;
    r.press("enter").await;
    assert_eq!(note(&r), "drafts written 2");
    let template = r
        .app
        .cfg
        .replies
        .iter()
        .find(|x| x.name == "Delivery times")
        .expect("reply")
        .text
        .clone();
    for i in &picked {
        let Response::Draft(Some(d)) = r.backend.call(Request::Draft(i.id)).await.expect("d")
        else {
            panic!("no draft")
        };
        assert_eq!(d.text, kith::config::replies::expand(&template, i, "anna"));
        assert_eq!(r.get(i.id).await.status, Status::New, "not sent");
    }
    // Opening the reply on one of them shows its draft.
    r.press("g g r").await;
    let Some(Popup::Reply(form)) = &r.app.popup else {
        panic!("no editor")
    };
    assert_eq!(
        form.editor.text(),
        kith::config::replies::expand(&template, &picked[0], "anna")
    );
}

#[tokio::test]
async fn semicolon_r_upper_sends_the_prepared_drafts_after_asking() {
    let mut r = rig().await;
    let picked: Vec<_> = r.app.list.rows[..2].to_vec();
    r.press("space space ; r").await;
    r.type_text("Delivery").await;
    r.press("enter").await;
    assert_eq!(note(&r), "drafts written 2");
    // The same two, picked again: sending always asks, even for two.
    r.press("g g space space ; R").await;
    assert!(matches!(r.app.popup, Some(Popup::ConfirmBulk(_))));
    let screen = screen_text(&r.app, 120, 30);
    assert!(screen.contains("┌ Send replies"), "{screen}");
    assert!(
        screen.contains("Send the prepared drafts of 2 items as replies? Sent"),
        "{screen}"
    );
    assert!(screen.contains("replies cannot be taken back."), "{screen}");
    for i in &picked {
        assert_eq!(r.get(i.id).await.status, Status::New, "not sent before yes");
    }
    r.press("y").await;
    assert_eq!(note(&r), "replies sent 2");
    for i in &picked {
        let Response::Draft(d) = r.backend.call(Request::Draft(i.id)).await.expect("d") else {
            panic!("draft")
        };
        assert_eq!(d, None, "used up by the reply");
        assert_eq!(r.get(i.id).await.status, Status::Done);
    }
}

#[tokio::test]
async fn progress_of_a_running_bulk_shows_in_the_status_line() {
    let mut r = rig().await;
    r.app.selection.running = Some("done".into());
    let fx = kith::tui::update(
        &mut r.app,
        kith::tui::Msg::Engine(Event::BulkProgress {
            bulk: kith::domain::bulk::BulkId(1),
            operator: "anna".into(),
            done: 1200,
            total: 3000,
            changed: 1199,
            skipped: 1,
        }),
    );
    assert!(fx.is_empty());
    assert_eq!(note(&r), "done: 1,200 of 3,000…, 1 skipped");
    // Another operator's bulk says nothing here.
    r.app.note = None;
    kith::tui::update(
        &mut r.app,
        kith::tui::Msg::Engine(Event::BulkProgress {
            bulk: kith::domain::bulk::BulkId(2),
            operator: "bob".into(),
            done: 1,
            total: 2,
            changed: 1,
            skipped: 0,
        }),
    );
    assert_eq!(note(&r), "");
}

#[tokio::test]
async fn the_operators_own_change_after_picking_does_not_make_the_bulk_skip_the_item() {
    let mut r = rig().await;
    let picked: Vec<_> = r.app.list.rows[..2].to_vec();
    r.press("space space g g t").await;
    r.type_text("vip").await;
    r.press("enter").await;
    assert_eq!(r.get(picked[0].id).await.tags, vec!["vip".to_string()]);
    r.press("; !").await;
    assert_eq!(note(&r), "marked spam 2");
    assert_eq!(r.get(picked[0].id).await.status, Status::Spam);
}
