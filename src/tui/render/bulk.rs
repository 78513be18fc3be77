//! The bulk popups: "Change N items?" before a bulk over more than 50, and the saved-reply
//! picker whose choice becomes a draft on every selected item.

use super::fmt::fit;
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
    let area = centered(f.area(), 60, 5);
    f.render_widget(Clear, area);
    let block = theme::panel(&t("bulk.tui.confirm_title"), true);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
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
    let lines = vec![
        Line::from(Span::raw(fit(
            &tf("bulk.tui.confirm", &[("count", &count), ("verb", &p.verb)]),
            w,
        ))),
        Line::default(),
        Line::from(Span::styled(
            fit(
                &tf(
                    "bulk.tui.confirm_keys",
                    &[("yes", &key(Action::Yes)), ("no", &key(Action::No))],
                ),
                w,
            ),
            theme::dim(),
        )),
    ];
    f.render_widget(Paragraph::new(lines), inner);
}

/// The picker over the middle of the screen, its replies filled from the row under the cursor.
pub fn draft_picker(f: &mut Frame, app: &App, p: &Picker) {
    let area = centered(f.area(), 80, 16);
    super::reply::picker(f, area, app, p, app.list.current());
}
