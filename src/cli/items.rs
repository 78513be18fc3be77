//! One item from the command line: `kith show` (the item in its thread, with its notes), the
//! triage changes (`done`, `reopen`, `spam`, `hide`, `snooze`, `tag`) and `kith act` (like or
//! moderate on the platform).

use super::args::parse_id;
use super::output::{item_json, json_text, row};
use crate::domain::{time::parse_until_checked, Change, Item, Status, Timestamp};
use crate::engine::api::{Request, Response};
use crate::engine::Backend;
use crate::i18n::{t, tf};
use anyhow::{anyhow, bail, Result};
use std::io::Write;
use std::process::ExitCode;

/// `kith show`: the thread with the item marked and in full, then its handoff notes.
pub async fn show(
    b: &dyn Backend,
    id: &str,
    json: bool,
    now: Timestamp,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let id = parse_id(id)?;
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
        super::shift::item_notes(b, id, false, out).await?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `kith done`, `kith reopen`, `kith spam`, `kith hide`: the item gets that status.
pub async fn set_status(
    b: &dyn Backend,
    id: &str,
    status: Status,
    if_version: Option<u64>,
    out: &mut impl Write,
) -> Result<ExitCode> {
    update(b, id, Change::status(status), if_version, out).await
}

/// `kith snooze`: back in the inbox at the time given (which must be ahead).
pub async fn snooze(
    b: &dyn Backend,
    id: &str,
    until: &str,
    if_version: Option<u64>,
    now: Timestamp,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let t = parse_until_checked(until, now)?;
    let change = Change::SetStatus {
        status: Status::Snoozed,
        snoozed_until: Some(t),
    };
    update(b, id, change, if_version, out).await
}

/// `kith tag`: adds a tag, or removes it with `--remove`.
pub async fn tag(
    b: &dyn Backend,
    id: &str,
    tag: &str,
    remove: bool,
    if_version: Option<u64>,
    out: &mut impl Write,
) -> Result<ExitCode> {
    update(b, id, tag_change(tag, remove)?, if_version, out).await
}

/// The change `kith tag` asks for: a printable tag added, or removed.
pub fn tag_change(tag: &str, remove: bool) -> Result<Change> {
    let tag = tag.trim().to_string();
    if tag.is_empty() || tag.chars().any(char::is_control) {
        bail!(t("err.tag"));
    }
    Ok(if remove {
        Change::RemoveTag(tag)
    } else {
        Change::AddTag(tag)
    })
}

/// `kith act`: likes or moderates the item on its platform.
pub async fn act(
    b: &dyn Backend,
    id: &str,
    action: &str,
    if_version: Option<u64>,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let id = parse_id(id)?;
    let action: crate::domain::remote::RemoteAction = action.parse().map_err(|v: String| {
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
    Ok(ExitCode::SUCCESS)
}

/// Sends one change and prints the item as it is now (its assignee, for an assignment).
pub async fn update(
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
pub fn assignee_line(item: &Item) -> String {
    let who = item
        .assignee
        .as_deref()
        .map(|a| crate::text::sanitize_line(a, 64).text)
        .unwrap_or_else(|| "-".into());
    format!("{} assignee={who} (v{})", item.id, item.version)
}
