//! Store tests on a real sled database in a temp dir: ingest, reopening, the lock, the schema,
//! the consistency check, hostile text; and the helpers the store's test modules share.

use super::*;
use crate::domain::query::{Filter, ListQuery};
use crate::domain::{NewItem, Platform, Status, Timestamp};

pub(super) const T0: i64 = 1_760_000_000_000;

pub(super) fn store() -> (tempfile::TempDir, Store) {
    let d = tempfile::tempdir().expect("tmp");
    let s = Store::open(d.path()).expect("open");
    (d, s)
}

pub(super) fn item(n: u32, platform: Platform, text: &str) -> NewItem {
    NewItem::comment(
        platform,
        "acc",
        &format!("n{n}"),
        &format!("u{}", n % 3),
        text,
        Timestamp(T0 + n as i64 * 60_000),
    )
}

pub(super) fn ids(page: &crate::domain::query::Page) -> Vec<String> {
    page.items.iter().map(|i| i.native_id.clone()).collect()
}

pub(super) fn q(filter: Filter, limit: usize) -> ListQuery {
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
    // Take the item out of its block (both share one), leaving the other.
    let (k, v) = s.db().scan_prefix([keys::ITEM]).next().unwrap().unwrap();
    let rest: Vec<(crate::domain::ItemId, Vec<u8>)> = super::blocks::entries(&k, &v)
        .unwrap()
        .into_iter()
        .filter(|(i, _)| *i != id)
        .collect();
    assert_eq!(rest.len(), 1);
    s.db().remove(&k).expect("remove");
    s.db()
        .insert(keys::item(rest[0].0), rest[0].1.clone())
        .expect("put");
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
