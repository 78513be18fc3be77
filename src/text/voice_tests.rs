use super::*;

fn sheet(avoid: &[(&str, &str)], prefer: &[&str]) -> StyleSheet {
    StyleSheet {
        avoid: avoid
            .iter()
            .map(|(p, s)| {
                if s.is_empty() {
                    Phrase::new(p)
                } else {
                    Phrase::instead(p, s)
                }
            })
            .collect(),
        prefer: prefer.iter().map(|p| Phrase::new(p)).collect(),
    }
}

/// (matched text, kind, phrase index, suggestion) for each hit.
fn found<'a>(text: &'a str, s: &StyleSheet) -> Vec<(&'a str, HitKind, usize, Option<String>)> {
    check(text, s)
        .into_iter()
        .map(|h| (&text[h.range.clone()], h.kind, h.phrase, h.suggestion))
        .collect()
}

use HitKind::{Avoid, Prefer};

#[test]
fn whole_words_any_case() {
    let s = sheet(&[("cheap", "affordable"), ("ASAP", "")], &["community"]);
    let text = "Cheap tickets, not cheaper ones: CHEAP! Join the Community asap.";
    assert_eq!(
        found(text, &s),
        [
            ("Cheap", Avoid, 0, Some("Affordable".into())),
            ("CHEAP", Avoid, 0, Some("AFFORDABLE".into())),
            ("Community", Prefer, 0, None),
            ("asap", Avoid, 1, None),
        ]
    );
    let hits = check(text, &s);
    assert_eq!(hits[0].range, 0..5);
    assert_eq!(hits[3].range, 59..63);
    assert!(check("cheapest, uncheap, cheap_x, cheap2", &s).is_empty());
}

#[test]
fn cyrillic_and_diacritics_keep_byte_ranges() {
    let s = sheet(
        &[("дёшево", "доступно"), ("ÉNORME", "grand"), ("straße", "")],
        &["сообщество"],
    );
    let text = "Очень ДЕШЕВО! Наше Сообщество — énorme. STRASSE, Straße.";
    let hits = check(text, &s);
    assert_eq!(
        found(text, &s),
        [
            ("ДЕШЕВО", Avoid, 0, Some("ДОСТУПНО".into())),
            ("Сообщество", Prefer, 0, None),
            ("énorme", Avoid, 1, Some("grand".into())),
            ("Straße", Avoid, 2, None),
        ]
    );
    assert_eq!(hits[0].range, 11..23);
    // Not inside a longer Cyrillic word.
    assert!(check("дешевизна, сообществом", &s).is_empty());
    // Dotted capital I lowercases to two chars: ranges still map to the original.
    let s = sheet(&[("i̇stanbul", "")], &[]);
    let text = "x İSTANBUL y";
    assert_eq!(found(text, &s), [("İSTANBUL", Avoid, 0, None)]);
}

#[test]
fn cjk_phrases_match_inside_text() {
    let s = sheet(&[("便宜", "实惠"), ("安い", "")], &["社区"]);
    let text = "我们的社区活动很便宜，真的便宜！とても安いです";
    assert_eq!(
        found(text, &s),
        [
            ("社区", Prefer, 0, None),
            ("便宜", Avoid, 0, Some("实惠".into())),
            ("便宜", Avoid, 0, Some("实惠".into())),
            ("安い", Avoid, 1, None),
        ]
    );
    // A Latin phrase in CJK text: its edges are word edges there.
    let s = sheet(&[("kith", "")], &[]);
    assert_eq!(found("用kith管理", &s), [("kith", Avoid, 0, None)]);
}

#[test]
fn spaces_in_phrases_match_any_whitespace() {
    let s = sheet(&[("as soon as possible", "soon")], &[]);
    let text = "Reply as soon\n as  possible, please";
    assert_eq!(
        found(text, &s),
        [("as soon\n as  possible", Avoid, 0, Some("soon".into()))]
    );
}

#[test]
fn overlaps_go_to_the_longest() {
    let s = sheet(
        &[("free", "included"), ("free shipping", "shipping included")],
        &["shipping"],
    );
    let text = "Free shipping today, free gifts, shipping soon";
    assert_eq!(
        found(text, &s),
        [
            ("Free shipping", Avoid, 1, Some("Shipping included".into())),
            ("free", Avoid, 0, Some("included".into())),
            ("shipping", Prefer, 0, None),
        ]
    );
    // Same span in both lists: avoid wins.
    let s = sheet(&[("deal", "")], &["deal"]);
    assert_eq!(found("a deal", &s), [("deal", Avoid, 0, None)]);
    // Overlapping occurrences of one phrase: the first.
    let s = sheet(&[("ha ha", "")], &[]);
    assert_eq!(
        check("ha ha ha", &s)
            .iter()
            .map(|h| (h.range.start, h.range.end))
            .collect::<Vec<_>>(),
        [(0, 5)]
    );
}

#[test]
fn style_sheet_from_toml() {
    let src = r#"
# Phrases to avoid
[avoid]
"cheap" = "affordable"
"ASAP" = ""
"дёшево" = "доступно"
"便宜" = "实惠"

[prefer]
phrases = ["community", "сообщество", "社区"]
"#;
    let s = StyleSheet::from_toml(src).expect("parses");
    assert_eq!(
        s,
        StyleSheet {
            avoid: vec![
                Phrase::instead("cheap", "affordable"),
                Phrase::new("ASAP"),
                Phrase::instead("дёшево", "доступно"),
                Phrase::instead("便宜", "实惠"),
            ],
            prefer: vec![
                Phrase::new("community"),
                Phrase::new("сообщество"),
                Phrase::new("社区"),
            ],
        }
    );
    let words = StyleSheet::from_toml("[prefer]\nwords = [\"community\"]\n").expect("alias");
    assert_eq!(words.prefer, [Phrase::new("community")]);
    assert_eq!(StyleSheet::from_toml(""), Ok(StyleSheet::default()));
}

#[test]
fn style_sheet_errors_name_the_line() {
    let line_of = |src: &str| match StyleSheet::from_toml(src) {
        Err(SheetError::Toml { line, .. }) | Err(SheetError::EmptyPhrase { line }) => line,
        Ok(_) => panic!("{src:?} parsed"),
    };
    assert_eq!(
        line_of("[avoid]\n\"cheap\" = \"affordable\"\n\"x\" = 3\n"),
        3
    );
    assert_eq!(line_of("[avoid]\n\"a\" = \"b\"\n\"unclosed = \"c\"\n"), 3);
    assert_eq!(line_of("# c\n\n[avoid]\n\"  \" = \"x\"\n"), 4);
    assert_eq!(line_of("[prefer]\nphrases = [\n  \"ok\",\n  \"\",\n]\n"), 4);
    assert_eq!(line_of("[avoid]\n\"a\" = \"b\"\n\n[tone]\nx = 1\n"), 4);
    assert_eq!(line_of("[prefer]\nlist = [\"a\"]\n"), 2);
    assert_eq!(
        StyleSheet::from_toml("[avoid]\n\"  \" = \"x\"\n")
            .unwrap_err()
            .to_string(),
        "style sheet, line 2: an empty phrase would match nothing"
    );
    let e = StyleSheet::from_toml("[avoid]\n\"x\" = 3\n").unwrap_err();
    assert!(e.to_string().starts_with("style sheet, line 2: "), "{e}");
}

#[test]
fn hostile_text_never_panics() {
    let s = sheet(
        &[
            ("admin", "team"),
            ("x", ""),
            ("xx", ""),
            ("é", ""),
            ("\u{202E}", ""),
        ],
        &["社区", "z\u{301}"],
    );
    let zalgo = format!("Z{}", "\u{0301}\u{0316}\u{0344}".repeat(50));
    let texts = [
        "a\x1b[2J\x1b[Hb admin".to_string(),
        "invoice\u{202E}gnp.exe admin".to_string(),
        "ad\u{200B}min \u{FEFF}admin a\u{2060}b".to_string(),
        "user\u{202E} \u{2066}// admin\u{2069} \u{2066}".to_string(),
        "hi\u{E0041}\u{E0042} \u{3164} \u{115F}".to_string(),
        zalgo,
        "👨‍👩‍👧‍👦 🇺🇸 ⌨️ 🐻‍❄️ 👁️‍🗨️ 🥲🏻 😹 admin".to_string(),
        "x".repeat(100_000),
        "x ".repeat(50_000),
        "\n".repeat(100_000),
        format!("e{}", "\u{301}".repeat(10_000)),
        "İ".repeat(10_000),
        "a\u{0}b a\x7fb \u{85}".to_string(),
        "pаypal admin".to_string(),
    ];
    for text in &texts {
        let hits = check(text, &s);
        let mut last = 0;
        for h in &hits {
            assert!(h.range.start >= last && h.range.end > h.range.start);
            assert!(text.is_char_boundary(h.range.start) && text.is_char_boundary(h.range.end));
            last = h.range.end;
        }
    }
    assert_eq!(check(&"x ".repeat(50_000), &s).len(), 50_000);
    assert!(check(&"x".repeat(100_000), &s).is_empty());
    // The spoofed name is not the word.
    assert_eq!(found("ad\u{200B}min", &s), []);
    // Hostile style sheets.
    for src in [
        "[avoid]\n\"\u{202E}\" = \"\u{1b}[2J\"\n",
        "[[avoid]]\n",
        "[avoid]\n\"a\" = { b = 1 }\n",
        &"[".repeat(200),
        &format!("[avoid]\n\"{}\" = \"\"\n", "x".repeat(100_000)),
    ] {
        let _ = StyleSheet::from_toml(src).map(|s| check("some x text", &s));
    }
}

use proptest::prelude::*;

fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "a",
        "A",
        "x",
        "İ",
        "ß",
        "Σ",
        "ς",
        "ё",
        "Ё",
        "е",
        "é",
        "e\u{301}",
        "中",
        "社区",
        " ",
        "\n",
        "\t",
        ",",
        "-",
        "'",
        "\u{200B}",
        "\u{202E}",
        "👨‍👩‍👧",
        "1",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("KITH_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]
    /// Hits are in order, apart, on char boundaries, and each one matches its phrase.
    #[test]
    fn hits_are_sound(
        text in proptest::collection::vec(piece(), 0..60),
        avoid in proptest::collection::vec(proptest::collection::vec(piece(), 1..4), 0..4),
        prefer in proptest::collection::vec(proptest::collection::vec(piece(), 1..4), 0..3),
    ) {
        let text = text.concat();
        let s = StyleSheet {
            avoid: avoid.iter().map(|p| Phrase::instead(&p.concat(), "y")).collect(),
            prefer: prefer.iter().map(|p| Phrase::new(&p.concat())).collect(),
        };
        let mut last = 0;
        for h in check(&text, &s) {
            prop_assert!(h.range.start >= last && h.range.end > h.range.start);
            prop_assert!(text.is_char_boundary(h.range.start) && text.is_char_boundary(h.range.end));
            let list = if h.kind == HitKind::Avoid { &s.avoid } else { &s.prefer };
            let phrase = &list[h.phrase].text;
            prop_assert_eq!(
                Folded::new(&text[h.range.clone()]).text,
                Folded::new(phrase.trim()).text
            );
            last = h.range.end;
        }
    }
}
