//! Drawing: a pure function of the app state onto a ratatui frame. One file per pane/popup.

pub mod accounts;
pub mod calendar;
pub mod compose;
pub mod detail;
pub mod fmt;
mod handoff;
pub mod help;
pub mod list;
mod members;
pub mod popups;
pub mod reply;
pub mod sidebar;
pub mod status;
pub mod theme;

use super::app::App;
use super::layout;
use super::popups::Popup;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::Frame;

pub fn draw(f: &mut Frame, app: &App) {
    let a = layout::areas(f.area(), app.zoom);
    sidebar::draw(f, a.sidebar, app);
    if !app.zoom {
        list::draw(f, a.list, app);
    }
    detail::draw(f, a.detail, app);
    status::draw(f, a.status, a.line, app);
    match &app.popup {
        Some(Popup::Help { scroll }) => help::draw(f, app, *scroll),
        Some(Popup::Palette(p)) => popups::palette(f, app, p),
        Some(Popup::Filter(form)) => popups::filter(f, form),
        Some(Popup::Snooze(s)) => popups::snooze(f, app, s),
        Some(Popup::Reply(form)) => reply::draw(f, app, form),
        Some(Popup::Accounts(p)) => accounts::draw(f, app, p),
        Some(Popup::Takeover { by, .. }) => popups::takeover(f, by),
        Some(Popup::Handoff(h)) => handoff::draw(f, app, h),
        Some(Popup::Members(p)) => members::draw(f, app, p),
        Some(Popup::Compose(c)) => compose::draw(f, app, c),
        Some(Popup::Calendar(p)) => calendar::draw(f, app, p),
        None => {}
    }
    settle_wide(f.buffer_mut());
}

/// Blanks every wide character whose trailing cell was drawn over (a popup's border over the
/// right half of `王`). ratatui's diff assumes no wide cell is followed by a non-blank one and
/// skips that cell, so the terminal would keep the whole glyph and never draw the border.
pub fn settle_wide(buf: &mut Buffer) {
    let area = buf.area;
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            let w = crate::text::width(buf[(x, y)].symbol()).max(1) as u16;
            let covered = (1..w).any(|d| x + d < area.right() && buf[(x + d, y)].symbol() != " ");
            if covered {
                buf[(x, y)].set_symbol(" ");
                x += 1;
            } else {
                x += w;
            }
        }
    }
}

/// A centred rectangle of at most `w` x `h` inside `r`.
pub fn centered(r: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(r.width);
    let h = h.min(r.height);
    Rect::new(r.x + (r.width - w) / 2, r.y + (r.height - h) / 2, w, h)
}
