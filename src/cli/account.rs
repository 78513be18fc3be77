//! `kith account …`: connecting accounts, listing them with their state, testing, removing.

use super::{AccountAddArgs, AccountCmd};
use crate::connectors::secrets::{LoadSecret, Secret, SecretError, SecretSource};
use crate::connectors::AccountConfig;
use crate::domain::{Platform, Timestamp};
use crate::engine::api::{AccountView, Request, Response};
use crate::engine::{Backend, EngineError};
use crate::i18n::{t, tf};
use crate::text::sanitize_line;
use anyhow::{bail, Result};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exactly one of an env var or a file, or a clear error naming the two flags. A variable is
/// read here, in the shell that has it, and its value goes to the engine to keep (an engine
/// started earlier does not have it); a file is named by its absolute path and read by the
/// engine when it connects.
fn one_secret(
    env: Option<String>,
    file: Option<PathBuf>,
    env_flag: &str,
    file_flag: &str,
) -> Result<(SecretSource, Option<Secret>)> {
    match (env, file) {
        (Some(v), None) => {
            let value = std::env::var(&v)
                .ok()
                .filter(|s| !s.trim().is_empty())
                .ok_or_else(|| SecretError::EnvMissing { var: v.clone() })?;
            Ok((
                SecretSource::Kept {
                    from: format!("env:{v}"),
                },
                Some(Secret(value.trim().to_string())),
            ))
        }
        (None, Some(p)) => {
            let source = SecretSource::File(std::path::absolute(&p).unwrap_or(p));
            // Refuse a bad file now (missing, readable by others), not at 3 a.m.
            source.load(std::path::Path::new("."), "")?;
            Ok((source, None))
        }
        _ => bail!(tf(
            "err.secret_flags",
            &[("env", &env_flag), ("file", &file_flag)]
        )),
    }
}

/// A YouTube channel id as YouTube writes them: `UC` and 22 more letters, digits, `-` or `_`.
fn valid_channel_id(id: &str) -> bool {
    id.len() == 24
        && id.starts_with("UC")
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `kith account add|list|test|remove`.
pub async fn run(
    cmd: AccountCmd,
    b: &dyn Backend,
    settings: &crate::config::Settings,
    out: &mut impl Write,
) -> Result<ExitCode> {
    match cmd {
        AccountCmd::Add(a) => add(b, a, settings, out).await,
        AccountCmd::List { json } => list(b, json, out).await,
        AccountCmd::Test { name } => test(b, &name, out).await,
        AccountCmd::Remove { name } => remove(b, &name, out).await,
        AccountCmd::Captcha { name, answer } => {
            b.call(Request::AccountCaptcha {
                account: name.clone(),
                answer,
            })
            .await?;
            writeln!(
                out,
                "{}",
                tf(
                    "cli.captcha_taken",
                    &[("account", &sanitize_line(&name, 64).text)]
                )
            )?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `kith account add`: saved by the engine, then tested unless `--no-test`.
async fn add(
    b: &dyn Backend,
    mut a: AccountAddArgs,
    settings: &crate::config::Settings,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let platform: Platform = a.platform.parse()?;
    if a.human_agent && !matches!(platform, Platform::Facebook | Platform::Instagram) {
        bail!(tf(
            "graph_msg.human_agent_platform",
            &[("platform", &platform)]
        ));
    }
    let mut user = (None, None);
    let (secret, value) = match platform {
        Platform::Bluesky => {
            if a.handle.is_none() {
                bail!(t("err.bluesky_handle"));
            }
            one_secret(
                a.password_env,
                a.password_file,
                "--password-env",
                "--password-file",
            )?
        }
        Platform::Mastodon | Platform::Telegram => {
            one_secret(a.token_env, a.token_file, "--token-env", "--token-file")?
        }
        Platform::Vk => {
            match a.group_id {
                Some(g) if g > 0 => {}
                Some(g) => bail!(tf("err.vk_group_id_sign", &[("id", &g)])),
                None => bail!(t("err.vk_group_id")),
            }
            if a.user_token_env.is_some() || a.user_token_file.is_some() {
                let (s, v) = one_secret(
                    a.user_token_env.take(),
                    a.user_token_file.take(),
                    "--user-token-env",
                    "--user-token-file",
                )?;
                user = (Some(s), v);
            }
            one_secret(a.token_env, a.token_file, "--token-env", "--token-file")?
        }
        Platform::Youtube => {
            let Some(channel) = a.channel_id.as_deref().filter(|c| valid_channel_id(c)) else {
                bail!(tf(
                    "err.youtube_channel_id",
                    &[(
                        "id",
                        &sanitize_line(a.channel_id.as_deref().unwrap_or(""), 40).text
                    )]
                ));
            };
            let _ = channel;
            google_secret(&mut a, platform, settings, out).await?
        }
        Platform::Google => {
            let digits =
                |s: &str| !s.is_empty() && s.len() <= 40 && s.bytes().all(|b| b.is_ascii_digit());
            let account = a.google_account.as_deref().unwrap_or("");
            if !digits(account) || a.locations.is_empty() {
                bail!(tf(
                    "google.need_ids",
                    &[("account", &format!("{:?}", sanitize_line(account, 40).text))]
                ));
            }
            if let Some(bad) = a.locations.iter().find(|l| !digits(l)) {
                bail!(tf(
                    "google.bad_location",
                    &[("id", &sanitize_line(bad, 40).text)]
                ));
            }
            google_secret(&mut a, platform, settings, out).await?
        }
        Platform::Instagram => {
            let ok = a
                .ig_user_id
                .as_deref()
                .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
            if !ok {
                bail!(tf(
                    "err.instagram_user_id",
                    &[(
                        "id",
                        &sanitize_line(a.ig_user_id.as_deref().unwrap_or(""), 40).text
                    )]
                ));
            }
            one_secret(a.token_env, a.token_file, "--token-env", "--token-file")?
        }
        Platform::Facebook => {
            let ok = a
                .page_id
                .as_deref()
                .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
            if !ok {
                bail!(tf(
                    "err.facebook_page_id",
                    &[(
                        "id",
                        &sanitize_line(a.page_id.as_deref().unwrap_or(""), 40).text
                    )]
                ));
            }
            one_secret(a.token_env, a.token_file, "--token-env", "--token-file")?
        }
        other => bail!(tf("err.platform_not_connectable", &[("platform", &other)])),
    };
    let base_url = a
        .base_url
        .or_else(|| AccountConfig::default_base_url(platform).map(String::from))
        .unwrap_or_default();
    let name = a.name;
    let cfg = AccountConfig {
        name: name.clone(),
        platform,
        base_url,
        secret,
        handle: a.handle,
        chats: a.chats,
        interval_secs: a.interval.max(10),
        activity_items: a.activity_items,
        group_id: a.group_id.filter(|_| platform == Platform::Vk),
        user_secret: user.0,
        channel_id: a.channel_id.filter(|_| platform == Platform::Youtube),
        auth_url: a
            .auth_url
            .filter(|_| matches!(platform, Platform::Youtube | Platform::Google)),
        google_account: a.google_account.filter(|_| platform == Platform::Google),
        locations: if platform == Platform::Google {
            a.locations
        } else {
            Vec::new()
        },
        // Instagram's account id is kept where Facebook keeps its Page's: the one account
        // behind the token that kith reads.
        page_id: match platform {
            Platform::Facebook => a.page_id,
            Platform::Instagram => a.ig_user_id,
            _ => None,
        },
        created_at: Timestamp::now(),
        human_agent: a.human_agent && matches!(platform, Platform::Facebook | Platform::Instagram),
    };
    b.call(Request::AccountAdd {
        cfg,
        replace: a.replace,
        secret: value,
        user_secret: user.1,
    })
    .await?;
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
    if a.no_test {
        return Ok(ExitCode::SUCCESS);
    }
    test(b, &name, out).await
}

/// A Google account's secret (YouTube, Business Profile): a token from env or file, else the
/// OAuth device flow for the platform's scope.
async fn google_secret(
    a: &mut AccountAddArgs,
    platform: Platform,
    settings: &crate::config::Settings,
    out: &mut impl Write,
) -> Result<(SecretSource, Option<Secret>)> {
    if a.token_env.is_some() || a.token_file.is_some() {
        return one_secret(
            a.token_env.take(),
            a.token_file.take(),
            "--token-env",
            "--token-file",
        );
    }
    let auth = a
        .auth_url
        .clone()
        .unwrap_or_else(|| AccountConfig::GOOGLE_AUTH_URL.to_string());
    let token = super::oauth::device_flow(&auth, platform, settings, out).await?;
    Ok((
        SecretSource::Kept {
            from: "oauth".into(),
        },
        Some(token),
    ))
}

/// `kith account list`.
async fn list(b: &dyn Backend, json: bool, out: &mut impl Write) -> Result<ExitCode> {
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

/// `kith account remove`: disconnected; its items stay.
async fn remove(b: &dyn Backend, name: &str, out: &mut impl Write) -> Result<ExitCode> {
    b.call(Request::AccountRemove(name.to_string())).await?;
    writeln!(
        out,
        "{}",
        tf(
            "cli.account_removed",
            &[("account", &sanitize_line(name, 64).text)]
        )
    )?;
    Ok(ExitCode::SUCCESS)
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
            for a in &id.abilities {
                writeln!(out, "  {}", sanitize_line(&a.to_string(), 300).text)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Ok(_) => bail!(t("err.unexpected")),
        Err(EngineError::Remote {
            message,
            needs_reauth,
        }) => {
            writeln!(
                std::io::stderr(),
                "{}",
                sanitize_line(&message.to_string(), 600).text
            )?;
            Ok(ExitCode::from(if needs_reauth { 5 } else { 1 }))
        }
        Err(e) => Err(e.into()),
    }
}

fn account_line(a: &AccountView) -> String {
    let state = a.state_at(Timestamp::now()).phrase().to_string();
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
        line.push_str(&format!(
            "\n    {}",
            sanitize_line(&e.to_string(), 300).text
        ));
    }
    if a.human_agent {
        line.push_str(&format!("\n    {}", t("graph_msg.human_agent_on")));
    }
    for n in &a.runtime.notices {
        line.push_str(&format!(
            "\n    {}",
            sanitize_line(&n.to_string(), 300).text
        ));
    }
    line
}
