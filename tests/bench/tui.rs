//! TUI benchmarks: key press to new frame while scrolling the synthetic store (update, the
//! engine calls the key causes, and a full 220x60 render), and process start to first frame with
//! rows on screen (the real binary inside tmux). The key-press run is repeated with the engine
//! behind its Unix socket (as `kith serve` serves it), and an event's trip from one attached
//! client's change to another attached client is timed. `cargo bench --bench tui`.

#[path = "common.rs"]
mod common;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use kith::domain::Timestamp;
use kith::engine::{Backend, Engine, InProcess};
use kith::store::Store;
use kith::tui::{headless, render, App, Msg};
use ratatui::{backend::TestBackend, Terminal};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p) as usize]
}

fn report(label: &str, frames: &mut [f64]) {
    let n = frames.len();
    println!(
        "key press -> frame, {label}, over {n} presses (j, PgDn, k): p50 {:.3} ms  p99 {:.3} ms  max {:.3} ms",
        percentile(frames, 0.5),
        percentile(frames, 0.99),
        percentile(frames, 1.0)
    );
}

/// Scrolls the store with j, PgDn and k, timing each key from update to a drawn frame.
async fn key_to_frame(dir: &std::path::Path, backend: Arc<dyn Backend>) -> Vec<f64> {
    let mut events = backend.subscribe();
    let setup = kith::setup::Setup {
        paths: kith::paths::Paths::resolve(
            Some(dir.to_path_buf()),
            Some("/nonexistent/kith.toml".into()),
        ),
        settings: kith::config::Settings::default(),
        operator: "bench".into(),
    };
    let (cfg, _) = kith::tui::runner_config(&setup);
    let mut app = App::new(cfg, Timestamp::now());
    app.size = (220, 60);
    let mut term = Terminal::new(TestBackend::new(220, 60)).expect("term");
    let fx = kith::tui::start(&mut app);
    headless::settle(&mut app, backend.as_ref(), &mut events, fx).await;
    term.draw(|f| render::draw(f, &app)).expect("draw");
    let mut frames = Vec::new();
    for (keys, n) in [("j", 3000usize), ("pgdn", 300), ("k", 500)] {
        for _ in 0..n {
            let t = Instant::now();
            let fx = kith::tui::update(&mut app, Msg::Key(headless::key(keys)));
            headless::settle(&mut app, backend.as_ref(), &mut events, fx).await;
            term.draw(|f| render::draw(f, &app)).expect("draw");
            frames.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    frames
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = common::store_dir();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("rt");
    rt.block_on(async {
        let engine = Engine::new(Store::open(&dir).expect("store"), "bench");
        let local: Arc<dyn Backend> = Arc::new(InProcess::new(Arc::clone(&engine)));
        report("in process", &mut key_to_frame(&dir, local).await);
        // The same engine behind its socket, as every TUI attached to `kith serve` reaches it.
        let sockdir = tempfile::tempdir().expect("tmp");
        let socket = sockdir.path().join("run").join("engine.sock");
        let listener = kith::ipc::server::bind(&socket).await.expect("bind");
        let (stop, _) = tokio::sync::watch::channel(false);
        tokio::spawn(kith::ipc::server::run(Arc::clone(&engine), listener, stop.clone()));
        let attach = |op: &str| {
            kith::ipc::Remote::connect(kith::ipc::ClientOptions {
                socket: socket.clone(),
                operator: op.into(),
                reconnect: false,
                respawn: None,
                config: None,
            })
        };
        let remote: Arc<dyn Backend> = Arc::new(attach("bench").await.expect("attach"));
        report("over the socket", &mut key_to_frame(&dir, remote).await);
        // An event's trip: one client changes an item, the others hear it.
        let ann = attach("ann").await.expect("attach");
        let bob = attach("bob").await.expect("attach");
        let eve = attach("eve").await.expect("attach");
        let mut bob_rx = bob.subscribe();
        let mut eve_rx = eve.subscribe();
        let kith::engine::api::Response::Page(page) = ann
            .call(kith::engine::api::Request::List(kith::engine::api::ListQuery {
                limit: 1,
                ..Default::default()
            }))
            .await
            .expect("list")
        else {
            panic!("page")
        };
        let id = page.items[0].id;
        let mut trips = Vec::new();
        for i in 0..500 {
            let tag = format!("t{}", i % 2);
            let change = if i % 4 < 2 {
                kith::domain::Change::AddTag(tag)
            } else {
                kith::domain::Change::RemoveTag(tag)
            };
            let t = Instant::now();
            ann.call(kith::engine::api::Request::Update {
                id,
                change,
                if_version: None,
            })
            .await
            .expect("update");
            for rx in [&mut bob_rx, &mut eve_rx] {
                loop {
                    if let Ok(kith::engine::api::Event::ItemsChanged(_)) = rx.recv().await {
                        break;
                    }
                }
            }
            trips.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        println!(
            "change by one client -> event at two other clients (incl. the durable write): p50 {:.3} ms  p99 {:.3} ms  max {:.3} ms",
            percentile(&mut trips, 0.5),
            percentile(&mut trips, 0.99),
            percentile(&mut trips, 1.0)
        );
        let _ = stop.send(true);
    });
    drop(rt);
    std::thread::sleep(Duration::from_millis(300));
    // Start to first frame, in a real terminal: tmux answers the terminal queries kith makes at
    // start, as any terminal does. The time includes tmux starting the session (a few ms), so it
    // is an upper bound.
    let bin = common::kith_bin();
    let socket = format!("kith-bench-{}", std::process::id());
    let kith_cmd = format!(
        "env KITH_BENCH_FIRST_FRAME=1 HOME=/nonexistent {} --no-daemon --data-dir {}",
        bin.display(),
        dir.display()
    );
    let alive = || {
        Command::new("tmux")
            .args(["-L", &socket, "has-session", "-t", "b"])
            .stderr(std::process::Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    let mut times = Vec::new();
    for _ in 0..11 {
        let t = Instant::now();
        let started = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "new-session",
                "-d",
                "-s",
                "b",
                "-x",
                "220",
                "-y",
                "60",
                &kith_cmd,
            ])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(started, "tmux did not start");
        while alive() {
            std::thread::sleep(Duration::from_millis(2));
        }
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "process start -> first frame with rows (inside tmux, upper bound): median {:.1} ms",
        percentile(&mut times, 0.5)
    );
}
