//! `kith tag list` and `kith tag rename` through the real binary: counts per tag, a rename
//! that merges, the count printed, one audit entry per changed item, the store still sound.

#[path = "cli_common/mod.rs"]
mod cli_common;

use cli_common::Env;

/// Six comments: tags in several cases, one item with both names, Cyrillic and CJK tags.
fn import(env: &Env) {
    let rows = [
        ("c1", r#"["Delivery","vip"]"#),
        ("c2", r#"["delivery","shipping"]"#),
        ("c3", r#"["DELIVERY"]"#),
        ("c4", r#"["shipping"]"#),
        ("c5", r#"["Доставка","发货"]"#),
        ("c6", r#"[]"#),
    ];
    let mut body = String::new();
    for (i, (id, tags)) in rows.iter().enumerate() {
        body.push_str(&format!(
            r#"{{"platform":"vk","account":"club42","kind":"comment","native_id":"{id}","author":{{"id":"u{i}","name":"U{i}"}},"text":"text {i}","created_at":"2026-03-1{i}T09:00:00Z","tags":{tags}}}"#
        ));
        body.push('\n');
    }
    let file = env.dir.path().join("tagged.jsonl");
    std::fs::write(&file, body).expect("write");
    let (code, _, err) = env.run(&["import", file.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn tag_list_counts_every_case_as_one_tag() {
    let env = Env::new();
    let (code, out, _) = env.run(&["tag", "list"]);
    assert_eq!((code, out.as_str()), (0, "No tags yet.\n"));
    import(&env);
    let (code, out, err) = env.run(&["tag", "list"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "delivery       3\nshipping       2\nvip            1\nдоставка       1\n发货           1\n"
    );
    let lines = env.json(&["tag", "list", "--json"]);
    assert_eq!(lines[0], serde_json::json!({"tag": "delivery", "items": 3}));
    assert_eq!(lines.len(), 5);
}

#[test]
fn tag_rename_merges_prints_the_count_and_audits_each_item() {
    let env = Env::new();
    import(&env);
    let (code, out, err) = env.run(&["tag", "rename", "DELIVERY", "shipping"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "Renamed #DELIVERY to #shipping on 3 items (1 had both and keep #shipping once)\n"
    );
    let lines = env.json(&["tag", "list", "--json"]);
    let counts: Vec<(String, u64)> = lines
        .iter()
        .map(|l| {
            (
                l["tag"].as_str().expect("tag").to_string(),
                l["items"].as_u64().expect("n"),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [("shipping", 4), ("vip", 1), ("доставка", 1), ("发货", 1)]
            .map(|(t, n)| (t.to_string(), n))
    );
    // The inbox filtered by the new name (any case) finds all four; each carries it once.
    let items = env.json(&["inbox", "--json", "--tag", "SHIPPING"]);
    assert_eq!(items.len(), 4);
    for it in &items {
        let tags: Vec<&str> = it["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .map(|t| t.as_str().expect("tag"))
            .collect();
        assert_eq!(tags.iter().filter(|t| **t == "shipping").count(), 1, "{it}");
        assert!(
            !tags.iter().any(|t| t.eq_ignore_ascii_case("delivery")),
            "{it}"
        );
    }
    let audit = env.json(&["audit", "--json", "--operator", "tester"]);
    let renames: Vec<_> = audit
        .iter()
        .filter(|e| e["action"] == "tag-rename")
        .collect();
    assert_eq!(renames.len(), 3);
    assert!(renames.iter().all(|e| e["item"].is_string()), "{renames:?}");
    // Renaming what no item carries changes nothing; a bad name is refused.
    let (code, out, _) = env.run(&["tag", "rename", "nothing", "x", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!(v["items"], 0);
    let (code, _, err) = env.run(&["tag", "rename", "vip", "   "]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot be a tag"), "{err}");
    // Adding a tag by item still works beside the subcommands.
    let id = items[0]["id"].as_str().expect("id");
    let (code, _, err) = env.run(&["tag", id, "Vip"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = env.run(&["doctor", "--verify"]);
    assert_eq!(code, 0, "{out}{err}");
}
