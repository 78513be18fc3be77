//! The crash loop the exactly-once tests share: `kith serve` started as a real process on a data
//! dir, killed with SIGKILL at pseudo-random moments, then left alone until every post settled.

use kith::domain::post::Post;
use kith::engine::api::{PostQuery, Request, Response};
use kith::engine::Backend;
use kith::ipc::client::{ClientOptions, Remote};
use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

/// How many kills (`KITH_CRASH_ROUNDS`, default 6).
pub fn rounds() -> u32 {
    std::env::var("KITH_CRASH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(6)
}

/// `kith serve` on `data`, with the account token in `token_var`.
pub fn serve(home: &Path, data: &Path, token_var: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_kith"))
        .env_clear()
        .env("HOME", home)
        .env(token_var, "crash-token")
        .arg("--data-dir")
        .arg(data)
        .arg("serve")
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve")
}

pub async fn wait_listening(data: &Path) {
    let socket = kith::ipc::socket_path(data);
    for _ in 0..400 {
        if kith::ipc::spawn::probe(&socket).await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("kith serve did not start");
}

/// Starts and SIGKILLs the engine `rounds` times, each after 50 ms plus up to `spread_ms`
/// (xorshift from `seed`, so a run is repeatable).
pub async fn kill_rounds(
    home: &Path,
    data: &Path,
    token_var: &str,
    rounds: u32,
    mut seed: u64,
    spread_ms: u64,
) {
    for _ in 0..rounds {
        let mut engine = serve(home, data, token_var);
        wait_listening(data).await;
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        tokio::time::sleep(Duration::from_millis(50 + seed % spread_ms)).await;
        engine.kill().expect("kill");
        engine.wait().expect("reap");
    }
}

/// A last engine left alone until every post's first target settled; its posts then.
pub async fn settle(home: &Path, data: &Path, token_var: &str) -> Vec<Post> {
    let mut engine = serve(home, data, token_var);
    wait_listening(data).await;
    let client = Remote::connect(ClientOptions {
        socket: kith::ipc::socket_path(data),
        operator: "checker".into(),
        reconnect: false,
        respawn: None,
        config: None,
    })
    .await
    .expect("connect");
    // Settling takes seconds; the bound is for a loaded 2-core CI machine, where a post whose
    // first attempt was cut by a kill waits out its backoff.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(180);
    let posts = loop {
        let Ok(Response::Posts(ps)) = client
            .call(Request::Posts(PostQuery {
                limit: 1000,
                ..Default::default()
            }))
            .await
        else {
            panic!("posts");
        };
        let open = ps.iter().filter(|p| !p.settled(&p.targets[0])).count();
        if open == 0 {
            break ps;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{open} posts never settled"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    engine.kill().expect("kill");
    engine.wait().expect("reap");
    posts
}
