//! The detail pane: the whole thread around the selected item, oldest first, with our replies
//! and their send state.

use super::fmt::{age, stars, wrap};
use super::theme;
use crate::domain::{Item, Outgoing};
use crate::i18n::{t, tf};
use crate::text::{sanitize_block, sanitize_identity, sanitize_line, truncate_to_width, Flags};
use crate::tui::app::{App, Pane};
use crate::tui::views::{item_platform_name, status_name};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Longest text shown per message; the rest is marked as cut by the sanitizer.
const MAX_LINES: usize = 200;
const MAX_LINE: usize = 2000;

fn badges(flags: Flags) -> String {
    let mut v = Vec::new();
    if flags.controls {
        v.push(t("tui.badge.controls"));
    }
    if flags.bidi {
        v.push(t("tui.badge.bidi"));
    }
    if flags.hidden {
        v.push(t("tui.badge.hidden"));
    }
    if flags.tags_stripped {
        v.push(t("tui.badge.tags"));
    }
    if flags.marks_capped {
        v.push(t("tui.badge.marks"));
    }
    if flags.mixed_script {
        v.push(t("tui.badge.mixed_script"));
    }
    if flags.truncated {
        v.push(t("tui.badge.truncated"));
    }
    v.iter()
        .map(|b| format!("[{b}]"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn one_line(s: String, w: usize, style: Style) -> Line<'static> {
    Line::from(Span::styled(truncate_to_width(&s, w), style))
}

fn message(out: &mut Vec<Line<'static>>, item: &Item, selected: bool, app: &App, w: usize) {
    let head_style = if selected {
        Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
    } else {
        theme::title()
    };
    let name = sanitize_identity(item.author.label(), 60);
    let handle = item
        .author
        .handle
        .as_deref()
        .filter(|h| Some(*h) != item.author.name.as_deref())
        .map(|h| sanitize_identity(h, 60));
    let mut flags = name.flags;
    let mut head = format!(
        "{} {} {}",
        if selected { "▶" } else { " " },
        item.platform_short(),
        name.text
    );
    if let Some(h) = &handle {
        flags = flags.union(h.flags);
        head.push_str(&format!(" @{}", h.text.trim_start_matches('@')));
    }
    if let Some(n) = item.author.followers {
        head.push_str(&format!(" · {}", tf("tui.detail.followers", &[("n", &n)])));
    }
    head.push_str(&format!(" · {}", age(item.created_at, app.now)));
    if !item.is_ours() {
        head.push_str(&format!(" · {}", status_name(item.status)));
    }
    if item.rating.is_some() {
        head.push_str(&format!(" · {}", stars(item.rating)));
    }
    out.push(one_line(head, w, head_style));
    let ind = 2;
    let tw = w.saturating_sub(ind).max(1);
    if let Some(title) = item.title.as_deref().filter(|s| !s.trim().is_empty()) {
        let s = sanitize_line(title, 300);
        flags = flags.union(s.flags);
        for l in wrap(&s.text, tw) {
            out.push(Line::from(Span::styled(format!("  {l}"), theme::title())));
        }
    }
    let (lines, tflags) = sanitize_block(&item.text, MAX_LINES, MAX_LINE);
    flags = flags.union(tflags);
    for l in lines {
        for part in wrap(&l, tw) {
            out.push(Line::from(format!("  {part}")));
        }
    }
    if flags.any() {
        out.push(one_line(format!("  {}", badges(flags)), w, theme::badge()));
    }
    if let Some(o) = &item.outgoing {
        let who = sanitize_identity(item.operator.as_deref().unwrap_or(""), 40).text;
        let (state, style) = match o {
            Outgoing::Sending => (t("tui.reply.sending"), theme::dim()),
            Outgoing::Sent { url: Some(u) } => (
                tf(
                    "tui.reply.sent_link",
                    &[("url", &sanitize_line(u, 300).text)],
                ),
                theme::info(),
            ),
            Outgoing::Sent { url: None } => (t("tui.reply.sent"), theme::info()),
            Outgoing::Failed { reason } => (
                tf(
                    "tui.reply.failed",
                    &[(
                        "reason",
                        &sanitize_line(&crate::i18n::shown(reason), 300).text,
                    )],
                ),
                theme::error(),
            ),
            Outgoing::AwaitingApproval => (t("approvals.reply_awaiting"), theme::awaiting()),
            Outgoing::SentBack { by, comment } => (
                crate::tui::approvals::sent_back_note(by, comment),
                theme::awaiting(),
            ),
        };
        out.push(one_line(format!("  ↳ {who} · {state}"), w, style));
    }
    if selected {
        if let Some(u) = &item.url {
            out.push(one_line(
                format!("  {} {}", t("tui.detail.url"), sanitize_line(u, 400).text),
                w,
                theme::dim(),
            ));
        }
        if !item.tags.is_empty() {
            let tags: Vec<String> = item
                .tags
                .iter()
                .map(|x| format!("#{}", sanitize_line(x, 40).text))
                .collect();
            out.push(one_line(
                format!("  {} {}", t("tui.detail.tags"), tags.join(" ")),
                w,
                theme::badge(),
            ));
        }
        if !item.rules.is_empty() {
            let names: Vec<String> = item
                .rules
                .iter()
                .map(|x| sanitize_line(x, 40).text)
                .collect();
            out.push(one_line(
                format!(
                    "  {}",
                    tf("rules.panel.on_item", &[("names", &names.join(", "))])
                ),
                w,
                theme::dim(),
            ));
        }
        let acct = sanitize_identity(&item.account, 60).text;
        let mut meta = format!("  {} · {} · {}", item_platform_name(item), acct, item.id);
        if let Some(until) = item.snoozed_until {
            meta.push_str(&format!(
                " · {}",
                tf(
                    "tui.detail.snoozed_until",
                    &[("when", &super::fmt::when(until, app.now))]
                )
            ));
        }
        if let Some(a) = &item.assignee {
            meta.push_str(&format!(
                " · {}",
                tf(
                    "tui.detail.assignee",
                    &[("who", &sanitize_identity(a, 40).text)]
                )
            ));
        }
        let writing = crate::tui::team::others_drafting(app, item.id);
        if !writing.is_empty() {
            let who: Vec<String> = writing
                .iter()
                .map(|w| sanitize_identity(w, 30).text)
                .collect();
            meta.push_str(&format!(
                " · {}",
                tf("tui.team.replying", &[("who", &who.join(", "))])
            ));
        }
        out.push(one_line(meta, w, theme::dim()));
        if let Some((waited, level)) = app.targets.clock(item, app.now) {
            let now = app.now;
            let clock = tf(
                "tui.detail.clock",
                &[
                    (
                        "waited",
                        &super::fmt::age(crate::domain::Timestamp(now.0 - waited), now),
                    ),
                    (
                        "target",
                        &super::fmt::age(
                            crate::domain::Timestamp(now.0 - app.targets.of(item.kind)),
                            now,
                        ),
                    ),
                ],
            );
            out.push(one_line(format!("  {clock}"), w, theme::clock(Some(level))));
        }
        if let Some(closes) = app.reply_window(item) {
            let agent = app.human_agent.contains(&item.account);
            let (line, style) = if closes > app.now {
                let left = super::fmt::age(
                    crate::domain::Timestamp(app.now.0 - (closes.0 - app.now.0)),
                    app.now,
                );
                let key = match agent {
                    true => "graph_msg.window_open_agent",
                    false => "tui.detail.window_open",
                };
                (
                    tf(key, &[("left", &left)]),
                    theme::clock(Some(crate::domain::clock::Level::Soon)),
                )
            } else {
                let key = match agent {
                    true => "graph_msg.window_closed_agent_line",
                    false => "tui.detail.window_closed",
                };
                (
                    tf(key, &[("ago", &super::fmt::age(closes, app.now))]),
                    theme::error(),
                )
            };
            out.push(one_line(format!("  {line}"), w, style));
        }
        for n in app.thread.notes.iter().filter(|n| n.item == item.id) {
            let head = format!(
                "  ✎ {} · {}: ",
                sanitize_identity(&n.operator, 30).text,
                super::fmt::age(n.at, app.now)
            );
            out.push(one_line(
                format!("{head}{}", sanitize_line(&n.text, 600).text),
                w,
                theme::badge(),
            ));
        }
    }
    out.push(Line::default());
}

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    if area.width < 4 || area.height < 3 {
        return;
    }
    let focused = app.focus == Pane::Detail;
    let sel = app.list.current();
    let items: Vec<&Item> = if app.thread.id.is_some()
        && app.thread.id == sel.map(|i| i.id)
        && !app.thread.items.is_empty()
    {
        app.thread.items.iter().collect()
    } else {
        sel.into_iter().collect()
    };
    let title = if items.len() > 1 {
        tf("tui.detail.thread", &[("n", &items.len())])
    } else {
        t("tui.detail.title")
    };
    let block = theme::panel(&title, focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let mut lines: Vec<Line<'static>> = Vec::new();
    if items.is_empty() {
        lines.push(Line::from(Span::styled(t("tui.detail.none"), theme::dim())));
    }
    let mut sel_line = 0;
    for item in &items {
        let is_sel = Some(item.id) == sel.map(|i| i.id);
        if is_sel {
            sel_line = lines.len();
        }
        message(&mut lines, item, is_sel, app, w);
    }
    let h = inner.height as usize;
    // Until the reader scrolls, start where the selected message is.
    let start = if app.thread.scroll == 0 && sel_line + 3 > h {
        sel_line.saturating_sub(1)
    } else {
        app.thread.scroll
    };
    let scroll = start.min(lines.len().saturating_sub(h));
    let visible: Vec<Line> = lines.into_iter().skip(scroll).take(h).collect();
    f.render_widget(Paragraph::new(visible), inner);
}
