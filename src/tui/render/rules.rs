//! The Rules panel: the rules file, a broken file's problems (line:col) over the rules still in
//! force, one row per rule (name, when, then, flags, the last 30 days' matches as a count and a
//! bar) and examples of the selected rule.

use super::fmt::{age, cell, fit, wrap};
use super::{centered, theme};
use crate::config::keymap::Context;
use crate::i18n::{t, tf};
use crate::text::chart::bar;
use crate::text::{sanitize_identity, sanitize_line, width};
use crate::tui::app::App;
use crate::tui::rules::{problem_line, RulesPanel};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

const BAR: usize = 6;
/// Examples shown for the selected rule.
const EXAMPLES: usize = 3;

/// Trusted text right-aligned in `w` cells.
fn right(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(width(s))))
}

pub fn draw(f: &mut Frame, app: &App, p: &RulesPanel) {
    let screen = f.area();
    let area = centered(screen, 150, screen.height.saturating_sub(2).max(8));
    f.render_widget(Clear, area);
    let n = p.status.as_ref().map_or(0, |s| s.rules.len());
    let block = theme::panel(&tf("rules.panel.title", &[("n", &n)]), true);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let (w, h) = (inner.width as usize, inner.height as usize);
    if w < 10 || h < 3 {
        return;
    }
    let Some(status) = &p.status else {
        let lines = vec![Line::from(Span::styled(
            t("rules.panel.loading"),
            theme::dim(),
        ))];
        f.render_widget(Paragraph::new(lines), inner);
        return;
    };
    let mut top: Vec<Line<'static>> = Vec::new();
    let path = status
        .path
        .as_deref()
        .map(|x| sanitize_line(x, 400).text)
        .unwrap_or_else(|| t("rules.panel.no_path"));
    top.push(Line::from(vec![
        Span::styled(t("rules.panel.file"), theme::dim()),
        Span::raw(" "),
        Span::raw(crate::text::truncate_to_width(
            &path,
            w.saturating_sub(width(&t("rules.panel.file")) + 1),
        )),
    ]));
    if !status.problems.is_empty() {
        let head = t("rules.panel.broken");
        for l in wrap(&head, w) {
            top.push(Line::from(Span::styled(
                l,
                theme::error().add_modifier(Modifier::BOLD),
            )));
        }
        // A few problems in full; the rest counted (`kith rules check` lists them all).
        for pr in status.problems.iter().take(3) {
            let text = problem_line(pr);
            for l in wrap(&text, w.saturating_sub(2)).into_iter().take(3) {
                top.push(Line::from(Span::styled(format!("  {l}"), theme::error())));
            }
        }
        if status.problems.len() > 3 {
            top.push(Line::from(Span::styled(
                tf("rules.panel.more", &[("n", &(status.problems.len() - 3))]),
                theme::error(),
            )));
        }
    } else if !status.exists && status.rules.is_empty() {
        for l in wrap(&t("rules.panel.none_yet"), w) {
            top.push(Line::from(Span::styled(l, theme::dim())));
        }
    }
    top.push(Line::default());

    let mut bottom: Vec<Line<'static>> = Vec::new();
    let selected = status.rules.get(p.sel);
    if let Some(r) = selected {
        bottom.push(Line::default());
        let name = sanitize_line(&r.name, 60).text;
        bottom.push(Line::from(Span::styled(
            crate::text::truncate_to_width(&tf("rules.panel.examples", &[("name", &name)]), w),
            theme::title(),
        )));
        let examples = p.test_of(&r.name).map(|x| x.examples.as_slice());
        match examples {
            None => bottom.push(Line::from(Span::styled(
                t("rules.panel.counting"),
                theme::dim(),
            ))),
            Some([]) => bottom.push(Line::from(Span::styled(
                t("rules.panel.no_examples"),
                theme::dim(),
            ))),
            Some(ex) => {
                for it in ex.iter().take(EXAMPLES) {
                    let head = format!(
                        "  {} {} · {} · ",
                        it.platform_short(),
                        sanitize_identity(it.author.label(), 20).text,
                        age(it.created_at, app.now)
                    );
                    let rest = w.saturating_sub(width(&head));
                    bottom.push(Line::from(vec![
                        Span::styled(head, theme::dim()),
                        Span::raw(crate::text::truncate_to_width(
                            &sanitize_line(&it.text, 300).text,
                            rest,
                        )),
                    ]));
                }
            }
        }
    }
    let footer = Line::from(Span::styled(
        crate::tui::help::footer(&app.cfg.keymap, &[Context::Rules], w),
        theme::dim(),
    ));

    // The table gets what is left; it scrolls to keep the selected rule in sight. The footer
    // keeps the panel's last line.
    let room = h.saturating_sub(top.len() + bottom.len() + 1).max(2);
    let mut lines = top;
    lines.extend(table(p, w, room));
    lines.extend(bottom);
    lines.truncate(h.saturating_sub(1));
    lines.resize(h.saturating_sub(1), Line::default());
    lines.push(footer);
    f.render_widget(Paragraph::new(lines), inner);
}

/// The header and one row per rule, `room` lines in all.
fn table(p: &RulesPanel, w: usize, room: usize) -> Vec<Line<'static>> {
    let Some(status) = &p.status else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if status.rules.is_empty() {
        out.push(Line::from(Span::styled(
            t("rules.panel.empty"),
            theme::dim(),
        )));
        return out;
    }
    let stop = t("rules.panel.stop");
    let reviews = t("rules.panel.reviews");
    let flags_w = (width(&stop) + width(&reviews) + 1).max(width(&t("rules.panel.col_flags")));
    let max = p
        .tests
        .as_ref()
        .and_then(|v| v.iter().map(|x| x.count).max())
        .unwrap_or(0);
    // Room for the largest count ("…" while counting, "+" past the cap) and the bar.
    let digits = max.to_string().len() + 1;
    let count_w = (digits + 1 + BAR).max(width(&t("rules.panel.col_count")));
    let name_w = status
        .rules
        .iter()
        .map(|r| width(&sanitize_line(&r.name, 40).text))
        .max()
        .unwrap_or(4)
        .clamp(width(&t("rules.panel.col_name")).max(4), 20);
    // Marker, then five columns with a gap after each but the last.
    let fixed = 2 + name_w + 1 + flags_w + 1 + count_w + 2;
    let free = w.saturating_sub(fixed).max(8);
    let when_w = free / 2;
    let then_w = free - when_w;
    out.push(Line::from(Span::styled(
        format!(
            "  {} {} {} {} {}",
            fit(&t("rules.panel.col_name"), name_w),
            fit(&t("rules.panel.col_when"), when_w),
            fit(&t("rules.panel.col_then"), then_w),
            fit(&t("rules.panel.col_flags"), flags_w),
            right(&t("rules.panel.col_count"), count_w),
        ),
        theme::header(),
    )));
    let rows = room.saturating_sub(1).max(1);
    let offset = (p.sel + 1).saturating_sub(rows);
    for (i, r) in status.rules.iter().enumerate().skip(offset).take(rows) {
        let mut flags = Vec::new();
        if r.stop {
            flags.push(stop.clone());
        }
        if r.reviews {
            flags.push(reviews.clone());
        }
        let (count, bar_cells) = match p.test_of(&r.name) {
            Some(x) => {
                let more = if x.more { "+" } else { "" };
                (
                    format!("{}{more}", x.count),
                    bar(x.count as f64, max as f64, BAR),
                )
            }
            None => ("…".to_string(), String::new()),
        };
        let sel = i == p.sel;
        let marker = if sel { "▶ " } else { "  " };
        let row_style = if sel {
            theme::selected(true)
        } else {
            ratatui::style::Style::new()
        };
        out.push(Line::from(vec![
            Span::styled(
                format!(
                    "{marker}{} {} {} ",
                    cell(&r.name, name_w),
                    cell(&r.when, when_w),
                    cell(&r.then.join(", "), then_w),
                ),
                row_style,
            ),
            Span::styled(
                format!("{} ", fit(&flags.join(" "), flags_w)),
                row_style.patch(theme::badge()),
            ),
            Span::styled(format!("{} ", right(&count, count_w - BAR - 1)), row_style),
            Span::styled(fit(&bar_cells, BAR), row_style.patch(theme::info())),
        ]));
    }
    out
}
