//! What the CLI prints when outside text is hostile, through the real binary: on a terminal (a
//! pty from `script`) no control or bidi character of theirs reaches it, CSV included; piped,
//! CSV is exact apart from defused formulas; `--json` escapes C1, DEL and bidi controls and
//! decodes to exactly the stored text; the human listing speaks the chosen language.

mod cli_common;

use cli_common::Env;
use std::process::Command;

const EVE: &str = "\x1b]0;evil\x07Eve";
const EVE_HANDLE: &str = "eve\u{9b}2J\u{202E}x\u{7f}";
const TAB_FORMULA: &str = "\t=HYPERLINK(\"http://x\")";
const CR_FORMULA: &str = "\r=1+1";
const SPACE_FORMULA: &str = " @SUM(1)";

fn import(e: &Env) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let people = [
        ("e1", EVE_HANDLE, EVE),
        ("t1", "tab", TAB_FORMULA),
        ("c1", "cr", CR_FORMULA),
        ("s1", "space", SPACE_FORMULA),
    ];
    let mut body = String::new();
    for (n, (id, handle, name)) in people.iter().enumerate() {
        let v = serde_json::json!({
            "platform": "vk",
            "account": "brand",
            "kind": "mention",
            "native_id": format!("n{n}"),
            "author": {"id": id, "handle": handle, "name": name, "followers": 10},
            "text": format!("hi {name}"),
            "created_at": now - 600 - n as u64,
        });
        body.push_str(&v.to_string());
        body.push('\n');
    }
    let file = e.dir.path().join("items.jsonl");
    std::fs::write(&file, body).expect("write");
    let (code, _, err) = e.run(&["import", file.to_str().expect("path")]);
    assert_eq!(code, 0, "{err}");
}

/// The binary with stdout on a terminal: `script` gives it a pty and copies what it wrote.
fn on_tty(e: &Env, args: &[&str]) -> Vec<u8> {
    let mut line = String::from(env!("CARGO_BIN_EXE_kith"));
    for a in args {
        line.push(' ');
        line.push_str(a);
    }
    let out = Command::new("script")
        .env_clear()
        .env("HOME", e.dir.path())
        .env("XDG_CONFIG_HOME", e.dir.path().join("config"))
        .env("XDG_STATE_HOME", e.dir.path().join("state"))
        .env("KITH_DATA_DIR", e.dir.path().join("data"))
        .env("LANG", "C.UTF-8")
        .env("USER", "tester")
        .args(["-qec", &line, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script (util-linux) runs");
    assert!(out.status.success(), "{args:?}: {out:?}");
    out.stdout
}

fn script_available() -> bool {
    Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// No byte or character that a terminal acts on, other than line ends and tabs.
fn assert_inert(bytes: &[u8], ctx: &str) {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{ctx}: not UTF-8: {e}"));
    for c in text.chars() {
        let control = c.is_control() && !matches!(c, '\n' | '\r' | '\t');
        let bidi = kith::text::is_bidi(c);
        assert!(
            !control && !bidi,
            "{ctx}: {c:?} reached the terminal:\n{text}"
        );
    }
}

fn names_from_csv(csv: &str) -> Vec<String> {
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let head = r.headers().expect("header").clone();
    let col = head.iter().position(|h| h == "name").expect("name column");
    let mut names: Vec<String> = r
        .records()
        .map(|x| x.expect("record")[col].to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn members_csv_is_exact_when_piped_and_inert_on_a_terminal() {
    let e = Env::new();
    import(&e);
    let (code, csv, err) = e.run(&["members", "--csv"]);
    assert_eq!(code, 0, "{err}");
    // Piped: the names exactly, formulas (also after a tab, a CR or a space) behind a `'`.
    let mut want = vec![
        EVE.to_string(),
        format!("'{TAB_FORMULA}"),
        format!("'{CR_FORMULA}"),
        format!("'{SPACE_FORMULA}"),
    ];
    want.sort();
    assert_eq!(names_from_csv(&csv), want);
    assert!(csv.contains(EVE_HANDLE), "{csv:?}");
    if !script_available() {
        eprintln!("skipped: no `script` for a pty");
        return;
    }
    // On a terminal: the same rows, every control visible instead of acted on.
    let tty = on_tty(&e, &["members", "--csv"]);
    assert_inert(&tty, "members --csv on a terminal");
    let tty = String::from_utf8_lossy(&tty);
    assert!(tty.contains("^[]0;evil^GEve"), "{tty}");
    assert!(tty.contains("eve⟨U+009B⟩2J⟨U+202E⟩x^?"), "{tty}");
    assert!(tty.contains("'^M=1+1"), "{tty}");
    assert_eq!(tty.lines().count(), csv.lines().count(), "{tty}");
}

#[test]
fn json_escapes_c1_del_and_bidi_and_decodes_exactly() {
    let e = Env::new();
    import(&e);
    for args in [&["members", "--json"][..], &["inbox", "--json"][..]] {
        let (code, out, err) = e.run(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert_inert(out.as_bytes(), &format!("{args:?}"));
        for escape in ["\\u001b", "\\u0007", "\\u009b", "\\u202e", "\\u007f"] {
            assert!(out.contains(escape), "{args:?} lacks {escape}: {out}");
        }
        // Decoded, the hostile strings are back byte for byte.
        let decoded: Vec<String> = out
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("valid JSON"))
            .flat_map(|v| strings(&v))
            .collect();
        assert!(decoded.iter().any(|s| s == EVE), "{args:?}: {decoded:?}");
        assert!(
            decoded.iter().any(|s| s == EVE_HANDLE),
            "{args:?}: {decoded:?}"
        );
        if script_available() {
            // On a terminal the JSON is the same text (only the pty's CR LF differs).
            let tty = on_tty(&e, args);
            let tty = String::from_utf8_lossy(&tty).replace("\r\n", "\n");
            assert_eq!(tty, out, "{args:?}");
        }
    }
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(a) => a.iter().flat_map(strings).collect(),
        serde_json::Value::Object(o) => o.values().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn human_listings_are_inert_on_a_terminal_and_translated() {
    let e = Env::new();
    import(&e);
    if script_available() {
        for args in [&["inbox"][..], &["members"][..], &["audit"][..]] {
            let tty = on_tty(&e, args);
            assert_inert(&tty, &format!("{args:?} on a terminal"));
            assert!(
                tty.len() > 40,
                "{args:?}: {}",
                String::from_utf8_lossy(&tty)
            );
        }
    }
    // Status, kind and age words come from the catalog, in columns as wide as the longest.
    // (The language from the config: `kith --lang ru inbox` is read as the items' language.)
    e.config("lang = \"ru\"\n");
    let (_, ru, _) = e.run(&["inbox"]);
    let row = ru.lines().next().expect("a row");
    assert!(row.contains(" упоминание новое    10м   "), "{ru}");
    e.config("lang = \"zh\"\n");
    let (_, zh, _) = e.run(&["inbox"]);
    let row = zh.lines().next().expect("a row");
    assert!(row.contains(" 提及 新     10分   "), "{zh}");
    e.config("");
    let (_, en, _) = e.run(&["inbox"]);
    let row = en.lines().next().expect("a row");
    assert!(row.contains(" mention new     10m   "), "{en}");
}
