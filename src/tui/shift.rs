//! Shift work in the TUI: handoff notes on items, and the handoff summary.

use super::app::{App, Prompt};
use super::input::LineInput;
use super::msg::{Effect, Tag};
use crate::engine::api::Request;
use crate::i18n::t;

/// `n`: ask for a note on the selected item.
pub fn ask_note(app: &mut App) -> Vec<Effect> {
    if app.list.current().is_some() {
        app.prompt = Some((Prompt::Note, LineInput::default()));
    } else {
        app.info(t("tui.msg.no_selection"));
    }
    Vec::new()
}

pub fn add_note(app: &mut App, text: &str) -> Vec<Effect> {
    let Some(item) = app.list.current() else {
        return Vec::new();
    };
    if text.trim().is_empty() {
        return Vec::new();
    }
    vec![Effect::Call(
        Tag::NoteAdded(item.id),
        Request::AddNote {
            id: item.id,
            text: text.to_string(),
        },
    )]
}

/// `H`: the shift handoff summary.
pub fn handoff() -> Vec<Effect> {
    vec![Effect::Call(Tag::Handoff, Request::Handoff)]
}
