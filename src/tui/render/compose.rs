//! The composer popup: accounts to choose, the text with the over-limit mark, the time line,
//! toggles, counters per network, and (on wide terminals) how the text reads on each network.

use super::fmt::fit;
use super::theme;
use crate::domain::when;
use crate::i18n::{t, tf};
use crate::text::{grapheme_width, sanitize_line, width};
use crate::tui::app::{App, Tone};
use crate::tui::compose::{self, Composer, Counter, Field};
use crate::tui::editor::Editor;
use crate::tui::highlight::{runs, Mark};
use crate::tui::views::platform_name;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;
use unicode_segmentation::UnicodeSegmentation;

/// Shown in the text where the over part starts.
pub const OVER_MARK: &str = "»";

fn over_style() -> Style {
    theme::error().add_modifier(Modifier::UNDERLINED)
}

/// (line, byte column) of a byte offset into `e.text()`.
fn position(e: &Editor, offset: usize) -> (usize, usize) {
    let mut start = 0;
    for (i, l) in e.lines.iter().enumerate() {
        if offset <= start + l.len() {
            return (i, offset - start);
        }
        start += l.len() + 1;
    }
    (e.lines.len().saturating_sub(1), 0)
}

/// The text as screen rows of at most `w` cells with the over part marked, and the cursor.
pub fn editor_rows(
    e: &Editor,
    w: usize,
    mark: Option<usize>,
) -> (Vec<Line<'static>>, (usize, usize)) {
    let w = w.max(2);
    let mark = mark.map(|m| position(e, m));
    let mut rows: Vec<Line<'static>> = Vec::new();
    let mut cursor = (0, 0);
    for (li, line) in e.lines.iter().enumerate() {
        let mut cur: Vec<Span<'static>> = Vec::new();
        let mut cw = 0;
        let push = |cur: &mut Vec<Span<'static>>,
                    cw: &mut usize,
                    rows: &mut Vec<Line<'static>>,
                    s: String,
                    style: Style|
         -> (usize, usize) {
            let gw = width(&s);
            if *cw + gw > w {
                rows.push(Line::from(std::mem::take(cur)));
                *cw = 0;
            }
            let at = (rows.len(), *cw);
            *cw += gw;
            cur.push(Span::styled(s, style));
            at
        };
        let mut at = 0;
        for g in line.graphemes(true) {
            if mark == Some((li, at)) {
                push(
                    &mut cur,
                    &mut cw,
                    &mut rows,
                    OVER_MARK.into(),
                    theme::error(),
                );
            }
            let over = mark.is_some_and(|(ml, mc)| li > ml || (li == ml && at >= mc));
            let mut shown = sanitize_line(g, 4).text;
            if width(&shown) == 0 && grapheme_width(g) == 0 {
                shown = String::new();
            }
            let style = if over { over_style() } else { Style::new() };
            let pos = push(&mut cur, &mut cw, &mut rows, shown, style);
            if li == e.row && at == e.col {
                cursor = pos;
            }
            at += g.len();
        }
        if mark == Some((li, line.len())) {
            push(
                &mut cur,
                &mut cw,
                &mut rows,
                OVER_MARK.into(),
                theme::error(),
            );
        }
        if li == e.row && at <= e.col {
            if cw >= w {
                rows.push(Line::from(std::mem::take(&mut cur)));
                cw = 0;
            }
            cursor = (rows.len(), cw);
        }
        rows.push(Line::from(cur));
    }
    (rows, cursor)
}

/// Styled runs cut into rows of at most `w` cells (grapheme by grapheme).
fn wrap_runs(runs: Vec<(String, Style)>, w: usize) -> Vec<Line<'static>> {
    let w = w.max(2);
    let mut rows = Vec::new();
    let mut cur: Vec<Span<'static>> = Vec::new();
    let mut cw = 0;
    for (s, style) in runs {
        let mut piece = String::new();
        for g in s.graphemes(true) {
            let gw = width(g);
            if cw + gw > w {
                if !piece.is_empty() {
                    cur.push(Span::styled(std::mem::take(&mut piece), style));
                }
                rows.push(Line::from(std::mem::take(&mut cur)));
                cw = 0;
            }
            piece.push_str(g);
            cw += gw;
        }
        if !piece.is_empty() {
            cur.push(Span::styled(piece, style));
        }
    }
    rows.push(Line::from(cur));
    rows
}

/// How the text reads on one network: links, mentions and tags highlighted, the over part
/// (from `over`, a byte offset) in the error colour.
pub fn preview_lines(text: &str, over: Option<usize>, w: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split('\n') {
        let mut styled = Vec::new();
        let mut at = offset;
        for (mark, run) in runs(line) {
            let style = match mark {
                Mark::Plain => Style::new(),
                Mark::Link => theme::info().add_modifier(Modifier::UNDERLINED),
                Mark::Mention => theme::badge(),
                Mark::Tag => theme::border(true),
            };
            // The over part keeps its kind's look but in the error colour.
            let cut = over.map(|o| o.saturating_sub(at).min(run.len()));
            match cut {
                Some(c) if c < run.len() && run.is_char_boundary(c) => {
                    styled.push((sanitize_line(&run[..c], 2000).text, style));
                    styled.push((sanitize_line(&run[c..], 2000).text, over_style()));
                }
                _ => styled.push((sanitize_line(run, 2000).text, style)),
            }
            at += run.len();
        }
        out.extend(wrap_runs(styled, w));
        offset += line.len() + 1;
    }
    out
}

pub fn draw(f: &mut Frame, app: &App, c: &Composer) {
    let full = f.area();
    let area = super::centered(
        full,
        full.width.saturating_sub(4),
        full.height.saturating_sub(2),
    );
    f.render_widget(Clear, area);
    let title = match &c.editing {
        Some(e) => tf("tui.compose.title_edit", &[("id", &e.id)]),
        None => t("tui.compose.title"),
    };
    let block = theme::panel(&title, true);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height < 10 || inner.width < 30 {
        return;
    }
    let counters = compose::counters(app, c);
    let mark = compose::mark_at(&counters, c.split);
    let bottom = 4;
    // The pictures take the whole width above the bottom lines, leaving the text 3 rows.
    let media_h = super::compose_media::height(app, c).min(inner.height.saturating_sub(bottom + 6));
    let top_h = inner.height - bottom - media_h;
    let wide = inner.width >= 100;
    let left_w = if wide {
        inner.width * 58 / 100
    } else {
        inner.width
    };
    let left = Rect::new(inner.x, inner.y, left_w, top_h);
    // Accounts.
    let list_h = (app.accounts.len().clamp(1, 6) + 1) as u16;
    let list_h = list_h.min(top_h.saturating_sub(4));
    draw_targets(f, app, c, Rect::new(left.x, left.y, left.width, list_h));
    // The text.
    let ed = Rect::new(left.x, left.y + list_h, left.width, top_h - list_h);
    let eblock = Block::bordered()
        .border_style(theme::border(c.focus == Field::Text))
        .title(Span::styled(
            format!(
                " {} ",
                match &c.variant_of {
                    Some(a) => tf(
                        "tui.compose.text_for",
                        &[("account", &sanitize_line(a, 40).text)]
                    ),
                    None => t("tui.compose.text"),
                }
            ),
            theme::title(),
        ));
    // A post sent back by an approver says why, under the text its author rewrites.
    let eblock = match c.editing.as_ref().and_then(|e| e.note.as_deref()) {
        Some(note) => eblock.title_bottom(Span::styled(format!(" {note} "), theme::awaiting())),
        None => eblock,
    };
    let einner = eblock.inner(ed);
    f.render_widget(eblock, ed);
    let (rows, (cr, cc)) = editor_rows(&c.editor, einner.width as usize, mark);
    let h = einner.height as usize;
    let skip = (cr + 1).saturating_sub(h);
    f.render_widget(
        Paragraph::new(rows.into_iter().skip(skip).take(h).collect::<Vec<_>>()),
        einner,
    );
    if c.focus == Field::Text && !c.confirm && cc < einner.width as usize {
        f.set_cursor_position(Position::new(
            einner.x + cc as u16,
            einner.y + (cr - skip) as u16,
        ));
    }
    if wide {
        let r = Rect::new(
            inner.x + left_w + 1,
            inner.y,
            inner.width - left_w - 1,
            top_h,
        );
        draw_previews(f, c, &counters, r);
        draw_thumb(f, c, r);
    }
    super::compose_media::draw(
        f,
        app,
        c,
        Rect::new(inner.x, inner.y + top_h, inner.width, media_h),
    );
    let y = inner.y + top_h + media_h;
    draw_when(f, app, c, Rect::new(inner.x, y, inner.width, 1));
    draw_toggles(f, app, c, Rect::new(inner.x, y + 1, inner.width, 1));
    let mut spans = Vec::new();
    for (i, x) in counters.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(
            compose::counter_text(x),
            if x.over > 0 {
                theme::error()
            } else {
                theme::dim()
            },
        ));
    }
    // The style sheet: words the team avoids (with what to say instead) and prefers.
    let text = c.editor.text();
    for hit in crate::text::voice::check(&text, &app.cfg.style)
        .iter()
        .take(4)
    {
        let said = crate::text::sanitize_line(&text[hit.range.clone()], 24).text;
        let (s, style) = match (&hit.kind, &hit.suggestion) {
            (crate::text::voice::HitKind::Avoid, Some(instead)) => (
                tf(
                    "tui.compose.voice_instead",
                    &[
                        ("said", &said),
                        ("instead", &crate::text::sanitize_line(instead, 24).text),
                    ],
                ),
                theme::error(),
            ),
            (crate::text::voice::HitKind::Avoid, None) => (
                tf("tui.compose.voice_avoid", &[("said", &said)]),
                theme::error(),
            ),
            (crate::text::voice::HitKind::Prefer, _) => (
                tf("tui.compose.voice_prefer", &[("said", &said)]),
                theme::dim(),
            ),
        };
        spans.push(Span::styled(format!("  {s}"), style));
    }
    if let Some(worst) = counters
        .iter()
        .filter(|x| x.from == mark && mark.is_some())
        .min_by_key(|x| x.from)
    {
        spans.push(Span::styled(
            format!(
                "  {}",
                tf(
                    "tui.compose.over_mark",
                    &[
                        ("mark", &OVER_MARK),
                        ("platform", &platform_name(worst.platform))
                    ]
                )
            ),
            theme::error(),
        ));
    }
    f.render_widget(
        Paragraph::new(Line::from(spans)),
        Rect::new(inner.x, y + 2, inner.width, 1),
    );
    let w = inner.width as usize;
    let foot = if c.confirm {
        Line::styled(
            fit(
                &format!(
                    "{}  {}",
                    compose::confirmation(app, c),
                    crate::tui::help::footer(
                        &app.cfg.keymap,
                        &[crate::config::keymap::Context::ComposerConfirm],
                        w.saturating_sub(width(&compose::confirmation(app, c)) + 2)
                    )
                ),
                w,
            ),
            theme::info().add_modifier(Modifier::BOLD),
        )
    } else if let Some(n) = &app.note {
        Line::styled(
            fit(&sanitize_line(&n.text, 400).text, w),
            match n.tone {
                Tone::Error => theme::error(),
                Tone::Info => theme::info(),
            },
        )
    } else {
        Line::styled(
            crate::tui::help::footer(&app.cfg.keymap, &app.key_contexts().0, w),
            theme::dim(),
        )
    };
    f.render_widget(
        Paragraph::new(foot),
        Rect::new(inner.x, y + 3, inner.width, 1),
    );
}

fn draw_targets(f: &mut Frame, app: &App, c: &Composer, area: Rect) {
    let w = area.width as usize;
    let focused = c.focus == Field::Targets;
    let mut lines = vec![Line::styled(
        fit(&tf("tui.compose.accounts", &[("n", &c.targets.len())]), w),
        if focused {
            theme::title().patch(theme::border(true))
        } else {
            theme::title()
        },
    )];
    if app.accounts.is_empty() {
        lines.push(Line::styled(
            fit(&t("tui.compose.no_accounts"), w),
            theme::dim(),
        ));
    }
    let h = (area.height as usize).saturating_sub(1);
    let first = c.cursor.saturating_sub(h.saturating_sub(1));
    // Accounts kith cannot publish to are listed, dimmed, with why; they cannot be ticked.
    let read_only = t("tui.compose.targets.read_only");
    let ro_w = if app.accounts.iter().any(|(_, p)| !p.capabilities().publish) {
        width(&read_only) + 1
    } else {
        0
    };
    let name_w = w.saturating_sub(5 + 14 + ro_w).max(8);
    for (i, (name, p)) in app.accounts.iter().enumerate().skip(first).take(h) {
        let can = p.capabilities().publish;
        let on = can && c.targets.contains(name);
        let own = c.variant_of.as_deref() == Some(name) || c.variants.contains_key(name);
        let text = format!(
            "{}{} {} {}{}",
            match (can, on) {
                (false, _) => "[-]",
                (true, true) => "[x]",
                (true, false) => "[ ]",
            },
            if own { "✎" } else { " " },
            super::fmt::cell(name, name_w),
            fit(&platform_name(*p), 13),
            if can {
                String::new()
            } else {
                format!(" {read_only}")
            }
        );
        let style = if focused && i == c.cursor {
            theme::selected(true)
        } else if !can {
            theme::dim()
        } else if on {
            theme::title()
        } else {
            Style::new()
        };
        lines.push(Line::styled(fit(&text, w), style));
    }
    f.render_widget(Paragraph::new(lines), area);
}

fn draw_when(f: &mut Frame, app: &App, c: &Composer, area: Rect) {
    let label = format!("{} ", t("tui.compose.when"));
    let typed = sanitize_line(&c.when.text, 80).text;
    let focused = c.focus == Field::When;
    let mut spans = vec![Span::styled(
        label.clone(),
        if focused {
            theme::title().patch(theme::border(true))
        } else {
            theme::title()
        },
    )];
    if typed.is_empty() {
        spans.push(Span::styled(t("tui.compose.when_now"), theme::dim()));
    } else {
        spans.push(Span::raw(typed.clone()));
    }
    match c.due(app.now, &app.cfg.zone) {
        Ok(at) => spans.push(Span::styled(
            format!("  → {}", when::show(at, &app.cfg.zone)),
            theme::info(),
        )),
        Err(e) => spans.push(Span::styled(
            format!(
                "  {}",
                tf(
                    "tui.compose.bad_when",
                    &[("error", &sanitize_line(&e, 200).text)]
                )
            ),
            theme::error(),
        )),
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
    if focused && !c.confirm {
        let cx = width(&label)
            + width(&sanitize_line(&c.when.text[..c.when.cursor.min(c.when.text.len())], 80).text);
        if cx < area.width as usize {
            f.set_cursor_position(Position::new(area.x + cx as u16, area.y));
        }
    }
}

fn draw_toggles(f: &mut Frame, app: &App, c: &Composer, area: Rect) {
    let boxed = |on: bool| if on { "[x]" } else { "[ ]" };
    let can: Vec<String> = c
        .chosen(&app.accounts)
        .iter()
        .filter(|(_, p)| p.capabilities().native_schedule)
        .map(|(_, p)| platform_name(*p))
        .fold(Vec::new(), |mut v, n| {
            if !v.contains(&n) {
                v.push(n);
            }
            v
        });
    let native = if can.is_empty() {
        t("tui.compose.native_none")
    } else {
        tf("tui.compose.native_on", &[("platforms", &can.join(", "))])
    };
    let line = Line::from(vec![
        Span::raw(format!("{} {}", boxed(c.split), t("tui.compose.split"))),
        Span::raw("   "),
        Span::raw(format!("{} {}", boxed(c.native), native)),
    ]);
    f.render_widget(Paragraph::new(line), area);
}

/// The last picture's thumbnail at the foot of the previews, where the terminal draws pictures.
fn draw_thumb(f: &mut Frame, c: &Composer, area: Rect) {
    let Some(thumb) = c.media.iter().rev().find_map(|a| a.thumb.as_ref()) else {
        return;
    };
    let size = crate::tui::thumb::CELLS;
    if area.height < size.height + 3 || area.width < size.width {
        return;
    }
    let at = Rect::new(
        area.x,
        area.y + area.height - size.height,
        size.width,
        size.height,
    );
    f.render_widget(Clear, at);
    f.render_widget(ratatui_image::Image::new(&thumb.0), at);
}

fn draw_previews(f: &mut Frame, c: &Composer, counters: &[Counter], area: Rect) {
    let w = area.width as usize;
    let mut lines = vec![Line::styled(
        fit(&t("tui.compose.preview"), w),
        theme::title(),
    )];
    let shown: Vec<&Counter> = counters.iter().collect();
    if shown.is_empty() {
        lines.push(Line::styled(
            fit(&t("tui.compose.preview_none"), w),
            theme::dim(),
        ));
        f.render_widget(Paragraph::new(lines), area);
        return;
    }
    let per = ((area.height as usize).saturating_sub(1) / shown.len()).max(2);
    for x in shown {
        let text = x.text.clone();
        let head = if x.own {
            format!("── {} ✎ ", platform_name(x.platform))
        } else {
            format!("── {} ", platform_name(x.platform))
        };
        let fill = "─".repeat(w.saturating_sub(width(&head)));
        let mut block = vec![Line::styled(fit(&(head + &fill), w), theme::dim())];
        let over = if c.split { None } else { x.from };
        let mut body = if c.split && x.over > 0 {
            // The thread it will go out as, part by part.
            let rule = x.platform.capabilities().count_rule;
            let parts = crate::text::split::split_thread(&text, rule, x.limit, true);
            let n = parts.len();
            let mut out = Vec::new();
            for (i, part) in parts.iter().enumerate() {
                out.push(Line::styled(
                    fit(&tf("tui.compose.part", &[("i", &(i + 1)), ("n", &n)]), w),
                    theme::dim(),
                ));
                out.extend(preview_lines(part, None, w));
            }
            out
        } else {
            preview_lines(&text, over, w)
        };
        let room = per - 1;
        if body.len() > room {
            body.truncate(room.saturating_sub(1));
            body.push(Line::styled(
                crate::text::ELLIPSIS.to_string(),
                theme::dim(),
            ));
        }
        block.extend(body);
        lines.extend(block);
    }
    f.render_widget(Paragraph::new(lines), area);
}
