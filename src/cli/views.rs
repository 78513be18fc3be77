//! `kith view list|save NAME PATTERN|delete NAME|move NAME up|down`: the team's saved views
//! (and the operator's own from `[views]`, listed after them), through the engine.

use super::output::json_text;
use crate::domain::pattern::Pattern;
use crate::domain::saved_view::{Move, ViewRow};
use crate::engine::api::{Request, Response};
use crate::engine::Backend;
use crate::i18n::{t, tf};
use crate::text::{pad_to_width, sanitize_line, width};
use anyhow::{anyhow, bail, Result};
use std::io::Write;
use std::process::ExitCode;

/// `kith view …`: saved views.
#[derive(Debug, clap::Subcommand)]
pub enum ViewCmd {
    /// Every saved view with its live count: the team's, then your own from config.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Save a pattern as a view for the team (replaces a view of the same name).
    Save { name: String, pattern: String },
    /// Delete a saved view.
    Delete { name: String },
    /// Move a saved view one place up or down in the sidebar.
    Move { name: String, dir: String },
}

pub async fn run(
    b: &dyn Backend,
    cmd: ViewCmd,
    personal: &[(String, String)],
    out: &mut impl Write,
) -> Result<ExitCode> {
    match cmd {
        ViewCmd::List { json } => list(b, personal, json, out).await,
        ViewCmd::Save { name, pattern } => save(b, &name, &pattern, out).await,
        ViewCmd::Delete { name } => {
            b.call(Request::ViewDelete(name.clone())).await?;
            writeln!(
                out,
                "{}",
                tf("views.cli.deleted", &[("name", &shown(&name))])
            )?;
            Ok(ExitCode::SUCCESS)
        }
        ViewCmd::Move { name, dir } => {
            let d = Move::parse(&dir).ok_or_else(|| {
                anyhow!(tf(
                    "views.cli.bad_dir",
                    &[("value", &format!("{:?}", sanitize_line(&dir, 20).text))]
                ))
            })?;
            let Response::ViewMoved(moved) = b
                .call(Request::ViewMove {
                    name: name.clone(),
                    dir: d,
                })
                .await?
            else {
                bail!(t("err.unexpected"))
            };
            let key = if moved {
                "views.cli.moved"
            } else {
                "views.cli.at_edge"
            };
            writeln!(out, "{}", tf(key, &[("name", &shown(&name))]))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The saved views with their counts (`1000+` once counting stopped).
pub async fn rows(b: &dyn Backend, personal: &[(String, String)]) -> Result<Vec<ViewRow>> {
    let Response::Views(rows) = b
        .call(Request::Views {
            personal: personal.to_vec(),
        })
        .await?
    else {
        bail!(t("err.unexpected"))
    };
    Ok(rows)
}

async fn list(
    b: &dyn Backend,
    personal: &[(String, String)],
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let rows = rows(b, personal).await?;
    if json {
        for r in &rows {
            writeln!(out, "{}", json_text(r))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        writeln!(out, "{}", t("views.cli.none"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let names: Vec<String> = rows.iter().map(|r| shown(&r.name)).collect();
    let w = names.iter().map(|n| width(n)).max().unwrap_or(0);
    for (name, r) in names.iter().zip(&rows) {
        let whose = if r.shared {
            t("views.cli.team")
        } else {
            t("views.cli.own")
        };
        writeln!(
            out,
            "{}  {:>6}  {}  {}",
            pad_to_width(name, w),
            r.count_text(),
            pad_to_width(&whose, 6),
            sanitize_line(&r.pattern, 200).text
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn save(
    b: &dyn Backend,
    name: &str,
    pattern: &str,
    out: &mut impl Write,
) -> Result<ExitCode> {
    // Read here too, so the error can show the pattern with a caret under the character
    // (the engine refuses it with the same message).
    if let Err(e) = Pattern::parse(pattern) {
        let (line, caret) = crate::text::caret_lines(pattern, e.at);
        eprintln!("  {line}\n  {caret}");
        bail!(e);
    }
    let Response::ViewSaved { replaced } = b
        .call(Request::ViewSave {
            name: name.to_string(),
            pattern: pattern.to_string(),
        })
        .await?
    else {
        bail!(t("err.unexpected"))
    };
    let key = if replaced {
        "views.cli.replaced"
    } else {
        "views.cli.saved"
    };
    writeln!(out, "{}", tf(key, &[("name", &shown(name))]))?;
    Ok(ExitCode::SUCCESS)
}

fn shown(name: &str) -> String {
    sanitize_line(name.trim(), 40).text
}
