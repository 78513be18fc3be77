//! The Rules panel's `e` in a real terminal (tmux, own socket): with no `rules.toml`, `e` starts
//! one from the commented example, hands the terminal to `$EDITOR` (a script that appends a
//! rule), takes it back and has the engine read the file at once; `r` shows a broken file's
//! line:col while the rules read before stay in force.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
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

    fn start(&self, home: &Path, editor: &Path) {
        let cmd = format!(
            "env -i HOME={h} XDG_CONFIG_HOME={h}/config XDG_STATE_HOME={h}/state USER=anna LANG=C.UTF-8 TERM=xterm-256color EDITOR={e} {bin} --no-daemon --data-dir {h}/data",
            h = home.display(),
            e = editor.display(),
            bin = env!("CARGO_BIN_EXE_kith"),
        );
        self.tmux(&[
            "new-session",
            "-d",
            "-s",
            "k",
            "-x",
            "120",
            "-y",
            "36",
            &cmd,
        ]);
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "k", k]);
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    fn wait_for(&self, what: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.tmux(&["capture-pane", "-p", "-t", "k"]);
            if s.contains(what) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "timed out waiting for {what}:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
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

fn tmux_or_skip() -> bool {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "tmux is required in CI (.ci/run installs it)"
        );
        eprintln!("tmux not installed; skipping");
    }
    ok
}

const ADDED: &str =
    "\n[[rule]]\nname = \"lamp-questions\"\nwhen = \"lamp*\"\nthen = [\"tag:lamp\"]\n";

#[test]
fn e_edits_rules_toml_in_the_editor_and_the_engine_reads_it_at_once() {
    if !tmux_or_skip() {
        return;
    }
    let home = tempfile::tempdir().expect("tmp");
    let h = home.path();
    // An "editor" that appends a rule to the file it is given, as a person would.
    let editor = h.join("add-rule.sh");
    let script = format!("#!/bin/sh\nprintf '%s' '{ADDED}' >> \"$1\"\n");
    std::fs::write(&editor, script).expect("editor");
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let t = Tmux {
        socket: format!("kith-rules-{}", std::process::id()),
    };
    t.start(h, &editor);
    t.wait_for("DEMO");
    t.keys(&["g", "r"]);
    t.wait_for("No rules.toml yet");
    t.keys(&["e"]);
    let s = t.wait_for("Rules read again: 4 in force");
    assert!(s.contains("Rules · 4 in force"), "{s}");
    assert!(
        s.contains("lamp-questions") && s.contains("negative-review"),
        "{s}"
    );
    let rules = h.join("config").join("kith").join("rules.toml");
    let text = std::fs::read_to_string(&rules).expect("rules.toml");
    assert_eq!(text, format!("{}{ADDED}", kith::tui::rules::EXAMPLE));
    // Broken on disk: the four rules stay in force, the problem is shown with its place.
    std::fs::write(
        &rules,
        "[[rule]]\nname = \"x\"\nwhen = \"~p nowhere\"\nthen = [\"spam\"]\n",
    )
    .expect("write");
    t.keys(&["r"]);
    let s = t.wait_for("line 3:12: rule \"x\"");
    assert!(s.contains("The file on disk is not in force"), "{s}");
    assert!(s.contains("Rules · 4 in force"), "{s}");
    t.keys(&["Escape", "q"]);
}
