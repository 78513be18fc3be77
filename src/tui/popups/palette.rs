//! The command palette: every action of the main screen, found by a fuzzy match on its
//! description or name, run with Enter; and commands typed with arguments (`commands.rs`).

use crate::config::keymap::{Action, Context};
use crate::tui::fuzzy;
use crate::tui::help::describe;
use crate::tui::input::LineInput;

#[derive(Debug, Clone, Default)]
pub struct Palette {
    pub input: LineInput,
    pub selected: usize,
}

impl Palette {
    /// Matching actions, best first.
    pub fn matches(&self) -> Vec<Action> {
        let mut scored: Vec<(i64, usize, Action)> = Action::ALL
            .iter()
            .enumerate()
            .filter(|(_, a)| a.allowed_in(Context::Normal) && **a != Action::Palette)
            .filter_map(|(i, a)| {
                let by_desc = fuzzy::score(&self.input.text, &describe(*a, Context::Normal));
                let by_name = fuzzy::score(&self.input.text, a.name());
                by_desc.max(by_name).map(|s| (s, i, *a))
            })
            .collect();
        scored.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
        scored.into_iter().map(|(_, _, a)| a).collect()
    }

    /// The typed command the text names (`tag-rename OLD NEW`), if any.
    pub fn command(&self) -> Option<super::commands::Typed> {
        super::commands::parse(&self.input.text)
    }
}
