//! The small popups: command palette, filter form, snooze choices, the ban's terms.

use super::fmt::{fit, when};
use super::{centered, theme};
use crate::config::keymap::sequence_label;
use crate::domain::time::parse_until;
use crate::i18n::{t, tf};
use crate::text::{sanitize_line, width};
use crate::tui::app::App;
use crate::tui::popups::ban::{BanForm, DAYS};
use crate::tui::popups::filter::{Field, FilterForm, FIELDS};
use crate::tui::popups::palette::Palette;
use crate::tui::popups::snooze::SnoozeForm;
use crate::tui::views::{kind_name, platform_name, status_name};
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

fn frame(f: &mut Frame, w: u16, h: u16, title: &str) -> Rect {
    let area = centered(f.area(), w, h);
    f.render_widget(Clear, area);
    let block = theme::panel(title, true);
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

pub fn palette(f: &mut Frame, app: &App, p: &Palette) {
    let inner = frame(f, 64, 18, &t("tui.palette.title"));
    let w = inner.width as usize;
    let query = sanitize_line(&p.input.text, 200).text;
    let mut lines = vec![Line::from(vec![
        Span::styled(": ", theme::title()),
        Span::raw(fit(&query, w.saturating_sub(2))),
    ])];
    let kw = 14.min(w / 3);
    let mut h = (inner.height as usize).saturating_sub(1);
    if let Some(typed) = p.command() {
        use crate::tui::popups::commands::Typed;
        let (text, style) = match &typed {
            Typed::Ready(c) => (command_line(c), theme::selected(true)),
            Typed::Usage(key) | Typed::Hint(key) => (t(key), theme::dim()),
        };
        lines.push(Line::from(Span::styled(fit(&text, w), style)));
        if !matches!(typed, Typed::Hint(_)) {
            f.render_widget(Paragraph::new(lines), inner);
            return palette_cursor(f, inner, p);
        }
        h = h.saturating_sub(1);
    }
    let matches = p.matches();
    let skip = (p.selected + 1).saturating_sub(h);
    for (i, a) in matches.iter().enumerate().skip(skip).take(h) {
        let keys: Vec<String> = app
            .cfg
            .keymap
            .keys_for(crate::config::keymap::Context::Normal, *a)
            .iter()
            .take(2)
            .map(|k| sequence_label(k))
            .collect();
        let style = if i == p.selected {
            theme::selected(true)
        } else {
            Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(
                fit(
                    &crate::tui::help::describe(*a, crate::config::keymap::Context::Normal),
                    w - kw - 1,
                ) + " ",
                style,
            ),
            Span::styled(fit(&keys.join(" "), kw), style.patch(theme::dim())),
        ]));
    }
    if matches.is_empty() {
        lines.push(Line::from(Span::styled(
            t("tui.palette.none"),
            theme::dim(),
        )));
    }
    f.render_widget(Paragraph::new(lines), inner);
    palette_cursor(f, inner, p);
}

/// What a typed command will do, as the palette shows it before Enter.
fn command_line(c: &crate::tui::popups::commands::Command) -> String {
    use crate::tui::popups::commands::Command;
    match c {
        Command::TagRename { old, new } => tf(
            "tags.tui.cmd_rename",
            &[
                ("old", &sanitize_line(old.trim(), 40).text),
                ("new", &sanitize_line(new.trim(), 40).text),
            ],
        ),
        Command::Save { name } => tf(
            "views.tui.cmd_save",
            &[("name", &sanitize_line(name.trim(), 40).text)],
        ),
        Command::Unsave { name } if name.trim().is_empty() => t("views.tui.cmd_unsave_shown"),
        Command::Unsave { name } => tf(
            "views.tui.cmd_unsave",
            &[("name", &sanitize_line(name.trim(), 40).text)],
        ),
        Command::ViewMove { name, dir } => {
            let key = match dir {
                crate::domain::saved_view::Move::Up => "views.tui.cmd_up",
                crate::domain::saved_view::Move::Down => "views.tui.cmd_down",
            };
            let name = if name.trim().is_empty() {
                t("views.tui.shown")
            } else {
                sanitize_line(name.trim(), 40).text
            };
            tf(key, &[("name", &name)])
        }
    }
}

fn palette_cursor(f: &mut Frame, inner: Rect, p: &Palette) {
    let cx = 2 + width(
        &sanitize_line(&p.input.text[..p.input.cursor.min(p.input.text.len())], 200).text,
    );
    if cx < inner.width as usize {
        f.set_cursor_position(Position::new(inner.x + cx as u16, inner.y));
    }
}

pub fn filter(f: &mut Frame, app: &App, form: &FilterForm) {
    let inner = frame(f, 76, 13, &t("tui.filter.title"));
    let w = inner.width as usize;
    let any = t("tui.filter.any");
    let lw = 14.min(w / 2);
    let mut lines = Vec::new();
    let mut cursor = None;
    for (i, field) in FIELDS.iter().enumerate() {
        let v = &form.value;
        let (label, value, text) = match field {
            Field::Platform => ("tui.filter.platform", v.platform.map(platform_name), false),
            Field::Kind => ("tui.filter.kind", v.kind.map(kind_name), false),
            Field::Status => ("tui.filter.status", v.status.map(status_name), false),
            Field::Rating => (
                "tui.filter.rating",
                v.rating.map(|(a, b)| {
                    if a == b {
                        format!("{a}★")
                    } else {
                        format!("{a}–{b}★")
                    }
                }),
                false,
            ),
            Field::Tag => (
                "tags.tui.filter_field",
                Some(sanitize_line(&form.tag.text, 40).text),
                true,
            ),
            Field::Lang => (
                "tui.filter.lang",
                Some(sanitize_line(&form.lang.text, 30).text),
                true,
            ),
            Field::Since => (
                "tui.filter.since",
                Some(sanitize_line(&form.since.text, 30).text),
                true,
            ),
        };
        let shown = if text {
            value.unwrap_or_default()
        } else {
            format!("‹ {} ›", value.unwrap_or_else(|| any.clone()))
        };
        let sel = i == form.field;
        let style = if sel {
            theme::selected(true)
        } else {
            Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(fit(&t(label), lw), theme::title()),
            Span::styled(fit(&shown, w - lw), style),
        ]));
        if sel && text {
            let input = match field {
                Field::Tag => &form.tag,
                Field::Lang => &form.lang,
                _ => &form.since,
            };
            let cx = lw
                + width(&sanitize_line(&input.text[..input.cursor.min(input.text.len())], 30).text);
            cursor = Some((cx, i));
        }
    }
    lines.push(Line::default());
    if form.error {
        lines.push(Line::from(Span::styled(
            fit(&t("tui.filter.bad_since"), w),
            theme::error(),
        )));
    } else if form.current() == Field::Tag {
        lines.push(tag_hint(app, form, w));
    } else {
        lines.push(Line::from(Span::styled(
            fit(&t("tui.filter.since_hint"), w),
            theme::dim(),
        )));
    }
    lines.push(Line::from(Span::styled(
        crate::tui::help::footer(&app.cfg.keymap, &app.key_contexts().0, w),
        theme::dim(),
    )));
    f.render_widget(Paragraph::new(lines), inner);
    if let Some((x, y)) = cursor.filter(|(x, _)| *x < w) {
        f.set_cursor_position(Position::new(inner.x + x as u16, inner.y + y as u16));
    }
}

/// Under the tag field: the tags in use matching what is typed, with their counts, and the
/// key that completes them.
fn tag_hint(app: &App, form: &FilterForm, w: usize) -> Line<'static> {
    let found = crate::tui::tag_complete::hint(
        &app.cx.tags,
        &form.tag.text,
        form.tag_completion.as_ref(),
        6,
    );
    let text = if found.is_empty() {
        t("tags.tui.no_match")
    } else {
        use crate::config::keymap::{Action, Context};
        match app
            .cfg
            .keymap
            .first_key(Context::FilterText, Action::Complete)
        {
            Some(key) => tf("tags.tui.complete_hint", &[("key", &key), ("tags", &found)]),
            None => found,
        }
    };
    Line::from(Span::styled(fit(&text, w), theme::dim()))
}

pub fn snooze(f: &mut Frame, app: &App, s: &SnoozeForm) {
    let inner = frame(f, 56, s.presets.len() as u16 + 6, &t("tui.snooze.title"));
    let w = inner.width as usize;
    let mut lines = Vec::new();
    for (i, p) in s.presets.iter().enumerate() {
        let at = parse_until(p, app.now)
            .map(|x| when(x, app.now))
            .unwrap_or_else(|| t("tui.snooze.bad"));
        let style = if i == s.selected {
            theme::selected(true)
        } else {
            Style::new()
        };
        let text = format!(" {}  {}  {}", i + 1, fit(&preset_label(p), 10), at);
        lines.push(Line::from(Span::styled(fit(&text, w), style)));
    }
    let custom = s.selected >= s.presets.len();
    let label = format!(" {} ", t("tui.snooze.custom"));
    let typed = sanitize_line(&s.input.text, 40).text;
    let style = if custom {
        theme::selected(true)
    } else {
        Style::new()
    };
    lines.push(Line::from(vec![
        Span::styled(label.clone(), theme::title()),
        Span::styled(fit(&typed, w.saturating_sub(width(&label))), style),
    ]));
    let preview = if s.error {
        Span::styled(fit(&t("tui.snooze.bad"), w), theme::error())
    } else if custom && !s.input.text.trim().is_empty() {
        match parse_until(&s.input.text, app.now) {
            Some(x) => Span::styled(fit(&format!(" → {}", when(x, app.now)), w), theme::info()),
            None => Span::styled(fit(&t("tui.snooze.bad"), w), theme::dim()),
        }
    } else {
        Span::raw("")
    };
    lines.push(Line::from(preview));
    lines.push(Line::from(Span::styled(
        fit(
            &format!(
                "{} · {}",
                tf("tui.snooze.numbers", &[("n", &s.presets.len())]),
                crate::tui::help::footer(
                    &app.cfg.keymap,
                    &[crate::config::keymap::Context::Snooze],
                    w
                )
            ),
            w,
        ),
        theme::dim(),
    )));
    f.render_widget(Paragraph::new(lines), inner);
    if custom {
        let cx = width(&label)
            + width(
                &sanitize_line(&s.input.text[..s.input.cursor.min(s.input.text.len())], 40).text,
            );
        if cx < w {
            f.set_cursor_position(Position::new(
                inner.x + cx as u16,
                inner.y + s.presets.len() as u16,
            ));
        }
    }
}

/// A snooze preset from the config in the UI language: `3h` → `3 ч`, `tomorrow` → `завтра`;
/// any other form as written (sanitized: the config is the user's, but still outside text).
fn preset_label(p: &str) -> String {
    let s = p.trim();
    if s.eq_ignore_ascii_case("tomorrow") {
        return t("tui.snooze.preset.tomorrow");
    }
    let unit = s
        .chars()
        .last()
        .filter(|c| matches!(c, 'm' | 'h' | 'd' | 'w'));
    let n = unit.and_then(|u| s[..s.len() - u.len_utf8()].parse::<u32>().ok());
    match (unit, n) {
        (Some(u), Some(n)) => tf(&format!("tui.snooze.preset.{u}"), &[("n", &n)]),
        _ => sanitize_line(p, 12).text,
    }
}

/// "NAME has this item. Take it over? y / n"
/// "NAME is not on the team. Assign anyway?"
pub fn assign_unknown(f: &mut Frame, keymap: &crate::config::keymap::Keymap, name: &str) {
    let inner = frame(f, 60, 5, &t("tui.assign.unknown_title"));
    let w = inner.width as usize;
    let who = crate::text::sanitize_identity(name, 40).text;
    let lines = vec![
        Line::from(Span::raw(fit(
            &tf("tui.assign.unknown", &[("who", &who)]),
            w,
        ))),
        Line::default(),
        Line::from(Span::styled(
            confirm_keys(keymap, "tui.assign.unknown_keys", w),
            theme::dim(),
        )),
    ];
    f.render_widget(Paragraph::new(lines), inner);
}

pub fn takeover(f: &mut Frame, keymap: &crate::config::keymap::Keymap, by: &str) {
    let inner = frame(f, 56, 5, &t("tui.team.takeover_title"));
    let w = inner.width as usize;
    let who = crate::text::sanitize_identity(by, 40).text;
    let lines = vec![
        Line::from(Span::raw(fit(
            &tf("tui.team.takeover", &[("who", &who)]),
            w,
        ))),
        Line::default(),
        Line::from(Span::styled(
            confirm_keys(keymap, "tui.team.takeover_keys", w),
            theme::dim(),
        )),
    ];
    f.render_widget(Paragraph::new(lines), inner);
}

/// A yes/no question's keys, from the keymap, with what yes and no mean here.
fn confirm_keys(keymap: &crate::config::keymap::Keymap, key: &str, w: usize) -> String {
    use crate::config::keymap::{Action, Context};
    let yes = keymap
        .label(Context::Confirm, Action::Yes)
        .unwrap_or_default();
    let no = keymap
        .label(Context::Confirm, Action::No)
        .unwrap_or_default();
    fit(&tf(key, &[("yes", &yes), ("no", &no)]), w)
}

/// Why and how long (VK), or what a YouTube ban does; Enter bans.
pub fn ban(f: &mut Frame, app: &App, b: &BanForm) {
    let h = if b.has_terms() { 9 } else { 6 };
    let title = tf(
        "tui.ban.title",
        &[("author", &sanitize_line(&b.author, 40).text)],
    );
    let inner = frame(f, 72, h, &title);
    let w = inner.width as usize;
    let mut lines = Vec::new();
    let note = |key: &str, style: Style| -> Vec<Line<'static>> {
        super::fmt::wrap(&t(key), w)
            .into_iter()
            .take(2)
            .map(|l| Line::styled(fit(&l, w), style))
            .collect()
    };
    if b.has_terms() {
        let reasons: Vec<String> = crate::domain::remote::BanReason::ALL
            .iter()
            .map(|r| t(&format!("tui.ban.reason.{}", r.as_str())))
            .collect();
        let days: Vec<String> = DAYS
            .iter()
            .map(|d| match d {
                0 => t("tui.ban.forever"),
                n => tf("tui.ban.days", &[("n", n)]),
            })
            .collect();
        for (row, (label, values, at)) in [
            (t("tui.ban.why"), reasons, b.reason),
            (t("tui.ban.how_long"), days, b.days),
        ]
        .into_iter()
        .enumerate()
        {
            let mut spans = vec![Span::styled(fit(&label, 12), theme::title())];
            for (i, v) in values.iter().enumerate() {
                let style = if i == at {
                    theme::selected(row == b.row)
                } else {
                    theme::dim()
                };
                spans.push(Span::styled(format!(" {v} "), style));
            }
            lines.push(Line::from(spans));
        }
        lines.push(Line::raw(""));
        lines.extend(note("tui.ban.vk_note", theme::dim()));
    } else {
        lines.extend(note("tui.ban.youtube_note", Style::new()));
    }
    let used = lines.len();
    for _ in used..(inner.height as usize).saturating_sub(1) {
        lines.push(Line::raw(""));
    }
    use crate::config::keymap::{Action, Context};
    let keys = if b.has_terms() {
        crate::tui::help::footer(&app.cfg.keymap, &[Context::Ban], w)
    } else {
        // Nothing to choose: only yes and no.
        [Action::Submit, Action::Cancel]
            .iter()
            .filter_map(|a| {
                let k = app.cfg.keymap.first_key(Context::Ban, *a)?;
                Some(format!(
                    "{k} {}",
                    crate::tui::help::short_label(*a, Context::Ban)
                ))
            })
            .collect::<Vec<_>>()
            .join(" · ")
    };
    lines.push(Line::styled(fit(&keys, w), theme::dim()));
    f.render_widget(Paragraph::new(lines), inner);
}
