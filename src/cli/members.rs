//! `kith members`: the ranking, a member's profile and explanation, links, tags, notes,
//! rewards, suggestions, export and rebuild.

use crate::domain::member::{Act, Period};
use crate::domain::ranking::{Profile, RankQuery, Ranked, Ranking};
use crate::domain::{Platform, Timestamp};
use crate::engine::api::{MemberEdit, Request, Response};
use crate::engine::member_export::trend_mark;
pub use crate::engine::member_export::{row_json, write_csv};
use crate::engine::Backend;
use crate::i18n::{t, tf};
use crate::text::chart::{compact, score, sparkline};
use crate::text::{pad_to_width, sanitize_identity, sanitize_line, truncate_to_width, width};
use anyhow::{bail, Result};
use std::io::Write;
use std::process::ExitCode;

/// What to list.
pub struct ListArgs {
    pub period: Period,
    pub platform: Option<Platform>,
    pub tag: Option<String>,
    pub top: usize,
    pub leaders: bool,
}

pub fn parse_period(s: &str) -> Result<Period> {
    Period::parse(s).ok_or_else(|| anyhow::anyhow!(tf("err.bad_period", &[("value", &s)])))
}

pub async fn ranking(b: &dyn Backend, a: &ListArgs) -> Result<Ranking> {
    let q = RankQuery {
        period: a.period,
        leaders: a.leaders,
        platform: a.platform,
        tag: a.tag.clone(),
        offset: 0,
        limit: a.top.clamp(1, 10_000),
    };
    match b.call(Request::Members(q)).await? {
        Response::Ranking(r) => Ok(*r),
        _ => bail!(t("err.unexpected")),
    }
}

/// "7d", "30d", "90d", "all" in the UI language.
fn period_name(p: Period) -> String {
    t(&format!("tui.period.{}", p.as_str()))
}

/// Right-aligned by display width (`{:>n}` counts chars, and `54分` is 4 cells).
fn right(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(width(s))))
}

/// "3 review · 5 comment" for the kinds with counts.
pub fn counts_text(counts: &[u64]) -> String {
    Act::ALL
        .iter()
        .filter(|a| counts[a.index()] > 0)
        .map(|a| {
            format!(
                "{} {}",
                counts[a.index()],
                t(&format!("members.kind.{}", a.as_str()))
            )
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

fn names(r: &Ranked) -> String {
    let first = r.members.first();
    let label = sanitize_identity(r.label(), 40).text;
    let handles: Vec<String> = r
        .members
        .iter()
        .map(|h| sanitize_identity(&h.qualified(), 60).text)
        .collect();
    match first {
        Some(_) => format!("{label} ({})", handles.join(", ")),
        None => label,
    }
}

/// The ranking as a table. The leaders view shows (and is sorted by) influence where the
/// ranking shows the score.
pub fn write_table(
    r: &Ranking,
    period: Period,
    leaders: bool,
    now: Timestamp,
    out: &mut impl Write,
) -> Result<()> {
    if r.rows.is_empty() {
        writeln!(out, "{}", t("members.empty"))?;
        return Ok(());
    }
    let name_w = 40;
    writeln!(
        out,
        "{:>4}  {}  {:<4}  {}  {}  {}  {}",
        "#",
        right(
            &if leaders {
                t("members.col.influence")
            } else {
                t("members.col.score")
            },
            7
        ),
        "",
        pad_to_width(&t("members.col.member"), name_w),
        right(&t("members.col.followers"), 9),
        right(&t("members.col.seen"), 6),
        tf("members.col.activity", &[("period", &period_name(period))]),
    )?;
    for x in &r.rows {
        let name = truncate_to_width(&names(x), name_w);
        writeln!(
            out,
            "{:>4}  {:>7}  {:<4}  {}{}  {:>9}  {}  {}  {}",
            x.rank,
            if leaders {
                compact(x.influence().round() as u64)
            } else {
                score(x.score)
            },
            trend_mark(x.trend),
            name,
            " ".repeat(name_w.saturating_sub(width(&name))),
            compact(x.followers),
            right(&super::output::age(x.last_seen, now), 6),
            sparkline(&x.series),
            counts_text(&x.counts),
        )?;
    }
    if r.more {
        writeln!(out, "{}", t("members.more"))?;
    }
    Ok(())
}

/// `kith members …`: the ranking (table, CSV, JSON), a profile, or one change.
pub async fn run(
    b: &dyn Backend,
    m: super::MembersArgs,
    now: Timestamp,
    out: &mut impl Write,
) -> Result<ExitCode> {
    use super::MembersCmd as C;
    use crate::engine::api::MemberEdit as E;
    let period = parse_period(&m.period)?;
    match m.cmd {
        None => {
            if let Some(who) = &m.explain {
                let p = profile(b, who, period).await?;
                if m.json {
                    writeln!(out, "{}", super::output::json_text(&explain_json(&p)))?;
                } else {
                    write_profile(&p, now, out)?;
                }
                return Ok(ExitCode::SUCCESS);
            }
            let args = ListArgs {
                period,
                platform: m.platform.map(|p| p.parse::<Platform>()).transpose()?,
                tag: m.tag,
                top: m.top,
                leaders: m.leaders,
            };
            let r = ranking(b, &args).await?;
            let period = if m.leaders {
                crate::domain::member::Period::Month
            } else {
                period
            };
            if m.json {
                for row in &r.rows {
                    writeln!(out, "{}", super::output::json_text(&row_json(row, period)))?;
                }
            } else if m.csv {
                write_csv(&r, out)?;
            } else {
                write_table(&r, period, m.leaders, now, out)?;
            }
        }
        Some(C::Show { member }) => {
            let p = profile(b, &member, period).await?;
            if m.json {
                let mut v = explain_json(&p);
                v["row"] = row_json(&p.row, period);
                writeln!(out, "{}", super::output::json_text(&v))?;
            } else {
                write_profile(&p, now, out)?;
            }
        }
        Some(C::Link { a, b: other }) => edit(b, &a, E::Link { other }, out).await?,
        Some(C::Unlink { member }) => edit(b, &member, E::Unlink, out).await?,
        Some(C::Tag {
            member,
            tag,
            remove,
        }) => edit(b, &member, E::Tag { tag, on: !remove }, out).await?,
        Some(C::Note { member, text }) => edit(b, &member, E::Note { text }, out).await?,
        Some(C::Reward {
            member,
            what,
            again,
        }) => edit(b, &member, E::Reward { what, again }, out).await?,
        Some(C::Suggest { limit }) => suggest(b, limit, m.json, out).await?,
        Some(C::Rebuild) => rebuild(b, out).await?,
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn profile(b: &dyn Backend, member: &str, period: Period) -> Result<Profile> {
    match b
        .call(Request::MemberProfile {
            member: member.to_string(),
            period,
        })
        .await?
    {
        Response::Profile(p) => Ok(*p),
        _ => bail!(t("err.unexpected")),
    }
}

/// `--explain`: the score and the parts that add up to it.
pub fn explain_json(p: &Profile) -> serde_json::Value {
    serde_json::json!({
        "id": p.row.person.to_string(),
        "name": p.row.label(),
        "period": p.period.as_str(),
        "score": p.explained.score,
        "parts": p.explained.parts.iter().map(|x| serde_json::json!({
            "kind": x.kind.as_str(),
            "platform": x.platform.as_str(),
            "count": x.count,
            "points": x.points,
        })).collect::<Vec<_>>(),
    })
}

pub fn write_profile(p: &Profile, now: Timestamp, out: &mut impl Write) -> Result<()> {
    let r = &p.row;
    write_identity(r, out)?;
    write_score(p, out)?;
    writeln!(out, "{}  {}", t("members.activity"), sparkline(&r.series))?;
    writeln!(
        out,
        "{}",
        tf(
            "members.seen",
            &[
                ("first", &p.first_seen.to_string()),
                ("last", &super::output::age(r.last_seen, now)),
            ]
        )
    )?;
    write_records(p, out)
}

/// The person and each of their handles.
fn write_identity(r: &Ranked, out: &mut impl Write) -> Result<()> {
    writeln!(
        out,
        "{}  {}",
        r.person,
        sanitize_identity(r.label(), 60).text
    )?;
    for h in &r.members {
        writeln!(
            out,
            "  {}  {}  {}",
            h.id,
            sanitize_identity(&h.qualified(), 80).text,
            h.followers
                .map(|f| tf("members.followers", &[("n", &compact(f))]))
                .unwrap_or_default()
        )?;
    }
    Ok(())
}

/// The score with its rank and trend, then what it is made of.
fn write_score(p: &Profile, out: &mut impl Write) -> Result<()> {
    let r = &p.row;
    let rank = if r.rank > 0 {
        tf("members.rank", &[("rank", &r.rank)])
    } else {
        t("members.unranked")
    };
    writeln!(
        out,
        "{}",
        tf(
            "members.score_line",
            &[
                ("period", &period_name(p.period)),
                ("score", &score(p.explained.score)),
                ("rank", &rank),
                ("trend", &trend_mark(r.trend)),
            ]
        )
    )?;
    let max = p.explained.parts.first().map(|x| x.points).unwrap_or(0.0);
    let points: Vec<f64> = p.explained.parts.iter().map(|x| x.points).collect();
    let shown = crate::text::chart::score_parts(p.explained.score, &points);
    for (x, pts) in p.explained.parts.iter().zip(shown) {
        writeln!(
            out,
            "  {:>8}  {} {:<10} {:>5}×  {}",
            pts,
            pad_to_width(&t(&format!("members.kind.{}", x.kind.as_str())), 10),
            x.platform.as_str(),
            x.count,
            crate::text::chart::bar(x.points, max, 30)
        )?;
    }
    Ok(())
}

/// Tags, rewards, handoff notes and handles that may be the same person.
fn write_records(p: &Profile, out: &mut impl Write) -> Result<()> {
    let r = &p.row;
    if !r.tags.is_empty() {
        let tags: Vec<String> = r.tags.iter().map(|t| sanitize_line(t, 40).text).collect();
        writeln!(out, "{} {}", t("members.tags"), tags.join(", "))?;
    }
    for (_, w) in &p.rewards {
        writeln!(
            out,
            "{}",
            tf(
                "members.rewarded",
                &[
                    ("date", &w.at.to_string()[..10].to_string()),
                    ("what", &sanitize_line(&w.what, 200).text),
                    ("by", &sanitize_identity(&w.operator, 40).text),
                ]
            )
        )?;
    }
    for (_, n) in &p.notes {
        writeln!(
            out,
            "✎ {}  {}  {}",
            n.at,
            sanitize_identity(&n.operator, 40).text,
            sanitize_line(&n.text, 2000).text
        )?;
    }
    for s in &p.suggestions {
        writeln!(
            out,
            "{}",
            tf(
                "members.maybe_same",
                &[
                    ("who", &sanitize_identity(&s.qualified(), 80).text),
                    ("id", &s.id),
                ]
            )
        )?;
    }
    Ok(())
}

pub async fn edit(
    b: &dyn Backend,
    member: &str,
    edit: MemberEdit,
    out: &mut impl Write,
) -> Result<()> {
    let done_key = match &edit {
        MemberEdit::Link { .. } => "members.done.link",
        MemberEdit::Unlink => "members.done.unlink",
        MemberEdit::Tag { on: true, .. } => "members.done.tag",
        MemberEdit::Tag { on: false, .. } => "members.done.untag",
        MemberEdit::Note { .. } => "members.done.note",
        MemberEdit::Reward { .. } => "members.done.reward",
    };
    match b
        .call(Request::MemberEdit {
            member: member.to_string(),
            edit,
        })
        .await?
    {
        Response::Done => {
            writeln!(
                out,
                "{}",
                tf(done_key, &[("member", &sanitize_line(member, 80).text)])
            )?;
            Ok(())
        }
        _ => bail!(t("err.unexpected")),
    }
}

pub async fn suggest(
    b: &dyn Backend,
    limit: usize,
    json: bool,
    out: &mut impl Write,
) -> Result<()> {
    let Response::Suggestions(list) = b.call(Request::MemberSuggestions { limit }).await? else {
        bail!(t("err.unexpected"))
    };
    if list.is_empty() && !json {
        writeln!(out, "{}", t("members.no_suggestions"))?;
    }
    for s in list {
        if json {
            let v = serde_json::json!({
                "a": {"id": s.a.id.to_string(), "account": s.a.qualified()},
                "b": {"id": s.b.id.to_string(), "account": s.b.qualified()},
                "because": s.because,
            });
            writeln!(out, "{}", super::output::json_text(&v))?;
        } else {
            writeln!(
                out,
                "{}  {}  ↔  {}  {}   ({})",
                s.a.id,
                sanitize_identity(&s.a.qualified(), 60).text,
                s.b.id,
                sanitize_identity(&s.b.qualified(), 60).text,
                sanitize_line(&s.because, 40).text
            )?;
        }
    }
    Ok(())
}

pub async fn rebuild(b: &dyn Backend, out: &mut impl Write) -> Result<()> {
    let started = std::time::Instant::now();
    eprintln!("{}", t("members.rebuilding"));
    let res =
        super::output::call_with_progress(b, Request::MembersRebuild, "members.progress").await;
    let Response::Rebuilt(n) = res? else {
        bail!(t("err.unexpected"))
    };
    writeln!(
        out,
        "{}",
        tf(
            "members.rebuilt",
            &[
                ("n", &n),
                ("secs", &format!("{:.1}", started.elapsed().as_secs_f64()))
            ]
        )
    )?;
    Ok(())
}
