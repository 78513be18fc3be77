//! The status bar (view, filter, search, counts, operator, DEMO) and the line under it
//! (prompt, transient message, pending keys or hints).

use super::fmt::fit;
use super::theme;
use crate::config::keymap::sequence_label;
use crate::i18n::{t, tf};
use crate::text::{sanitize_identity, sanitize_line, width};
use crate::tui::app::{App, Prompt, Tone};
use crate::tui::popups::filter::UserFilter;
use crate::tui::views::{kind_name, platform_name, status_name};
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

/// "vk, review, 1–2★, ru, since 2d" for the status bar.
pub fn filter_summary(f: &UserFilter) -> String {
    let mut v = Vec::new();
    if let Some(p) = f.platform {
        v.push(platform_name(p));
    }
    if let Some(k) = f.kind {
        v.push(kind_name(k));
    }
    if let Some(s) = f.status {
        v.push(status_name(s));
    }
    if let Some((a, b)) = f.rating {
        v.push(if a == b {
            format!("{a}★")
        } else {
            format!("{a}–{b}★")
        });
    }
    if let Some(l) = &f.lang {
        v.push(sanitize_line(l, 10).text);
    }
    if let Some((s, _)) = &f.since {
        v.push(tf(
            "tui.filter.since_short",
            &[("when", &sanitize_line(s, 20).text)],
        ));
    }
    if let Some((who, _)) = &f.members {
        v.push(tf(
            "tui.filter.by_member",
            &[("who", &crate::text::sanitize_identity(who, 30).text)],
        ));
    }
    v.join(", ")
}

/// The names the assign prompt offers for what is typed (Tab takes them in turn), or that the
/// name is not on the team.
fn assign_hint(app: &App, typed: &str) -> String {
    let from = app.completion.as_ref().map_or(typed, |c| c.typed.as_str());
    let found = crate::tui::assign::matches(&app.operators, from);
    if found.is_empty() {
        return if typed.trim().is_empty() {
            String::new()
        } else {
            t("tui.assign.not_on_team")
        };
    }
    let names: Vec<String> = found
        .iter()
        .take(8)
        .map(|n| sanitize_identity(n, 24).text)
        .collect();
    tf("tui.assign.hint", &[("names", &names.join(" · "))])
}

/// The `t` prompt's hint: tags in use matching what is typed (with counts) and the key that
/// completes them, else how the prompt works.
fn tag_hint(app: &App, typed: &str) -> String {
    use crate::config::keymap::{Action, Context};
    let found = crate::tui::tag_complete::hint(&app.tags, typed, app.completion.as_ref(), 6);
    match app.cfg.keymap.first_key(Context::Prompt, Action::Complete) {
        Some(key) if !found.is_empty() => {
            tf("tags.tui.prompt_hint", &[("key", &key), ("tags", &found)])
        }
        _ => t("tui.prompt.tag_hint"),
    }
}

pub fn draw(f: &mut Frame, bar: Rect, line: Rect, app: &App) {
    let w = bar.width as usize;
    let mut left: Vec<Span> = Vec::new();
    if app.overview.demo {
        left.push(Span::styled(format!(" {} ", t("tui.demo")), theme::demo()));
        left.push(Span::raw(" "));
    }
    let view = match &app.view {
        _ if app.searching() => t("tui.search.everywhere"),
        crate::tui::views::View::Account(a, _) => sanitize_identity(a, 30).text,
        v => v.label(),
    };
    left.push(Span::styled(view, theme::title()));
    if !app.user_filter.is_empty() {
        left.push(Span::raw(" · "));
        left.push(Span::styled(
            tf(
                "tui.status.filter",
                &[("filter", &filter_summary(&app.user_filter))],
            ),
            theme::badge(),
        ));
    }
    if !app.limit.is_empty() {
        left.push(Span::raw(" · "));
        left.push(Span::styled(
            tf(
                "tui.limit.status",
                &[("pattern", &sanitize_line(&app.limit, 40).text)],
            ),
            theme::badge(),
        ));
    }
    if !app.selection.is_empty() {
        left.push(Span::raw(" · "));
        left.push(Span::styled(
            crate::tui::select::summary(&app.selection),
            theme::picked(),
        ));
    }
    if !app.search.is_empty() {
        left.push(Span::raw(" · "));
        left.push(Span::styled(
            tf(
                "tui.status.search",
                &[("query", &sanitize_line(&app.search, 40).text)],
            ),
            theme::badge(),
        ));
    }
    let o = &app.overview;
    let counts = tf(
        "tui.status.counts",
        &[
            ("new", &o.status(crate::domain::Status::New)),
            ("open", &o.status(crate::domain::Status::Open)),
            ("total", &o.total),
        ],
    );
    let mut op = sanitize_identity(&app.cfg.operator, 30).text;
    if app.read_only {
        op = tf("tui.team.read_only", &[("who", &op)]);
    }
    if app.engine_stopped {
        op = format!("{} · {op}", t("tui.team.engine_stopped"));
    } else if app.engine_lost {
        op = format!("{} · {op}", t("tui.team.engine_lost"));
    }
    let waiting = if app.approver && app.awaiting > 0 {
        format!("{} · ", tf("approvals.status", &[("count", &app.awaiting)]))
    } else {
        String::new()
    };
    let right = format!("{waiting}{counts} · {op} ");
    let used: usize = left.iter().map(|s| width(&s.content)).sum::<usize>() + 1;
    let right_w = width(&right);
    let mut spans = vec![Span::raw(" ")];
    if used + right_w <= w {
        spans.extend(left);
        spans.push(Span::raw(" ".repeat(w - used - right_w)));
        spans.push(Span::styled(right, theme::dim()));
    } else {
        let text: String = left.iter().map(|s| s.content.as_ref()).collect();
        spans.push(Span::raw(fit(&text, w.saturating_sub(1))));
    }
    let bar_style = Style::new().add_modifier(Modifier::REVERSED);
    f.render_widget(Paragraph::new(Line::from(spans)).style(bar_style), bar);

    if let (Some((kind, input)), Some(e)) = (&app.prompt, &app.pattern_error) {
        // The prompt moves up a row so the caret can sit under the mistake.
        let label = match kind {
            Prompt::Limit => t("tui.limit.prompt"),
            _ => t("tui.search.prompt"),
        };
        let prefix = format!("{label} ");
        let (shown, caret) = crate::text::caret_lines(&input.text, e.at);
        f.render_widget(Clear, bar);
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(prefix.clone(), theme::title()),
                Span::raw(shown),
            ])),
            bar,
        );
        let under = format!("{}{caret} {e}", " ".repeat(width(&prefix)));
        f.render_widget(
            Paragraph::new(Line::from(Span::styled(fit(&under, w), theme::error()))),
            line,
        );
        let before = sanitize_line(&input.text[..input.cursor.min(input.text.len())], 500).text;
        let cx = width(&prefix) + width(&before);
        if cx < bar.width as usize {
            f.set_cursor_position(Position::new(bar.x + cx as u16, bar.y));
        }
        return;
    }
    if let Some((kind, input)) = &app.prompt {
        let label = match kind {
            Prompt::Limit => t("tui.limit.prompt"),
            Prompt::Search => t("tui.search.prompt"),
            Prompt::Tag => t("tui.prompt.tag"),
            Prompt::Assign => t("tui.prompt.assign"),
            Prompt::Note => t("tui.prompt.note"),
        };
        let before = sanitize_line(&input.text[..input.cursor.min(input.text.len())], 500).text;
        let all = sanitize_line(&input.text, 500).text;
        let prefix = format!("{label} ");
        let cx = width(&prefix) + width(&before);
        let hint = match kind {
            Prompt::Tag => format!("   {}", tag_hint(app, &input.text)),
            Prompt::Assign => format!("   {}", assign_hint(app, &input.text)),
            Prompt::Limit => format!("   {}", t("tui.limit.hint")),
            _ => String::new(),
        };
        let l = Line::from(vec![
            Span::styled(prefix, theme::title()),
            Span::raw(all),
            Span::styled(hint, theme::dim()),
        ]);
        f.render_widget(Paragraph::new(l), line);
        if cx < line.width as usize {
            f.set_cursor_position(Position::new(line.x + cx as u16, line.y));
        }
        return;
    }
    let l = if let Some(n) = &app.note {
        let style = if n.tone == Tone::Error {
            theme::error()
        } else {
            theme::info()
        };
        Line::from(Span::styled(fit(&n.text, w), style))
    } else if !app.chords.is_empty() {
        Line::from(Span::styled(
            format!("{} …", sequence_label(&app.chords)),
            theme::badge(),
        ))
    } else {
        Line::from(Span::styled(
            crate::tui::help::footer(
                &app.cfg.keymap,
                &[crate::config::keymap::Context::Normal],
                w,
            ),
            theme::dim(),
        ))
    };
    f.render_widget(Paragraph::new(l), line);
}
