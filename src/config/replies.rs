//! Saved replies: templates a team keeps in `replies.toml` next to the config file, with
//! placeholders filled from the item being answered.

use super::{ConfigError, ValueError};
use serde::Deserialize;
use std::path::Path;

pub const DEFAULT_REPLIES: &str = crate::domain::saved_reply::BUNDLED;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SavedReply {
    pub name: String,
    pub text: String,
    /// Language the template is written in; the picker puts matching ones first.
    #[serde(default)]
    pub lang: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    reply: Vec<SavedReply>,
}

/// Loads the user's file, or the bundled defaults when there is none.
pub fn load(path: &Path) -> Result<Vec<SavedReply>, ConfigError> {
    let (src, name) = match std::fs::read_to_string(path) {
        Ok(s) => (s, path.display().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            (DEFAULT_REPLIES.to_string(), "built-in replies".to_string())
        }
        Err(e) => {
            return Err(ConfigError::Read {
                path: path.display().to_string(),
                source: e,
            })
        }
    };
    parse(&src, &name)
}

pub fn parse(src: &str, name: &str) -> Result<Vec<SavedReply>, ConfigError> {
    let f: File = toml::from_str(src).map_err(|e| super::error::parse_error(name, src, &e))?;
    // A template that says nothing would send an empty reply.
    for (i, r) in f.reply.iter().enumerate() {
        for (key, value) in [("name", &r.name), ("text", &r.text)] {
            if value.trim().is_empty() {
                let why = crate::i18n::t("cfg.why.empty");
                return Err(ValueError::new(&["reply"], why)
                    .item(i)
                    .key(key)
                    .in_file(name, src));
            }
        }
    }
    Ok(f.reply)
}

pub use crate::domain::saved_reply::expand;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Item;
    use crate::domain::{ItemId, NewItem, Platform, Timestamp};

    fn item() -> Item {
        let mut new = NewItem::comment(Platform::Vk, "vk.com/lumo", "1", "42", "?", Timestamp(0));
        new.author.handle = Some("dvolkov".into());
        new.author.name = Some("Дмитрий".into());
        Item::from_new(ItemId(1), &new, Timestamp(0))
    }

    #[test]
    fn defaults_parse_in_three_languages() {
        let r = parse(DEFAULT_REPLIES, "built-in").expect("parses");
        assert!(r.len() >= 6);
        for l in ["en", "ru", "zh"] {
            assert!(
                r.iter().any(|x| x.lang.as_deref() == Some(l)),
                "no {l} reply"
            );
        }
    }

    #[test]
    fn placeholders_expand_and_unknown_stay() {
        let s = expand(
            "Здравствуйте, {name} ({handle})! {operator} из {platform}. {oops}",
            &item(),
            "anna",
        );
        assert_eq!(s, "Здравствуйте, Дмитрий (@dvolkov)! anna из vk. {oops}");
    }

    #[test]
    fn bad_file_names_line() {
        let e = parse("[[reply]]\nname = \"x\"\ntxt = \"y\"\n", "r.toml")
            .expect_err("bad")
            .to_string();
        assert_eq!(
            e,
            "r.toml:3:1: unknown field `txt`, expected one of `name`, `text`, `lang`"
        );
        let e = parse(
            "[[reply]]\nname = \"a\"\ntext = \"b\"\n[[reply]]\nname = \"c\"\ntext = \" \"\n",
            "r.toml",
        )
        .expect_err("empty")
        .to_string();
        assert_eq!(e, "r.toml:6: key `reply.text`: is empty");
    }
}
