//! `kith view list|save|delete|move` and `kith inbox --view NAME` through the real binary:
//! counts per view, a bad pattern refused with its position, the order kept, the operator's
//! own views from `[views]` after the team's, fixed view names winning over saved ones.

#[path = "cli_common/mod.rs"]
mod cli_common;

use cli_common::Env;

/// Five comments: two asking about delivery, one of them done; three others.
fn import(env: &Env) {
    let rows = [
        ("c1", "where is my delivery", "new"),
        ("c2", "delivery is late", "done"),
        ("c3", "thanks a lot", "new"),
        ("c4", "love it", "new"),
        ("c5", "spam spam", "spam"),
    ];
    let mut body = String::new();
    for (i, (id, text, status)) in rows.iter().enumerate() {
        body.push_str(&format!(
            r#"{{"platform":"vk","account":"club42","kind":"comment","native_id":"{id}","author":{{"id":"u{i}","name":"U{i}"}},"text":"{text}","created_at":"2026-03-1{i}T09:00:00Z","status":"{status}"}}"#
        ));
        body.push('\n');
    }
    let file = env.dir.path().join("items.jsonl");
    std::fs::write(&file, body).expect("write");
    let (code, _, err) = env.run(&["import", file.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{err}");
}

fn ids(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            Some(v["native_id"].as_str()?.to_string())
        })
        .collect()
}

#[test]
fn views_are_saved_counted_ordered_and_deleted() {
    let env = Env::new();
    let (code, out, _) = env.run(&["view", "list"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "No saved views yet: kith view save NAME PATTERN\n")
    );
    import(&env);
    let (code, out, err) = env.run(&["view", "save", "Delivery", "delivery"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "Saved view \"Delivery\".\n"),
        "{err}"
    );
    let (code, _, err) = env.run(&["view", "save", "Waiting", "~s new|open"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = env.run(&["view", "save", "DELIVERY", "delivery !~s done"]);
    assert_eq!((code, out.as_str()), (0, "Replaced view \"DELIVERY\".\n"));

    let (code, out, err) = env.run(&["view", "list"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "DELIVERY       1  team    delivery !~s done\nWaiting        3  team    ~s new|open\n"
    );

    let (code, out, _) = env.run(&["view", "move", "waiting", "up"]);
    assert_eq!((code, out.as_str()), (0, "Moved view \"waiting\".\n"));
    let (code, out, _) = env.run(&["view", "move", "waiting", "up"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "View \"waiting\" cannot move further.\n")
    );
    let lines = env.json(&["view", "list", "--json"]);
    let names: Vec<&str> = lines.iter().filter_map(|l| l["name"].as_str()).collect();
    assert_eq!(names, ["Waiting", "DELIVERY"]);
    assert_eq!(lines[0]["count"], 3);
    assert_eq!(lines[0]["shared"], true);
    assert_eq!(lines[0]["saved_by"], "tester");

    // `inbox --view` takes a saved view's name in any case.
    let (code, out, err) = env.run(&["inbox", "--view", "delivery", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(ids(&out), ["c1"]);

    let (code, out, _) = env.run(&["view", "delete", "Delivery"]);
    assert_eq!((code, out.as_str()), (0, "Deleted view \"Delivery\".\n"));
    let (code, _, err) = env.run(&["view", "delete", "Delivery"]);
    assert_ne!(code, 0);
    assert!(err.contains("no saved view is named \"Delivery\""), "{err}");
    let (code, _, err) = env.run(&["audit", "--json"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_bad_pattern_is_refused_with_its_position() {
    let env = Env::new();
    let (code, out, err) = env.run(&["view", "save", "x", "~s new ~q"]);
    assert_ne!(code, 0);
    assert_eq!(out, "");
    assert!(err.contains("unknown condition \"~q\" at 8"), "{err}");
    // The pattern with a caret under the character that went wrong.
    assert!(err.contains("  ~s new ~q\n         ^\n"), "{err:?}");
    let (_, out, _) = env.run(&["view", "list"]);
    assert_eq!(out, "No saved views yet: kith view save NAME PATTERN\n");
    let (code, _, err) = env.run(&["view", "move", "x", "sideways"]);
    assert_ne!(code, 0);
    assert!(err.contains("\"sideways\": say up or down"), "{err}");
}

#[test]
fn own_views_from_config_follow_and_fixed_names_win() {
    let env = Env::new();
    import(&env);
    let cfg = env.dir.path().join("config/kith/config.toml");
    std::fs::write(
        &cfg,
        "[views]\n\"Thanks\" = \"thanks\"\nspam = \"~s new\"\n",
    )
    .expect("config");
    let (code, _, err) = env.run(&["view", "save", "done", "~s new"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = env.run(&["view", "list"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "done         3  team    ~s new\nThanks       1  own     thanks\nspam         3  own     ~s new\n"
    );
    // `done` and `spam` are fixed views: they win over saved views of the same name.
    let (_, out, _) = env.run(&["inbox", "--view", "done", "--json"]);
    assert_eq!(ids(&out), ["c2"]);
    let (_, out, _) = env.run(&["inbox", "--view", "spam", "--json"]);
    assert_eq!(ids(&out), ["c5"]);
    let (_, out, _) = env.run(&["inbox", "--view", "thanks", "--json"]);
    assert_eq!(ids(&out), ["c3"]);

    // A bad view in the config names its file, line and key.
    std::fs::write(&cfg, "[views]\nok = \"~s new\"\nbad = \"~k nope\"\n").expect("config");
    let (code, _, err) = env.run(&["view", "list"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("config.toml:3: key `views.bad`: unknown kind \"nope\" at 4"),
        "{err}"
    );
}
