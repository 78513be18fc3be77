//! Bulk loads from the command line (`kith import FILE`, synthetic items), in batches through the
//! engine, with a progress line: counts, rate and, when the input's size is known (not for a
//! pipe), an estimate of the time left.

use crate::domain::{NewItem, Timestamp};
use crate::engine::api::{Request, Response};
use crate::engine::{import, Backend};
use crate::i18n;
use anyhow::{bail, Result};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

const BATCH: usize = 10_000;
/// Loads from this many items on end with a hint that `kith doctor --compact` gives back disk.
pub const COMPACT_HINT_AT: u64 = 100_000;

#[derive(Debug, Serialize, Default)]
pub struct ImportReport {
    /// How line errors name the input: its path, or `<stdin>`.
    #[serde(skip)]
    pub file: String,
    pub added: u64,
    pub duplicates: u64,
    pub errors: Vec<LineErr>,
}

#[derive(Debug, Serialize)]
pub struct LineErr {
    pub line: usize,
    pub reason: String,
}

/// Progress on stderr when it is a terminal: "12000 items · 24% · 41000/s · ~3s left", or
/// without the share and time left when the total is unknown (a pipe).
struct Progress {
    started: Instant,
    shown: Instant,
    tty: bool,
}

impl Progress {
    fn new() -> Self {
        Progress {
            started: Instant::now(),
            shown: Instant::now(),
            tty: std::io::stderr().is_terminal(),
        }
    }

    /// `done` units of `total` (bytes or items; `None` when unknown); `items` counts what was
    /// stored.
    fn show(&mut self, done: u64, total: Option<u64>, items: u64, force: bool) {
        if !self.tty || (!force && self.shown.elapsed().as_millis() < 200) {
            return;
        }
        self.shown = Instant::now();
        let line = progress_line(self.started.elapsed().as_secs_f64(), done, total, items);
        let mut e = std::io::stderr();
        let _ = write!(e, "\r\x1b[2K{line}");
        if force {
            let _ = writeln!(e);
        }
        let _ = e.flush();
    }
}

/// The progress line: with a known total, the share done and the time left; else counts and rate.
fn progress_line(secs: f64, done: u64, total: Option<u64>, items: u64) -> String {
    let secs = secs.max(0.001);
    let rate = format!("{:.0}", items as f64 / secs);
    let Some(total) = total.filter(|t| *t > 0) else {
        return i18n::tf(
            "import.progress_stream",
            &[("done", &items), ("rate", &rate)],
        );
    };
    let frac = (done as f64 / total as f64).min(1.0);
    let left = if frac > 0.0 { secs / frac - secs } else { 0.0 };
    i18n::tf(
        "cli.progress",
        &[
            ("done", &items),
            ("percent", &format!("{:.0}", frac * 100.0)),
            ("rate", &rate),
            ("left", &format!("{left:.0}")),
        ],
    )
}

/// The account for rows that name none: `--account`, else the file name without extension.
/// Standard input and `/dev/fd/N` (a shell's `<(…)`) have no name worth taking: they need
/// `--account`.
fn default_account(path: &Path, account: Option<&str>) -> Result<String> {
    if let Some(a) = account {
        return Ok(a.to_string());
    }
    let name = if import::is_stdin(path) {
        import::STDIN_NAME.to_string()
    } else {
        path.display().to_string()
    };
    let nameless = import::is_stdin(path)
        || path.starts_with("/dev/fd")
        || path.starts_with("/proc") && path.parent().is_some_and(|p| p.ends_with("fd"));
    match path.file_stem().map(|s| s.to_string_lossy().into_owned()) {
        Some(stem) if !nameless && !stem.is_empty() => Ok(stem),
        _ => bail!(i18n::tf(
            "import.needs_account",
            &[("file", &crate::text::sanitize_line(&name, 200).text)]
        )),
    }
}

async fn ingest(b: &dyn Backend, items: Vec<NewItem>, report: &mut ImportReport) -> Result<()> {
    match b.call(Request::Ingest { items, demo: false }).await? {
        Response::Ingested(r) => {
            report.added += r.added;
            report.duplicates += r.duplicates;
            Ok(())
        }
        _ => bail!(i18n::t("err.unexpected")),
    }
}

/// `kith import FILE`: the counts on stdout (or the report as JSON), the first 50 bad lines on
/// stderr; exit 3 when a line could not be read.
pub async fn run(
    b: &dyn Backend,
    file: &Path,
    account: Option<&str>,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let report = import_file(b, file, account).await?;
    if json {
        writeln!(out, "{}", super::output::json_text(&report))?;
    } else {
        writeln!(
            out,
            "{}",
            i18n::tf(
                "cli.import_done",
                &[
                    ("added", &report.added),
                    ("duplicates", &report.duplicates),
                    ("errors", &report.errors.len())
                ]
            )
        )?;
    }
    for e in report.errors.iter().take(if json { 0 } else { 50 }) {
        writeln!(
            std::io::stderr(),
            "{}:{}: {}",
            crate::text::sanitize_line(&report.file, 200).text,
            e.line,
            crate::text::sanitize_line(&e.reason, 300).text
        )?;
    }
    if report.added >= COMPACT_HINT_AT && !json {
        writeln!(std::io::stderr(), "{}", i18n::t("cli.compact_hint"))?;
    }
    if report.errors.len() > 50 && !json {
        writeln!(
            std::io::stderr(),
            "{}",
            i18n::tf("err.more_errors", &[("count", &(report.errors.len() - 50))])
        )?;
    }
    Ok(if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}

async fn import_file(b: &dyn Backend, path: &Path, account: Option<&str>) -> Result<ImportReport> {
    let default_account = default_account(path, account)?;
    let mut importer = import::open(path, &default_account)?;
    let total = importer.bytes_total();
    let mut report = ImportReport {
        file: if import::is_stdin(path) {
            import::STDIN_NAME.to_string()
        } else {
            path.display().to_string()
        },
        ..ImportReport::default()
    };
    let mut progress = Progress::new();
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(row) = importer.next() {
        match row {
            Ok(item) => batch.push(item),
            Err(e) => report.errors.push(LineErr {
                line: e.line,
                reason: e.reason,
            }),
        }
        if batch.len() == BATCH {
            ingest(
                b,
                std::mem::replace(&mut batch, Vec::with_capacity(BATCH)),
                &mut report,
            )
            .await?;
            // bytes_read runs ahead of what is stored by the reader's buffer: fine for a progress bar.
            progress.show(importer.bytes_read(), total, report.added, false);
        }
    }
    if !batch.is_empty() {
        ingest(b, batch, &mut report).await?;
    }
    let read = importer.bytes_read();
    progress.show(read, total.map(|t| t.max(read)), report.added, true);
    settle_members(b).await?;
    Ok(report)
}

/// Applies the member counts a bulk load left waiting (store/members.rs), one engine batch per
/// call, with a progress line: the first ranking read after a large import would otherwise do it.
pub async fn settle_members(b: &dyn Backend) -> Result<()> {
    let started = Instant::now();
    let tty = std::io::stderr().is_terminal();
    let mut done = 0u64;
    let mut shown = false;
    loop {
        let Response::Settled { done: d, left } = b.call(Request::MembersSettle { max: 1 }).await?
        else {
            bail!(i18n::t("err.unexpected"))
        };
        done += d;
        let total = done + left;
        if tty && (shown || left > 0) && total > 0 {
            shown = true;
            let secs = started.elapsed().as_secs_f64();
            let rest = if done > 0 {
                secs * left as f64 / done as f64
            } else {
                0.0
            };
            let line = i18n::tf(
                "cli.members_settle",
                &[
                    ("done", &done),
                    ("total", &total),
                    ("pct", &(done * 100 / total)),
                    ("left", &format!("{rest:.0}")),
                ],
            );
            let mut e = std::io::stderr();
            let _ = write!(e, "\r\x1b[2K{line}");
            if left == 0 {
                let _ = writeln!(e);
            }
            let _ = e.flush();
        }
        if left == 0 || d == 0 {
            return Ok(());
        }
    }
}

pub async fn synthetic(b: &dyn Backend, n: u64, seed: u64) -> Result<u64> {
    let mut report = ImportReport::default();
    let mut progress = Progress::new();
    let mut batch = Vec::with_capacity(BATCH);
    let mut done = 0u64;
    for item in crate::engine::synthetic::synthetic(n, seed, Timestamp::now()) {
        batch.push(item);
        if batch.len() == BATCH {
            done += BATCH as u64;
            ingest(
                b,
                std::mem::replace(&mut batch, Vec::with_capacity(BATCH)),
                &mut report,
            )
            .await?;
            progress.show(done, Some(n), report.added, false);
        }
    }
    if !batch.is_empty() {
        ingest(b, batch, &mut report).await?;
    }
    progress.show(n, Some(n), report.added, true);
    settle_members(b).await?;
    Ok(report.added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_without_a_total_shows_counts_and_rate_only() {
        assert_eq!(progress_line(2.0, 500, None, 1000), "1000 items · 500/s");
        assert_eq!(
            progress_line(2.0, 500, Some(1000), 1000),
            "1000 items · 50% · 500/s · ~2s left"
        );
    }

    #[test]
    fn the_account_comes_from_the_file_name_or_must_be_given() {
        let ok = |p: &str| default_account(Path::new(p), None).map_err(|e| e.to_string());
        assert_eq!(ok("/tmp/shop.reviews.csv"), Ok("shop.reviews".to_string()));
        assert_eq!(ok("/tmp/shop.fifo"), Ok("shop".to_string()));
        let need = "<stdin>: no file name to take the account from; name it with --account NAME";
        assert_eq!(ok("-"), Err(need.to_string()));
        assert_eq!(ok("/dev/fd/63"), Err(need.replace("<stdin>", "/dev/fd/63")));
        assert_eq!(
            ok("/proc/self/fd/5"),
            Err(need.replace("<stdin>", "/proc/self/fd/5"))
        );
        assert_eq!(
            default_account(Path::new("-"), Some("shop")).map_err(|e| e.to_string()),
            Ok("shop".to_string())
        );
    }
}
