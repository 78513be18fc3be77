//! Whole-process benchmarks against the real binary: `kith inbox` and search commands compared
//! with sled's own open + first page (a probe process that opens the same store the same way),
//! ingest rate and peak memory. Prints a table; `cargo bench --bench process`.
//! `KITH_BENCH_STORE=DIR` points at a 1M store; `KITH_BENCH_INGEST=N` sets the ingest run size.

#[path = "common.rs"]
mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs a command to completion; returns wall time and peak RSS in MB.
fn measure(cmd: &mut Command) -> (Duration, u64) {
    let t = Instant::now();
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut status = 0;
    // SAFETY: rusage is plain data filled by the kernel; pid is our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(rc, child.id() as i32, "wait4 failed");
    // Reaped by wait4 already; this only settles std's bookkeeping.
    let _ = child.try_wait();
    assert_eq!(status, 0, "command failed: {cmd:?}");
    (t.elapsed(), usage.ru_maxrss as u64 / 1024)
}

fn stats(name: &str, runs: usize, mut f: impl FnMut() -> (Duration, u64)) -> f64 {
    f(); // warm the page cache
    let mut times: Vec<f64> = Vec::with_capacity(runs);
    let mut rss = 0;
    for _ in 0..runs {
        let (d, r) = f();
        times.push(d.as_secs_f64() * 1000.0);
        rss = rss.max(r);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let median = times[runs / 2];
    println!(
        "{name:<44} median {median:>8.1} ms   p90 {:>8.1} ms   peak RSS {rss:>5} MB",
        times[runs * 9 / 10]
    );
    median
}

/// The probe: open the store the way kith does and read the newest 50 item keys.
fn sled_probe(dir: &Path) {
    let db = sled::Config::new()
        .path(dir.join("store"))
        .cache_capacity(64 * 1024 * 1024)
        .flush_every_ms(None)
        .open()
        .expect("open");
    let bytes: usize = db
        .scan_prefix([b'i'])
        .rev()
        .take(50)
        .map(|kv| kv.map(|(_, v)| v.len()).unwrap_or(0))
        .sum();
    assert!(bytes > 0);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--sled-probe") {
        sled_probe(Path::new(&args[pos + 1]));
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let bin = common::kith_bin();
    let dir = common::store_dir();
    let d = dir.display().to_string();
    let me = std::env::current_exe().expect("self");
    let kith = |extra: &[&str]| {
        let mut c = Command::new(&bin);
        c.args(["--data-dir", &d])
            .args(extra)
            .env("HOME", "/nonexistent");
        c
    };
    println!("store: {d}");
    let probe = stats("sled probe: open + newest 50 items", 15, || {
        measure(Command::new(&me).args(["--sled-probe", &d]))
    });
    let inbox = stats("kith inbox --limit 50", 15, || {
        measure(&mut kith(&["inbox", "--limit", "50"]))
    });
    stats("kith inbox --limit 50 --json", 15, || {
        measure(&mut kith(&["inbox", "--limit", "50", "--json"]))
    });
    stats("kith inbox --status new --platform vk", 15, || {
        measure(&mut kith(&["inbox", "--status", "new", "--platform", "vk"]))
    });
    stats("kith inbox --search lamp", 15, || {
        measure(&mut kith(&["inbox", "--search", "lamp"]))
    });
    stats("kith inbox --search доставка", 15, || {
        measure(&mut kith(&["inbox", "--search", "доставка"]))
    });
    println!("inbox / probe ratio: {:.2}", inbox / probe);
    let n: u64 = std::env::var("KITH_BENCH_INGEST")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let fresh = tempfile::tempdir().expect("tmp");
    let (t, rss) = measure(Command::new(&bin).args([
        "--data-dir",
        &fresh.path().display().to_string(),
        "demo",
        "--synthetic",
        &n.to_string(),
    ]));
    println!(
        "ingest {n} synthetic items: {:.1} s = {:.0} items/s, peak RSS {rss} MB",
        t.as_secs_f64(),
        n as f64 / t.as_secs_f64()
    );
}
