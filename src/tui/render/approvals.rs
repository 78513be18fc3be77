//! The calendar's awaiting list (`w`): each post as `id ? when accounts author: text`, each
//! reply as `↳ id author → whom: text`, in the approvals colour, and a reply's details below.

use super::fmt::fit;
use super::theme;
use crate::domain::when;
use crate::engine::api::AwaitingReply;
use crate::i18n::{t, tf};
use crate::text::{sanitize_identity, sanitize_line, truncate_to_width};
use crate::tui::app::App;
use crate::tui::approvals::{AwaitingList, Row};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

fn row_text(app: &App, row: &Row<'_>) -> String {
    let zone = &app.cfg.zone;
    match row {
        Row::Post(p) => {
            let at = p
                .due_at
                .map(|d| when::local(d, zone).format("%m-%d %H:%M").to_string())
                .unwrap_or_else(|| "--".into());
            let accounts: Vec<String> = p
                .targets
                .iter()
                .map(|t| sanitize_line(&t.account, 40).text)
                .collect();
            let who = p.review.as_ref().map_or(&p.created_by, |r| &r.author);
            format!(
                "{} {} {} {} {}: {}",
                p.id,
                crate::tui::approvals::mark(p),
                at,
                accounts.join(","),
                sanitize_identity(who, 30).text,
                sanitize_line(&p.text, 200).text
            )
        }
        Row::Reply(r) => format!(
            "↳ {} {} → {}: {}",
            r.reply.id,
            sanitize_identity(r.reply.operator.as_deref().unwrap_or(""), 30).text,
            r.parent
                .as_ref()
                .map(|p| sanitize_identity(p.author.label(), 30).text)
                .unwrap_or_default(),
            sanitize_line(&r.reply.text, 200).text
        ),
    }
}

/// The calendar's footer on something awaiting approval: approve, send back, the list, help.
pub fn footer(app: &App, w: usize) -> String {
    use crate::config::keymap::{Action, Context};
    let items: Vec<String> = [
        Action::ApprovePost,
        Action::SendBackPost,
        Action::Open,
        Action::AwaitingOnly,
        Action::Close,
        Action::Help,
    ]
    .iter()
    .filter_map(|a| {
        let key = app.cfg.keymap.first_key(Context::Calendar, *a)?;
        Some(format!(
            "{key} {}",
            crate::tui::help::short_label(*a, Context::Calendar)
        ))
    })
    .collect();
    fit(&items.join(" · "), w)
}

pub fn draw_list(f: &mut Frame, app: &App, list: &AwaitingList, area: Rect) {
    let w = area.width as usize;
    let head = tf("approvals.tui.title", &[("count", &list.len())]);
    let mut lines = vec![Line::styled(fit(&head, w), theme::header())];
    if !list.loaded {
        lines.push(Line::styled(t("tui.list.loading"), theme::dim()));
    } else if list.is_empty() {
        lines.push(Line::styled(fit(&t("approvals.none"), w), theme::dim()));
    }
    let room = (area.height as usize).saturating_sub(1);
    let skip = (list.sel + 1).saturating_sub(room);
    for (i, row) in list.rows().enumerate().skip(skip).take(room) {
        let text = fit(&truncate_to_width(&row_text(app, &row), w), w);
        let style = if i == list.sel {
            theme::selected(true)
        } else {
            theme::awaiting()
        };
        lines.push(Line::styled(text, style));
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// A waiting reply: who wrote it, what it answers, and its text.
pub fn draw_reply(f: &mut Frame, app: &App, r: &AwaitingReply, full: bool, area: Rect) {
    let w = area.width as usize;
    let zone = &app.cfg.zone;
    let mut lines = vec![Line::styled("─".repeat(w), theme::dim())];
    lines.push(Line::styled(
        fit(
            &tf(
                "approvals.tui.reply_head",
                &[
                    ("id", &r.reply.id),
                    (
                        "who",
                        &sanitize_identity(r.reply.operator.as_deref().unwrap_or(""), 40).text,
                    ),
                    ("at", &when::show(r.reply.created_at, zone)),
                ],
            ),
            w,
        ),
        theme::title(),
    ));
    if let Some(p) = &r.parent {
        lines.push(Line::styled(
            fit(
                &format!(
                    "  {}: {}",
                    sanitize_identity(p.author.label(), 40).text,
                    sanitize_line(&p.text, 300).text
                ),
                w,
            ),
            theme::dim(),
        ));
    }
    let max = if full { 20 } else { 2 };
    let (text, _) = crate::text::sanitize_block(&r.reply.text, max, 300);
    for l in text {
        lines.push(Line::raw(fit(&format!("  ↳ {l}"), w)));
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
