//! The real binary in a temp home: its own config, state and data dirs.
#![allow(dead_code)]

use serde_json::Value;
use std::process::Command;

pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        let e = Env {
            dir: tempfile::tempdir().expect("tmp"),
        };
        std::fs::create_dir_all(e.dir.path().join("config/kith")).expect("config dir");
        e
    }

    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_kith"))
            .env_clear()
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("KITH_DATA_DIR", self.dir.path().join("data"))
            .env("LANG", "C.UTF-8")
            .env("USER", "tester")
            .args(args)
            .output()
            .expect("run");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    pub fn json(&self, args: &[&str]) -> Vec<Value> {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        out.lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect()
    }

    pub fn config(&self, body: &str) {
        std::fs::write(self.dir.path().join("config/kith/config.toml"), body).expect("write");
    }
}
