//! Saved replies filled from the item they answer: the placeholders a template may use. Pure,
//! so the engine (a bulk's drafts) and the front ends fill them the same way.

use super::Item;
use std::collections::HashMap;

/// The bundled saved replies, used when a team has no `replies.toml`.
pub const BUNDLED: &str = include_str!("../../assets/replies.default.toml");

/// A replies file's templates by lower-cased name, as a rule's `draft:` finds them. The file's
/// full checks, with their places, are the config's (`config::replies`); this reads only what a
/// draft needs and refuses a template that says nothing.
pub fn templates(text: &str) -> Result<HashMap<String, String>, String> {
    #[derive(serde::Deserialize)]
    struct File {
        #[serde(default)]
        reply: Vec<Raw>,
    }
    #[derive(serde::Deserialize)]
    struct Raw {
        name: String,
        text: String,
    }
    let file: File = toml::from_str(text).map_err(|e| e.message().to_string())?;
    let mut out = HashMap::new();
    for r in file.reply {
        if r.name.trim().is_empty() || r.text.trim().is_empty() {
            return Err(format!("reply {:?} is empty", r.name));
        }
        out.insert(r.name.to_lowercase(), r.text);
    }
    Ok(out)
}

/// Fills `{name}`, `{handle}`, `{platform}`, `{operator}` and `{account}`. Unknown placeholders
/// stay as written so a typo is visible rather than silently dropped.
pub fn expand(template: &str, item: &Item, operator: &str) -> String {
    let name = item
        .author
        .name
        .clone()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| item.author.handle.clone())
        .unwrap_or_else(|| item.author.id.clone());
    let handle = item
        .author
        .handle
        .clone()
        .map(|h| {
            if h.starts_with('@') {
                h
            } else {
                format!("@{h}")
            }
        })
        .unwrap_or_else(|| name.clone());
    template
        .replace("{name}", &name)
        .replace("{handle}", &handle)
        .replace("{platform}", item.platform.as_str())
        .replace("{operator}", operator)
        .replace("{account}", &item.account)
}

#[cfg(test)]
mod templates_tests {
    #[test]
    fn the_bundled_replies_are_read_by_lower_cased_name() {
        let t = super::templates(super::BUNDLED).expect("bundled");
        assert!(t.contains_key("delivery times"), "{:?}", t.keys());
        assert!(super::templates("[[reply]]\nname = \"x\"\ntext = \" \"\n").is_err());
    }
}
