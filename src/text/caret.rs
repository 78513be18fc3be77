//! A line someone typed, shown with a caret under one of its characters: where a pattern
//! went wrong. The line is sanitized like any text, and the caret measured on what is shown.

use super::{sanitize_line, width};

/// Graphemes of the typed line shown at most.
const MAX: usize = 400;

/// The line as shown, and a line of spaces ending in `^` under character `at` (counted in
/// chars; past the end means just after the last one).
pub fn caret_lines(typed: &str, at: usize) -> (String, String) {
    let shown = sanitize_line(typed, MAX).text;
    let before: String = typed.chars().take(at).collect();
    let col = width(&sanitize_line(&before, MAX).text);
    (shown, format!("{}^", " ".repeat(col)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_sits_under_the_character_in_any_script() {
        assert_eq!(caret_lines("~p vkk", 3).1, "   ^");
        // Wide CJK characters take two cells each.
        assert_eq!(caret_lines("你好 (世界", 3).1, "     ^");
        assert_eq!(caret_lines("доставка ~p вк", 12).1, "            ^");
        // A control character is shown escaped and the caret moves with it.
        let (line, caret) = caret_lines("a\x1bb ~x", 4);
        assert!(!line.contains('\x1b'), "{line:?}");
        assert_eq!(caret.len() - 1, width(&sanitize_line("a\x1bb ", MAX).text));
        assert_eq!(caret_lines("ab", 9).1, "  ^");
    }
}
