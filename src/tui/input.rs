//! A one-line text input (search, tag, snooze time, filter fields, palette query).

use crate::config::keymap::Action;
pub use crate::tui::keys::TextEdit;
use unicode_segmentation::UnicodeSegmentation;

/// Tab cycling through the names that match what was typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completion {
    /// The text as typed before the first Tab.
    pub typed: String,
    /// The match the next Tab puts in.
    pub next: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    pub text: String,
    /// Cursor as a byte offset on a grapheme boundary.
    pub cursor: usize,
}

impl LineInput {
    pub fn with(text: &str) -> Self {
        LineInput {
            text: text.to_string(),
            cursor: text.len(),
        }
    }

    /// Inserts typed or pasted text; control characters become spaces (a line has no breaks).
    pub fn insert(&mut self, s: &str) {
        let clean: String = s
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        self.text.insert_str(self.cursor, &clean);
        self.cursor += clean.len();
    }

    pub fn backspace(&mut self) {
        if let Some((i, _)) = self.text[..self.cursor].grapheme_indices(true).next_back() {
            self.text.replace_range(i..self.cursor, "");
            self.cursor = i;
        }
    }

    pub fn delete(&mut self) {
        if let Some(g) = self.text[self.cursor..].graphemes(true).next() {
            let end = self.cursor + g.len();
            self.text.replace_range(self.cursor..end, "");
        }
    }

    pub fn left(&mut self) {
        if let Some((i, _)) = self.text[..self.cursor].grapheme_indices(true).next_back() {
            self.cursor = i;
        }
    }

    pub fn right(&mut self) {
        if let Some(g) = self.text[self.cursor..].graphemes(true).next() {
            self.cursor += g.len();
        }
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.text.len();
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }
}
impl TextEdit for LineInput {
    /// Applies an editing action (the `input` context); false when it is not one for a line.
    fn apply(&mut self, a: Action) -> bool {
        match a {
            Action::CursorLeft => self.left(),
            Action::CursorRight => self.right(),
            Action::LineStart => self.home(),
            Action::LineEnd => self.end(),
            Action::DeleteBack => self.backspace(),
            Action::DeleteForward => self.delete(),
            Action::DeleteToStart => {
                self.text.replace_range(..self.cursor, "");
                self.cursor = 0;
            }
            _ => return false,
        }
        true
    }

    fn type_char(&mut self, c: char) {
        self.insert(c.encode_utf8(&mut [0; 4]));
    }
}
