//! The screen as a real terminal draws it (tmux, own socket): every hostile string, sanitized,
//! moves tmux's cursor exactly as far as kith measures it; moving off an item with flags,
//! skin tones and halfwidth sound marks leaves no stale glyph (the screen equals a fresh draw
//! of the same state); the filter popup over CJK text keeps its left border.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn new(name: &str) -> Tmux {
        Tmux {
            socket: format!("kith-screen-{name}-{}", std::process::id()),
        }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .env("LC_ALL", "C.UTF-8")
            .env("LANG", "C.UTF-8")
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "k"])
    }

    fn wait_for(&self, what: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "timed out waiting for {what}:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The screen once it stopped changing (kith draws at most every 16 ms).
    fn settled(&self) -> String {
        let mut last = self.screen();
        let start = Instant::now();
        loop {
            std::thread::sleep(Duration::from_millis(250));
            let now = self.screen();
            if now == last || start.elapsed() > Duration::from_secs(5) {
                return now;
            }
            last = now;
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

fn tmux_available() -> bool {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipped: tmux is not installed");
    }
    ok
}

/// Single-line hostile strings (shared/hostile-strings.md) and the clusters of issue item 15.
const STRINGS: &[&str] = &[
    "a\x1b[2J\x1b[Hb",
    "\x1b]0;sudo rm -rf ~\x07",
    "a\u{9b}2Jb \u{9d}0;t\u{9c}",
    "Legit text\rFAKE",
    "a\u{0}b a\x7fb",
    "invoice\u{202E}gnp.exe",
    "user\u{202E} \u{2066}// admin\u{2069} \u{2066}",
    "\u{200F}\u{061C}\u{200E}x",
    "ad\u{200B}min \u{FEFF}admin a\u{2060}b",
    "\u{3164} \u{115F}",
    "hi\u{E0041}\u{E0042}\u{E0043}",
    "👨‍👩‍👧‍👦 🇺🇸 ⌨️ 🐻‍❄️ 👁️‍🗨️ 🥲🏻 😹",
    "コンピュータ 你好，世界！",
    "ｶﾞｷﾞｸﾞ",
    "pаypal",
    "pay\tme",
    "🇺🇸🇦 王🇯🇵 a🇺 🇩🇪",
    "Ж🏻 a🏽 👋🏿 王🏻 🏻",
    "ｶﾞ ﾞ ﾊﾟ ｱﾞ",
    "क्\u{200D}ष ❤️‍🔥 1️⃣ 王\u{200D}王 😹\u{200D}😹",
    "🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F} ❤️ ☺️ ✌🏻",
];

#[test]
fn sanitized_strings_move_the_cursor_as_far_as_kith_measures() {
    if !tmux_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let t = Tmux::new("width");
    t.tmux(&[
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-s",
        "k",
        "-x",
        "300",
        "-y",
        "5",
        "sleep 600",
    ]);
    let mut wrong = Vec::new();
    for (i, raw) in STRINGS.iter().enumerate() {
        let shown = kith::text::sanitize_line(raw, 60).text;
        let file = dir.path().join(format!("s{i}"));
        std::fs::write(&file, &shown).expect("write");
        let chan = format!("{}-{i}", t.socket);
        let cmd = format!(
            "cat {}; tmux -L {} wait-for -S {chan}; sleep 600",
            file.display(),
            t.socket
        );
        t.tmux(&["respawn-pane", "-k", "-t", "k", &cmd]);
        t.tmux(&["wait-for", &chan]);
        let x: usize = t
            .tmux(&["display", "-p", "-t", "k", "#{cursor_x}"])
            .trim()
            .parse()
            .expect("cursor_x");
        let ours = kith::text::width(&shown);
        if x != ours {
            wrong.push(format!("{raw:?} shown as {shown:?}: tmux {x}, kith {ours}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Items in a JSONL file: (native id, author, text, days ago).
fn import(home: &Path, items: &[(&str, &str, &str, u64)]) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let mut body = String::new();
    for (id, who, text, days) in items {
        let v = serde_json::json!({
            "platform": "telegram", "account": "shop", "kind": "comment", "native_id": id,
            "author": {"id": who, "name": who}, "text": text,
            "created_at": now - days * 86_400,
        });
        body.push_str(&v.to_string());
        body.push('\n');
    }
    let file = home.join("items.jsonl");
    std::fs::write(&file, body).expect("write");
    let out = kith(home)
        .args(["import", file.to_str().expect("path")])
        .output()
        .expect("import");
    assert!(out.status.success(), "{out:?}");
}

fn kith(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kith"));
    c.env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("KITH_DATA_DIR", home.join("data"))
        .env("LANG", "C.UTF-8")
        .env("USER", "anna")
        .arg("--no-daemon");
    c
}

/// Column (in cells) of every `│` in a captured line.
fn bars(line: &str) -> Vec<usize> {
    use unicode_segmentation::UnicodeSegmentation;
    let mut col = 0;
    let mut out = Vec::new();
    for g in line.graphemes(true) {
        if g == "│" {
            out.push(col);
        }
        col += kith::text::width(g);
    }
    out
}

#[test]
fn no_stale_glyphs_after_odd_clusters_and_popups_keep_borders_over_cjk() {
    if !tmux_available() {
        return;
    }
    let home = tempfile::tempdir().expect("tmp");
    let odd = "ｶﾞｷﾞｸﾞ 👋🏻 Ж🏻 🇺🇸🇦 王🇯🇵 ⌨️ 👁️‍🗨️ क्\u{200D}ष ❤️‍🔥 ﾊﾟ";
    let cjk = "王芳灯很好，但是发货".repeat(20);
    import(
        home.path(),
        &[
            ("n1", "👋🏻ｶﾞ", odd, 1),
            ("n2", "Bob", "plain words", 2),
            ("n3", "王芳", &cjk, 3),
        ],
    );
    let t = Tmux::new("stale");
    let cmd = format!(
        "env -i TERM=xterm-256color LANG=C.UTF-8 HOME={h} XDG_CONFIG_HOME={h}/config \
         XDG_STATE_HOME={h}/state KITH_DATA_DIR={h}/data USER=anna {bin} --no-daemon --lang en",
        h = home.path().display(),
        bin = env!("CARGO_BIN_EXE_kith")
    );
    t.tmux(&[
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-s",
        "k",
        "-x",
        "160",
        "-y",
        "45",
        &cmd,
    ]);
    t.wait_for("plain words");
    t.settled();
    // Off the odd item onto a plain one: what is on screen must be what a fresh draw shows.
    t.tmux(&["send-keys", "-t", "k", "j"]);
    t.wait_for("▶ TG Bob");
    let moved = t.settled();
    t.tmux(&["resize-window", "-t", "k", "-x", "161"]);
    t.settled();
    t.tmux(&["resize-window", "-t", "k", "-x", "160"]);
    let fresh = t.settled();
    assert_eq!(
        moved, fresh,
        "stale glyphs after moving off the odd item:\n{moved}\n--- fresh draw ---\n{fresh}"
    );
    // The filter popup over the wrapped CJK text of 王芳's item: both borders on every row.
    t.tmux(&["send-keys", "-t", "k", "j"]);
    t.wait_for("▶ TG 王芳");
    t.tmux(&["send-keys", "-t", "k", "f"]);
    t.wait_for("┌ Filter");
    let screen = t.settled();
    let lines: Vec<&str> = screen.lines().collect();
    let top = lines
        .iter()
        .position(|l| l.contains("┌ Filter"))
        .expect("popup");
    let at = lines[top].find("┌ Filter").expect("corner");
    let left = kith::text::width(&lines[top][..at]);
    let right = left + 75; // the filter popup is 76 cells wide and 12 rows tall
    for (y, line) in lines.iter().enumerate().take(top + 11).skip(top + 1) {
        let b = bars(line);
        assert!(
            b.contains(&left) && b.contains(&right),
            "row {y}: the popup's borders at {left} and {right} are not both drawn ({b:?}):\n{screen}"
        );
    }
}
