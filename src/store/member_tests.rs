//! Members: counting in the item's batch, the ranking index, explanations, links, tags, rewards,
//! the day roll — and a property test that the incremental state equals a full rebuild.

use super::members::{BY_AUTHOR, EXPIRE, LOOKUP, MTAG, RANK, UNRANKED};
use super::*;
use crate::domain::member::{day_of, Act, MemberId, Period};
use crate::domain::remote::{Activity, ActivityKind};
use crate::domain::{Author, Change, ItemId, Kind, NewItem, Platform, Status, Timestamp};
use proptest::prelude::*;
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
    assert_eq!(
        s.settle_members(1, Timestamp(now)).expect("settle"),
        (2_500, false)
    );
    assert_eq!(
        s.settle_members(1, Timestamp(now)).expect("settle"),
        (0, false)
    );
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
fn spam_links_tags_and_rewards() {
    let d = tempfile::tempdir().expect("tmp");
    let s = Store::open(d.path()).expect("open");
    let now = T0;
    s.ingest(
        &[
            item(1, Platform::Vk, "ann", Kind::Comment, now),
            item(2, Platform::Mastodon, "anna", Kind::Comment, now),
            item(3, Platform::Mastodon, "anna", Kind::Comment, now),
            item(4, Platform::Vk, "bob", Kind::Review, now),
        ],
        false,
        "op",
        Timestamp(now),
    )
    .expect("ingest");
    assert_eq!(rank(&s, Period::Week, None, now)[0], ("anna".into(), 6.0));
    // Spam stops counting, and counts again when taken back.
    let spam_id = s
        .member_items(id_of(&s, Platform::Mastodon, "anna"), 10)
        .expect("items")[0];
    s.update(
        spam_id,
        &Change::status(Status::Spam),
        None,
        "op",
        Timestamp(now),
    )
    .expect("spam");
    assert_eq!(rank(&s, Period::Week, None, now)[0], ("bob".into(), 5.0));
    s.update(
        spam_id,
        &Change::status(Status::Open),
        None,
        "op",
        Timestamp(now),
    )
    .expect("unspam");
    assert_eq!(rank(&s, Period::Week, None, now)[0], ("anna".into(), 6.0));
    // Linked accounts count as one person; each platform scope still sees its own part.
    let (ann, anna) = (
        id_of(&s, Platform::Vk, "ann"),
        id_of(&s, Platform::Mastodon, "anna"),
    );
    assert_eq!(
        s.member_change(&MemberChange::Link(ann, anna), "op", Timestamp(now))
            .expect("link"),
        MemberOutcome::Done
    );
    assert_eq!(
        s.member_change(&MemberChange::Link(anna, ann), "op", Timestamp(now))
            .expect("link"),
        MemberOutcome::AlreadyLinked
    );
    let top = s
        .members_top(
            &RankQuery {
                period: Period::Week,
                ..Default::default()
            },
            Timestamp(now),
        )
        .expect("top");
    assert_eq!(top.rows.len(), 2);
    assert_eq!(top.rows[0].score, 9.0);
    assert_eq!(top.rows[0].members.len(), 2);
    assert_eq!(
        rank(&s, Period::Week, Some(Platform::Vk), now),
        vec![("bob".into(), 5.0), ("ann".into(), 3.0)]
    );
    assert_eq!(
        rank(&s, Period::Week, Some(Platform::Mastodon), now),
        vec![("anna".into(), 6.0)]
    );
    // Pages and places run over the merged scopes (the pair's total, then bob on vk alone).
    let second = s
        .members_top(
            &RankQuery {
                period: Period::Week,
                offset: 1,
                limit: 1,
                ..Default::default()
            },
            Timestamp(now),
        )
        .expect("page 2");
    assert_eq!(
        (
            second.rows[0].rank,
            second.rows[0].members[0].author_id.as_str()
        ),
        (2, "bob")
    );
    assert!(!second.more);
    let bob = id_of(&s, Platform::Vk, "bob");
    assert_eq!(s.rank_of(bob, Period::Week).expect("rank"), Some(2));
    assert_eq!(
        s.rank_of(ann.min(anna), Period::Week).expect("rank"),
        Some(1)
    );
    // Tags filter the ranking; a reward is refused a second time unless forced.
    s.member_change(
        &MemberChange::Tag {
            id: anna,
            tag: "VIP".into(),
            on: true,
        },
        "op",
        Timestamp(now),
    )
    .expect("tag");
    let vip = s
        .members_top(
            &RankQuery {
                tag: Some("vip".into()),
                ..Default::default()
            },
            Timestamp(now),
        )
        .expect("vip");
    assert_eq!(vip.rows.len(), 1);
    assert_eq!(vip.rows[0].tags, vec!["VIP".to_string()]);
    let reward = |id, force| {
        s.member_change(
            &MemberChange::Reward {
                id,
                what: "t-shirt".into(),
                force,
            },
            "op",
            Timestamp(now),
        )
        .expect("reward")
    };
    assert_eq!(reward(ann, false), MemberOutcome::Done);
    assert!(
        matches!(reward(anna, false), MemberOutcome::AlreadyRewarded(r) if r.what == "t-shirt")
    );
    assert_eq!(reward(anna, true), MemberOutcome::Done);
    // Unlinking splits the score again.
    s.member_change(&MemberChange::Unlink(anna), "op", Timestamp(now))
        .expect("unlink");
    assert_eq!(rank(&s, Period::Week, None, now)[0], ("anna".into(), 6.0));
    assert_eq!(
        s.member_change(&MemberChange::Unlink(anna), "op", Timestamp(now))
            .expect("unlink"),
        MemberOutcome::NotLinked
    );
    // Names: id, handle, platform:handle; an ambiguous handle lists its candidates.
    assert_eq!(
        s.resolve_member(&ann.to_string()).expect("r"),
        Named::Found(ann)
    );
    assert_eq!(s.resolve_member("@anna.h").expect("r"), Named::Found(anna));
    assert_eq!(s.resolve_member("vk:ann.h").expect("r"), Named::Found(ann));
    assert_eq!(s.resolve_member("nobody").expect("r"), Named::NotFound);
    // ann.h and anna.h share no link key, but both ann and anna have handles; suggestions
    // pair accounts on different platforms with the same local part only.
    assert!(s.link_suggestions(10).expect("sugg").is_empty());
    assert_eq!(
        s.audit_query(&AuditQuery {
            limit: 100,
            ..Default::default()
        })
        .expect("audit")
        .iter()
        .filter(|e| e.action.starts_with("member-"))
        .count(),
        5
    );
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

#[derive(Debug, Clone)]
enum Op {
    Item {
        author: u8,
        platform: u8,
        kind: u8,
        back: u16,
        handle: u8,
    },
    Reaction {
        author: u8,
        platform: u8,
        kind: u8,
        back: u16,
    },
    Spam {
        nth: u8,
        on: bool,
    },
    Link {
        a: u8,
        b: u8,
    },
    Unlink {
        a: u8,
    },
    Tag {
        a: u8,
    },
    Advance {
        days: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u8..8, 0u8..3, 0u8..6, 0u16..220, 0u8..3).prop_map(|(author, platform, kind, back, handle)| Op::Item { author, platform, kind, back, handle }),
        2 => (0u8..8, 0u8..3, 0u8..3, 0u16..120).prop_map(|(author, platform, kind, back)| Op::Reaction { author, platform, kind, back }),
        2 => (any::<u8>(), any::<bool>()).prop_map(|(nth, on)| Op::Spam { nth, on }),
        2 => (0u8..24, 0u8..24).prop_map(|(a, b)| Op::Link { a, b }),
        1 => (0u8..24).prop_map(|a| Op::Unlink { a }),
        1 => (0u8..24).prop_map(|a| Op::Tag { a }),
        2 => (0u8..40).prop_map(|days| Op::Advance { days }),
    ]
}

const PLATFORMS: [Platform; 3] = [Platform::Vk, Platform::Mastodon, Platform::Telegram];

fn run_history(ops: &[Op]) {
    let d = tempfile::tempdir().expect("tmp");
    let s = Store::open(d.path()).expect("open");
    let mut now = T0;
    let mut n = 0u64;
    let mut items: Vec<ItemId> = Vec::new();
    let member_at = |s: &Store, i: u8| -> Option<MemberId> {
        let (pl, a) = (PLATFORMS[(i / 8) as usize % 3], i % 8);
        s.member(pl, &format!("u{a}")).expect("read").map(|m| m.id)
    };
    for op in ops {
        n += 1;
        match *op {
            Op::Item {
                author,
                platform,
                kind,
                back,
                handle,
            } => {
                let mut it = item(
                    n,
                    PLATFORMS[platform as usize],
                    &format!("u{author}"),
                    Kind::ALL[kind as usize],
                    now - back as i64 * DAY + n as i64,
                );
                it.author.handle = Some(format!("u{author}-{handle}"));
                it.author.followers = Some(handle as u64 * 100);
                s.ingest(&[it], false, "op", Timestamp(now))
                    .expect("ingest");
                items = s
                    .list(&crate::domain::query::ListQuery {
                        limit: 1000,
                        ..Default::default()
                    })
                    .expect("list")
                    .items
                    .iter()
                    .map(|i| i.id)
                    .collect();
            }
            Op::Reaction {
                author,
                platform,
                kind,
                back,
            } => {
                let pl = PLATFORMS[platform as usize];
                let a = Activity {
                    platform: pl,
                    account: "acc".into(),
                    native_id: format!("r{n}"),
                    kind: [
                        ActivityKind::Like,
                        ActivityKind::Repost,
                        ActivityKind::Follow,
                    ][kind as usize],
                    author: Author {
                        id: format!("u{author}"),
                        handle: None,
                        name: None,
                        followers: None,
                    },
                    at: Timestamp(now - back as i64 * DAY + n as i64),
                    target: None,
                };
                s.store_page(
                    &PageWrite {
                        account: "acc",
                        platform: pl,
                        items: &[],
                        activity: &[a],
                        malformed: &[],
                        cursor: None,
                    },
                    Timestamp(now),
                )
                .expect("page");
            }
            Op::Spam { nth, on } => {
                if let Some(id) = items.get(nth as usize % items.len().max(1)) {
                    let st = if on { Status::Spam } else { Status::Open };
                    s.update(*id, &Change::status(st), None, "op", Timestamp(now))
                        .expect("spam");
                }
            }
            Op::Link { a, b } => {
                if let (Some(a), Some(b)) = (member_at(&s, a), member_at(&s, b)) {
                    s.member_change(&MemberChange::Link(a, b), "op", Timestamp(now))
                        .expect("link");
                }
            }
            Op::Unlink { a } => {
                if let Some(a) = member_at(&s, a) {
                    s.member_change(&MemberChange::Unlink(a), "op", Timestamp(now))
                        .expect("unlink");
                }
            }
            Op::Tag { a } => {
                if let Some(a) = member_at(&s, a) {
                    let tag = MemberChange::Tag {
                        id: a,
                        tag: "fan".into(),
                        on: n % 2 == 0,
                    };
                    s.member_change(&tag, "op", Timestamp(now)).expect("tag");
                }
            }
            Op::Advance { days } => now += days as i64 * DAY,
        }
    }
    let today = s.roll_members(Timestamp(now)).expect("roll");
    assert_eq!(today, day_of(Timestamp(now)));
    let incremental = snapshot(&s);
    let tops: Vec<_> = Period::ALL
        .iter()
        .map(|p| rank(&s, *p, None, now))
        .collect();
    s.rebuild_members(Timestamp(now), &mut |_, _| {})
        .expect("rebuild");
    let full = snapshot(&s);
    let only_inc: Vec<_> = incremental
        .keys()
        .filter(|k| !full.contains_key(*k))
        .collect();
    let only_full: Vec<_> = full
        .keys()
        .filter(|k| !incremental.contains_key(*k))
        .collect();
    assert!(
        only_inc.is_empty() && only_full.is_empty(),
        "keys differ: incremental only {only_inc:?}, rebuild only {only_full:?}"
    );
    for (k, v) in &incremental {
        if full[k] != *v {
            let a: Member = decode(v).expect("m");
            let b: Member = decode(&full[k]).expect("m");
            panic!("record {k:?} differs:\nincremental {a:#?}\nrebuild {b:#?}");
        }
    }
    let again: Vec<_> = Period::ALL
        .iter()
        .map(|p| rank(&s, *p, None, now))
        .collect();
    assert_eq!(tops, again);
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("KITH_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]
    #[test]
    fn incremental_members_equal_a_full_rebuild(ops in proptest::collection::vec(op(), 1..60)) {
        run_history(&ops);
    }
}
