//! The item list: one row per item, fixed-width columns padded by display width so CJK and
//! emoji never push the border.

use super::fmt::{age, cell, fit, identity, stars};
use super::theme;
use crate::domain::{Item, Kind, Platform, Status};
use crate::i18n::{t, tf};
use crate::text::width;
use crate::tui::app::{App, Pane};
use crate::tui::views::{kind_name, status_name};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Column widths for an inner width; narrow screens drop kind and stars. Each fixed column is
/// as wide as its widest word in the active language (header included) plus a one-cell gap, so
/// `упоминание`, `в работе` and `когда` are never cut or run into the next column.
struct Cols {
    platform: usize,
    kind: usize,
    status: usize,
    age: usize,
    author: usize,
    stars: usize,
    text: usize,
}

fn widest(header: &str, words: impl Iterator<Item = String>) -> usize {
    words
        .map(|w| width(&w))
        .chain(std::iter::once(width(&t(header))))
        .max()
        .unwrap_or(0)
        + 1
}

fn cols(w: usize) -> Cols {
    let wide = w >= 76;
    let platform = widest(
        "tui.col.platform",
        Platform::ALL.iter().map(|p| p.short().to_string()),
    );
    let kind = if wide {
        widest("tui.col.kind", Kind::ALL.iter().map(|k| kind_name(*k)))
    } else {
        0
    };
    let status = widest(
        "tui.col.status",
        Status::ALL.iter().map(|s| status_name(*s)),
    );
    // Every unit with two digits (59m, 23h, 13d, 52w) and "now".
    let ages = [
        "tui.age.m",
        "tui.age.h",
        "tui.age.d",
        "tui.age.w",
        "tui.age.y",
    ]
    .iter()
    .map(|k| tf(k, &[("n", &99)]))
    .chain(std::iter::once(t("tui.age.now")));
    let age = widest("tui.col.age", ages);
    let stars = if wide {
        widest("tui.col.rating", std::iter::once(stars(Some(5))))
    } else {
        0
    };
    let author = if w >= 100 {
        18
    } else if w >= 60 {
        13
    } else {
        9
    };
    // marker 1 + the columns + the author's badge cell
    let fixed = 1 + platform + kind + status + age + author + 1 + stars;
    Cols {
        platform,
        kind,
        status,
        age,
        author,
        stars,
        text: w.saturating_sub(fixed),
    }
}

fn row(item: &Item, c: &Cols, app: &App, style: Style, picked: bool) -> Line<'static> {
    let (now, targets) = (app.now, &app.targets);
    let mut spans = Vec::with_capacity(9);
    // A picked row (selection) says so in the marker column, over the new-item dot.
    if picked {
        spans.push(Span::styled("*".to_string(), style.patch(theme::picked())));
    } else {
        let mark = if item.status == Status::New {
            "•"
        } else {
            " "
        };
        spans.push(Span::styled(
            mark.to_string(),
            style.patch(theme::status(item.status)),
        ));
    }
    spans.push(Span::styled(fit(&item.platform_short(), c.platform), style));
    if c.kind > 0 {
        spans.push(Span::styled(fit(&kind_name(item.kind), c.kind), style));
    }
    spans.push(Span::styled(
        fit(&status_name(item.status), c.status),
        style.patch(theme::status(item.status)),
    ));
    // The age is the response clock: coloured by how much of the target is gone.
    let level = targets.clock(item, now).map(|c| c.1);
    spans.push(Span::styled(
        fit(&age(item.created_at, now), c.age),
        style.patch(theme::clock(level)),
    ));
    let (name, flags) = identity(item.author.label(), c.author.saturating_sub(1));
    let warn = if flags.mixed_script || flags.bidi || flags.hidden {
        "!"
    } else {
        " "
    };
    spans.push(Span::styled(
        name,
        if item.status == Status::New {
            style.patch(theme::new_item())
        } else {
            style
        },
    ));
    spans.push(Span::styled(warn.to_string(), style.patch(theme::badge())));
    spans.push(Span::styled(" ".to_string(), style));
    if c.stars > 0 {
        spans.push(Span::styled(
            fit(&stars(item.rating), c.stars),
            style.patch(theme::stars()),
        ));
    }
    let text = match &item.title {
        Some(title) if !title.trim().is_empty() => format!("{title} — {}", item.text),
        _ => item.text.clone(),
    };
    let (tags, used) = super::tags::spans(
        &item.tags,
        super::tags::budget(c.text, c.kind > 0),
        &app.cfg.tag_colors,
        style,
    );
    spans.extend(tags);
    spans.push(Span::styled(cell(&text, c.text - used), style));
    Line::from(spans)
}

fn header(c: &Cols) -> Line<'static> {
    // Each heading keeps one blank cell before the next column.
    let col = |key: &str, w: usize| format!("{} ", fit(&t(key), w.saturating_sub(1)));
    let mut s = String::from(" ");
    s.push_str(&col("tui.col.platform", c.platform));
    if c.kind > 0 {
        s.push_str(&col("tui.col.kind", c.kind));
    }
    s.push_str(&col("tui.col.status", c.status));
    s.push_str(&col("tui.col.age", c.age));
    s.push_str(&col("tui.col.author", c.author + 1));
    if c.stars > 0 {
        s.push_str(&col("tui.col.rating", c.stars));
    }
    s.push_str(&fit(&t("tui.col.text"), c.text));
    Line::from(Span::styled(s, theme::header()))
}

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    if area.width < 4 || area.height < 3 {
        return;
    }
    let focused = app.focus == Pane::List;
    let count = app.view.count_text(&app.overview, &app.saved);
    let pos = if app.list.rows.is_empty() {
        0
    } else {
        app.list.selected + 1
    };
    let more = if app.list.more_below || app.list.more_above {
        "+"
    } else {
        ""
    };
    let title = tf(
        "tui.list.title",
        &[
            ("pos", &pos),
            ("shown", &format!("{}{more}", app.list.rows.len())),
            ("count", &count),
        ],
    );
    let block = theme::panel(&title, focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let c = cols(w);
    let mut lines = vec![header(&c)];
    let h = (inner.height as usize).saturating_sub(1);
    if app.list.rows.is_empty() {
        let key = if app.list.loading_reset || !app.list.loaded {
            "tui.list.loading"
        } else {
            "tui.list.empty"
        };
        lines.push(Line::from(Span::styled(fit(&t(key), w), theme::dim())));
    }
    let sel = app.list.selected;
    let mut offset = app.list.offset.min(app.list.rows.len().saturating_sub(1));
    if sel < offset {
        offset = sel;
    } else if h > 0 && sel >= offset + h {
        offset = sel + 1 - h;
    }
    for (i, item) in app.list.rows.iter().enumerate().skip(offset).take(h) {
        let picked = app.selection.contains(item.id);
        let style = if i == sel {
            theme::selected(focused)
        } else if picked {
            theme::picked_row()
        } else {
            Style::new()
        };
        lines.push(row(item, &c, app, style, picked));
    }
    f.render_widget(Paragraph::new(lines), inner);
}
