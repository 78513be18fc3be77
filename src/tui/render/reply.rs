//! The reply editor popup: the item being answered, the draft with a live length counter, and
//! the saved-reply picker over it.

use super::fmt::{fit, wrap};
use super::{centered, theme};
use crate::i18n::{t, tf};
use crate::text::{
    count_for, grapheme_width, sanitize_block, sanitize_identity, sanitize_line, truncate_to_width,
    width,
};
use crate::tui::app::App;
use crate::tui::editor::Editor;
use crate::tui::popups::ReplyForm;
use crate::tui::views::item_platform_name;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;
use unicode_segmentation::UnicodeSegmentation;

/// Where a private reply to a comment arrives (catalog key).
fn private_channel(p: crate::domain::Platform) -> &'static str {
    match p {
        crate::domain::Platform::Instagram => "graph_msg.instagram_direct",
        _ => "graph_msg.messenger",
    }
}

/// The draft as screen rows of at most `w` cells, and where the cursor is (row, column).
pub fn layout(e: &Editor, w: usize) -> (Vec<String>, (usize, usize)) {
    let w = w.max(2);
    let mut rows = Vec::new();
    let mut cursor = (0, 0);
    for (li, line) in e.lines.iter().enumerate() {
        let mut cur = String::new();
        let mut cw = 0;
        let mut at = 0;
        for g in line.graphemes(true) {
            if li == e.row && at == e.col {
                cursor = (rows.len(), cw);
            }
            let shown = sanitize_line(g, 4).text;
            let gw = width(&shown).max(grapheme_width(g).min(2));
            if cw + gw > w {
                rows.push(std::mem::take(&mut cur));
                cw = 0;
                if li == e.row && at == e.col {
                    cursor = (rows.len(), 0);
                }
            }
            cur.push_str(&shown);
            cw += width(&shown);
            at += g.len();
        }
        if li == e.row && at <= e.col {
            if cw >= w {
                rows.push(std::mem::take(&mut cur));
                cw = 0;
            }
            cursor = (rows.len(), cw);
        }
        rows.push(cur);
    }
    (rows, cursor)
}

pub fn draw(f: &mut Frame, app: &App, form: &ReplyForm) {
    let full = f.area();
    let area = centered(
        full,
        full.width.saturating_sub(8).min(100),
        full.height.saturating_sub(4),
    );
    f.render_widget(Clear, area);
    let item = &form.item;
    let who = sanitize_identity(item.author.label(), 40).text;
    let title = tf(
        "tui.reply.title",
        &[("who", &who), ("platform", &item_platform_name(item))],
    );
    let block = theme::panel(&title, true);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    if inner.height < 6 {
        return;
    }
    // The message being answered: a few lines, dimmed.
    let quote_h = 4.min(inner.height as usize / 3);
    let (qlines, _) = sanitize_block(&item.text, 20, 1000);
    let mut quote: Vec<Line> = Vec::new();
    for l in qlines.iter() {
        for part in wrap(l, w.saturating_sub(2)) {
            quote.push(Line::from(Span::styled(format!("│ {part}"), theme::dim())));
        }
    }
    if quote.len() > quote_h {
        quote.truncate(quote_h);
        if let Some(last) = quote.last_mut() {
            *last = Line::from(Span::styled(
                truncate_to_width(&format!("│ {}", crate::text::ELLIPSIS), w),
                theme::dim(),
            ));
        }
    }
    // Someone else is answering the same message right now: say so above everything.
    let writing = crate::tui::team::others_drafting(app, item.id);
    if !writing.is_empty() {
        let who: Vec<String> = writing
            .iter()
            .map(|x| sanitize_identity(x, 30).text)
            .collect();
        let warn = tf("tui.team.also_replying", &[("who", &who.join(", "))]);
        quote.insert(
            0,
            Line::from(Span::styled(truncate_to_width(&warn, w), theme::error())),
        );
    }
    let qh = quote.len() as u16;
    f.render_widget(
        Paragraph::new(quote),
        Rect::new(inner.x, inner.y, inner.width, qh),
    );

    let ed = Rect::new(inner.x, inner.y + qh, inner.width, inner.height - qh - 1);
    let caps = item.platform.capabilities();
    let limit = app.text_limit(item);
    let text = form.editor.text();
    let n = count_for(&text, caps.count_rule);
    let counter = tf("tui.reply.counter", &[("n", &n), ("limit", &limit)]);
    let counter_style = if crate::text::over_limit(&text, caps.count_rule, limit).is_some() {
        theme::error()
    } else {
        theme::dim()
    };
    let mut eblock = Block::bordered().border_style(theme::border(form.picker.is_none()));
    if item.private_reply_allowed() {
        let (key, style) = match form.private {
            true => ("graph_msg.private_state_on", theme::title()),
            false => ("graph_msg.private_state_off", theme::dim()),
        };
        let keys = app
            .cfg
            .keymap
            .first_key(
                crate::config::keymap::Context::Editor,
                crate::config::keymap::Action::PrivateReply,
            )
            .map(|k| k.to_string())
            .unwrap_or_default();
        let state = tf(
            key,
            &[
                ("where", &t(private_channel(item.platform))),
                ("key", &keys),
            ],
        );
        eblock = eblock.title_bottom(Line::from(Span::styled(format!(" {state} "), style)));
    }
    let eblock = eblock.title_bottom(
        Line::from(Span::styled(format!(" {counter} "), counter_style)).right_aligned(),
    );
    let einner = eblock.inner(ed);
    f.render_widget(eblock, ed);
    let (rows, (cr, cc)) = layout(&form.editor, einner.width as usize);
    let h = einner.height as usize;
    let skip = (cr + 1).saturating_sub(h);
    let shown: Vec<Line> = rows
        .into_iter()
        .skip(skip)
        .take(h)
        .map(Line::from)
        .collect();
    f.render_widget(Paragraph::new(shown), einner);
    if form.picker.is_none() && cc < einner.width as usize {
        f.set_cursor_position(Position::new(
            einner.x + cc as u16,
            einner.y + (cr - skip) as u16,
        ));
    }
    let hint = Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1);
    f.render_widget(
        Paragraph::new(Span::styled(
            crate::tui::help::footer(&app.cfg.keymap, &app.key_contexts().0, w),
            theme::dim(),
        )),
        hint,
    );

    if let Some(p) = &form.picker {
        picker(f, ed, app, p, Some(item));
    }
}

/// The saved-reply picker in `area`: the query, then the replies best first, each filled from
/// `item` (as the template reads when there is none).
pub fn picker(
    f: &mut Frame,
    area: Rect,
    app: &App,
    p: &crate::tui::popups::picker::Picker,
    item: Option<&crate::domain::Item>,
) {
    f.render_widget(Clear, area);
    let block = theme::panel(&t("tui.picker.title"), true);
    let pin = block.inner(area);
    f.render_widget(block, area);
    let pw = pin.width as usize;
    let query = sanitize_line(&p.input.text, 100).text;
    let mut lines = vec![Line::from(vec![
        Span::styled("> ", theme::title()),
        Span::raw(fit(&query, pw.saturating_sub(2))),
    ])];
    let matches = p.matches(&app.cfg.replies, item.and_then(|i| i.lang.as_deref()));
    let nw = 20.min(pw / 3);
    let ph = (pin.height as usize).saturating_sub(1);
    let skip = (p.selected + 1).saturating_sub(ph);
    for (i, ri) in matches.iter().enumerate().skip(skip).take(ph) {
        let Some(r) = app.cfg.replies.get(*ri) else {
            continue;
        };
        let style = if i == p.selected {
            theme::selected(true)
        } else {
            Style::new()
        };
        let name = sanitize_line(&r.name, 40).text;
        let filled = match item {
            Some(i) => crate::config::replies::expand(&r.text, i, &app.cfg.operator),
            None => r.text.clone(),
        };
        let body = sanitize_line(&filled, 200).text;
        lines.push(Line::from(vec![
            Span::styled(fit(&name, nw), style.patch(theme::title())),
            Span::styled(fit(&format!(" {body}"), pw - nw), style),
        ]));
    }
    if matches.is_empty() {
        lines.push(Line::from(Span::styled(
            fit(&t("tui.picker.none"), pw),
            theme::dim(),
        )));
    }
    f.render_widget(Paragraph::new(lines), pin);
    let cx = 2 + width(
        &sanitize_line(&p.input.text[..p.input.cursor.min(p.input.text.len())], 100).text,
    );
    if cx < pw {
        f.set_cursor_position(Position::new(pin.x + cx as u16, pin.y));
    }
}
