//! The one display sanitizer for untrusted text (DESIGN.md §8, shared/hostile-strings.md).
//!
//! Raw text is stored unchanged; this only produces what is *shown*. The output never holds a
//! C0/C1/DEL character: C0 controls become caret escapes (`^[`, `^@`, DEL `^?`), C1 controls,
//! bidi controls and invisible characters become `⟨U+XXXX⟩` markers, tabs become four spaces,
//! tag characters are stripped, combining marks are capped per base and length is capped.
//! Work is bounded by the cap, not the input: at most `window_len(cap)` bytes are ever read.

use super::compat;
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
        // Clusters whose width terminals and unicode-width disagree on are rewritten (compat.rs).
        if let Some(letters) = compat::flag_letters(g) {
            if !out.escape(&letters, |_| {}) {
                full_stop = true;
                break;
            }
            continue;
        }
        let folded = compat::fold_sound_marks(g);
        let g = folded.as_deref().unwrap_or(g);
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
                _ if compat::dropped(c) => true,
                '\u{200C}' | '\u{200D}' => {
                    let keep = joins < MAX_JOINS
                        && out.prev.is_some()
                        && matches!((out.base, next), (Some(b), Some(n))
                            if joinable(b) && joinable(n) && !(b.is_ascii() && n.is_ascii()));
                    if keep && (c == '\u{200C}' || out.base.zip(next).is_some_and(compat::joins)) {
                        joins += 1;
                        out.attach(c)
                    } else if keep {
                        // Terminals draw whatever follows a ZWJ into the joiner's cell.
                        true
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
        // A kept ZWJ whose next emoji did not fit would pull the ellipsis into its cell.
        if out.text.ends_with('\u{200D}') {
            out.text.pop();
        }
        out.flags.truncated = true;
        out.text.push(ELLIPSIS);
    }
    (out.text, out.flags)
}

/// A whole line of the CLI's output on its way to a terminal: C0 controls (but tab and line
/// feed), DEL, C1 and bidi controls made visible as [`sanitize_line`] shows them; nothing else
/// changes and nothing is cut (it is the last guard, after every field was sanitized).
pub fn sanitize_terminal(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            '\0'..='\u{1f}' => {
                out.push('^');
                out.push(char::from(b'@' + c as u8));
            }
            '\u{7f}' => out.push_str("^?"),
            '\u{80}'..='\u{9f}' => out.push_str(&marker(c)),
            _ if is_bidi(c) => out.push_str(&marker(c)),
            _ => out.push(c),
        }
    }
    out
}

fn marker(c: char) -> String {
    format!("⟨U+{:04X}⟩", u32::from(c))
}

/// Bidi controls: embeddings, overrides, isolates and the implicit marks (LRM, RLM, ALM).
pub fn is_bidi(c: char) -> bool {
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
#[path = "sanitize_tests.rs"]
pub(super) mod tests;
