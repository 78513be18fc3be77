//! `kith import` through the real binary: standard input, FIFOs and `<(…)`, a CSV quote never
//! closed, NUL bytes and binary files, dates out of range, and platforms without a connector.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("tmp"),
        }
    }

    fn kith(&self) -> Command {
        let mut c = Command::cargo_bin("kith").expect("binary");
        c.env_clear()
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("KITH_DATA_DIR", self.dir.path().join("data"))
            .env("LANG", "C.UTF-8")
            .env("USER", "tester");
        c
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        out(self.kith().args(args).output().expect("run"))
    }

    fn run_stdin(&self, args: &[&str], input: &[u8]) -> (i32, String, String) {
        out(self
            .kith()
            .args(args)
            .write_stdin(input.to_vec())
            .output()
            .expect("run"))
    }

    /// A bash script with the same environment as `kith` (for `<(…)`).
    fn bash(&self, script: &str) -> (i32, String, String) {
        let o = std::process::Command::new("bash")
            .arg("-c")
            .arg(script)
            .env_clear()
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("KITH_DATA_DIR", self.dir.path().join("data"))
            .env("LANG", "C.UTF-8")
            .env("USER", "tester")
            .output()
            .expect("bash");
        out(o)
    }

    fn file(&self, name: &str, body: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, body).expect("write");
        p
    }

    fn inbox(&self) -> Vec<Value> {
        let (code, out, err) = self.run(&["inbox", "--json", "--limit", "10000"]);
        assert_eq!(code, 0, "{err}");
        out.lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect()
    }
}

fn out(o: std::process::Output) -> (i32, String, String) {
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn line(platform: &str, id: &str, date: &str) -> String {
    format!(
        "{{\"platform\":\"{platform}\",\"kind\":\"comment\",\"native_id\":\"{id}\",\
         \"author\":{{\"id\":\"u{id}\",\"name\":\"User {id}\"}},\"text\":\"text {id}\",\
         \"created_at\":\"{date}\"}}\n"
    )
}

fn ids(items: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = items
        .iter()
        .map(|i| i["native_id"].as_str().unwrap_or("").to_string())
        .collect();
    v.sort();
    v
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn standard_input_imports_with_an_account_and_asks_for_one_without() {
    let env = Env::new();
    let body = [line("vk", "1", "2026-01-01"), line("vk", "2", "2026-01-02")].concat();
    let (code, out, err) = env.run_stdin(&["import", "-"], body.as_bytes());
    assert_eq!(code, 2, "{out}");
    assert_eq!(
        err.trim(),
        "kith: <stdin>: no file name to take the account from; name it with --account NAME"
    );
    let (code, out, err) = env.run_stdin(&["import", "-", "--account", "shop"], body.as_bytes());
    assert_eq!(
        (code, out.trim()),
        (0, "Imported 2 items (0 already there, 0 bad lines)"),
        "{err}"
    );
    let items = env.inbox();
    assert_eq!(ids(&items), ["1", "2"]);
    assert!(items.iter().all(|i| i["account"] == "shop"));
    // A CSV from a pipe, with a bad row named by "<stdin>" and its line.
    let csv = "id,text,date\n3,ok,2026-01-03\n4,bad,someday\n";
    let (code, out, err) = env.run_stdin(&["import", "-", "--account", "shop"], csv.as_bytes());
    assert_eq!(code, 3, "{out}");
    assert!(err.starts_with("<stdin>:3: bad date \"someday\""), "{err}");
}

#[test]
fn a_fifo_and_a_process_substitution_import_like_files() {
    let env = Env::new();
    let fifo = env.dir.path().join("shop.jsonl");
    let c = std::ffi::CString::new(s(&fifo)).expect("path");
    // SAFETY: a valid NUL-terminated path; mkfifo only creates the node.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    let body = [line("vk", "1", "2026-01-01"), line("vk", "2", "2026-01-02")].concat();
    let writer = {
        let (fifo, body) = (fifo.clone(), body.clone());
        std::thread::spawn(move || std::fs::write(fifo, body).expect("write to the fifo"))
    };
    let (code, out, err) = env.run(&["import", s(&fifo)]);
    writer.join().expect("writer");
    assert_eq!(
        (code, out.trim()),
        (0, "Imported 2 items (0 already there, 0 bad lines)"),
        "{err}"
    );
    assert!(
        env.inbox().iter().all(|i| i["account"] == "shop"),
        "the FIFO's name"
    );

    let file = env.file("more.jsonl", line("vk", "3", "2026-01-03").as_bytes());
    let bin = env!("CARGO_BIN_EXE_kith");
    let script = format!("\"{bin}\" import <(cat \"{}\") --account more", s(&file));
    let (code, out, err) = env.bash(&script);
    assert_eq!(
        (code, out.trim()),
        (0, "Imported 1 items (0 already there, 0 bad lines)"),
        "{err}"
    );
    let (code, _, err) = env.bash(&format!("\"{bin}\" import <(cat \"{}\")", s(&file)));
    assert_eq!(code, 2);
    assert!(
        err.contains("/dev/fd/") && err.contains("--account NAME"),
        "{err}"
    );
}

#[test]
fn one_unclosed_quote_in_a_thousand_rows_costs_one_row() {
    let env = Env::new();
    let mut body = String::from("id,text,date\n");
    for i in 1..=1000 {
        if i == 101 {
            body.push_str("101,\"she said \"\"hi,2026-01-01\n");
        } else {
            body.push_str(&format!("{i},row {i},2026-01-01\n"));
        }
    }
    let f = env.file("rows.csv", body.as_bytes());
    let (code, out, err) = env.run(&["import", s(&f)]);
    assert_eq!(code, 3);
    assert_eq!(
        out.trim(),
        "Imported 999 items (0 already there, 1 bad lines)"
    );
    assert_eq!(
        err.trim(),
        format!(
            "{}:102: a quote opened here is never closed (not within 200 lines or 256 KiB); \
             the lines after it are read again as rows",
            s(&f)
        )
    );
    let items = env.inbox();
    assert_eq!(items.len(), 999);
    assert!(items
        .iter()
        .all(|i| !i["text"].as_str().unwrap_or("").contains('\n')));
}

#[test]
fn a_nul_byte_is_one_bad_line_and_a_binary_file_is_refused() {
    let env = Env::new();
    let mut jsonl = line("vk", "1", "2026-01-01").into_bytes();
    jsonl.extend(b"{\"platform\":\"vk\",\0\"x\":1}\n");
    jsonl.extend(line("vk", "2", "2026-01-02").as_bytes());
    let f = env.file("nul.jsonl", &jsonl);
    let (code, out, err) = env.run(&["import", s(&f)]);
    assert_eq!(
        (code, out.trim()),
        (3, "Imported 2 items (0 already there, 1 bad lines)")
    );
    assert_eq!(
        err.trim(),
        format!("{}:2: the line has a NUL byte (binary data?)", s(&f))
    );
    let f = env.file(
        "nul.csv",
        b"id,text,date\n3,a\0b,2026-01-03\n4,ok,2026-01-04\n",
    );
    let (code, out, err) = env.run(&["import", s(&f)]);
    assert_eq!(
        (code, out.trim()),
        (3, "Imported 1 items (0 already there, 1 bad lines)")
    );
    assert_eq!(
        err.trim(),
        format!("{}:2: the line has a NUL byte (binary data?)", s(&f))
    );
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let f = env.file("picture.csv", &png);
    let (code, _, err) = env.run(&["import", s(&f)]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim(),
        format!("kith: {}: not JSONL or CSV: it is binary data", s(&f))
    );
    assert_eq!(ids(&env.inbox()), ["1", "2", "4"]);
}

#[test]
fn dates_before_1970_or_in_the_future_are_reported_and_the_list_stays_in_order() {
    let env = Env::new();
    let body = [
        line("vk", "a", "2026-03-01T10:00:00Z"),
        line("vk", "future", "2600-01-01T00:00:00Z"),
        line("vk", "b", "1970-01-01T00:00:00Z"),
        line("vk", "past", "1960-05-01"),
        line("vk", "c", "2026-03-02T10:00:00Z"),
    ]
    .concat();
    let f = env.file("dates.jsonl", body.as_bytes());
    let (code, out, err) = env.run(&["import", s(&f)]);
    assert_eq!(
        (code, out.trim()),
        (3, "Imported 3 items (0 already there, 2 bad lines)")
    );
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines,
        [
            format!(
                "{}:2: date \"2600-01-01T00:00:00Z\" in created_at is more than 48 hours ahead \
                 of this computer's clock; kith does not import items from the future",
                s(&f)
            ),
            format!(
                "{}:4: date \"1960-05-01\" in created_at is before 1970-01-01; kith keeps items \
                 from 1970 on",
                s(&f)
            ),
        ]
    );
    let items = env.inbox();
    let order: Vec<&str> = items
        .iter()
        .map(|i| i["native_id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(order, ["c", "a", "b"], "newest first");
    let dates: Vec<&str> = items
        .iter()
        .map(|i| i["created_at"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        dates,
        [
            "2026-03-02T10:00:00.000Z",
            "2026-03-01T10:00:00.000Z",
            "1970-01-01T00:00:00.000Z"
        ]
    );
}

#[test]
fn any_platform_imports_read_only_and_shows_by_name() {
    let env = Env::new();
    let body = [
        line("weibo", "w1", "2026-03-04"),
        line("X", "x1", "2026-03-03"),
        line("LinkedIn", "l1", "2026-03-02"),
        line("myspace", "m1", "2026-03-01"),
    ]
    .concat();
    let f = env.file("social.jsonl", body.as_bytes());
    let (code, out, err) = env.run(&["import", s(&f)]);
    assert_eq!(
        (code, out.trim()),
        (0, "Imported 4 items (0 already there, 0 bad lines)"),
        "{err}"
    );
    let items = env.inbox();
    let names: Vec<&str> = items
        .iter()
        .map(|i| i["platform"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names, ["weibo", "x", "linkedin", "myspace"]);
    let (code, text, _) = env.run(&["inbox"]);
    assert_eq!(code, 0);
    let shorts: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().nth(1).unwrap_or(""))
        .collect();
    assert_eq!(shorts, ["WB", "X", "IN", "MYSP"]);
    for (item, name) in items.iter().zip(["weibo", "x", "linkedin", "myspace"]) {
        let (code, _, err) = env.run(&["reply", item["id"].as_str().expect("id"), "hi"]);
        assert_eq!(code, 2, "{name}");
        assert_eq!(
            err.trim(),
            format!("kith: imported from {name}: kith cannot reply there")
        );
    }
    // `--platform` names a known platform, or `other` for the rest.
    let (code, out, _) = env.run(&["inbox", "--platform", "other", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 1);
    assert!(out.contains("\"platform\":\"myspace\""), "{out}");
}
