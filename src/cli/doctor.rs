//! `kith doctor`: what is in the data dir, what could not be read, and whether config is sound.

use super::commands::Setup;
use crate::engine::api::{Request, Response};
use crate::engine::Backend;
use crate::i18n;
use crate::text::sanitize_line;
use anyhow::{bail, Result};
use std::io::Write;

/// Returns false when `verify` found problems.
pub async fn run(
    b: &dyn Backend,
    s: &Setup,
    json: bool,
    verify: bool,
    out: &mut impl Write,
) -> Result<bool> {
    let Response::Overview(o) = b.call(Request::Overview).await? else {
        bail!(i18n::t("err.unexpected"))
    };
    let Response::Doctor(report) = b.call(Request::Doctor { verify }).await? else {
        bail!(i18n::t("err.unexpected"))
    };
    let quarantined = report.quarantined;
    let Response::Accounts(accounts) = b.call(Request::Accounts).await? else {
        bail!(i18n::t("err.unexpected"))
    };
    let connected: Vec<_> = accounts.iter().filter(|a| a.connected).collect();
    let problems = report.problems;
    if json {
        let v = serde_json::json!({
            "data_dir": s.paths.data_dir,
            "config": s.paths.config_file,
            "operator": s.operator,
            "items": o.total,
            "demo": o.demo,
            "accounts": o.by_account.iter().map(|(n, p, c)| serde_json::json!({"name": n, "platform": p, "items": c})).collect::<Vec<_>>(),
            "connected": connected,
            "problems": problems,
            "quarantined": quarantined.iter().map(|q| serde_json::json!({"seq": q.seq, "source": q.source, "reason": q.reason, "bytes": q.raw.len()})).collect::<Vec<_>>(),
        });
        writeln!(out, "{}", super::output::json_text(&v))?;
        return Ok(problems.is_none_or(|p| p.is_empty()));
    }
    writeln!(
        out,
        "{}: {}",
        i18n::t("doctor.data_dir"),
        s.paths.data_dir.display()
    )?;
    writeln!(
        out,
        "{}: {}",
        i18n::t("doctor.config"),
        s.paths.config_file.display()
    )?;
    writeln!(
        out,
        "{}: {}",
        i18n::t("doctor.operator"),
        sanitize_line(&s.operator, 80).text
    )?;
    writeln!(
        out,
        "{}: {}{}",
        i18n::t("doctor.items"),
        o.total,
        if o.demo {
            format!(" ({})", i18n::t("status.demo"))
        } else {
            String::new()
        }
    )?;
    for (name, platform, n) in &o.by_account {
        writeln!(
            out,
            "  {platform:<12} {:<30} {n}",
            sanitize_line(name, 30).text
        )?;
    }
    writeln!(out, "{}: {}", i18n::t("doctor.connected"), connected.len())?;
    for a in &connected {
        let (state, _) =
            crate::tui::render::accounts::state_label(a, crate::domain::Timestamp::now());
        writeln!(
            out,
            "  {:<12} {:<30} {state}",
            a.platform.as_str(),
            sanitize_line(&a.name, 30).text
        )?;
        if let Some(e) = &a.state.last_error {
            writeln!(out, "    {}", sanitize_line(&e.to_string(), 300).text)?;
        }
    }
    writeln!(
        out,
        "{}: {}",
        i18n::t("doctor.quarantined"),
        quarantined.len()
    )?;
    for q in &quarantined {
        writeln!(
            out,
            "  #{} {} — {} ({} B)",
            q.seq,
            sanitize_line(&q.source, 60).text,
            sanitize_line(&q.reason, 200).text,
            q.raw.len()
        )?;
    }
    if let Some(problems) = &problems {
        if problems.is_empty() {
            writeln!(out, "{}", i18n::t("doctor.verify_ok"))?;
        } else {
            writeln!(
                out,
                "{}",
                i18n::tf("doctor.verify_problems", &[("count", &problems.len())])
            )?;
            for p in problems {
                writeln!(out, "  {}", sanitize_line(p, 300).text)?;
            }
        }
    }
    Ok(problems.is_none_or(|p| p.is_empty()))
}
