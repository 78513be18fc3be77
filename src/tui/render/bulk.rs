//! The bulk popups: "Change N items?" before a bulk over more than 50, and the saved-reply
//! picker whose choice becomes a draft on every selected item.

use super::fmt::{fit, wrap};
use super::{centered, theme};
use crate::config::keymap::{Action, Context};
use crate::i18n::{t, tf};
use crate::tui::app::App;
use crate::tui::bulk::PendingBulk;
use crate::tui::popups::picker::Picker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

pub fn confirm(f: &mut Frame, app: &App, p: &PendingBulk) {
    // Replies go out for good: that question says so.
    let sends = p.req.action == crate::domain::bulk::BulkAction::SendDrafts;
    let (title, question) = if sends {
        ("bulk.tui.send_title", "bulk.tui.send_confirm")
    } else {
        ("bulk.tui.confirm_title", "bulk.tui.confirm")
    };
    let count = match p.count {
        Some(n) => crate::tui::select::thousands(n),
        None => t("bulk.tui.all_uncounted"),
    };
    let key = |a| {
        app.cfg
            .keymap
            .label(Context::Confirm, a)
            .unwrap_or_default()
    };
    let width = 60u16.min(f.area().width.saturating_sub(2)).max(20);
    let w = width.saturating_sub(2) as usize;
    let asked = wrap(&tf(question, &[("count", &count), ("verb", &p.verb)]), w);
    let mut lines: Vec<Line> = asked
        .iter()
        .map(|l| Line::from(Span::raw(fit(l, w))))
        .collect();
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        fit(
            &tf(
                "bulk.tui.confirm_keys",
                &[("yes", &key(Action::Yes)), ("no", &key(Action::No))],
            ),
            w,
        ),
        theme::dim(),
    )));
    let area = centered(f.area(), width, lines.len() as u16 + 2);
    f.render_widget(Clear, area);
    let block = theme::panel(&t(title), true);
    let inner = block.inner(area);
    f.render_widget(block, area);
    f.render_widget(Paragraph::new(lines), inner);
}

/// The picker over the middle of the screen, its replies filled from the row under the cursor.
pub fn draft_picker(f: &mut Frame, app: &App, p: &Picker) {
    let area = centered(f.area(), 80, 16);
    super::reply::picker(f, area, app, p, app.list.current());
}
