//! `[tags]`: colours for item tags in the list (`colors = { delivery = "yellow", vip =
//! "#ff8800" }`), checked when the file is read; the front end turns them into its colours.

use super::error::ValueError;
use crate::i18n::tf;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// `[tags]` as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TagsConfig {
    /// Tag name (any case) → colour name or `#rrggbb`.
    pub colors: BTreeMap<String, String>,
}

/// The terminal's sixteen colours, in ANSI order, by the names the config takes.
pub const NAMES: [&str; 16] = [
    "black",
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "gray",
    "darkgray",
    "lightred",
    "lightgreen",
    "lightyellow",
    "lightblue",
    "lightmagenta",
    "lightcyan",
    "white",
];

/// A colour a tag is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagColor {
    /// One of [`NAMES`], by its index.
    Named(u8),
    Rgb(u8, u8, u8),
}

impl TagColor {
    /// `yellow`, `light-blue`, `Dark_Grey`, `#ff8800` (case, `-`, `_` and spaces ignored in
    /// names; `grey` is `gray`).
    pub fn parse(s: &str) -> Option<TagColor> {
        let s = s.trim();
        if let Some(hex) = s.strip_prefix('#') {
            if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
            return Some(TagColor::Rgb(byte(0)?, byte(2)?, byte(4)?));
        }
        let name: String = s
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .collect::<String>()
            .to_ascii_lowercase()
            .replace("grey", "gray");
        NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| TagColor::Named(i as u8))
    }
}

impl TagsConfig {
    /// The colours by folded tag name; the first problem found, with its key.
    pub fn colors(&self) -> Result<HashMap<String, TagColor>, ValueError> {
        let mut out = HashMap::new();
        for (name, value) in &self.colors {
            let at = |reason: String| ValueError::new(&["tags", "colors", name], reason);
            if !crate::domain::tag::valid(name) {
                return Err(at(tf(
                    "tags.cfg.name",
                    &[("max", &crate::domain::tag::MAX_CHARS)],
                )));
            }
            let Some(c) = TagColor::parse(value) else {
                let shown = format!("{:?}", crate::text::sanitize_line(value, 40).text);
                return Err(at(tf(
                    "tags.cfg.color",
                    &[("value", &shown), ("names", &NAMES.join(", "))],
                )));
            };
            if out.insert(crate::domain::tag::fold(name), c).is_some() {
                return Err(at(tf("tags.cfg.twice", &[])));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_hex_parse() {
        assert_eq!(TagColor::parse("yellow"), Some(TagColor::Named(3)));
        assert_eq!(TagColor::parse("Light-Blue"), Some(TagColor::Named(12)));
        assert_eq!(TagColor::parse("dark_grey"), Some(TagColor::Named(8)));
        assert_eq!(
            TagColor::parse("#FF8800"),
            Some(TagColor::Rgb(0xff, 0x88, 0))
        );
        for bad in ["", "orange", "#ff88", "#gg8800", "#ff88001", "ff8800"] {
            assert_eq!(TagColor::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn colours_are_keyed_by_folded_name() {
        let c = TagsConfig {
            colors: [("VIP".to_string(), "#ff8800".to_string())].into(),
        };
        assert_eq!(
            c.colors().expect("ok").get("vip"),
            Some(&TagColor::Rgb(0xff, 0x88, 0))
        );
        let twice = TagsConfig {
            colors: [
                ("VIP".to_string(), "red".to_string()),
                ("vip".to_string(), "blue".to_string()),
            ]
            .into(),
        };
        assert!(twice.colors().is_err());
    }
}
