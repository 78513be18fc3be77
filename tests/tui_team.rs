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

#[tokio::test]
async fn a_note_typed_in_the_tui_is_stored_and_shown_under_the_item() {
    let mut r = rig().await;
    let id = r.app.list.current().expect("selected").id;
    r.press("n").await;
    r.type_text("перезвонить 📞 明天").await;
    r.press("enter").await;
    let Response::Notes(notes) = r.backend.call(Request::Notes(id)).await.expect("notes") else {
        panic!("notes")
    };
    assert_eq!(notes.len(), 1);
    assert_eq!(
        (notes[0].operator.as_str(), notes[0].text.as_str()),
        ("anna", "перезвонить 📞 明天")
    );
    r.settle().await;
    assert_eq!(r.app.thread.notes, notes, "the shown item's notes reload");
    let screen = screen_text(&r.app, 120, 36);
    assert!(screen.contains("✎ anna"), "{screen}");
    assert!(screen.contains("перезвонить 📞 明天"), "{screen}");
    // Another operator's note appears too, through the engine's event.
    as_bob(
        &r,
        Request::AddNote {
            id,
            text: "done by phone".into(),
        },
    )
    .await
    .expect("bob's note");
    r.settle().await;
    assert_eq!(r.app.thread.notes.len(), 2);
    assert_eq!(r.get(id).await.version, 1, "notes change no version");
}

#[tokio::test]
async fn handoff_and_response_clocks() {
    let mut r = rig().await;
    r.press("H").await;
    let Some(Popup::Handoff(h)) = &r.app.popup else {
        panic!("handoff popup: {:?}", r.app.popup)
    };
    assert_eq!(h.open, 6);
    assert_eq!(h.unassigned, 6);
    let screen = screen_text(&r.app, 120, 36);
    assert!(screen.contains("Shift handoff"), "{screen}");
    assert!(screen.contains("Waiting for an answer: 6"), "{screen}");
    r.press("esc").await;
    assert!(r.app.popup.is_none());
    // The detail pane tells how long the selected item has waited against its target.
    let item = r.app.list.current().cloned().expect("selected");
    let (_, level) = r.app.targets.clock(&item, r.app.now).expect("waiting");
    let screen = screen_text(&r.app, 120, 36);
    assert!(screen.contains("waited 5m of 4h target"), "{screen}");
    assert_eq!(level, kith::domain::clock::Level::Ok);
    // The due view lists waiting items, most overdue first (a 2-day-old review before all).
    while r.app.view != View::Due {
        r.press("]").await;
    }
    let targets = r.app.targets;
    let dues: Vec<_> = r.app.list.rows.iter().map(|i| targets.due_at(i)).collect();
    let mut sorted = dues.clone();
    sorted.sort();
    assert_eq!(dues, sorted);
    assert_eq!(r.app.list.rows.len(), 6);
    assert_eq!(r.app.list.rows[0].text, "Too expensive for what it is.");
}

/// A second TUI on the rig's engine, as `op`.
struct Second {
    backend: AsOperator,
    events: tokio::sync::broadcast::Receiver<Event>,
    app: kith::tui::App,
}

impl Second {
    async fn new(r: &Rig, op: &'static str) -> Second {
        let backend = AsOperator {
            engine: std::sync::Arc::clone(r.backend.engine()),
            op,
        };
        let mut events = backend.subscribe();
        let mut cfg = config();
        cfg.operator = op.into();
        let mut app = kith::tui::App::new(cfg, NOW);
        let fx = kith::tui::start(&mut app);
        kith::tui::headless::settle(&mut app, &backend, &mut events, fx).await;
        Second {
            backend,
            events,
            app,
        }
    }

    async fn press(&mut self, keys: &str) {
        kith::tui::headless::press(&mut self.app, &self.backend, &mut self.events, keys).await;
    }

    async fn type_text(&mut self, text: &str) {
        kith::tui::headless::type_text(&mut self.app, &self.backend, &mut self.events, text).await;
    }

    async fn settle(&mut self) {
        kith::tui::headless::settle(&mut self.app, &self.backend, &mut self.events, Vec::new())
            .await;
    }
}

fn note_of(app: &kith::tui::App) -> String {
    app.note
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn only_the_operator_who_replied_hears_reply_sent() {
    kith::i18n::init(kith::i18n::Lang::En);
    let mut anna = rig().await;
    let mut boris = Second::new(&anna, "boris").await;
    // Boris answers Дмитрий's VK comment (the second row) from his own TUI.
    boris.press("j").await;
    let id = boris.app.list.current().expect("selected").id;
    boris.press("r").await;
    boris.type_text("Обновите прошивку до 2.4.1").await;
    boris.press("ctrl-s").await;
    // The demo connector answers shortly: wait until the reply is out.
    let mut sent = false;
    for _ in 0..100 {
        boris.settle().await;
        anna.settle().await;
        if note_of(&boris.app) == "Reply sent." {
            sent = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(sent, "boris hears: {:?}", note_of(&boris.app));
    anna.settle().await;
    assert_eq!(note_of(&anna.app), "boris replied to Дмитрий");
    let Response::Thread(t) = anna.backend.call(Request::Thread(id)).await.expect("t") else {
        panic!("thread")
    };
    let reply = t.iter().find(|i| i.is_ours()).expect("the reply");
    assert_eq!(reply.operator.as_deref(), Some("boris"));
    // Anna's own reply: she hears "Reply sent.", and boris hears that anna replied.
    anna.press("g g r").await;
    anna.type_text("Thank you!").await;
    anna.press("ctrl-s").await;
    let mut sent = false;
    for _ in 0..100 {
        anna.settle().await;
        boris.settle().await;
        if note_of(&anna.app) == "Reply sent." {
            sent = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(sent, "anna hears: {:?}", note_of(&anna.app));
    boris.settle().await;
    assert_eq!(note_of(&boris.app), "anna replied to Anna");
}

#[tokio::test]
async fn assign_offers_the_team_and_asks_about_a_stranger() {
    kith::i18n::init(kith::i18n::Lang::En);
    let mut r = rig().await;
    r.backend.engine().set_team(kith::config::TeamConfig {
        operators: vec!["boris".into(), "chen".into()],
        ..Default::default()
    });
    // bob is in no roster, but the audit log has seen him.
    let rows: Vec<_> = r.app.list.rows.iter().map(|i| i.id).collect();
    as_bob(
        &r,
        Request::Claim {
            id: rows[3],
            force: false,
        },
    )
    .await
    .expect("bob claims");
    let Response::Operators(names) = r.backend.call(Request::Operators).await.expect("ops") else {
        panic!("operators")
    };
    assert_eq!(names, ["anna", "bob", "boris", "chen"]);
    let id = r.app.list.current().expect("selected").id;
    r.press("@").await;
    assert_eq!(r.app.operators, names);
    r.type_text("bo").await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains("Assign to: bo   Tab: bob · boris"),
        "{screen}"
    );
    // Tab takes the matches in turn.
    r.press("tab").await;
    assert_eq!(prompt_text(&r), "bob");
    r.press("tab").await;
    assert_eq!(prompt_text(&r), "boris");
    r.press("tab").await;
    assert_eq!(prompt_text(&r), "bob");
    r.press("tab enter").await;
    assert!(r.app.popup.is_none());
    assert_eq!(r.get(id).await.assignee.as_deref(), Some("boris"));
    // Any case of a known name is that name.
    r.press("@").await;
    r.type_text("Chen").await;
    r.press("enter").await;
    assert_eq!(r.get(id).await.assignee.as_deref(), Some("chen"));
    // A name nobody knows: asked first; n goes back to the name, y assigns.
    r.press("@").await;
    r.type_text("nobody-here").await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains("nobody-here   not on the team (Enter asks first)"),
        "{screen}"
    );
    r.press("enter").await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains("nobody-here is not on the team. Assign anyway?"),
        "{screen}"
    );
    assert!(
        screen.contains("y, enter: assign · n, esc: change the name"),
        "{screen}"
    );
    r.press("n").await;
    assert!(r.app.popup.is_none());
    assert_eq!(prompt_text(&r), "nobody-here");
    assert_eq!(r.get(id).await.assignee.as_deref(), Some("chen"));
    r.press("enter y").await;
    assert_eq!(r.get(id).await.assignee.as_deref(), Some("nobody-here"));
}

fn prompt_text(r: &Rig) -> String {
    match &r.app.prompt {
        Some((kith::tui::app::Prompt::Assign, input)) => input.text.clone(),
        other => panic!("expected the assign prompt, got {other:?}"),
    }
}
