//! `kith audit`: the log of every change, filtered, and `--verify` for its hash chain.

use crate::domain::audit::{AuditEntry, AuditQuery};
use crate::engine::api::{Request, Response};
use crate::engine::Backend;
use crate::i18n::{t, tf};
use crate::text::sanitize_line;
use anyhow::{bail, Result};
use std::io::Write;
use std::process::ExitCode;

pub async fn run(
    b: &dyn Backend,
    q: AuditQuery,
    json: bool,
    verify: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    if verify {
        let Response::AuditVerified(r) = b.call(Request::AuditVerify).await? else {
            bail!(t("err.unexpected"))
        };
        if json {
            writeln!(out, "{}", super::output::json_text(&r))?;
        }
        return Ok(match r.problem {
            None => {
                if !json {
                    writeln!(
                        out,
                        "{}",
                        tf(
                            "cli.audit_intact",
                            &[("count", &r.entries), ("head", &r.head)]
                        )
                    )?;
                }
                ExitCode::SUCCESS
            }
            Some((seq, why)) => {
                if !json {
                    writeln!(
                        out,
                        "{}",
                        tf("cli.audit_broken", &[("seq", &seq), ("why", &why)])
                    )?;
                }
                ExitCode::from(4)
            }
        });
    }
    let Response::Audit(entries) = b.call(Request::Audit(q)).await? else {
        bail!(t("err.unexpected"))
    };
    for e in &entries {
        if json {
            writeln!(out, "{}", entry_json(e))?;
        } else {
            writeln!(out, "{}", line(e))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn entry_json(e: &AuditEntry) -> serde_json::Value {
    serde_json::json!({
        "seq": e.seq,
        "at": e.at.to_string(),
        "operator": e.operator,
        "action": e.action,
        "item": e.item.map(|i| i.to_string()),
        "before": e.before,
        "after": e.after,
        "hash": e.hash.as_ref().map(crate::domain::audit::hex),
    })
}

/// `seq  time  operator  action  item  before → after`, every outside string sanitized.
fn line(e: &AuditEntry) -> String {
    let s = |x: &str, n| sanitize_line(x, n).text;
    let item = e.item.map(|i| i.to_string()).unwrap_or_else(|| "-".into());
    let change = match (&e.before, &e.after) {
        (Some(b), Some(a)) => format!("{} → {}", s(b, 200), s(a, 200)),
        (None, Some(a)) => s(a, 200),
        (Some(b), None) => s(b, 200),
        (None, None) => String::new(),
    };
    format!(
        "{:>6}  {}  {}  {}  {}  {}",
        e.seq,
        e.at,
        s(&e.operator, 40),
        s(&e.action, 40),
        item,
        change
    )
}
