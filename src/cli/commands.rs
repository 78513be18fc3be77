//! Runs a parsed command line: sets up paths, config, language and the engine, then hands the
//! one thing asked to its subcommand's function. Errors come back as one clear message; nothing
//! here panics.

use super::{account, audit, bulk, demo, doctor, import, inbox, items, members, posts, reply};
use super::{rules, serve, shift, sync, tags, team, views};
use super::{Cli, Command};
use crate::domain::bulk::BulkAction;
use crate::domain::{Change, ItemId, Status, Timestamp};
use crate::engine::{Backend, InProcess};
use crate::i18n::{tf, Arg};
use crate::setup::Setup;
use anyhow::{anyhow, Context, Result};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

/// The setup a command line asks for.
fn given(cli: &Cli) -> crate::setup::Given {
    crate::setup::Given {
        data_dir: cli.data_dir.clone(),
        config: cli.config.clone(),
        lang: cli.lang.clone(),
        operator: cli.operator.clone(),
    }
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
            Some(Command::Serve { stop }) => serve::run(&setup, stop).await,
            // The file as the engine would read it; no engine needed.
            Some(Command::Rules {
                cmd: super::RulesCmd::Check { file },
            }) => {
                let path = file.unwrap_or_else(|| setup.paths.rules_file());
                rules::check(&path, &mut std::io::stdout().lock())
            }
            None => tui(&setup, cli.no_daemon).await,
            // A post must go out even after this command ends: it goes to the engine process
            // (started if needed), or with --no-daemon to an engine inside this process.
            Some(cmd @ Command::Post(_)) => {
                let backend = publishing_backend(&setup, cli.no_daemon).await?;
                command(cmd, backend.as_ref(), &setup).await
            }
            Some(cmd) => {
                let backend = serve::for_command(&setup, cli.no_daemon).await?;
                command(cmd, backend.as_ref(), &setup).await
            }
        }
    })
}

/// `kith` alone: the TUI, attached to the engine process (started if needed) or, with
/// `--no-daemon`, to an engine inside this process.
async fn tui(setup: &Setup, no_daemon: bool) -> Result<ExitCode> {
    let mut notices = Vec::new();
    let backend: Arc<dyn Backend> = if no_daemon {
        let engine = setup.open_engine()?;
        engine.start();
        engine.start_sync();
        engine.start_outbox();
        Arc::new(InProcess::new(engine))
    } else {
        let remote = serve::attach_or_spawn(setup).await?;
        if let Some(theirs) = remote.settings_elsewhere() {
            notices.push(tf("cli.settings_elsewhere", &[("path", &theirs.display())]));
        }
        Arc::new(remote)
    };
    demo::ensure_when_empty(backend.as_ref()).await?;
    crate::tui::run(backend, setup, notices).await?;
    Ok(ExitCode::SUCCESS)
}

/// A backend whose scheduler outlives this command.
async fn publishing_backend(setup: &Setup, no_daemon: bool) -> Result<Box<dyn Backend>> {
    Ok(if no_daemon {
        let engine = setup.open_engine()?;
        engine.start();
        engine.start_outbox();
        Box::new(InProcess::new(engine))
    } else {
        let remote = serve::attach_or_spawn(setup).await?;
        serve::warn_settings_elsewhere(&remote);
        Box::new(remote)
    })
}

/// Runs one command; a "no item" or "no post" names it as the user typed it, not as kith
/// spells the number it parsed (`abc` is not `0000000000abc` to the person who typed it).
async fn command(cmd: Command, b: &dyn Backend, s: &Setup) -> Result<ExitCode> {
    let typed = typed_id(&cmd);
    // A terminal gets every line through the sanitizer; a pipe gets the exact bytes.
    let stdout = std::io::stdout();
    let tty = stdout.is_terminal();
    let mut out = super::output::Stdout::new(stdout.lock(), tty);
    dispatch(cmd, b, s, &mut out)
        .await
        .map_err(|e| echo_typed(e, typed.as_deref()))
}

/// Each subcommand to its function.
async fn dispatch(
    cmd: Command,
    b: &dyn Backend,
    s: &Setup,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let now = Timestamp::now();
    let zone = &s.settings.zone;
    match cmd {
        Command::Demo { synthetic, seed } => demo::run(b, s, synthetic, seed, out).await,
        Command::Inbox(args) => {
            let own = &s.settings.file.views.0;
            inbox::run(b, args, &s.operator, own, now, out).await
        }
        Command::View(c) => views::run(b, c, &s.settings.file.views.0, out).await,
        Command::Show { id, json } => items::show(b, &id, json, now, out).await,
        Command::Note { id, text } => shift::add_note(b, &id, &text, out).await,
        Command::Notes { id, json } => shift::notes(b, &id, json, out).await,
        Command::Handoff { json } => shift::handoff(b, json, out).await,
        Command::Members(m) => members::run(b, m, now, out).await,
        Command::Post(p) => posts::post(b, p, zone, out).await,
        Command::Schedule(a) => posts::schedule(b, a, zone, out).await,
        Command::Done {
            id,
            if_version,
            bulk,
        } => status(b, s, id, bulk, Status::Done, if_version, out).await,
        Command::Reopen {
            id,
            if_version,
            bulk,
        } => status(b, s, id, bulk, Status::Open, if_version, out).await,
        Command::Spam {
            id,
            if_version,
            bulk,
        } => status(b, s, id, bulk, Status::Spam, if_version, out).await,
        Command::Hide {
            id,
            if_version,
            bulk,
        } => status(b, s, id, bulk, Status::Hidden, if_version, out).await,
        Command::Snooze {
            id,
            until,
            if_version,
            bulk: many,
        } => match bulk::with_value(id, until, &many, "UNTIL")? {
            (Some(id), until) => items::snooze(b, &id, &until, if_version, now, out).await,
            (None, until) => {
                let t = crate::domain::time::parse_until_checked(&until, now)?;
                let change = Change::SetStatus {
                    status: Status::Snoozed,
                    snoozed_until: Some(t),
                };
                bulk::run(b, &many, BulkAction::Change(change), &s.operator, out).await
            }
        },
        Command::Tag(super::TagArgs { cmd: Some(c), .. }) => tags::run(b, c, out).await,
        Command::SendDrafts { bulk: many } => {
            if !many.given() {
                anyhow::bail!(crate::i18n::t("rules.cli.apply_where"));
            }
            bulk::run(b, &many, BulkAction::SendDrafts, &s.operator, out).await
        }
        Command::Rules { cmd } => match cmd {
            super::RulesCmd::Test { since, json } => {
                rules::test(b, since.as_deref(), json, now, out).await
            }
            super::RulesCmd::Apply { bulk } => rules::apply(b, &bulk, &s.operator, out).await,
            super::RulesCmd::Check { file } => {
                let path = file.unwrap_or_else(|| s.paths.rules_file());
                rules::check(&path, out)
            }
        },
        Command::Tag(super::TagArgs {
            id,
            tag,
            remove,
            if_version,
            bulk: many,
            ..
        }) => match bulk::with_value(id, tag, &many, "TAG")? {
            (Some(id), tag) => items::tag(b, &id, &tag, remove, if_version, out).await,
            (None, tag) => {
                let change = items::tag_change(&tag, remove)?;
                bulk::run(b, &many, BulkAction::Change(change), &s.operator, out).await
            }
        },
        Command::Reply {
            id,
            text,
            if_version,
            private,
        } => reply::reply(b, &id, text, if_version, private, out).await,
        Command::Retry { id } => reply::retry(b, &id, out).await,
        Command::Import {
            file,
            account,
            json,
        } => import::run(b, &file, account.as_deref(), json, out).await,
        Command::Account { action } => account::run(action, b, &s.settings, out).await,
        Command::Sync {
            once,
            account,
            json,
        } => sync::sync(b, once, account, json, zone, out).await,
        Command::Claim { id, force } => team::claim(b, &id, force, out).await,
        Command::Assign {
            id,
            operator,
            if_version,
            force,
            bulk: many,
        } => match bulk::with_value(id, operator, &many, "OPERATOR")? {
            (Some(id), who) => team::assign(b, &id, &who, if_version, force, out).await,
            (None, who) => {
                let who = team::known_name(b, &who, force).await?;
                let change = Change::Assign(Some(who));
                bulk::run(b, &many, BulkAction::Change(change), &s.operator, out).await
            }
        },
        Command::Undo { bulk: id } => bulk::undo(b, &id, out).await,
        Command::Release { id, if_version } => team::release(b, &id, if_version, out).await,
        Command::Act {
            id,
            action,
            if_version,
        } => items::act(b, &id, &action, if_version, out).await,
        Command::Audit(a) => audit::run(b, a, now, out).await,
        // Handled in `run`, before any backend exists.
        Command::Serve { .. } => Ok(ExitCode::SUCCESS),
        Command::Doctor {
            json,
            verify,
            compact,
        } => {
            if compact {
                doctor::compact(b, out).await?;
            }
            doctor::run(b, s, json, verify, out).await
        }
    }
}

/// `kith done|reopen|spam|hide`: one item, or every item the bulk args match.
#[allow(clippy::too_many_arguments)]
async fn status(
    b: &dyn Backend,
    s: &Setup,
    id: Option<String>,
    many: super::BulkArgs,
    status: Status,
    if_version: Option<u64>,
    out: &mut impl Write,
) -> Result<ExitCode> {
    match bulk::one_or_many(id, &many)? {
        Some(id) => items::set_status(b, &id, status, if_version, out).await,
        None => {
            let action = BulkAction::Change(Change::status(status));
            bulk::run(b, &many, action, &s.operator, out).await
        }
    }
}

/// The item or post id a command names, as typed.
fn typed_id(cmd: &Command) -> Option<String> {
    use super::ScheduleCmd as S;
    let id = match cmd {
        Command::Done { id: Some(id), .. }
        | Command::Reopen { id: Some(id), .. }
        | Command::Snooze { id: Some(id), .. }
        | Command::Tag(super::TagArgs { id: Some(id), .. })
        | Command::Spam { id: Some(id), .. }
        | Command::Hide { id: Some(id), .. }
        | Command::Assign { id: Some(id), .. } => id,
        Command::Show { id, .. }
        | Command::Reply { id, .. }
        | Command::Retry { id }
        | Command::Act { id, .. }
        | Command::Claim { id, .. }
        | Command::Release { id, .. }
        | Command::Note { id, .. }
        | Command::Notes { id, .. } => id,
        Command::Audit(super::AuditArgs { item: Some(id), .. }) => id,
        Command::Schedule(a) => match &a.cmd {
            Some(
                S::Show { post_id }
                | S::Cancel { post_id, .. }
                | S::Move { post_id, .. }
                | S::Edit { post_id, .. }
                | S::Retry { post_id }
                | S::MarkSent { post_id, .. }
                | S::Duplicate { post_id, .. }
                | S::Approve { post_id }
                | S::SendBack { post_id, .. },
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
