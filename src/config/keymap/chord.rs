//! Keys and chords as the keymap file spells them: `j`, `G`, `ctrl-d`, `alt-enter`, `g g`.

use std::fmt;

/// A key without modifiers, named the way the keymap file spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    F(u8),
}

/// One key press with modifiers. For characters, shift is part of the character (`G`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Chord {
    pub key: Key,
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
}

impl Chord {
    pub fn plain(key: Key) -> Chord {
        Chord {
            key,
            ctrl: false,
            alt: false,
            shift: false,
        }
    }

    /// Normalizes so that equal presses compare equal (`shift-tab` is `backtab`, `G` has no shift).
    pub fn normalized(mut self) -> Chord {
        match self.key {
            Key::Char(_) => self.shift = false,
            Key::BackTab => self.shift = false,
            Key::Tab if self.shift => {
                self.key = Key::BackTab;
                self.shift = false;
            }
            _ => {}
        }
        if let (Key::Char(c), true) = (self.key, self.ctrl) {
            // Terminals report ctrl-D and ctrl-d alike.
            self.key = Key::Char(c.to_ascii_lowercase());
        }
        self
    }

    /// Parses one chord: `j`, `G`, `ctrl-d`, `alt-enter`, `pgdn`, `space`, `f1`.
    pub fn parse(s: &str) -> Option<Chord> {
        let mut rest = s;
        let mut c = Chord::plain(Key::Char(' '));
        loop {
            let lower = rest.to_ascii_lowercase();
            let strip = |p: &str| lower.starts_with(p) && rest.len() > p.len();
            if strip("ctrl-") {
                c.ctrl = true;
                rest = &rest[5..];
            } else if strip("c-") {
                c.ctrl = true;
                rest = &rest[2..];
            } else if strip("alt-") {
                c.alt = true;
                rest = &rest[4..];
            } else if strip("a-") || strip("m-") {
                c.alt = true;
                rest = &rest[2..];
            } else if strip("shift-") {
                c.shift = true;
                rest = &rest[6..];
            } else if strip("s-") {
                c.shift = true;
                rest = &rest[2..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        c.key = match (chars.next(), chars.next()) {
            (Some(ch), None) if !ch.is_control() => Key::Char(ch),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" | "cr" => Key::Enter,
                "esc" | "escape" => Key::Esc,
                "tab" => Key::Tab,
                "backtab" => Key::BackTab,
                "backspace" | "bs" => Key::Backspace,
                "delete" | "del" => Key::Delete,
                "insert" | "ins" => Key::Insert,
                "up" => Key::Up,
                "down" => Key::Down,
                "left" => Key::Left,
                "right" => Key::Right,
                "home" => Key::Home,
                "end" => Key::End,
                "pgup" | "pageup" => Key::PageUp,
                "pgdn" | "pagedown" => Key::PageDown,
                "space" => Key::Char(' '),
                "minus" => Key::Char('-'),
                f if f.starts_with('f') => match f[1..].parse::<u8>() {
                    Ok(n) if (1..=24).contains(&n) => Key::F(n),
                    _ => return None,
                },
                _ => return None,
            },
        };
        Some(c.normalized())
    }
}

impl fmt::Display for Chord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        if self.shift {
            f.write_str("shift-")?;
        }
        match self.key {
            Key::Char(' ') => f.write_str("space"),
            Key::Char(c) => write!(f, "{c}"),
            Key::Enter => f.write_str("enter"),
            Key::Esc => f.write_str("esc"),
            Key::Tab => f.write_str("tab"),
            Key::BackTab => f.write_str("shift-tab"),
            Key::Backspace => f.write_str("backspace"),
            Key::Delete => f.write_str("delete"),
            Key::Insert => f.write_str("insert"),
            Key::Up => f.write_str("↑"),
            Key::Down => f.write_str("↓"),
            Key::Left => f.write_str("←"),
            Key::Right => f.write_str("→"),
            Key::Home => f.write_str("home"),
            Key::End => f.write_str("end"),
            Key::PageUp => f.write_str("pgup"),
            Key::PageDown => f.write_str("pgdn"),
            Key::F(n) => write!(f, "f{n}"),
        }
    }
}

/// Parses a key sequence: chords separated by spaces (`g g`).
pub fn parse_sequence(s: &str) -> Option<Vec<Chord>> {
    let seq: Option<Vec<Chord>> = s.split_whitespace().map(Chord::parse).collect();
    seq.filter(|v| !v.is_empty())
}

pub fn sequence_label(seq: &[Chord]) -> String {
    seq.iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}
