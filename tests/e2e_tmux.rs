//! End to end in a real terminal: the release-profile binary inside tmux, driven with send-keys
//! and read with capture-pane. Opens the demo, filters, searches, replies with a saved reply,
//! quits, reopens, and finds the reply still in the thread.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
    _home: tempfile::TempDir,
}

impl Tmux {
    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn start(&self, home: &Path) {
        let bin = env!("CARGO_BIN_EXE_kith");
        let cmd = format!(
            "env -i HOME={h} XDG_CONFIG_HOME={h}/config XDG_STATE_HOME={h}/state USER=anna LANG=C.UTF-8 TERM=xterm-256color {bin} --data-dir {h}/data",
            h = home.display()
        );
        self.tmux(&[
            "new-session",
            "-d",
            "-s",
            "k",
            "-x",
            "140",
            "-y",
            "40",
            &cmd,
        ]);
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "k", k]);
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    fn text(&self, s: &str) {
        self.tmux(&["send-keys", "-t", "k", "-l", s]);
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
                "timed out waiting for {what:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn running(&self) -> bool {
        !self.tmux(&["list-sessions"]).trim().is_empty()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

/// The list pane's rows: the text right of the sidebar, between the list's borders.
fn list_rows(screen: &str) -> Vec<String> {
    let mut rows = Vec::new();
    for line in screen.lines().skip(2) {
        if line.contains("│└") {
            break;
        }
        let Some((_, rest)) = line.split_once("││") else {
            continue;
        };
        if rest.starts_with('└') || rest.starts_with('┌') {
            break;
        }
        let rest = rest.trim_end_matches('│').trim_end();
        if !rest.trim().is_empty() {
            rows.push(rest.to_string());
        }
    }
    rows
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn demo_filter_search_reply_quit_reopen() {
    if !tmux_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "tmux is required in CI (.ci/run installs it)"
        );
        eprintln!("tmux not installed; skipping");
        return;
    }
    let home = tempfile::tempdir().expect("tmp");
    let t = Tmux {
        socket: format!("kith-e2e-{}", std::process::id()),
        _home: tempfile::tempdir().expect("tmp"),
    };
    t.start(home.path());
    let first = t.wait_for("DEMO");
    assert!(
        first.contains("Inbox") && first.contains("operator") || first.contains("anna"),
        "{first}"
    );

    // Filter to Telegram: platform is the first field; three steps right from "any".
    t.keys(&["f", "Right", "Right", "Right", "Enter"]);
    let s = t.wait_until("a Telegram-only list", |s| {
        let rows = list_rows(s);
        rows.len() > 2
            && rows
                .iter()
                .all(|r| r.chars().skip(1).collect::<String>().starts_with("TG "))
    });
    assert!(!list_rows(&s).is_empty());

    // Clear, then search across scripts: one Ukrainian comment mentions Warsaw.
    t.keys(&["Escape"]);
    t.wait_until("the filter cleared", |s| {
        list_rows(s).iter().any(|r| !r.contains("TG "))
    });
    t.keys(&["/"]);
    t.text("варшав*");
    t.keys(&["Enter"]);
    let s = t.wait_until("one search hit", |s| list_rows(s).len() == 1);
    assert!(list_rows(&s)[0].contains("Олена Коваленко"), "{s}");

    // Reply with the saved reply "Спасибо" (fuzzy-picked), send.
    t.keys(&["r"]);
    t.wait_for("Reply to Олена Коваленко");
    t.keys(&["C-t"]);
    t.wait_for("Saved replies");
    t.text("Спасибо");
    t.keys(&["Enter"]);
    t.wait_for("Спасибо, Олена Коваленко! Нам очень приятно.");
    t.keys(&["C-s"]);
    t.wait_until("the editor to close", |s| {
        !s.contains("Reply to Олена Коваленко")
    });
    t.keys(&["q"]);
    let start = Instant::now();
    while t.running() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "kith did not quit"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // Reopen: the reply is in the thread, sent, with its link.
    t.start(home.path());
    t.wait_for("DEMO");
    t.keys(&["["]);
    t.wait_for(" All ");
    t.keys(&["/"]);
    t.text("варшав*");
    t.keys(&["Enter"]);
    t.wait_until("one search hit", |s| list_rows(s).len() == 1);
    t.keys(&["Enter"]);
    let s = t.wait_for("Спасибо, Олена Коваленко! Нам очень приятно.");
    assert!(s.contains("demo.kith.invalid"), "sent link missing:\n{s}");
    t.keys(&["q"]);
}
