//! The team in the TUI, headless against a real engine: claim and take over, views, live reply
//! presence, a reply refused because someone changed the item (draft kept), and the engine
//! going away and coming back with the screen and drafts intact.

mod tui_common;

use kith::domain::{Change, Status};
use kith::engine::api::{Event, Request, Response};
use kith::engine::{Backend, EngineError};
use kith::tui::popups::Popup;
use kith::tui::views::View;
use kith::tui::Msg;
use tui_common::*;

/// The screen as plain text, one line per row.
fn screen_text(app: &kith::tui::App, w: u16, h: u16) -> String {
    let mut term =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("terminal");
    term.draw(|f| kith::tui::render::draw(f, app))
        .expect("draw");
    let buf = term.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        for x in 0..w {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// The rig's engine acts as "anna" (the app's own operator) and as "bob" (another operator).
async fn as_bob(r: &Rig, req: Request) -> Result<Response, EngineError> {
    r.backend.engine().call_as("bob", req).await
}

#[tokio::test]
async fn claim_asks_before_taking_an_item_from_someone_else() {
    let mut r = rig().await;
    let id = r.app.list.current().expect("selected").id;
    as_bob(&r, Request::Claim { id, force: false })
        .await
        .expect("bob claims");
    r.settle().await;
    assert_eq!(
        r.app.list.current().and_then(|i| i.assignee.clone()),
        Some("bob".into()),
        "the row shows bob's claim at once"
    );
    r.press("a").await;
    match &r.app.popup {
        Some(Popup::Takeover { id: pid, by }) => {
            assert_eq!((*pid, by.as_str()), (id, "bob"));
        }
        other => panic!("expected the takeover question, got {other:?}"),
    }
    // No: nothing changes.
    r.press("n").await;
    assert!(r.app.popup.is_none());
    assert_eq!(r.get(id).await.assignee.as_deref(), Some("bob"));
    // Yes: it is ours (anna's).
    r.press("a y").await;
    assert_eq!(r.get(id).await.assignee.as_deref(), Some("anna"));
    // Release.
    r.press("U").await;
    assert_eq!(r.get(id).await.assignee, None);
}

#[tokio::test]
async fn team_views_count_and_filter_by_assignee() {
    let mut r = rig().await;
    let rows: Vec<_> = r.app.list.rows.iter().map(|i| i.id).collect();
    as_bob(
        &r,
        Request::Claim {
            id: rows[0],
            force: false,
        },
    )
    .await
    .expect("claim");
    r.backend
        .call(Request::Update {
            id: rows[1],
            change: Change::Assign(Some("anna".into())),
            if_version: None,
        })
        .await
        .expect("assign");
    r.settle().await;
    // The app's operator is "anna".
    let count = |r: &Rig, v: &View| v.count(&r.app.overview);
    assert_eq!(count(&r, &View::Mine("anna".into())), 1);
    assert_eq!(count(&r, &View::Others("anna".into())), 1);
    assert_eq!(count(&r, &View::Unassigned), rows.len() as u64 - 2);
    // Mine is the third view: [ goes to Inbox, ] twice from there.
    r.press("]").await;
    assert_eq!(r.app.view, View::Mine("anna".into()));
    assert_eq!(r.app.list.rows.len(), 1);
    assert_eq!(r.app.list.rows[0].id, rows[1]);
    r.press("] ]").await;
    assert_eq!(r.app.view, View::Others("anna".into()));
    assert_eq!(
        r.app.list.rows.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![rows[0]]
    );
}

#[tokio::test]
async fn another_operator_replying_shows_live() {
    let mut r = rig().await;
    let id = r.app.list.current().expect("selected").id;
    as_bob(&r, Request::Drafting { id, active: true })
        .await
        .expect("drafting");
    r.settle().await;
    assert_eq!(
        kith::tui::team::others_drafting(&r.app, id),
        vec!["bob".to_string()]
    );
    let screen = screen_text(&r.app, 120, 36);
    assert!(screen.contains("✎ bob replying"), "{screen}");
    // Our own reply popup warns too, and announces our draft to the others.
    r.press("r").await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains("bob is replying to this right now"),
        "{screen}"
    );
    let Response::Presence(p) = r.backend.call(Request::Presence).await.expect("p") else {
        panic!("presence")
    };
    assert_eq!(p.drafting, vec![(id, vec!["anna".into(), "bob".into()])]);
    r.press("esc").await;
    as_bob(&r, Request::Drafting { id, active: false })
        .await
        .expect("closed");
    r.settle().await;
    assert!(kith::tui::team::others_drafting(&r.app, id).is_empty());
    let Response::Presence(p) = r.backend.call(Request::Presence).await.expect("p") else {
        panic!("presence")
    };
    assert!(p.drafting.is_empty(), "{p:?}");
}

#[tokio::test]
async fn a_reply_to_an_item_someone_changed_is_refused_and_the_draft_kept() {
    let mut r = rig().await;
    let id = r.app.list.current().expect("selected").id;
    r.press("r").await;
    r.type_text("Спасибо! 谢谢").await;
    // Meanwhile bob closes the item.
    as_bob(
        &r,
        Request::Update {
            id,
            change: Change::status(Status::Done),
            if_version: None,
        },
    )
    .await
    .expect("bob done");
    // Our popup still holds the version we started from; sending is refused.
    r.press("ctrl-s").await;
    let note = r.app.note.clone().expect("a message").text;
    assert!(note.contains("now done"), "{note}");
    assert!(note.contains("last change by bob"), "{note}");
    assert_eq!(
        r.app.drafts.get(&id).map(|e| e.text()),
        Some("Спасибо! 谢谢".to_string()),
        "the draft is kept"
    );
    let Response::Thread(t) = r.backend.call(Request::Thread(id)).await.expect("t") else {
        panic!("thread")
    };
    assert!(t.iter().all(|i| !i.is_ours()), "nothing was sent");
}

#[tokio::test]
async fn losing_the_engine_keeps_the_screen_and_drafts() {
    let mut r = rig().await;
    let id = r.app.list.current().expect("selected").id;
    r.press("r").await;
    r.type_text("draft").await;
    r.press("esc").await;
    let rows = r.rows();
    let _ = kith::tui::update(&mut r.app, Msg::Engine(Event::Connection(false)));
    assert!(r.app.engine_lost);
    assert_eq!(r.rows(), rows, "the list stays");
    let screen = screen_text(&r.app, 120, 36);
    assert!(screen.contains("engine gone, reconnecting"), "{screen}");
    // Back: a full reload, the flag cleared, the draft still there.
    let fx = kith::tui::update(&mut r.app, Msg::Engine(Event::Connection(true)));
    assert!(fx
        .iter()
        .any(|e| matches!(e, kith::tui::Effect::Call(_, Request::List(_)))));
    kith::tui::headless::settle(&mut r.app, &r.backend, &mut r.events, fx).await;
    assert!(!r.app.engine_lost);
    assert_eq!(
        r.app.drafts.get(&id).map(|e| e.text()),
        Some("draft".into())
    );
}
