//! `kith account …` and `kith sync`: connecting accounts and pulling from them.

use crate::cli::AccountCmd;
use crate::connectors::secrets::SecretSource;
use crate::connectors::AccountConfig;
use crate::domain::{Platform, Timestamp};
use crate::engine::api::{AccountView, Request, Response, SyncReport};
use crate::engine::{Backend, EngineError};
use crate::i18n::{t, tf};
use crate::text::sanitize_line;
use anyhow::{bail, Result};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exactly one of an env var or a file, or a clear error naming the two flags.
fn one_secret(
    env: Option<String>,
    file: Option<PathBuf>,
    env_flag: &str,
    file_flag: &str,
) -> Result<SecretSource> {
    match (env, file) {
        (Some(v), None) => Ok(SecretSource::Env(v)),
        (None, Some(p)) => Ok(SecretSource::File(std::path::absolute(&p).unwrap_or(p))),
        _ => bail!(tf(
            "err.secret_flags",
            &[("env", &env_flag), ("file", &file_flag)]
        )),
    }
}

pub async fn run(cmd: AccountCmd, b: &dyn Backend, out: &mut impl Write) -> Result<ExitCode> {
    match cmd {
        AccountCmd::Add {
            platform,
            name,
            base_url,
            token_env,
            token_file,
            handle,
            password_env,
            password_file,
            chats,
            interval,
            activity_items,
            no_test,
            replace,
        } => {
            let platform: Platform = platform.parse()?;
            let secret = match platform {
                Platform::Bluesky => {
                    if handle.is_none() {
                        bail!(t("err.bluesky_handle"));
                    }
                    one_secret(
                        password_env,
                        password_file,
                        "--password-env",
                        "--password-file",
                    )?
                }
                Platform::Mastodon | Platform::Telegram => {
                    one_secret(token_env, token_file, "--token-env", "--token-file")?
                }
                other => bail!(tf("err.platform_not_connectable", &[("platform", &other)])),
            };
            // Refuse a bad secret now (unset variable, file others can read), not at 3 a.m.
            secret.load()?;
            let base_url = base_url
                .or_else(|| AccountConfig::default_base_url(platform).map(String::from))
                .unwrap_or_default();
            let cfg = AccountConfig {
                name: name.clone(),
                platform,
                base_url,
                secret,
                handle,
                chats,
                interval_secs: interval.max(10),
                activity_items,
                created_at: Timestamp::now(),
            };
            b.call(Request::AccountAdd { cfg, replace }).await?;
            writeln!(
                out,
                "{}",
                tf(
                    "cli.account_added",
                    &[
                        ("account", &sanitize_line(&name, 64).text),
                        ("platform", &platform)
                    ]
                )
            )?;
            if no_test {
                return Ok(ExitCode::SUCCESS);
            }
            test(b, &name, out).await
        }
        AccountCmd::List { json } => {
            let Response::Accounts(rows) = b.call(Request::Accounts).await? else {
                bail!(t("err.unexpected"))
            };
            for a in &rows {
                if json {
                    writeln!(out, "{}", super::output::json_text(a))?;
                } else {
                    writeln!(out, "{}", account_line(a))?;
                }
            }
            if rows.is_empty() && !json {
                writeln!(out, "{}", t("tui.accounts.none"))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        AccountCmd::Test { name } => test(b, &name, out).await,
        AccountCmd::Remove { name } => {
            b.call(Request::AccountRemove(name.clone())).await?;
            writeln!(
                out,
                "{}",
                tf(
                    "cli.account_removed",
                    &[("account", &sanitize_line(&name, 64).text)]
                )
            )?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn test(b: &dyn Backend, name: &str, out: &mut impl Write) -> Result<ExitCode> {
    match b.call(Request::AccountTest(name.to_string())).await {
        Ok(Response::Identity(id)) => {
            writeln!(
                out,
                "{}",
                tf(
                    "cli.account_ok",
                    &[
                        ("account", &sanitize_line(name, 64).text),
                        ("handle", &sanitize_line(&id.handle, 64).text),
                        ("id", &sanitize_line(&id.id, 64).text),
                    ]
                )
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Ok(_) => bail!(t("err.unexpected")),
        Err(EngineError::Remote {
            message,
            needs_reauth,
        }) => {
            writeln!(std::io::stderr(), "{}", sanitize_line(&message, 600).text)?;
            Ok(ExitCode::from(if needs_reauth { 5 } else { 1 }))
        }
        Err(e) => Err(e.into()),
    }
}

fn account_line(a: &AccountView) -> String {
    let (state, _) = crate::tui::render::accounts::state_label(a, Timestamp::now());
    let synced = a
        .state
        .last_stored
        .map(|t| t.to_rfc3339())
        .unwrap_or_else(|| "-".into());
    let mut line = format!(
        "{:<20} {:<10} {:<16} {:>7} {:<25} {} {}",
        sanitize_line(&a.name, 20).text,
        a.platform.as_str(),
        state,
        a.items,
        synced,
        sanitize_line(a.base_url.as_deref().unwrap_or("-"), 80).text,
        sanitize_line(a.secret_source.as_deref().unwrap_or(""), 80).text,
    );
    if let Some(e) = &a.state.last_error {
        line.push_str(&format!("\n    {}", sanitize_line(e, 300).text));
    }
    line
}

fn report_line(r: &SyncReport) -> String {
    match &r.error {
        Some(e) => sanitize_line(e, 400).text,
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

/// A progress line on stderr (when it is a terminal) while a pass runs: items stored so far,
/// requests and rate. No platform says how many items are waiting, so there is no percentage.
fn show_progress(b: &dyn Backend) -> Option<tokio::task::JoinHandle<()>> {
    use std::io::IsTerminal;
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

/// `kith sync`: one pass (`--once`) or passes on the shortest account interval until Ctrl-C.
/// Exit 1 when an account failed, 5 when one needs re-authentication.
pub async fn sync(
    b: &dyn Backend,
    once: bool,
    account: Option<String>,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    loop {
        let progress = show_progress(b);
        let result = b
            .call(Request::Sync {
                account: account.clone(),
            })
            .await;
        if let Some(p) = progress {
            p.abort();
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
        let Response::Synced(reports) = result? else {
            bail!(t("err.unexpected"))
        };
        if reports.is_empty() {
            writeln!(out, "{}", t("tui.accounts.none"))?;
            return Ok(ExitCode::SUCCESS);
        }
        let mut code = 0u8;
        for r in &reports {
            if json {
                writeln!(out, "{}", super::output::json_text(r))?;
            } else {
                writeln!(out, "{}", report_line(r))?;
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
            _ = tokio::time::sleep(std::time::Duration::from_secs(secs)) => {}
            _ = tokio::signal::ctrl_c() => return Ok(ExitCode::from(code)),
        }
    }
}
