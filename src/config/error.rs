//! Why a config file was refused, worded from the catalog as `FILE:LINE: key `KEY`: why`, so an
//! editor can jump to the line and a person sees which key to fix.

use super::spans::{self, Seg};
use crate::i18n::tf;
use std::fmt;

#[derive(Debug)]
pub enum ConfigError {
    Read {
        path: String,
        source: std::io::Error,
    },
    /// Not TOML, a key kith does not know, or a value of the wrong type (toml's own words).
    Parse {
        path: String,
        line: Option<usize>,
        column: usize,
        /// The key whose value has the wrong type, when toml's message does not name it.
        key: Option<String>,
        message: String,
    },
    /// A value of the right type that kith cannot use (`page_size = 0`, a slot `25:99`).
    Value {
        path: String,
        line: Option<usize>,
        key: String,
        reason: String,
    },
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keyed = |key: &Option<String>, text: &str| match key {
            Some(k) => tf("cfg.keyed", &[("key", k), ("text", &text)]),
            None => text.to_string(),
        };
        let s = match self {
            ConfigError::Read { path, source } => {
                tf("cfg.read", &[("file", path), ("error", source)])
            }
            ConfigError::Parse {
                path,
                line: Some(line),
                column,
                key,
                message,
            } => tf(
                "cfg.at_column",
                &[
                    ("file", path),
                    ("line", line),
                    ("column", column),
                    ("text", &keyed(key, message)),
                ],
            ),
            ConfigError::Parse {
                path, key, message, ..
            } => tf(
                "cfg.at_file",
                &[("file", path), ("text", &keyed(key, message))],
            ),
            ConfigError::Value {
                path,
                line,
                key,
                reason,
            } => {
                let text = keyed(&Some(key.clone()), reason);
                match line {
                    Some(line) => tf(
                        "cfg.at_line",
                        &[("file", path), ("line", line), ("text", &text)],
                    ),
                    None => tf("cfg.at_file", &[("file", path), ("text", &text)]),
                }
            }
        };
        f.write_str(&s)
    }
}

/// A value found wrong after parsing: where it is, and why (already worded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    pub at: Vec<Seg>,
    pub reason: String,
}

impl ValueError {
    pub fn new(at: &[&str], reason: String) -> ValueError {
        ValueError {
            at: at.iter().map(|k| Seg::Key(k.to_string())).collect(),
            reason,
        }
    }

    /// The element `i` of the array at this path.
    pub fn item(mut self, i: usize) -> ValueError {
        self.at.push(Seg::Index(i));
        self
    }

    /// The key `k` inside the value at this path.
    pub fn key(mut self, k: &str) -> ValueError {
        self.at.push(Seg::Key(k.to_string()));
        self
    }

    /// Placed in the file `path` whose text is `src`.
    pub fn in_file(self, path: &str, src: &str) -> ConfigError {
        ConfigError::Value {
            path: path.to_string(),
            line: spans::line_of(src, &self.at),
            key: spans::dotted(&self.at),
            reason: self.reason,
        }
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&tf(
            "cfg.keyed",
            &[("key", &spans::dotted(&self.at)), ("text", &self.reason)],
        ))
    }
}

/// A toml error in the file `path` whose text is `src`, with its line, column and key.
pub fn parse_error(path: &str, src: &str, e: &toml::de::Error) -> ConfigError {
    let message = e.message().trim().to_string();
    let (line, column, key) = match e.span() {
        Some(span) => {
            let before = src.get(..span.start.min(src.len())).unwrap_or(src);
            let column = before
                .rsplit('\n')
                .next()
                .map(|l| l.chars().count() + 1)
                .unwrap_or(1);
            let key = spans::path_at(src, span.start)
                .map(|p| spans::dotted(&p))
                .filter(|k| !k.is_empty() && !message.contains(&format!("`{k}`")));
            (Some(spans::line_at(src, span.start)), column, key)
        }
        None => (None, 0, None),
    };
    ConfigError::Parse {
        path: path.to_string(),
        line,
        column,
        key,
        message,
    }
}
