//! Terminal key events as keymap chords, and key sequences (`g g`) resolved against the keymap.

use crate::config::keymap::{Action, Chord, Context, Key, Keymap, Lookup};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// The chord a key event stands for; None for releases and keys the keymap cannot name.
pub fn chord(ev: &KeyEvent) -> Option<Chord> {
    if ev.kind == KeyEventKind::Release {
        return None;
    }
    let key = match ev.code {
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Delete => Key::Delete,
        KeyCode::Insert => Key::Insert,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::F(n) => Key::F(n),
        _ => return None,
    };
    let m = ev.modifiers;
    let c = Chord {
        key,
        ctrl: m.contains(KeyModifiers::CONTROL),
        alt: m.contains(KeyModifiers::ALT),
        shift: m.contains(KeyModifiers::SHIFT),
    };
    Some(c.normalized())
}

/// Result of feeding one chord to the pending sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    Action(Action),
    /// Waiting for the rest of a sequence.
    Pending,
    Unbound,
}

/// Extends `pending` with `c`. An unknown continuation drops the prefix and tries `c` alone.
pub fn resolve(map: &Keymap, ctx: Context, pending: &mut Vec<Chord>, c: Chord) -> Resolved {
    pending.push(c);
    match map.lookup(ctx, pending) {
        Lookup::Action(a) => {
            pending.clear();
            Resolved::Action(a)
        }
        Lookup::Prefix => Resolved::Pending,
        Lookup::None if pending.len() > 1 => {
            pending.clear();
            resolve(map, ctx, pending, c)
        }
        Lookup::None => {
            pending.clear();
            Resolved::Unbound
        }
    }
}
