//! Shift work through the real binary: handoff notes, the due order with response clocks, the
//! handoff summary, and a bad `[response_targets]` config refused with the key named.

mod cli_common;
use cli_common::Env;

#[test]
fn notes_are_kept_per_item_with_their_operator() {
    let e = Env::new();
    assert_eq!(e.run(&["--no-daemon", "demo"]).0, 0);
    let first = &e.json(&["inbox", "--limit", "1", "--json"])[0];
    let id = first["id"].as_str().expect("id");
    let (code, out, err) = e.run(&["--as", "ann", "note", id, "перезвонить в понедельник 📞"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), format!("note 1 added to {id}"));
    e.run(&["--as", "bob", "note", id, "客户很急"]);
    let notes = e.json(&["notes", id, "--json"]);
    let got: Vec<(&str, &str)> = notes
        .iter()
        .map(|n| {
            (
                n["operator"].as_str().unwrap_or(""),
                n["text"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![("ann", "перезвонить в понедельник 📞"), ("bob", "客户很急")]
    );
    // A note is not a change of the item: its version stays, so nobody's reply conflicts.
    let again = &e.json(&["inbox", "--limit", "1", "--json"])[0];
    assert_eq!(again["version"], 1);
    let (code, _, err) = e.run(&["note", id, "   "]);
    assert_eq!(code, 2);
    assert!(err.contains("a note needs some text"), "{err}");
    let (_, show, _) = e.run(&["show", id]);
    assert!(show.contains("✎") && show.contains("客户很急"), "{show}");
}

#[test]
fn due_order_and_handoff_follow_the_targets() {
    let e = Env::new();
    e.config("[response_targets]\ndm = \"5m\"\nreview = \"2d\"\n");
    assert_eq!(e.run(&["--no-daemon", "demo"]).0, 0);
    let due = e.json(&["inbox", "--due", "--limit", "400", "--json"]);
    let waiting = e.json(&["inbox", "--status", "new,open", "--limit", "1000", "--json"]);
    assert_eq!(due.len(), waiting.len(), "every waiting item, once");
    let at: Vec<&str> = due
        .iter()
        .map(|v| v["due_at"].as_str().unwrap_or(""))
        .collect();
    let mut sorted = at.clone();
    sorted.sort();
    assert_eq!(at, sorted, "most overdue first");
    for v in &due {
        let created = kith::domain::Timestamp::parse(v["created_at"].as_str().unwrap_or(""))
            .expect("created");
        let due_at =
            kith::domain::Timestamp::parse(v["due_at"].as_str().unwrap_or("")).expect("due");
        let target = match v["kind"].as_str() {
            Some("dm") => 5 * 60_000,
            Some("review") => 2 * 86_400_000,
            Some("quote") => 8 * 3_600_000,
            _ => 4 * 3_600_000,
        };
        assert_eq!(due_at.0 - created.0, target, "{v}");
    }
    let overdue = due.iter().filter(|v| v["overdue"] == true).count() as u64;
    let h = &e.json(&["handoff", "--json"])[0];
    assert_eq!(h["open"], waiting.len() as u64);
    assert_eq!(h["unassigned"], waiting.len() as u64);
    assert_eq!(h["overdue"], overdue);
    assert_eq!(h["partial"], false);
    let id = due[0]["id"].as_str().expect("id");
    assert_eq!(h["oldest"][0], id);
    e.run(&["--as", "ann", "claim", id]);
    let h = &e.json(&["handoff", "--json"])[0];
    assert_eq!(
        h["claimed"],
        serde_json::json!([{"operator": "ann", "items": 1}])
    );
    assert_eq!(h["unassigned"], waiting.len() as u64 - 1);
}

#[test]
fn bad_response_targets_name_the_key() {
    let e = Env::new();
    e.config("[response_targets]\ndm = \"soon\"\n");
    let (code, _, err) = e.run(&["inbox"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("response_targets.dm")
            && err.contains("\"soon\"")
            && err.contains("config.toml"),
        "{err}"
    );
    e.config("[response_targets]\nletter = \"1h\"\n");
    let (code, _, err) = e.run(&["inbox"]);
    assert_eq!(code, 2);
    assert!(err.contains("response_targets.letter"), "{err}");
}
