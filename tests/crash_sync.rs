//! SIGKILL during `kith sync`, again and again, against a local server speaking the Telegram Bot
//! API: after every kill the store is consistent and holds no item twice; finishing the sync then
//! gives every message exactly once. `KITH_CRASH_ROUNDS` sets the number of kills (default 4).

mod support;

use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;
use support::fake::{at, Fake};
use support::telegram;
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

const MESSAGES: u64 = 1500;
const TOKEN: &str = "123456:crash-test-token";

/// `getUpdates` from `offset`, 100 at a time, like the Bot API (offset in the query or the body).
struct Updates;

impl Respond for Updates {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let from_query = req
            .url
            .query_pairs()
            .find(|(k, _)| k == "offset")
            .and_then(|(_, v)| v.parse::<u64>().ok());
        let from_body = serde_json::from_slice::<Value>(&req.body)
            .ok()
            .and_then(|v| v.get("offset").and_then(|o| o.as_u64()));
        let offset = from_query.or(from_body).unwrap_or(1).max(1);
        let updates: Vec<Value> = (offset..=MESSAGES)
            .take(100)
            .map(|i| {
                let chat = 5000 + (i % 40) as i64;
                json!({"update_id": i, "message": {
                    "message_id": i, "date": 1_773_480_000 + i,
                    "chat": {"id": chat, "type": "private", "first_name": "Ольга"},
                    "from": {"id": chat, "is_bot": false, "first_name": "Ольга", "username": format!("u{chat}")},
                    "text": format!("сообщение {i} 👍")}})
            })
            .collect();
        telegram::ok(json!(updates)).set_delay(Duration::from_millis(15))
    }
}

async fn telegram() -> MockServer {
    Fake::new()
        .with(telegram::get_me(TOKEN))
        .with(at(telegram::method(TOKEN, "getUpdates")).respond_with(Updates))
        .start()
        .await
}

fn kith(data: &Path, home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kith"));
    c.env_clear()
        .env("HOME", home)
        .env("LANG", "C.UTF-8")
        .env("TG_TOKEN", TOKEN)
        .arg("--data-dir")
        .arg(data);
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_sync_never_loses_or_doubles_an_item() {
    let rounds: u32 = std::env::var("KITH_CRASH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    let server = telegram().await;
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    let home = dir.path().to_path_buf();
    let uri = server.uri();
    let (d, h) = (data.clone(), home.clone());
    let ok = tokio::task::spawn_blocking(move || {
        kith(&d, &h)
            .args(["account", "add", "telegram", "bot", "--base-url", &uri])
            .args(["--token-env", "TG_TOKEN"])
            .status()
            .expect("add")
            .success()
    })
    .await
    .expect("join");
    assert!(ok, "account add failed");

    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut counts = Vec::new();
    for _ in 0..rounds {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let wait = Duration::from_millis(60 + seed % 400);
        let (d, h) = (data.clone(), home.clone());
        let n = tokio::task::spawn_blocking(move || {
            let mut child = kith(&d, &h)
                .args(["sync", "--once"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn");
            std::thread::sleep(wait);
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
            support::engine::native_ids_once(&d).len()
        })
        .await
        .expect("join");
        counts.push(n);
    }
    eprintln!("items stored when each kill landed: {counts:?}");
    // Progress only moves forward: a kill never takes back what was stored.
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");

    let (d, h) = (data.clone(), home.clone());
    let out = tokio::task::spawn_blocking(move || {
        kith(&d, &h)
            .args(["sync", "--once", "--json"])
            .output()
            .expect("final sync")
    })
    .await
    .expect("join");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all = support::engine::native_ids_once(&data);
    assert_eq!(all.len() as u64, MESSAGES, "after kills at {counts:?}");
    for i in [1u64, 750, MESSAGES] {
        let chat = 5000 + (i % 40);
        assert!(all.contains(&format!("{chat}:{i}")), "message {i} missing");
    }
}
