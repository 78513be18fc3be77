//! `kith demo`: the bundled demo workspace (also what a fresh data dir opens on, so a new user
//! sees kith working at once), or N synthetic items for benchmarks.

use crate::domain::Timestamp;
use crate::engine::api::{Request, Response};
use crate::engine::Backend;
use crate::i18n::{t, tf};
use crate::setup::Setup;
use anyhow::{anyhow, bail, Result};
use std::io::Write;
use std::process::ExitCode;

/// `kith demo [--synthetic N --seed S]`.
pub async fn run(
    b: &dyn Backend,
    s: &Setup,
    synthetic: Option<u64>,
    seed: u64,
    out: &mut impl Write,
) -> Result<ExitCode> {
    match synthetic {
        None => {
            let n = load(b).await?;
            writeln!(
                out,
                "{}",
                tf(
                    "cli.demo_loaded",
                    &[("count", &n), ("dir", &s.paths.data_dir.display())]
                )
            )?;
        }
        Some(n) => {
            let added = super::import::synthetic(b, n, seed).await?;
            writeln!(out, "{}", tf("cli.synthetic_loaded", &[("count", &added)]))?;
            if added >= super::import::COMPACT_HINT_AT {
                eprintln!("{}", crate::i18n::t("cli.compact_hint"));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A fresh data dir opens on the demo workspace so a new user sees kith working at once.
pub async fn ensure_when_empty(b: &dyn Backend) -> Result<()> {
    if let Response::Overview(o) = b.call(Request::Overview).await? {
        let connected = matches!(
            b.call(Request::Accounts).await?,
            Response::Accounts(a) if !a.is_empty()
        );
        if o.total == 0 && o.by_account.is_empty() && !connected {
            load(b).await?;
        }
    }
    Ok(())
}

async fn load(b: &dyn Backend) -> Result<u64> {
    let items = crate::engine::demo::demo_items(Timestamp::now())
        .map_err(|e| anyhow!(tf("err.demo", &[("error", &e)])))?;
    let added = match b.call(Request::Ingest { items, demo: true }).await? {
        Response::Ingested(r) => r.added,
        _ => bail!(t("err.unexpected")),
    };
    super::import::settle_members(b).await?;
    Ok(added)
}
