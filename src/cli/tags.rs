//! `kith tag list` (every tag with its item count) and `kith tag rename OLD NEW` (rename or
//! merge a tag on every item, through the engine, with the count printed).

use super::output::json_text;
use crate::engine::api::{Request, Response};
use crate::engine::Backend;
use crate::i18n::{t, tf};
use crate::text::{pad_to_width, sanitize_line, width};
use anyhow::{bail, Result};
use std::io::Write;
use std::process::ExitCode;

/// `kith tag ID TAG [--remove]`, or one of the subcommands.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct TagArgs {
    #[command(subcommand)]
    pub cmd: Option<TagCmd>,
    /// The item (left out with --where: then the tag alone).
    pub id: Option<String>,
    pub tag: Option<String>,
    #[arg(long)]
    pub remove: bool,
    #[arg(long)]
    pub if_version: Option<u64>,
    #[command(flatten)]
    pub bulk: super::BulkArgs,
}

/// `kith tag list|rename`: tags across the store.
#[derive(Debug, clap::Subcommand)]
pub enum TagCmd {
    /// Every tag in use with how many items carry it.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Rename a tag on every item (any case); items with both names end with NEW once.
    Rename {
        old: String,
        new: String,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(b: &dyn Backend, cmd: TagCmd, out: &mut impl Write) -> Result<ExitCode> {
    match cmd {
        TagCmd::List { json } => list(b, json, out).await,
        TagCmd::Rename { old, new, json } => rename(b, &old, &new, json, out).await,
    }
}

/// Most used first, then by name.
async fn list(b: &dyn Backend, json: bool, out: &mut impl Write) -> Result<ExitCode> {
    let Response::Tags(mut tags) = b.call(Request::Tags).await? else {
        bail!(t("err.unexpected"))
    };
    tags.sort_by(|a, b| b.items.cmp(&a.items).then(a.name.cmp(&b.name)));
    if json {
        for tag in &tags {
            let line = serde_json::json!({ "tag": tag.name, "items": tag.items });
            writeln!(out, "{}", json_text(&line))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if tags.is_empty() {
        writeln!(out, "{}", t("tags.cli.none"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let names: Vec<String> = tags
        .iter()
        .map(|x| sanitize_line(&x.name, 40).text)
        .collect();
    let w = names.iter().map(|n| width(n)).max().unwrap_or(0);
    for (name, tag) in names.iter().zip(&tags) {
        writeln!(out, "{}  {:>6}", pad_to_width(name, w), tag.items)?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn rename(
    b: &dyn Backend,
    old: &str,
    new: &str,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let req = Request::TagRename {
        old: old.to_string(),
        new: new.to_string(),
    };
    let Response::TagRenamed { items, merged } = b.call(req).await? else {
        bail!(t("err.unexpected"))
    };
    if json {
        let line = serde_json::json!({
            "old": old.trim(), "new": new.trim(), "items": items, "merged": merged,
        });
        writeln!(out, "{}", json_text(&line))?;
        return Ok(ExitCode::SUCCESS);
    }
    let (old, new) = (
        sanitize_line(old.trim(), 40).text,
        sanitize_line(new.trim(), 40).text,
    );
    writeln!(
        out,
        "{}",
        tf(
            "tags.cli.renamed",
            &[
                ("old", &old),
                ("new", &new),
                ("count", &items),
                ("merged", &merged)
            ],
        )
    )?;
    Ok(ExitCode::SUCCESS)
}
