//! Who answers an item, from the command line: `kith claim`, `kith assign`, `kith release`.

use super::args::parse_id;
use super::items::{assignee_line, update};
use crate::domain::Change;
use crate::engine::api::{Request, Response};
use crate::engine::Backend;
use crate::i18n::{t, tf};
use anyhow::{bail, Result};
use std::io::Write;
use std::process::ExitCode;

/// `kith claim`: the item is yours (`--force` takes it from someone else).
pub async fn claim(
    b: &dyn Backend,
    id: &str,
    force: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let id = parse_id(id)?;
    let Response::Updated { item, .. } = b.call(Request::Claim { id, force }).await? else {
        bail!(t("err.unexpected"))
    };
    writeln!(out, "{}", assignee_line(&item))?;
    Ok(ExitCode::SUCCESS)
}

/// `kith assign`: to an operator the team knows (`--force`: to any name).
pub async fn assign(
    b: &dyn Backend,
    id: &str,
    operator: &str,
    if_version: Option<u64>,
    force: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let op = known_name(b, operator, force).await?;
    update(b, id, Change::Assign(Some(op)), if_version, out).await
}

/// A name to assign to: printable, and on the team (spelt as the team spells it) unless `force`.
pub async fn known_name(b: &dyn Backend, operator: &str, force: bool) -> Result<String> {
    let op = operator.trim();
    if op.is_empty() || op.chars().any(char::is_control) {
        bail!(tf("err.operator", &[("value", &format!("{operator:?}"))]));
    }
    super::shift::team_member(b, op, force).await
}

/// `kith release`: assigned to nobody.
pub async fn release(
    b: &dyn Backend,
    id: &str,
    if_version: Option<u64>,
    out: &mut impl Write,
) -> Result<ExitCode> {
    update(b, id, Change::Assign(None), if_version, out).await
}
