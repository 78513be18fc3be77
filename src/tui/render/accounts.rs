//! The Accounts panel: one row per account (state, last sync, items, rate limit), and the
//! selected account's details below (where it connects, where its secret comes from, the last
//! error in full).

use super::fmt::{age, cell, fit, wrap};
use super::{centered, theme};
use crate::engine::api::AccountView;
use crate::i18n::{t, tf};
use crate::text::sanitize_line;
use crate::tui::app::{App, Tone};
use crate::tui::popups::accounts::AccountsPanel;
use crate::tui::views::platform_name;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

/// The one-word state of an account and its style.
/// An account's state in words, and the style it is shown in.
pub fn state_label(a: &AccountView, now: crate::domain::Timestamp) -> (String, Style) {
    use crate::engine::AccountState as S;
    let state = a.state_at(now);
    let style = match state {
        S::Demo | S::Imported | S::NeverSynced => theme::dim(),
        S::NeedsReauth | S::RateWait(_) | S::Failing => theme::error(),
        S::Syncing(_) => theme::info(),
        S::Ok => Style::new(),
    };
    (state.phrase().to_string(), style)
}

pub fn draw(f: &mut Frame, app: &App, p: &AccountsPanel) {
    let area = centered(f.area(), 110, 28);
    f.render_widget(Clear, area);
    let block = theme::panel(&t("tui.accounts.title"), true);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let cols = [18usize, 10, 16, 9, 8, 6, 12];
    let rest = w.saturating_sub(cols.iter().sum::<usize>() + cols.len());
    let head = [
        t("tui.accounts.col_name"),
        t("tui.accounts.col_platform"),
        t("tui.accounts.col_state"),
        t("tui.accounts.col_synced"),
        t("tui.accounts.col_items"),
        t("tui.accounts.col_bad"),
        t("tui.accounts.col_rate"),
    ];
    let mut header: Vec<Span> = head
        .iter()
        .zip(cols)
        .map(|(h, c)| Span::styled(fit(h, c) + " ", theme::header()))
        .collect();
    header.push(Span::styled(fit("", rest), theme::header()));
    let mut lines = vec![Line::from(header)];
    if !p.loaded {
        lines.push(Line::styled(t("tui.list.loading"), theme::dim()));
    } else if p.rows.is_empty() {
        lines.push(Line::styled(t("tui.accounts.none"), theme::dim()));
    }
    let list_h = (inner.height as usize).saturating_sub(9).max(3);
    let skip = (p.selected + 1).saturating_sub(list_h);
    for (i, a) in p.rows.iter().enumerate().skip(skip).take(list_h) {
        let (state, state_style) = state_label(a, app.now);
        let synced = a
            .state
            .last_stored
            .or(a.runtime.last_poll)
            .map(|ts| age(ts, app.now))
            .unwrap_or_else(|| "—".into());
        let rate = match (a.runtime.rate.remaining, a.runtime.rate.limit) {
            (Some(r), Some(l)) => format!("{r}/{l}"),
            (Some(r), None) => r.to_string(),
            _ => "—".into(),
        };
        let row_style = if i == p.selected {
            theme::selected(true)
        } else {
            Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(cell(&a.name, cols[0]) + " ", row_style),
            Span::styled(fit(&platform_name(a.platform), cols[1]) + " ", row_style),
            Span::styled(fit(&state, cols[2]) + " ", row_style.patch(state_style)),
            Span::styled(fit(&synced, cols[3]) + " ", row_style),
            Span::styled(fit(&a.items.to_string(), cols[4]) + " ", row_style),
            Span::styled(
                fit(&a.state.malformed.to_string(), cols[5]) + " ",
                row_style,
            ),
            Span::styled(fit(&rate, cols[6]) + " ", row_style),
            Span::styled(fit("", rest), row_style),
        ]));
    }
    lines.push(Line::raw(""));
    if let Some(a) = p.current() {
        let mut detail = Vec::new();
        if let Some(u) = &a.base_url {
            detail.push(tf(
                "tui.accounts.where",
                &[
                    ("url", &sanitize_line(u, 200).text),
                    (
                        "secret",
                        &sanitize_line(a.secret_source.as_deref().unwrap_or(""), 200).text,
                    ),
                ],
            ));
            let next = a
                .runtime
                .next_poll
                .map(|n| super::fmt::when(n, app.now))
                .unwrap_or_else(|| "—".into());
            detail.push(tf(
                "tui.accounts.pulled",
                &[
                    ("items", &a.state.pulled),
                    ("activity", &a.state.activity),
                    ("bad", &a.state.malformed),
                    ("next", &next),
                ],
            ));
        }
        if let Some(e) = &a.state.last_error {
            for l in wrap(&sanitize_line(&e.to_string(), 600).text, w)
                .into_iter()
                .take(3)
            {
                detail.push(l);
            }
        }
        let mut urgent = Vec::new();
        if let Some(image) = &a.runtime.captcha {
            urgent.push(tf(
                "tui.accounts.captcha",
                &[("image", &sanitize_line(image, 300).text)],
            ));
        }
        if let (Some(left), Some(limit)) = (a.runtime.rate.remaining, a.runtime.rate.limit) {
            let reset = a
                .runtime
                .rate
                .reset_at
                .map(|r| super::fmt::when(r, app.now))
                .unwrap_or_else(|| "—".into());
            detail.push(tf(
                "tui.accounts.quota",
                &[("left", &left), ("limit", &limit), ("reset", &reset)],
            ));
        }
        if a.human_agent {
            detail.push(t("graph_msg.human_agent_on"));
        }
        for n in &a.runtime.notices {
            detail.push(sanitize_line(&n.to_string(), 300).text);
        }
        if let Some(q) = a.runtime.rate.posts {
            detail.push(tf(
                "tui.accounts.media.publishing",
                &[("used", &q.used), ("limit", &q.limit), ("hours", &q.hours)],
            ));
        }
        for u in urgent {
            for l in wrap(&u, w).into_iter().take(3) {
                lines.push(Line::styled(fit(&l, w), theme::error()));
            }
        }
        for d in detail {
            let style = if a
                .state
                .last_error
                .as_ref()
                .is_some_and(|e| sanitize_line(&e.to_string(), 600).text.contains(d.trim()))
            {
                theme::error()
            } else {
                Style::new()
            };
            lines.push(Line::styled(fit(&d, w), style));
        }
    }
    let used = lines.len();
    for _ in used..(inner.height as usize).saturating_sub(1) {
        lines.push(Line::raw(""));
    }
    lines.truncate((inner.height as usize).saturating_sub(1));
    // What the last key did (or why it did nothing), else the keys: the status line may be
    // under the panel on a small terminal.
    lines.push(match (&p.captcha, &app.note) {
        (Some((account, line)), _) => Line::from(vec![
            Span::styled(
                tf(
                    "tui.accounts.captcha_ask",
                    &[("account", &sanitize_line(account, 40).text)],
                ) + " ",
                theme::title(),
            ),
            Span::raw(sanitize_line(&line.text, 40).text + "▏"),
        ]),
        (None, Some(n)) => Line::styled(
            fit(&n.text, w),
            match n.tone {
                Tone::Error => theme::error(),
                Tone::Info => theme::info(),
            },
        ),
        (None, None) => Line::styled(
            crate::tui::help::footer(
                &app.cfg.keymap,
                &[crate::config::keymap::Context::Accounts],
                w,
            ),
            theme::dim(),
        ),
    });
    f.render_widget(Paragraph::new(lines), inner);
}
