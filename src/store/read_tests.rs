//! Reading the store: pages by seek, filters, status changes moving the indexes, search in any
//! script, threads, snoozes coming due.

use super::tests::{ids, item, q, store, T0};
use super::*;
use crate::domain::query::{Filter, ListQuery};
use crate::domain::{Change, ItemId, Kind, Platform, Status, Timestamp};

#[test]
fn pages_by_seek_newest_first_both_directions() {
    let (_d, s) = store();
    let items: Vec<_> = (0..25).map(|n| item(n, Platform::Vk, "x")).collect();
    s.ingest(&items, false, "t", Timestamp(T0)).expect("ingest");
    let p1 = s.list(&q(Filter::default(), 10)).expect("p1");
    assert_eq!(ids(&p1)[0], "n24");
    assert_eq!(ids(&p1)[9], "n15");
    assert!(p1.more);
    let p2 = s
        .list(&ListQuery {
            after: p1.items.last().map(|i| i.id),
            ..q(Filter::default(), 10)
        })
        .expect("p2");
    assert_eq!(ids(&p2)[0], "n14");
    let p3 = s
        .list(&ListQuery {
            after: p2.items.last().map(|i| i.id),
            ..q(Filter::default(), 10)
        })
        .expect("p3");
    assert_eq!(ids(&p3), vec!["n4", "n3", "n2", "n1", "n0"]);
    assert!(!p3.more);
    // Paging up from p2's first row gives the rows just above it, still newest first.
    let up = s
        .list(&ListQuery {
            before: p2.items.first().map(|i| i.id),
            ..q(Filter::default(), 3)
        })
        .expect("up");
    assert_eq!(ids(&up), vec!["n17", "n16", "n15"]);
    // The oldest page: seek from the very bottom.
    let bottom = s
        .list(&ListQuery {
            before: Some(ItemId(0)),
            ..q(Filter::default(), 2)
        })
        .expect("bottom");
    assert_eq!(ids(&bottom), vec!["n1", "n0"]);
}

#[test]
fn status_change_moves_indexes_counts_and_audit() {
    let (_d, s) = store();
    s.ingest(
        &[item(1, Platform::Vk, "a"), item(2, Platform::Youtube, "b")],
        false,
        "t",
        Timestamp(T0),
    )
    .expect("ingest");
    let id = s.list(&q(Filter::default(), 1)).expect("l").items[0].id;
    let done = Change::status(Status::Done);
    let UpdateOutcome::Updated(after, undo) = s
        .update(id, &done, Some(1), "anna", Timestamp(T0))
        .expect("u")
    else {
        panic!("not updated")
    };
    assert_eq!(after.status, Status::Done);
    assert_eq!(after.version, 2);
    let o = s.overview().expect("o");
    assert_eq!((o.status(Status::New), o.status(Status::Done)), (1, 1));
    let new_only = s
        .list(&q(
            Filter {
                statuses: vec![Status::New],
                ..Filter::default()
            },
            10,
        ))
        .expect("new");
    assert_eq!(ids(&new_only), vec!["n1"]);
    // A stale version is refused and changes nothing.
    assert!(matches!(
        s.update(id, &undo, Some(1), "bob", Timestamp(T0))
            .expect("c"),
        UpdateOutcome::Conflict(_)
    ));
    let UpdateOutcome::Updated(back, _) = s
        .update(id, &undo, Some(2), "anna", Timestamp(T0))
        .expect("undo")
    else {
        panic!("undo")
    };
    assert_eq!(back.status, Status::New);
    let audit = s.audit(Some(id), 10).expect("audit");
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[0].operator, "anna");
    assert_eq!(audit[0].after.as_deref(), Some("status=done"));
    assert_eq!(s.check().expect("check"), Vec::<String>::new());
}

#[test]
fn multi_status_merge_is_ordered() {
    let (_d, s) = store();
    let items: Vec<_> = (0..6).map(|n| item(n, Platform::Vk, "x")).collect();
    s.ingest(&items, false, "t", Timestamp(T0)).expect("ingest");
    for n in [1u32, 4] {
        let id = s
            .id_by_native("acc", &format!("n{n}"))
            .expect("g")
            .expect("id");
        s.update(id, &Change::status(Status::Open), None, "t", Timestamp(T0))
            .expect("u");
    }
    let id = s.id_by_native("acc", "n3").expect("g").expect("id");
    s.update(id, &Change::status(Status::Done), None, "t", Timestamp(T0))
        .expect("u");
    let inbox = s
        .list(&q(
            Filter {
                statuses: vec![Status::New, Status::Open],
                ..Filter::default()
            },
            10,
        ))
        .expect("l");
    assert_eq!(ids(&inbox), vec!["n5", "n4", "n2", "n1", "n0"]);
}

#[test]
fn search_any_script_whole_store() {
    let (_d, s) = store();
    let texts = [
        "Доставка ёлки задерживается",
        "The lamp flickers at night",
        "灯光闪烁，很失望",
        "Zürich Café order",
        "доставка быстрая, спасибо",
    ];
    let items: Vec<_> = texts
        .iter()
        .enumerate()
        .map(|(n, t)| item(n as u32, Platform::Vk, t))
        .collect();
    s.ingest(&items, false, "t", Timestamp(T0)).expect("ingest");
    let find = |text: &str| {
        ids(&s
            .list(&q(
                Filter {
                    text: Some(text.into()),
                    ..Filter::default()
                },
                10,
            ))
            .expect("search"))
    };
    assert_eq!(find("ДОСТАВКА"), vec!["n4", "n0"]);
    assert_eq!(find("елки"), vec!["n0"]);
    assert_eq!(find("ЁЛКИ задерживается"), vec!["n0"]);
    assert_eq!(find("LAMP"), vec!["n1"]);
    assert_eq!(find("闪烁"), vec!["n2"]);
    assert_eq!(find("很失望"), vec!["n2"]);
    assert_eq!(find("失"), vec!["n2"]);
    assert_eq!(find("zurich cafe"), vec!["n3"]);
    assert_eq!(find("flick*"), vec!["n1"]);
    assert_eq!(find("достав* спасибо"), vec!["n4"]);
    assert!(find("нет-такого").is_empty());
    // Search combines with other filters.
    let filtered = s
        .list(&q(
            Filter {
                text: Some("доставка".into()),
                platform: Some(Platform::Youtube),
                ..Filter::default()
            },
            10,
        ))
        .expect("f");
    assert!(filtered.items.is_empty());
}

#[test]
fn thread_walks_up_and_down_and_includes_our_reply() {
    let (_d, s) = store();
    let mut root = item(1, Platform::Telegram, "root?");
    root.kind = Kind::Comment;
    let mut a = item(2, Platform::Telegram, "a");
    a.parent_native_id = Some("n1".into());
    let mut b = item(3, Platform::Telegram, "b");
    b.parent_native_id = Some("n2".into());
    let other = item(4, Platform::Telegram, "unrelated");
    s.ingest(&[root, a, b, other], false, "t", Timestamp(T0))
        .expect("ingest");
    let mid = s.id_by_native("acc", "n2").expect("g").expect("id");
    let draft = ReplyDraft {
        text: "Спасибо!".into(),
        operator: "anna".into(),
        if_version: Some(1),
        private: false,
        awaiting: false,
    };
    let ReplyOutcome::Stored { reply, item } = s
        .add_reply(mid, &draft, Timestamp(T0 + 600_000))
        .expect("reply")
    else {
        panic!("reply")
    };
    assert_eq!(item.status, Status::Done);
    let thread: Vec<_> = s
        .thread(mid)
        .expect("thread")
        .into_iter()
        .map(|i| i.text)
        .collect();
    assert_eq!(thread, vec!["root?", "a", "b", "Спасибо!"]);
    // Our reply is not an inbox item.
    assert_eq!(s.overview().expect("o").total, 4);
    assert!(s
        .list(&q(Filter::default(), 10))
        .expect("l")
        .items
        .iter()
        .all(|i| i.id != reply.id));
}

#[test]
fn snoozes_come_due_in_order() {
    let (_d, s) = store();
    s.ingest(
        &[item(1, Platform::Vk, "a"), item(2, Platform::Vk, "b")],
        false,
        "t",
        Timestamp(T0),
    )
    .expect("ingest");
    let a = s.id_by_native("acc", "n1").expect("g").expect("a");
    let b = s.id_by_native("acc", "n2").expect("g").expect("b");
    let snooze = |t| Change::SetStatus {
        status: Status::Snoozed,
        snoozed_until: Some(Timestamp(t)),
    };
    s.update(a, &snooze(T0 + 1000), None, "t", Timestamp(T0))
        .expect("a");
    s.update(b, &snooze(T0 + 5000), None, "t", Timestamp(T0))
        .expect("b");
    assert_eq!(
        s.due_snoozes(Timestamp(T0)).expect("d"),
        (vec![], Some(Timestamp(T0 + 1000)))
    );
    assert_eq!(
        s.due_snoozes(Timestamp(T0 + 2000)).expect("d"),
        (vec![a], Some(Timestamp(T0 + 5000)))
    );
}

#[test]
fn date_and_rating_filters() {
    let (_d, s) = store();
    let mut items: Vec<_> = (0..5).map(|n| item(n, Platform::Google, "r")).collect();
    for (n, it) in items.iter_mut().enumerate() {
        it.kind = Kind::Review;
        it.rating = Some(n as u8 + 1);
    }
    s.ingest(&items, false, "t", Timestamp(T0)).expect("ingest");
    let neg = s
        .list(&q(
            Filter {
                kind: Some(Kind::Review),
                rating: Some((1, 2)),
                ..Filter::default()
            },
            10,
        ))
        .expect("neg");
    assert_eq!(ids(&neg), vec!["n1", "n0"]);
    let recent = s
        .list(&q(
            Filter {
                since: Some(Timestamp(T0 + 3 * 60_000)),
                ..Filter::default()
            },
            10,
        ))
        .expect("recent");
    assert_eq!(ids(&recent), vec!["n4", "n3"]);
}
