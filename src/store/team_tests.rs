//! The team counters behind the Mine / Unassigned / Taken-by-others views: kept by every
//! change, and rebuilt by the schema 2 migration for stores made before them.

use super::*;
use crate::domain::{Change, NewItem, Platform, Status, Timestamp};

fn comment(n: u32) -> NewItem {
    NewItem::comment(
        Platform::Vk,
        "acc",
        &format!("n{n}"),
        "u",
        "text",
        Timestamp(1_760_000_000_000 + n as i64),
    )
}

fn ids(s: &Store) -> Vec<crate::domain::ItemId> {
    let page = s
        .list(&crate::domain::query::ListQuery {
            limit: 100,
            ..Default::default()
        })
        .expect("list");
    page.items.iter().map(|i| i.id).collect()
}

#[test]
fn counters_follow_claims_status_and_releases() {
    let d = tempfile::tempdir().expect("tmp");
    let s = Store::open(d.path()).expect("open");
    s.ingest(
        &(0..5).map(comment).collect::<Vec<_>>(),
        false,
        "op",
        Timestamp(1),
    )
    .expect("ingest");
    let ids = ids(&s);
    let assign = |i: usize, who: Option<&str>| {
        s.update(
            ids[i],
            &Change::Assign(who.map(str::to_string)),
            None,
            "op",
            Timestamp(2),
        )
        .expect("assign");
    };
    assign(0, Some("ann"));
    assign(1, Some("ann"));
    assign(2, Some("bob"));
    let o = s.overview().expect("overview");
    assert_eq!(o.by_assignee, vec![("ann".into(), 2), ("bob".into(), 1)]);
    assert_eq!(o.unassigned, 2);
    // Done items no longer wait for anyone; released ones wait for everyone.
    s.update(
        ids[0],
        &Change::status(Status::Done),
        None,
        "op",
        Timestamp(3),
    )
    .expect("done");
    assign(2, None);
    let o = s.overview().expect("overview");
    assert_eq!(o.by_assignee, vec![("ann".into(), 1)]);
    assert_eq!(o.unassigned, 3);
    assert_eq!(s.check().expect("check"), Vec::<String>::new());
}

#[test]
fn schema_1_stores_get_their_team_counters() {
    let d = tempfile::tempdir().expect("tmp");
    {
        let s = Store::open(d.path()).expect("open");
        s.ingest(
            &(0..4).map(comment).collect::<Vec<_>>(),
            false,
            "op",
            Timestamp(1),
        )
        .expect("ingest");
        let ids = ids(&s);
        s.update(
            ids[0],
            &Change::Assign(Some("ann".into())),
            None,
            "op",
            Timestamp(2),
        )
        .expect("assign");
        // Make it look like a store written before the counters existed.
        for name in [
            keys::counters::assigned("ann"),
            keys::counters::UNASSIGNED.into(),
        ] {
            s.db().remove(keys::counter(&name)).expect("rm");
        }
        s.db()
            .insert(keys::meta("schema"), encode(&1u32).expect("enc"))
            .expect("schema");
        s.db().flush().expect("flush");
        assert!(!s.check().expect("check").is_empty());
    }
    let s = Store::open(d.path()).expect("reopen");
    let o = s.overview().expect("overview");
    assert_eq!(o.by_assignee, vec![("ann".into(), 1)]);
    assert_eq!(o.unassigned, 3);
    assert_eq!(s.check().expect("check"), Vec::<String>::new());
    let v: u32 = decode(
        &s.db()
            .get(keys::meta("schema"))
            .expect("get")
            .expect("some"),
    )
    .expect("dec");
    assert_eq!(v, SCHEMA_VERSION);
}
