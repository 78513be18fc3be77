//! `kith post` and `kith schedule`: the composer and the outbox from the command line.

use super::{PostArgs, ScheduleArgs, ScheduleCmd};
use crate::domain::media::NewMedia;
use crate::domain::post::{NewPost, NewTarget, Post, PostId, TargetState};
use crate::domain::when::{self, Zone};
use crate::domain::Timestamp;
use crate::engine::api::{PostEdit, PostQuery, Request, Response};
use crate::engine::Backend;
use crate::i18n::{t, tf};
use crate::text::sanitize_line;
use anyhow::{anyhow, bail, Result};
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

/// The largest text read from `--file` (any network's limit is far below).
const MAX_TEXT_BYTES: u64 = 1 << 20;
/// How long `kith post` waits for a post due now to go out before it says it is on its way.
const WAIT_SENT: Duration = Duration::from_secs(60);

#[derive(Serialize)]
struct TargetJson<'a> {
    account: &'a str,
    platform: &'a str,
    state: &'a str,
    url: Option<&'a str>,
    detail: Option<String>,
    parts: usize,
}

#[derive(Serialize)]
struct PostJson<'a> {
    id: String,
    accounts: Vec<&'a str>,
    text: &'a str,
    due_at: Option<String>,
    state: &'a str,
    remote_url: Option<&'a str>,
    version: u64,
    created_by: &'a str,
    targets: Vec<TargetJson<'a>>,
    /// Who asked for approval and what the approver answered (only on posts that needed one).
    #[serde(skip_serializing_if = "Option::is_none")]
    review: Option<super::approvals::ReviewJson<'a>>,
}

fn detail(s: &TargetState) -> Option<String> {
    match s {
        TargetState::Unknown { evidence } => Some(crate::i18n::shown(evidence)),
        TargetState::Failed { reason } => Some(crate::i18n::shown(reason)),
        TargetState::RetryWait { next_at, .. } => Some(next_at.to_rfc3339()),
        TargetState::Late { due_at } => Some(due_at.to_rfc3339()),
        TargetState::NativeScheduled { remote_id } => Some(remote_id.clone()),
        _ => None,
    }
}

pub fn post_json(p: &Post) -> String {
    let j = PostJson {
        id: p.id.to_string(),
        accounts: p.targets.iter().map(|t| t.account.as_str()).collect(),
        text: &p.text,
        due_at: p.due_at.map(|t| t.to_rfc3339()),
        state: p.summary().as_str(),
        remote_url: p.remote_url(),
        version: p.version,
        created_by: &p.created_by,
        targets: p
            .targets
            .iter()
            .map(|t| TargetJson {
                account: &t.account,
                platform: t.platform.as_str(),
                state: t.state.name(),
                url: match &t.state {
                    TargetState::Sent { url, .. } => url.as_deref(),
                    _ => None,
                },
                detail: detail(&t.state),
                parts: t.parts.len(),
            })
            .collect(),
        review: p.review.as_ref().map(super::approvals::review_json),
    };
    super::output::json_text(&j)
}

/// One line for people: id, when, state, accounts, text.
pub(super) fn post_line(p: &Post, zone: &Zone) -> String {
    let when = p
        .due_at
        .map(|d| when::show(d, zone))
        .unwrap_or_else(|| t("post.no_time"));
    let accounts: Vec<String> = p
        .targets
        .iter()
        .map(|t| sanitize_line(&t.account, 32).text)
        .collect();
    format!(
        "{:<6} {}  {:<10} {}  {}",
        p.id.to_string(),
        when,
        t(&format!("post.state.{}", p.summary().as_str())),
        accounts.join(","),
        sanitize_line(&p.text, 60).text,
    )
}

fn read_text(text: Option<String>, file: Option<&std::path::Path>) -> Result<String> {
    use std::io::Read;
    let s = match (text, file) {
        (Some(t), _) => t,
        (None, Some(f)) if f.as_os_str() == "-" => {
            let mut s = String::new();
            std::io::stdin()
                .take(MAX_TEXT_BYTES + 1)
                .read_to_string(&mut s)
                .map_err(|e| anyhow!(tf("err.post_file", &[("file", &"-"), ("error", &e)])))?;
            s
        }
        (None, Some(f)) => {
            let name = f.display().to_string();
            let meta = std::fs::metadata(f)
                .map_err(|e| anyhow!(tf("err.post_file", &[("file", &name), ("error", &e)])))?;
            if meta.len() > MAX_TEXT_BYTES {
                bail!(tf("err.post_file_big", &[("file", &name)]));
            }
            let bytes = std::fs::read(f)
                .map_err(|e| anyhow!(tf("err.post_file", &[("file", &name), ("error", &e)])))?;
            String::from_utf8(bytes)
                .map_err(|_| anyhow!(tf("err.post_file_utf8", &[("file", &name)])))?
        }
        (None, None) => bail!(t("err.post_no_text")),
    };
    if s.len() as u64 > MAX_TEXT_BYTES {
        bail!(tf("err.post_file_big", &[("file", &"-")]));
    }
    // A file's final newline is not part of the post.
    Ok(s.strip_suffix('\n').unwrap_or(&s).to_string())
}

/// `--media` files (made absolute: the engine may run elsewhere in the file system) with their
/// `--alt` texts, paired in order.
fn media_args(files: &[std::path::PathBuf], alts: &[String]) -> Result<Vec<NewMedia>> {
    if alts.len() > files.len() {
        bail!(tf(
            "err.post_alt_count",
            &[("alts", &alts.len()), ("media", &files.len())]
        ));
    }
    files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let path = std::path::absolute(f).map_err(|e| {
                anyhow!(tf(
                    "err.post_file",
                    &[("file", &f.display()), ("error", &e)]
                ))
            })?;
            Ok(NewMedia {
                path: path.display().to_string(),
                alt: alts.get(i).cloned().unwrap_or_default(),
            })
        })
        .collect()
}

fn parse_at(s: &str, now: Timestamp, zone: &Zone) -> Result<Timestamp> {
    when::parse_when(s, now, zone).map_err(|e| anyhow!(e.to_string()))
}

fn parse_post_id(s: &str) -> Result<PostId> {
    s.parse::<PostId>()
        .map_err(|_| anyhow!(tf("err.bad_post_id", &[("value", &format!("{s:?}"))])))
}

async fn expect_post(b: &dyn Backend, req: Request) -> Result<Post> {
    match b.call(req).await? {
        Response::Post(p) => Ok(*p),
        _ => bail!(t("err.unexpected")),
    }
}

pub async fn post(
    b: &dyn Backend,
    a: PostArgs,
    zone: &Zone,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let now = Timestamp::now();
    let media = media_args(&a.media, &a.alt)?;
    let text = if media.is_empty() || a.text.is_some() || a.file.is_some() {
        read_text(a.text, a.file.as_deref())?
    } else {
        String::new()
    };
    let mut targets: Vec<NewTarget> = a
        .accounts
        .iter()
        .map(|name| NewTarget {
            account: name.clone(),
            variant: None,
            native: a.native,
            split: a.thread,
        })
        .collect();
    for v in &a.variant {
        let Some((account, vtext)) = v.split_once('=') else {
            bail!(tf("err.post_variant", &[("value", &format!("{v:?}"))]));
        };
        let Some(t) = targets.iter_mut().find(|t| t.account == account) else {
            bail!(tf(
                "err.post_variant_account",
                &[("account", &sanitize_line(account, 64).text)]
            ));
        };
        t.variant = Some(vtext.to_string());
    }
    let due_at = match (&a.at, a.draft, a.queue) {
        (_, true, _) => None,
        (_, _, true) => None,
        (Some(s), _, _) => Some(parse_at(s, now, zone)?),
        (None, _, _) => Some(now),
    };
    let p = expect_post(
        b,
        Request::PostCreate {
            post: NewPost {
                text,
                targets,
                due_at,
                media,
            },
            queue: a.queue,
        },
    )
    .await?;
    let due_now = p.due_at.is_some_and(|d| d.0 <= Timestamp::now().0 + 1_000);
    let p = if due_now && !a.no_wait {
        wait_sent(b, p.id).await?
    } else {
        p
    };
    if a.json {
        writeln!(out, "{}", post_json(&p))?;
    } else {
        report(&p, zone, out)?;
    }
    Ok(exit_for(&p))
}

/// Waits until every target of a post due now is out, failed, or held.
async fn wait_sent(b: &dyn Backend, id: PostId) -> Result<Post> {
    let deadline = tokio::time::Instant::now() + WAIT_SENT;
    loop {
        let p = expect_post(b, Request::PostGet(id)).await?;
        // A post waiting for an approver is settled for now (`settled` says so).
        let settled = p
            .targets
            .iter()
            .all(|t| p.settled(t) || t.state == TargetState::Draft);
        if settled || tokio::time::Instant::now() >= deadline {
            return Ok(p);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn exit_for(p: &Post) -> ExitCode {
    if p.targets.iter().any(|t| t.state.needs_human()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// What happened to the post, one line per account.
fn report(p: &Post, zone: &Zone, out: &mut impl Write) -> Result<()> {
    let created = match p.summary() {
        crate::domain::post::Summary::AwaitingApproval => "approvals.tui.created_awaiting",
        _ => "post.created",
    };
    match p.due_at {
        Some(d) => writeln!(
            out,
            "{}",
            tf(created, &[("id", &p.id), ("at", &when::show(d, zone))])
        )?,
        None => writeln!(out, "{}", tf("post.drafted", &[("id", &p.id)]))?,
    }
    for target in &p.targets {
        let state = t(&format!("post.state.{}", target.state.name()));
        let extra = match &target.state {
            TargetState::Sent { url, .. } => url.clone().unwrap_or_default(),
            s => detail(s).unwrap_or_default(),
        };
        writeln!(
            out,
            "  {:<16} {state} {}",
            sanitize_line(&target.account, 32).text,
            sanitize_line(&extra, 200).text
        )?;
    }
    Ok(())
}

pub async fn schedule(
    b: &dyn Backend,
    a: ScheduleArgs,
    zone: &Zone,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let now = Timestamp::now();
    let json = a.json;
    let edit = |id: &str, if_version: Option<u64>, edit: PostEdit| -> Result<Request> {
        Ok(Request::PostEdit {
            id: parse_post_id(id)?,
            if_version,
            edit,
        })
    };
    let req = match a.cmd {
        None if a.awaiting => return super::approvals::awaiting(b, json, zone, out).await,
        None => return list(b, a.week, a.attention, a.limit, json, zone, out).await,
        Some(ScheduleCmd::Approve { post_id: id }) => {
            let v = crate::domain::approval::Verdict::Approved;
            return super::approvals::decide(b, &id, v, json, zone, out).await;
        }
        Some(ScheduleCmd::SendBack {
            post_id: id,
            comment,
        }) => {
            let v = crate::domain::approval::Verdict::SentBack { comment };
            return super::approvals::decide(b, &id, v, json, zone, out).await;
        }
        Some(ScheduleCmd::Show { post_id: id }) => {
            let p = expect_post(b, Request::PostGet(parse_post_id(&id)?)).await?;
            if json {
                writeln!(out, "{}", post_json(&p))?;
            } else {
                show(&p, zone, out)?;
            }
            return Ok(ExitCode::SUCCESS);
        }
        Some(ScheduleCmd::Cancel {
            post_id: id,
            if_version,
        }) => edit(&id, if_version, PostEdit::Cancel)?,
        Some(ScheduleCmd::Move {
            post_id: id,
            when,
            if_version,
        }) => edit(&id, if_version, PostEdit::Move(parse_at(&when, now, zone)?))?,
        Some(ScheduleCmd::Edit {
            post_id: id,
            account,
            file,
            text,
            if_version,
        }) => {
            let text = read_text(text, file.as_deref())?;
            edit(&id, if_version, PostEdit::Text { account, text })?
        }
        Some(ScheduleCmd::Retry { post_id: id }) => edit(&id, None, PostEdit::Retry)?,
        Some(ScheduleCmd::MarkSent {
            post_id: id,
            account,
            url,
        }) => edit(&id, None, PostEdit::MarkSent { account, url })?,
        Some(ScheduleCmd::Duplicate { post_id: id, when }) => {
            edit(&id, None, PostEdit::Duplicate(parse_at(&when, now, zone)?))?
        }
    };
    let p = expect_post(b, req).await?;
    if json {
        writeln!(out, "{}", post_json(&p))?;
    } else {
        writeln!(out, "{}", post_line(&p, zone))?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(
    b: &dyn Backend,
    week: bool,
    attention: bool,
    limit: usize,
    json: bool,
    zone: &Zone,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let now = Timestamp::now();
    let q = if week {
        let start = when::start_of_day(now, zone);
        PostQuery {
            from: Some(start),
            to: Some(Timestamp(start.0 + 7 * 86_400_000)),
            limit,
        }
    } else {
        PostQuery {
            limit,
            ..Default::default()
        }
    };
    let Response::Posts(mut posts) = b.call(Request::Posts(q)).await? else {
        bail!(t("err.unexpected"));
    };
    if attention {
        posts.retain(|p| p.targets.iter().any(|t| t.state.needs_human()));
    }
    if json {
        for p in &posts {
            writeln!(out, "{}", post_json(p))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if posts.is_empty() {
        writeln!(out, "{}", t("post.none"))?;
        return Ok(ExitCode::SUCCESS);
    }
    if week {
        let start = when::start_of_day(now, zone);
        for line in crate::text::calendar::week_lines(&posts, start, zone) {
            writeln!(out, "{line}")?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    for p in &posts {
        writeln!(out, "{}", post_line(p, zone))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn show(p: &Post, zone: &Zone, out: &mut impl Write) -> Result<()> {
    writeln!(out, "{}", post_line(p, zone))?;
    writeln!(
        out,
        "{}",
        tf(
            "post.meta",
            &[
                ("version", &p.version),
                ("who", &sanitize_line(&p.created_by, 32).text),
                ("at", &when::show(p.created_at, zone)),
            ]
        )
    )?;
    if let Some(l) = super::approvals::review_line(p, zone) {
        writeln!(out, "{l}")?;
    }
    let (lines, _) = crate::text::sanitize_block(&p.text, 200, 200);
    for l in lines {
        writeln!(out, "    {l}")?;
    }
    for target in &p.targets {
        let state = t(&format!("post.state.{}", target.state.name()));
        writeln!(
            out,
            "  {} ({}) {state} {}",
            sanitize_line(&target.account, 32).text,
            target.platform,
            sanitize_line(&detail(&target.state).unwrap_or_default(), 200).text
        )?;
        if let Some(v) = &target.variant {
            writeln!(out, "    {}", sanitize_line(v, 200).text)?;
        }
        for (i, part) in target.parts.iter().enumerate() {
            writeln!(
                out,
                "    {}. {}",
                i + 1,
                sanitize_line(part.url.as_deref().unwrap_or(&part.native_id), 200).text
            )?;
        }
    }
    writeln!(out, "{}", t("post.log"))?;
    for a in &p.log {
        writeln!(
            out,
            "  {} {:<16} {:<16} {}",
            when::show(a.at, zone),
            sanitize_line(&a.account, 16).text,
            a.what,
            sanitize_line(&crate::i18n::shown(&a.detail), 200).text
        )?;
    }
    Ok(())
}
