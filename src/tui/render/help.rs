//! The help popup: the bindings of the contexts the keyboard was in, generated from the keymap
//! (see `tui::help`), sized to the terminal: as wide as its rows need (up to the screen), in two
//! columns when they do not fit one below the other.

use super::fmt::{fit, wrap};
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

/// A description this narrow still reads well when a long one wraps.
const MIN_DESC: usize = 28;

/// One screen line of help: the key (empty on a heading or a wrapped line's continuation), the
/// text, and whether it starts an entry (columns break only there).
struct HelpLine {
    key: String,
    text: String,
    heading: bool,
    starts: bool,
}

/// The rows as screen lines with descriptions wrapped to `dw` cells.
fn laid_out(rows: &[(String, String)], dw: usize) -> Vec<HelpLine> {
    let mut out = Vec::new();
    for (k, d) in rows {
        let heading = k.is_empty();
        for (i, text) in wrap(d, dw).into_iter().enumerate() {
            out.push(HelpLine {
                key: if i == 0 { k.clone() } else { String::new() },
                text,
                heading,
                starts: i == 0,
            });
        }
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
    // Two columns when one is too tall and two fit side by side, the longest descriptions
    // wrapping onto a second line rather than the popup growing to one scrolling column.
    let two = rows.len() + 2 > max_h && 2 * (kw + MIN_DESC) + 3 + 2 <= max_w;
    let cw = if two {
        col.min((max_w - 5) / 2)
    } else {
        col.min(max_w.saturating_sub(2))
    };
    let lines_all = laid_out(&rows, cw.saturating_sub(kw.min(cw / 2)).max(1));
    // The right column starts at the entry nearest the middle.
    let split = if two {
        let half = lines_all.len().div_ceil(2);
        (half..lines_all.len())
            .find(|&i| lines_all[i].starts)
            .unwrap_or(lines_all.len())
    } else {
        lines_all.len()
    };
    let per_col = split.max(lines_all.len() - split);
    let want_w = if two { 2 * cw + 3 } else { cw } + 2;
    let w = want_w.min(max_w) as u16;
    let h = (per_col + 2).min(max_h) as u16;
    let area = centered(screen, w, h);
    f.render_widget(Clear, area);
    let block = theme::panel(&t("tui.help.title"), true);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let lines = |part: &[HelpLine], cw: usize| -> Vec<Line<'static>> {
        let kw = kw.min(cw / 2);
        part.iter()
            .map(|l| {
                if l.heading {
                    Line::from(Span::styled(fit(&l.text, cw), theme::title()))
                } else {
                    let key = if l.key.is_empty() {
                        String::new()
                    } else {
                        format!("  {}", l.key)
                    };
                    Line::from(vec![
                        Span::styled(fit(&key, kw), theme::badge()),
                        Span::raw(fit(&l.text, cw.saturating_sub(kw))),
                    ])
                }
            })
            .collect()
    };
    let ih = inner.height as usize;
    if two {
        let cw = (inner.width as usize).saturating_sub(3) / 2;
        let (left, right) = lines_all.split_at(split);
        let scroll = scroll.min(per_col.saturating_sub(ih));
        for (i, part) in [left, right].into_iter().enumerate() {
            let x = inner.x + (i * (cw + 3)) as u16;
            let r = Rect::new(x, inner.y, cw as u16, inner.height);
            let ls: Vec<Line> = lines(part, cw).into_iter().skip(scroll).take(ih).collect();
            f.render_widget(Paragraph::new(ls), r);
        }
    } else {
        let scroll = scroll.min(lines_all.len().saturating_sub(ih));
        let ls: Vec<Line> = lines(&lines_all, inner.width as usize)
            .into_iter()
            .skip(scroll)
            .take(ih)
            .collect();
        f.render_widget(Paragraph::new(ls), inner);
    }
}
