//! Drawing: a pure function of the app state onto a ratatui frame. One file per pane/popup.

pub mod accounts;
mod approvals;
mod bulk;
pub mod calendar;
pub mod compose;
mod compose_media;
pub mod detail;
pub mod fmt;
mod handoff;
pub mod help;
pub mod list;
mod members;
pub mod popups;
pub mod reply;
mod rules;
pub mod sidebar;
pub mod status;
pub mod tags;
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
    // Panels waiting under the top one are drawn first, the top one over them.
    for under in &app.behind {
        draw_popup(f, app, Some(under));
    }
    draw_popup(f, app, app.popup.as_ref());
    settle_wide(f.buffer_mut());
}

fn draw_popup(f: &mut Frame, app: &App, popup: Option<&Popup>) {
    match popup {
        Some(Popup::Help { scroll, ctxs }) => help::draw(f, app, ctxs, *scroll),
        Some(Popup::Palette(p)) => popups::palette(f, app, p),
        Some(Popup::Filter(form)) => popups::filter(f, app, form),
        Some(Popup::Snooze(s)) => popups::snooze(f, app, s),
        Some(Popup::Reply(form)) => reply::draw(f, app, form),
        Some(Popup::Accounts(p)) => accounts::draw(f, app, p),
        Some(Popup::Ban(b)) => popups::ban(f, app, b),
        Some(Popup::Takeover { by, .. }) => popups::takeover(f, &app.cfg.keymap, by),
        Some(Popup::AssignUnknown { name, .. }) => popups::assign_unknown(f, &app.cfg.keymap, name),
        Some(Popup::Handoff(h)) => handoff::draw(f, app, h),
        Some(Popup::Members(p)) => members::draw(f, app, p),
        Some(Popup::Compose(c)) => compose::draw(f, app, c),
        Some(Popup::Calendar(p)) => calendar::draw(f, app, p),
        Some(Popup::ConfirmBulk(p)) => bulk::confirm(f, app, p),
        Some(Popup::BulkDraft(p)) => bulk::draft_picker(f, app, p),
        Some(Popup::Rules(p)) => rules::draw(f, app, p),
        None => {}
    }
}

/// Makes the finished frame draw on a terminal the way ratatui believes it does:
///
/// * a wide character whose trailing cell was drawn over (a popup's border over the right half
///   of `王`) becomes a space: ratatui's diff assumes no wide cell is followed by a non-blank
///   one and skips that cell, so the terminal would keep the whole glyph and never draw the
///   border;
/// * a cluster the terminal draws as several cells (`क्ष`, `कि`: a base, then a spacing
///   letter or mark) is spread over those cells, one part each: kept as one wide cell, a later
///   frame that rewrites only its first cell would leave the second part on screen.
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
                continue;
            }
            if w > 1 && x + w <= area.right() {
                if let Some(parts) = terminal_cells(buf[(x, y)].symbol(), w) {
                    let style = buf[(x, y)].style();
                    let mut at = x;
                    for (part, pw) in parts {
                        buf[(at, y)].set_symbol(&part).set_style(style);
                        at += pw;
                    }
                }
            }
            x += w;
        }
    }
}

/// The cells a terminal puts a cluster into, when more than one and they add up to `w`: a new
/// cell at every character with a width, zero-width ones joining the cell before (as tmux and
/// wcwidth-based terminals do; a kept ZWJ joins what follows it too).
fn terminal_cells(cluster: &str, w: u16) -> Option<Vec<(String, u16)>> {
    use unicode_width::UnicodeWidthChar;
    let mut parts: Vec<(String, u16)> = Vec::new();
    for c in cluster.chars() {
        let cw = c.width().unwrap_or(0) as u16;
        match parts.last_mut() {
            Some((s, _)) if cw == 0 || s.ends_with('\u{200D}') => s.push(c),
            _ => parts.push((c.to_string(), cw)),
        }
    }
    let widths_agree = parts
        .iter()
        .all(|(s, pw)| *pw > 0 && crate::text::width(s) == usize::from(*pw));
    let total: u16 = parts.iter().map(|p| p.1).sum();
    (parts.len() > 1 && total == w && widths_agree).then_some(parts)
}

/// A centred rectangle of at most `w` x `h` inside `r`.
pub fn centered(r: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(r.width);
    let h = h.min(r.height);
    Rect::new(r.x + (r.width - w) / 2, r.y + (r.height - h) / 2, w, h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Style;

    fn row(buf: &Buffer) -> Vec<String> {
        (0..buf.area.width)
            .map(|x| buf[(x, 0)].symbol().to_string())
            .collect()
    }

    #[test]
    fn covered_wide_glyphs_blank_and_split_clusters_spread() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 8, 1));
        buf.set_string(0, 0, "王a क्ष", Style::new());
        buf[(1, 0)].set_symbol("│");
        settle_wide(&mut buf);
        assert_eq!(row(&buf), [" ", "│", "a", " ", "क्", "ष", " ", " "]);
        // A cluster that is one cell on a terminal stays one cell.
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 1));
        buf.set_string(0, 0, "👨‍👩‍👧王", Style::new());
        settle_wide(&mut buf);
        assert_eq!(row(&buf), ["👨‍👩‍👧", " ", "王", " "]);
    }
}
