//! Saved views over the socket: one client saves, another hears `ViewsChanged` and lists the
//! view with its live count (capped at 1000 on a big store), its own config views after the
//! team's; a bad pattern is refused with its position.

use kith::domain::saved_view::{Move, ViewRow};
use kith::domain::{NewItem, Platform, Status, Timestamp};
use kith::engine::api::{Event, Request, Response};
use kith::engine::{Backend, Engine, EngineError};
use kith::ipc::{server, ClientOptions, Remote};
use kith::store::Store;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

struct Served {
    _dir: tempfile::TempDir,
    socket: PathBuf,
    _stop: watch::Sender<bool>,
}

/// An engine with `n` new comments (every third one done), served on a temp socket.
async fn serve(n: usize) -> Served {
    let dir = tempfile::tempdir().expect("tmp");
    let engine = Engine::new(Store::open(dir.path()).expect("store"), "engine");
    engine.start();
    let items: Vec<NewItem> = (0..n)
        .map(|i| {
            let mut it = NewItem::comment(
                Platform::Mastodon,
                "acc",
                &i.to_string(),
                "u",
                &format!("comment {i}"),
                Timestamp(1_773_489_600_000 - i as i64 * 60_000),
            );
            if i % 3 == 0 {
                it.status = Status::Done;
            }
            it
        })
        .collect();
    engine
        .call(Request::Ingest { items, demo: true })
        .await
        .expect("ingest");
    let socket = kith::ipc::socket_path(dir.path());
    let listener = server::bind(&socket).await.expect("bind");
    let (stop, _) = watch::channel(false);
    tokio::spawn(server::run(Arc::clone(&engine), listener, stop.clone()));
    Served {
        _dir: dir,
        socket,
        _stop: stop,
    }
}

async fn client(socket: &Path, operator: &str) -> Remote {
    Remote::connect(ClientOptions {
        socket: socket.to_path_buf(),
        operator: operator.into(),
        reconnect: false,
        respawn: None,
        config: None,
    })
    .await
    .expect("connect")
}

async fn views(b: &dyn Backend, personal: &[(&str, &str)]) -> Vec<ViewRow> {
    let personal = personal
        .iter()
        .map(|(n, p)| (n.to_string(), p.to_string()))
        .collect();
    match b.call(Request::Views { personal }).await.expect("views") {
        Response::Views(rows) => rows,
        other => panic!("views: {other:?}"),
    }
}

fn counts(rows: &[ViewRow]) -> Vec<(&str, bool, u64, bool)> {
    rows.iter()
        .map(|r| (r.name.as_str(), r.shared, r.count, r.more))
        .collect()
}

async fn views_changed(rx: &mut tokio::sync::broadcast::Receiver<Event>) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Ok(Event::ViewsChanged)) => return,
            Ok(Ok(_)) => continue,
            other => panic!("no ViewsChanged: {other:?}"),
        }
    }
}

#[tokio::test]
async fn one_client_saves_and_the_other_sees_the_view_with_its_count() {
    let s = serve(9).await;
    let ann = client(&s.socket, "ann").await;
    let bob = client(&s.socket, "bob").await;
    let mut bob_events = bob.subscribe();

    let saved = ann
        .call(Request::ViewSave {
            name: "Open work".into(),
            pattern: "~s new|open".into(),
        })
        .await
        .expect("save");
    assert_eq!(saved, Response::ViewSaved { replaced: false });
    views_changed(&mut bob_events).await;

    // Bob's own view from his config comes after the team's; one named like a team view is
    // left out (the team's wins).
    let rows = views(&bob, &[("finished", "~s done"), ("OPEN WORK", "~s spam")]).await;
    assert_eq!(
        counts(&rows),
        [("Open work", true, 6, false), ("finished", false, 3, false)]
    );
    assert_eq!(rows[0].saved_by.as_deref(), Some("ann"));
    assert_eq!(rows[0].pattern, "~s new|open");

    ann.call(Request::ViewSave {
        name: "done".into(),
        pattern: "~s done".into(),
    })
    .await
    .expect("save");
    views_changed(&mut bob_events).await;
    let moved = bob
        .call(Request::ViewMove {
            name: "DONE".into(),
            dir: Move::Up,
        })
        .await
        .expect("move");
    assert_eq!(moved, Response::ViewMoved(true));
    views_changed(&mut bob_events).await;
    let names: Vec<String> = views(&ann, &[]).await.into_iter().map(|r| r.name).collect();
    assert_eq!(names, ["done", "Open work"]);

    bob.call(Request::ViewDelete("open WORK".into()))
        .await
        .expect("delete");
    views_changed(&mut bob_events).await;
    assert_eq!(counts(&views(&ann, &[]).await), [("done", true, 3, false)]);
}

#[tokio::test]
async fn a_bad_pattern_or_name_is_refused_and_nothing_is_saved() {
    let s = serve(3).await;
    let ann = client(&s.socket, "ann").await;
    let err = ann
        .call(Request::ViewSave {
            name: "x".into(),
            pattern: "~s new ~q".into(),
        })
        .await
        .expect_err("refused");
    assert!(matches!(err, EngineError::Invalid(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "unknown condition \"~q\" at 8: one of ~p ~A ~k ~s ~r ~t ~a ~o ~d ~l ~m ~w"
    );
    let err = ann
        .call(Request::ViewSave {
            name: "a\u{1b}[31m".into(),
            pattern: "~s new".into(),
        })
        .await
        .expect_err("refused");
    assert!(matches!(err, EngineError::Invalid(_)), "{err:?}");
    assert!(views(&ann, &[]).await.is_empty());
}

#[tokio::test]
async fn counts_stop_at_1000() {
    let s = serve(1500).await;
    let ann = client(&s.socket, "ann").await;
    ann.call(Request::ViewSave {
        name: "everything".into(),
        pattern: "~p mastodon".into(),
    })
    .await
    .expect("save");
    let rows = views(&ann, &[("done", "~s done")]).await;
    assert_eq!(
        counts(&rows),
        [
            ("everything", true, 1000, true),
            ("done", false, 500, false)
        ]
    );
    assert_eq!(rows[0].count_text(), "1000+");
}
