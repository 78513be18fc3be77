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

    /// The binary with this home's environment and nothing else.
    pub fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kith"));
        c.env_clear()
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("KITH_DATA_DIR", self.dir.path().join("data"))
            .env("LANG", "C.UTF-8")
            .env("USER", "tester");
        c
    }

    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        self.run_with(args, &[])
    }

    /// Runs with extra environment variables.
    pub fn run_with(&self, args: &[&str], vars: &[(&str, &str)]) -> (i32, String, String) {
        let mut c = self.command();
        for (k, v) in vars {
            c.env(k, v);
        }
        let out = c.args(args).output().expect("run");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Like `run_with`, off the async threads (a mock server in the same test keeps serving).
    pub async fn run_async(&self, args: &[&str], vars: &[(&str, &str)]) -> (i32, String, String) {
        let mut c = self.command();
        c.envs(vars.iter().copied()).args(args);
        let out = tokio::task::spawn_blocking(move || c.output().expect("run"))
            .await
            .expect("join");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    pub fn data(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    /// Starts `kith serve` in the background and waits until it answers.
    pub fn serve(&self, vars: &[(&str, &str)]) -> Served {
        let mut c = self.command();
        for (k, v) in vars {
            c.env(k, v);
        }
        let child = c
            .arg("serve")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("serve");
        let socket = self.data().join("run/engine.sock");
        let start = std::time::Instant::now();
        while std::os::unix::net::UnixStream::connect(&socket).is_err() {
            assert!(
                start.elapsed() < std::time::Duration::from_secs(20),
                "kith serve did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Served(child)
    }

    /// Stops the engine and waits for the process to end.
    pub fn stop(&self, mut served: Served) {
        let (code, _, err) = self.run(&["serve", "--stop"]);
        assert_eq!(code, 0, "{err}");
        let _ = served.0.wait();
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

/// A `kith serve` started by a test; killed if the test ends without stopping it.
pub struct Served(pub std::process::Child);

impl Drop for Served {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}
