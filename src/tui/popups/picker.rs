//! The saved-reply picker: type to filter by name or text; templates in the item's language
//! come first.

use crate::config::replies::SavedReply;
use crate::tui::fuzzy;
use crate::tui::input::LineInput;

#[derive(Debug, Clone, Default)]
pub struct Picker {
    pub input: LineInput,
    pub selected: usize,
}

impl Picker {
    /// Indexes into `replies`, best first.
    pub fn matches(&self, replies: &[SavedReply], lang: Option<&str>) -> Vec<usize> {
        let mut scored: Vec<(bool, i64, usize)> = replies
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let s = fuzzy::score(&self.input.text, &r.name)
                    .map(|s| s + 1_000_000)
                    .or_else(|| fuzzy::score(&self.input.text, &r.text))?;
                let same_lang = match (lang, r.lang.as_deref()) {
                    (Some(a), Some(b)) => {
                        a.eq_ignore_ascii_case(b)
                            || a.to_ascii_lowercase()
                                .starts_with(&format!("{}-", b.to_ascii_lowercase()))
                    }
                    _ => false,
                };
                Some((same_lang, s, i))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        scored.into_iter().map(|(_, _, i)| i).collect()
    }
}
