//! Display rewrites for the clusters terminals and unicode-width measure differently, so the
//! width kith (and ratatui) lays out is the width the terminal draws and no stale half glyph is
//! left behind when the cell is redrawn.
//!
//! Measured in tmux 3.3a (cursor position after printing each cluster; tests/tui_screen_tmux.rs
//! repeats it), against unicode-width 0.2 as ratatui 0.30 uses it, and tmux 3.4+'s rules
//! (`screen_write_combine`: a regional indicator or skin-tone modifier after any non-ASCII cell
//! joins that cell and makes it two wide):
//!
//! | cluster                         | tmux 3.3 | tmux 3.4+      | ratatui | shown as        |
//! |---------------------------------|----------|----------------|---------|-----------------|
//! | flag `🇺🇸` (two RIs)              | 2        | 2, or 0 after a non-ASCII cell | 2 | `[US]` |
//! | lone or third RI                | 1        | 0–2            | 1       | `[U]`           |
//! | `Ж🏻` / `👋🏻` (skin tone)        | 3 / 4    | 2 / 2          | 3 / 2   | `Ж` / `👋`      |
//! | `⌨️` `❤️` (narrow base + VS16)     | 1        | 1 or 2         | 2       | `⌨` `❤`         |
//! | `👁‍🗨` ZWJ after a narrow emoji   | 1        | 1              | 2       | `👁🗨` (no ZWJ) |
//! | `क्‍ष` ZWJ between letters        | 1        | 1              | 2       | `क्ष` (no ZWJ)  |
//! | `ｶﾞ` / `ﾞ` (halfwidth sound mark) | 2 / 1    | 2 / 1          | 3 / 2   | `ガ` / U+3099 (NFKC) |
//!
//! A ZWJ is kept only between two wide emoji (`👨‍👩‍👧`), where every one of them draws one
//! two-cell glyph.

use unicode_normalization::UnicodeNormalization;
use unicode_width::UnicodeWidthChar;

fn is_regional(c: char) -> bool {
    matches!(c, '\u{1F1E6}'..='\u{1F1FF}')
}

/// A cluster that starts with regional indicators, as their letters: `🇺🇸` → `[US]`.
pub fn flag_letters(g: &str) -> Option<String> {
    if !g.starts_with(is_regional) {
        return None;
    }
    let letters: String = g
        .chars()
        .filter(|c| is_regional(*c))
        .filter_map(|c| char::from_u32(u32::from(c) - 0x1F1E6 + u32::from('A')))
        .collect();
    Some(format!("[{letters}]"))
}

/// Characters left out of the display: variation selector 16 (terminals disagree on whether it
/// widens its base) and skin-tone modifiers (tmux 3.3 draws them as a separate emoji, 3.4 joins
/// them to the cell before, ratatui counts them as nothing); a regional indicator that does not
/// start its cluster is shown by [`flag_letters`] or dropped here.
pub fn dropped(c: char) -> bool {
    matches!(c, '\u{FE0F}' | '\u{1F3FB}'..='\u{1F3FF}') || is_regional(c)
}

/// A cluster holding a halfwidth (semi-)voiced sound mark, compatibility-composed: `ｶﾞ` → `ガ`,
/// `ｱﾞ` → `ア` + U+3099; ratatui counts U+FF9E/U+FF9F one cell wider than terminals draw.
pub fn fold_sound_marks(g: &str) -> Option<String> {
    g.contains(['\u{FF9E}', '\u{FF9F}'])
        .then(|| g.nfkc().collect())
}

/// A ZWJ between these two is kept: both are two-cell emoji, so the sequence is one two-cell
/// glyph everywhere (terminals draw what follows a ZWJ into the joiner's cell).
pub fn joins(pair: (char, char)) -> bool {
    let wide_emoji = |c: char| {
        matches!(u32::from(c), 0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF)
            && !dropped(c)
            && c.width() == Some(2)
    };
    wide_emoji(pair.0) && wide_emoji(pair.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites() {
        assert_eq!(flag_letters("🇺🇸").as_deref(), Some("[US]"));
        assert_eq!(flag_letters("🇺").as_deref(), Some("[U]"));
        assert_eq!(flag_letters("a"), None);
        assert_eq!(fold_sound_marks("ｶﾞ").as_deref(), Some("ガ"));
        assert_eq!(fold_sound_marks("ﾊﾟ").as_deref(), Some("パ"));
        assert_eq!(fold_sound_marks("ｱﾞ").as_deref(), Some("ア\u{3099}"));
        assert_eq!(fold_sound_marks("ｶ"), None);
        assert!(joins(('👨', '👩')));
        assert!(!joins(('👁', '🗨')) && !joins(('🐻', '❄')) && !joins(('王', '王')));
        assert!(dropped('\u{FE0F}') && dropped('🏽') && !dropped('\u{FE0E}'));
    }
}
