//! The help popup: the bindings of the contexts the keyboard was in, generated from the keymap
//! (see `tui::help`), sized to the terminal: as wide as its rows need (up to the screen), in two
//! columns when they do not fit one below the other.

use super::fmt::fit;
use super::{centered, theme};
use crate::config::keymap::Context;
use crate::i18n::t;
use crate::text::width;
use crate::tui::app::App;
use crate::tui::help::sections;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

/// Rows of help: a heading has no keys.
fn rows(app: &App, ctxs: &[Context]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let typed = ctxs
        .contains(&Context::Normal)
        .then(crate::tui::help::commands_section);
    for s in sections(&app.cfg.keymap, ctxs).into_iter().chain(typed) {
        if !out.is_empty() {
            out.push((String::new(), String::new()));
        }
        out.push((String::new(), s.title));
        out.extend(s.rows);
    }
    out
}

pub fn draw(f: &mut Frame, app: &App, ctxs: &[Context], scroll: usize) {
    let rows = rows(app, ctxs);
    let screen = f.area();
    let kw = rows
        .iter()
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, _)| width(k) + 3)
        .max()
        .unwrap_or(8);
    let dw = rows.iter().map(|(_, d)| width(d)).max().unwrap_or(20);
    let col = kw + dw;
    let max_w = screen.width.saturating_sub(4).max(20) as usize;
    let max_h = screen.height.saturating_sub(2).max(5) as usize;
    // Two columns when one is too tall and two fit side by side.
    let two = rows.len() + 2 > max_h && 2 * col + 3 + 2 <= max_w;
    let per_col = if two {
        rows.len().div_ceil(2)
    } else {
        rows.len()
    };
    let want_w = if two { 2 * col + 3 } else { col } + 2;
    let w = want_w.min(max_w) as u16;
    let h = (per_col + 2).min(max_h) as u16;
    let area = centered(screen, w, h);
    f.render_widget(Clear, area);
    let block = theme::panel(&t("tui.help.title"), true);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let lines = |part: &[(String, String)], cw: usize| -> Vec<Line<'static>> {
        let kw = kw.min(cw / 2);
        part.iter()
            .map(|(k, d)| {
                if k.is_empty() {
                    Line::from(Span::styled(fit(d, cw), theme::title()))
                } else {
                    Line::from(vec![
                        Span::styled(fit(&format!("  {k}"), kw), theme::badge()),
                        Span::raw(fit(d, cw.saturating_sub(kw))),
                    ])
                }
            })
            .collect()
    };
    let ih = inner.height as usize;
    if two {
        let cw = (inner.width as usize).saturating_sub(3) / 2;
        let (left, right) = rows.split_at(per_col.min(rows.len()));
        let scroll = scroll.min(per_col.saturating_sub(ih));
        for (i, part) in [left, right].into_iter().enumerate() {
            let x = inner.x + (i * (cw + 3)) as u16;
            let r = Rect::new(x, inner.y, cw as u16, inner.height);
            let ls: Vec<Line> = lines(part, cw).into_iter().skip(scroll).take(ih).collect();
            f.render_widget(Paragraph::new(ls), r);
        }
    } else {
        let scroll = scroll.min(rows.len().saturating_sub(ih));
        let ls: Vec<Line> = lines(&rows, inner.width as usize)
            .into_iter()
            .skip(scroll)
            .take(ih)
            .collect();
        f.render_widget(Paragraph::new(ls), inner);
    }
}
