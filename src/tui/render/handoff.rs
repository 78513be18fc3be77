//! The shift handoff popup: what the next shift inherits, with a bar per operator's claims.

use super::fmt::{age, fit};
use super::{centered, theme};
use crate::engine::api::Handoff;
use crate::i18n::{t, tf};
use crate::text::{sanitize_identity, sanitize_line, width};
use crate::tui::app::App;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

pub fn draw(f: &mut Frame, app: &App, h: &Handoff) {
    let area = centered(
        f.area(),
        90,
        12 + h.claimed.len().min(8) as u16 + h.oldest.len() as u16,
    );
    f.render_widget(Clear, area);
    let block = theme::panel(&t("tui.handoff.title"), true);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let at_least = if h.partial { "+" } else { "" };
    let mut lines = vec![
        Line::from(fit(
            &tf(
                "tui.handoff.open",
                &[("open", &h.open), ("unassigned", &h.unassigned)],
            ),
            w,
        )),
        Line::from(vec![
            Span::styled(
                tf(
                    "tui.handoff.overdue",
                    &[("n", &format!("{}{at_least}", h.overdue))],
                ),
                theme::clock(Some(crate::domain::clock::Level::Breached)),
            ),
            Span::raw(" · "),
            Span::styled(
                tf(
                    "tui.handoff.due_soon",
                    &[("n", &format!("{}{at_least}", h.due_soon))],
                ),
                theme::clock(Some(crate::domain::clock::Level::Soon)),
            ),
        ]),
        Line::from(fit(
            &tf(
                "tui.handoff.snoozed",
                &[("n", &h.snoozed), ("notes", &h.notes_last_24h)],
            ),
            w,
        )),
        Line::default(),
        Line::from(Span::styled(t("tui.handoff.claimed"), theme::title())),
    ];
    let max = h.claimed.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let name_w = 16;
    let bar_w = w.saturating_sub(name_w + 8).max(1);
    if h.claimed.is_empty() {
        lines.push(Line::from(Span::styled(
            t("tui.handoff.nobody"),
            theme::dim(),
        )));
    }
    for (op, n) in h.claimed.iter().take(8) {
        let len = ((*n as usize * bar_w).div_ceil(max as usize)).max(1);
        lines.push(Line::from(vec![
            Span::raw(fit(&sanitize_identity(op, 40).text, name_w)),
            Span::styled("█".repeat(len), theme::info()),
            Span::raw(format!(" {n}")),
        ]));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        t("tui.handoff.oldest"),
        theme::title(),
    )));
    for it in &h.oldest {
        let waited = age(it.created_at, app.now);
        let target = age(
            crate::domain::Timestamp(app.now.0 - app.targets.of(it.kind)),
            app.now,
        );
        let head = format!(
            "{} / {}  {} {} ",
            waited,
            target,
            it.platform_short(),
            sanitize_identity(it.author.label(), 20).text
        );
        let rest = w.saturating_sub(width(&head));
        lines.push(Line::from(vec![
            Span::styled(
                head,
                theme::clock(Some(crate::domain::clock::Level::Breached)),
            ),
            Span::raw(fit(&sanitize_line(&it.text, 300).text, rest)),
        ]));
    }
    lines.push(Line::from(Span::styled(
        crate::tui::help::footer(
            &app.cfg.keymap,
            &[crate::config::keymap::Context::Handoff],
            w,
        ),
        theme::dim(),
    )));
    f.render_widget(Paragraph::new(lines), inner);
}
