//! End to end in a real terminal: the release-profile binary inside tmux, driven with send-keys
//! and read with capture-pane. Opens the demo, filters, searches, replies with a saved reply,
//! quits, reopens, and finds the reply still in the thread. A second test runs two TUIs as two
//! operators on one data dir, attached to one engine. A third writes a post in the composer
//! (with `$EDITOR`), sees it on the calendar, quits, and finds it published by the engine. The
//! last meets the TUI fixes as two operators would: who hears "Reply sent.", assigning with
//! completion and a stranger's name, the whole-store search, accounts that cannot take a post,
//! the Accounts panel on demo accounts, and a cancelled post moved.

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
        self.start_as("k", home, "anna");
    }

    /// Starts kith in its own tmux session, as Unix user `user`.
    fn start_as(&self, session: &str, home: &Path, user: &str) {
        self.start_with(session, home, user, "");
    }

    /// Starts kith with extra `VAR=value` words in its environment.
    fn start_with(&self, session: &str, home: &Path, user: &str, env: &str) {
        let bin = env!("CARGO_BIN_EXE_kith");
        let cmd = format!(
            "env -i HOME={h} XDG_CONFIG_HOME={h}/config XDG_STATE_HOME={h}/state USER={user} LANG=C.UTF-8 TERM=xterm-256color {env} {bin} --data-dir {h}/data",
            h = home.display()
        );
        self.tmux(&[
            "new-session",
            "-d",
            "-s",
            session,
            "-x",
            "140",
            "-y",
            "40",
            &cmd,
        ]);
    }

    fn keys(&self, keys: &[&str]) {
        self.keys_in("k", keys);
    }

    fn keys_in(&self, session: &str, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", session, k]);
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    fn text(&self, s: &str) {
        self.tmux(&["send-keys", "-t", "k", "-l", s]);
    }

    fn screen_in(&self, session: &str) -> String {
        self.tmux(&["capture-pane", "-p", "-t", session])
    }

    fn wait_for(&self, what: &str) -> String {
        self.wait_in("k", what)
    }

    fn wait_in(&self, session: &str, what: &str) -> String {
        self.wait_until_in(session, what, |s| s.contains(what))
    }

    fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        self.wait_until_in("k", what, ok)
    }

    fn wait_until_in(&self, session: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen_in(session);
            if ok(&s) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "timed out waiting for {what}; screen of {session}:\n{s}"
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

/// Whether tmux is here; without it a test is skipped, except in CI, where it must be.
fn tmux_or_skip() -> bool {
    if tmux_available() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "tmux is required in CI (.ci/run installs it)"
    );
    eprintln!("tmux not installed; skipping");
    false
}

#[test]
fn demo_filter_search_reply_quit_reopen() {
    if !tmux_or_skip() {
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
    stop_engine(home.path());
}

/// `kith serve --stop` for the data dir the TUIs attached to (they start it in the background).
fn stop_engine(home: &Path) {
    let out = kith_cli(home, &["serve", "--stop"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn kith_cli(home: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kith"))
        .arg("--data-dir")
        .arg(home.join("data"))
        .args(args)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .output()
        .expect("kith")
}

/// The count a sidebar view shows, e.g. 1 for "│ Taken by others    1 │".
fn view_count(screen: &str, label: &str) -> Option<u64> {
    let line = screen.lines().find(|l| l.contains(label))?;
    let rest = line.split(label).nth(1)?;
    rest.split('│').next()?.trim().parse().ok()
}

#[test]
fn two_operators_share_one_inbox_without_stepping_on_each_other() {
    if !tmux_or_skip() {
        return;
    }
    let home = tempfile::tempdir().expect("tmp");
    let t = Tmux {
        socket: format!("kith-team-{}", std::process::id()),
        _home: tempfile::tempdir().expect("tmp"),
    };
    // anna's TUI starts the engine in the background; boris's attaches to it.
    t.start_as("a", home.path(), "anna");
    t.wait_in("a", "DEMO");
    t.start_as("b", home.path(), "boris");
    let b0 = t.wait_in("b", "DEMO");
    assert!(b0.contains("boris"), "{b0}");
    assert_eq!(view_count(&b0, "Taken by others"), Some(0), "{b0}");

    // anna takes the first item; boris sees it taken by someone else at once.
    t.keys_in("a", &["a"]);
    t.wait_in("a", "Claimed: it is yours");
    let a1 = t.wait_until_in("a", "Mine = 1", |s| view_count(s, "Mine") == Some(1));
    assert!(a1.contains("assigned to anna"), "{a1}");
    t.wait_until_in("b", "Taken by others = 1", |s| {
        view_count(s, "Taken by others") == Some(1)
    });

    // boris tries to take the same item: asked first, and says no.
    t.keys_in("b", &["a"]);
    t.wait_in("b", "anna has this item. Take it over?");
    t.keys_in("b", &["n"]);
    t.wait_until_in("b", "the question to close", |s| {
        !s.contains("Take it over?")
    });

    // boris opens a reply: anna sees him writing; he cancels: the mark goes away.
    t.keys_in("b", &["r"]);
    t.wait_in("b", "Reply to");
    t.wait_in("a", "boris replying");
    t.keys_in("b", &["Escape"]);
    t.wait_until_in("a", "the presence mark to clear", |s| {
        !s.contains("boris replying")
    });

    // The CLI works while both TUIs are open, through the same engine: carol takes the item.
    let out = kith_cli(home.path(), &["inbox", "--limit", "1", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8_lossy(&out.stdout).to_string();
    let id = line
        .split("\"id\":\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("an id")
        .to_string();
    let out = kith_cli(home.path(), &["--as", "carol", "claim", &id]);
    assert_eq!(
        out.status.code(),
        Some(6),
        "taking anna's item needs --force"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("claimed by anna"));
    let out = kith_cli(home.path(), &["--as", "carol", "claim", &id, "--force"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("assignee=carol"));
    t.wait_until_in("a", "Mine = 0", |s| view_count(s, "Mine") == Some(0));
    let b = t.wait_in("b", "assigned to carol");
    assert_eq!(view_count(&b, "Taken by others"), Some(1), "{b}");
    t.keys_in("a", &["q"]);
    t.keys_in("b", &["q"]);
    stop_engine(home.path());
}

#[test]
fn compose_with_the_editor_quit_and_the_engine_publishes() {
    if !tmux_or_skip() {
        return;
    }
    let home = tempfile::tempdir().expect("tmp");
    let h = home.path();
    // An "editor" that appends a signature to the file it is given, as a person would.
    let editor = h.join("sign.sh");
    std::fs::write(&editor, "#!/bin/sh\nprintf ' — Lumo' >> \"$1\"\n").expect("editor");
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let t = Tmux {
        socket: format!("kith-e2e-post-{}", std::process::id()),
        _home: tempfile::tempdir().expect("tmp"),
    };
    t.start_with("k", h, "anna", &format!("EDITOR={}", editor.display()));
    t.wait_for("DEMO");
    t.keys(&["c"]);
    // The rows, not only the title: the accounts list may still be on its way from the engine,
    // and a Down pressed on an empty list moves nothing.
    t.wait_for("@lumo_support_bot");
    // The first account is Instagram's, which needs a picture: the Telegram channel below it.
    t.keys(&["Down", "Space", "Tab"]);
    t.text("Весна пришла 🌷 新品");
    t.keys(&["C-e"]);
    t.wait_for("Весна пришла 🌷 新品 — Lumo");
    t.keys(&["C-s"]);
    t.wait_for("Goes out");
    t.keys(&["Enter"]);
    t.wait_until("the composer to close", |s| !s.contains("Goes out"));
    t.keys(&["S"]);
    t.wait_for("Весна пришла");
    t.keys(&["Escape", "q"]);
    let start = Instant::now();
    while t.running() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "kith did not quit"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The TUI is gone; the engine it started publishes the post and records the link.
    let start = Instant::now();
    let line = loop {
        let out = kith_cli(h, &["schedule", "--json"]);
        let s = String::from_utf8_lossy(&out.stdout).into_owned();
        if s.contains("\"state\":\"sent\"") {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "never sent: {s} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let v: serde_json::Value =
        serde_json::from_str(line.lines().next().expect("line")).expect("json");
    assert_eq!(v["text"], "Весна пришла 🌷 新品 — Lumo");
    assert!(
        v["remote_url"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://demo.kith.invalid/post/kith-1-")),
        "{v}"
    );
    stop_engine(h);
}

/// `kith serve --stop` while a TUI is open: the TUI says the engine was stopped and does not
/// start it again by itself; ctrl-r starts it again.
#[test]
fn a_stopped_engine_stays_stopped_until_the_tui_asks() {
    if !tmux_or_skip() {
        return;
    }
    let home = tempfile::tempdir().expect("tmp");
    let t = Tmux {
        socket: format!("kith-stop-{}", std::process::id()),
        _home: tempfile::tempdir().expect("tmp"),
    };
    t.start(home.path());
    t.wait_for("DEMO");
    let socket = home.path().join("data/run/engine.sock");
    assert!(socket.exists());
    stop_engine(home.path());
    t.wait_for("The engine was stopped");
    // Not started again behind the operator's back.
    std::thread::sleep(Duration::from_secs(3));
    assert!(!socket.exists(), "the TUI started the engine again");
    let s = t.screen_in("k");
    assert!(s.contains("ctrl-r"), "{s}");
    t.keys(&["C-r"]);
    t.wait_for("Reconnected to the engine");
    assert!(socket.exists());
    t.keys(&["q"]);
    stop_engine(home.path());
}

/// Types literal text into one session.
fn type_in(t: &Tmux, session: &str, s: &str) {
    t.tmux(&["send-keys", "-t", session, "-l", s]);
    std::thread::sleep(Duration::from_millis(60));
}

/// The status line (the screen's last line).
fn last_line(screen: &str) -> String {
    screen.lines().last().unwrap_or("").trim().to_string()
}

#[test]
fn two_operators_meet_the_tui_fixes() {
    if !tmux_or_skip() {
        return;
    }
    let home = tempfile::tempdir().expect("tmp");
    let h = home.path();
    let t = Tmux {
        socket: format!("kith-fixes-{}", std::process::id()),
        _home: tempfile::tempdir().expect("tmp"),
    };
    t.start_as("a", h, "anna");
    t.wait_in("a", "DEMO");
    t.start_as("b", h, "boris");
    t.wait_in("b", "DEMO");

    // boris replies: he hears "Reply sent.", anna hears who replied to whom.
    t.keys_in("b", &["j", "r"]);
    t.wait_in("b", "Reply to");
    type_in(&t, "b", "Спасибо за отзыв!");
    t.keys_in("b", &["C-s"]);
    t.wait_until_in("b", "Reply sent.", |s| last_line(s) == "Reply sent.");
    let a = t.wait_until_in("a", "boris replied", |s| {
        last_line(s).starts_with("boris replied to ")
    });
    assert!(!a.contains("Reply sent."), "{a}");

    // anna assigns: Tab offers the team (boris is in the audit log); a stranger is asked about.
    t.keys_in("a", &["@"]);
    type_in(&t, "a", "bo");
    t.wait_until_in("a", "the names offered", |s| {
        last_line(s) == "Assign to: bo   Tab: boris"
    });
    t.keys_in("a", &["Tab"]);
    t.wait_until_in("a", "boris completed", |s| {
        last_line(s).starts_with("Assign to: boris ")
    });
    t.keys_in("a", &["Escape", "@"]);
    type_in(&t, "a", "nobody-here");
    t.keys_in("a", &["Enter"]);
    t.wait_in("a", "nobody-here is not on the team. Assign anyway?");
    t.keys_in("a", &["y"]);
    t.wait_until_in("a", "assigned", |s| {
        last_line(s).starts_with("assigned to nobody-here")
    });

    // `/` searches everything, and says so.
    t.keys_in("a", &["/"]);
    t.wait_until_in("a", "the search prompt", |s| {
        last_line(s) == "Search everything:"
    });
    type_in(&t, "a", "варшав");
    t.wait_in("a", "Everywhere · search: варшав");
    t.keys_in("a", &["Enter", "Escape"]);
    t.wait_until_in("a", "the search ended", |s| !s.contains("Everywhere"));

    // The composer dims accounts that cannot take a post and never ticks them.
    t.keys_in("a", &["c"]);
    let c = t.wait_in("a", "read only");
    assert!(c.contains("[-]  Lumo Shanghai"), "{c}");
    t.keys_in("a", &["G", "k", "k", "k", "k", "k", "Space"]);
    t.wait_in(
        "a",
        "kith cannot publish to Google (Lumo Shanghai): it only reads it",
    );
    assert!(t.screen_in("a").contains("Accounts (0 chosen)"));
    t.keys_in("a", &["Escape"]);

    // The Accounts panel says why s and t do nothing on a demo account.
    t.keys_in("a", &["A"]);
    t.wait_in("a", "ACCOUNT");
    t.keys_in("a", &["s"]);
    t.wait_in(
        "a",
        "@lumo.lamps is a demo account: nothing to sync — it is the bundled demo data",
    );
    t.keys_in("a", &["Escape"]);

    // A post cancelled from the CLI, moved in the calendar: it says it was cancelled. The
    // calendar opens on today, so not in the last minutes of a day (in the TUI's zone).
    let clock = Command::new("date").env_clear().arg("+%H%M").output();
    let late = clock.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() >= "2350");
    if late {
        t.keys_in("a", &["q"]);
        t.keys_in("b", &["q"]);
        stop_engine(h);
        return;
    }
    let out = kith_cli(
        h,
        &[
            "post",
            "--account",
            "lumo@mastodon.social",
            "--at",
            "+5m",
            "Весна",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = kith_cli(h, &["schedule", "cancel", "p1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    t.keys_in("a", &["S"]);
    t.wait_in("a", "Весна");
    t.keys_in("a", &["m"]);
    type_in(&t, "a", "+1h");
    t.keys_in("a", &["Enter"]);
    t.wait_in("a", "post p1 was cancelled; duplicate it to send it again");
    t.keys_in("a", &["Escape", "q"]);
    t.keys_in("b", &["q"]);
    stop_engine(h);
}
