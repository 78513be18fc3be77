//! A catalog message not yet worded: a key and its arguments. The engine answers with phrases
//! and every front end words them in its own language, since operators attached to one engine
//! may read different ones.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Words a catalog key with its arguments in some language.
type Fill<'a> = dyn Fn(&str, &[(&str, &dyn fmt::Display)]) -> String + 'a;

/// A catalog key with named arguments, worded when shown (`Display`, in the current language).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phrase {
    /// The catalog key; empty for text that is not from the catalog (a platform's own words).
    pub key: String,
    #[serde(default)]
    pub args: Vec<(String, Arg)>,
}

/// An argument: text as it is (a number, a name, a platform's message), or another phrase worded
/// in the same language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Arg {
    Text(String),
    Phrase(Phrase),
}

impl Phrase {
    /// A catalog message; `args` are formatted now (they are names, numbers and outside text).
    pub fn new(key: &str, args: &[(&str, &dyn fmt::Display)]) -> Phrase {
        Phrase {
            key: key.to_string(),
            args: args
                .iter()
                .map(|(n, v)| (n.to_string(), Arg::Text(v.to_string())))
                .collect(),
        }
    }

    /// Text shown as it is, in every language.
    pub fn raw(text: impl Into<String>) -> Phrase {
        Phrase {
            key: String::new(),
            args: vec![("text".into(), Arg::Text(text.into()))],
        }
    }

    /// Phrases shown one after the other (each worded in the reader's language).
    pub fn concat(parts: Vec<Phrase>) -> Phrase {
        Phrase {
            key: String::new(),
            args: parts
                .into_iter()
                .enumerate()
                .map(|(i, p)| (i.to_string(), Arg::Phrase(p)))
                .collect(),
        }
    }

    /// Adds an argument that is itself a phrase (worded in the reader's language too).
    pub fn with(mut self, name: &str, value: Phrase) -> Phrase {
        self.args.push((name.to_string(), Arg::Phrase(value)));
        self
    }

    /// Worded in `lang`.
    pub fn word_in(&self, lang: super::Lang) -> String {
        self.word(&move |key, args| super::tf_in(lang, key, args))
    }

    fn word(&self, fill: &Fill<'_>) -> String {
        let args: Vec<(String, String)> = self
            .args
            .iter()
            .map(|(n, a)| {
                let v = match a {
                    Arg::Text(s) => s.clone(),
                    Arg::Phrase(p) => p.word(fill),
                };
                (n.clone(), v)
            })
            .collect();
        if self.key.is_empty() {
            return args
                .into_iter()
                .map(|(_, v)| v)
                .collect::<Vec<_>>()
                .concat();
        }
        let refs: Vec<(&str, &dyn fmt::Display)> = args
            .iter()
            .map(|(n, v)| (n.as_str(), v as &dyn fmt::Display))
            .collect();
        fill(&self.key, &refs)
    }
}

/// Marks a phrase kept inside a stored text field (post attempt logs, a failed reply's reason),
/// so the field keeps its type and older plain texts still read as they are.
const STORED: char = '\u{1}';

impl Phrase {
    /// The phrase as a text field's value: worded later by `shown`.
    pub fn to_stored(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        format!("{STORED}{json}")
    }
}

/// A stored text field as its reader should see it: a kept phrase worded in the reader's
/// language, anything else as it is.
pub fn shown(stored: &str) -> String {
    stored
        .strip_prefix(STORED)
        .and_then(|json| serde_json::from_str::<Phrase>(json).ok())
        .map(|p| p.to_string())
        .unwrap_or_else(|| stored.to_string())
}

impl fmt::Display for Phrase {
    /// Worded in the current language (the front end's).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.word(&super::tf))
    }
}

/// Short for `Phrase::new`.
pub fn ph(key: &str, args: &[(&str, &dyn fmt::Display)]) -> Phrase {
    Phrase::new(key, args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn one_phrase_is_worded_in_each_readers_language() {
        let p = ph("err.not_found", &[("id", &"abc")]);
        assert_eq!(p.word_in(Lang::En), "no item abc");
        assert_eq!(
            p.word_in(Lang::Ru),
            crate::i18n::tf_in(Lang::Ru, "err.not_found", &[("id", &"abc")])
        );
        assert_ne!(p.word_in(Lang::Ru), p.word_in(Lang::En));
        // Through JSON (the socket) and back, unchanged.
        let json = serde_json::to_string(&p).expect("json");
        assert_eq!(serde_json::from_str::<Phrase>(&json).expect("back"), p);
        assert_eq!(
            Phrase::raw("The access token is invalid").word_in(Lang::Zh),
            "The access token is invalid"
        );
        let kept = ph("err.not_found", &[("id", &9)]).to_stored();
        assert_eq!(shown(&kept), ph("err.not_found", &[("id", &9)]).to_string());
        assert_eq!(shown("plain words"), "plain words");
        let nested = ph("err.store", &[]).with("error", ph("err.not_found", &[("id", &7)]));
        assert!(nested
            .word_in(Lang::Ru)
            .contains(&ph("err.not_found", &[("id", &7)]).word_in(Lang::Ru)));
    }
}
