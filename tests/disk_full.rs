//! A full disk under a running engine: changes are refused with "The disk is full at PATH, N MB
//! free" (in the reader's language), reads go on, and when space is freed the same engine takes
//! changes again by itself; every change that was acknowledged is still there. Runs on a small
//! tmpfs mounted for the test (root only; skipped with a message elsewhere).

mod cli_common;

use cli_common::Env;
use std::process::Command;

struct Mount(std::path::PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn tmpfs(at: &std::path::Path, size: &str) -> Option<Mount> {
    std::fs::create_dir_all(at).ok()?;
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(at)
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?
        .success();
    ok.then(|| Mount(at.to_path_buf()))
}

#[test]
fn a_full_disk_refuses_changes_and_the_engine_recovers_by_itself() {
    let e = Env::new();
    let disk = e.dir.path().join("disk");
    let Some(_mount) = tmpfs(&disk, "24m") else {
        eprintln!("cannot mount a tmpfs here (not root?); skipping the disk-full test");
        return;
    };
    let data = disk.join("data");
    let data_s = data.to_str().expect("path").to_string();
    let run = |args: &[&str]| {
        let mut all = vec!["--data-dir", data_s.as_str()];
        all.extend_from_slice(args);
        e.run(&all)
    };
    let file = e.dir.path().join("one.jsonl");
    std::fs::write(
        &file,
        r#"{"platform":"vk","kind":"comment","native_id":"c1","author":{"id":7,"name":"Анна"},"text":"Когда доставка?","created_at":"2026-03-14T09:21:07Z"}
"#,
    )
    .expect("write");
    assert_eq!(run(&["import", file.to_str().expect("path")]).0, 0);
    let items = {
        let (_, out, _) = run(&["inbox", "--json"]);
        out
    };
    let id = serde_json::from_str::<serde_json::Value>(items.lines().next().expect("item"))
        .expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let mut serve = e.command();
    serve
        .args(["--data-dir", &data_s, "serve"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let _engine = cli_common::Served(serve.spawn().expect("serve"));
    let socket = data.join("run/engine.sock");
    let start = std::time::Instant::now();
    while std::os::unix::net::UnixStream::connect(&socket).is_err() {
        assert!(start.elapsed().as_secs() < 20, "engine did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // The engine answers (its store is open) before the disk fills: the socket alone is bound
    // before the store opens.
    assert_eq!(run(&["inbox", "--json"]).0, 0);
    // Fill the disk.
    let fill = disk.join("fill");
    let _ = Command::new("dd")
        .args(["if=/dev/zero", "bs=1M", "count=64"])
        .arg(format!("of={}", fill.display()))
        .stderr(std::process::Stdio::null())
        .status();
    let mut acknowledged = Vec::new();
    let mut refused = None;
    for n in 0..400 {
        let tag = format!("t{n}");
        let (code, _, err) = run(&["tag", &id, &tag]);
        if code == 0 {
            acknowledged.push(tag);
        } else {
            refused = Some((code, err));
            break;
        }
    }
    let (code, err) = refused.expect("the disk filled up");
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("The disk is full at {data_s}")) && err.contains("MB free"),
        "{err}"
    );
    // In the reader's language; reads still work.
    let (code, _, err) = run(&["--lang", "ru", "tag", &id, "x"]);
    assert_eq!(code, 2);
    assert!(err.contains("Диск переполнен"), "{err}");
    assert_eq!(run(&["show", &id]).0, 0);
    // Space back: the same engine takes changes again, without a restart.
    std::fs::remove_file(&fill).expect("free");
    let start = std::time::Instant::now();
    loop {
        let (code, _, err) = run(&["tag", &id, "after"]);
        if code == 0 {
            break;
        }
        assert!(start.elapsed().as_secs() < 20, "never recovered: {err}");
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    // Nothing acknowledged was lost.
    let (_, out, _) = run(&["show", &id, "--json"]);
    let v: serde_json::Value =
        serde_json::from_str(out.lines().next().expect("item")).expect("json");
    let tags: Vec<String> = v["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t.as_str().map(String::from))
        .collect();
    for t in &acknowledged {
        assert!(
            tags.contains(t),
            "{t} was acknowledged and is gone: {tags:?}"
        );
    }
    assert!(tags.contains(&"after".to_string()));
    let (code, _, _) = run(&["serve", "--stop"]);
    assert_eq!(code, 0);
}

#[test]
fn a_store_on_a_full_disk_does_not_open_and_says_where() {
    let e = Env::new();
    let disk = e.dir.path().join("disk");
    let Some(_mount) = tmpfs(&disk, "4m") else {
        eprintln!("cannot mount a tmpfs here (not root?); skipping the disk-full test");
        return;
    };
    let _ = Command::new("dd")
        .args(["if=/dev/zero", "bs=1M", "count=8"])
        .arg(format!("of={}", disk.join("fill").display()))
        .stderr(std::process::Stdio::null())
        .status();
    let data = disk.join("data");
    let data_s = data.to_str().expect("path").to_string();
    // Twice: the first attempt leaves a half-made store behind, the second must say the same.
    for args in [["inbox"], ["serve"], ["inbox"]] {
        let mut all = vec!["--data-dir", data_s.as_str()];
        all.extend_from_slice(&args);
        let (code, _, err) = e.run(&all);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(
            err.trim(),
            format!(
                "kith: The disk is full at {data_s} (0 MB free): kith cannot open its store until \
                 some space is freed; nothing is lost"
            ),
            "{args:?}"
        );
    }
}
