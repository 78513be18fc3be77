//! The snooze popup: presets from the config plus a typed time (`45m`, `tomorrow`, a date).

use crate::config::keymap::Action;
use crate::domain::{time::parse_until, Timestamp};
use crate::tui::input::LineInput;
use crate::tui::keys::Input;
use crate::tui::keys::TextEdit;

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

    /// Whether the typed time has the keyboard (characters go to it).
    pub fn typing(&self) -> bool {
        self.selected >= self.presets.len()
    }

    /// A key press, as the keymap's `snooze` context (and `input` while typing) reads it.
    pub fn act(&mut self, input: Input, now: Timestamp) -> Outcome {
        let custom = self.typing();
        let n = self.presets.len();
        match input {
            Input::Act(Action::Cancel) => return Outcome::Cancel,
            Input::Act(Action::Submit) => {
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
            Input::Act(Action::Down) => self.selected = (self.selected + 1) % (n + 1),
            Input::Act(Action::Up) => self.selected = (self.selected + n) % (n + 1),
            // On the list, a preset's number takes it at once.
            Input::Text(c)
                if !custom && c.to_digit(10).is_some_and(|d| d >= 1 && d as usize <= n) =>
            {
                let i = c.to_digit(10).unwrap_or(1) as usize - 1;
                if let Some(t) = parse_until(&self.presets[i], now).filter(|t| *t > now) {
                    return Outcome::Until(t);
                }
            }
            // Anything else typed starts (or goes on with) a time of one's own.
            Input::Text(c) => {
                self.error = false;
                self.input.type_char(c);
                self.selected = n;
            }
            Input::Act(a) if custom => {
                self.error = false;
                self.input.apply(a);
            }
            _ => {}
        }
        self.selected = self.selected.min(n);
        Outcome::Stay
    }
}
