//! Answering from the command line: `kith reply` and `kith retry` send, then wait for the
//! platform's verdict so scripts see sent or failed, never "sending".

use super::args::parse_id;
use crate::domain::{ItemId, Outgoing};
use crate::engine::api::{Request, Response};
use crate::engine::Backend;
use crate::i18n::{t, tf};
use anyhow::{bail, Result};
use std::io::Write;
use std::process::ExitCode;

/// `kith reply`: stores the reply, which the engine then sends (`private`: as the one private
/// message to a commenter).
pub async fn reply(
    b: &dyn Backend,
    id: &str,
    text: String,
    if_version: Option<u64>,
    private: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let id = parse_id(id)?;
    let Response::Replied { reply, .. } = b
        .call(Request::Reply {
            id,
            text,
            if_version,
            private,
        })
        .await?
    else {
        bail!(t("err.unexpected"))
    };
    wait_for_verdict(b, reply.id, out).await
}

/// `kith retry`: sends a failed reply again, under its first idempotency key.
pub async fn retry(b: &dyn Backend, id: &str, out: &mut impl Write) -> Result<ExitCode> {
    let id = parse_id(id)?;
    let Response::Replied { reply, .. } = b.call(Request::RetryReply(id)).await? else {
        bail!(t("err.unexpected"))
    };
    wait_for_verdict(b, reply.id, out).await
}

/// Waits for the connector's verdict on a reply so scripts see sent or failed, not "sending".
/// Prints `ID STATE URL`; a failure is an error naming the reply (so `kith retry ID` can follow).
async fn wait_for_verdict(
    b: &dyn Backend,
    reply_id: ItemId,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let Response::Item(r) = b.call(Request::Get(reply_id)).await? else {
            bail!(t("err.unexpected"))
        };
        match &r.outgoing {
            Some(Outgoing::Sending) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Some(Outgoing::Failed { reason }) => {
                bail!(tf(
                    "err.reply_failed",
                    &[("id", &r.id), ("reason", &crate::i18n::shown(reason))]
                ))
            }
            other => {
                let url = match other {
                    Some(Outgoing::Sent { url: Some(u) }) => u.clone(),
                    _ => String::new(),
                };
                writeln!(
                    out,
                    "{} {} {}",
                    r.id,
                    other
                        .as_ref()
                        .map(super::output::send_state)
                        .unwrap_or_default(),
                    url
                )?;
                return Ok(ExitCode::SUCCESS);
            }
        }
    }
}
