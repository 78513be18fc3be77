//! SIGKILL during import, again and again: after every kill the store opens, every list entry has
//! its item and every counter matches the items, and every stored item carries exactly the
//! effects of the inbox rules it matches (tag, name, prepared draft: one batch with the item);
//! finishing the import then gives every item exactly once. `KITH_CRASH_ROUNDS` sets the number
//! of kills (default 4; CI runs the default).

use kith::domain::member::{Period, ACTS};
use kith::domain::ranking::RankQuery;
use kith::domain::Timestamp;
use kith::engine::api::{Filter, ListQuery};
use kith::store::Store;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ITEMS: u64 = 30_000;

fn kith(data: &std::path::Path, home: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kith"));
    c.env_clear()
        .env("HOME", home)
        .env("LANG", "C.UTF-8")
        .arg("--data-dir")
        .arg(data)
        .arg("--config")
        .arg(home.join("config.toml"));
    c
}

const RULES: &str = r#"
[[rule]]
name = "courier"
when = "courier | курьер"
then = ["tag:r-courier", "draft:courier"]

[[rule]]
name = "zh delivery"
when = "快递 | 物流"
then = ["tag:r-delivery", "priority"]
"#;

const REPLIES: &str = r#"
[[reply]]
name = "courier"
text = "{name}, we are on it."
"#;

/// Every stored item carries the effects of exactly the rules it matches; returns how many
/// items the rules touched.
fn rules_in_their_batch(store: &Store, round: u32) -> u64 {
    let rules = kith::domain::rules::parse(RULES).expect("rules");
    let ctx = kith::domain::pattern::PatternCtx::default();
    let mut after = None;
    let mut touched = 0;
    loop {
        let q = ListQuery {
            filter: Filter::default(),
            after,
            before: None,
            limit: 5000,
        };
        let page = store.list(&q).expect("list");
        for item in &page.items {
            let mut expect_rules = Vec::new();
            for r in &rules.rules {
                if r.when.matches(item, &ctx) {
                    expect_rules.push(r.name.clone());
                }
            }
            assert_eq!(item.rules, expect_rules, "round {round}: {}", item.id);
            let ruled_tags: Vec<&str> = item
                .tags
                .iter()
                .map(String::as_str)
                .filter(|t| t.starts_with("r-"))
                .collect();
            let expect_tags: Vec<&str> = expect_rules
                .iter()
                .map(|r| {
                    if r == "courier" {
                        "r-courier"
                    } else {
                        "r-delivery"
                    }
                })
                .collect();
            assert_eq!(ruled_tags, expect_tags, "round {round}: {}", item.id);
            assert_eq!(
                item.priority,
                u8::from(expect_rules.iter().any(|r| r == "zh delivery")),
                "round {round}: {}",
                item.id
            );
            let draft = store.draft(item.id).expect("draft");
            assert_eq!(
                draft.is_some(),
                expect_rules.iter().any(|r| r == "courier") && item.why_no_reply().is_none(),
                "round {round}: {}",
                item.id
            );
            if let Some(d) = draft {
                assert!(d.text.ends_with(", we are on it."), "{}", d.text);
            }
            touched += u64::from(!expect_rules.is_empty());
        }
        if !page.more {
            return touched;
        }
        after = page.cursor;
    }
}

fn count_all(store: &Store) -> u64 {
    let mut after = None;
    let mut n = 0;
    loop {
        let q = ListQuery {
            filter: Filter::default(),
            after,
            before: None,
            limit: 5000,
        };
        let page = store.list(&q).expect("list");
        n += page.items.len() as u64;
        if !page.more {
            return n;
        }
        after = page.cursor;
    }
}

/// A ranking row as compared: author id, score × 1000, counts by kind.
type Row = (String, u64, [u64; ACTS]);

#[test]
fn sigkill_mid_import_never_leaves_a_half_written_item() {
    let rounds: u32 = std::env::var("KITH_CRASH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("items.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&file).expect("create"));
    for item in kith::engine::synthetic::synthetic(ITEMS, 3, Timestamp::now()) {
        writeln!(f, "{}", serde_json::to_string(&item).expect("json")).expect("write");
    }
    f.flush().expect("flush");
    drop(f);
    let data = dir.path().join("data");
    std::fs::write(dir.path().join("config.toml"), "").expect("config");
    std::fs::write(dir.path().join("rules.toml"), RULES).expect("rules");
    std::fs::write(dir.path().join("replies.toml"), REPLIES).expect("replies");
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut killed_mid_way = 0;
    for round in 0..rounds {
        let mut child = kith(&data, dir.path())
            .arg("import")
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let wait = Duration::from_millis(150 + seed % 1200);
        let start = Instant::now();
        while start.elapsed() < wait {
            if child.try_wait().expect("poll").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let finished = child.try_wait().expect("poll").is_some();
        child.kill().ok();
        child.wait().expect("reap");
        if !finished {
            killed_mid_way += 1;
        }
        let store = Store::open(&data).expect("the store opens after SIGKILL");
        let problems = store.check().expect("check");
        assert!(problems.is_empty(), "round {round}: {problems:?}");
        let total = store.overview().expect("overview").total;
        assert_eq!(
            count_all(&store),
            total,
            "round {round}: listed items differ from the counter"
        );
        assert!(total <= ITEMS);
        rules_in_their_batch(&store, round);
    }
    assert!(
        killed_mid_way > 0,
        "no kill landed mid-import; the test proved nothing"
    );
    let out = kith(&data, dir.path())
        .arg("import")
        .arg(&file)
        .output()
        .expect("finish");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = Store::open(&data).expect("open");
    assert_eq!(store.check().expect("check"), Vec::<String>::new());
    assert_eq!(store.overview().expect("overview").total, ITEMS);
    assert_eq!(count_all(&store), ITEMS);
    // Member counts survived the kills too (a kill may land mid-settle, between its counts
    // and its ranking): the ranking read now equals one rebuilt from the items.
    let now = Timestamp::now();
    let tops = |store: &Store| -> Vec<(u64, Vec<Row>)> {
        Period::ALL
            .iter()
            .map(|period| {
                let q = RankQuery {
                    period: *period,
                    limit: 200,
                    ..RankQuery::default()
                };
                let r = store.members_top(&q, now).expect("rank");
                let rows = r
                    .rows
                    .iter()
                    .map(|row| {
                        let name = row
                            .members
                            .first()
                            .map(|h| h.author_id.clone())
                            .unwrap_or_default();
                        (name, (row.score * 1000.0).round() as u64, row.counts)
                    })
                    .collect();
                (r.day as u64, rows)
            })
            .collect()
    };
    let settled = tops(&store);
    assert_eq!(store.members_unsettled().expect("n"), 0);
    assert_eq!(store.members_unranked().expect("n"), 0);
    assert!(settled.iter().all(|(_, rows)| !rows.is_empty()));
    store.rebuild_members(now, &mut |_, _| {}).expect("rebuild");
    assert_eq!(
        settled,
        tops(&store),
        "the settled ranking differs from a rebuild"
    );
    let touched = rules_in_their_batch(&store, rounds);
    assert!(touched > 100, "the rules touched only {touched} items");
    eprintln!("{rounds} kills ({killed_mid_way} mid-import): {touched} of {ITEMS} items touched by rules, each with all its effects");
}
