//! `kith members` through the real binary: the ranking per period and platform, an explanation
//! whose parts add up to the score, links counting as one person, tags, a repeat reward refused,
//! CSV export, naming by handle (and an ambiguous one refused), suggestions, rebuild with
//! progress, and weights from config (a bad one named).

mod cli_common;

use cli_common::Env;
use serde_json::Value;

const DAY: i64 = 86_400;

/// Writes a JSONL import of items `days` ago: (platform, author id, handle, name, kind, days).
fn import(e: &Env, rows: &[(&str, &str, &str, &str, &str, i64)]) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let mut body = String::new();
    for (n, (platform, id, handle, name, kind, days)) in rows.iter().enumerate() {
        let v = serde_json::json!({
            "platform": platform,
            "account": "brand",
            "kind": kind,
            "native_id": format!("n{n}"),
            "author": {"id": id, "handle": handle, "name": name, "followers": 1000 * (n + 1)},
            "text": format!("text {n}"),
            "created_at": now - days * DAY - n as i64,
        });
        body.push_str(&v.to_string());
        body.push('\n');
    }
    let file = e.dir.path().join("items.jsonl");
    std::fs::write(&file, body).expect("write");
    let (code, _, err) = e.run(&["--no-daemon", "import", file.to_str().expect("path")]);
    assert_eq!(code, 0, "{err}");
}

fn names(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["name"].as_str().expect("name").to_string())
        .collect()
}

fn community(e: &Env) {
    import(
        e,
        &[
            ("vk", "101", "anna_k", "Анна", "review", 1),
            ("vk", "101", "anna_k", "Анна", "comment", 2),
            (
                "mastodon",
                "m7",
                "anna_k@mastodon.social",
                "Anna K",
                "reply",
                0,
            ),
            (
                "mastodon",
                "m7",
                "anna_k@mastodon.social",
                "Anna K",
                "reply",
                3,
            ),
            ("telegram", "t9", "wei", "王伟", "dm", 0),
            ("telegram", "t9", "wei", "王伟", "comment", 40),
            ("telegram", "t9", "wei", "王伟", "comment", 41),
            (
                "bluesky",
                "did:plc:x",
                "wei.bsky.social",
                "Wei",
                "mention",
                5,
            ),
        ],
    );
}

#[test]
fn ranking_explanations_links_tags_rewards_and_export() {
    let e = Env::new();
    community(&e);
    // 7 days: Анна (review 5, comment 3), Anna K (two replies), 王伟 (a DM today), Wei (a
    // mention 5 days ago, decayed).
    let week = e.json(&["members", "--period", "7d", "--json"]);
    assert_eq!(names(&week), ["Анна", "Anna K", "王伟", "Wei"]);
    assert_eq!(week[0]["rank"], 1);
    assert_eq!(week[0]["interactions"]["review"], 1);
    assert_eq!(week[0]["accounts"][0]["platform"], "vk");
    // 90 days also sees 王伟's comments of 40 days ago.
    let q = e.json(&["members", "--period", "90d", "--json"]);
    let wei = q.iter().find(|r| r["name"] == "王伟").expect("wei");
    assert_eq!(wei["interactions"]["comment"], 2);
    // One platform only.
    let tg = e.json(&["members", "--platform", "telegram", "--json"]);
    assert_eq!(names(&tg), ["王伟"]);
    // The explanation's points add up to the score, exactly.
    let x = &e.json(&[
        "members",
        "--period",
        "90d",
        "--explain",
        "anna_k",
        "--json",
    ])[0];
    let parts = x["parts"].as_array().expect("parts");
    assert_eq!(parts.len(), 2);
    let sum: f64 = parts
        .iter()
        .map(|p| p["points"].as_f64().expect("pts"))
        .sum();
    assert_eq!(sum, x["score"].as_f64().expect("score"));
    assert_eq!(parts[0]["kind"], "review");
    assert_eq!(parts[0]["platform"], "vk");
    assert_eq!(parts[0]["count"], 1);
    // "wei" is a handle on Telegram and the start of one on Bluesky: only exact handles match;
    // "anna" matches nobody exactly and is refused with what to type instead.
    let (code, _, err) = e.run(&["members", "--explain", "anna", "--json"]);
    assert_eq!(code, 2);
    assert!(err.contains("no member anna"), "{err}");
    // Suggestions pair the two Weis and the two Annas, across platforms.
    let sugg = e.json(&["members", "suggest", "--json"]);
    assert_eq!(sugg.len(), 2, "{sugg:?}");
    // Link Анна's two accounts: they rank as one person with both parts.
    let (code, out, err) = e.run(&["members", "link", "vk:anna_k", "anna_k@mastodon.social"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Linked"), "{out}");
    let week = e.json(&["members", "--period", "7d", "--json"]);
    assert_eq!(names(&week)[0], "Анна");
    assert_eq!(week[0]["accounts"].as_array().expect("accounts").len(), 2);
    assert_eq!(week.len(), 3);
    let x = &e.json(&["members", "--period", "7d", "--explain", "anna_k", "--json"])[0];
    let kinds: Vec<(&str, &str)> = x["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap_or(""),
                p["platform"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [("reply", "mastodon"), ("review", "vk"), ("comment", "vk")]
    );
    assert_eq!(e.json(&["members", "suggest", "--json"]).len(), 1);
    // Tags filter; a second reward is refused with the first one's date (exit 6).
    let (code, _, err) = e.run(&["members", "tag", "wei", "opinion leader"]);
    assert_eq!(code, 0, "{err}");
    let tagged = e.json(&["members", "--tag", "Opinion Leader", "--json"]);
    assert_eq!(names(&tagged), ["王伟"]);
    assert_eq!(e.run(&["members", "reward", "wei", "mug"]).0, 0);
    let (code, _, err) = e.run(&["members", "reward", "telegram:wei", "hoodie"]);
    assert_eq!(code, 6);
    assert!(
        err.contains("already rewarded on") && err.contains("mug"),
        "{err}"
    );
    assert_eq!(
        e.run(&["members", "reward", "wei", "hoodie", "--again"]).0,
        0
    );
    let (code, out, _) = e.run(&["members", "show", "wei"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("rewarded on") && out.contains("hoodie"),
        "{out}"
    );
    assert!(
        out.contains("maybe the same person: bluesky:wei.bsky.social"),
        "{out}"
    );
    // CSV for a giveaway: a header, one line per person, formulas defused.
    let (code, csv, _) = e.run(&["members", "--period", "7d", "--csv"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("rank,id,name,accounts,platforms,score"),
        "{csv}"
    );
    assert_eq!(lines.len(), 4);
    assert!(lines[1].starts_with("1,m"), "{csv}");
    // Unlink splits them again.
    assert_eq!(e.run(&["members", "unlink", "anna_k@mastodon.social"]).0, 0);
    assert_eq!(e.json(&["members", "--period", "7d", "--json"]).len(), 4);
    // The audit log has every member change under its operator.
    let audit = e.json(&["audit", "--json", "--limit", "100"]);
    let member_changes = audit
        .iter()
        .filter(|a| a["action"].as_str().unwrap_or("").starts_with("member-"))
        .count();
    assert_eq!(member_changes, 5);
}

#[test]
fn rebuild_reports_progress_and_weights_come_from_config() {
    let e = Env::new();
    community(&e);
    let before = e.json(&["members", "--period", "all", "--json"]);
    let (code, out, err) = e.run(&["members", "rebuild"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Rebuilt 4 members"), "{out}");
    assert!(err.contains("members: 8 of 8 items · 100%"), "{err}");
    assert_eq!(e.json(&["members", "--period", "all", "--json"]), before);
    // DMs weigh 50 and nothing decays: 王伟 leads all time; the change re-scores at start.
    e.config("[members]\nhalf_life_days = 0\n[members.weights]\ndm = 50\n");
    let after = e.json(&["members", "--period", "all", "--json"]);
    assert_eq!(names(&after)[0], "王伟");
    assert_eq!(after[0]["score"], 56.0);
    // A weight for something that is not a kind is named, with the kinds there are.
    e.config("[members.weights]\nhug = 3\n");
    let (code, _, err) = e.run(&["members"]);
    assert_eq!(code, 2);
    assert!(err.contains("members.weights.hug"), "{err}");
    assert!(err.contains("comment, reply"), "{err}");
    // A bad period is named too.
    e.config("");
    let (code, _, err) = e.run(&["members", "--period", "fortnight"]);
    assert_eq!(code, 2);
    assert!(err.contains("fortnight"), "{err}");
}

/// The opinion-leaders table shows the number it is sorted by (influence), and a profile's
/// parts, as printed, add up to the score as printed. All time counts old interactions in full.
#[test]
fn leaders_show_what_they_sort_by_and_printed_parts_add_up() {
    let e = Env::new();
    let mut rows: Vec<(&str, &str, &str, &str, &str, i64)> = Vec::new();
    // An old regular: 40 comments 200 days ago; a newcomer: one comment this week.
    for _ in 0..40 {
        rows.push(("vk", "old", "old_regular", "Old Regular", "comment", 200));
    }
    rows.push(("vk", "new", "newcomer", "Newcomer", "comment", 2));
    rows.push(("vk", "x", "x_fan", "X Fan", "review", 1));
    rows.push(("vk", "x", "x_fan", "X Fan", "comment", 3));
    import(&e, &rows);
    let all = e.json(&["members", "--period", "all", "--json"]);
    assert_eq!(names(&all), ["Old Regular", "X Fan", "Newcomer"]);
    assert_eq!(all[0]["score"].as_f64(), Some(120.0));
    // Leaders: the column is influence, and it goes down the table.
    let (code, out, err) = e.run(&["members", "--leaders"]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    let head = lines.next().expect("header");
    assert!(head.contains("influence"), "{head}");
    assert!(!head.contains("score"), "{head}");
    let values: Vec<f64> = lines
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter_map(|v| {
            let (n, mult) = match v.strip_suffix('k') {
                Some(n) => (n, 1e3),
                None => match v.strip_suffix('M') {
                    Some(n) => (n, 1e6),
                    None => (v, 1.0),
                },
            };
            n.parse::<f64>().ok().map(|x| x * mult)
        })
        .collect();
    assert_eq!(values.len(), 2, "{out}");
    assert!(values.windows(2).all(|w| w[0] >= w[1]), "{out}");
    // The printed parts of a profile add up to the printed score.
    let (code, out, err) = e.run(&["members", "--period", "7d", "show", "x_fan"]);
    assert_eq!(code, 0, "{err}");
    let score_line = out.lines().find(|l| l.contains("score")).expect("score");
    let shown: f64 = score_line
        .split("score ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("score value");
    let parts: f64 = out
        .lines()
        .filter(|l| l.contains('×'))
        .filter_map(|l| l.split_whitespace().next()?.parse::<f64>().ok())
        .sum();
    assert_eq!(format!("{parts:.1}"), format!("{shown:.1}"), "{out}");
}
