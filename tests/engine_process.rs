//! The engine as its own process, seen from the commands that attach to it: a secret named by
//! an environment variable of the command (not of the engine) is the one used, now and after a
//! restart.

mod cli_common;

use cli_common::Env;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "engine-process-token-3b7e";

/// A Mastodon that answers only to `TOKEN`.
async fn mastodon() -> MockServer {
    let server = MockServer::start().await;
    let bearer = format!("Bearer {TOKEN}");
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/verify_credentials"))
        .and(header("authorization", bearer.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "42", "username": "shop", "acct": "shop", "display_name": "Shop",
            "followers_count": 1, "bot": false
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/instance"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"domain": "x"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .and(header("authorization", bearer.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_from_the_commands_environment_reaches_a_running_engine() {
    let server = mastodon().await;
    let uri = server.uri();
    let e = Env::new();
    tokio::task::spawn_blocking(move || {
        // The engine starts first, without the variable.
        let engine = e.serve(&[]);
        let add = [
            "account",
            "add",
            "mastodon",
            "shop",
            "--base-url",
            &uri,
            "--token-env",
            "MASTODON_TOKEN",
        ];
        let (code, out, err) = e.run_with(&add, &[("MASTODON_TOKEN", TOKEN)]);
        assert_eq!(code, 0, "{out}\n{err}");
        assert!(
            out.contains("signed in as shop"),
            "checked by the engine: {out}"
        );
        // Unset in the command's shell: refused at once, nothing saved.
        let (code, _, err) = e.run(&[
            "account",
            "add",
            "mastodon",
            "other",
            "--base-url",
            &uri,
            "--token-env",
            "MASTODON_TOKEN",
        ]);
        assert_eq!(code, 2);
        assert!(err.contains("MASTODON_TOKEN is not set"), "{err}");
        let list = e.json(&["account", "list", "--json"]);
        assert_eq!(list.len(), 1);
        assert_eq!(list[0]["secret_source"], "kept:env:MASTODON_TOKEN");
        // After a restart (still without the variable) the kept secret is used.
        e.stop(engine);
        let engine = e.serve(&[]);
        let (code, out, err) = e.run(&["sync", "--once"]);
        assert_eq!(code, 0, "{out}\n{err}");
        let (code, out, err) = e.run(&["account", "test", "shop"]);
        assert_eq!(code, 0, "{out}\n{err}");
        e.stop(engine);
        // Removing the account removes the kept copy.
        assert_eq!(e.run(&["account", "remove", "shop"]).0, 0);
        let left = std::fs::read_dir(e.data().join("secrets"))
            .map(|d| d.count())
            .unwrap_or(0);
        assert_eq!(left, 0);
    })
    .await
    .expect("join");
}

/// Writes a one-item import and returns the item's id and version.
fn one_item(e: &Env) -> (String, u64) {
    let file = e.dir.path().join("one.jsonl");
    std::fs::write(
        &file,
        r#"{"platform":"vk","kind":"comment","native_id":"c1","author":{"id":7,"name":"Анна"},"text":"Когда доставка?","created_at":"2026-03-14T09:21:07Z"}
"#,
    )
    .expect("write");
    let (code, _, err) = e.run(&["import", file.to_str().expect("path")]);
    assert_eq!(code, 0, "{err}");
    let items = e.json(&["inbox", "--json"]);
    (
        items[0]["id"].as_str().expect("id").to_string(),
        items[0]["version"].as_u64().expect("version"),
    )
}

/// Waits until `ok` holds for the exit code of `args`, or fails after `secs`.
fn eventually(e: &Env, args: &[&str], secs: u64, ok: impl Fn(i32) -> bool) -> i32 {
    let start = std::time::Instant::now();
    loop {
        let (code, _, _) = e.run(args);
        if ok(code) || start.elapsed() > std::time::Duration::from_secs(secs) {
            return code;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

#[test]
fn engine_settings_follow_the_config_file_and_another_config_is_named() {
    let e = Env::new();
    let (id, _) = one_item(&e);
    let engine = e.serve(&[]);
    assert_eq!(e.run(&["tag", &id, "first"]).0, 0);
    // The team makes "tester" read-only while the engine runs: it is picked up.
    e.config("[team]\nread_only = [\"tester\"]\n");
    let code = eventually(&e, &["tag", &id, "second"], 10, |c| c == 7);
    assert_eq!(code, 7, "read-only from the edited config");
    // A broken file is kept out: the settings in force stay (asked with a config of our own,
    // since the broken one stops this command too).
    e.config("[team\nread_only = [\n");
    std::thread::sleep(std::time::Duration::from_secs(3));
    let plain = e.dir.path().join("plain.toml");
    std::fs::write(&plain, "").expect("write");
    let plain = plain.to_str().expect("path");
    let (code, _, err) = e.run(&["--config", plain, "tag", &id, "third"]);
    assert_eq!(code, 7, "{err}");
    // Fixed again: writable again.
    e.config("lang = \"en\"\n");
    assert_eq!(eventually(&e, &["tag", &id, "fourth"], 10, |c| c == 0), 0);
    // Another config file than the engine's: said in one line, naming the engine's.
    let other = e.dir.path().join("other.toml");
    std::fs::write(&other, "[team]\nread_only = [\"tester\"]\n").expect("write");
    let (code, _, err) = e.run(&["--config", other.to_str().expect("path"), "inbox"]);
    assert_eq!(code, 0, "{err}");
    let ours = e.dir.path().join("config/kith/config.toml");
    assert!(
        err.contains("settings") && err.contains(&ours.display().to_string()),
        "{err}"
    );
    // Our own config: nothing said.
    let (_, _, err) = e.run(&["inbox"]);
    assert!(!err.contains("settings"), "{err}");
    e.stop(engine);
}

/// Without an engine, commands run side by side wait their turn for the store: none fails,
/// and of the `--if-version` changes exactly one wins and the others hear why (exit 6).
#[test]
fn parallel_commands_without_an_engine_never_fail_on_the_store() {
    let e = Env::new();
    let (id, version) = one_item(&e);
    let v = version.to_string();
    let mut children = Vec::new();
    for n in 0..18 {
        let mut c = e.command();
        if n % 3 == 0 {
            c.args(["tag", &id, &format!("t{n}"), "--if-version", &v]);
        } else {
            c.args(["inbox", "--json"]);
        }
        c.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        children.push((n % 3 == 0, c.spawn().expect("spawn")));
    }
    let mut won = 0;
    let mut lost = 0;
    for (tagging, child) in children {
        let out = child.wait_with_output().expect("wait");
        let code = out.status.code().unwrap_or(-1);
        let err = String::from_utf8_lossy(&out.stderr);
        if tagging {
            match code {
                0 => won += 1,
                6 => lost += 1,
                other => panic!("tag exited {other}: {err}"),
            }
        } else {
            assert_eq!(code, 0, "inbox: {err}");
            let rows = String::from_utf8_lossy(&out.stdout).lines().count();
            assert_eq!(rows, 1);
        }
    }
    assert_eq!((won, lost), (1, 5));
}

/// An engine started in English answers a Russian and a Chinese command in their languages:
/// errors cross the socket as catalog keys and are worded by the front end.
#[test]
fn errors_are_worded_in_the_language_of_whoever_reads_them() {
    let e = Env::new();
    let engine = e.serve(&[("LANG", "en_US.UTF-8")]);
    let (code, _, en) = e.run(&["--lang", "en", "members", "--explain", "nobody"]);
    assert_eq!(code, 2);
    assert!(en.contains("no member nobody"), "{en}");
    let (code, _, ru) = e.run(&["--lang", "ru", "members", "--explain", "nobody"]);
    assert_eq!(code, 2);
    assert!(ru.contains("нет участника nobody"), "{ru}");
    let (_, _, zh) = e.run(&["--lang", "zh", "members", "--explain", "nobody"]);
    assert!(zh.contains("没有成员 nobody"), "{zh}");
    e.stop(engine);
}

fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).expect("meta").permissions().mode() & 0o777
}

/// Customer messages stay private on a shared machine: a new data dir is 0700 with 0600 files
/// whatever the umask; an old one is repaired; a folder of the user's own is named, not changed.
#[test]
fn the_data_dir_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let e = Env::new();
    let data = e.data();
    let (code, _, err) = e.run(&["inbox"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(mode(&data), 0o700);
    let mut open = Vec::new();
    let mut stack = vec![data.clone()];
    while let Some(p) = stack.pop() {
        for entry in std::fs::read_dir(&p).expect("dir") {
            let p = entry.expect("entry").path();
            let m = mode(&p);
            if m & 0o077 != 0 {
                open.push((p.clone(), m));
            }
            if p.is_dir() {
                stack.push(p);
            }
        }
    }
    assert!(open.is_empty(), "readable by others: {open:?}");
    // A store left by an older kith under umask 022: repaired on open.
    for p in [data.clone(), data.join("store")] {
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    std::fs::set_permissions(
        data.join("store/db"),
        std::fs::Permissions::from_mode(0o644),
    )
    .expect("chmod");
    assert_eq!(e.run(&["inbox"]).0, 0);
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("store")), 0o700);
    assert_eq!(mode(&data.join("store/db")), 0o600);
    // The user's own folder, readable by others: kith says so and leaves its mode.
    let mine = e.dir.path().join("mine");
    std::fs::create_dir_all(&mine).expect("mkdir");
    std::fs::write(mine.join("todo.txt"), "mine").expect("write");
    std::fs::set_permissions(&mine, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let (code, _, err) = e.run(&["--data-dir", mine.to_str().expect("path"), "inbox"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!("chmod 700 {}", mine.display())),
        "{err}"
    );
    assert_eq!(mode(&mine), 0o755);
    assert_eq!(mode(&mine.join("store/db")), 0o600);
}
