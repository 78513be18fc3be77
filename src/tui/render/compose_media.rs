//! The composer's pictures: the line where a path (or an alt text) is typed, each attached
//! picture with its type, size and alt text, each chosen network's picture limits, and the first
//! thing a network would refuse.

use super::fmt::fit;
use super::theme;
use crate::domain::media::{size_text, MediaLimits};
use crate::i18n::{t, tf};
use crate::text::{sanitize_line, width};
use crate::tui::app::App;
use crate::tui::compose::{media, Composer, Field};
use crate::tui::views::platform_name;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// At most this many pictures are listed; the rest are counted.
const LISTED: usize = 4;

/// Rows the pictures take: the line, the pictures listed, and a refusal when there is one.
pub fn height(app: &App, c: &Composer) -> u16 {
    let listed = c.media.len().min(LISTED) + usize::from(c.media.len() > LISTED);
    let refusal = usize::from(media::problem(c, &c.chosen(&app.accounts)).is_some());
    (1 + listed + refusal) as u16
}

/// Each chosen network's limits for the pictures there are: `Bluesky 2/4 ≤1 MB`.
fn limits(app: &App, c: &Composer) -> String {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for (_, p) in c.chosen(&app.accounts) {
        if seen.contains(&p) {
            continue;
        }
        seen.push(p);
        match MediaLimits::of(p) {
            Some(l) => out.push(tf(
                "tui.compose.media_limit",
                &[
                    ("platform", &platform_name(p)),
                    ("n", &c.media.len()),
                    ("max", &l.max_count),
                    ("size", &size_text(l.max_bytes)),
                ],
            )),
            None => out.push(tf(
                "tui.compose.media_limit_none",
                &[("platform", &platform_name(p))],
            )),
        }
    }
    out.join(" · ")
}

pub fn draw(f: &mut Frame, app: &App, c: &Composer, area: Rect) {
    let w = area.width as usize;
    let focused = c.focus == Field::Media;
    let label = format!("{} ", media::prompt(c));
    let typed = sanitize_line(&c.media_line.input.text, 400).text;
    let mut spans = vec![Span::styled(
        label.clone(),
        if focused {
            theme::title().patch(theme::border(true))
        } else {
            theme::title()
        },
    )];
    if !typed.is_empty() {
        spans.push(Span::raw(typed));
    } else if focused && c.media_line.alt_for.is_some() {
        spans.push(Span::styled(t("tui.compose.media_alt_hint"), theme::dim()));
    } else if !c.media.is_empty() {
        // Once there is a picture, each network's limits (the hint has been read by then).
        spans.push(Span::styled(limits(app, c), theme::dim()));
    } else if focused {
        spans.push(Span::styled(t("tui.compose.media_hint"), theme::dim()));
    } else {
        spans.push(Span::styled(t("tui.compose.media_none"), theme::dim()));
    }
    let mut lines = vec![Line::from(spans)];
    for (i, a) in c.media.iter().enumerate().take(LISTED) {
        let style = if a.error.is_some() {
            theme::error()
        } else {
            theme::dim()
        };
        lines.push(Line::styled(
            fit(&format!("  {}", media::describe(i, a)), w),
            style,
        ));
    }
    if c.media.len() > LISTED {
        lines.push(Line::styled(
            fit(
                &tf(
                    "tui.compose.media_more",
                    &[("n", &(c.media.len() - LISTED))],
                ),
                w,
            ),
            theme::dim(),
        ));
    }
    if let Some(why) = media::problem(c, &c.chosen(&app.accounts)) {
        lines.push(Line::styled(
            fit(&format!("  {}", sanitize_line(&why, 400).text), w),
            theme::error(),
        ));
    } else if focused && !c.media.is_empty() {
        // The limits stay in sight while typing.
        let l = limits(app, c);
        if let Some(last) = lines.last_mut() {
            if c.media.len() <= LISTED && width(&l) + 4 < w {
                last.spans
                    .push(Span::styled(format!("  {l}"), theme::dim()));
            }
        }
    }
    f.render_widget(Paragraph::new(lines), area);
    if focused && !c.confirm {
        let input = &c.media_line.input;
        let before = &input.text[..input.cursor.min(input.text.len())];
        let x = width(&label) + width(&sanitize_line(before, 400).text);
        if x < w {
            f.set_cursor_position(Position::new(area.x + x as u16, area.y));
        }
    }
}
