//! The Members panel: the ranking (rank, score, trend, person, platforms, followers, last seen,
//! an activity sparkline, interactions by kind) and beside it the selected person's profile:
//! accounts, the score's parts drawn as bars that add up to it, tags, rewards, notes and likely
//! links.

use super::fmt::{age, cell, fit, identity, wrap};
use super::theme;
use crate::domain::member::{Period, Trend};
use crate::domain::ranking::{Profile, Ranked};
use crate::i18n::{t, tf};
use crate::text::chart::{bar, compact, score, sparkline};
use crate::text::{sanitize_identity, sanitize_line, width};
use crate::tui::app::App;
use crate::tui::members::{MembersPanel, SIDE_MIN};
use crate::tui::views::platform_name;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

fn trend(tr: Option<Trend>) -> (&'static str, Style) {
    match tr {
        Some(Trend::Up) => ("▲", theme::info()),
        Some(Trend::Down) => ("▼", theme::error()),
        Some(Trend::New) => ("✦", theme::badge()),
        Some(Trend::Same) => ("=", theme::dim()),
        None => (" ", theme::dim()),
    }
}

fn kind_short(counts: &[u64]) -> String {
    use crate::domain::member::Act;
    Act::ALL
        .iter()
        .filter(|a| counts[a.index()] > 0)
        .map(|a| {
            format!(
                "{}{}",
                counts[a.index()],
                t(&format!("tui.members.kind_short.{}", a.as_str()))
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// At most 15 values: neighbours summed, so a 30-day series fits in 15 cells.
fn squeeze(v: &[u64]) -> Vec<u64> {
    let per = v.len().div_ceil(15).max(1);
    v.chunks(per).map(|c| c.iter().sum()).collect()
}

/// Trusted text right-aligned in `w` cells (by display width, not chars: `54分` is 4 cells).
fn right(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(width(s))))
}

/// "7d", "30d", "90d", "all" in the UI language.
pub fn period_name(p: Period) -> String {
    t(&format!("tui.period.{}", p.as_str()))
}

fn platforms(r: &Ranked) -> String {
    r.platforms()
        .iter()
        .map(|p| platform_name(*p))
        .collect::<Vec<_>>()
        .join(",")
}

pub fn draw(f: &mut Frame, app: &App, p: &MembersPanel) {
    let area = f.area();
    f.render_widget(Clear, area);
    let title = t("tui.members.title");
    let block = theme::panel(&title, true);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height < 4 || inner.width < 20 {
        return;
    }
    let show_detail = p.detail && inner.width >= SIDE_MIN;
    // Beside the profile the ranking takes 55%, more if its interactions need it (the profile
    // keeps at least 40 cells).
    let list_w = if show_detail {
        let need = u16::try_from(min_list_width(p)).unwrap_or(u16::MAX);
        (inner.width * 55 / 100)
            .max(need)
            .min(inner.width.saturating_sub(41))
    } else {
        inner.width
    };
    let list_area = Rect::new(inner.x, inner.y, list_w, inner.height.saturating_sub(1));
    // Too narrow for both: the profile is a view of its own (Enter opens it, Esc goes back).
    let full_profile = p.full && !show_detail;
    if full_profile {
        draw_profile(f, app, p, list_area);
    } else {
        draw_list(f, app, p, list_area);
    }
    if show_detail {
        let d = Rect::new(
            inner.x + list_w + 1,
            inner.y,
            inner.width.saturating_sub(list_w + 1),
            inner.height.saturating_sub(1),
        );
        draw_profile(f, app, p, d);
    }
    let foot = Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1);
    // The input line, else what just happened (the status bar is under the panel), else keys.
    let line = match (&p.input, &app.note) {
        (Some((ask, input)), _) => Line::from(vec![
            Span::styled(t(ask.label_key()) + " ", theme::title()),
            Span::raw(sanitize_line(&input.text, 200).text),
            Span::styled("▏", theme::info()),
        ]),
        (None, Some(n)) => Line::styled(
            fit(&sanitize_line(&n.text, 400).text, inner.width as usize),
            match n.tone {
                crate::tui::app::Tone::Error => theme::error(),
                crate::tui::app::Tone::Info => theme::info(),
            },
        ),
        (None, None) => Line::styled(
            footer(app, full_profile, inner.width as usize),
            theme::dim(),
        ),
    };
    f.render_widget(Paragraph::new(line), foot);
}

/// The panel's keys from the keymap; a full-width profile first says how to get back.
fn footer(app: &App, full_profile: bool, w: usize) -> String {
    use crate::config::keymap::{Action, Context};
    let map = &app.cfg.keymap;
    if !full_profile {
        return crate::tui::help::footer(map, &[Context::Members], w);
    }
    let back = format!(
        "{} {}",
        map.label(Context::Members, Action::Close)
            .unwrap_or_default(),
        t("tui.members.back_to_ranking")
    );
    let rest =
        crate::tui::help::footer(map, &[Context::Members], w.saturating_sub(width(&back) + 3));
    fit(&format!("{back} · {rest}"), w)
}

fn header_line(p: &MembersPanel, w: usize) -> Line<'static> {
    let mut spans = Vec::new();
    for period in Period::ALL {
        let on = !p.query.leaders && p.query.period == period;
        let label = format!(" {} ", period_name(period));
        spans.push(if on {
            Span::styled(format!("[{}]", label.trim()), theme::selected(true))
        } else {
            Span::styled(label, theme::dim())
        });
    }
    spans.push(Span::styled(
        format!(" {} ", t("tui.members.leaders")),
        if p.query.leaders {
            theme::selected(true)
        } else {
            theme::dim()
        },
    ));
    let mut filt = Vec::new();
    if let Some(pl) = p.query.platform {
        filt.push(platform_name(pl));
    }
    if let Some(tag) = &p.query.tag {
        filt.push(format!("#{}", sanitize_line(tag, 30).text));
    }
    if !filt.is_empty() {
        spans.push(Span::styled(
            format!("  {}", tf("tui.members.only", &[("what", &filt.join(" "))])),
            theme::info(),
        ));
    }
    let used: usize = spans.iter().map(|s| crate::text::width(&s.content)).sum();
    spans.push(Span::raw(" ".repeat(w.saturating_sub(used))));
    Line::from(spans)
}

/// Widths of the ranking's flexible columns.
struct Cols {
    platforms_w: usize,
    seen_w: usize,
    spark_n: usize,
    name_w: usize,
    kinds_w: usize,
}

/// What the interactions column needs: its widest row (CJK kind marks are two cells).
fn kinds_need(p: &MembersPanel) -> usize {
    p.ranking
        .rows
        .iter()
        .map(|r| width(&kind_short(&r.counts)))
        .chain(std::iter::once(width(&t("tui.members.col.kinds"))))
        .max()
        .unwrap_or(0)
}

/// The widest age word in the language ("сейчас", "59м"), or the header.
fn seen_width() -> usize {
    [
        "tui.age.m",
        "tui.age.h",
        "tui.age.d",
        "tui.age.w",
        "tui.age.y",
    ]
    .iter()
    .map(|k| tf(k, &[("n", &99)]))
    .chain([t("tui.age.now"), t("members.col.seen")])
    .map(|s| width(&s))
    .max()
    .unwrap_or(5)
}

/// The platforms column: its widest row, at most 12 cells (longer lists are cut).
fn platforms_width(p: &MembersPanel) -> usize {
    p.ranking
        .rows
        .iter()
        .map(|r| width(&platforms(r)).min(12))
        .chain(std::iter::once(width(&t("tui.members.col.platforms"))))
        .max()
        .unwrap_or(12)
}

/// rank, score, trend, platforms, followers and last seen, with their gaps.
fn fixed_width(p: &MembersPanel) -> usize {
    4 + 1 + 7 + 1 + 2 + 1 + platforms_width(p) + 1 + 9 + 1 + seen_width() + 1
}

/// The narrowest ranking that shows every row's interactions whole (name at 12, no sparkline).
fn min_list_width(p: &MembersPanel) -> usize {
    fixed_width(p) + 12 + 1 + kinds_need(p)
}

/// The interactions column gets what its widest row needs; the name gives way first (down to
/// 12 cells), then the sparkline goes.
fn cols(p: &MembersPanel, w: usize) -> Cols {
    let spark = p
        .ranking
        .rows
        .first()
        .map(|r| squeeze(&r.series).len())
        .unwrap_or(7)
        .max(7);
    let need = kinds_need(p);
    let base = fixed_width(p);
    let spark_n = if w >= base + 12 + 1 + spark + 1 + need {
        spark
    } else {
        0
    };
    let fixed = base + if spark_n > 0 { spark_n + 1 } else { 0 };
    let room = w.saturating_sub(fixed + 1);
    let name_w = (room / 2).min(room.saturating_sub(need)).clamp(12, 30);
    Cols {
        platforms_w: platforms_width(p),
        seen_w: seen_width(),
        spark_n,
        name_w,
        kinds_w: w.saturating_sub(fixed + name_w + 1),
    }
}

fn draw_list(f: &mut Frame, app: &App, p: &MembersPanel, area: Rect) {
    let w = area.width as usize;
    let mut lines = vec![header_line(p, w)];
    let Cols {
        platforms_w,
        seen_w,
        spark_n,
        name_w,
        kinds_w,
    } = cols(p, w);
    // The leaders view is sorted by influence, so that is the number it shows.
    let score_col = if p.query.leaders {
        "members.col.influence"
    } else {
        "members.col.score"
    };
    let mut head = vec![
        fit("#", 4),
        fit(&t(score_col), 7),
        fit("", 2),
        fit(&t("members.col.member"), name_w),
        fit(&t("tui.members.col.platforms"), platforms_w),
        fit(&t("members.col.followers"), 9),
        fit(&t("members.col.seen"), seen_w),
    ];
    if spark_n > 0 {
        head.push(fit(&t("tui.members.col.activity"), spark_n));
    }
    head.push(fit(&t("tui.members.col.kinds"), kinds_w));
    lines.push(Line::styled(fit(&head.join(" "), w), theme::header()));
    if !p.loaded {
        lines.push(Line::styled(t("tui.list.loading"), theme::dim()));
    } else if p.ranking.rows.is_empty() {
        lines.push(Line::styled(t("members.empty"), theme::dim()));
    }
    let height = area.height.saturating_sub(2) as usize;
    let first = p.selected.saturating_sub(height.saturating_sub(1));
    for (i, r) in p.ranking.rows.iter().enumerate().skip(first).take(height) {
        let (tr, tr_style) = trend(r.trend);
        let (name, _) = identity(r.label(), name_w);
        let sel = i == p.selected;
        let base = if sel {
            theme::selected(true)
        } else {
            Style::new()
        };
        let mut spans = vec![
            Span::styled(format!("{:>4} ", r.rank), base),
            Span::styled(
                format!(
                    "{:>7} ",
                    if p.query.leaders {
                        compact(r.influence().round() as u64)
                    } else {
                        score(r.score)
                    }
                ),
                base,
            ),
            // The trend column is two cells wide, as in the header.
            Span::styled(fit(tr, 2) + " ", if sel { base } else { tr_style }),
            Span::styled(name + " ", base),
            Span::styled(cell(&platforms(r), platforms_w) + " ", base),
            Span::styled(format!("{:>9} ", compact(r.followers)), base),
            Span::styled(right(&age(r.last_seen, app.now), seen_w) + " ", base),
        ];
        if spark_n > 0 {
            spans.push(Span::styled(
                fit(&sparkline(&squeeze(&r.series)), spark_n) + " ",
                if sel { base } else { theme::info() },
            ));
        }
        spans.push(Span::styled(cell(&kind_short(&r.counts), kinds_w), base));
        lines.push(Line::from(spans));
    }
    if p.ranking.more && p.selected + 1 >= p.ranking.rows.len() {
        lines.push(Line::styled(t("members.more"), theme::dim()));
    }
    f.render_widget(Paragraph::new(lines), area);
}

fn draw_profile(f: &mut Frame, app: &App, p: &MembersPanel, area: Rect) {
    let w = area.width as usize;
    let Some(prof) = p.profile.as_deref() else {
        let msg = if p.current().is_some() {
            t("tui.list.loading")
        } else {
            String::new()
        };
        f.render_widget(Paragraph::new(Line::styled(msg, theme::dim())), area);
        return;
    };
    f.render_widget(Paragraph::new(profile_lines(app, prof, w)), area);
}

pub fn profile_lines(app: &App, prof: &Profile, w: usize) -> Vec<Line<'static>> {
    let r = &prof.row;
    let mut lines = vec![Line::styled(
        fit(&sanitize_identity(r.label(), 60).text, w),
        theme::title(),
    )];
    for h in &r.members {
        let followers = h
            .followers
            .map(|n| tf("members.followers", &[("n", &compact(n))]))
            .unwrap_or_default();
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", platform_name(h.platform)), theme::badge()),
            Span::raw(sanitize_identity(&h.qualified(), 50).text),
            Span::styled(format!("  {followers}  {}", h.id), theme::dim()),
        ]));
    }
    let rank = if r.rank > 0 {
        tf("members.rank", &[("rank", &r.rank)])
    } else {
        t("members.unranked")
    };
    lines.push(Line::default());
    lines.push(Line::styled(
        tf(
            "tui.members.score_line",
            &[
                ("period", &period_name(prof.period)),
                ("score", &score(prof.explained.score)),
                ("rank", &rank),
            ],
        ),
        theme::title(),
    ));
    if let Some(prev) = r.previous {
        lines.push(Line::styled(
            tf("tui.members.previous", &[("score", &score(prev))]),
            theme::dim(),
        ));
    }
    let max = prof
        .explained
        .parts
        .first()
        .map(|x| x.points)
        .unwrap_or(0.0);
    let bar_w = w.saturating_sub(34).clamp(4, 30);
    // Shown rounded so that the rows (and the rest, summed) add up to the total shown.
    let mut points: Vec<f64> = prof
        .explained
        .parts
        .iter()
        .take(9)
        .map(|x| x.points)
        .collect();
    let rest: f64 = prof.explained.parts.iter().skip(9).map(|x| x.points).sum();
    if prof.explained.parts.len() > 9 {
        points.push(rest);
    }
    let shown = crate::text::chart::score_parts(prof.explained.score, &points);
    for (x, pts) in prof.explained.parts.iter().take(9).zip(&shown) {
        lines.push(Line::from(vec![
            Span::raw(format!(
                "{:>7} {} {} {:>4}× ",
                pts,
                fit(&t(&format!("members.kind.{}", x.kind.as_str())), 9),
                fit(&platform_name(x.platform), 9),
                x.count
            )),
            Span::styled(bar(x.points, max, bar_w), theme::info()),
        ]));
    }
    if prof.explained.parts.len() > 9 {
        lines.push(Line::styled(
            tf(
                "tui.members.more_parts",
                &[
                    ("n", &(prof.explained.parts.len() - 9)),
                    ("points", &shown.last().cloned().unwrap_or_default()),
                ],
            ),
            theme::dim(),
        ));
    }
    lines.push(Line::from(vec![
        Span::styled(t("members.activity") + " ", theme::dim()),
        Span::styled(sparkline(&r.series), theme::info()),
    ]));
    lines.push(Line::styled(
        tf(
            "members.seen",
            &[
                ("first", &prof.first_seen.to_string()[..10].to_string()),
                ("last", &age(r.last_seen, app.now)),
            ],
        ),
        theme::dim(),
    ));
    if !r.tags.is_empty() {
        let tags: Vec<String> = r
            .tags
            .iter()
            .map(|x| format!("#{}", sanitize_line(x, 30).text))
            .collect();
        lines.push(Line::styled(fit(&tags.join(" "), w), theme::badge()));
    }
    for (_, rw) in &prof.rewards {
        lines.push(Line::styled(
            fit(
                &tf(
                    "members.rewarded",
                    &[
                        ("date", &rw.at.to_string()[..10].to_string()),
                        ("what", &sanitize_line(&rw.what, 60).text),
                        ("by", &sanitize_identity(&rw.operator, 20).text),
                    ],
                ),
                w,
            ),
            theme::info(),
        ));
    }
    for (_, n) in prof.notes.iter().rev().take(5) {
        let text = format!(
            "✎ {}: {}",
            sanitize_identity(&n.operator, 20).text,
            sanitize_line(&n.text, 400).text
        );
        for l in wrap(&text, w).into_iter().take(3) {
            lines.push(Line::raw(l));
        }
    }
    if !prof.suggestions.is_empty() {
        lines.push(Line::styled(t("tui.members.maybe"), theme::title()));
        for s in prof.suggestions.iter().take(5) {
            lines.push(Line::raw(fit(
                &format!("  {}  {}", sanitize_identity(&s.qualified(), 40).text, s.id),
                w,
            )));
        }
    }
    lines
}
