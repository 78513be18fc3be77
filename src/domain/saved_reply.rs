//! Saved replies filled from the item they answer: the placeholders a template may use. Pure,
//! so the engine (a bulk's drafts) and the front ends fill them the same way.

use super::Item;

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
