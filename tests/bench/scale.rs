//! Issue 20's scale targets measured in one run, side by side with a plain sled probe: load rate,
//! RSS over time, disk, cold start, engine RSS while browsing. One-shot numbers, never asserted.
//! `cargo bench --bench scale`; `KITH_BENCH_SCALE=N` items (default 200,000; 1,000,000 for the
//! issue's table; 10,000,000 for the big run). Prints a table and writes target/bench-scale-N.json.

#[path = "scale_probe.rs"]
mod scale_probe;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use scale_probe::{curve, dir_size, probe_read, probe_write, run_sampled, vm_rss_kb, Run};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const EVERY: Duration = Duration::from_millis(250);
const PAGE: usize = 50;
const RUNS: usize = 5;
const MB: f64 = 1024.0;

/// Child modes: the bench binary re-invoked to do one measured thing in a fresh process.
fn child(args: &[String]) -> Option<anyhow::Result<String>> {
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or_default();
    let dir = Path::new(arg(2));
    Some(match arg(1) {
        "--probe-write" => arg(3)
            .parse()
            .map_err(anyhow::Error::from)
            .and_then(|n| probe_write(dir, n, arg(4) == "indexed"))
            .map(|n| n.to_string()),
        "--probe-read" => probe_read(dir, PAGE).map(|n| n.to_string()),
        "--kith-page" => kith_page(dir).map(|n| n.to_string()),
        // What a process holding the probe open keeps resident, beside the engine's RSS.
        "--probe-rss" => {
            probe_read(dir, PAGE).map(|_| vm_rss_kb(std::process::id()).unwrap_or(0).to_string())
        }
        _ => return None,
    })
}

/// What the TUI and `kith inbox` show first, read through the library: open the store, one page.
fn kith_page(dir: &Path) -> anyhow::Result<usize> {
    let store = kith::store::Store::open(dir)?;
    let q = kith::engine::api::ListQuery {
        filter: kith::engine::views::FixedView::Inbox.filter(""),
        after: None,
        before: None,
        limit: PAGE,
    };
    Ok(store.list(&q)?.items.len())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(result) = child(&args) {
        match result {
            Ok(out) => println!("{out}"),
            Err(e) => {
                eprintln!("{e:#}");
                std::process::exit(1);
            }
        }
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let n: u64 = std::env::var("KITH_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let bench = Bench::new(n);
    let report = bench.run();
    let out = bench.root.with_extension("json");
    match serde_json::to_string_pretty(&report).map(|s| std::fs::write(&out, s)) {
        Ok(Ok(())) => println!("\nwritten to {}", out.display()),
        _ => eprintln!("could not write {}", out.display()),
    }
    if std::env::var_os("KITH_BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&bench.root);
    }
}

struct Bench {
    n: u64,
    root: PathBuf,
    kith: PathBuf,
    me: PathBuf,
}

/// A load: wall time, peak and sampled RSS, disk afterwards.
struct Load {
    run: Run,
    disk: u64,
}

impl Load {
    fn rate(&self, n: u64) -> f64 {
        n as f64 / self.run.wall.as_secs_f64()
    }
    fn peak_mb(&self) -> f64 {
        self.run.peak_kb as f64 / MB
    }
    fn quarters(&self) -> String {
        let c = curve(&self.run.samples, self.run.wall);
        let q = c.quarters_kb.map(|kb| format!("{:.0}", kb as f64 / MB));
        q.join("/")
    }
    fn flat(&self) -> Option<f64> {
        curve(&self.run.samples, self.run.wall).flat_ratio
    }
}

impl Bench {
    fn new(n: u64) -> Bench {
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let root = manifest.join(format!("target/bench-scale-{n}"));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("home/config")).expect("bench dir");
        Bench {
            n,
            root,
            kith: PathBuf::from(env!("CARGO_BIN_EXE_kith")),
            me: std::env::current_exe().expect("own path"),
        }
    }

    fn data(&self) -> PathBuf {
        self.root.join("kith")
    }

    /// The release binary in a home of its own, so no user config or running engine interferes.
    fn kith(&self, args: &[&str]) -> Command {
        let home = self.root.join("home");
        let mut c = Command::new(&self.kith);
        c.env_clear()
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("LANG", "C.UTF-8")
            .env("USER", "bench")
            .arg("--data-dir")
            .arg(self.data())
            .args(args);
        c
    }

    fn me(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.me);
        c.args(args);
        c
    }

    fn load(&self, mut cmd: Command, dir: &Path) -> Load {
        let run = run_sampled(&mut cmd, EVERY).expect("load");
        assert!(run.ok, "load failed: {cmd:?}");
        Load {
            run,
            disk: dir_size(dir),
        }
    }

    /// Median wall time of `RUNS` runs after one unmeasured warm-up, and the largest peak RSS.
    /// `rows` reads how many rows a run's stdout holds.
    fn cold(&self, make: impl Fn() -> Command, rows: fn(&str) -> usize) -> (f64, f64) {
        let mut times = Vec::with_capacity(RUNS);
        let mut peak = 0;
        for i in 0..=RUNS {
            let run = run_sampled(&mut make(), EVERY).expect("cold start");
            assert!(run.ok, "cold start failed: {:?}", make());
            assert_eq!(rows(&run.stdout), PAGE, "a page of {PAGE} rows");
            if i > 0 {
                times.push(run.wall.as_secs_f64() * 1000.0);
                peak = peak.max(run.peak_kb);
            }
        }
        times.sort_by(f64::total_cmp);
        (times[RUNS / 2], peak as f64 / MB)
    }

    /// Every step, then the table; returns the rows and kith's RSS curve for the JSON file.
    fn run(&self) -> Value {
        let n = self.n;
        let ns = n.to_string();
        println!(
            "scale bench: {n} synthetic items, seed {}",
            scale_probe::SEED
        );
        let mem = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let mem = mem
            .lines()
            .next()
            .unwrap_or_default()
            .replace("MemTotal:", "");
        let cores = std::thread::available_parallelism().map_or(0, |c| c.get());
        println!("machine: {cores} cores, {} RAM", mem.trim());
        println!("(each step runs in a child process; RSS sampled every 250 ms)\n");

        eprintln!("kith load…");
        let data = self.data();
        let kith = self.load(
            self.kith(&["--no-daemon", "demo", "--synthetic", &ns]),
            &data,
        );
        // "Stored N synthetic items": every item went in, none merged as a duplicate.
        let stored: String = kith
            .run
            .stdout
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        assert_eq!(stored, ns, "kith stored every item: {}", kith.run.stdout);
        let inbox = || self.kith(&["--no-daemon", "inbox", "--limit", "50"]);
        let (loaded_ms, _) = self.cold(inbox, lines);
        eprintln!("kith doctor --compact…");
        let compacted = self.load(self.kith(&["--no-daemon", "doctor", "--compact"]), &data);
        eprintln!("plain sled load…");
        let plain_dir = self.root.join("plain");
        let p = plain_dir.display().to_string();
        let plain = self.load(self.me(&["--probe-write", &p, &ns, "plain"]), &plain_dir);
        eprintln!("plain sled load with one index…");
        let idx_dir = self.root.join("indexed");
        let i = idx_dir.display().to_string();
        let indexed = self.load(self.me(&["--probe-write", &i, &ns, "indexed"]), &idx_dir);
        for probe in [&plain, &indexed] {
            assert_eq!(
                count(&probe.run.stdout) as u64,
                n,
                "the probe wrote every item"
            );
        }
        let index = scale_probe::probe_index_len(&idx_dir).expect("probe index");
        assert_eq!(index as u64, n, "one index entry per item");

        eprintln!("cold starts…");
        let d = data.display().to_string();
        let (cli_ms, cli_peak) = self.cold(inbox, lines);
        let (lib_ms, lib_peak) = self.cold(|| self.me(&["--kith-page", &d]), count);
        let (sled_ms, sled_peak) = self.cold(|| self.me(&["--probe-read", &p]), count);

        let held = run_sampled(&mut self.me(&["--probe-rss", &p]), EVERY).expect("probe rss");
        let held_mb = count(&held.stdout) as f64 / MB;
        eprintln!("browsing through kith serve…");
        let browse = self.browse();

        let mut t = Table::default();
        let rates = format!(
            "{} / {} (1 index)",
            rate(plain.rate(n)),
            rate(indexed.rate(n))
        );
        t.row(
            "load wall time",
            secs(kith.run.wall),
            secs(plain.run.wall),
            "",
            None,
        );
        t.row(
            "load rate, items/s",
            rate(kith.rate(n)),
            rates,
            "≥ 40k/s",
            Some(kith.rate(n) >= 40_000.0),
        );
        let peaks = format!("{:.0} / {:.0} MB", plain.peak_mb(), indexed.peak_mb());
        t.row(
            "load peak RSS",
            format!("{:.0} MB", kith.peak_mb()),
            peaks,
            "< 1024 MB",
            Some(kith.peak_mb() < 1024.0),
        );
        t.row(
            "load RSS at 25/50/75/100 %, MB",
            kith.quarters(),
            plain.quarters(),
            "",
            None,
        );
        let flat = kith.flat();
        t.row(
            "load RSS last/first quarter max",
            ratio(flat),
            ratio(plain.flat()),
            "≤ 1.25 (flat)",
            flat.map(|f| f <= 1.25),
        );
        let disk_x = kith.disk as f64 / plain.disk.max(1) as f64;
        let disks = format!("{} / {} (1 index)", size(plain.disk), size(indexed.disk));
        t.row(
            "disk as loaded",
            format!("{} = {disk_x:.1}×", size(kith.disk)),
            disks.clone(),
            "≤ 2× plain",
            Some(disk_x <= 2.0),
        );
        t.row(
            "kith doctor --compact: time, peak RSS",
            format!(
                "{}, {:.0} MB",
                secs(compacted.run.wall),
                compacted.peak_mb()
            ),
            "",
            "",
            None,
        );
        let compact_x = compacted.disk as f64 / plain.disk.max(1) as f64;
        t.row(
            "disk after doctor --compact",
            format!("{} = {compact_x:.1}×", size(compacted.disk)),
            disks,
            "≤ 2× plain",
            Some(compact_x <= 2.0),
        );
        let sled = format!("{sled_ms:.0} ms open + {PAGE} values");
        let loaded_x = loaded_ms / sled_ms;
        t.row(
            "cold start as loaded: kith inbox --no-daemon",
            format!("{loaded_ms:.0} ms = {loaded_x:.1}×"),
            sled.clone(),
            "≤ 1.5× plain",
            Some(loaded_x <= 1.5),
        );
        let cli_x = cli_ms / sled_ms;
        t.row(
            "cold start compacted: kith inbox --no-daemon",
            format!("{cli_ms:.0} ms = {cli_x:.1}×"),
            sled.clone(),
            "≤ 1.5× plain",
            Some(cli_x <= 1.5),
        );
        let lib_x = lib_ms / sled_ms;
        t.row(
            "cold start compacted: Store::open + list",
            format!("{lib_ms:.0} ms = {lib_x:.1}×"),
            sled,
            "≤ 1.5× plain",
            Some(lib_x <= 1.5),
        );
        t.row(
            "cold start peak RSS (cli / lib)",
            format!("{cli_peak:.0} / {lib_peak:.0} MB"),
            format!("{sled_peak:.0} MB"),
            "",
            None,
        );
        let big = n >= 10_000_000;
        t.row(
            "kith serve: spawn → first page via it",
            format!("{:.0} ms", browse.open_ms),
            "",
            "< 2 s at 10M",
            big.then_some(browse.open_ms < 2000.0),
        );
        t.row(
            "engine RSS after that first page",
            format!("{:.0} MB", browse.open_mb),
            format!("{held_mb:.0} MB after open + page"),
            "",
            None,
        );
        t.row(
            "engine RSS after 20 requests",
            format!("{:.0} MB", browse.browsed_mb),
            format!("{held_mb:.0} MB after open + page"),
            "< 150 MB",
            Some(browse.browsed_mb < 150.0),
        );
        t.row(
            "a request with the engine running",
            format!("{:.0} ms median", browse.request_ms),
            "",
            "",
            None,
        );
        t.print();
        let series = |l: &Load| {
            let s = &l.run.samples;
            let pairs = s.iter().map(|s| (s.at.as_secs_f64(), s.rss_kb / 1024));
            pairs.collect::<Vec<_>>()
        };
        json!({
            "items": n,
            "rows": t.rows,
            "rss_mb_over_time": { "kith": series(&kith), "plain_sled": series(&plain) },
        })
    }

    /// `kith serve` on the loaded store, 20 page and search requests through it, its RSS read.
    fn browse(&self) -> Browse {
        let started = Instant::now();
        let mut serve = self
            .kith(&["serve"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("kith serve");
        let socket = self.data().join("run/engine.sock");
        while std::os::unix::net::UnixStream::connect(&socket).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(600),
                "kith serve did not start"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        // The socket is bound before the store opens: the engine is open when it answers a page.
        let first = self.kith(&["inbox", "--limit", "50"]).output();
        assert!(first.is_ok_and(|o| o.status.success()), "first page failed");
        let open_ms = started.elapsed().as_secs_f64() * 1000.0;
        let open_mb = vm_rss_kb(serve.id()).unwrap_or(0) as f64 / MB;
        let requests = [
            "inbox --limit 50",
            "inbox --view all --platform vk --limit 50",
            "inbox --view all --search lamp --limit 50",
            "inbox --view all --search доставка --limit 50",
            "inbox --view reviews --rating 1-2 --limit 50",
        ];
        let mut times = Vec::new();
        for r in requests.iter().cycle().take(20) {
            let args: Vec<&str> = r.split(' ').collect();
            let t = Instant::now();
            let out = self.kith(&args).output().expect("request");
            assert!(out.status.success(), "{r} failed");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let browsed_mb = vm_rss_kb(serve.id()).unwrap_or(0) as f64 / MB;
        let stopped = self.kith(&["serve", "--stop"]).output();
        if !stopped.is_ok_and(|o| o.status.success()) {
            let _ = serve.kill();
        }
        let _ = serve.wait();
        times.sort_by(f64::total_cmp);
        Browse {
            open_ms,
            open_mb,
            browsed_mb,
            request_ms: times[times.len() / 2],
        }
    }
}

struct Browse {
    open_ms: f64,
    open_mb: f64,
    browsed_mb: f64,
    request_ms: f64,
}

/// The printed table; the same rows go to the JSON file.
#[derive(Default)]
struct Table {
    rows: Vec<Value>,
}

impl Table {
    fn row(
        &mut self,
        what: &str,
        kith: impl Into<String>,
        plain: impl Into<String>,
        target: &str,
        holds: Option<bool>,
    ) {
        self.rows.push(json!({
            "what": what, "kith": kith.into(), "plain_sled": plain.into(),
            "target": target, "holds": holds,
        }));
    }

    fn print(&self) {
        println!(
            "{:<38} {:<22} {:<32} {:<16} ok",
            "what", "kith", "plain sled", "target"
        );
        for r in &self.rows {
            let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            let ok = match r["holds"].as_bool() {
                Some(true) => "✓",
                Some(false) => "✗",
                None => "",
            };
            println!(
                "{:<38} {:<22} {:<32} {:<16} {ok}",
                s("what"),
                s("kith"),
                s("plain_sled"),
                s("target")
            );
        }
    }
}

/// `kith inbox` prints one line per row.
fn lines(out: &str) -> usize {
    out.lines().filter(|l| !l.trim().is_empty()).count()
}

/// The child modes print how many rows they read.
fn count(out: &str) -> usize {
    out.trim().parse().unwrap_or(0)
}

fn rate(per_s: f64) -> String {
    if per_s >= 1000.0 {
        format!("{:.1}k", per_s / 1000.0)
    } else {
        format!("{per_s:.0}")
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn size(bytes: u64) -> String {
    format!("{:.0} MB", bytes as f64 / MB / MB)
}

fn ratio(r: Option<f64>) -> String {
    r.map_or("— (run too short)".into(), |r| format!("{r:.2}"))
}
