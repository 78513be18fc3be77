//! Members: counting in the item's batch, the ranking index, explanations, the day roll; the
//! helpers the other member test modules share.

use super::members::{BY_AUTHOR, EXPIRE, LOOKUP, MTAG, RANK, TO_RANK, UNRANKED};
use super::*;
use crate::domain::member::{Act, MemberId, Period};
use crate::domain::{ItemId, Kind, NewItem, Platform, Timestamp};
use std::collections::BTreeMap;

pub(super) const DAY: i64 = 86_400_000;
pub(super) const T0: i64 = 1_760_000_000_000 / DAY * DAY;

pub(super) fn item(n: u64, pl: Platform, author: &str, kind: Kind, at: i64) -> NewItem {
    let mut it = NewItem::comment(pl, "acc", &format!("n{n}"), author, "hi", Timestamp(at));
    it.kind = kind;
    it.author.handle = Some(format!("{author}.h"));
    it
}

pub(super) fn rank(
    s: &Store,
    period: Period,
    platform: Option<Platform>,
    now: i64,
) -> Vec<(String, f64)> {
    let r = s
        .members_top(
            &RankQuery {
                period,
                platform,
                limit: 100,
                ..Default::default()
            },
            Timestamp(now),
        )
        .expect("top");
    r.rows
        .iter()
        .map(|r| (r.members[0].author_id.clone(), r.score))
        .collect()
}

pub(super) fn id_of(s: &Store, pl: Platform, author: &str) -> MemberId {
    s.member(pl, author).expect("read").expect("member").id
}

#[test]
fn ranking_counts_in_the_items_batch_and_explains_itself() {
    let d = tempfile::tempdir().expect("tmp");
    let s = Store::open(d.path()).expect("open");
    let now = T0 + 10 * DAY;
    s.ingest(
        &[
            item(1, Platform::Vk, "ann", Kind::Review, now - DAY),
            item(2, Platform::Vk, "ann", Kind::Comment, now - 40 * DAY),
            item(3, Platform::Vk, "bob", Kind::Comment, now),
            item(4, Platform::Vk, "bob", Kind::Comment, now),
            item(5, Platform::Mastodon, "cat", Kind::Mention, now),
        ],
        false,
        "op",
        Timestamp(now),
    )
    .expect("ingest");
    // Two comments today (3 + 3) beat a review yesterday (5 × 2^(-1/30)).
    let week = rank(&s, Period::Week, None, now);
    assert_eq!(week[0].0, "bob");
    assert_eq!(week[0].1, 6.0);
    assert_eq!(week[1].0, "ann");
    assert!((week[1].1 - 5.0 * 2f64.powf(-1.0 / 30.0)).abs() < 1e-12);
    // The 90-day window also sees ann's old comment.
    let q = rank(&s, Period::Quarter, None, now);
    let ann_q = q.iter().find(|r| r.0 == "ann").map(|r| r.1).unwrap_or(0.0);
    assert!((ann_q - week[1].1 - 3.0 * 2f64.powf(-40.0 / 30.0)).abs() < 1e-12);
    // Explanation parts add up to the score, by kind.
    let ann = id_of(&s, Platform::Vk, "ann");
    let p = s
        .member_profile(ann, Period::Quarter, Timestamp(now))
        .expect("profile")
        .expect("some");
    assert_eq!(p.explained.parts.len(), 2);
    assert_eq!(
        p.explained.score,
        p.explained.parts.iter().map(|x| x.points).sum::<f64>()
    );
    assert_eq!(p.explained.parts[0].kind, Act::Review);
    assert_eq!(p.row.rank, 1);
    // The platform scope ranks only that platform's people.
    let masto = rank(&s, Period::Week, Some(Platform::Mastodon), now);
    assert_eq!(masto.len(), 1);
    assert_eq!(masto[0].0, "cat");
    // Every item they wrote, from the author index.
    assert_eq!(s.member_items(ann, 10).expect("items").len(), 2);
}

/// An item's batch records what it counts (durably: a crash before the settle keeps it); the
/// records, author lists and ranking follow at the next settle, which every read runs first.
#[test]
fn counts_wait_in_the_items_batch_and_are_settled_before_any_read() {
    let d = tempfile::tempdir().expect("tmp");
    let now = T0 + DAY;
    {
        let s = Store::open(d.path()).expect("open");
        s.ingest(
            &[
                item(1, Platform::Vk, "ann", Kind::Review, now),
                item(2, Platform::Vk, "bob", Kind::Comment, now),
                item(3, Platform::Vk, "bob", Kind::Comment, now),
            ],
            false,
            "op",
            Timestamp(now),
        )
        .expect("ingest");
        assert_eq!(s.members_unsettled().expect("n"), 3);
        assert_eq!(
            s.db().scan_prefix([UNRANKED]).count(),
            1,
            "one chunk for a small batch"
        );
        assert_eq!(s.db().scan_prefix([keys::MEMBER]).count(), 0);
        assert_eq!(s.db().scan_prefix([RANK]).count(), 0);
        // Dropped here without a settle, as if the process died after the batch.
    }
    let s = Store::open(d.path()).expect("reopen");
    assert_eq!(s.members_unsettled().expect("n"), 3, "the chunk is durable");
    let week = rank(&s, Period::Week, None, now);
    assert_eq!(
        week.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["bob", "ann"]
    );
    assert_eq!(week[0].1, 6.0);
    assert_eq!(s.members_unsettled().expect("n"), 0);
    assert_eq!(s.db().scan_prefix([UNRANKED]).count(), 0);
    let bob = id_of(&s, Platform::Vk, "bob");
    assert_eq!(s.member_items(bob, 10).expect("items").len(), 2);
    // Several batches settle together; a second settle finds nothing.
    let many: Vec<NewItem> = (0..2_500u64)
        .map(|n| {
            item(
                100 + n,
                Platform::Vk,
                &format!("p{}", n % 700),
                Kind::Comment,
                now,
            )
        })
        .collect();
    for c in many.chunks(500) {
        s.ingest(c, false, "op", Timestamp(now)).expect("ingest");
    }
    assert_eq!(s.members_unsettled().expect("n"), 2_500);
    // 500 per batch: two chunks of at most 256 each.
    assert_eq!(s.db().scan_prefix([UNRANKED]).count(), 10);
    // One batch applies every count; the 700 persons touched wait for their ranking entries,
    // noted durably in that batch.
    assert_eq!(
        s.settle_members(1, Timestamp(now)).expect("settle"),
        (2_500, true)
    );
    assert_eq!(s.members_unsettled().expect("n"), 0);
    assert_eq!(s.members_unranked().expect("n"), 700);
    assert_eq!(s.db().scan_prefix([TO_RANK]).count(), 700);
    assert_eq!(s.db().scan_prefix([RANK, Period::Week.code()]).count(), 2);
    // A crash here loses none of them.
    drop(s);
    let s = Store::open(d.path()).expect("reopen");
    assert_eq!(s.members_unranked().expect("n"), 700);
    // Then each is ranked once.
    assert_eq!(
        s.settle_members(1, Timestamp(now)).expect("settle"),
        (700, false)
    );
    assert_eq!(
        s.settle_members(1, Timestamp(now)).expect("settle"),
        (0, false)
    );
    assert_eq!(s.members_unranked().expect("n"), 0);
    assert_eq!(s.db().scan_prefix([TO_RANK]).count(), 0);
    assert_eq!(s.db().scan_prefix([RANK, Period::Week.code()]).count(), 702);
    let p0 = id_of(&s, Platform::Vk, "p0");
    assert_eq!(
        s.member_record(p0)
            .expect("get")
            .expect("p0")
            .buckets
            .totals()[Act::Comment.index()],
        4
    );
    // Only people's own items count: the ranking equals a rebuild from the items.
    let before = snapshot(&s);
    s.rebuild_members(Timestamp(now), &mut |_, _| {})
        .expect("rebuild");
    assert_eq!(before, snapshot(&s));
    assert_eq!(s.members_unsettled().expect("n"), 0);
}

#[test]
fn windows_roll_over_days_without_writes() {
    let d = tempfile::tempdir().expect("tmp");
    let s = Store::open(d.path()).expect("open");
    s.ingest(
        &[
            item(1, Platform::Vk, "old", Kind::Review, T0),
            item(2, Platform::Vk, "new", Kind::Mention, T0 + 3 * DAY),
        ],
        false,
        "op",
        Timestamp(T0 + 3 * DAY),
    )
    .expect("ingest");
    let week = |day: i64| rank(&s, Period::Week, None, T0 + day * DAY);
    assert_eq!(
        week(3).iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["old", "new"]
    );
    // Day 7: the review of day 0 has left the 7-day window; nothing was written since.
    assert_eq!(
        week(7).iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["new"]
    );
    assert_eq!(week(10), vec![]);
    assert_eq!(rank(&s, Period::All, None, T0 + 10 * DAY).len(), 2);
}

/// Every member-derived key and value; an author's list as its ids (segments and their
/// numbers depend on how the list was written).
pub(super) fn snapshot(s: &Store) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut out = BTreeMap::new();
    for space in [keys::MEMBER, RANK, EXPIRE, LOOKUP, MTAG, UNRANKED] {
        for kv in s.db().scan_prefix([space]) {
            let (k, v) = kv.expect("kv");
            out.insert(k.to_vec(), v.to_vec());
        }
    }
    let mut lists: BTreeMap<Vec<u8>, Vec<ItemId>> = BTreeMap::new();
    for kv in s.db().scan_prefix([BY_AUTHOR]) {
        let (k, v) = kv.expect("kv");
        let ids = lists.entry(k[..9].to_vec()).or_default();
        super::postings::decode_ids(&v, ids);
    }
    for (k, mut ids) in lists {
        ids.sort();
        let n = ids.len();
        ids.dedup();
        assert_eq!(n, ids.len(), "an item twice in one author's list");
        out.insert(k, super::postings::encode_ids(&ids));
    }
    out
}
