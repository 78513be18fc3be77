//! Member changes: spam, links across platforms, tags and rewards, and what each does to the
//! ranking and the audit log.

use super::member_tests::{id_of, item, rank, T0};
use super::*;
use crate::domain::member::Period;
use crate::domain::{Change, Kind, Platform, Status, Timestamp};

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
