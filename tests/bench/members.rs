//! Member ranking benchmarks: top-50 read from the index for every period, the opinion leaders
//! and one platform (in process); a person's profile; `kith members --top 50` against
//! `kith inbox --limit 50` as whole commands; and what counting members costs ingest.
//! `cargo bench --bench members`; `KITH_BENCH_STORE=DIR` points at a 1M store
//! (`kith --data-dir DIR demo --synthetic 1000000`), `KITH_BENCH_INGEST=N` sizes the ingest run.

#[path = "common.rs"]
mod common;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use kith::domain::member::{Period, Scoring};
use kith::domain::{Platform, Timestamp};
use kith::store::{RankQuery, Store};
use std::process::Command;
use std::time::{Duration, Instant};

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p) as usize]
}

fn time_ms(runs: usize, mut f: impl FnMut()) -> (f64, f64, f64) {
    f();
    let mut v: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    (pct(&mut v, 0.5), pct(&mut v, 0.99), pct(&mut v, 1.0))
}

fn median_cmd(runs: usize, mut c: impl FnMut() -> Command) -> Duration {
    let mut v: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let ok = c().output().map(|o| o.status.success()).unwrap_or(false);
            assert!(ok, "command failed");
            t.elapsed()
        })
        .collect();
    v.sort();
    v[v.len() / 2]
}

/// CPU seconds this process used so far (user + system, every thread; Linux).
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime is the 12th, stime the 13th.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    (f.get(11).unwrap_or(&0) + f.get(12).unwrap_or(&0)) as f64 / 100.0
}

/// One ingest of `n` synthetic items: wall seconds, of that the final settle (the waiting
/// counts applied; 0 without counting), and CPU seconds (every thread, the settle included).
fn ingest(n: u64, count: bool) -> (f64, f64, f64) {
    let dir = tempfile::tempdir().expect("tmp");
    let s = Store::open(dir.path()).expect("store");
    s.set_member_counting(count);
    let items: Vec<_> = kith::engine::synthetic::synthetic(n, 11, Timestamp::now()).collect();
    let t = Instant::now();
    let cpu = cpu_secs();
    for chunk in items.chunks(2_000) {
        s.ingest(chunk, false, "bench", Timestamp::now())
            .expect("ingest");
    }
    let settle = Instant::now();
    s.settle_members(u64::MAX, Timestamp::now())
        .expect("settle");
    let settle = settle.elapsed().as_secs_f64();
    (t.elapsed().as_secs_f64(), settle, cpu_secs() - cpu)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    if std::env::var_os("KITH_BENCH_ONLY_INGEST").is_none() {
        reads();
    }
    ingest_overhead();
}

fn reads() {
    let dir = common::store_dir();
    let bin = common::kith_bin();
    let d = dir.display().to_string();
    println!("store: {d}");
    {
        let t = Instant::now();
        let s = Store::open(&dir).expect("store");
        println!(
            "open (with any migration): {:.1} s",
            t.elapsed().as_secs_f64()
        );
        s.set_scoring(Scoring::default());
        if s.index_scoring().expect("meta").as_deref() != Some(&Scoring::default().fingerprint()) {
            let t = Instant::now();
            let n = s
                .rebuild_members(Timestamp::now(), &mut |_, _| {})
                .expect("rebuild");
            println!("rebuild {n} members: {:.1} s", t.elapsed().as_secs_f64());
        }
        let now = Timestamp::now();
        let mut queries: Vec<(String, RankQuery)> = Period::ALL
            .iter()
            .map(|p| {
                (
                    format!("top 50, {}", p.as_str()),
                    RankQuery {
                        period: *p,
                        limit: 50,
                        ..Default::default()
                    },
                )
            })
            .collect();
        queries.push((
            "top 50, opinion leaders".into(),
            RankQuery {
                leaders: true,
                limit: 50,
                ..Default::default()
            },
        ));
        queries.push((
            "top 50, 30d, vk only".into(),
            RankQuery {
                platform: Some(Platform::Vk),
                limit: 50,
                ..Default::default()
            },
        ));
        let mut first = None;
        for (label, q) in &queries {
            let (p50, p99, max) = time_ms(100, || {
                let r = s.members_top(q, now).expect("top");
                assert!(r.rows.len() == 50 || !r.more);
                if first.is_none() {
                    first = r.rows.first().map(|x| x.person);
                }
            });
            println!("{label}: p50 {p50:.2} ms  p99 {p99:.2} ms  max {max:.2} ms");
        }
        if let Some(top) = first {
            let (p50, p99, _) = time_ms(100, || {
                s.member_profile(top, Period::Month, now).expect("profile");
            });
            println!(
                "profile of the top person (30d, explained): p50 {p50:.2} ms  p99 {p99:.2} ms"
            );
        }
    }
    let kith = |args: &[&str]| {
        let mut c = Command::new(&bin);
        c.args(["--data-dir", &d])
            .args(args)
            .env("HOME", "/nonexistent");
        c
    };
    let inbox = median_cmd(9, || kith(&["inbox", "--limit", "50"]));
    let members = median_cmd(9, || kith(&["members", "--top", "50"]));
    println!(
        "kith inbox --limit 50: {:.0} ms · kith members --top 50: {:.0} ms · ratio {:.2}",
        inbox.as_secs_f64() * 1e3,
        members.as_secs_f64() * 1e3,
        members.as_secs_f64() / inbox.as_secs_f64()
    );
}

fn ingest_overhead() {
    let n: u64 = std::env::var("KITH_BENCH_INGEST")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50_000);
    if let Ok(which) = std::env::var("KITH_BENCH_ONE") {
        // For profiling one side: `KITH_BENCH_ONE=on|off`.
        let (secs, settle, _) = ingest(n, which == "on");
        println!(
            "ingest {n} ({which}): {:.0} items/s (settle {settle:.2} s)",
            n as f64 / secs
        );
        return;
    }
    let mut off = f64::MAX;
    let mut on = f64::MAX;
    let mut settle = 0.0;
    let (mut cpu_off, mut cpu_on) = (f64::MAX, f64::MAX);
    // Each round runs both sides back to back; the ratio within a round cancels the machine's
    // drift between rounds (on a shared VM whole minutes run 30 % slower).
    let mut ratios = Vec::new();
    let rounds: usize = std::env::var("KITH_BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    for _ in 0..rounds {
        let (t_off, _, c) = ingest(n, false);
        off = off.min(t_off);
        cpu_off = cpu_off.min(c);
        let (t, s, c) = ingest(n, true);
        if t < on {
            (on, settle) = (t, s);
        }
        cpu_on = cpu_on.min(c);
        ratios.push(t / t_off);
    }
    let median = pct(&mut ratios, 0.5);
    println!(
        "ingest {n} synthetic items in 2,000-item batches: {:.0} items/s without member counting, {:.0} with (settling the ranking {settle:.2} s of it); overhead {:.1}%",
        n as f64 / off,
        n as f64 / on,
        (on / off - 1.0) * 100.0
    );
    println!(
        "CPU time (every thread): {cpu_off:.2} s without member counting, {cpu_on:.2} s with; overhead {:.1}%",
        (cpu_on / cpu_off - 1.0) * 100.0
    );
    println!(
        "overhead per round (with / without, back to back): median {:.1}% over {rounds} rounds",
        (median - 1.0) * 100.0
    );
}
