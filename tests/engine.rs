//! The engine through its in-process Backend: events, undo, snooze wake-ups, reply states.

mod support;

use kith::domain::{Change, NewItem, Outgoing, Platform, Status, Timestamp};
use kith::engine::api::{Event, Filter, ListQuery, Request, Response};
use kith::engine::{Backend, EngineError, InProcess};
use kith::store::Store;
use std::time::Duration;

fn backend(dir: &std::path::Path) -> InProcess {
    let engine = support::engine::open(dir);
    engine.start();
    InProcess::new(engine)
}

async fn first(b: &InProcess) -> kith::domain::Item {
    let Response::Page(p) = b
        .call(Request::List(ListQuery {
            limit: 1,
            ..ListQuery::default()
        }))
        .await
        .expect("list")
    else {
        panic!("page")
    };
    p.items.into_iter().next().expect("an item")
}

/// An engine on a temp dir holding one comment on `platform`/`account`; returns it too.
async fn with_one(
    platform: Platform,
    account: &str,
    demo: bool,
) -> (tempfile::TempDir, InProcess, kith::domain::Item) {
    let d = tempfile::tempdir().expect("tmp");
    let b = backend(d.path());
    let items = vec![NewItem::comment(
        platform,
        account,
        "1",
        "u",
        "x",
        Timestamp::now(),
    )];
    b.call(Request::Ingest { items, demo })
        .await
        .expect("ingest");
    let item = first(&b).await;
    (d, b, item)
}

#[tokio::test]
async fn changes_broadcast_and_undo_restores() {
    let d = tempfile::tempdir().expect("tmp");
    let b = backend(d.path());
    let mut events = b.subscribe();
    let items = vec![NewItem::comment(
        Platform::Mastodon,
        "acc",
        "1",
        "u",
        "привет",
        Timestamp::now(),
    )];
    b.call(Request::Ingest { items, demo: false })
        .await
        .expect("ingest");
    assert_eq!(events.recv().await.expect("event"), Event::ItemsAdded(1));
    let item = first(&b).await;
    let done = Change::status(Status::Done);
    let Response::Updated { item: after, undo } = b
        .call(Request::Update {
            id: item.id,
            change: done,
            if_version: Some(1),
        })
        .await
        .expect("done")
    else {
        panic!("updated")
    };
    assert_eq!(after.status, Status::Done);
    assert_eq!(
        events.recv().await.expect("event"),
        Event::ItemsChanged(vec![item.id])
    );
    let Response::Updated { item: back, .. } = b
        .call(Request::Update {
            id: item.id,
            change: undo,
            if_version: Some(2),
        })
        .await
        .expect("undo")
    else {
        panic!("undo")
    };
    assert_eq!((back.status, back.version), (Status::New, 3));
    let Response::Overview(o) = b.call(Request::Overview).await.expect("overview") else {
        panic!("overview")
    };
    assert_eq!((o.status(Status::New), o.status(Status::Done)), (1, 0));
}

#[tokio::test]
async fn racing_updates_on_one_version_exactly_one_wins() {
    let (_d, b, item) = with_one(Platform::Vk, "acc", false).await;
    let calls = (0..8).map(|n| {
        let b = b.clone();
        let change = Change::AddTag(format!("t{n}"));
        tokio::spawn(async move {
            b.call(Request::Update {
                id: item.id,
                change,
                if_version: Some(1),
            })
            .await
        })
    });
    let results = futures::future::join_all(calls).await;
    let wins = results.iter().filter(|r| matches!(r, Ok(Ok(_)))).count();
    let conflicts = results
        .iter()
        .filter(|r| matches!(r, Ok(Err(EngineError::Conflict { .. }))))
        .count();
    assert_eq!((wins, conflicts), (1, 7));
}

#[tokio::test]
async fn snoozed_items_wake_up_on_time_without_polling() {
    let (_d, b, item) = with_one(Platform::Vk, "acc", false).await;
    let past = Change::SetStatus {
        status: Status::Snoozed,
        snoozed_until: Some(Timestamp(Timestamp::now().0 - 1)),
    };
    assert!(matches!(
        b.call(Request::Update {
            id: item.id,
            change: past,
            if_version: None
        })
        .await,
        Err(EngineError::Invalid(_))
    ));
    let mut events = b.subscribe();
    let until = Timestamp(Timestamp::now().0 + 400);
    let snooze = Change::SetStatus {
        status: Status::Snoozed,
        snoozed_until: Some(until),
    };
    b.call(Request::Update {
        id: item.id,
        change: snooze,
        if_version: None,
    })
    .await
    .expect("snooze");
    assert_eq!(
        events.recv().await.expect("snoozed event"),
        Event::ItemsChanged(vec![item.id])
    );
    let woke = tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await
        .expect("woke in time")
        .expect("event");
    assert_eq!(woke, Event::ItemsChanged(vec![item.id]));
    assert!(Timestamp::now() >= until);
    let Response::Item(now) = b.call(Request::Get(item.id)).await.expect("get") else {
        panic!("item")
    };
    assert_eq!((now.status, now.snoozed_until), (Status::Open, None));
    let Response::Page(open) = b
        .call(Request::List(ListQuery {
            filter: Filter {
                statuses: vec![Status::Open],
                ..Filter::default()
            },
            limit: 5,
            ..ListQuery::default()
        }))
        .await
        .expect("list")
    else {
        panic!("page")
    };
    assert_eq!(open.items.len(), 1);
}

#[tokio::test]
async fn demo_reply_goes_sending_then_sent_with_a_link() {
    let (_d, b, item) = with_one(Platform::Telegram, "@bot", true).await;
    let mut events = b.subscribe();
    let Response::Replied { reply, item: after } = b
        .call(Request::Reply {
            id: item.id,
            text: "Ответ".into(),
            if_version: Some(1),
            private: false,
        })
        .await
        .expect("reply")
    else {
        panic!("replied")
    };
    assert_eq!(reply.outgoing, Some(Outgoing::Sending));
    assert_eq!(after.status, Status::Done);
    assert_eq!(
        events.recv().await.expect("changed"),
        Event::ItemsChanged(vec![item.id])
    );
    let state = tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await
        .expect("in time")
        .expect("event");
    assert_eq!(
        state,
        Event::ReplyState {
            item: item.id,
            reply: reply.id
        }
    );
    let Response::Item(sent) = b.call(Request::Get(reply.id)).await.expect("get") else {
        panic!("item")
    };
    assert!(
        matches!(&sent.outgoing, Some(Outgoing::Sent { url: Some(u) }) if u.starts_with("https://demo.kith.invalid/telegram/"))
    );
    // A second reply made against the old version is refused; the first stays the only one.
    let err = b
        .call(Request::Reply {
            id: item.id,
            text: "again".into(),
            if_version: Some(1),
            private: false,
        })
        .await
        .expect_err("conflict");
    assert!(
        matches!(
            err,
            EngineError::Conflict {
                expected: 1,
                actual: 2,
                ..
            }
        ),
        "{err}"
    );
    let Response::Thread(t) = b.call(Request::Thread(item.id)).await.expect("thread") else {
        panic!("thread")
    };
    assert_eq!(t.iter().filter(|i| i.is_ours()).count(), 1);
}

#[tokio::test]
async fn a_reply_stored_but_never_sent_is_resumed_at_next_start() {
    let d = tempfile::tempdir().expect("tmp");
    let reply_id = {
        // Store a reply the way the engine does, but stop before any connector runs.
        let store = Store::open(d.path()).expect("store");
        let items = vec![NewItem::comment(
            Platform::Vk,
            "vk.com/x",
            "1",
            "u",
            "?",
            Timestamp::now(),
        )];
        store
            .ingest(&items, true, "anna", Timestamp::now())
            .expect("ingest");
        let id = store
            .id_by_native("vk.com/x", "1")
            .expect("get")
            .expect("id");
        let draft = kith::store::ReplyDraft {
            text: "Ответ".into(),
            operator: "anna".into(),
            if_version: None,
            private: false,
            awaiting: false,
        };
        let kith::store::ReplyOutcome::Stored { reply, .. } = store
            .add_reply(id, &draft, Timestamp::now())
            .expect("reply")
        else {
            panic!("stored")
        };
        assert_eq!(store.pending_replies().expect("pending"), vec![reply.id]);
        reply.id
    };
    let b = backend(d.path());
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let Response::Item(r) = b.call(Request::Get(reply_id)).await.expect("get") else {
            panic!("item")
        };
        if matches!(r.outgoing, Some(Outgoing::Sent { .. })) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not resumed: {:?}",
            r.outgoing
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(b
        .engine()
        .store()
        .pending_replies()
        .expect("pending")
        .is_empty());
}
