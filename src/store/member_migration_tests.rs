//! Schema migrations of member keys: stores written by older versions open with the same
//! members, lists and rankings.

use super::member_tests::{id_of, item, rank, snapshot, DAY, T0};
use super::members::{BY_AUTHOR, RANK};
use super::*;
use crate::domain::member::{MemberId, Period};
use crate::domain::{ItemId, Kind, NewItem, Platform, Timestamp};

/// A schema-3 store (one `g` key per member and item) opens as schema 4: the old keys are gone,
/// every member's items are a posting list, and people's own entries (tags) stay.
#[test]
fn schema_3_author_keys_become_lists() {
    let d = tempfile::tempdir().expect("tmp");
    let now = T0 + DAY;
    let (ann, before) = {
        let s = Store::open(d.path()).expect("open");
        let items: Vec<NewItem> = (0..30u64)
            .map(|n| {
                item(
                    n,
                    Platform::Vk,
                    ["ann", "bob", "cat"][n as usize % 3],
                    Kind::Comment,
                    now - n as i64 * DAY,
                )
            })
            .collect();
        s.ingest(&items, false, "op", Timestamp(now))
            .expect("ingest");
        let ann = id_of(&s, Platform::Vk, "ann");
        let tag = MemberChange::Tag {
            id: ann,
            tag: "VIP".into(),
            on: true,
        };
        s.member_change(&tag, "op", Timestamp(now)).expect("tag");
        let before: Vec<(MemberId, Vec<ItemId>)> = ["ann", "bob", "cat"]
            .iter()
            .map(|a| {
                let id = id_of(&s, Platform::Vk, a);
                (id, s.member_items(id, 100).expect("items"))
            })
            .collect();
        assert_eq!(before[0].1.len(), 10);
        // Back to schema 3's layout.
        let mut b = sled::Batch::default();
        for kv in s.db().scan_prefix([BY_AUTHOR]) {
            b.remove(kv.expect("kv").0);
        }
        for (m, items) in &before {
            for it in items {
                let mut k = vec![b'g'];
                k.extend_from_slice(&m.to_bytes());
                k.extend_from_slice(&it.to_bytes());
                b.insert(k, &[][..]);
            }
        }
        b.insert(keys::meta("schema"), encode(&3u32).expect("enc"));
        s.db().apply_batch(b).expect("batch");
        s.db().flush().expect("flush");
        (ann, before)
    };
    let s = Store::open(d.path()).expect("migrate");
    assert_eq!(s.db().scan_prefix([b'g']).count(), 0);
    for (m, items) in &before {
        assert_eq!(&s.member_items(*m, 100).expect("items"), items);
    }
    assert_eq!(
        s.member_items(before[1].0, 3).expect("items"),
        before[1].1[..3]
    );
    let m = s.member_record(ann).expect("get").expect("ann");
    assert_eq!(m.tags, vec!["VIP".to_string()]);
    let schema: u32 = decode(
        &s.db()
            .get(keys::meta("schema"))
            .expect("get")
            .expect("schema"),
    )
    .expect("decode");
    assert_eq!(schema, SCHEMA_VERSION);
}

/// A schema-4 store ranked a one-platform person twice (every platform, and its own); schema 5
/// ranks them once, and the rankings read the same.
#[test]
fn schema_4_rankings_are_rewritten_once_per_person() {
    let d = tempfile::tempdir().expect("tmp");
    let now = T0 + DAY;
    let (tops, snap) = {
        let s = Store::open(d.path()).expect("open");
        let items: Vec<NewItem> = (0..40u64)
            .map(|n| {
                let pl = if n % 4 == 0 {
                    Platform::Mastodon
                } else {
                    Platform::Vk
                };
                item(
                    n,
                    pl,
                    &format!("a{}", n % 7),
                    Kind::Comment,
                    now - (n as i64 % 9) * DAY,
                )
            })
            .collect();
        s.ingest(&items, false, "op", Timestamp(now))
            .expect("ingest");
        let a = id_of(&s, Platform::Vk, "a1");
        let b = id_of(&s, Platform::Mastodon, "a0");
        s.member_change(&MemberChange::Link(a, b), "op", Timestamp(now))
            .expect("link");
        let tops: Vec<_> = [None, Some(Platform::Vk), Some(Platform::Mastodon)]
            .iter()
            .map(|p| rank(&s, Period::Month, *p, now))
            .collect();
        let snap = snapshot(&s);
        // Schema 4's layout: a stray old entry, and the mark of schema 4.
        let mut b = sled::Batch::default();
        let mut old = vec![RANK, Period::Month.code(), 0];
        old.extend_from_slice(&[7u8; 16]);
        b.insert(old, &[][..]);
        b.insert(keys::meta("schema"), encode(&4u32).expect("enc"));
        s.db().apply_batch(b).expect("batch");
        s.db().flush().expect("flush");
        (tops, snap)
    };
    let s = Store::open(d.path()).expect("migrate");
    assert_eq!(snapshot(&s), snap);
    let again: Vec<_> = [None, Some(Platform::Vk), Some(Platform::Mastodon)]
        .iter()
        .map(|p| rank(&s, Period::Month, *p, now))
        .collect();
    assert_eq!(again, tops);
    assert_eq!(
        tops[0].len(),
        13,
        "fourteen accounts, two of them one person"
    );
}

/// Schema 5 decayed the all-time score like the windows; schema 6 counts every interaction in
/// full, so a store opened by this version ranks its all-time keys again: 120 comments 200 days
/// ago rank above one comment this week.
#[test]
fn schema_5_all_time_is_ranked_again_without_decay() {
    let d = tempfile::tempdir().expect("tmp");
    let now = T0 + 300 * DAY;
    {
        let s = Store::open(d.path()).expect("open");
        let mut items: Vec<NewItem> = (0..120u64)
            .map(|n| item(n, Platform::Vk, "old", Kind::Comment, now - 200 * DAY))
            .collect();
        items.push(item(500, Platform::Vk, "new", Kind::Comment, now - 2 * DAY));
        s.ingest(&items, false, "op", Timestamp(now))
            .expect("ingest");
        let _ = rank(&s, Period::All, None, now);
        // Schema 5's all-time keys: decayed, so "new" stood first. Put them back that way.
        let mut b = sled::Batch::default();
        let mut stale = Vec::new();
        for kv in s.db().scan_prefix([RANK, Period::All.code()]) {
            let (k, _) = kv.expect("kv");
            stale.push(k.to_vec());
            b.remove(k);
        }
        assert_eq!(stale.len(), 2, "two persons ranked for all time");
        // Reversed order: the person ranked second now holds the first key.
        let (first, second) = (stale[0].clone(), stale[1].clone());
        let tail = |k: &[u8]| k[k.len() - 8..].to_vec();
        let mut k1 = first[..first.len() - 8].to_vec();
        k1.extend(tail(&second));
        let mut k2 = second[..second.len() - 8].to_vec();
        k2.extend(tail(&first));
        b.insert(k1, &[][..]);
        b.insert(k2, &[][..]);
        b.insert(keys::meta("schema"), encode(&5u32).expect("enc"));
        s.db().apply_batch(b).expect("batch");
        s.db().flush().expect("flush");
        let stale_top = rank(&s, Period::All, None, now);
        assert_eq!(
            stale_top[0].0, "new",
            "the stale layout ranks the wrong way"
        );
    }
    let s = Store::open(d.path()).expect("migrate");
    let top = rank(&s, Period::All, None, now);
    assert_eq!(top.len(), 2);
    assert_eq!(top[0], ("old".to_string(), 360.0));
    assert_eq!(top[1], ("new".to_string(), 3.0));
    let fp: String =
        decode(&s.db().get(keys::meta("scoring")).expect("get").expect("fp")).expect("decode");
    assert_eq!(fp, crate::domain::member::Scoring::default().fingerprint());
}
