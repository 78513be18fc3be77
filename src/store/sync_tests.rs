//! Synced pages: each stored with its cursor and counted once, our own posts joining threads,
//! the keys a page write costs, and words searchable before and after the merge.

use super::tests::{ids, item, q, store, T0};
use super::words_pending::MERGE_CURSOR_FOR_TESTS;
use super::*;
use crate::domain::query::Filter;
use crate::domain::{NewItem, Platform, Timestamp};

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
    let find = |text: &str| found(&s, text);
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

/// Native ids of the items a text search finds, newest first.
fn found(s: &Store, text: &str) -> Vec<String> {
    let filter = Filter {
        text: Some(text.into()),
        ..Filter::default()
    };
    ids(&s.list(&q(filter, 10)).unwrap())
}

/// Ids per word list as stored (every segment of every bucket).
fn word_lists(s: &Store) -> std::collections::BTreeMap<String, Vec<u64>> {
    let mut out: std::collections::BTreeMap<String, Vec<u64>> = Default::default();
    for kv in s.db().scan_prefix([keys::WORD]) {
        let (k, v) = kv.unwrap();
        let end = k.iter().position(|b| *b == 0).unwrap();
        let token = String::from_utf8(k[1..end].to_vec()).unwrap();
        let mut ids = Vec::new();
        super::postings::decode_ids(&v, &mut ids);
        out.entry(token)
            .or_default()
            .extend(ids.iter().map(|i| i.0));
    }
    out
}

#[test]
fn a_merge_cut_short_goes_on_over_its_own_chunks_and_loses_nothing() {
    let (_d, s) = store();
    let texts = [
        "доставка опоздала",
        "быстрая доставка 谢谢",
        "delivery late again",
        "late delivery, sorry",
    ];
    let items: Vec<NewItem> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| item(i as u32 + 1, Platform::Mastodon, t))
        .collect();
    s.ingest(&items, false, "op", Timestamp(T0)).unwrap();
    let first = s.pending_word_pairs().unwrap();
    // 2 + 4 (谢谢 is found by its characters too) + 3 + 3.
    assert_eq!(first, 12, "every word of the batch waits in its chunk");
    let find = |text: &str| found(&s, text);
    // Cut after one slice of 3 pairs, as a crash would.
    assert_eq!(s.merge_words_in(Timestamp(T0), 3, 1).unwrap(), 0);
    assert!(s
        .db()
        .get(keys::meta(MERGE_CURSOR_FOR_TESTS))
        .unwrap()
        .is_some());
    assert_eq!(find("delivery"), vec!["n4", "n3"]);
    assert_eq!(find("доставка"), vec!["n2", "n1"]);
    assert_eq!(s.check().unwrap(), Vec::<String>::new());
    // A later batch's words, sorting before and after where the merge stopped.
    s.ingest(
        &[item(5, Platform::Mastodon, "aardvark zebra delivery")],
        false,
        "op",
        Timestamp(T0),
    )
    .unwrap();
    assert_eq!(s.pending_word_pairs().unwrap(), first + 3);
    // The merge goes on over its own chunks only; the new one waits.
    assert_eq!(s.merge_words(Timestamp(T0)).unwrap(), first as u64);
    assert!(s
        .db()
        .get(keys::meta(MERGE_CURSOR_FOR_TESTS))
        .unwrap()
        .is_none());
    assert_eq!(s.pending_word_pairs().unwrap(), 3);
    assert_eq!(find("delivery"), vec!["n5", "n4", "n3"]);
    assert_eq!(find("aardvark"), vec!["n5"]);
    assert_eq!(s.check().unwrap(), Vec::<String>::new());
    assert_eq!(s.merge_words(Timestamp(T0)).unwrap(), 3);
    assert_eq!(s.pending_word_pairs().unwrap(), 0);
    assert_eq!(s.db().scan_prefix([keys::PENDING_WORDS]).count(), 0);
    // Each word's list holds each of its items once.
    let lists = word_lists(&s);
    assert_eq!(lists.len(), 11, "{lists:?}");
    for (token, ids) in &lists {
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(&unique, ids, "{token} holds an item twice");
    }
    assert_eq!(lists["delivery"].len(), 3);
    assert_eq!(lists["late"].len(), 2);
    assert_eq!(find("zebra delivery"), vec!["n5"]);
    assert_eq!(s.check().unwrap(), Vec::<String>::new());
}
