//! Completing a tag being typed from the tags in use (with their counts): pure functions on a
//! line input, shared by the `t` prompt, the filter's tag field and the status line's hint.

use super::input::{Completion, LineInput};
use crate::domain::tag::{self, TagCount};
use crate::text::sanitize_line;

/// Splits a `t` prompt's text into its `-` (remove) and the tag typed.
fn split_minus(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    match text.strip_prefix('-') {
        Some(rest) => ("-", rest.trim_start()),
        None => ("", text),
    }
}

/// The next completion of `input` among `known` tags: the first press starts from what is
/// typed (a leading `-` kept), each further press takes the next match.
pub fn complete(known: &[TagCount], completion: &mut Option<Completion>, input: &mut LineInput) {
    let c = completion.get_or_insert_with(|| Completion {
        typed: input.text.clone(),
        next: 0,
    });
    let (minus, typed) = split_minus(&c.typed);
    let found = tag::complete(known, typed);
    if found.is_empty() {
        return;
    }
    let pick = &found[c.next % found.len()].name;
    c.next = (c.next + 1) % found.len();
    *input = LineInput::with(&format!("{minus}{pick}"));
}

/// Known tags matching what is typed, as `#name count` pieces, at most `max` of them (empty
/// when none match). While cycling, matches of what was typed before the first Tab.
pub fn hint(
    known: &[TagCount],
    typed: &str,
    completion: Option<&Completion>,
    max: usize,
) -> String {
    let from = completion.map_or(typed, |c| c.typed.as_str());
    let (_, typed) = split_minus(from);
    let found = tag::complete(known, typed);
    let mut pieces: Vec<String> = found
        .iter()
        .take(max)
        .map(|t| format!("#{} {}", sanitize_line(&t.name, 24).text, t.items))
        .collect();
    if found.len() > max {
        pieces.push("…".to_string());
    }
    pieces.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Vec<TagCount> {
        [("delivery", 12), ("vip", 3), ("доставка", 5)]
            .iter()
            .map(|(n, c)| TagCount {
                name: n.to_string(),
                items: *c,
            })
            .collect()
    }

    #[test]
    fn completion_cycles_and_keeps_the_minus() {
        let known = known();
        let mut c = None;
        let mut input = LineInput::with("-");
        for want in ["-delivery", "-доставка", "-vip", "-delivery"] {
            complete(&known, &mut c, &mut input);
            assert_eq!(input.text, want);
        }
        let (mut c, mut input) = (None, LineInput::with("ДОС"));
        complete(&known, &mut c, &mut input);
        assert_eq!(input.text, "доставка");
        assert_eq!(hint(&known, "", None, 2), "#delivery 12 · #доставка 5 · …");
        assert_eq!(hint(&known, "zz", None, 2), "");
    }
}
