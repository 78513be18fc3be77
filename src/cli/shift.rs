//! Shift work from the command line: `kith note`, `kith notes`, `kith handoff`, `kith inbox --due`.

use super::output::{item_json, row};
use crate::domain::clock::Targets;
use crate::domain::note::Note;
use crate::domain::{ItemId, Timestamp};
use crate::engine::api::{Filter, Request, Response};
use crate::engine::Backend;
use crate::i18n::{t, tf};
use crate::text::{sanitize_identity, sanitize_line};
use anyhow::{bail, Result};
use std::io::Write;
use std::process::ExitCode;

/// The name `kith assign` uses: a name the team knows (any case, spelt as the team spells
/// it); another name only with `--force`, so a typo never hands an item to nobody.
pub async fn team_member(b: &dyn Backend, name: &str, force: bool) -> Result<String> {
    let Response::Operators(known) = b.call(Request::Operators).await? else {
        bail!(t("err.unexpected"))
    };
    if known.iter().any(|k| k == name) || force {
        return Ok(name.to_string());
    }
    let same: Vec<&String> = known
        .iter()
        .filter(|k| k.to_lowercase() == name.to_lowercase())
        .collect();
    if let [one] = same.as_slice() {
        return Ok((*one).clone());
    }
    let names: Vec<String> = known
        .iter()
        .map(|k| sanitize_identity(k, 40).text)
        .collect();
    bail!(tf(
        "err.team.unknown_operator",
        &[
            ("who", &sanitize_identity(name, 40).text),
            ("known", &names.join(", ")),
        ],
    ))
}

/// `kith note ID TEXT`.
pub async fn add_note(
    b: &dyn Backend,
    id: &str,
    text: &str,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let id = super::args::parse_id(id)?;
    let Response::Notes(n) = b
        .call(Request::AddNote {
            id,
            text: text.to_string(),
        })
        .await?
    else {
        bail!(t("err.unexpected"))
    };
    if let Some(n) = n.first() {
        writeln!(
            out,
            "{}",
            tf("cli.note_added", &[("id", &id), ("seq", &n.seq)])
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `kith notes ID`.
pub async fn notes(
    b: &dyn Backend,
    id: &str,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    item_notes(b, super::args::parse_id(id)?, json, out).await?;
    Ok(ExitCode::SUCCESS)
}

/// An item's handoff notes, oldest first.
pub async fn item_notes(
    b: &dyn Backend,
    id: ItemId,
    json: bool,
    out: &mut impl Write,
) -> Result<()> {
    let Response::Notes(notes) = b.call(Request::Notes(id)).await? else {
        bail!(t("err.unexpected"))
    };
    print_notes(&notes, json, out)
}

pub fn print_notes(notes: &[Note], json: bool, out: &mut impl Write) -> Result<()> {
    for n in notes {
        if json {
            let v = serde_json::json!({
                "seq": n.seq,
                "item": n.item.to_string(),
                "at": n.at.to_string(),
                "operator": n.operator,
                "text": n.text,
            });
            writeln!(out, "{}", super::output::json_text(&v))?;
        } else {
            writeln!(
                out,
                "✎ {}  {}  {}",
                n.at,
                sanitize_identity(&n.operator, 40).text,
                sanitize_line(&n.text, 2000).text
            )?;
        }
    }
    Ok(())
}

/// The engine's targets (the team's config), so clocks read the same everywhere.
async fn targets(b: &dyn Backend) -> Result<Targets> {
    match b.call(Request::WhoAmI).await? {
        Response::Operator(o) => Ok(o.targets),
        _ => bail!(t("err.unexpected")),
    }
}

/// `kith inbox --due`: waiting items by due time, each with how long it has waited.
pub async fn due(
    b: &dyn Backend,
    filter: Filter,
    limit: usize,
    json: bool,
    now: Timestamp,
    out: &mut impl Write,
) -> Result<()> {
    let targets = targets(b).await?;
    let Response::Page(page) = b.call(Request::Due { filter, limit }).await? else {
        bail!(t("err.unexpected"))
    };
    for item in &page.items {
        let waited = (now.0 - item.created_at.0).max(0);
        if json {
            let mut v = serde_json::to_value(item_json(item))?;
            if let Some(o) = v.as_object_mut() {
                o.insert("due_at".into(), targets.due_at(item).to_string().into());
                o.insert("waited_secs".into(), (waited / 1000).into());
                o.insert("overdue".into(), (targets.due_at(item).0 <= now.0).into());
            }
            writeln!(out, "{}", super::output::json_text(&v))?;
        } else {
            let late = if targets.due_at(item).0 <= now.0 {
                "!"
            } else {
                " "
            };
            writeln!(out, "{late}{}", row(item, now, 120))?;
        }
    }
    Ok(())
}

pub async fn handoff(b: &dyn Backend, json: bool, out: &mut impl Write) -> Result<ExitCode> {
    let Response::Handoff(h) = b.call(Request::Handoff).await? else {
        bail!(t("err.unexpected"))
    };
    if json {
        let v = serde_json::json!({
            "open": h.open,
            "unassigned": h.unassigned,
            "claimed": h.claimed.iter().map(|(o, n)| serde_json::json!({"operator": o, "items": n})).collect::<Vec<_>>(),
            "snoozed": h.snoozed,
            "overdue": h.overdue,
            "due_soon": h.due_soon,
            "partial": h.partial,
            "notes_last_24h": h.notes_last_24h,
            "oldest": h.oldest.iter().map(|i| i.id.to_string()).collect::<Vec<_>>(),
        });
        writeln!(out, "{}", super::output::json_text(&v))?;
        return Ok(ExitCode::SUCCESS);
    }
    let plus = if h.partial { "+" } else { "" };
    writeln!(
        out,
        "{}",
        tf(
            "tui.handoff.open",
            &[("open", &h.open), ("unassigned", &h.unassigned)]
        )
    )?;
    writeln!(
        out,
        "{} · {}",
        tf(
            "tui.handoff.overdue",
            &[("n", &format!("{}{plus}", h.overdue))]
        ),
        tf(
            "tui.handoff.due_soon",
            &[("n", &format!("{}{plus}", h.due_soon))]
        )
    )?;
    writeln!(
        out,
        "{}",
        tf(
            "tui.handoff.snoozed",
            &[("n", &h.snoozed), ("notes", &h.notes_last_24h)]
        )
    )?;
    writeln!(out, "{}", t("tui.handoff.claimed"))?;
    for (op, n) in &h.claimed {
        writeln!(out, "  {:<16} {n}", sanitize_identity(op, 40).text)?;
    }
    writeln!(out, "{}", t("tui.handoff.oldest"))?;
    let now = Timestamp::now();
    for i in &h.oldest {
        writeln!(out, "  {}", row(i, now, 120))?;
    }
    Ok(ExitCode::SUCCESS)
}
