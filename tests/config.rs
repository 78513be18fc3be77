//! Bad config files (tests/fixtures/config/) run through the real binary: each is refused with
//! its file, line and key; `kith doctor` reports the config, keymap, replies and style sheet.

#[path = "cli_common/mod.rs"]
mod cli_common;

use cli_common::Env;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(name)
}

/// The one stderr line `kith --config FIXTURE inbox` prints, and its exit code.
fn refused(env: &Env, name: &str) -> (i32, String) {
    let path = fixture(name);
    let (code, out, err) = env.run(&["--config", path.to_str().expect("utf8"), "inbox"]);
    assert!(out.is_empty(), "{name}: {out}");
    (code, err)
}

#[test]
fn every_bad_value_is_refused_with_file_line_and_key() {
    let env = Env::new();
    let cases: &[(&str, &str)] = &[
        ("bad_lang.toml", r#"1: key `lang`: "fr" is not one of en, ru, zh"#),
        (
            "snooze_banana.toml",
            r#"5: key `snooze_presets`: "banana" is not a time: use 30m, 3h, 2d, tomorrow or 2026-12-01 09:00"#,
        ),
        (
            "snooze_far.toml",
            r#"1: key `snooze_presets`: "99999999d" is more than 10 years away"#,
        ),
        ("page_size_zero.toml", "3: key `page_size`: 0 is outside 1..=5000"),
        (
            "bad_slot.toml",
            r#"6: key `schedule.slots."lumo@mastodon.social"`: cannot read slot "25:99"; use 24-hour times such as 09:00, 12:30"#,
        ),
        (
            "bad_timezone.toml",
            r#"2: key `schedule.timezone`: unknown time zone "Mars/Olympus"; use an IANA name such as Europe/Berlin, America/New_York or UTC"#,
        ),
        (
            "zero_attempts.toml",
            "2: key `schedule.max_attempts`: 0 is outside 1..=100",
        ),
        (
            "bad_weight.toml",
            "5: key `members.weights.hug`: not a kind; kinds are comment, reply, mention, quote, dm, review, like, repost, follow",
        ),
        // `[members.weights]` without a `[members]` header: toml gives the parent no span.
        (
            "big_weight.toml",
            "2: key `members.weights.review`: 5000 is outside 0..=1000",
        ),
        (
            "bad_target.toml",
            r#"3: key `response_targets.review`: "soon" is not a duration like 15m, 1h, 2d"#,
        ),
        (
            "far_target.toml",
            r#"2: key `response_targets.review`: "99999d" is more than 10 years away"#,
        ),
        (
            "empty_operator.toml",
            r#"2: key `team.read_only`: "" is not an operator name"#,
        ),
        (
            "bad_tag_color.toml",
            r#"4: key `tags.colors.refund`: "orange" is not a colour: use #rrggbb or one of black, red, green, yellow, blue, magenta, cyan, gray, darkgray, lightred, lightgreen, lightyellow, lightblue, lightmagenta, lightcyan, white"#,
        ),
        (
            "bad_tag_hex.toml",
            r##"4: key `tags.colors.vip`: "#ff88" is not a colour: use #rrggbb or one of black, red, green, yellow, blue, magenta, cyan, gray, darkgray, lightred, lightgreen, lightyellow, lightblue, lightmagenta, lightcyan, white"##,
        ),
        (
            "bad_view.toml",
            r#"3: key `views."bad reviews"`: "<=9" at 14 is not a rating: 1 to 5, <=2, >3, 2..4"#,
        ),
        // Parse errors carry the column too.
        (
            "wrong_type.toml",
            r#"3:13: key `page_size`: invalid type: string "many", expected usize"#,
        ),
        ("unclosed_string.toml", "2:11: invalid basic string"),
        (
            "unknown_key.toml",
            "2:1: unknown field `colour`, expected one of `lang`, `operator`, `snooze_presets`, `page_size`, `team`, `response_targets`, `members`, `schedule`, `youtube`, `tags`, `views`",
        ),
    ];
    for (name, want) in cases {
        let (code, err) = refused(&env, name);
        assert_eq!(code, 2, "{name}: {err}");
        let path = fixture(name);
        assert_eq!(err, format!("kith: {}:{want}\n", path.display()), "{name}");
    }
}

#[test]
fn config_errors_follow_the_ui_language() {
    let env = Env::new();
    let path = fixture("page_size_zero.toml");
    let (code, _, err) = env.run(&[
        "--lang",
        "ru",
        "--config",
        path.to_str().expect("utf8"),
        "inbox",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        format!(
            "kith: {}:3: ключ `page_size`: 0 вне диапазона 1..=5000\n",
            path.display()
        )
    );
}

#[test]
fn a_good_config_with_every_section_loads() {
    let env = Env::new();
    env.config(
        "lang = \"en\"\noperator = \"anna\"\nsnooze_presets = [\"30m\", \"tomorrow\", \"2w\"]\n\
         page_size = 100\n[team]\nread_only = [\"intern\"]\n[members]\nhalf_life_days = 14\n\
         [members.weights]\nreview = 6\n[schedule]\ntimezone = \"UTC\"\n[schedule.slots]\n\
         default = [\"09:00\", \"18:30\"]\n[response_targets]\ndm = \"10m\"\n\
         [tags]\ncolors = { delivery = \"yellow\", \"Доставка\" = \"light-green\", vip = \"#ff8800\" }\n",
    );
    let (code, _, err) = env.run(&["doctor"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn doctor_reports_keymap_replies_and_config_with_lines_and_exits_4() {
    let env = Env::new();
    let dir = env.dir.path().join("config/kith");
    std::fs::write(
        dir.join("keymap.toml"),
        "[normal]\n\"j\" = \"move_down\"\n\"x\" = \"fly\"\n",
    )
    .expect("keymap");
    std::fs::write(
        dir.join("replies.toml"),
        "[[reply]]\nname = \"Thanks\"\ntxt = \"Thank you!\"\n",
    )
    .expect("replies");
    env.config("snooze_presets = [\"1h\", \"banana\"]\n");
    let (code, out, err) = env.run(&["doctor"]);
    assert_eq!(code, 4, "{out}{err}");
    let d = dir.display();
    let lines: Vec<&str> = out.lines().collect();
    let at = |prefix: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix}: {out}"))
    };
    let c = at("Config: ");
    assert_eq!(lines[c], format!("Config: {d}/config.toml — 1 problems"));
    assert_eq!(
        lines[c + 1],
        format!(
            "  {d}/config.toml:1: key `snooze_presets`: \"banana\" is not a time: use 30m, 3h, 2d, tomorrow or 2026-12-01 09:00"
        )
    );
    let k = at("Keymap: ");
    assert_eq!(lines[k], format!("Keymap: {d}/keymap.toml — 2 problems"));
    assert_eq!(
        lines[k + 1],
        format!("  {d}/keymap.toml:2: key \"j\": unknown action \"move_down\"")
    );
    assert_eq!(
        lines[k + 2],
        format!("  {d}/keymap.toml:3: key \"x\": unknown action \"fly\"")
    );
    let r = at("Saved replies: ");
    assert_eq!(
        lines[r],
        format!("Saved replies: {d}/replies.toml — 1 problems")
    );
    assert_eq!(
        lines[r + 1],
        format!(
            "  {d}/replies.toml:3:1: unknown field `txt`, expected one of `name`, `text`, `lang`"
        )
    );
    // The same as JSON, for scripts.
    let (code, out, _) = env.run(&["doctor", "--json"]);
    assert_eq!(code, 4);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("json");
    let files = v["files"].as_array().expect("files");
    let problems = |name: &str| {
        files
            .iter()
            .find(|f| f["file"] == name)
            .map(|f| f["problems"].as_array().expect("problems").len())
    };
    assert_eq!(
        (problems("config"), problems("keymap"), problems("replies")),
        (Some(1), Some(2), Some(1))
    );
}

#[test]
fn doctor_reports_a_bad_tag_colour_with_its_line() {
    let env = Env::new();
    env.config("lang = \"en\"\n[tags]\ncolors = { vip = \"#ff8800\", spam = \"ultraviolet\" }\n");
    let (code, out, err) = env.run(&["doctor"]);
    assert_eq!(code, 4, "{out}{err}");
    let d = env.dir.path().join("config/kith");
    assert!(
        out.contains(&format!(
            "  {}/config.toml:3: key `tags.colors.spam`: \"ultraviolet\" is not a colour: use #rrggbb or one of black, red,",
            d.display()
        )),
        "{out}"
    );
}

#[test]
fn doctor_on_clean_files_says_ok_or_built_in() {
    let env = Env::new();
    let (code, out, err) = env.run(&["doctor"]);
    assert_eq!(code, 0, "{err}");
    let d = env.dir.path().join("config/kith");
    let d = d.display();
    assert!(
        out.contains(&format!("Config: {d}/config.toml — none (built-in)\n")),
        "{out}"
    );
    assert!(
        out.contains(&format!("Keymap: {d}/keymap.toml — none (built-in)\n")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "Saved replies: {d}/replies.toml — none (built-in)\n"
        )),
        "{out}"
    );
    env.config("lang = \"en\"\n");
    let (_, out, _) = env.run(&["doctor"]);
    assert!(
        out.contains(&format!("Config: {d}/config.toml — ok\n")),
        "{out}"
    );
}
