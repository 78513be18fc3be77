//! The keymap as data: key sequences bound to named actions, one section per context, read from
//! `assets/keymap.default.toml` and patched by the user's `keymap.toml`. Knows no terminal library:
//! keys are plain `Chord`s that the TUI builds from its own events.

mod actions;
mod chord;

pub use actions::{Action, Context};
pub use chord::{parse_sequence, sequence_label, Chord, Key};

use crate::i18n::tf;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

pub const DEFAULT_KEYMAP: &str = include_str!("../../../assets/keymap.default.toml");

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
                    Some(a) if a.allowed_in(ctx) => {
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

    /// Every sequence bound to `action` in `ctx`, in a stable order (shortest first).
    pub fn keys_for(&self, ctx: Context, action: Action) -> Vec<Vec<Chord>> {
        let mut v: Vec<Vec<Chord>> = self
            .bindings
            .get(&ctx)
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

    /// The keys of `action` in `ctx` as help shows them (`j, ↓`), or None when unbound.
    pub fn label(&self, ctx: Context, action: Action) -> Option<String> {
        let keys = self.keys_for(ctx, action);
        (!keys.is_empty()).then(|| {
            keys.iter()
                .map(|k| sequence_label(k))
                .collect::<Vec<_>>()
                .join(", ")
        })
    }

    /// The first key of `action` in `ctx` (for footers and hints).
    pub fn first_key(&self, ctx: Context, action: Action) -> Option<String> {
        self.keys_for(ctx, action)
            .first()
            .map(|k| sequence_label(k))
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
        for ctx in Context::ALL {
            for a in ctx.actions() {
                assert!(
                    !k.keys_for(ctx, *a).is_empty(),
                    "{} has no key in [{}]",
                    a.name(),
                    ctx.name()
                );
            }
        }
        for a in Action::ALL {
            assert!(
                Context::ALL.iter().any(|c| a.allowed_in(*c)),
                "{} belongs to no context",
                a.name()
            );
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
