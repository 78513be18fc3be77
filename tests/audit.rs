//! The audit log through the real binary: every change with its operator, filters, `--verify`
//! passing on an intact log and naming the entry after tampering, and — with `kith serve` killed
//! by SIGKILL while two operators change items — no change without its audit entry.
//! `KITH_CRASH_ROUNDS` sets the number of kills (default 3).

use kith::domain::{Change, Status};
use kith::engine::api::{ListQuery, Request, Response};
use kith::engine::Backend;
use kith::ipc::{ClientOptions, Remote};
use kith::store::Store;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

fn kith(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kith"))
        .env_clear()
        .env("HOME", home)
        .env("LANG", "C.UTF-8")
        .env("USER", "tester")
        .arg("--data-dir")
        .arg(home.join("data"))
        .args(args)
        .output()
        .expect("kith runs")
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json_lines(s: &str) -> Vec<serde_json::Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

#[test]
fn every_change_is_logged_with_its_operator_and_tampering_is_found() {
    let home = tempfile::tempdir().expect("tmp");
    let h = home.path();
    ok(&kith(h, &["--no-daemon", "demo"]));
    let first = json_lines(&ok(&kith(h, &["inbox", "--limit", "1", "--json"])));
    let id = first[0]["id"].as_str().expect("id").to_string();
    ok(&kith(h, &["--as", "ann", "done", &id]));
    ok(&kith(h, &["--as", "bob", "tag", &id, "VIP клиент"]));
    ok(&kith(h, &["--as", "ann", "claim", &id]));
    let entries = json_lines(&ok(&kith(h, &["audit", "--item", &id, "--json"])));
    let got: Vec<(String, String, String, String)> = entries
        .iter()
        .map(|e| {
            (
                e["operator"].as_str().unwrap_or("").to_string(),
                e["action"].as_str().unwrap_or("").to_string(),
                e["before"].as_str().unwrap_or("").to_string(),
                e["after"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "ann".into(),
                "update".into(),
                "status=new v1".into(),
                "status=done".into()
            ),
            (
                "bob".into(),
                "update".into(),
                "status=done v2".into(),
                "tag+=VIP клиент".into()
            ),
            (
                "ann".into(),
                "update".into(),
                "status=done v3 tags=VIP клиент".into(),
                "assignee=ann".into()
            ),
        ]
    );
    let ann = json_lines(&ok(&kith(h, &["audit", "--operator", "ann", "--json"])));
    assert_eq!(ann.len(), 2);
    let out = ok(&kith(h, &["audit", "--verify"]));
    assert!(
        out.starts_with("audit log intact: 4 entries, head "),
        "{out}"
    );
    // Rewrite bob's entry behind kith's back, straight in sled.
    let bob_seq = entries[1]["seq"].as_u64().expect("seq");
    {
        let db = sled::open(h.join("data").join("store")).expect("sled");
        let mut key = vec![b'u'];
        key.extend_from_slice(&bob_seq.to_be_bytes());
        let raw = db.get(&key).expect("get").expect("entry").to_vec();
        let at = raw
            .windows(3)
            .position(|w| w == b"bob")
            .expect("operator bytes");
        let mut forged = raw.clone();
        forged[at..at + 3].copy_from_slice(b"eve");
        assert_eq!(forged.len(), raw.len());
        db.insert(&key, forged).expect("put");
        db.flush().expect("flush");
    }
    let o = kith(h, &["audit", "--verify"]);
    assert_eq!(o.status.code(), Some(4));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        out.trim(),
        format!("audit log broken at entry {bob_seq}: hash does not match its content")
    );
    let o = kith(h, &["doctor", "--verify"]);
    assert_eq!(o.status.code(), Some(4));
}

/// Two operators change items through `kith serve` while it is killed with SIGKILL at random
/// moments. After each kill: for every item, the audit log holds exactly one entry per version
/// step, and the chain verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_never_leaves_a_change_without_its_audit_entry() {
    let rounds: u32 = std::env::var("KITH_CRASH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let home = tempfile::tempdir().expect("tmp");
    let h = home.path();
    let data = h.join("data");
    ok(&kith(h, &["--no-daemon", "demo"]));
    let socket = kith::ipc::socket_path(&data);
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for round in 0..rounds {
        let mut engine = Command::new(env!("CARGO_BIN_EXE_kith"))
            .env_clear()
            .env("HOME", h)
            .arg("--data-dir")
            .arg(&data)
            .arg("serve")
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("serve");
        for _ in 0..400 {
            if kith::ipc::spawn::probe(&socket).await {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let mut workers = Vec::new();
        for op in ["ann", "bob"] {
            let c = Remote::connect(ClientOptions {
                socket: socket.clone(),
                operator: op.into(),
                reconnect: false,
                respawn: None,
                config: None,
            })
            .await
            .expect("connect");
            workers.push(tokio::spawn(async move {
                let Ok(Response::Page(p)) = c
                    .call(Request::List(ListQuery {
                        limit: 200,
                        ..ListQuery::default()
                    }))
                    .await
                else {
                    return 0u32;
                };
                let mut n = 0;
                for (i, it) in p.items.iter().cycle().enumerate() {
                    let change = match i % 3 {
                        0 => Change::AddTag(format!("r{}", i % 7)),
                        1 => Change::status(if i % 2 == 0 {
                            Status::Open
                        } else {
                            Status::New
                        }),
                        _ => Change::Assign(Some(format!("op{}", i % 5))),
                    };
                    match c
                        .call(Request::Update {
                            id: it.id,
                            change,
                            if_version: None,
                        })
                        .await
                    {
                        Ok(_) => n += 1,
                        Err(_) => return n,
                    }
                }
                n
            }));
        }
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        tokio::time::sleep(Duration::from_millis(150 + seed % 400)).await;
        engine.kill().expect("kill");
        let _ = engine.wait();
        let mut done = 0;
        for w in workers {
            done += w.await.expect("worker");
        }
        assert!(
            done > 0,
            "round {round}: no change was made before the kill"
        );
        // The store after the kill: each item's version steps are all in the log.
        let store = Store::open(&data).expect("open after kill");
        let report = store.verify_audit().expect("verify");
        assert_eq!(report.problem, None, "round {round}");
        let mut steps: std::collections::HashMap<kith::domain::ItemId, u64> = Default::default();
        for e in store
            .audit_query(&kith::store::AuditQuery {
                limit: usize::MAX,
                ..Default::default()
            })
            .expect("audit")
        {
            if e.action == "update" {
                if let Some(id) = e.item {
                    *steps.entry(id).or_default() += 1;
                }
            }
        }
        let page = store
            .list(&ListQuery {
                limit: 1000,
                ..ListQuery::default()
            })
            .expect("list");
        for it in &page.items {
            assert_eq!(
                it.version - 1,
                steps.get(&it.id).copied().unwrap_or(0),
                "round {round}: item {} has versions without audit entries",
                it.id
            );
        }
        assert_eq!(store.check().expect("check"), Vec::<String>::new());
    }
}
