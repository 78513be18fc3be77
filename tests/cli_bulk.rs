//! The real binary over many items: `--where`/`--status`/`--view` instead of an id, `--dry-run`
//! changes nothing, more than 50 items need a yes (refused without a terminal), `kith undo`.

mod cli_common;

use cli_common::Env;
use serde_json::Value;

/// 60 VK comments and 3 Telegram ones, imported; returns the env.
fn imported() -> Env {
    let env = Env::new();
    let mut lines = String::new();
    for i in 0..63 {
        let platform = if i < 60 { "vk" } else { "telegram" };
        lines.push_str(&format!(
            "{{\"platform\":\"{platform}\",\"account\":\"a_{platform}\",\"kind\":\"comment\",\
             \"native_id\":\"n{i}\",\"author\":{{\"id\":\"u{i}\",\"name\":\"Автор {i}\"}},\
             \"text\":\"где мой заказ {i}?\",\"created_at\":\"2026-03-14T09:{:02}:00Z\"}}\n",
            i % 60
        ));
    }
    let file = env.dir.path().join("items.jsonl");
    std::fs::write(&file, lines).expect("write");
    let (code, out, err) = env.run(&["import", &file.display().to_string()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Imported 63 items"), "{out}");
    env
}

fn all(env: &Env) -> Vec<Value> {
    env.json(&["inbox", "--json", "--view", "all", "--limit", "1000"])
}

fn count(env: &Env, status: &str) -> usize {
    all(env).iter().filter(|i| i["status"] == status).count()
}

#[test]
fn a_dry_run_lists_the_matches_and_changes_nothing() {
    let env = imported();
    let before = all(&env);
    let (code, out, err) = env.run(&["spam", "--status", "new", "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 64, "{out}");
    // Newest first: id, platform, author, the text's start.
    let first = &before[0];
    let id = first["id"].as_str().expect("id");
    assert!(
        lines[0].starts_with(&format!("* {id}  "))
            && lines[0].contains(first["platform"].as_str().expect("platform"))
            && lines[0].contains(first["author"]["name"].as_str().expect("name"))
            && lines[0].contains(first["text"].as_str().expect("text")),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[63],
        "matched 63: 63 would change, 0 already so, 0 skipped"
    );
    assert_eq!(all(&env), before, "a dry run changes nothing");
}

#[test]
fn more_than_fifty_items_need_a_yes_and_without_a_terminal_are_refused() {
    let env = imported();
    // assert_cmd-style: stdin is not a terminal.
    let (code, out, err) = env.run(&["done", "--status", "new"]);
    assert_eq!(code, 2, "{out}");
    assert_eq!(
        err.trim(),
        "kith: 63 items match; add --yes to change them (stdin is not a terminal, so kith cannot ask)"
    );
    assert_eq!(count(&env, "done"), 0, "nothing changed");
    let (code, out, err) = env.run(&["tag", "--status", "new", "--yes", "delivery"]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("matched 63: 63 changed, 0 already so, 0 skipped")
    );
    let hint = lines.next().expect("undo hint");
    let bulk = hint
        .strip_prefix("bulk ")
        .and_then(|h| h.split(';').next())
        .expect("bulk id")
        .to_string();
    assert_eq!(hint, format!("bulk {bulk}; kith undo {bulk} takes it back"));
    assert!(all(&env)
        .iter()
        .all(|i| i["tags"] == serde_json::json!(["delivery"])));
    // Every change is in the audit log with the bulk's id.
    let audit = env.json(&["audit", "--json", "--limit", "1000"]);
    let marked = audit
        .iter()
        .filter(|e| e["after"] == format!("tag+=delivery · bulk {bulk}").as_str())
        .count();
    assert_eq!(marked, 63);
    let (code, out, err) = env.run(&["undo", &bulk]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "undone 63 of 63, 0 skipped");
    assert!(all(&env).iter().all(|i| i["tags"] == serde_json::json!([])));
    let (code, _, err) = env.run(&["undo", &bulk]);
    assert_eq!(code, 2);
    assert!(err.contains("nothing left to undo"), "{err}");
}

#[test]
fn up_to_fifty_items_change_without_asking_and_one_id_still_works() {
    let env = imported();
    let first = all(&env)[0]["id"].as_str().expect("id").to_string();
    let (code, out, err) = env.run(&["done", &first]);
    assert_eq!(
        (code, out.trim()),
        (0, format!("{first} done (v2)").as_str()),
        "{err}"
    );
    let (code, out, err) = env.run(&["snooze", "--status", "done", "3h"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("matched 1: 1 changed"), "{out}");
    assert_eq!(count(&env, "snoozed"), 1);
    let (code, out, _) = env.run(&["assign", "--status", "snoozed", "tester"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("matched 1: 1 changed"), "{out}");
    let (code, _, err) = env.run(&["assign", "--status", "snoozed", "nobody-here"]);
    assert_eq!(code, 2);
    assert!(err.contains("nobody-here is not on the team"), "{err}");
    // Removing a tag nobody has changes nothing.
    let (code, out, _) = env.run(&["tag", "--remove", "--view", "snoozed", "--dry-run", "x"]);
    assert_eq!(code, 0);
    assert!(
        out.ends_with("matched 1: 0 would change, 1 already so, 0 skipped\n"),
        "{out}"
    );
}

#[test]
fn an_id_and_where_together_or_neither_are_refused() {
    let env = imported();
    let (code, _, err) = env.run(&["done"]);
    assert_eq!(
        (code, err.trim()),
        (
            2,
            "kith: give an item id, or --where PATTERN (or --view, --status) for many"
        )
    );
    let (code, _, err) = env.run(&["done", "x", "--status", "new"]);
    assert_eq!(
        (code, err.trim()),
        (2, "kith: give an item id or --where, not both")
    );
    let (code, _, err) = env.run(&["tag", "--status", "new"]);
    assert_eq!((code, err.trim()), (2, "kith: missing TAG"));
    let (code, _, err) = env.run(&["spam", "--view", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("\"nope\""), "{err}");
    let (code, _, err) = env.run(&["undo", "not-a-bulk"]);
    assert_eq!(
        (code, err.trim()),
        (2, "kith: \"not-a-bulk\" is not a bulk id")
    );
}

/// LEAD: this test needs the pattern language (`Filter.pattern` read by the store). Until that
/// branch is merged the pattern is ignored and all 63 items match; remove the `#[ignore]`
/// after the merge and run it.
#[test]
#[ignore = "needs the pattern language branch merged"]
fn where_takes_a_pattern() {
    let env = imported();
    let (code, out, err) = env.run(&["done", "--where", "~p telegram", "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.ends_with("matched 3: 3 would change, 0 already so, 0 skipped\n"),
        "{out}"
    );
    let (code, out, err) = env.run(&["done", "--where", "~p telegram"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("matched 3: 3 changed"), "{out}");
    assert_eq!(count(&env, "done"), 3);
    let (code, out, err) = env.run(&["hide", "--where", "~p vk ~s new", "--yes"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("matched 60: 60 changed"), "{out}");
}
