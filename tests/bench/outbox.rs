//! Scheduler benchmarks on the real clock: how late a due post leaves (wake-up accuracy), and
//! what 10,000 waiting posts cost while nothing is due (CPU time and wake-ups of the engine).
//! `cargo bench --bench outbox`; `KITH_BENCH_IDLE_SECS` sets the idle window (default 10).

use kith::domain::post::{NewPost, NewTarget, TargetState};
use kith::domain::Timestamp;
use kith::engine::api::{Request, Response};
use kith::engine::Engine;
use kith::store::Store;
use std::time::Duration;

fn cpu_ms() -> f64 {
    // SAFETY: rusage is plain data filled by the kernel for this process.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
    ms(u.ru_utime) + ms(u.ru_stime)
}

async fn engine(dir: &std::path::Path) -> (std::sync::Arc<Engine>, String) {
    let engine = Engine::new(Store::open(dir).expect("store"), "bench");
    let items = kith::engine::demo::demo_items(Timestamp::now()).expect("demo");
    engine
        .call(Request::Ingest { items, demo: true })
        .await
        .expect("demo");
    let Ok(Response::Accounts(a)) = engine.call(Request::Accounts).await else {
        panic!("accounts")
    };
    let account = a
        .iter()
        .find(|a| a.demo && a.platform.capabilities().publish)
        .expect("demo account")
        .name
        .clone();
    (engine, account)
}

async fn create(e: &std::sync::Arc<Engine>, account: &str, text: String, due: Timestamp) -> u64 {
    match e
        .call(Request::PostCreate {
            post: NewPost {
                text,
                targets: vec![NewTarget {
                    account: account.to_string(),
                    ..Default::default()
                }],
                due_at: Some(due),
                media: Vec::new(),
            },
            queue: false,
        })
        .await
        .expect("post")
    {
        Response::Post(p) => p.id.0,
        _ => panic!("post"),
    }
}

fn main() {
    kith::i18n::init(kith::i18n::Lang::En);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        // Wake-up accuracy: 20 posts due 0.5 s apart; lateness = "sending" written − due time.
        let dir = tempfile::tempdir().expect("tmp");
        let (e, account) = engine(dir.path()).await;
        let start = Timestamp::now().0 + 1_000;
        let mut ids = Vec::new();
        for i in 0..20 {
            ids.push(
                create(
                    &e,
                    &account,
                    format!("accuracy {i}"),
                    Timestamp(start + i * 500),
                )
                .await,
            );
        }
        e.start_outbox();
        tokio::time::sleep(Duration::from_millis(1_000 + 20 * 500 + 1_500)).await;
        let mut late = Vec::new();
        for id in &ids {
            let p = e
                .store()
                .post(kith::domain::post::PostId(*id))
                .expect("read")
                .expect("post");
            assert!(
                matches!(p.targets[0].state, TargetState::Sent { .. }),
                "{p:?}"
            );
            let sending = p.log.iter().find(|a| a.what == "sending").expect("log");
            late.push(sending.at.0 - p.due_at.expect("due").0);
        }
        late.sort();
        println!(
            "wake-up accuracy, 20 posts: lateness p50 {} ms, max {} ms (target: < 1000 ms)",
            late[late.len() / 2],
            late[late.len() - 1]
        );
        drop(e);

        // Idle cost: 10,000 posts due next week, nothing due now.
        let dir = tempfile::tempdir().expect("tmp");
        let (e, account) = engine(dir.path()).await;
        let week = Timestamp::now().0 + 7 * 86_400_000;
        for i in 0..10_000 {
            create(
                &e,
                &account,
                format!("later {i}"),
                Timestamp(week + i * 60_000),
            )
            .await;
        }
        e.start_outbox();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let secs: u64 = std::env::var("KITH_BENCH_IDLE_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(10);
        let (cpu0, woke0) = (cpu_ms(), e.outbox_wakeups());
        tokio::time::sleep(Duration::from_secs(secs)).await;
        println!(
            "10,000 waiting posts, {secs} s idle: {:.1} ms CPU, {} scheduler wake-ups",
            cpu_ms() - cpu0,
            e.outbox_wakeups() - woke0
        );
    });
}
