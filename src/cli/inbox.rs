//! `kith inbox`: one of the TUI's views (its Inbox unless told otherwise), narrowed by filters,
//! newest first or by when the answer is due.

use super::output::{json_line, row};
use super::InboxArgs;
use crate::domain::pattern::Pattern;
use crate::domain::{Kind, Platform, Status, Timestamp};
use crate::engine::api::{Filter, ListQuery, Request, Response};
use crate::engine::views::FixedView;
use crate::engine::Backend;
use crate::i18n::{t, tf};
use anyhow::{anyhow, bail, Result};
use std::io::Write;
use std::process::ExitCode;

pub async fn run(
    b: &dyn Backend,
    a: InboxArgs,
    operator: &str,
    own_views: &[(String, String)],
    now: Timestamp,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let (view, saved) = match a.view.as_deref() {
        None => (FixedView::Inbox, None),
        // A fixed view's name wins over a saved view of the same name.
        Some(v) => match FixedView::parse(v) {
            Some(f) => (f, None),
            None => (FixedView::All, Some(saved_view(b, v, own_views).await?)),
        },
    };
    let mut filter = view.filter(operator);
    if let Some(st) = &a.status {
        filter.statuses = st
            .split(',')
            .map(|x| x.parse::<Status>())
            .collect::<Result<_, _>>()?;
    }
    narrow(&mut filter, &a, now)?;
    if let Some(p) = saved {
        filter.pattern = Some(match filter.pattern.take() {
            Some(w) => format!("({p}) ({w})"),
            None => p,
        });
    }
    if a.due || view == FixedView::Due {
        super::shift::due(b, filter, a.limit, a.json, now, out).await?;
        return Ok(ExitCode::SUCCESS);
    }
    if view == FixedView::ToAnswer {
        let limit = a.limit.min(10_000);
        let Response::Page(page) = b.call(Request::WorstFirst { filter, limit }).await? else {
            bail!(t("err.unexpected"))
        };
        for item in &page.items {
            if a.json {
                writeln!(out, "{}", json_line(item))?;
            } else {
                writeln!(out, "{}", row(item, now, 120))?;
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut after = None;
    let mut left = a.limit;
    while left > 0 {
        let q = ListQuery {
            filter: filter.clone(),
            after,
            before: None,
            limit: left.min(1000),
        };
        let Response::Page(page) = b.call(Request::List(q)).await? else {
            bail!(t("err.unexpected"))
        };
        for item in &page.items {
            if a.json {
                writeln!(out, "{}", json_line(item))?;
            } else {
                writeln!(out, "{}", row(item, now, 120))?;
            }
        }
        left -= page.items.len().min(left);
        if !page.more || page.cursor.is_none() {
            break;
        }
        after = page.cursor;
    }
    Ok(ExitCode::SUCCESS)
}

/// The pattern of the saved view named `v` (any case); an unknown name lists every name known.
async fn saved_view(b: &dyn Backend, v: &str, own: &[(String, String)]) -> Result<String> {
    let rows = super::views::rows(b, own).await?;
    let key = crate::domain::saved_view::fold(v);
    if let Some(r) = rows
        .iter()
        .find(|r| crate::domain::saved_view::fold(&r.name) == key)
    {
        return Ok(r.pattern.clone());
    }
    let mut names: Vec<String> = FixedView::ALL
        .iter()
        .map(|v| v.name().to_string())
        .collect();
    names.extend(
        rows.iter()
            .map(|r| crate::text::sanitize_line(&r.name, 40).text),
    );
    Err(anyhow!(tf(
        "err.cli.view",
        &[
            (
                "value",
                &format!("{:?}", crate::text::sanitize_line(v, 40).text)
            ),
            ("views", &names.join(", "))
        ]
    )))
}

/// The conditions every view can be narrowed by.
fn narrow(filter: &mut Filter, a: &InboxArgs, now: Timestamp) -> Result<()> {
    if let Some(p) = &a.platform {
        filter.platform = Some(p.parse::<Platform>()?);
    }
    if let Some(k) = &a.kind {
        filter.kind = Some(k.parse::<Kind>()?);
    }
    if a.account.is_some() {
        filter.account = a.account.clone();
    }
    if a.written_in.is_some() {
        filter.lang = a.written_in.clone();
    }
    if a.tag.is_some() {
        filter.tag = a.tag.clone();
    }
    if a.search.is_some() {
        filter.text = a.search.clone();
    }
    if let Some(p) = a.pattern.as_deref().filter(|p| !p.trim().is_empty()) {
        // Read here too, so the error can show the typed line with a caret under the character
        // (errors are one line; the line and the caret go just before it).
        if let Err(e) = Pattern::parse(p) {
            let (line, caret) = crate::text::caret_lines(p, e.at);
            eprintln!("  {line}\n  {caret}");
            bail!(e);
        }
        filter.pattern = Some(p.to_string());
    }
    filter.rating = a.rating.as_deref().map(rating_arg).transpose()?;
    filter.since = a
        .since
        .as_deref()
        .map(|x| super::args::since_arg(x, now))
        .transpose()?;
    Ok(())
}

fn rating_arg(s: &str) -> Result<(u8, u8)> {
    let bad = || anyhow!(tf("err.rating", &[("value", &format!("{s:?}"))]));
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let (a, b): (u8, u8) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if !(1..=5).contains(&a) || !(1..=5).contains(&b) || a > b {
        return Err(bad());
    }
    Ok((a, b))
}
