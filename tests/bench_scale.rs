//! The scale benchmark's measuring code on a few thousand items in debug: the plain sled probe
//! run as a sampled child process (this test binary re-invoked), its RSS curve and disk use.

#[path = "bench/scale_probe.rs"]
mod scale_probe;

use scale_probe::{curve, dir_size, probe_index_len, probe_read, run_sampled, Sample};
use std::time::Duration;

/// Not a multiple of the batch size, so the last partial batch is written too.
const N: u64 = 2500;
const CHILD_DIR: &str = "KITH_SCALE_PROBE_DIR";

/// The child half: writes the probe when re-invoked with `CHILD_DIR` set, else does nothing.
#[test]
fn probe_child() {
    if let Some(dir) = std::env::var_os(CHILD_DIR) {
        let written = scale_probe::probe_write(std::path::Path::new(&dir), N, true).unwrap();
        println!("written {written}");
    }
}

#[test]
fn the_probe_writes_every_item_in_a_sampled_child() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("probe");
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args(["probe_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_DIR, &dir);
    let run = run_sampled(&mut cmd, Duration::from_millis(5)).unwrap();
    assert!(run.ok, "child failed: {}", run.stdout);
    assert!(
        run.stdout.contains(&format!("written {N}")),
        "{}",
        run.stdout
    );
    assert!(!run.samples.is_empty(), "no RSS sample taken");
    assert!(run.samples.iter().all(|s| s.rss_kb > 0 && s.at <= run.wall));
    // The kernel's RSS counters are per-CPU approximations: its peak can trail a sample a little.
    let sampled = run.samples.iter().map(|s| s.rss_kb).max().unwrap();
    assert!(run.peak_kb + 1024 >= sampled, "{} < {sampled}", run.peak_kb);
    assert_eq!(probe_index_len(&dir).unwrap(), N as usize);
    assert_eq!(probe_read(&dir, 50).unwrap(), 50);
    assert!(dir_size(&dir) > 0);
}

#[test]
fn the_curve_reads_quarters_by_time_and_compares_the_last_quarter_with_the_first() {
    let s = |ms: u64, mb: u64| Sample {
        at: Duration::from_millis(ms),
        rss_kb: mb * 1024,
    };
    let samples = [s(0, 10), s(200, 100), s(400, 120), s(600, 150), s(900, 200)];
    let c = curve(&samples, Duration::from_millis(1000));
    assert_eq!(
        c.quarters_kb,
        [100 * 1024, 120 * 1024, 150 * 1024, 200 * 1024]
    );
    assert_eq!(c.flat_ratio, Some(2.0));
    // Too short to have a first and a last quarter sample: no ratio rather than a made-up one.
    assert_eq!(
        curve(&[s(500, 10)], Duration::from_millis(1000)).flat_ratio,
        None
    );
}
