//! Shared set-up for the TUI tests: a real engine on a temp dir, items, a headless app.
#![allow(dead_code)]

pub mod compose;
pub mod snaps;

use kith::config::replies;
use kith::domain::{Author, Kind, NewItem, Platform, Status, Timestamp};
use kith::engine::api::{Event, Request, Response};
use kith::engine::{Backend, Engine, InProcess};
use kith::store::Store;
use kith::tui::headless::settle;
use kith::tui::{App, AppConfig};
use tokio::sync::broadcast;

/// 2026-03-14T12:00:00Z: every test's "now".
pub const NOW: Timestamp = Timestamp(1_773_489_600_000);

pub fn mins_ago(m: i64) -> Timestamp {
    Timestamp(NOW.0 - m * 60_000)
}

pub struct Rig {
    pub dir: tempfile::TempDir,
    pub backend: InProcess,
    pub events: broadcast::Receiver<Event>,
    pub app: App,
}

pub fn config() -> AppConfig {
    AppConfig {
        operator: "anna".into(),
        page_size: 50,
        replies: replies::parse(replies::DEFAULT_REPLIES, "built-in").expect("replies"),
        ..AppConfig::default()
    }
}

/// Items every screen test shows: several platforms, a review, CJK, emoji, Cyrillic.
pub fn sample_items() -> Vec<NewItem> {
    let mut v = Vec::new();
    let mut c = |p: Platform, acc: &str, id: &str, who: &str, text: &str, m: i64| {
        let mut n = NewItem::comment(p, acc, id, who, text, mins_ago(m));
        n.author = Author {
            id: who.into(),
            handle: Some(format!("{who}_h")),
            name: Some(who.into()),
            followers: Some(1200),
        };
        n.url = Some(format!("https://example.com/{id}"));
        v.push(n);
    };
    c(
        Platform::Mastodon,
        "lumo@mastodon.social",
        "m1",
        "Anna",
        "The new lamp is lovely, thanks!",
        5,
    );
    c(
        Platform::Vk,
        "vk.com/lumo",
        "v1",
        "Дмитрий",
        "Лампа мерцает на минимальной яркости, что делать?",
        30,
    );
    c(
        Platform::Instagram,
        "@lumo.lamps",
        "i1",
        "小鹿",
        "已下单！！期待沙色到货 你好，世界！",
        90,
    );
    c(
        Platform::Bluesky,
        "lumo.bsky.social",
        "b1",
        "Priya",
        "Shoutout 👨‍👩‍👧‍👦 🇺🇸 ⌨️ 🐻‍❄️ great support",
        200,
    );
    c(
        Platform::Telegram,
        "@lumo_support",
        "t1",
        "Лёша",
        "コンピュータ ｶﾞｷﾞｸﾞ works now",
        600,
    );
    let mut r = NewItem::comment(
        Platform::Google,
        "Lumo Store",
        "g1",
        "Stas",
        "Too expensive for what it is.",
        mins_ago(3000),
    );
    r.kind = Kind::Review;
    r.rating = Some(2);
    r.title = Some("Overpriced".into());
    r.lang = Some("en".into());
    r.url = Some("https://maps.example/g1".into());
    v.push(r);
    let mut d = NewItem::comment(
        Platform::Youtube,
        "Lumo Official",
        "y1",
        "Old",
        "Already handled",
        mins_ago(9000),
    );
    d.status = Status::Done;
    v.push(d);
    v
}

pub async fn rig_with(items: Vec<NewItem>) -> Rig {
    let dir = tempfile::tempdir().expect("tmp");
    let engine = Engine::new(Store::open(dir.path()).expect("store"), "anna");
    rig_on(dir, engine, items).await
}

/// A headless app on `engine` (its store in `dir`) after `items` arrived from demo accounts.
pub async fn rig_on(
    dir: tempfile::TempDir,
    engine: std::sync::Arc<Engine>,
    items: Vec<NewItem>,
) -> Rig {
    let backend = InProcess::new(engine);
    match backend
        .call(Request::Ingest { items, demo: true })
        .await
        .expect("ingest")
    {
        Response::Ingested(_) => {}
        other => panic!("unexpected {other:?}"),
    }
    let mut events = backend.subscribe();
    let mut app = App::new(config(), NOW);
    let fx = kith::tui::start(&mut app);
    settle(&mut app, &backend, &mut events, fx).await;
    Rig {
        dir,
        backend,
        events,
        app,
    }
}

/// The line at the bottom that says how the last action went.
pub fn note(r: &Rig) -> String {
    r.app
        .note
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

pub async fn rig() -> Rig {
    rig_with(sample_items()).await
}

impl Rig {
    pub async fn press(&mut self, keys: &str) -> Vec<String> {
        kith::tui::headless::press(&mut self.app, &self.backend, &mut self.events, keys).await
    }

    pub async fn type_text(&mut self, text: &str) {
        kith::tui::headless::type_text(&mut self.app, &self.backend, &mut self.events, text).await
    }

    pub async fn settle(&mut self) {
        settle(&mut self.app, &self.backend, &mut self.events, Vec::new()).await;
    }

    /// Texts of the rows in the list, in order.
    pub fn rows(&self) -> Vec<String> {
        self.app.list.rows.iter().map(|i| i.text.clone()).collect()
    }

    pub fn selected_text(&self) -> String {
        self.app
            .list
            .current()
            .map(|i| i.text.clone())
            .unwrap_or_default()
    }

    pub async fn get(&self, id: kith::domain::ItemId) -> kith::domain::Item {
        match self.backend.call(Request::Get(id)).await.expect("get") {
            Response::Item(i) => *i,
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// The screen as plain text, one line per row.
pub fn screen_text(app: &kith::tui::App, w: u16, h: u16) -> String {
    let mut term =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("terminal");
    term.draw(|f| kith::tui::render::draw(f, app))
        .expect("draw");
    let buf = term.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        let mut x = 0;
        while x < w {
            let sym = buf[(x, y)].symbol();
            out.push_str(sym);
            // A wide character covers the next cell too.
            x += kith::text::width(sym).max(1) as u16;
        }
        out.push('\n');
    }
    out
}

/// The rig's engine as another operator's TUI sees it: every request made as `op`.
pub struct AsOperator {
    pub engine: std::sync::Arc<Engine>,
    pub op: &'static str,
}

impl Backend for AsOperator {
    fn call(
        &self,
        req: Request,
    ) -> futures::future::BoxFuture<'static, Result<Response, kith::engine::EngineError>> {
        let engine = std::sync::Arc::clone(&self.engine);
        let op = self.op;
        Box::pin(async move { engine.call_as(op, req).await })
    }

    fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.engine.subscribe()
    }
}
