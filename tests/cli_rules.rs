//! `kith rules check|test|apply` through the real binary: every mistake with its place and a
//! caret, counts per rule with examples, and the rules run over stored items as one undoable
//! bulk (their changes and the drafts they prepare taken back together).

mod cli_common;

use cli_common::Env;
use serde_json::Value;

fn conf(env: &Env, name: &str) -> std::path::PathBuf {
    env.dir.path().join("config/kith").join(name)
}

/// Four comments (two asking about delivery), imported before any rule exists.
fn imported() -> Env {
    let env = Env::new();
    let texts = [
        "Где мой заказ? доставка третий день",
        "доставка в Казань есть?",
        "thanks, love it",
        "crypto giveaway!!!",
    ];
    let mut lines = String::new();
    for (i, text) in texts.iter().enumerate() {
        lines.push_str(&format!(
            "{{\"platform\":\"vk\",\"account\":\"shop\",\"kind\":\"comment\",\"native_id\":\"n{i}\",\
             \"author\":{{\"id\":\"u{i}\",\"name\":\"Автор {i}\"}},\"text\":\"{text}\",\
             \"created_at\":\"2026-03-14T09:0{i}:00Z\"}}\n"
        ));
    }
    let file = env.dir.path().join("items.jsonl");
    std::fs::write(&file, lines).expect("write");
    let (code, _, err) = env.run(&["import", &file.display().to_string()]);
    assert_eq!(code, 0, "{err}");
    env
}

fn item(env: &Env, text_start: &str) -> Value {
    let all = env.json(&["inbox", "--json", "--view", "all", "--limit", "100"]);
    all.into_iter()
        .find(|i| {
            i["text"]
                .as_str()
                .is_some_and(|t| t.starts_with(text_start))
        })
        .expect("item")
}

#[test]
fn check_reports_every_mistake_with_its_place_and_a_caret() {
    let env = Env::new();
    let path = conf(&env, "rules.toml");
    std::fs::write(
        &path,
        "[[rule]]\nname = \"delivery\"\nwhen = \"~p vkk доставка\"\nthen = [\"tag:delivery\", \"explode\"]\n",
    )
    .expect("write");
    let (code, out, _) = env.run(&["rules", "check"]);
    assert_eq!(code, 1, "{out}");
    let shown = path.display();
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with(&format!(
            "{shown}:3:12: rule \"delivery\": unknown platform \"vkk\" at 4: one of mastodon"
        )),
        "{out}"
    );
    assert_eq!(lines[1], "    when = \"~p vkk доставка\"");
    assert_eq!(lines[2], "               ^");
    assert_eq!(
        lines[3],
        format!("{shown}:4:25: unknown action \"explode\" (tag:, assign:, spam, hide, snooze:, priority, draft:)")
    );
    assert_eq!(lines[5], "                            ^");
    assert_eq!(
        lines[6],
        "2 mistakes: the engine keeps the rules in force before this file"
    );
    // A draft naming no saved reply (the bundled replies when there is no replies.toml).
    std::fs::write(
        &path,
        "[[rule]]\nname = \"delivery\"\nwhen = \"доставка\"\nthen = [\"draft:Nope\"]\n",
    )
    .expect("write");
    let (code, out, _) = env.run(&["rules", "check"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with(&format!(
            "{shown}:4:9: rule \"delivery\": draft:Nope names no saved reply (replies.toml has: "
        )),
        "{out}"
    );
    std::fs::write(
        &path,
        "[[rule]]\nname = \"delivery\"\nwhen = \"доставка\"\nthen = [\"tag:delivery\"]\n",
    )
    .expect("write");
    let (code, out, _) = env.run(&["rules", "check"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out,
        format!("{shown}: 1 rules, no mistakes\n  {shown}:1  delivery  доставка  → tag:delivery\n")
    );
}

#[test]
fn test_counts_each_rules_matches_and_apply_is_one_undoable_bulk_with_drafts() {
    let env = imported();
    std::fs::write(
        conf(&env, "replies.toml"),
        "[[reply]]\nname = \"where\"\ntext = \"{name}, заказ в пути.\"\n",
    )
    .expect("write");
    std::fs::write(
        conf(&env, "rules.toml"),
        "[[rule]]\nname = \"delivery\"\nwhen = \"доставка\"\nthen = [\"tag:delivery\", \"assign:anna\", \"draft:where\"]\n\n[[rule]]\nname = \"crypto\"\nwhen = \"crypto*\"\nthen = [\"spam\"]\n",
    )
    .expect("write");
    let tests = env
        .json(&["rules", "test", "--since", "3000d", "--json"])
        .remove(0);
    let counts: Vec<(String, u64)> = tests
        .as_array()
        .expect("array")
        .iter()
        .map(|r| {
            (
                r["name"].as_str().expect("name").to_string(),
                r["count"].as_u64().expect("count"),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [("delivery".to_string(), 2), ("crypto".to_string(), 1)]
    );
    let (code, out, _) = env.run(&["rules", "test", "--since", "3000d"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "delivery  ████████████████████ 2 items");
    assert_eq!(
        lines[1],
        "  доставка → tag:delivery, assign:anna, draft:where"
    );
    // Without --where nothing is touched.
    let (code, _, err) = env.run(&["rules", "apply"]);
    assert_eq!(code, 2);
    assert!(err.contains("--where PATTERN"), "{err}");
    let (code, out, err) = env.run(&["rules", "apply", "--where", "~p vk"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("matched 4: 3 changed, 1 already so, 0 skipped\n"),
        "{out}"
    );
    let bulk = out
        .split("kith undo ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect("bulk id")
        .to_string();
    let asked = item(&env, "доставка в Казань");
    assert_eq!(asked["tags"], serde_json::json!(["delivery"]));
    assert_eq!(asked["assignee"], "anna");
    assert_eq!(asked["rules"], serde_json::json!(["delivery"]));
    assert_eq!(item(&env, "crypto")["status"], "spam");
    assert_eq!(item(&env, "thanks")["tags"], serde_json::json!([]));
    let data = env.data();
    let id = asked["id"].as_str().expect("id").to_string();
    let draft = |env: &Env| {
        let store = kith::store::Store::open(&data).expect("store");
        let d = store
            .draft(id.parse().expect("id"))
            .expect("read")
            .map(|d| d.text);
        drop(store);
        let _ = env;
        d
    };
    assert_eq!(draft(&env).as_deref(), Some("Автор 1, заказ в пути."));
    let (code, out, err) = env.run(&["undo", &bulk]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "undone 3 of 3, 0 skipped\n");
    let asked = item(&env, "доставка в Казань");
    assert_eq!(
        (&asked["tags"], &asked["assignee"], &asked["rules"]),
        (&serde_json::json!([]), &Value::Null, &serde_json::json!([]))
    );
    assert_eq!(item(&env, "crypto")["status"], "new");
    assert_eq!(draft(&env), None);
    // A broken file: a test says so and counts the rules still in force; an apply refuses.
    let rules = conf(&env, "rules.toml");
    std::fs::write(
        &rules,
        "[[rule]]\nname = \"x\"\nwhen = \"~p vkk\"\nthen = [\"spam\"]\n",
    )
    .expect("write");
    let (code, out, _) = env.run(&["rules", "test", "--since", "3000d"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "{} has mistakes (kith rules check); counting the rules still in force:",
            rules.display()
        )
    );
    assert!(
        lines[1].starts_with(&format!("  {}:3:12: ", rules.display())),
        "{out}"
    );
    // A fresh process has no rules from before: nothing in force.
    assert_eq!(
        lines[2],
        "No rules in force (rules.toml beside the config is missing or empty)."
    );
    let (code, _, err) = env.run(&["rules", "apply", "--where", "~p vk", "--yes"]);
    assert_eq!(code, 2);
    assert!(err.contains("are not in force"), "{err}");
}
