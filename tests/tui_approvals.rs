//! Approvals in the TUI, headless against a real engine: the approver's count in the status bar,
//! the marks in the calendar, `a` approving and `b` sending back with a comment (in the week and
//! in the `w` list, posts and replies), and the author reading the comment in the calendar and
//! in the composer, then asking again.

mod tui_common;

use futures::future::BoxFuture;
use kith::domain::approval::Verdict;
use kith::domain::post::{NewPost, NewTarget, Post, PostId, Summary, TargetState};
use kith::domain::settings::TeamSettings;
use kith::domain::{Outgoing, Timestamp};
use kith::engine::api::{Event, Request, Response};
use kith::engine::{Backend, Engine, EngineError, InProcess};
use kith::store::Store;
use kith::tui::headless::settle;
use kith::tui::popups::Popup;
use kith::tui::{App, AppConfig};
use std::sync::Arc;
use tokio::sync::broadcast;
use tui_common::{config, sample_items, screen_text, NOW};

const ACCOUNT: &str = "lumo@mastodon.social";
const DAY: i64 = 86_400_000;

struct Fixed(Timestamp);
impl kith::engine::outbox::WallClock for Fixed {
    fn now(&self) -> Timestamp {
        self.0
    }
}

/// The engine as one operator sees it (what `kith --as NAME` gets over the socket).
#[derive(Clone)]
struct As {
    engine: Arc<Engine>,
    op: &'static str,
}

impl Backend for As {
    fn call(&self, req: Request) -> BoxFuture<'static, Result<Response, EngineError>> {
        let (engine, op) = (Arc::clone(&self.engine), self.op);
        Box::pin(async move { engine.call_as(op, req).await })
    }
    fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.engine.subscribe()
    }
}

/// One operator's TUI on the shared engine.
struct Seat {
    backend: As,
    events: broadcast::Receiver<Event>,
    app: App,
}

impl Seat {
    async fn open(engine: &Arc<Engine>, op: &'static str) -> Seat {
        let backend = As {
            engine: Arc::clone(engine),
            op,
        };
        let mut events = backend.subscribe();
        let mut app = App::new(
            AppConfig {
                operator: op.into(),
                ..config()
            },
            NOW,
        );
        let fx = kith::tui::start(&mut app);
        settle(&mut app, &backend, &mut events, fx).await;
        Seat {
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
        settle(&mut self.app, &self.backend, &mut self.events, Vec::new()).await;
    }

    fn screen(&self) -> String {
        screen_text(&self.app, 120, 36)
    }

    fn calendar(&self) -> &kith::tui::calendar::CalendarPanel {
        match &self.app.popup {
            Some(Popup::Calendar(p)) => p,
            other => panic!("expected the calendar, got {other:?}"),
        }
    }
}

async fn engine() -> (tempfile::TempDir, Arc<Engine>) {
    kith::i18n::init(kith::i18n::Lang::En);
    let dir = tempfile::tempdir().expect("tmp");
    let engine = Engine::new(Store::open(dir.path()).expect("store"), "anna");
    engine.set_clock(Arc::new(Fixed(NOW)));
    engine.set_team(TeamSettings {
        needs_approval: vec!["intern".into()],
        approvers: vec!["anna".into()],
        approve_replies: true,
        ..Default::default()
    });
    InProcess::new(Arc::clone(&engine))
        .call(Request::Ingest {
            items: sample_items(),
            demo: true,
        })
        .await
        .expect("ingest");
    (dir, engine)
}

/// The intern writes a post for `due` (on Sunday 03-15, in the week the calendar opens on).
async fn intern_post(engine: &Arc<Engine>, text: &str, due: Timestamp) -> Post {
    let post = NewPost {
        text: text.into(),
        targets: vec![NewTarget {
            account: ACCOUNT.into(),
            ..Default::default()
        }],
        due_at: Some(due),
        media: Vec::new(),
    };
    match engine
        .call_as("intern", Request::PostCreate { post, queue: false })
        .await
    {
        Ok(Response::Post(p)) => *p,
        other => panic!("{other:?}"),
    }
}

fn post(engine: &Arc<Engine>, id: PostId) -> Post {
    engine.store().post(id).expect("read").expect("post")
}

#[tokio::test]
async fn an_approver_approves_and_sends_back_in_the_calendar() {
    let (_dir, engine) = engine().await;
    let first = intern_post(&engine, "Весенняя коллекция 🌷", Timestamp(NOW.0 + DAY)).await;
    let mut anna = Seat::open(&engine, "anna").await;
    assert!(anna.app.approver);
    assert_eq!(anna.app.awaiting, 1);
    assert!(
        anna.screen().contains("1 awaiting approval"),
        "{}",
        anna.screen()
    );

    // The week: Sunday holds the waiting post, marked `?`, its detail says who asked.
    anna.press("S right").await;
    assert_eq!(
        anna.calendar().current(&anna.app.cfg.zone).map(|p| p.id),
        Some(first.id)
    );
    let screen = anna.screen();
    assert!(screen.contains("12:00 ? lumo@"), "{screen}");
    assert!(
        screen.contains("awaiting approval (asked by intern)"),
        "{screen}"
    );
    anna.press("a").await;
    assert_eq!(post(&engine, first.id).summary(), Summary::Scheduled);
    assert_eq!(anna.app.awaiting, 0);
    assert!(anna.screen().contains("p1 approved"), "{}", anna.screen());
    assert!(anna.screen().contains("12:00 ◷ lumo@"), "{}", anna.screen());

    // A second one arrives while the calendar is open: the count follows.
    let second = intern_post(
        &engine,
        "Скидка −90%!!!",
        Timestamp(NOW.0 + DAY + 3_600_000),
    )
    .await;
    anna.settle().await;
    assert_eq!(anna.app.awaiting, 1);
    // `w`: only what waits; `b` asks for the comment, an empty one is asked for again.
    anna.press("w").await;
    let screen = anna.screen();
    assert!(screen.contains("Awaiting approval (1)"), "{screen}");
    assert!(
        screen.contains("a approve · b send back · enter open · w awaiting · S close · ? help"),
        "{screen}"
    );
    assert!(
        screen.contains("p2 ? 03-15 13:00 lumo@mastodon.social intern: Скидка"),
        "{screen}"
    );
    assert!(!screen.contains("Весенняя"), "{screen}");
    anna.press("b enter").await;
    assert!(anna.calendar().ask.is_some());
    assert!(
        anna.screen().contains("the comment is empty"),
        "{}",
        anna.screen()
    );
    anna.type_text("Без восклицательных знаков, пожалуйста ✂️")
        .await;
    anna.press("enter").await;
    let back = post(&engine, second.id);
    assert_eq!(back.targets[0].state, TargetState::Draft);
    assert_eq!(
        back.review.as_ref().and_then(|r| r.sent_back()),
        Some(("anna", "Без восклицательных знаков, пожалуйста ✂️"))
    );
    assert!(
        anna.screen().contains("Nothing awaits approval."),
        "{}",
        anna.screen()
    );
    assert_eq!(anna.app.awaiting, 0);

    // The author's calendar shows it sent back, with the comment; `a` is not theirs to press.
    let mut intern = Seat::open(&engine, "intern").await;
    assert!(!intern.app.approver);
    assert!(
        !intern.screen().contains("awaiting approval"),
        "{}",
        intern.screen()
    );
    intern.press("S right down").await;
    assert_eq!(
        intern
            .calendar()
            .current(&intern.app.cfg.zone)
            .map(|p| p.id),
        Some(second.id)
    );
    let screen = intern.screen();
    assert!(screen.contains("13:00 ↩ lumo@"), "{screen}");
    assert!(
        screen.contains("sent back by anna: Без восклицательных знаков, пожалуйста"),
        "{screen}"
    );
    intern.press("a").await;
    assert!(
        intern.screen().contains("intern is not an approver"),
        "{}",
        intern.screen()
    );
    // `e`: the composer keeps the comment under the text; the rewrite waits again.
    intern.press("e").await;
    let screen = intern.screen();
    assert!(
        screen.contains("sent back by anna: Без восклицательных знаков"),
        "{screen}"
    );
    for _ in 0..3 {
        intern.press("backspace").await;
    }
    intern.press("ctrl-s enter").await;
    let again = post(&engine, second.id);
    assert_eq!(again.text, "Скидка −90%");
    assert_eq!(again.summary(), Summary::AwaitingApproval);
    anna.settle().await;
    assert_eq!(anna.app.awaiting, 1);
}

#[tokio::test]
async fn a_reply_awaiting_approval_is_approved_from_the_list() {
    let (_dir, engine) = engine().await;
    let mut anna = Seat::open(&engine, "anna").await;
    let item = anna.app.list.rows[0].clone();
    let reply = match engine
        .call_as(
            "intern",
            Request::Reply {
                id: item.id,
                text: "Спасибо! 💛".into(),
                if_version: None,
                private: false,
            },
        )
        .await
    {
        Ok(Response::Replied { reply, .. }) => *reply,
        other => panic!("{other:?}"),
    };
    assert_eq!(reply.outgoing, Some(Outgoing::AwaitingApproval));
    anna.settle().await;
    assert_eq!(anna.app.awaiting, 1);
    anna.press("S w").await;
    let screen = anna.screen();
    assert!(
        screen.contains(&format!("↳ {} intern → Anna: Спасибо! 💛", reply.id)),
        "{screen}"
    );
    assert!(screen.contains("The new lamp is lovely"), "{screen}");
    anna.press("a").await;
    let now = engine
        .store()
        .get(reply.id)
        .expect("get")
        .expect("reply")
        .outgoing;
    assert!(
        matches!(now, Some(Outgoing::Sending | Outgoing::Sent { .. })),
        "{now:?}"
    );
    assert!(
        anna.screen()
            .contains(&format!("reply {} approved: sending", reply.id)),
        "{}",
        anna.screen()
    );
    // A send-back of what is no longer waiting is the engine's refusal, said in the footer.
    match engine
        .call_as(
            "anna",
            Request::ReviewReply {
                reply: reply.id,
                verdict: Verdict::Approved,
            },
        )
        .await
    {
        Err(EngineError::Invalid(p)) => assert_eq!(p.key, "approvals.err.reply_not_awaiting"),
        other => panic!("{other:?}"),
    }
}
