//! `kith audit`: the log of every change, filtered, and `--verify` for its hash chain.

use super::AuditArgs;
use crate::domain::audit::{AuditEntry, AuditQuery};
use crate::domain::Timestamp;
use crate::engine::api::{Request, Response};
use crate::engine::Backend;
use crate::i18n::{t, tf};
use crate::text::sanitize_line;
use anyhow::{bail, Result};
use std::io::Write;
use std::process::ExitCode;

/// `kith audit`: the entries asked for, or with `--verify` whether the chain is intact (exit 4
/// when it is not).
pub async fn run(
    b: &dyn Backend,
    a: AuditArgs,
    now: Timestamp,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let item = a.item.as_deref().map(super::args::parse_id).transpose()?;
    let since = a
        .since
        .as_deref()
        .map(|x| super::args::since_arg(x, now))
        .transpose()?;
    let q = AuditQuery {
        operator: a.operator,
        item,
        since,
        limit: a.limit,
    };
    if a.verify {
        return verify(b, a.json, out).await;
    }
    let Response::Audit(entries) = b.call(Request::Audit(q)).await? else {
        bail!(t("err.unexpected"))
    };
    for e in &entries {
        if a.json {
            writeln!(out, "{}", entry_json(e))?;
        } else {
            writeln!(out, "{}", line(e))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `kith audit --verify`: whether any entry was changed, removed or reordered.
async fn verify(b: &dyn Backend, json: bool, out: &mut impl Write) -> Result<ExitCode> {
    let Response::AuditVerified(r) = b.call(Request::AuditVerify).await? else {
        bail!(t("err.unexpected"))
    };
    if json {
        writeln!(out, "{}", super::output::json_text(&r))?;
    }
    Ok(match r.problem {
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
    })
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

/// `seq  time  operator  action  item  before → after`, every outside string sanitized. A
/// rule's entry says what the rule did, or that it matched and found nothing to change.
fn line(e: &AuditEntry) -> String {
    let s = |x: &str, n| sanitize_line(x, n).text;
    let item = e.item.map(|i| i.to_string()).unwrap_or_else(|| "-".into());
    let rule = e.action.strip_prefix("rule:");
    let change = match (&e.before, &e.after) {
        (None, Some(a)) if rule.is_some() && a.trim().is_empty() => t("rules.audit.nothing"),
        (None, Some(a)) if rule.is_some() => tf("rules.audit.did", &[("what", &s(a, 200))]),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rules_entry_says_what_the_rule_did() {
        crate::i18n::init(crate::i18n::Lang::En);
        let entry = |after: &str| AuditEntry {
            seq: 7,
            at: Timestamp(0),
            operator: "sync".into(),
            action: "rule:delivery".into(),
            item: None,
            before: None,
            after: Some(after.into()),
            hash: None,
        };
        let did = line(&entry("tag:delivery, assign:anna"));
        assert!(
            did.ends_with("rule:delivery  -  rule did: tag:delivery, assign:anna"),
            "{did}"
        );
        let nothing = line(&entry(""));
        assert!(
            nothing.ends_with("rule:delivery  -  rule matched; nothing to change"),
            "{nothing}"
        );
        // Other entries read as before.
        let mut tag = entry("vip");
        tag.action = "tag".into();
        assert!(line(&tag).ends_with("tag  -  vip"), "{}", line(&tag));
    }
}
