//! Store tests on a real sled database in a temp dir.

use super::*;
use crate::domain::query::{Filter, ListQuery};
use crate::domain::{Change, ItemId, Kind, NewItem, Platform, Status, Timestamp};

const T0: i64 = 1_760_000_000_000;

fn store() -> (tempfile::TempDir, Store) {
    let d = tempfile::tempdir().expect("tmp");
    let s = Store::open(d.path()).expect("open");
    (d, s)
}

fn item(n: u32, platform: Platform, text: &str) -> NewItem {
    NewItem::comment(
        platform,
        "acc",
        &format!("n{n}"),
        &format!("u{}", n % 3),
        text,
        Timestamp(T0 + n as i64 * 60_000),
    )
}

fn ids(page: &crate::domain::query::Page) -> Vec<String> {
    page.items.iter().map(|i| i.native_id.clone()).collect()
}

fn q(filter: Filter, limit: usize) -> ListQuery {
    ListQuery {
        filter,
        limit,
        ..ListQuery::default()
    }
}

#[test]
fn ingest_is_idempotent_and_counted() {
    let (_d, s) = store();
    let items: Vec<_> = (0..10).map(|n| item(n, Platform::Vk, "привет")).collect();
    assert_eq!(
        s.ingest(&items, false, "t", Timestamp(T0)).expect("ingest"),
        (10, 0)
    );
    assert_eq!(
        s.ingest(&items, false, "t", Timestamp(T0)).expect("again"),
        (0, 10)
    );
    // Duplicates inside one batch count once.
    let twice = vec![item(50, Platform::Vk, "a"), item(50, Platform::Vk, "a")];
    assert_eq!(
        s.ingest(&twice, false, "t", Timestamp(T0)).expect("dup"),
        (1, 1)
    );
    let o = s.overview().expect("overview");
    assert_eq!(o.total, 11);
    assert_eq!(o.status(Status::New), 11);
    assert_eq!(o.platform(Platform::Vk), 11);
    assert_eq!(o.by_account, vec![("acc".to_string(), Platform::Vk, 11)]);
}

#[test]
fn counts_and_items_survive_reopen() {
    let d = tempfile::tempdir().expect("tmp");
    {
        let s = Store::open(d.path()).expect("open");
        s.ingest(
            &[item(1, Platform::Mastodon, "hello")],
            false,
            "t",
            Timestamp(T0),
        )
        .expect("ingest");
    }
    let s = Store::open(d.path()).expect("reopen");
    assert_eq!(s.overview().expect("o").total, 1);
    let page = s.list(&q(Filter::default(), 10)).expect("list");
    assert_eq!(page.items[0].text, "hello");
}

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
fn hostile_text_round_trips_byte_for_byte() {
    let (_d, s) = store();
    let nasty = "a\x1b[2J\u{202E}\u{0}\u{E0041}ｶﾞ👨‍👩‍👧‍👦\r\n\t".to_string() + &"\u{0301}".repeat(500);
    let mut it = item(1, Platform::Vk, &nasty);
    it.author.name = Some("\u{3164}".into());
    it.account = "acc\u{0}with-nul".into();
    s.ingest(&[it], false, "t", Timestamp(T0)).expect("ingest");
    let got = s.list(&q(Filter::default(), 1)).expect("l").items.remove(0);
    assert_eq!(got.text, nasty);
    assert_eq!(got.author.name.as_deref(), Some("\u{3164}"));
    let by_account = s
        .list(&q(
            Filter {
                account: Some("acc\u{0}with-nul".into()),
                ..Filter::default()
            },
            5,
        ))
        .expect("acc");
    assert_eq!(by_account.items.len(), 1);
    assert!(s
        .list(&q(
            Filter {
                account: Some("acc".into()),
                ..Filter::default()
            },
            5
        ))
        .expect("acc")
        .items
        .is_empty());
}

#[test]
fn second_open_reports_the_holder() {
    let (d, _s) = store();
    // sled locks per process with flock; a second open in the same process may or may not be
    // refused depending on the platform, so the cross-process case is tested with the binary.
    let holder = std::fs::read_to_string(d.path().join("engine.pid")).expect("holder file");
    assert_eq!(
        holder.lines().next(),
        Some(std::process::id().to_string().as_str())
    );
}

#[test]
fn newer_schema_is_refused() {
    let d = tempfile::tempdir().expect("tmp");
    {
        let s = Store::open(d.path()).expect("open");
        s.db()
            .insert(
                keys::meta("schema"),
                encode(&(SCHEMA_VERSION + 1)).expect("enc"),
            )
            .expect("put");
    }
    match Store::open(d.path()) {
        Err(StoreError::TooNew { found, .. }) => assert_eq!(found, SCHEMA_VERSION + 1),
        Err(e) => panic!("wrong error {e}"),
        Ok(_) => panic!("opened a newer store"),
    }
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

#[test]
fn check_finds_an_index_entry_without_its_item_and_a_wrong_counter() {
    let (_d, s) = store();
    s.ingest(
        &[item(1, Platform::Vk, "a"), item(2, Platform::Vk, "b")],
        false,
        "t",
        Timestamp(T0),
    )
    .expect("ingest");
    assert_eq!(s.check().expect("check"), Vec::<String>::new());
    let id = s.id_by_native("acc", "n1").expect("g").expect("id");
    s.db().remove(keys::item(id)).expect("remove");
    s.db()
        .insert(keys::counter("status:done"), &5i64.to_be_bytes()[..])
        .expect("put");
    let problems = s.check().expect("check");
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("list entry without its item")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p == "counter status:done is 5, items say 0"),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p == "counter total is 2, items say 1"),
        "{problems:?}"
    );
}

fn activity(
    n: u32,
    kind: crate::domain::remote::ActivityKind,
    author: &str,
) -> crate::domain::remote::Activity {
    crate::domain::remote::Activity {
        platform: Platform::Mastodon,
        account: "acc".into(),
        native_id: format!("notif{n}"),
        kind,
        author: crate::domain::Author {
            id: author.into(),
            handle: None,
            name: None,
            followers: None,
        },
        at: Timestamp(T0 + n as i64),
        target: None,
    }
}

#[test]
fn a_page_is_stored_with_its_cursor_and_counted_once() {
    use crate::domain::remote::{ActivityKind, Malformed};
    let (_d, s) = store();
    let items: Vec<NewItem> = (0..5).map(|n| item(n, Platform::Mastodon, "hi")).collect();
    let acts = vec![
        activity(1, ActivityKind::Like, "u7"),
        activity(2, ActivityKind::Repost, "u7"),
        activity(3, ActivityKind::Follow, "u8"),
    ];
    let bad = vec![Malformed {
        reason: "missing field `status`".into(),
        raw: b"{\"id\":\"9\"}".to_vec(),
    }];
    let page = PageWrite {
        account: "acc",
        platform: Platform::Mastodon,
        items: &items,
        activity: &acts,
        malformed: &bad,
        cursor: Some("{\"min_id\":\"42\"}"),
    };
    let r = s.store_page(&page, Timestamp(T0)).unwrap();
    assert_eq!(
        r,
        PageReport {
            added: 5,
            duplicates: 0,
            activity: 3,
            malformed: 1
        }
    );
    let st = s.sync_state("acc").unwrap();
    assert_eq!(st.cursor.as_deref(), Some("{\"min_id\":\"42\"}"));
    assert_eq!((st.pulled, st.activity, st.malformed), (5, 3, 1));
    let q = s.quarantined(10).unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].raw, b"{\"id\":\"9\"}".to_vec());
    assert_eq!(q[0].source, "mastodon acc");
    let r7 = s.reactions(Platform::Mastodon, "u7").unwrap();
    assert_eq!((r7.likes, r7.reposts, r7.follows), (1, 1, 0));

    // The same page again (a crash between fetch and cursor, or Bluesky re-reading the top):
    // nothing is added twice.
    let again = s.store_page(&page, Timestamp(T0 + 1)).unwrap();
    assert_eq!((again.added, again.duplicates, again.activity), (0, 5, 0));
    assert_eq!(s.reactions(Platform::Mastodon, "u7").unwrap().likes, 1);
    assert_eq!(s.overview().unwrap().total, 5);

    // An idle poll (nothing new, cursor unchanged) writes nothing at all.
    let before = s.db().checksum().unwrap();
    let idle = PageWrite {
        account: "acc",
        platform: Platform::Mastodon,
        items: &items,
        activity: &acts,
        malformed: &[],
        cursor: None,
    };
    assert_eq!(s.store_page(&idle, Timestamp(T0 + 2)).unwrap().added, 0);
    assert_eq!(s.db().checksum().unwrap(), before);
    assert_eq!(s.check().unwrap(), Vec::<String>::new());
}

#[test]
fn our_own_posts_join_threads_but_not_the_inbox() {
    let (_d, s) = store();
    let mut root = item(1, Platform::Mastodon, "our announcement");
    root.ours = true;
    let mut reply = item(2, Platform::Mastodon, "great news");
    reply.parent_native_id = Some("n1".into());
    s.ingest(&[root, reply], false, "op", Timestamp(T0))
        .unwrap();
    let o = s.overview().unwrap();
    assert_eq!(o.total, 1, "only the reply is in the inbox");
    let rid = s.id_by_native("acc", "n2").unwrap().unwrap();
    let thread = s.thread(rid).unwrap();
    let texts: Vec<&str> = thread.iter().map(|i| i.text.as_str()).collect();
    assert_eq!(texts, vec!["our announcement", "great news"]);
    assert!(thread[0].is_ours());
    assert_eq!(s.check().unwrap(), Vec::<String>::new());
}

#[test]
#[ignore = "measurement: cargo test --lib key_census -- --ignored --nocapture"]
fn key_census_of_page_writes() {
    let (_d, s) = store();
    // A sync delivers recent items: a few seconds apart, not spread over years.
    let items: Vec<NewItem> = crate::engine::synthetic::synthetic(4000, 7, Timestamp::now())
        .enumerate()
        .map(|(i, mut it)| {
            it.created_at = Timestamp(T0 + i as i64 * 5_000);
            it.account = "a".into();
            it
        })
        .collect();
    for (n, chunk) in items.chunks(40).enumerate() {
        let c = format!("{n}");
        s.store_page(
            &PageWrite {
                account: "a",
                platform: Platform::Mastodon,
                items: chunk,
                activity: &[],
                malformed: &[],
                cursor: Some(&c),
            },
            Timestamp::now(),
        )
        .unwrap();
    }
    let mut by: std::collections::BTreeMap<char, usize> = Default::default();
    for kv in s.db().iter() {
        let (k, _) = kv.unwrap();
        *by.entry(k[0] as char).or_default() += 1;
    }
    println!("keys by prefix after 4000 items in pages of 40: {by:?}");
}

#[test]
fn synced_words_are_searchable_before_and_after_the_merge() {
    let (_d, s) = store();
    let mut a = item(1, Platform::Mastodon, "Доставка опоздала на неделю");
    a.account = "acc".into();
    let mut b = item(2, Platform::Mastodon, "быстрая доставка, спасибо 谢谢");
    b.account = "acc".into();
    let old = item(3, Platform::Vk, "доставка в Казань");
    s.ingest(&[old], false, "op", Timestamp(T0)).unwrap();
    let page = PageWrite {
        account: "acc",
        platform: Platform::Mastodon,
        items: &[a, b],
        activity: &[],
        malformed: &[],
        cursor: Some("c1"),
    };
    s.store_page(&page, Timestamp(T0)).unwrap();
    assert!(s.pending_word_pairs().unwrap() > 0);
    let find = |text: &str| {
        let page = s
            .list(&q(
                Filter {
                    text: Some(text.into()),
                    ..Filter::default()
                },
                10,
            ))
            .unwrap();
        ids(&page)
    };
    for round in 0..2 {
        assert_eq!(find("доставка"), vec!["n3", "n2", "n1"], "round {round}");
        assert_eq!(find("доставка спасибо"), vec!["n2"], "round {round}");
        assert_eq!(find("достав*"), vec!["n3", "n2", "n1"], "round {round}");
        assert_eq!(find("谢谢"), vec!["n2"], "round {round}");
        assert_eq!(find("казань доставка"), vec!["n3"], "round {round}");
        assert_eq!(s.check().unwrap(), Vec::<String>::new(), "round {round}");
        if round == 0 {
            let merged = s.merge_words(Timestamp(T0)).unwrap();
            assert!(merged > 0);
            assert_eq!(s.pending_word_pairs().unwrap(), 0);
            assert_eq!(s.merge_words(Timestamp(T0)).unwrap(), 0, "nothing left");
        }
    }
}
