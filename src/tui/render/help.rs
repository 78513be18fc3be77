//! Help, generated from the keymap: every binding with its catalog description.

use super::fmt::fit;
use super::{centered, theme};
use crate::config::keymap::{sequence_label, Action, Context};
use crate::i18n::t;
use crate::tui::app::App;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

/// The help text as (keys, description) rows, grouped by context; headings have empty keys.
pub fn rows(app: &App) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for ctx in Context::ALL {
        out.push((
            String::new(),
            t(&format!("tui.help.section.{}", ctx.name())),
        ));
        for a in Action::ALL.iter().filter(|a| a.context() == ctx) {
            let keys: Vec<String> = app
                .cfg
                .keymap
                .keys_for(*a)
                .iter()
                .map(|k| sequence_label(k))
                .collect();
            let keys = if keys.is_empty() {
                t("tui.help.unbound")
            } else {
                keys.join(", ")
            };
            out.push((keys, t(&a.desc_key())));
        }
    }
    out.push((String::new(), t("tui.help.section.composer")));
    for (k, d) in [
        ("tab shift-tab", "tui.help.compose.field"),
        ("space", "tui.help.compose.toggle"),
        ("ctrl-t", "tui.help.compose.split"),
        ("ctrl-n", "tui.help.compose.native"),
        ("ctrl-e", "tui.help.compose.editor"),
        ("enter / q", "tui.help.compose.confirm"),
    ] {
        out.push((k.to_string(), t(d)));
    }
    out.push((String::new(), t("tui.help.section.calendar")));
    for (k, d) in [
        ("← → ↑ ↓", "tui.help.cal.move"),
        ("[ ] t", "tui.help.cal.week"),
        ("enter", "tui.help.cal.detail"),
        ("m d", "tui.help.cal.move_dup"),
        ("e", "tui.help.cal.edit"),
        ("x r", "tui.help.cal.cancel_retry"),
    ] {
        out.push((k.to_string(), t(d)));
    }
    out.push((String::new(), t("tui.help.section.popups")));
    for (k, d) in [
        ("↑ ↓ tab", "tui.help.popup.move"),
        ("enter", "tui.help.popup.choose"),
        ("esc", "tui.help.popup.close"),
        ("← →", "tui.help.popup.cycle"),
    ] {
        out.push((k.to_string(), t(d)));
    }
    out
}

pub fn draw(f: &mut Frame, app: &App, scroll: usize) {
    let area = centered(f.area(), 80, f.area().height.saturating_sub(4));
    f.render_widget(Clear, area);
    let block = theme::panel(&t("tui.help.title"), true);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let kw = 26.min(w / 2);
    let lines: Vec<Line> = rows(app)
        .into_iter()
        .map(|(k, d)| {
            if k.is_empty() {
                Line::from(Span::styled(fit(&d, w), theme::title()))
            } else {
                Line::from(vec![
                    Span::styled(fit(&format!("  {k}"), kw), theme::badge()),
                    Span::raw(fit(&d, w - kw)),
                ])
            }
        })
        .collect();
    let h = inner.height as usize;
    let scroll = scroll.min(lines.len().saturating_sub(h));
    f.render_widget(
        Paragraph::new(lines.into_iter().skip(scroll).take(h).collect::<Vec<_>>()),
        inner,
    );
}
