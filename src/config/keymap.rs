//! The keymap as data: key sequences bound to named actions per context, read from
//! `assets/keymap.default.toml` and patched by the user's `keymap.toml`. Knows no terminal library:
//! keys are plain `Chord`s that the TUI builds from its own events.

use crate::i18n::tf;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.default.toml");

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    /// The main screen: sidebar, list and detail.
    Normal,
    /// The reply editor.
    Editor,
}

impl Context {
    pub const ALL: [Context; 2] = [Context::Normal, Context::Editor];

    pub fn name(self) -> &'static str {
        match self {
            Context::Normal => "normal",
            Context::Editor => "editor",
        }
    }
}

macro_rules! actions {
    ($($variant:ident = $name:literal in $ctx:ident),* $(,)?) => {
        /// A user intent. The names are the keymap's vocabulary; each has a catalog description
        /// under `tui.action.<name>`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant),* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),* }
            }

            pub fn context(self) -> Context {
                match self { $(Action::$variant => Context::$ctx),* }
            }
        }
    };
}

actions! {
    Down = "down" in Normal,
    Up = "up" in Normal,
    PageDown = "page_down" in Normal,
    PageUp = "page_up" in Normal,
    HalfPageDown = "half_page_down" in Normal,
    HalfPageUp = "half_page_up" in Normal,
    Top = "top" in Normal,
    Bottom = "bottom" in Normal,
    Open = "open" in Normal,
    Back = "back" in Normal,
    NextPane = "next_pane" in Normal,
    PrevPane = "prev_pane" in Normal,
    NextView = "next_view" in Normal,
    PrevView = "prev_view" in Normal,
    Search = "search" in Normal,
    Filter = "filter" in Normal,
    Done = "done" in Normal,
    Reopen = "reopen" in Normal,
    Snooze = "snooze" in Normal,
    Tag = "tag" in Normal,
    Spam = "spam" in Normal,
    Hide = "hide" in Normal,
    Undo = "undo" in Normal,
    Reply = "reply" in Normal,
    CopyLink = "copy_link" in Normal,
    Like = "like" in Normal,
    HideRemote = "hide_remote" in Normal,
    DeleteRemote = "delete_remote" in Normal,
    Mute = "mute" in Normal,
    Dismiss = "dismiss" in Normal,
    Accounts = "accounts" in Normal,
    RetryReply = "retry_reply" in Normal,
    Claim = "claim" in Normal,
    Release = "release" in Normal,
    Assign = "assign" in Normal,
    Note = "note" in Normal,
    Handoff = "handoff" in Normal,
    Members = "members" in Normal,
    Compose = "compose" in Normal,
    Calendar = "calendar" in Normal,
    Refresh = "refresh" in Normal,
    Help = "help" in Normal,
    Palette = "palette" in Normal,
    Quit = "quit" in Normal,
    Send = "send" in Editor,
    Cancel = "cancel" in Editor,
    SavedReplies = "saved_replies" in Editor,
}

impl Action {
    pub fn from_name(s: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == s)
    }

    /// Catalog key of the one-line description shown in help and the palette.
    pub fn desc_key(self) -> String {
        format!("tui.action.{}", self.name())
    }
}

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

/// A problem in a keymap file; the entry is skipped and the default stays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeymapError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for KeymapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Line 0: the file as a whole (it could not be read).
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

/// Bindings per context. A sequence maps to one action; an action may have many sequences.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keymap {
    pub bindings: BTreeMap<Context, BTreeMap<Vec<Chord>, Action>>,
}

type RawFile = BTreeMap<String, BTreeMap<String, toml::Spanned<toml::Value>>>;

impl Keymap {
    /// The built-in defaults (the bundled file always parses; a test makes sure).
    pub fn defaults() -> Keymap {
        let mut k = Keymap::default();
        let _ = k.patch(DEFAULT_KEYMAP, "built-in keymap");
        k
    }

    /// Defaults patched by the user's file at `path` (missing file = defaults). Problems are
    /// returned alongside; each bad entry keeps its default.
    pub fn load(path: &Path) -> (Keymap, Vec<KeymapError>) {
        let mut k = Keymap::defaults();
        match std::fs::read_to_string(path) {
            Ok(src) => {
                let errors = k.patch(&src, &path.display().to_string());
                (k, errors)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (k, Vec::new()),
            Err(e) => {
                let err = KeymapError {
                    file: path.display().to_string(),
                    line: 0,
                    message: e.to_string(),
                };
                (k, vec![err])
            }
        }
    }

    /// Applies `src` on top: `"key" = "action"` binds, `"key" = "none"` unbinds.
    pub fn patch(&mut self, src: &str, file: &str) -> Vec<KeymapError> {
        let err = |line: usize, message: String| KeymapError {
            file: file.to_string(),
            line,
            message,
        };
        let raw: RawFile = match toml::from_str(src) {
            Ok(r) => r,
            Err(e) => {
                let line = e.span().map(|s| line_of(src, s.start)).unwrap_or(0);
                return vec![err(line, e.message().trim().to_string())];
            }
        };
        let mut errors = Vec::new();
        for (section, entries) in raw {
            let Some(ctx) = Context::ALL.into_iter().find(|c| c.name() == section) else {
                let line = entries
                    .values()
                    .next()
                    .map(|v| line_of(src, v.span().start))
                    .unwrap_or(0);
                let known: Vec<&str> = Context::ALL.iter().map(|c| c.name()).collect();
                errors.push(err(
                    line,
                    tf(
                        "cfg.keymap.section",
                        &[("section", &section), ("known", &known.join(", "))],
                    ),
                ));
                continue;
            };
            for (keys, value) in entries {
                let line = line_of(src, value.span().start);
                let Some(seq) = parse_sequence(&keys) else {
                    errors.push(err(
                        line,
                        tf("cfg.keymap.not_a_key", &[("key", &format!("{keys:?}"))]),
                    ));
                    continue;
                };
                let Some(name) = value.get_ref().as_str() else {
                    errors.push(err(
                        line,
                        tf("cfg.keymap.not_text", &[("key", &format!("{keys:?}"))]),
                    ));
                    continue;
                };
                let map = self.bindings.entry(ctx).or_default();
                if name == "none" {
                    map.remove(&seq);
                    continue;
                }
                match Action::from_name(name) {
                    Some(a) if a.context() == ctx => {
                        map.insert(seq, a);
                    }
                    Some(_) => errors.push(err(
                        line,
                        tf(
                            "cfg.keymap.elsewhere",
                            &[
                                ("key", &format!("{keys:?}")),
                                ("action", &format!("{name:?}")),
                                ("section", &section),
                            ],
                        ),
                    )),
                    None => errors.push(err(
                        line,
                        tf(
                            "cfg.keymap.unknown_action",
                            &[
                                ("key", &format!("{keys:?}")),
                                ("action", &format!("{name:?}")),
                            ],
                        ),
                    )),
                }
            }
        }
        errors
    }

    /// Every sequence bound to `action`, in a stable order (shortest first).
    pub fn keys_for(&self, action: Action) -> Vec<Vec<Chord>> {
        let mut v: Vec<Vec<Chord>> = self
            .bindings
            .get(&action.context())
            .map(|m| {
                m.iter()
                    .filter(|(_, a)| **a == action)
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .unwrap_or_default();
        v.sort_by_key(|k| {
            (
                k.len(),
                sequence_label(k).chars().count() > 1,
                sequence_label(k),
            )
        });
        v
    }

    /// What pressing `seq` means in `ctx`: an action, a prefix of longer sequences, or nothing.
    pub fn lookup(&self, ctx: Context, seq: &[Chord]) -> Lookup {
        let Some(map) = self.bindings.get(&ctx) else {
            return Lookup::None;
        };
        if let Some(a) = map.get(seq) {
            return Lookup::Action(*a);
        }
        if map
            .keys()
            .any(|k| k.len() > seq.len() && k.starts_with(seq))
        {
            Lookup::Prefix
        } else {
            Lookup::None
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Action(Action),
    Prefix,
    None,
}

fn line_of(src: &str, offset: usize) -> usize {
    src[..offset.min(src.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_cleanly_and_cover_every_action() {
        let mut k = Keymap::default();
        let errors = k.patch(DEFAULT_KEYMAP, "default");
        assert!(errors.is_empty(), "{errors:?}");
        for a in Action::ALL {
            assert!(!k.keys_for(*a).is_empty(), "{} has no key", a.name());
        }
        let gg = parse_sequence("g g").expect("seq");
        assert_eq!(k.lookup(Context::Normal, &gg), Lookup::Action(Action::Top));
        assert_eq!(k.lookup(Context::Normal, &gg[..1]), Lookup::Prefix);
    }

    #[test]
    fn chords_parse_and_print() {
        for (s, shown) in [
            ("ctrl-d", "ctrl-d"),
            ("G", "G"),
            ("pgdn", "pgdn"),
            ("shift-tab", "shift-tab"),
            ("space", "space"),
            ("alt-enter", "alt-enter"),
            ("C-U", "ctrl-u"),
            ("-", "-"),
            ("!", "!"),
        ] {
            assert_eq!(
                Chord::parse(s).map(|c| c.to_string()).as_deref(),
                Some(shown),
                "{s}"
            );
        }
        assert!(Chord::parse("ctrl-").is_none());
        assert!(Chord::parse("bogus").is_none());
        assert!(Chord::parse("f99").is_none());
    }

    #[test]
    fn user_file_patches_and_reports_bad_lines() {
        let mut k = Keymap::defaults();
        let src = "[normal]\n\"J\" = \"down\"\n\"j\" = \"none\"\n\"zz\" = \"down\"\n\"K\" = \"fly\"\n\"ctrl-s\" = \"send\"\n[nope]\n\"a\" = \"up\"\n";
        let errors = k.patch(src, "keymap.toml");
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(
            errors
                .iter()
                .any(|e| e.line == 4 && e.message.contains("zz")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.line == 5 && e.message.contains("fly")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.line == 6 && e.message.contains("send")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.line == 8 && e.message.contains("nope")),
            "{errors:?}"
        );
        assert!(errors.iter().all(|e| e.file == "keymap.toml"));
        let j = parse_sequence("j").expect("j");
        let big_j = parse_sequence("J").expect("J");
        assert_eq!(k.lookup(Context::Normal, &j), Lookup::None);
        assert_eq!(
            k.lookup(Context::Normal, &big_j),
            Lookup::Action(Action::Down)
        );
        // Bad entries leave the defaults alone.
        let k_up = parse_sequence("k").expect("k");
        assert_eq!(k.lookup(Context::Normal, &k_up), Lookup::Action(Action::Up));
    }

    #[test]
    fn syntax_error_keeps_defaults_and_names_the_line() {
        let mut k = Keymap::defaults();
        let errors = k.patch("[normal]\n\"j\" = \"down\"\n\"k\" = \n", "keymap.toml");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3, "{errors:?}");
        assert_eq!(k, Keymap::defaults());
    }
}
