//! The snooze popup: presets from the config plus a typed time (`45m`, `tomorrow`, a date).

use crate::domain::{time::parse_until, Timestamp};
use crate::tui::input::LineInput;
use crossterm::event::{KeyCode, KeyEvent};

#[derive(Debug, Clone, Default)]
pub struct SnoozeForm {
    pub presets: Vec<String>,
    /// Index into presets; `presets.len()` is the typed entry.
    pub selected: usize,
    pub input: LineInput,
    pub error: bool,
}

pub enum Outcome {
    Stay,
    Cancel,
    Until(Timestamp),
}

impl SnoozeForm {
    pub fn new(presets: Vec<String>) -> Self {
        SnoozeForm {
            presets,
            ..SnoozeForm::default()
        }
    }

    pub fn key(&mut self, key: &KeyEvent, now: Timestamp) -> Outcome {
        let custom = self.selected >= self.presets.len();
        match key.code {
            KeyCode::Esc => return Outcome::Cancel,
            KeyCode::Enter => {
                let text = if custom {
                    self.input.text.clone()
                } else {
                    self.presets[self.selected].clone()
                };
                match parse_until(&text, now).filter(|t| *t > now) {
                    Some(t) => return Outcome::Until(t),
                    None => self.error = true,
                }
            }
            KeyCode::Down | KeyCode::Tab => {
                self.selected = (self.selected + 1) % (self.presets.len() + 1)
            }
            KeyCode::Up | KeyCode::BackTab => {
                self.selected = (self.selected + self.presets.len()) % (self.presets.len() + 1)
            }
            KeyCode::Char('j') if !custom => self.selected += 1,
            KeyCode::Char('k') if !custom => self.selected = self.selected.saturating_sub(1),
            KeyCode::Char(c)
                if !custom
                    && c.is_ascii_digit()
                    && (c as usize - '0' as usize) >= 1
                    && (c as usize - '0' as usize) <= self.presets.len() =>
            {
                let i = c as usize - '1' as usize;
                if let Some(t) = parse_until(&self.presets[i], now).filter(|t| *t > now) {
                    return Outcome::Until(t);
                }
            }
            _ => {
                self.error = false;
                if self.input.handle(key) {
                    self.selected = self.presets.len();
                }
            }
        }
        self.selected = self.selected.min(self.presets.len());
        Outcome::Stay
    }
}
