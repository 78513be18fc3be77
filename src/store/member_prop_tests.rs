//! A property test: whatever the history of items, reactions, spam, links, tags and days, the
//! member state kept incrementally equals a full rebuild.

use super::member_tests::{item, rank, snapshot, DAY, T0};
use super::*;
use crate::domain::member::{day_of, MemberId, Period};
use crate::domain::remote::{Activity, ActivityKind};
use crate::domain::{Author, Change, ItemId, Kind, Platform, Status, Timestamp};
use proptest::prelude::*;

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
