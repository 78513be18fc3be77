//! Text length as each platform counts it.

use crate::domain::platform::CountRule;
use unicode_segmentation::UnicodeSegmentation;

pub fn count_for(text: &str, rule: CountRule) -> usize {
    match rule {
        CountRule::Graphemes => text.graphemes(true).count(),
        CountRule::Utf16 => text.encode_utf16().count(),
        CountRule::Chars => text.chars().count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_differ_by_rule() {
        let s = "👨‍👩‍👧 да";
        assert_eq!(count_for(s, CountRule::Graphemes), 4);
        assert_eq!(count_for(s, CountRule::Chars), 8);
        assert_eq!(count_for(s, CountRule::Utf16), 11);
    }
}
