//! Item tags in the store: counts kept by every change, the tag list driving a tag filter,
//! rename and merge in batches with an audit entry per item, and the schema 8 migration.

use super::*;
use crate::domain::query::{Filter, ListQuery};
use crate::domain::tag::TagCount;
use crate::domain::{Change, ItemId, NewItem, Platform, Status, Timestamp};

fn tagged(n: u32, tags: &[&str]) -> NewItem {
    let mut it = NewItem::comment(
        Platform::Vk,
        "acc",
        &format!("n{n}"),
        "u",
        "text",
        // A day apart, so lists span several buckets.
        Timestamp(1_760_000_000_000 + n as i64 * 86_400_000),
    );
    it.tags = tags.iter().map(|t| t.to_string()).collect();
    it
}

fn counts(s: &Store) -> Vec<(String, u64)> {
    s.tag_counts()
        .expect("counts")
        .into_iter()
        .map(|TagCount { name, items }| (name, items))
        .collect()
}

fn all_ids(s: &Store, f: Filter) -> Vec<ItemId> {
    s.list(&ListQuery {
        filter: f,
        limit: 1000,
        ..Default::default()
    })
    .expect("list")
    .items
    .iter()
    .map(|i| i.id)
    .collect()
}

fn rename_all(s: &Store, old: &str, new: &str, max: usize) -> (u64, u64, usize) {
    let (mut changed, mut merged, mut steps) = (0, 0, 0);
    let mut below = None;
    loop {
        let step = s
            .rename_tag_step(old, new, below, max, "anna", Timestamp(5))
            .expect("rename");
        steps += 1;
        changed += step.changed.len() as u64;
        merged += step.merged;
        match step.next {
            Some(n) => below = Some(n),
            None => return (changed, merged, steps),
        }
    }
}

fn open() -> (tempfile::TempDir, Store) {
    let d = tempfile::tempdir().expect("tmp");
    let s = Store::open(d.path()).expect("open");
    (d, s)
}

#[test]
fn counts_follow_ingest_add_remove_and_status() {
    let (_d, s) = open();
    s.ingest(
        &[
            tagged(1, &["Delivery", "vip"]),
            tagged(2, &["delivery", "DELIVERY"]),
            tagged(3, &["Доставка"]),
            tagged(4, &[]),
        ],
        false,
        "op",
        Timestamp(1),
    )
    .expect("ingest");
    assert_eq!(
        counts(&s),
        vec![
            ("delivery".into(), 2),
            ("vip".into(), 1),
            ("доставка".into(), 1)
        ]
    );
    let ids = all_ids(&s, Filter::default());
    // ids are newest first: [4, 3, 2, 1].
    let up = |id, c: Change| {
        s.update(id, &c, None, "op", Timestamp(2)).expect("update");
    };
    up(ids[0], Change::AddTag("VIP".into()));
    // The same tag in another case is not added twice, and removes in any case.
    up(ids[0], Change::AddTag("vip".into()));
    up(ids[3], Change::RemoveTag("Vip".into()));
    up(ids[1], Change::AddTag("доставка".into()));
    // A status change keeps the tag counted (counts are of every inbox item).
    up(ids[2], Change::status(Status::Done));
    assert_eq!(
        counts(&s),
        vec![
            ("delivery".into(), 2),
            ("vip".into(), 1),
            ("доставка".into(), 1)
        ]
    );
    assert_eq!(s.get(ids[0]).expect("get").expect("some").tags, vec!["VIP"]);
    assert_eq!(s.tag_count("ДОСТАВКА").expect("count"), 1);
    up(ids[1], Change::RemoveTag("ДОСТАВКА".into()));
    assert_eq!(s.tag_count("доставка").expect("count"), 0);
    assert_eq!(s.check().expect("check"), Vec::<String>::new());
}

#[test]
fn a_tag_filter_finds_its_items_in_any_case() {
    let (_d, s) = open();
    let items: Vec<NewItem> = (0..300)
        .map(|n| tagged(n, if n % 100 == 7 { &["Refund"] } else { &[] }))
        .collect();
    s.ingest(&items, false, "op", Timestamp(1)).expect("ingest");
    let f = Filter {
        tag: Some("REFUND".into()),
        ..Default::default()
    };
    // The tag list drives (3 of 300): the page is whole in one read.
    assert!(s.tag_drives(&f));
    let found = all_ids(&s, f.clone());
    assert_eq!(found.len(), 3);
    let with_status = Filter {
        statuses: vec![Status::New],
        ..f
    };
    assert_eq!(all_ids(&s, with_status), found);
    // Unicode case: `ДОСТАВКА` finds `Доставка` (the list drives, and the post-filter agrees).
    s.ingest(&[tagged(400, &["Доставка"])], false, "op", Timestamp(1))
        .expect("ingest");
    let cyr = Filter {
        tag: Some("ДОСТАВКА".into()),
        ..Default::default()
    };
    assert_eq!(all_ids(&s, cyr).len(), 1);
}

#[test]
fn rename_merges_in_batches_with_an_audit_entry_per_item() {
    let (_d, s) = open();
    let mut items = Vec::new();
    for n in 0..25 {
        items.push(match n % 5 {
            0 => tagged(n, &["old", "new"]),
            1 => tagged(n, &["NEW"]),
            2 => tagged(n, &["x"]),
            _ => tagged(n, &["Old", "x"]),
        });
    }
    s.ingest(&items, false, "op", Timestamp(1)).expect("ingest");
    assert_eq!(s.tag_count("old").expect("n"), 20 - 5);
    let before: Vec<u64> = all_ids(&s, Filter::default())
        .iter()
        .map(|id| s.get(*id).expect("get").expect("item").version)
        .collect();
    // Batches of 4: 15 items in 4 batches, and one read finding the end.
    let (changed, merged, steps) = rename_all(&s, "OLD", "new", 4);
    assert_eq!((changed, merged), (15, 5));
    assert_eq!(steps, 4);
    assert_eq!(counts(&s), vec![("new".into(), 20), ("x".into(), 15)]);
    for id in all_ids(&s, Filter::default()) {
        let it = s.get(id).expect("get").expect("item");
        let n: u32 = it.native_id[1..].parse().expect("n");
        let want: Vec<&str> = match n % 5 {
            0 => vec!["new"],
            1 => vec!["NEW"],
            2 => vec!["x"],
            _ => vec!["new", "x"],
        };
        assert_eq!(it.tags, want, "item {n}");
    }
    let after: Vec<u64> = all_ids(&s, Filter::default())
        .iter()
        .map(|id| s.get(*id).expect("get").expect("item").version)
        .collect();
    let bumped = before.iter().zip(&after).filter(|(b, a)| a > b).count();
    assert_eq!(bumped, 15);
    let audit = s
        .audit_query(&crate::domain::audit::AuditQuery {
            operator: Some("anna".into()),
            limit: 100,
            ..Default::default()
        })
        .expect("audit");
    assert_eq!(audit.len(), 15);
    assert!(audit
        .iter()
        .all(|e| e.action == "tag-rename" && e.item.is_some()));
    let merged_one = audit
        .iter()
        .find(|e| e.before.as_deref() == Some("status=new v1 tags=old,new"))
        .expect("a merged item");
    assert_eq!(merged_one.after.as_deref(), Some("tags=new"));
    assert_eq!(s.check().expect("check"), Vec::<String>::new());
    // Nothing left to rename: one empty step.
    assert_eq!(rename_all(&s, "old", "new", 4), (0, 0, 1));
}

#[test]
fn a_case_only_rename_changes_every_item_once() {
    let (_d, s) = open();
    let items: Vec<NewItem> = (0..9).map(|n| tagged(n, &["vip"])).collect();
    s.ingest(&items, false, "op", Timestamp(1)).expect("ingest");
    assert_eq!(rename_all(&s, "vip", "VIP", 2), (9, 0, 5));
    for id in all_ids(&s, Filter::default()) {
        assert_eq!(s.get(id).expect("get").expect("item").tags, vec!["VIP"]);
    }
    assert_eq!(counts(&s), vec![("vip".into(), 9)]);
    assert_eq!(s.check().expect("check"), Vec::<String>::new());
}

#[test]
fn schema_7_stores_get_their_tag_lists_and_counts() {
    let d = tempfile::tempdir().expect("tmp");
    {
        let s = Store::open(d.path()).expect("open");
        s.ingest(
            &[tagged(1, &["vip", "Late"]), tagged(2, &["late"])],
            false,
            "op",
            Timestamp(1),
        )
        .expect("ingest");
        // As a store written before tags were indexed: no tag lists, no tag counters.
        let stale: Vec<sled::IVec> = s
            .db()
            .scan_prefix([keys::BY_TAG])
            .keys()
            .chain(
                s.db()
                    .scan_prefix(keys::counter(keys::counters::TAG_PREFIX))
                    .keys(),
            )
            .collect::<std::result::Result<_, _>>()
            .expect("keys");
        assert!(stale.len() >= 4);
        for k in stale {
            s.db().remove(k).expect("rm");
        }
        s.db()
            .insert(keys::meta("schema"), encode(&7u32).expect("enc"))
            .expect("schema");
        s.db().flush().expect("flush");
        assert!(!s.check().expect("check").is_empty());
    }
    let s = Store::open(d.path()).expect("reopen");
    assert_eq!(counts(&s), vec![("late".into(), 2), ("vip".into(), 1)]);
    assert_eq!(s.check().expect("check"), Vec::<String>::new());
    let f = Filter {
        tag: Some("LATE".into()),
        ..Default::default()
    };
    assert_eq!(all_ids(&s, f).len(), 2);
}
