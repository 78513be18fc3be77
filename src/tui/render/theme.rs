//! Colours and emphasis in one place.

use ratatui::style::{Color, Modifier, Style};

pub fn title() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}
pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}
pub fn header() -> Style {
    Style::new().fg(Color::Gray).add_modifier(Modifier::BOLD)
}
pub fn selected(focused: bool) -> Style {
    if focused {
        Style::new().add_modifier(Modifier::REVERSED)
    } else {
        Style::new().bg(Color::DarkGray)
    }
}
pub fn border(focused: bool) -> Style {
    if focused {
        Style::new().fg(Color::Cyan)
    } else {
        Style::new().fg(Color::DarkGray)
    }
}
pub fn demo() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(Color::Yellow)
        .add_modifier(Modifier::BOLD)
}
pub fn error() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}
pub fn info() -> Style {
    Style::new().fg(Color::Green)
}
pub fn badge() -> Style {
    Style::new().fg(Color::Yellow)
}
/// A row picked for a bulk action: its marker, and the rest of the row.
pub fn picked() -> Style {
    Style::new().fg(Color::Green).add_modifier(Modifier::BOLD)
}
pub fn picked_row() -> Style {
    Style::new().fg(Color::Green)
}
pub fn new_item() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}
pub fn status(s: crate::domain::Status) -> Style {
    use crate::domain::Status::*;
    match s {
        New => Style::new().fg(Color::Yellow),
        Open => Style::new().fg(Color::Cyan),
        Snoozed => Style::new().fg(Color::Magenta),
        Done => Style::new().fg(Color::Green),
        Hidden | Spam => Style::new().fg(Color::DarkGray),
    }
}
/// A response clock: plain while there is time, yellow past half the target, red past it.
pub fn clock(level: Option<crate::domain::clock::Level>) -> Style {
    use crate::domain::clock::Level::*;
    match level {
        Some(Soon) => Style::new().fg(Color::Yellow),
        Some(Breached) => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        Some(Ok) | None => Style::new(),
    }
}
/// Waiting for an approver, or sent back by one (approvals).
pub fn awaiting() -> Style {
    Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD)
}
pub fn stars() -> Style {
    Style::new().fg(Color::Yellow)
}

/// A bordered pane or popup with its title, highlighted when it has the focus.
pub fn panel(title: &str, focused: bool) -> ratatui::widgets::Block<'static> {
    ratatui::widgets::Block::bordered()
        .border_style(border(focused))
        .title(ratatui::text::Span::styled(
            format!(" {title} "),
            self::title(),
        ))
}
