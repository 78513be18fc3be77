//! Shared by the benchmarks: a synthetic store built once and reused.
//!
//! `KITH_BENCH_STORE=DIR` uses an existing data dir (e.g. one made by
//! `kith --data-dir DIR demo --synthetic 1000000`); otherwise a store of `KITH_BENCH_N` items
//! (default 100,000) is built under `target/bench-store-N` on first use.

use std::path::PathBuf;
use std::process::Command;

pub fn kith_bin() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let release = root.join("target/release/kith");
    if !release.exists() {
        let ok = Command::new("cargo")
            .args(["build", "--release", "--bin", "kith"])
            .current_dir(&root)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "cargo build --release failed");
    }
    release
}

pub fn store_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("KITH_BENCH_STORE") {
        return PathBuf::from(dir);
    }
    let n: u64 = std::env::var("KITH_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("target/bench-store-{n}"));
    if !dir.join("store").exists() {
        let ok = Command::new(kith_bin())
            .args([
                "--data-dir",
                &dir.display().to_string(),
                "demo",
                "--synthetic",
                &n.to_string(),
            ])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "building the bench store failed");
    }
    dir
}
