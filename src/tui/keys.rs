//! The keymap dispatcher: terminal key events become keymap chords, and chords (or sequences,
//! `g g`) become actions of the contexts a panel is in, or text for the panel that is typing.
//! The only place in the TUI that looks at key codes.

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

/// The key event a chord stands for (the inverse of `chord`; for driving the app headless).
pub fn key_event(c: Chord) -> KeyEvent {
    let code = match c.key {
        Key::Char(ch) => KeyCode::Char(ch),
        Key::Enter => KeyCode::Enter,
        Key::Esc => KeyCode::Esc,
        Key::Tab => KeyCode::Tab,
        Key::BackTab => KeyCode::BackTab,
        Key::Backspace => KeyCode::Backspace,
        Key::Delete => KeyCode::Delete,
        Key::Insert => KeyCode::Insert,
        Key::Up => KeyCode::Up,
        Key::Down => KeyCode::Down,
        Key::Left => KeyCode::Left,
        Key::Right => KeyCode::Right,
        Key::Home => KeyCode::Home,
        Key::End => KeyCode::End,
        Key::PageUp => KeyCode::PageUp,
        Key::PageDown => KeyCode::PageDown,
        Key::F(n) => KeyCode::F(n),
    };
    let mut m = KeyModifiers::NONE;
    if c.ctrl {
        m |= KeyModifiers::CONTROL;
    }
    if c.alt {
        m |= KeyModifiers::ALT;
    }
    if c.shift || matches!(c.key, Key::Char(ch) if ch.is_uppercase()) {
        m |= KeyModifiers::SHIFT;
    }
    KeyEvent::new(code, m)
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

/// Text that can be edited from the keyboard: the one-line input and the multi-line editor.
pub trait TextEdit {
    /// Applies an editing action (the `input` context); false when it is not one for this text.
    fn apply(&mut self, a: Action) -> bool;
    /// Types one character.
    fn type_char(&mut self, c: char);
    /// Takes a key press meant for the text: a character or an editing action. False when it
    /// was neither (the caller may give it another meaning).
    fn take(&mut self, input: Input) -> bool {
        match input {
            Input::Text(c) => {
                self.type_char(c);
                true
            }
            Input::Act(a) => self.apply(a),
            _ => false,
        }
    }
}

/// What a key press means to the panel that has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Act(Action),
    /// A character to insert (typed where text is being written, or unbound elsewhere: a panel
    /// may take it as the start of an answer, like the snooze popup's typed time).
    Text(char),
    /// Waiting for the rest of a sequence.
    Pending,
    /// Bound to nothing here.
    Unbound,
}

/// Resolves one key press in `ctxs` (most specific first). While `typing`, plain characters are
/// text whatever they are bound to; other chords are looked up in each context in turn
/// (sequences only in the first); an unbound plain character is text too.
pub fn dispatch(
    map: &Keymap,
    ctxs: &[Context],
    typing: bool,
    pending: &mut Vec<Chord>,
    ev: &KeyEvent,
) -> Input {
    let Some(c) = chord(ev) else {
        return Input::Unbound;
    };
    let plain_char = match c.key {
        Key::Char(ch) if !c.ctrl && !c.alt && !ch.is_control() => Some(ch),
        _ => None,
    };
    if typing {
        if let Some(ch) = plain_char {
            pending.clear();
            return Input::Text(ch);
        }
    }
    let Some((first, rest)) = ctxs.split_first() else {
        return Input::Unbound;
    };
    match resolve(map, *first, pending, c) {
        Resolved::Action(a) => return Input::Act(a),
        Resolved::Pending => return Input::Pending,
        Resolved::Unbound => {}
    }
    for ctx in rest {
        if let Lookup::Action(a) = map.lookup(*ctx, &[c]) {
            return Input::Act(a);
        }
    }
    match plain_char {
        Some(ch) => Input::Text(ch),
        None => Input::Unbound,
    }
}
