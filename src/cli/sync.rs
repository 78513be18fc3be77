//! `kith sync`: passes over the connected accounts, with a progress line; a short rate limit is
//! waited out with a countdown and the pass goes on, a long one is reported with its end time.

use crate::domain::when::{self, Zone};
use crate::domain::Timestamp;
use crate::engine::api::{Request, Response, SyncReport};
use crate::engine::Backend;
use crate::i18n::{t, tf};
use crate::text::sanitize_line;
use anyhow::{bail, Result};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

/// A rate limit ending within this is waited out, then the pass goes on.
const WAIT_OUT: Duration = Duration::from_secs(60);
/// At most this many waits for one account in one pass: a platform that keeps refusing ends it.
const MAX_WAITS: u32 = 5;

fn report_line(r: &SyncReport, zone: &Zone) -> String {
    if let Some(until) = r.rate_wait_until {
        return rate_line(&r.account, until, Timestamp::now(), zone);
    }
    match &r.error {
        Some(e) => sanitize_line(&e.to_string(), 400).text,
        None => tf(
            "cli.synced",
            &[
                ("account", &sanitize_line(&r.account, 64).text),
                ("added", &r.added),
                ("activity", &r.activity),
                ("malformed", &r.malformed),
                ("requests", &r.requests),
            ],
        ),
    }
}

/// "shop: rate limited until 14:05 (in 5 min)", in the operator's zone (with the date when it
/// is not today).
fn rate_line(account: &str, until: Timestamp, now: Timestamp, zone: &Zone) -> String {
    let local = when::local(until, zone);
    let time = if local.date() == when::local(now, zone).date() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%Y-%m-%d %H:%M").to_string()
    };
    let secs = ((until.0 - now.0).max(0) + 999) / 1000;
    let rel = if secs < 60 {
        tf("cli.sync_rate.secs", &[("n", &secs)])
    } else if secs < 90 * 60 {
        tf("cli.sync_rate.mins", &[("n", &((secs + 59) / 60))])
    } else {
        tf("cli.sync_rate.hours", &[("n", &((secs + 1799) / 3600))])
    };
    tf(
        "cli.sync_rate.until",
        &[
            ("account", &sanitize_line(account, 64).text),
            ("time", &time),
            ("rel", &rel),
        ],
    )
}

/// A progress line on stderr (when it is a terminal) while a pass runs: items stored so far,
/// requests and rate. No platform says how many items are waiting, so there is no percentage.
fn show_progress(b: &dyn Backend) -> Option<tokio::task::JoinHandle<()>> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let mut events = b.subscribe();
    let started = std::time::Instant::now();
    Some(tokio::spawn(async move {
        while let Ok(e) = events.recv().await {
            if let crate::engine::api::Event::SyncProgress {
                account,
                requests,
                added,
            } = e
            {
                let rate = added as f64 / started.elapsed().as_secs_f64().max(0.001);
                let line = tf(
                    "cli.sync_progress",
                    &[
                        ("account", &sanitize_line(&account, 40).text),
                        ("added", &added),
                        ("requests", &requests),
                        ("rate", &format!("{rate:.0}")),
                    ],
                );
                let mut err = std::io::stderr();
                let _ = write!(err, "\r\x1b[2K{line}");
                let _ = err.flush();
            }
        }
    }))
}

/// One pass over `account` (or every account), with the progress line.
async fn pass(b: &dyn Backend, account: Option<String>) -> Result<Vec<SyncReport>> {
    let progress = show_progress(b);
    let result = b.call(Request::Sync { account }).await;
    if let Some(p) = progress {
        p.abort();
        let _ = write!(std::io::stderr(), "\r\x1b[2K");
    }
    let Response::Synced(reports) = result? else {
        bail!(t("err.unexpected"))
    };
    Ok(reports)
}

/// Counts down to `until` on stderr: a line rewritten every second on a terminal, one line
/// otherwise.
async fn wait_out(account: &str, until: Timestamp) {
    let tty = std::io::stderr().is_terminal();
    let account = sanitize_line(account, 40).text;
    let mut err = std::io::stderr();
    let mut first = true;
    loop {
        let left = until.0 - Timestamp::now().0;
        if left <= 0 {
            break;
        }
        let secs = (left + 999) / 1000;
        let line = tf(
            "cli.sync_rate.wait",
            &[("account", &account), ("secs", &secs)],
        );
        if tty {
            let _ = write!(err, "\r\x1b[2K{line}");
            let _ = err.flush();
        } else if first {
            let _ = writeln!(err, "{line}");
        }
        first = false;
        let step = match left % 1000 {
            0 => 1000,
            r => r,
        };
        tokio::time::sleep(Duration::from_millis(step as u64)).await;
    }
    if tty {
        let _ = write!(err, "\r\x1b[2K");
    }
}

/// A pass that ended on a rate limit lifting within `WAIT_OUT`: the time it lifts.
fn short_wait(r: &SyncReport) -> Option<Timestamp> {
    let until = r.rate_wait_until?;
    (until.0 - Timestamp::now().0 <= WAIT_OUT.as_millis() as i64).then_some(until)
}

/// Adds a continued pass to the report of the pass it continues.
fn merge(r: &mut SyncReport, next: SyncReport) {
    r.requests += next.requests;
    r.pages_stored += next.pages_stored;
    r.added += next.added;
    r.duplicates += next.duplicates;
    r.activity += next.activity;
    r.malformed += next.malformed;
    r.error = next.error;
    r.needs_reauth = next.needs_reauth;
    r.rate_wait_until = next.rate_wait_until;
}

/// `kith sync`: one pass (`--once`) or passes on the shortest account interval until Ctrl-C.
/// Exit 1 when an account failed (a rate limit longer than a minute included), 5 when one
/// needs re-authentication.
pub async fn sync(
    b: &dyn Backend,
    once: bool,
    account: Option<String>,
    json: bool,
    zone: &Zone,
    out: &mut impl Write,
) -> Result<ExitCode> {
    loop {
        let mut reports = pass(b, account.clone()).await?;
        if reports.is_empty() {
            writeln!(out, "{}", t("tui.accounts.none"))?;
            return Ok(ExitCode::SUCCESS);
        }
        for r in reports.iter_mut() {
            for _ in 0..MAX_WAITS {
                let Some(until) = short_wait(r) else { break };
                wait_out(&r.account, until).await;
                match pass(b, Some(r.account.clone())).await?.pop() {
                    Some(next) => merge(r, next),
                    None => break,
                }
            }
        }
        let mut code = 0u8;
        for r in &reports {
            if json {
                writeln!(out, "{}", serde_json::to_string(r)?)?;
            } else {
                writeln!(out, "{}", report_line(r, zone))?;
            }
            if r.needs_reauth {
                code = 5;
            } else if r.error.is_some() && code == 0 {
                code = 1;
            }
        }
        out.flush()?;
        if once {
            return Ok(ExitCode::from(code));
        }
        let Response::Accounts(rows) = b.call(Request::Accounts).await? else {
            bail!(t("err.unexpected"))
        };
        let secs = rows
            .iter()
            .filter_map(|a| a.interval_secs)
            .min()
            .unwrap_or(120);
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(secs)) => {}
            _ = tokio::signal::ctrl_c() => return Ok(ExitCode::from(code)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_rate_limit_names_its_local_end_and_how_far_it_is() {
        let zone = Zone::named("Asia/Tokyo").unwrap();
        // 2026-03-14 04:00 UTC is 13:00 in Tokyo.
        let now = Timestamp(1_773_460_800_000);
        let line = rate_line("shop", Timestamp(now.0 + 299_400), now, &zone);
        assert!(line.contains("13:04") && line.contains("5"), "{line}");
        let tomorrow = rate_line("shop", Timestamp(now.0 + 12 * 3_600_000), now, &zone);
        assert!(tomorrow.contains("2026-03-15 01:00"), "{tomorrow}");
    }
}
