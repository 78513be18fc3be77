//! A store written by kith at schema 8 (`tests/fixtures/store-v8`, made by its `make.sh`) opens
//! with today's code with nothing lost: the store check and the audit chain hold, and items,
//! statuses, tags, rules' effects, notes, a saved view and scheduled posts are all there as the
//! manifest recorded them, before and after its items are packed into blocks (schema 9) and its
//! native ids moved into buckets (schema 10).

mod cli_common;

use cli_common::Env;
use kith::store::Store;
use serde_json::Value;
use std::collections::BTreeMap;

fn unpacked() -> Env {
    let env = Env::new();
    let tarball = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/store-v8/store-v8.tar.gz"
    );
    let ok = std::process::Command::new("tar")
        .arg("-C")
        .arg(env.dir.path())
        .args(["-xzf", tarball])
        .status()
        .expect("tar")
        .success();
    assert!(ok, "unpacking {tarball}");
    env
}

#[test]
fn a_schema_8_store_opens_with_nothing_lost() {
    let env = unpacked();
    let manifest: Value =
        serde_json::from_str(include_str!("fixtures/store-v8/manifest.json")).expect("manifest");
    // One key per item, as schema 8 wrote them. The store reads as it is, then is packed into
    // blocks (issue 20; the engine does this in the background at start), and then everything
    // below holds.
    let keys = |s: &Store| s.item_keys().expect("keys");
    let (before, saved) = {
        let store = Store::open(&env.data()).expect("open");
        assert_eq!(store.check().expect("check"), Vec::<String>::new());
        let before = keys(&store);
        let mut batches = 0;
        let saved = store.pack_items(&mut |_, _| batches += 1).expect("pack");
        assert!(batches > 0);
        assert_eq!(store.pack_items(&mut |_, _| {}).expect("again"), 0, "once");
        assert_eq!(keys(&store), before - saved);
        assert_eq!(store.check().expect("check"), Vec::<String>::new());
        // Then its native ids, one key each, move into hashed buckets (schema 10).
        let moved = store.bucket_natives(&mut |_, _| {}).expect("bucket");
        assert_eq!(moved, before, "every item's own native id moves");
        assert_eq!(
            store.bucket_natives(&mut |_, _| {}).expect("again"),
            0,
            "once"
        );
        assert_eq!(store.check().expect("check"), Vec::<String>::new());
        (before, saved)
    };
    assert_eq!(before, manifest["items"].as_u64().expect("items"));
    assert!(saved * 10 > before * 9, "{saved} keys saved of {before}");
    // Compacted through a running engine (the real socket), then checked: everything below
    // reads the compacted store.
    let served = env.serve(&[]);
    let (code, out, err) = env.run(&["doctor", "--compact", "--verify"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Compacted: "), "{out}");
    assert!(out.contains("Store check: consistent"), "{out}");
    assert!(err.contains("compacting: "), "progress on stderr: {err}");
    env.stop(served);
    for left in ["store.compact", "store.compact.done", "store.old"] {
        assert!(!env.data().join(left).exists(), "{left} left behind");
    }
    let items = env.json(&[
        "--no-daemon",
        "inbox",
        "--view",
        "all",
        "--limit",
        "10000",
        "--json",
    ]);
    assert_eq!(
        items.len() as u64,
        manifest["items"].as_u64().expect("items")
    );
    let mut status: BTreeMap<String, u64> = BTreeMap::new();
    let mut tags: BTreeMap<String, u64> = BTreeMap::new();
    for i in &items {
        *status
            .entry(i["status"].as_str().expect("s").into())
            .or_default() += 1;
        for t in i["tags"].as_array().expect("tags") {
            *tags.entry(t.as_str().expect("t").into()).or_default() += 1;
        }
    }
    let want = |k: &str| -> BTreeMap<String, u64> {
        manifest[k]
            .as_object()
            .expect(k)
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().expect("n")))
            .collect()
    };
    assert_eq!(status, want("status"));
    assert_eq!(tags, want("tags"));
    let ruled = items
        .iter()
        .filter(|i| i["rules"] != serde_json::json!([]))
        .count();
    assert_eq!(ruled as u64, manifest["ruled"].as_u64().expect("ruled"));
    let assigned = items.iter().filter(|i| !i["assignee"].is_null()).count();
    assert_eq!(
        assigned as u64,
        manifest["assigned"].as_u64().expect("assigned")
    );
    // The tagged item keeps its note; the saved view and both posts are there.
    let tagged = items
        .iter()
        .find(|i| {
            i["tags"]
                .as_array()
                .is_some_and(|t| t.iter().any(|x| x == "fixture-тег"))
        })
        .expect("the tagged item");
    let (_, notes, _) = env.run(&["--no-daemon", "notes", tagged["id"].as_str().expect("id")]);
    assert!(notes.contains("заметка для смены 交接"), "{notes}");
    let (_, views, _) = env.run(&["--no-daemon", "view", "list"]);
    assert!(views.starts_with("Отзывы 1–2"), "{views}");
    assert!(views.contains("~k review ~r <=2"), "{views}");
    let (_, posts, _) = env.run(&["--no-daemon", "schedule"]);
    assert!(
        posts
            .contains("Tue 2030-01-01 09:00 UTC  scheduled  lumo@mastodon.social  Fixture post 🚀"),
        "{posts}"
    );
    assert!(posts.contains("Fixture draft"), "{posts}");
}
