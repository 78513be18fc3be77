//! The measuring parts of the scale benchmark: a child process timed with its RSS sampled from
//! /proc over time, disk use, and the plain sled probe (the same synthetic items in a bare sled db).
//! Shared with tests/bench_scale.rs, which runs them on a few thousand items in debug.

use anyhow::{anyhow, Context, Result};
use kith::domain::{NewItem, Timestamp};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The seed `kith demo --synthetic` uses by default, so both stores hold the same items.
pub const SEED: u64 = 1;
/// Items per sled batch in the plain probe (what sled sustains on the development machine).
pub const BATCH: usize = 1000;
/// The cache kith's store opens with, so the probe pays for the same page cache.
const CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// One RSS reading of a child, `at` after it was spawned.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub at: Duration,
    pub rss_kb: u64,
}

/// A finished child: how long it ran, whether it succeeded, its peak and sampled RSS, its stdout.
#[derive(Debug)]
pub struct Run {
    pub wall: Duration,
    pub ok: bool,
    /// The kernel's own peak (`ru_maxrss`), which the samples can miss between two readings.
    pub peak_kb: u64,
    pub samples: Vec<Sample>,
    pub stdout: String,
}

/// `VmRSS` of a live process in kB; `None` once it has exited (a zombie has no VmRSS line).
pub fn vm_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Reads a process's RSS every `every` on its own thread until told to stop.
pub struct Sampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Vec<Sample>>,
}

impl Sampler {
    pub fn start(pid: u32, every: Duration) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let start = Instant::now();
        let thread = std::thread::spawn(move || {
            let mut samples = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                if let Some(rss_kb) = vm_rss_kb(pid) {
                    samples.push(Sample {
                        at: start.elapsed(),
                        rss_kb,
                    });
                }
                // Short naps so stopping never waits a whole interval.
                let until = Instant::now() + every;
                while Instant::now() < until && !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(every.min(Duration::from_millis(10)));
                }
            }
            samples
        });
        Sampler { stop, thread }
    }

    pub fn finish(self) -> Vec<Sample> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or_default()
    }
}

/// Runs `cmd` to its end with stdout captured and stderr discarded, sampling its RSS.
pub fn run_sampled(cmd: &mut Command, every: Duration) -> Result<Run> {
    let started = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("spawning {cmd:?}"))?;
    let pid = child.id();
    let sampler = Sampler::start(pid, every);
    let mut pipe = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = pipe.read_to_string(&mut s);
        s
    });
    let mut status = 0;
    // SAFETY: rusage is plain data the kernel fills in; pid is our own unreaped child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid as i32, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    let samples = sampler.finish();
    // Reaped by wait4 already; this only settles std's bookkeeping.
    let _ = child.try_wait();
    let stdout = reader.join().unwrap_or_default();
    if rc != pid as i32 {
        return Err(anyhow!("wait4 failed for {cmd:?}"));
    }
    Ok(Run {
        wall,
        ok: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        peak_kb: usage.ru_maxrss as u64,
        samples,
        stdout,
    })
}

/// RSS over a run: at 25/50/75/100 % of its wall time, and how far the last quarter rose above
/// the first (≈1 when memory stays flat, 2 when it doubled).
#[derive(Debug, Clone, Copy, Default)]
pub struct Curve {
    pub quarters_kb: [u64; 4],
    pub flat_ratio: Option<f64>,
}

pub fn curve(samples: &[Sample], wall: Duration) -> Curve {
    let at_most = |t: Duration| {
        samples
            .iter()
            .take_while(|s| s.at <= t)
            .last()
            .map_or(0, |s| s.rss_kb)
    };
    let quarters_kb = [1, 2, 3, 4].map(|q| at_most(wall * q / 4));
    let max_in =
        |keep: &dyn Fn(&Sample) -> bool| samples.iter().filter(|s| keep(s)).map(|s| s.rss_kb).max();
    let first = max_in(&|s| s.at <= wall / 4);
    let last = max_in(&|s| s.at >= wall * 3 / 4);
    let flat_ratio = match (first, last) {
        (Some(f), Some(l)) if f > 0 => Some(l as f64 / f as f64),
        _ => None,
    };
    Curve {
        quarters_kb,
        flat_ratio,
    }
}

/// Bytes in every file under `dir`.
pub fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

fn open_plain(dir: &Path) -> Result<sled::Db> {
    Ok(sled::Config::new()
        .path(dir)
        .cache_capacity(CACHE_BYTES)
        .flush_every_ms(None)
        .open()?)
}

/// The one secondary index of the indexed variant: platform, account and native id, as kith
/// finds an item again when a platform sends it twice.
fn native_key(item: &NewItem) -> Vec<u8> {
    let mut k = Vec::with_capacity(64);
    k.extend_from_slice(item.platform.as_str().as_bytes());
    k.push(0);
    k.extend_from_slice(item.account.as_bytes());
    k.push(0);
    k.extend_from_slice(item.native_id.as_bytes());
    k
}

/// Writes the `n` synthetic items of `kith demo --synthetic n` into a bare sled db at `dir`:
/// postcard values under 8-byte big-endian counters, `BATCH` per batch, plus a native-id index
/// when `indexed`. Returns how many items the db holds afterwards.
pub fn probe_write(dir: &Path, n: u64, indexed: bool) -> Result<u64> {
    let db = open_plain(dir)?;
    let native = db.open_tree("native")?;
    let mut items = sled::Batch::default();
    let mut index = sled::Batch::default();
    let mut pending = 0;
    let synthetic = kith::engine::synthetic::synthetic(n, SEED, Timestamp::now());
    for (i, item) in (0u64..).zip(synthetic) {
        let key = i.to_be_bytes();
        items.insert(&key, postcard::to_allocvec(&item)?);
        if indexed {
            index.insert(native_key(&item), &key);
        }
        pending += 1;
        if pending == BATCH {
            db.apply_batch(std::mem::take(&mut items))?;
            native.apply_batch(std::mem::take(&mut index))?;
            pending = 0;
        }
    }
    db.apply_batch(items)?;
    native.apply_batch(index)?;
    db.flush()?;
    Ok(db.len() as u64)
}

/// Opens a probe db and decodes its newest `k` items: sled's own open-and-page time.
pub fn probe_read(dir: &Path, k: usize) -> Result<usize> {
    let db = open_plain(dir)?;
    let mut read = 0;
    for kv in db.iter().rev().take(k) {
        let (_, v) = kv?;
        let _: NewItem = postcard::from_bytes(&v)?;
        read += 1;
    }
    Ok(read)
}

/// Entries in the probe's native-id index.
pub fn probe_index_len(dir: &Path) -> Result<usize> {
    Ok(open_plain(dir)?.open_tree("native")?.len())
}
