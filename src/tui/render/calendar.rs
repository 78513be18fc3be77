//! The calendar popup: the week as seven columns (wide terminals) or one list of days (narrow),
//! each post as `HH:MM mark accounts text`, today highlighted, and the selected post's details.

use super::fmt::fit;
use super::theme;
use crate::domain::post::{Post, TargetState};
use crate::domain::{when, Timestamp};
use crate::i18n::{t, tf};
use crate::text::calendar::weekday;
use crate::text::{sanitize_line, truncate_to_width};
use crate::tui::app::{App, Tone};
use crate::tui::approvals::{mark, marked};
use crate::tui::calendar::{day_of_week, Ask, CalendarPanel};
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

const DAY: i64 = 86_400_000;

fn accounts(p: &Post) -> String {
    p.targets
        .iter()
        .map(|t| sanitize_line(&t.account, 40).text)
        .collect::<Vec<_>>()
        .join(",")
}

fn time_of(p: &Post, zone: &when::Zone) -> String {
    p.calendar_at()
        .map(|at| when::local(at, zone).format("%H:%M").to_string())
        .unwrap_or_else(|| "--:--".into())
}

/// `HH:MM mark accounts text…` cut to `w` cells.
pub fn post_line(p: &Post, zone: &when::Zone, w: usize) -> String {
    let s = format!(
        "{} {} {} {}",
        time_of(p, zone),
        mark(p),
        accounts(p),
        sanitize_line(&p.text, 200).text
    );
    fit(&truncate_to_width(&s, w), w)
}

fn day_label(start: Timestamp, i: usize, zone: &when::Zone) -> String {
    use chrono::Datelike;
    let date = when::local(Timestamp(start.0 + i as i64 * DAY + DAY / 2), zone).date();
    format!("{} {}", weekday(date.weekday()), date.format("%m-%d"))
}

pub fn draw(f: &mut Frame, app: &App, p: &CalendarPanel) {
    let area = f.area();
    f.render_widget(Clear, area);
    let zone = &app.cfg.zone;
    let first = when::local(p.start, zone).date();
    let last = when::local(Timestamp(p.start.0 + 6 * DAY + DAY / 2), zone).date();
    let title = tf(
        "tui.cal.title",
        &[
            ("from", &first.format("%Y-%m-%d")),
            ("to", &last.format("%Y-%m-%d")),
        ],
    );
    let block = theme::panel(&title, true);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height < 6 || inner.width < 20 {
        return;
    }
    let today = day_of_week(p.start, app.now, zone);
    let detail_h: u16 = if p.detail {
        (inner.height / 2).max(4)
    } else {
        3
    };
    let week_h = inner.height.saturating_sub(detail_h + 1);
    let week = Rect::new(inner.x, inner.y, inner.width, week_h);
    if let Some(list) = &p.awaiting {
        super::approvals::draw_list(f, app, list, week);
        let d = Rect::new(inner.x, inner.y + week_h, inner.width, detail_h);
        match list.selected() {
            Some(crate::tui::approvals::Row::Reply(r)) => {
                super::approvals::draw_reply(f, app, r, p.detail, d)
            }
            Some(crate::tui::approvals::Row::Post(x)) => draw_detail(f, app, p, Some(x), d),
            None => draw_detail(f, app, p, None, d),
        }
        let foot = Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1);
        draw_footer(f, app, p, foot);
        return;
    }
    if !p.loaded {
        f.render_widget(
            Paragraph::new(Line::styled(t("tui.list.loading"), theme::dim())),
            week,
        );
    } else if inner.width >= 98 {
        draw_columns(f, app, p, week, today);
    } else {
        draw_stacked(f, app, p, week, today);
    }
    let d = Rect::new(inner.x, inner.y + week_h, inner.width, detail_h);
    draw_detail(f, app, p, p.current(zone), d);
    let foot = Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1);
    draw_footer(f, app, p, foot);
}

fn day_style(i: usize, p: &CalendarPanel, today: i64) -> Style {
    let mut s = theme::header();
    if i as i64 == today {
        s = theme::badge().add_modifier(Modifier::BOLD | Modifier::REVERSED);
    }
    if i == p.day {
        s = s.add_modifier(Modifier::UNDERLINED);
    }
    s
}

fn draw_columns(f: &mut Frame, app: &App, p: &CalendarPanel, area: Rect, today: i64) {
    let zone = &app.cfg.zone;
    let days = p.days(zone);
    let cw = ((area.width as usize).saturating_sub(6) / 7).max(4);
    for (i, day) in days.iter().enumerate() {
        let x = area.x + (i * (cw + 1)) as u16;
        let col = Rect::new(x, area.y, cw as u16, area.height);
        let label = format!("{} ({})", day_label(p.start, i, zone), day.len());
        let mut lines = vec![Line::styled(fit(&label, cw), day_style(i, p, today))];
        let per = 2;
        let room = (area.height as usize).saturating_sub(1) / per;
        let skip = if i == p.day {
            (p.sel + 1).saturating_sub(room)
        } else {
            0
        };
        for (j, post) in day.iter().enumerate().skip(skip).take(room) {
            let sel = i == p.day && j == p.sel;
            let style = match (sel, marked(post)) {
                (true, _) => theme::selected(true),
                (false, true) => theme::awaiting(),
                (false, false) => Style::new(),
            };
            let head = format!("{} {} {}", time_of(post, zone), mark(post), accounts(post));
            lines.push(Line::styled(fit(&truncate_to_width(&head, cw), cw), style));
            let body = format!(" {}", sanitize_line(&post.text, 200).text);
            lines.push(Line::styled(
                fit(&truncate_to_width(&body, cw), cw),
                if sel { style } else { theme::dim() },
            ));
        }
        if day.len() > skip + room {
            if let Some(l) = lines.last_mut() {
                *l = Line::styled(
                    fit(&format!(" +{}", day.len() - skip - room + 1), cw),
                    theme::dim(),
                );
            }
        }
        f.render_widget(Paragraph::new(lines), col);
        if i < 6 {
            let sep = Rect::new(x + cw as u16, area.y, 1, area.height);
            let bar: Vec<Line> = (0..area.height)
                .map(|_| Line::styled("│", theme::dim()))
                .collect();
            f.render_widget(Paragraph::new(bar), sep);
        }
    }
}

fn draw_stacked(f: &mut Frame, app: &App, p: &CalendarPanel, area: Rect, today: i64) {
    let zone = &app.cfg.zone;
    let w = area.width as usize;
    let days = p.days(zone);
    let mut lines = Vec::new();
    let mut sel_row = 0;
    for (i, day) in days.iter().enumerate() {
        let label = format!("{} ({})", day_label(p.start, i, zone), day.len());
        lines.push(Line::styled(fit(&label, w), day_style(i, p, today)));
        if i == p.day && day.is_empty() {
            sel_row = lines.len() - 1;
        }
        for (j, post) in day.iter().enumerate() {
            let sel = i == p.day && j == p.sel;
            if sel {
                sel_row = lines.len();
            }
            lines.push(Line::styled(
                format!("  {}", post_line(post, zone, w.saturating_sub(2))),
                match (sel, marked(post)) {
                    (true, _) => theme::selected(true),
                    (false, true) => theme::awaiting(),
                    (false, false) => Style::new(),
                },
            ));
        }
    }
    let h = area.height as usize;
    let skip = (sel_row + 1).saturating_sub(h);
    f.render_widget(
        Paragraph::new(lines.into_iter().skip(skip).take(h).collect::<Vec<_>>()),
        area,
    );
}

fn state_text(s: &TargetState, zone: &when::Zone) -> String {
    let name = t(&format!("post.state.{}", s.name()));
    let extra = match s {
        TargetState::Sent { url, .. } => url.clone().unwrap_or_default(),
        TargetState::Failed { reason } => crate::i18n::shown(reason),
        TargetState::Unknown { evidence } => crate::i18n::shown(evidence),
        TargetState::RetryWait { next_at, .. } => when::show(*next_at, zone),
        TargetState::Late { due_at } => when::show(*due_at, zone),
        TargetState::NativeScheduled { remote_id } => remote_id.clone(),
        _ => String::new(),
    };
    if extra.is_empty() {
        name
    } else {
        format!("{name} {}", sanitize_line(&extra, 200).text)
    }
}

fn draw_detail(f: &mut Frame, app: &App, p: &CalendarPanel, post: Option<&Post>, area: Rect) {
    let zone = &app.cfg.zone;
    let w = area.width as usize;
    let mut lines = vec![Line::styled("─".repeat(w), theme::dim())];
    let Some(post) = post else {
        lines.push(Line::styled(fit(&t("tui.cal.empty_day"), w), theme::dim()));
        f.render_widget(Paragraph::new(lines), area);
        return;
    };
    let at = post
        .calendar_at()
        .map(|d| when::show(d, zone))
        .unwrap_or_else(|| t("post.no_time"));
    let link = post
        .remote_url()
        .map(|u| format!(" · {}", sanitize_line(u, 200).text))
        .unwrap_or_default();
    lines.push(Line::styled(
        fit(
            &format!(
                "{} {} · {} · {}{}",
                post.id,
                mark(post),
                at,
                t(&format!("post.state.{}", post.summary().as_str())),
                link
            ),
            w,
        ),
        theme::title(),
    ));
    if let Some(note) = crate::tui::approvals::post_note(post) {
        lines.push(Line::styled(fit(&note, w), theme::awaiting()));
    }
    if !p.detail {
        lines.push(Line::raw(fit(
            &format!(
                "{} · {}",
                accounts(post),
                sanitize_line(&post.text, 300).text
            ),
            w,
        )));
        f.render_widget(Paragraph::new(lines), area);
        return;
    }
    let (text, _) = crate::text::sanitize_block(&post.text, 4, 300);
    for l in text {
        lines.push(Line::raw(fit(&format!("  {l}"), w)));
    }
    for tg in &post.targets {
        lines.push(Line::from(vec![
            Span::styled(
                format!(
                    "  {} ({}) ",
                    sanitize_line(&tg.account, 40).text,
                    crate::tui::views::platform_name(tg.platform)
                ),
                theme::badge(),
            ),
            Span::raw(fit(&state_text(&tg.state, zone), w.saturating_sub(20))),
        ]));
    }
    lines.push(Line::styled(t("post.log"), theme::title()));
    for a in post.log.iter().rev() {
        lines.push(Line::styled(
            fit(
                &format!(
                    "  {} {} {} {}",
                    when::local(a.at, zone).format("%m-%d %H:%M"),
                    sanitize_line(&a.account, 24).text,
                    sanitize_line(&a.what, 24).text,
                    sanitize_line(&crate::i18n::shown(&a.detail), 200).text
                ),
                w,
            ),
            theme::dim(),
        ));
    }
    f.render_widget(
        Paragraph::new(
            lines
                .into_iter()
                .take(area.height as usize)
                .collect::<Vec<_>>(),
        ),
        area,
    );
}

fn draw_footer(f: &mut Frame, app: &App, p: &CalendarPanel, area: Rect) {
    let w = area.width as usize;
    let line = if let Some((ask, input)) = &p.ask {
        let label = t(match ask {
            Ask::Move => "tui.cal.ask.move",
            Ask::Duplicate => "tui.cal.ask.duplicate",
            Ask::SendBack => "approvals.tui.ask_comment",
        }) + " ";
        let typed = sanitize_line(&input.text, 80).text;
        let preview = if *ask == Ask::SendBack {
            // The comment has no preview; why it was refused shows here.
            app.note
                .as_ref()
                .filter(|n| n.tone == Tone::Error)
                .map(|n| format!("  {}", n.text))
                .unwrap_or_default()
        } else if input.text.trim().is_empty() {
            String::new()
        } else {
            match when::parse_when(input.text.trim(), app.now, &app.cfg.zone) {
                Ok(at) => format!("  → {}", when::show(at, &app.cfg.zone)),
                Err(e) => format!("  {}", sanitize_line(&e.to_string(), 100).text),
            }
        };
        let cx = crate::text::width(&label)
            + crate::text::width(
                &sanitize_line(&input.text[..input.cursor.min(input.text.len())], 80).text,
            );
        if cx < w {
            f.set_cursor_position(Position::new(area.x + cx as u16, area.y));
        }
        Line::from(vec![
            Span::styled(label, theme::title()),
            Span::raw(typed),
            Span::styled(preview, theme::info()),
        ])
    } else if p.confirm_cancel {
        let id = p
            .current(&app.cfg.zone)
            .map(|x| x.id.to_string())
            .unwrap_or_default();
        Line::styled(
            fit(&tf("tui.cal.confirm_cancel", &[("id", &id)]), w),
            theme::error(),
        )
    } else if let Some(n) = &app.note {
        Line::styled(
            fit(&sanitize_line(&n.text, 400).text, w),
            match n.tone {
                Tone::Error => theme::error(),
                Tone::Info => theme::info(),
            },
        )
    } else if p.awaiting.is_some()
        || p.current(&app.cfg.zone)
            .is_some_and(|x| x.summary() == crate::domain::post::Summary::AwaitingApproval)
    {
        // What waits for approval: its own keys first.
        Line::styled(super::approvals::footer(app, w), theme::dim())
    } else {
        Line::styled(
            crate::tui::help::footer(
                &app.cfg.keymap,
                &[crate::config::keymap::Context::Calendar],
                w,
            ),
            theme::dim(),
        )
    };
    f.render_widget(Paragraph::new(line), area);
}
