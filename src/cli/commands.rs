//! Runs a parsed command line: sets up paths, config, language and the engine, then does the one
//! thing asked. Errors come back as one clear message; nothing here panics.

use super::output::{item_json, json_text, row};
use super::{Cli, Command};
use crate::domain::{time::parse_until_checked, Change, ItemId, Status, Timestamp};
use crate::engine::api::{Request, Response};
use crate::engine::{Backend, Engine, InProcess};
use crate::i18n::{self, t, tf, Arg};
use anyhow::{anyhow, bail, Context, Result};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

pub use crate::setup::Setup;

/// The setup a command line asks for.
pub fn given(cli: &Cli) -> crate::setup::Given {
    crate::setup::Given {
        data_dir: cli.data_dir.clone(),
        config: cli.config.clone(),
        lang: cli.lang.clone(),
        operator: cli.operator.clone(),
    }
}

pub fn open_engine(s: &Setup) -> Result<Arc<Engine>> {
    s.open_engine()
}

/// The operator's time zone.
fn zone(s: &Setup) -> crate::domain::when::Zone {
    s.settings.zone
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    // `kith doctor` is where a person goes when kith refuses its config: it runs on the
    // defaults and reports the config's problem with everything else it checks.
    let setup = if matches!(cli.command, Some(Command::Doctor { .. })) {
        Setup::lenient(&given(&cli))?.0
    } else {
        Setup::new(&given(&cli))?
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the runtime")?;
    rt.block_on(async move {
        match cli.command {
            Some(Command::Serve { stop }) => super::serve::run(&setup, stop).await,
            None => {
                let mut notices = Vec::new();
                let backend: Arc<dyn Backend> = if cli.no_daemon {
                    let engine = open_engine(&setup)?;
                    engine.start();
                    engine.start_sync();
                    engine.start_outbox();
                    Arc::new(InProcess::new(engine))
                } else {
                    let remote = super::serve::attach_or_spawn(&setup).await?;
                    if let Some(theirs) = remote.settings_elsewhere() {
                        notices.push(tf("cli.settings_elsewhere", &[("path", &theirs.display())]));
                    }
                    Arc::new(remote)
                };
                ensure_demo_when_empty(backend.as_ref()).await?;
                crate::tui::run(backend, &setup, notices).await?;
                Ok(ExitCode::SUCCESS)
            }
            // A post must go out even after this command ends: it goes to the engine process
            // (started if needed), or with --no-daemon to an engine inside this process.
            Some(cmd @ Command::Post(_)) => {
                let backend: Box<dyn Backend> = if cli.no_daemon {
                    let engine = open_engine(&setup)?;
                    engine.start();
                    engine.start_outbox();
                    Box::new(InProcess::new(engine))
                } else {
                    let remote = super::serve::attach_or_spawn(&setup).await?;
                    super::serve::warn_settings_elsewhere(&remote);
                    Box::new(remote)
                };
                command(cmd, backend.as_ref(), &setup).await
            }
            Some(cmd) => {
                let backend = super::serve::for_command(&setup, cli.no_daemon).await?;
                command(cmd, backend.as_ref(), &setup).await
            }
        }
    })
}

/// A fresh data dir opens on the demo workspace so a new user sees kith working at once.
async fn ensure_demo_when_empty(b: &dyn Backend) -> Result<()> {
    if let Response::Overview(o) = b.call(Request::Overview).await? {
        let connected = matches!(
            b.call(Request::Accounts).await?,
            Response::Accounts(a) if !a.is_empty()
        );
        if o.total == 0 && o.by_account.is_empty() && !connected {
            load_demo(b).await?;
        }
    }
    Ok(())
}

async fn load_demo(b: &dyn Backend) -> Result<u64> {
    let items = crate::engine::demo::demo_items(Timestamp::now())
        .map_err(|e| anyhow!(tf("err.demo", &[("error", &e)])))?;
    let added = match b.call(Request::Ingest { items, demo: true }).await? {
        Response::Ingested(r) => r.added,
        _ => bail!(t("err.unexpected")),
    };
    super::import::settle_members(b).await?;
    Ok(added)
}

fn parse_id(s: &str) -> Result<ItemId> {
    Ok(s.parse::<ItemId>()?)
}

async fn update(
    b: &dyn Backend,
    id: &str,
    change: Change,
    if_version: Option<u64>,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let id = parse_id(id)?;
    let assigning = matches!(change, Change::Assign(_));
    match b
        .call(Request::Update {
            id,
            change,
            if_version,
        })
        .await?
    {
        Response::Updated { item, .. } if assigning => {
            writeln!(out, "{}", assignee_line(&item))?;
            Ok(ExitCode::SUCCESS)
        }
        Response::Updated { item, .. } => {
            writeln!(out, "{} {} (v{})", item.id, item.status, item.version)?;
            Ok(ExitCode::SUCCESS)
        }
        _ => bail!(t("err.unexpected")),
    }
}

/// `ID assignee=NAME (vN)`, or `assignee=-` when released.
fn assignee_line(item: &crate::domain::Item) -> String {
    let who = item
        .assignee
        .as_deref()
        .map(|a| crate::text::sanitize_line(a, 64).text)
        .unwrap_or_else(|| "-".into());
    format!("{} assignee={who} (v{})", item.id, item.version)
}

/// Runs one command; a "no item" or "no post" names it as the user typed it, not as kith
/// spells the number it parsed (`abc` is not `0000000000abc` to the person who typed it).
async fn command(cmd: Command, b: &dyn Backend, s: &Setup) -> Result<ExitCode> {
    let typed = typed_id(&cmd);
    command_inner(cmd, b, s)
        .await
        .map_err(|e| echo_typed(e, typed.as_deref()))
}

/// The item or post id a command names, as typed.
fn typed_id(cmd: &Command) -> Option<String> {
    use super::ScheduleCmd as S;
    let id = match cmd {
        Command::Show { id, .. }
        | Command::Done { id, .. }
        | Command::Reopen { id, .. }
        | Command::Snooze { id, .. }
        | Command::Tag { id, .. }
        | Command::Spam { id, .. }
        | Command::Hide { id, .. }
        | Command::Reply { id, .. }
        | Command::Retry { id }
        | Command::Act { id, .. }
        | Command::Claim { id, .. }
        | Command::Assign { id, .. }
        | Command::Release { id, .. }
        | Command::Note { id, .. }
        | Command::Notes { id, .. } => id,
        Command::Audit { item: Some(id), .. } => id,
        Command::Schedule(a) => match &a.cmd {
            Some(
                S::Show { post_id }
                | S::Cancel { post_id, .. }
                | S::Move { post_id, .. }
                | S::Edit { post_id, .. }
                | S::Retry { post_id }
                | S::MarkSent { post_id, .. }
                | S::Duplicate { post_id, .. },
            ) => post_id,
            None => return None,
        },
        _ => return None,
    };
    Some(id.clone())
}

fn echo_typed(e: anyhow::Error, typed: Option<&str>) -> anyhow::Error {
    let Some(typed) = typed else { return e };
    let shown = crate::text::sanitize_line(typed.trim(), 40).text;
    match e.downcast_ref::<crate::engine::EngineError>() {
        Some(crate::engine::EngineError::NotFound(id)) if typed.parse::<ItemId>() == Ok(*id) => {
            anyhow!(tf("err.not_found", &[("id", &shown)]))
        }
        Some(crate::engine::EngineError::Invalid(p))
            if p.key == "err.post_not_found"
                && typed
                    .parse::<crate::domain::post::PostId>()
                    .is_ok_and(|id| p.args.contains(&("id".into(), Arg::Text(id.to_string())))) =>
        {
            anyhow!(tf("err.post_not_found", &[("id", &shown)]))
        }
        _ => e,
    }
}

async fn command_inner(cmd: Command, b: &dyn Backend, s: &Setup) -> Result<ExitCode> {
    let now = Timestamp::now();
    // A terminal gets every line through the sanitizer; a pipe gets the exact bytes.
    let stdout = std::io::stdout();
    let tty = stdout.is_terminal();
    let mut out = super::output::Stdout::new(stdout.lock(), tty);
    match cmd {
        Command::Demo {
            synthetic: None, ..
        } => {
            let n = load_demo(b).await?;
            writeln!(
                out,
                "{}",
                i18n::tf(
                    "cli.demo_loaded",
                    &[("count", &n), ("dir", &s.paths.data_dir.display())]
                )
            )?;
        }
        Command::Demo {
            synthetic: Some(n),
            seed,
        } => {
            let added = super::import::synthetic(b, n, seed).await?;
            writeln!(
                out,
                "{}",
                i18n::tf("cli.synthetic_loaded", &[("count", &added)])
            )?;
        }
        Command::Inbox(args) => super::inbox::run(b, args, &s.operator, now, &mut out).await?,
        Command::Show { id, json } => {
            let id = parse_id(&id)?;
            let Response::Thread(thread) = b.call(Request::Thread(id)).await? else {
                bail!(t("err.unexpected"))
            };
            for item in &thread {
                if json {
                    writeln!(out, "{}", json_text(&item_json(item)))?;
                } else {
                    let mark = if item.id == id { "▶" } else { " " };
                    writeln!(out, "{mark} {}", row(item, now, 200))?;
                    if item.id == id {
                        let (lines, _) = crate::text::sanitize_block(&item.text, 200, 500);
                        for l in lines {
                            writeln!(out, "    {l}")?;
                        }
                    }
                }
            }
            if !json {
                super::shift::notes(b, id, false, &mut out).await?;
            }
        }
        Command::Note { id, text } => {
            super::shift::add_note(b, parse_id(&id)?, &text, &mut out).await?
        }
        Command::Notes { id, json } => {
            super::shift::notes(b, parse_id(&id)?, json, &mut out).await?
        }
        Command::Handoff { json } => super::shift::handoff(b, json, &mut out).await?,
        Command::Members(m) => return super::members::run(b, m, now, &mut out).await,
        Command::Post(p) => return super::posts::post(b, p, &zone(s), &mut out).await,
        Command::Schedule(a) => return super::posts::schedule(b, a, &zone(s), &mut out).await,
        Command::Done { id, if_version } => {
            return update(b, &id, Change::status(Status::Done), if_version, &mut out).await
        }
        Command::Reopen { id, if_version } => {
            return update(b, &id, Change::status(Status::Open), if_version, &mut out).await
        }
        Command::Spam { id, if_version } => {
            return update(b, &id, Change::status(Status::Spam), if_version, &mut out).await
        }
        Command::Hide { id, if_version } => {
            return update(b, &id, Change::status(Status::Hidden), if_version, &mut out).await
        }
        Command::Snooze {
            id,
            until,
            if_version,
        } => {
            let t = parse_until_checked(&until, now)?;
            return update(
                b,
                &id,
                Change::SetStatus {
                    status: Status::Snoozed,
                    snoozed_until: Some(t),
                },
                if_version,
                &mut out,
            )
            .await;
        }
        Command::Tag {
            id,
            tag,
            remove,
            if_version,
        } => {
            let tag = tag.trim().to_string();
            if tag.is_empty() || tag.chars().any(char::is_control) {
                bail!(t("err.tag"));
            }
            let change = if remove {
                Change::RemoveTag(tag)
            } else {
                Change::AddTag(tag)
            };
            return update(b, &id, change, if_version, &mut out).await;
        }
        Command::Reply {
            id,
            text,
            if_version,
        } => {
            let id = parse_id(&id)?;
            let Response::Replied { reply, .. } = b
                .call(Request::Reply {
                    id,
                    text,
                    if_version,
                })
                .await?
            else {
                bail!(t("err.unexpected"))
            };
            return wait_for_verdict(b, reply.id, &mut out).await;
        }
        Command::Import {
            file,
            account,
            json,
        } => {
            let report = super::import::import_file(b, &file, account.as_deref()).await?;
            if json {
                writeln!(out, "{}", json_text(&report))?;
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
            if report.errors.len() > 50 && !json {
                writeln!(
                    std::io::stderr(),
                    "{}",
                    tf("err.more_errors", &[("count", &(report.errors.len() - 50))])
                )?;
            }
            return Ok(if report.errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(3)
            });
        }
        Command::Account { action } => return super::account::run(action, b, &mut out).await,
        Command::Sync {
            once,
            account,
            json,
        } => return super::sync::sync(b, once, account, json, &zone(s), &mut out).await,
        Command::Retry { id } => {
            let id = parse_id(&id)?;
            let Response::Replied { reply, .. } = b.call(Request::RetryReply(id)).await? else {
                bail!(t("err.unexpected"))
            };
            return wait_for_verdict(b, reply.id, &mut out).await;
        }
        Command::Claim { id, force } => {
            let id = parse_id(&id)?;
            let Response::Updated { item, .. } = b.call(Request::Claim { id, force }).await? else {
                bail!(t("err.unexpected"))
            };
            writeln!(out, "{}", assignee_line(&item))?;
        }
        Command::Assign {
            id,
            operator,
            if_version,
            force,
        } => {
            let op = operator.trim();
            if op.is_empty() || op.chars().any(char::is_control) {
                bail!(tf("err.operator", &[("value", &format!("{operator:?}"))]));
            }
            let op = super::shift::team_member(b, op, force).await?;
            return update(b, &id, Change::Assign(Some(op)), if_version, &mut out).await;
        }
        Command::Release { id, if_version } => {
            return update(b, &id, Change::Assign(None), if_version, &mut out).await;
        }
        Command::Act {
            id,
            action,
            if_version,
        } => {
            let id = parse_id(&id)?;
            let action: crate::domain::remote::RemoteAction =
                action.parse().map_err(|v: String| {
                    anyhow!(tf(
                        "err.bad_action",
                        &[("value", &crate::text::sanitize_line(&v, 40).text)]
                    ))
                })?;
            let Response::Acted { item, action } = b
                .call(Request::Act {
                    id,
                    action,
                    if_version,
                })
                .await?
            else {
                bail!(t("err.unexpected"))
            };
            writeln!(out, "{} {}", item.id, action.as_str())?;
        }
        Command::Audit {
            json,
            operator,
            item,
            since,
            limit,
            verify,
        } => {
            let item = item.as_deref().map(parse_id).transpose()?;
            let since = since
                .as_deref()
                .map(|x| super::inbox::since_arg(x, now))
                .transpose()?;
            let q = crate::domain::audit::AuditQuery {
                operator,
                item,
                since,
                limit,
            };
            return super::audit::run(b, q, json, verify, &mut out).await;
        }
        // Handled in `run`, before any backend exists.
        Command::Serve { .. } => {}
        Command::Doctor { json, verify } => {
            if !super::doctor::run(b, s, json, verify, &mut out).await? {
                return Ok(ExitCode::from(4));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Waits for the connector's verdict on a reply so scripts see sent or failed, not "sending".
/// Prints `ID STATE URL`; a failure is an error naming the reply (so `kith retry ID` can follow).
async fn wait_for_verdict(
    b: &dyn Backend,
    reply_id: ItemId,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let Response::Item(r) = b.call(Request::Get(reply_id)).await? else {
            bail!(t("err.unexpected"))
        };
        match &r.outgoing {
            Some(crate::domain::Outgoing::Sending) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Some(crate::domain::Outgoing::Failed { reason }) => {
                bail!(tf(
                    "err.reply_failed",
                    &[("id", &r.id), ("reason", &crate::i18n::shown(reason))]
                ))
            }
            other => {
                let url = match other {
                    Some(crate::domain::Outgoing::Sent { url: Some(u) }) => u.clone(),
                    _ => String::new(),
                };
                writeln!(
                    out,
                    "{} {} {}",
                    r.id,
                    other
                        .as_ref()
                        .map(super::output::send_state)
                        .unwrap_or_default(),
                    url
                )?;
                return Ok(ExitCode::SUCCESS);
            }
        }
    }
}
