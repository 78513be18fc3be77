//! What makes two item tags the same tag: one case-folding rule shared by filters, the tag
//! index and counts, tag changes and rename, so `VIP`, `vip` and `Vip` are one tag everywhere.

use serde::{Deserialize, Serialize};

/// The longest tag name kept (in characters); longer names are refused, not cut.
pub const MAX_CHARS: usize = 40;

/// A tag's identity: its Unicode lower case (`Доставка` and `доставка` are one tag).
pub fn fold(tag: &str) -> String {
    tag.trim().to_lowercase()
}

/// Whether two tag names name the same tag.
pub fn same(a: &str, b: &str) -> bool {
    a == b || fold(a) == fold(b)
}

/// Whether a name can be a tag: not blank, no control characters, at most [`MAX_CHARS`].
pub fn valid(name: &str) -> bool {
    let name = name.trim();
    !name.is_empty() && !name.chars().any(char::is_control) && name.chars().count() <= MAX_CHARS
}

/// The tags of an item, each tag once (first spelling kept), in order.
pub fn distinct(tags: &[String]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::with_capacity(tags.len());
    let mut out = Vec::with_capacity(tags.len());
    for t in tags {
        let f = fold(t);
        if !seen.contains(&f) {
            seen.push(f);
            out.push(t.clone());
        }
    }
    out
}

/// Renames `old` to `new` in a tag list, in place. An item that carries both ends with `new`
/// once, where `old` was. Returns whether anything changed.
pub fn rename(tags: &mut Vec<String>, old: &str, new: &str) -> bool {
    let (old_f, new_f) = (fold(old), fold(new));
    if !tags.iter().any(|t| fold(t) == old_f) {
        return false;
    }
    let before = tags.clone();
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    let mut placed = false;
    for t in tags.iter() {
        let f = fold(t);
        if f == old_f || f == new_f {
            if !placed {
                out.push(new.trim().to_string());
                placed = true;
            }
        } else {
            out.push(t.clone());
        }
    }
    *tags = out;
    *tags != before
}

/// A tag and how many inbox items carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagCount {
    /// The folded name (how the index knows it).
    pub name: String,
    pub items: u64,
}

/// Known tags matching what is typed (case-insensitive): those starting with it first, then
/// those containing it; each group by count, most used first. Everything when nothing is typed.
pub fn complete<'a>(known: &'a [TagCount], typed: &str) -> Vec<&'a TagCount> {
    let typed = fold(typed);
    let mut first: Vec<&TagCount> = Vec::new();
    let mut then: Vec<&TagCount> = Vec::new();
    for t in known {
        if t.name.starts_with(&typed) {
            first.push(t);
        } else if t.name.contains(&typed) {
            then.push(t);
        }
    }
    let by_use = |a: &&TagCount, b: &&TagCount| b.items.cmp(&a.items).then(a.name.cmp(&b.name));
    first.sort_by(by_use);
    then.sort_by(by_use);
    first.extend(then);
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(tags: &[&str]) -> Vec<String> {
        tags.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn fold_is_unicode_case_insensitive() {
        assert!(same("VIP", "vip"));
        assert!(same("Доставка", "доставка"));
        assert!(!same("vip", "vips"));
        assert_eq!(fold("  Возврат "), "возврат");
    }

    #[test]
    fn rename_replaces_in_place_and_merges() {
        let mut t = v(&["a", "Old", "b"]);
        assert!(rename(&mut t, "old", "new"));
        assert_eq!(t, v(&["a", "new", "b"]));
        // Both: one `new`, where the first of them stood.
        let mut t = v(&["NEW", "x", "old"]);
        assert!(rename(&mut t, "OLD", "new"));
        assert_eq!(t, v(&["new", "x"]));
        // Without `old`: untouched.
        let mut t = v(&["new", "x"]);
        assert!(!rename(&mut t, "old", "new"));
        assert_eq!(t, v(&["new", "x"]));
        // A change of case only is a change.
        let mut t = v(&["vip"]);
        assert!(rename(&mut t, "vip", "VIP"));
        assert_eq!(t, v(&["VIP"]));
    }

    #[test]
    fn validity_and_distinct() {
        assert!(valid("доставка"));
        assert!(!valid("  "));
        assert!(!valid("a\u{1b}b"));
        assert!(!valid(&"x".repeat(41)));
        assert_eq!(distinct(&v(&["Vip", "vip", "x"])), v(&["Vip", "x"]));
    }

    #[test]
    fn completion_prefers_prefix_then_use() {
        let known = vec![
            TagCount {
                name: "delivery".into(),
                items: 3,
            },
            TagCount {
                name: "late-delivery".into(),
                items: 9,
            },
            TagCount {
                name: "dup".into(),
                items: 7,
            },
        ];
        let names: Vec<&str> = complete(&known, "D")
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(names, ["dup", "delivery", "late-delivery"]);
        let names: Vec<&str> = complete(&known, "deli")
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(names, ["delivery", "late-delivery"]);
    }
}
