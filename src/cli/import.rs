//! Bulk loads from the command line (file import, synthetic items), in batches through the
//! engine, with a progress line: counts, rate and an estimate of the time left.

use crate::domain::{NewItem, Timestamp};
use crate::engine::api::{Request, Response};
use crate::engine::{import, Backend};
use crate::i18n;
use anyhow::{bail, Result};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

const BATCH: usize = 10_000;

#[derive(Debug, Serialize, Default)]
pub struct ImportReport {
    pub added: u64,
    pub duplicates: u64,
    pub errors: Vec<LineErr>,
}

#[derive(Debug, Serialize)]
pub struct LineErr {
    pub line: usize,
    pub reason: String,
}

/// Progress on stderr when it is a terminal: "12,000 / ~50,000 · 41,000/s · 1s left".
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

    /// `done` units of `total` (bytes or items); `items` counts what was stored.
    fn show(&mut self, done: u64, total: u64, items: u64, force: bool) {
        if !self.tty || (!force && self.shown.elapsed().as_millis() < 200) {
            return;
        }
        self.shown = Instant::now();
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        let rate = items as f64 / secs;
        let frac = if total > 0 {
            done as f64 / total as f64
        } else {
            0.0
        };
        let left = if frac > 0.0 { secs / frac - secs } else { 0.0 };
        let line = i18n::tf(
            "cli.progress",
            &[
                ("done", &items),
                ("percent", &format!("{:.0}", frac * 100.0)),
                ("rate", &format!("{rate:.0}")),
                ("left", &format!("{left:.0}")),
            ],
        );
        let mut e = std::io::stderr();
        let _ = write!(e, "\r\x1b[2K{line}");
        if force {
            let _ = writeln!(e);
        }
        let _ = e.flush();
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

pub async fn import_file(
    b: &dyn Backend,
    path: &Path,
    account: Option<&str>,
) -> Result<ImportReport> {
    let default_account = account.map(str::to_string).unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "import".into())
    });
    let mut importer = import::open(path, &default_account)?;
    let total = importer.bytes_total();
    let mut report = ImportReport::default();
    let mut progress = Progress::new();
    let mut batch = Vec::with_capacity(BATCH);
    for row in importer.by_ref() {
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
            // bytes_read is only an estimate while a batch is in flight; fine for a progress bar.
            progress.show(report.added + report.duplicates, 0, report.added, false);
        }
    }
    if !batch.is_empty() {
        ingest(b, batch, &mut report).await?;
    }
    let read = importer.bytes_read();
    progress.show(read, total.max(read), report.added, true);
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
            progress.show(done, n, report.added, false);
        }
    }
    if !batch.is_empty() {
        ingest(b, batch, &mut report).await?;
    }
    progress.show(n, n, report.added, true);
    settle_members(b).await?;
    Ok(report.added)
}
