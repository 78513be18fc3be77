//! `kith rules check` (the rules file read and checked as the engine would: every mistake with
//! its path, line and column), `kith rules test` (how many stored items each rule matches, with
//! examples and a bar) and `kith rules apply` (the rules run over stored items as a bulk:
//! counted first, asked above 50, undoable with `kith undo BULK`).

use super::output::{json_text, row};
use super::BulkArgs;
use crate::domain::bulk::BulkAction;
use crate::domain::Timestamp;
use crate::engine::api::{Request, Response, RuleTest};
use crate::engine::rules::{read_checked, RulesLoadError};
use crate::engine::Backend;
use crate::i18n::{t, tf};
use crate::text::{pad_to_width, sanitize_line, truncate_to_width};
use anyhow::{bail, Result};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum RulesCmd {
    /// Check the rules file: every mistake with its line and column.
    Check {
        /// Another file than rules.toml beside the config.
        #[arg(long, value_name = "FILE")]
        file: Option<std::path::PathBuf>,
    },
    /// How many stored items each rule matches, with the newest examples.
    Test {
        /// Items created since (default 30d).
        #[arg(long)]
        since: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Run the rules over stored items (a bulk: undo with kith undo BULK).
    Apply {
        #[command(flatten)]
        bulk: BulkArgs,
    },
}

/// Width of the count bars.
const BAR: usize = 20;

/// `kith rules check`: runs without the engine (it reads the file the engine would).
pub fn check(path: &Path, out: &mut impl Write) -> Result<ExitCode> {
    let shown = path.display().to_string();
    if !path.exists() {
        writeln!(out, "{}", tf("rules.cli.no_file", &[("path", &shown)]))?;
        return Ok(ExitCode::SUCCESS);
    }
    match read_checked(path) {
        Ok((rules, _)) => {
            writeln!(
                out,
                "{}",
                tf(
                    "rules.cli.ok",
                    &[("path", &shown), ("n", &rules.rules.len())]
                )
            )?;
            for r in &rules.rules {
                let then: Vec<String> = r.then.iter().map(|a| a.to_string()).collect();
                writeln!(
                    out,
                    "  {}:{}  {}  {}  → {}",
                    shown,
                    r.line,
                    sanitize_line(&r.name, 40).text,
                    sanitize_line(&r.when_text, 80).text,
                    sanitize_line(&then.join(", "), 80).text
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(RulesLoadError::Bad(errors)) => {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            for e in &errors {
                let place = match e.col {
                    Some(c) => format!("{shown}:{}:{c}", e.line),
                    None => format!("{shown}:{}", e.line),
                };
                writeln!(
                    out,
                    "{place}: {}",
                    sanitize_line(&e.phrase.to_string(), 400).text
                )?;
                // The line itself with a caret under the column.
                if let (Some(line), Some(c)) = (lines.get(e.line.saturating_sub(1)), e.col) {
                    let line = sanitize_line(line, 200).text;
                    let before: String = line.chars().take(c.saturating_sub(1)).collect();
                    writeln!(out, "    {line}")?;
                    writeln!(out, "    {}^", " ".repeat(crate::text::width(&before)))?;
                }
            }
            writeln!(out, "{}", tf("rules.cli.bad", &[("n", &errors.len())]))?;
            Ok(ExitCode::FAILURE)
        }
        Err(e) => bail!(tf(
            "rules.cli.unreadable",
            &[("path", &shown), ("error", &e)]
        )),
    }
}

/// `kith rules test`.
pub async fn test(
    b: &dyn Backend,
    since: Option<&str>,
    json: bool,
    now: Timestamp,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let since = super::args::since_arg(since.unwrap_or("30d"), now)?;
    let Response::RulesTest(tests) = b.call(Request::RulesTest { since: Some(since) }).await?
    else {
        bail!(t("err.unexpected"))
    };
    if json {
        writeln!(out, "{}", json_text(&tests))?;
        return Ok(ExitCode::SUCCESS);
    }
    // A broken file on disk: say so first; the counts are of the rules still in force.
    if let Response::RulesStatus(st) = b.call(Request::RulesStatus).await? {
        if !st.problems.is_empty() {
            let path = st.path.clone().unwrap_or_default();
            writeln!(out, "{}", tf("rules.cli.broken", &[("path", &path)]))?;
            for p in &st.problems {
                let place = match (p.line, p.col) {
                    (Some(l), Some(c)) => format!("{path}:{l}:{c}"),
                    (Some(l), None) => format!("{path}:{l}"),
                    _ => path.clone(),
                };
                let msg = sanitize_line(&p.message.to_string(), 300).text;
                writeln!(out, "  {place}: {msg}")?;
            }
        }
    }
    if tests.is_empty() {
        writeln!(out, "{}", t("rules.cli.none_in_force"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let most = tests.iter().map(|r| r.count).max().unwrap_or(0).max(1);
    let name_w = tests
        .iter()
        .map(|r| crate::text::width(&sanitize_line(&r.name, 30).text))
        .max()
        .unwrap_or(0);
    for r in &tests {
        write_rule(r, most, name_w, now, out)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write_rule(
    r: &RuleTest,
    most: u64,
    name_w: usize,
    now: Timestamp,
    out: &mut impl Write,
) -> Result<()> {
    let filled = ((r.count as f64 / most as f64) * BAR as f64).round() as usize;
    let bar = format!(
        "{}{}",
        "█".repeat(filled),
        "·".repeat(BAR - filled.min(BAR))
    );
    let count = if r.more {
        format!("{}+", r.count)
    } else {
        r.count.to_string()
    };
    writeln!(
        out,
        "{}  {bar} {}",
        pad_to_width(&sanitize_line(&r.name, 30).text, name_w),
        tf("rules.cli.count", &[("count", &count)])
    )?;
    let then = sanitize_line(&r.then.join(", "), 100).text;
    writeln!(
        out,
        "  {} → {then}",
        truncate_to_width(&sanitize_line(&r.when, 100).text, 60)
    )?;
    for i in &r.examples {
        writeln!(out, "    {}", row(i, now, 110))?;
    }
    Ok(())
}

/// `kith rules apply --where PATTERN`: the bulk over what it names (never the whole store by
/// accident: a pattern, view or statuses must be given).
pub async fn apply(
    b: &dyn Backend,
    bulk: &BulkArgs,
    operator: &str,
    out: &mut impl Write,
) -> Result<ExitCode> {
    if !bulk.given() {
        bail!(t("rules.cli.apply_where"));
    }
    super::bulk::run(b, bulk, BulkAction::Rules, operator, out).await
}
