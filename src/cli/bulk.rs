//! Triage commands over many items: `kith done|reopen|tag|spam|hide|snooze|assign --where
//! PATTERN [--view V] [--status S] [--dry-run] [--yes]`, and `kith undo BULK`. What matches is
//! counted first; more than 50 items are changed only after a yes (asked on a terminal, else
//! `--yes`), and exactly the items counted, each as it was then, are changed.

use crate::domain::bulk::{BulkAction, BulkId, BulkReport, BulkRequest, BulkTarget};
use crate::domain::Status;
use crate::engine::api::{Filter, Request, Response};
use crate::engine::views::FixedView;
use crate::engine::Backend;
use crate::i18n::{t, tf};
use crate::text::sanitize_line;
use anyhow::{anyhow, bail, Result};
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

/// Many items at once instead of one id: every item a pattern (and view, statuses) matches.
/// Ids name the catalog keys of their help (`cli.arg.bulk.*`), shared by every command.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct BulkArgs {
    /// Every item this pattern matches (README: Patterns), instead of an item id.
    #[arg(id = "bulk.where", long = "where", value_name = "PATTERN")]
    pub pattern: Option<String>,
    /// Only items in this view (default: all items).
    #[arg(id = "bulk.view", long = "view", value_name = "VIEW")]
    pub view: Option<String>,
    /// Only items with these statuses, comma-separated.
    #[arg(id = "bulk.status", long = "status", value_name = "STATUS")]
    pub status: Option<String>,
    /// List the items it would change; change nothing.
    #[arg(id = "bulk.dry_run", long = "dry-run")]
    pub dry_run: bool,
    /// Change more than 50 items without asking.
    #[arg(id = "bulk.yes", long = "yes")]
    pub yes: bool,
}

impl BulkArgs {
    /// Many items are meant (a pattern, view or statuses instead of an id).
    pub fn given(&self) -> bool {
        self.pattern.is_some() || self.view.is_some() || self.status.is_some()
    }
}

/// More items than this are changed only after a yes.
pub const ASK_ABOVE: u64 = 50;
/// Items a dry run lists (and a confirmed run pins) at most.
const LIST: usize = 100_000;

/// One item (`Some(id)`) or many (`None`, the bulk args name them): never both, never neither.
pub fn one_or_many(id: Option<String>, bulk: &BulkArgs) -> Result<Option<String>> {
    match (id, bulk.given()) {
        (Some(_), true) => bail!(t("bulk.cli.id_and_where")),
        (None, true) => Ok(None),
        (Some(id), false) => Ok(Some(id)),
        (None, false) => bail!(t("bulk.cli.no_id")),
    }
}

/// The item and the value of an `ID VALUE` command (`kith tag ID TAG`); with `--where` the one
/// value given is the value (`kith tag --where P TAG`).
pub fn with_value(
    id: Option<String>,
    value: Option<String>,
    bulk: &BulkArgs,
    what: &str,
) -> Result<(Option<String>, String)> {
    let missing = || anyhow!(tf("bulk.cli.missing", &[("what", &what)]));
    if bulk.given() {
        match (id, value) {
            (Some(v), None) => Ok((None, v)),
            (_, Some(_)) => bail!(t("bulk.cli.id_and_where")),
            (None, None) => Err(missing()),
        }
    } else {
        match (id, value) {
            (Some(i), Some(v)) => Ok((Some(i), v)),
            (None, _) => bail!(t("bulk.cli.no_id")),
            (Some(_), None) => Err(missing()),
        }
    }
}

/// The filter the bulk args name: a view (default all items), statuses, the pattern.
fn filter(a: &BulkArgs, operator: &str) -> Result<Filter> {
    let view = match a.view.as_deref() {
        None => FixedView::All,
        Some(v) => FixedView::parse(v).ok_or_else(|| {
            let names: Vec<&str> = FixedView::ALL.iter().map(|v| v.name()).collect();
            anyhow!(tf(
                "err.cli.view",
                &[
                    ("value", &format!("{:?}", sanitize_line(v, 40).text)),
                    ("views", &names.join(", "))
                ]
            ))
        })?,
    };
    let mut f = view.filter(operator);
    if let Some(st) = &a.status {
        f.statuses = st
            .split(',')
            .map(|x| x.parse::<Status>())
            .collect::<Result<_, _>>()?;
    }
    f.pattern = a.pattern.clone();
    Ok(f)
}

async fn call(b: &dyn Backend, req: BulkRequest) -> Result<BulkReport> {
    match b.call(Request::Bulk(req)).await? {
        Response::Bulk(r) => Ok(*r),
        _ => bail!(t("err.unexpected")),
    }
}

/// Runs `action` over what the bulk args match.
pub async fn run(
    b: &dyn Backend,
    a: &BulkArgs,
    action: BulkAction,
    operator: &str,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let f = filter(a, operator)?;
    let look = call(
        b,
        BulkRequest {
            target: BulkTarget::Filter(Box::new(f.clone())),
            action: action.clone(),
            dry_run: true,
            list: LIST,
        },
    )
    .await?;
    if a.dry_run {
        for r in &look.rows {
            let mark = if r.changes { "*" } else { " " };
            writeln!(
                out,
                "{mark} {}  {:<10} {:<20} {}",
                r.id,
                sanitize_line(&r.platform, 10).text,
                sanitize_line(&r.author, 20).text,
                sanitize_line(&r.text, 80).text
            )?;
        }
        if look.matched > look.rows.len() as u64 {
            let more = look.matched - look.rows.len() as u64;
            writeln!(out, "{}", tf("bulk.cli.more", &[("count", &more)]))?;
        }
        summary(&look, "bulk.cli.would", out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if look.matched == 0 {
        writeln!(out, "{}", t("bulk.cli.none"))?;
        return Ok(ExitCode::SUCCESS);
    }
    if look.matched > ASK_ABOVE && !a.yes && !confirm(look.matched)? {
        writeln!(out, "{}", t("bulk.cli.declined"))?;
        return Ok(ExitCode::FAILURE);
    }
    // What was counted, each item as it was then (unless more matched than a listing holds).
    let target = if look.rows.len() as u64 == look.matched {
        BulkTarget::Items(look.rows.iter().map(|r| (r.id, r.version)).collect())
    } else {
        BulkTarget::Filter(Box::new(f))
    };
    // Replies sent cannot be taken back: no undo hint for them.
    let undoable = action != BulkAction::SendDrafts;
    let report = call(
        b,
        BulkRequest {
            target,
            action,
            dry_run: false,
            list: 0,
        },
    )
    .await?;
    summary(&report, "bulk.cli.summary", out)?;
    if report.changed > 0 && undoable {
        writeln!(out, "{}", tf("bulk.cli.undo_hint", &[("bulk", &report.id)]))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Asks on the terminal; refuses (with how to go on) when nobody can be asked.
fn confirm(count: u64) -> Result<bool> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        bail!(tf("bulk.cli.needs_yes", &[("count", &count)]));
    }
    let mut err = std::io::stderr();
    write!(err, "{} ", tf("bulk.cli.ask", &[("count", &count)]))?;
    err.flush()?;
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let a = line.trim().to_lowercase();
    Ok(["y", "yes", "д", "да", "是", "是的"].contains(&a.as_str()))
}

/// `matched N, changed M, …` and a line per skipped item.
fn summary(r: &BulkReport, key: &str, out: &mut impl Write) -> Result<()> {
    writeln!(
        out,
        "{}",
        tf(
            key,
            &[
                ("matched", &r.matched),
                ("changed", &r.changed),
                ("unchanged", &r.unchanged),
                ("skipped", &r.skipped.len()),
            ],
        )
    )?;
    if let Some(why) = &r.stopped {
        writeln!(out, "{}", tf("bulk.cli.stopped", &[("why", why)]))?;
    }
    for s in &r.skipped {
        writeln!(
            out,
            "{}",
            tf(
                "bulk.cli.skipped",
                &[
                    ("id", &s.id),
                    ("why", &sanitize_line(&s.why.to_string(), 300).text)
                ],
            )
        )?;
    }
    Ok(())
}

/// `kith undo BULK`.
pub async fn undo(b: &dyn Backend, bulk: &str, out: &mut impl Write) -> Result<ExitCode> {
    let id: BulkId = bulk.parse().map_err(|_| {
        anyhow!(tf(
            "bulk.cli.bad_id",
            &[("value", &sanitize_line(bulk, 40).text)]
        ))
    })?;
    let Response::Bulk(r) = b.call(Request::UndoBulk(id)).await? else {
        bail!(t("err.unexpected"))
    };
    summary(&r, "bulk.cli.undone", out)?;
    Ok(ExitCode::SUCCESS)
}
