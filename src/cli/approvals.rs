//! `kith schedule --awaiting`, `kith schedule approve ID`, `kith schedule send-back ID --comment`:
//! the approvals queue from the command line. A post is named `p12`, a reply by its item id.

use crate::domain::approval::{Review, Verdict};
use crate::domain::post::{Post, PostId};
use crate::domain::when::{self, Zone};
use crate::domain::{Item, ItemId, Outgoing};
use crate::engine::api::{AwaitingReply, PostEdit, Request, Response};
use crate::engine::Backend;
use crate::i18n::{t, tf};
use crate::text::{sanitize_identity, sanitize_line};
use anyhow::{anyhow, bail, Result};
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

#[derive(Serialize)]
pub struct ReviewJson<'a> {
    author: &'a str,
    asked_at: String,
    /// `awaiting`, `approved` or `sent_back`.
    state: &'static str,
    by: Option<&'a str>,
    at: Option<String>,
    comment: Option<&'a str>,
}

pub fn review_json(r: &Review) -> ReviewJson<'_> {
    let (state, comment) = match r.answer.as_ref().map(|a| &a.verdict) {
        None => ("awaiting", None),
        Some(Verdict::Approved) => ("approved", None),
        Some(Verdict::SentBack { comment }) => ("sent_back", Some(comment.as_str())),
    };
    ReviewJson {
        author: &r.author,
        asked_at: r.asked_at.to_rfc3339(),
        state,
        by: r.answer.as_ref().map(|a| a.by.as_str()),
        at: r.answer.as_ref().map(|a| a.at.to_rfc3339()),
        comment,
    }
}

#[derive(Serialize)]
struct ReplyJson<'a> {
    reply: String,
    /// The item it answers.
    item: Option<String>,
    account: &'a str,
    operator: Option<&'a str>,
    text: &'a str,
    state: String,
    created_at: String,
}

fn reply_json(r: &AwaitingReply) -> String {
    let j = ReplyJson {
        reply: r.reply.id.to_string(),
        item: r.parent.as_ref().map(|p| p.id.to_string()),
        account: &r.reply.account,
        operator: r.reply.operator.as_deref(),
        text: &r.reply.text,
        state: r
            .reply
            .outgoing
            .as_ref()
            .map(super::output::send_state)
            .unwrap_or_default(),
        created_at: r.reply.created_at.to_rfc3339(),
    };
    super::output::json_text(&j)
}

/// The line `kith schedule show` prints about a post's approval, when it had one.
pub fn review_line(p: &Post, zone: &Zone) -> Option<String> {
    let r = p.review.as_ref()?;
    let who = sanitize_identity(&r.author, 32).text;
    Some(match r.answer.as_ref().map(|a| (a, &a.verdict)) {
        None => tf(
            "approvals.cli.asked",
            &[("who", &who), ("at", &when::show(r.asked_at, zone))],
        ),
        Some((a, Verdict::Approved)) => tf(
            "approvals.cli.approved",
            &[
                ("who", &sanitize_identity(&a.by, 32).text),
                ("at", &when::show(a.at, zone)),
            ],
        ),
        Some((a, Verdict::SentBack { comment })) => tf(
            "approvals.sent_back_by",
            &[
                ("who", &sanitize_identity(&a.by, 32).text),
                ("comment", &sanitize_line(comment, 400).text),
            ],
        ),
    })
}

/// Posts and replies waiting for an approver.
pub async fn awaiting(
    b: &dyn Backend,
    json: bool,
    zone: &Zone,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let Response::Awaiting(a) = b.call(Request::Awaiting).await? else {
        bail!(t("err.unexpected"));
    };
    if json {
        for p in &a.posts {
            writeln!(out, "{}", super::posts::post_json(p))?;
        }
        for r in &a.replies {
            writeln!(out, "{}", reply_json(r))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if a.posts.is_empty() && a.replies.is_empty() {
        writeln!(out, "{}", t("approvals.none"))?;
        return Ok(ExitCode::SUCCESS);
    }
    for p in &a.posts {
        writeln!(out, "{}", super::posts::post_line(p, zone))?;
        if let Some(l) = review_line(p, zone) {
            writeln!(out, "       {l}")?;
        }
    }
    for r in &a.replies {
        writeln!(out, "{}", reply_line(&r.reply, r.parent.as_ref()))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn reply_line(reply: &Item, parent: Option<&Item>) -> String {
    let to = parent
        .map(|p| sanitize_identity(p.author.label(), 32).text)
        .unwrap_or_default();
    tf(
        "approvals.cli.reply",
        &[
            ("id", &reply.id),
            (
                "who",
                &sanitize_identity(reply.operator.as_deref().unwrap_or(""), 32).text,
            ),
            ("to", &to),
            ("text", &sanitize_line(&reply.text, 60).text),
        ],
    )
}

/// What `approve` and `send-back` name: a reply by its 13-character item id, else a post.
enum Target {
    Post(PostId),
    Reply(ItemId),
}

fn target(s: &str) -> Result<Target> {
    let s = s.trim();
    if s.len() == 13 {
        if let Ok(id) = s.parse::<ItemId>() {
            return Ok(Target::Reply(id));
        }
    }
    s.parse::<PostId>()
        .map(Target::Post)
        .map_err(|_| anyhow!(tf("err.bad_post_id", &[("value", &format!("{s:?}"))])))
}

/// An approved reply as the platform left it: scripts see sent or failed, not "sending".
async fn verdict_of(b: &dyn Backend, mut reply: Item) -> Result<Item> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    while matches!(reply.outgoing, Some(Outgoing::Sending))
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let Response::Item(r) = b.call(Request::Get(reply.id)).await? else {
            bail!(t("err.unexpected"));
        };
        reply = *r;
    }
    if let Some(Outgoing::Failed { reason }) = &reply.outgoing {
        bail!(tf(
            "err.reply_failed",
            &[("id", &reply.id), ("reason", &crate::i18n::shown(reason))]
        ));
    }
    Ok(reply)
}

/// Approves or sends back a post or a reply; prints what it is now.
pub async fn decide(
    b: &dyn Backend,
    id: &str,
    verdict: Verdict,
    json: bool,
    zone: &Zone,
    out: &mut impl Write,
) -> Result<ExitCode> {
    match target(id)? {
        Target::Post(id) => {
            let edit = match verdict {
                Verdict::Approved => PostEdit::Approve,
                Verdict::SentBack { comment } => PostEdit::SendBack { comment },
            };
            let req = Request::PostEdit {
                id,
                if_version: None,
                edit,
            };
            let Response::Post(p) = b.call(req).await? else {
                bail!(t("err.unexpected"));
            };
            if json {
                writeln!(out, "{}", super::posts::post_json(&p))?;
            } else {
                writeln!(out, "{}", super::posts::post_line(&p, zone))?;
            }
        }
        Target::Reply(reply) => {
            let req = Request::ReviewReply { reply, verdict };
            let Response::Replied { reply, item } = b.call(req).await? else {
                bail!(t("err.unexpected"));
            };
            let r = AwaitingReply {
                reply: verdict_of(b, *reply).await?,
                parent: Some(*item),
            };
            if json {
                writeln!(out, "{}", reply_json(&r))?;
            } else {
                let state = r
                    .reply
                    .outgoing
                    .as_ref()
                    .map(super::output::send_state)
                    .unwrap_or_default();
                writeln!(out, "{} {}", r.reply.id, sanitize_line(&state, 400).text)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
