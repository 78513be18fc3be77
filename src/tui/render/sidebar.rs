//! The sidebar: views with their counts, then platforms (new items) and accounts.

use super::fmt::{fit, identity};
use super::theme;
use crate::i18n::t;
use crate::tui::app::{App, Pane};
use crate::tui::views::View;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// What each sidebar line shows: a view index, or a section heading (None).
fn lines(app: &App) -> Vec<(Option<usize>, Option<&'static str>)> {
    let mut out = Vec::new();
    let mut last_section = "";
    for (i, v) in app.views.iter().enumerate() {
        let section = match v {
            View::Platform(_) => "tui.sidebar.platforms",
            View::Account(..) => "tui.sidebar.accounts",
            View::Saved { .. } => "views.tui.section",
            _ => "",
        };
        if section != last_section {
            out.push((None, None));
            out.push((None, Some(section)));
            last_section = section;
        }
        out.push((Some(i), None));
    }
    out
}

/// The view shown on sidebar line `row` (0 = first line inside the border).
pub fn view_at(app: &App, row: usize) -> Option<usize> {
    lines(app).get(row).and_then(|(i, _)| *i)
}

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    if area.width < 4 || area.height < 3 {
        return;
    }
    let focused = app.focus == Pane::Sidebar;
    let block = theme::panel(&t("tui.title"), focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let count_w = 6.min(w);
    let label_w = w.saturating_sub(count_w + 1);
    let rendered: Vec<Line> = lines(app)
        .into_iter()
        .map(|(idx, heading)| match (idx, heading) {
            (None, Some(key)) => Line::from(Span::styled(fit(&t(key), w), theme::dim())),
            (None, None) => Line::from(fit("", w)),
            (Some(i), _) => {
                let v = &app.views[i];
                let label = match v {
                    View::Account(name, p) => {
                        let (s, _) = identity(name, label_w.saturating_sub(p.short().len() + 1));
                        format!("{} {s}", p.short())
                    }
                    View::Platform(p) => format!("{} {}", p.short(), v.label()),
                    // The operator's own views (from config) are marked apart from the team's.
                    View::Saved { name, shared, .. } => {
                        let mark = if *shared { "" } else { "· " };
                        let (s, _) = identity(name, label_w.saturating_sub(mark.len()));
                        format!("{mark}{s}")
                    }
                    _ => v.label(),
                };
                let n = v.count_text(&app.overview, &app.saved);
                let text = format!(
                    " {}{}",
                    fit(&label, label_w),
                    fit(&format!("{n:>5} "), count_w)
                );
                let style = if i == app.sidebar_sel {
                    theme::selected(focused)
                } else {
                    Style::new()
                };
                Line::from(Span::styled(fit(&text, w), style))
            }
        })
        .collect();
    // Keep the selected view in sight on short terminals.
    let sel_line = lines(app)
        .iter()
        .position(|(i, _)| *i == Some(app.sidebar_sel))
        .unwrap_or(0);
    let h = inner.height as usize;
    let skip = (sel_line + 1).saturating_sub(h);
    f.render_widget(
        Paragraph::new(rendered.into_iter().skip(skip).collect::<Vec<_>>()),
        inner,
    );
}
