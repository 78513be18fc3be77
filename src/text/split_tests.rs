use super::*;
use proptest::prelude::*;

const RULES: [CountRule; 5] = [
    CountRule::Graphemes,
    CountRule::Mastodon,
    CountRule::Bluesky,
    CountRule::Utf16,
    CountRule::Chars,
];

fn split(text: &str, rule: CountRule, limit: usize) -> Vec<String> {
    split_thread(text, rule, limit, false)
}

/// Everything the splitter promises, for any input.
fn check(text: &str, rule: CountRule, limit: usize, numbering: bool) -> Vec<String> {
    let parts = split_thread(text, rule, limit, numbering);
    let ranges = split_ranges(text, rule, limit, numbering);
    assert_eq!(parts.len(), ranges.len());
    let n = parts.len();
    let mut prev_end = 0;
    for (i, (part, r)) in parts.iter().zip(&ranges).enumerate() {
        assert!(
            over_limit(part, rule, limit).is_none(),
            "part {i} over {limit} ({rule:?}): {part:?} counts {}",
            count_for(part, rule)
        );
        // Parts are the text's own slices, in order, with only whitespace between them.
        assert!(
            r.start >= prev_end && r.start < r.end || n == 1,
            "{ranges:?}"
        );
        assert!(
            text[prev_end..r.start].chars().all(is_break_space),
            "non-space dropped between parts: {:?}",
            &text[prev_end..r.start]
        );
        let body = part
            .strip_suffix(&format!(" {}/{n}", i + 1))
            .filter(|_| numbering && n > 1)
            .unwrap_or(part);
        assert_eq!(body, &text[r.clone()]);
        prev_end = r.end;
    }
    assert!(text[prev_end..].chars().all(is_break_space));
    // And so the text's words come back in order.
    let squeeze = |s: &str| {
        s.chars()
            .filter(|c| !is_break_space(*c))
            .collect::<String>()
    };
    let bodies: String = ranges.iter().map(|r| &text[r.clone()]).collect();
    assert_eq!(squeeze(&bodies), squeeze(text));
    parts
}

#[test]
fn a_text_that_fits_is_one_part_unchanged() {
    assert_eq!(split("hello", CountRule::Graphemes, 10), ["hello"]);
    assert_eq!(
        split_thread("  hello \n", CountRule::Graphemes, 10, true),
        ["  hello \n"]
    );
    assert_eq!(split("", CountRule::Graphemes, 10), [""]);
    // Only whitespace, and too long: nothing to post.
    assert!(split(&" ".repeat(20), CountRule::Graphemes, 10).is_empty());
}

#[test]
fn paragraphs_first() {
    let text = "First paragraph here.\n\nSecond paragraph is a bit longer than the first one.";
    assert_eq!(
        check(text, CountRule::Graphemes, 60, false),
        [
            "First paragraph here.",
            "Second paragraph is a bit longer than the first one."
        ]
    );
    // Short paragraphs are packed together.
    let text = "One.\n\nTwo.\n\nThree.\n\nFour.";
    assert_eq!(
        check(text, CountRule::Graphemes, 16, false),
        ["One.\n\nTwo.", "Three.\n\nFour."]
    );
}

#[test]
fn then_sentences_then_spaces() {
    let text = "One two three. Four five six seven. Eight nine ten eleven twelve.";
    assert_eq!(
        check(text, CountRule::Graphemes, 40, false),
        [
            "One two three. Four five six seven.",
            "Eight nine ten eleven twelve."
        ]
    );
    assert_eq!(
        check("aaa bbb ccc ddd eee fff", CountRule::Graphemes, 10, false),
        ["aaa bbb", "ccc ddd", "eee fff"]
    );
    // A sentence end too early to fill half the part loses to a later space.
    assert_eq!(
        check(
            "Hi. alpha beta gamma delta epsilon",
            CountRule::Graphemes,
            24,
            false
        ),
        ["Hi. alpha beta gamma", "delta epsilon"]
    );
    // Closing quotes stay with their sentence.
    assert_eq!(
        check(
            "He said \"stop.\" Then we left the room.",
            CountRule::Graphemes,
            30,
            false
        ),
        ["He said \"stop.\"", "Then we left the room."]
    );
    // A single line break counts as a sentence end.
    assert_eq!(
        check(
            "first line here\nsecond line is here",
            CountRule::Graphemes,
            25,
            false
        ),
        ["first line here", "second line is here"]
    );
}

#[test]
fn cjk_breaks_at_sentence_marks_then_anywhere() {
    assert_eq!(
        check(
            "你好世界。今天天气很好。我们去公园散步吧。",
            CountRule::Graphemes,
            12,
            false
        ),
        ["你好世界。今天天气很好。", "我们去公园散步吧。"]
    );
    assert_eq!(
        check("一二三四五六七八九十", CountRule::Graphemes, 4, false),
        ["一二三四", "五六七八", "九十"]
    );
    // A closing bracket is not cut from its sentence mark.
    assert_eq!(
        check("他说「好的。」然后走了。", CountRule::Graphemes, 8, false),
        ["他说「好的。」", "然后走了。"]
    );
    assert_eq!(
        check(
            "ありがとうございます！次のイベントも楽しみです",
            CountRule::Graphemes,
            14,
            false
        ),
        ["ありがとうございます！", "次のイベントも楽しみです"]
    );
}

#[test]
fn urls_mentions_and_tags_are_not_cut() {
    let text = "word https://example.com/a/b/c/d/e/f more words";
    assert_eq!(
        check(text, CountRule::Graphemes, 35, false),
        ["word", "https://example.com/a/b/c/d/e/f", "more words"]
    );
    let text = "今天我们和@kith_app一起庆祝#开源节日快乐吧";
    let parts = check(text, CountRule::Graphemes, 12, false);
    assert_eq!(
        parts,
        ["今天我们和", "@kith_app一起庆", "祝#开源节日快乐吧"]
    );
    let text = "感谢 @lea@social.example.fr 的支持和帮助";
    assert_eq!(
        check(text, CountRule::Mastodon, 8, false),
        ["感谢 @lea@social.example.fr", "的支持和帮助"]
    );
    // A token longer than a whole part is cut, as a last resort.
    let long = format!("https://example.com/{}", "a".repeat(40));
    let parts = check(&long, CountRule::Graphemes, 25, false);
    assert_eq!(parts.concat(), long);
    assert_eq!(parts.len(), 3);
}

#[test]
fn mastodon_counts_each_url_as_23() {
    let url = format!("https://example.com/{}", "x".repeat(300));
    let text = format!("{url} one two three four five six seven eight {url} nine ten");
    let parts = check(&text, CountRule::Mastodon, 60, false);
    assert_eq!(
        parts,
        [
            format!("{url} one two three four five six seven"),
            format!("eight {url} nine ten")
        ]
    );
}

#[test]
fn utf16_and_emoji() {
    let family = "👨‍👩‍👧‍👦";
    let text = family.repeat(5);
    assert_eq!(
        check(&text, CountRule::Graphemes, 2, false),
        [family.repeat(2), family.repeat(2), family.to_string()]
    );
    assert_eq!(family.encode_utf16().count(), 11);
    assert_eq!(check(&text, CountRule::Utf16, 20, false).len(), 5);
    assert_eq!(
        check(&"😀".repeat(5), CountRule::Utf16, 5, false),
        ["😀😀", "😀😀", "😀"]
    );
}

#[test]
fn numbering_is_counted_within_the_limit() {
    assert_eq!(
        check("aaa bbb ccc ddd eee fff", CountRule::Graphemes, 12, true),
        ["aaa bbb 1/3", "ccc ddd 2/3", "eee fff 3/3"]
    );
    // Ten parts or more: the reserve grows to two digits.
    let text = ["abc"; 12].join(" ");
    let parts = check(&text, CountRule::Graphemes, 10, true);
    assert_eq!(parts.len(), 12);
    assert_eq!(parts[0], "abc 1/12");
    assert_eq!(parts[11], "abc 12/12");
    // A limit too small for the suffix: no numbers rather than broken parts.
    let parts = check("ab cd ef", CountRule::Graphemes, 3, true);
    assert_eq!(parts, ["ab", "cd", "ef"]);
}

#[test]
fn bluesky_byte_cap() {
    let heavy = "e\u{301}\u{302}\u{303}\u{304}\u{305}\u{306}";
    assert_eq!(heavy.len(), 13);
    let text = heavy.repeat(300);
    let parts = check(&text, CountRule::Bluesky, 300, false);
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].len(), 230 * 13);
    assert_eq!(parts[1].len(), 70 * 13);
    let parts = check(&text, CountRule::Bluesky, 300, true);
    assert_eq!(parts.len(), 2);
    assert!(parts[0].ends_with(" 1/2"));
}

#[test]
fn hostile_strings_never_panic_and_always_fit() {
    let zalgo = format!("Z{}", "\u{0301}\u{0316}\u{0344}".repeat(50));
    let marks = format!("a{}", "\u{0301}".repeat(10_000));
    let inputs = [
        "a\x1b[2J\x1b[Hb".to_string(),
        "\x1b]8;;https://evil.example/\x1b\\https://bank.example\x1b]8;;\x1b\\".to_string(),
        "a\u{9b}2Jb \u{9d}0;t\u{9c}".to_string(),
        "\x07".repeat(1000),
        "Legit text\rFAKE".to_string(),
        "a\u{0}b a\x7fb".to_string(),
        "invoice\u{202E}gnp.exe".to_string(),
        "user\u{202E} \u{2066}// admin\u{2069} \u{2066}".to_string(),
        "\u{200F}\u{061C}\u{200E}x ad\u{200B}min \u{FEFF}admin a\u{2060}b".to_string(),
        "\u{3164} \u{115F} hi\u{E0041}\u{E0042}".to_string(),
        zalgo,
        "👨‍👩‍👧‍👦 🇺🇸 ⌨️ 🐻‍❄️ 👁️‍🗨️ 🥲🏻 😹".repeat(20),
        "🇺🇸🇩🇪🇫🇷🇯🇵".repeat(30),
        "コンピュータ 你好，世界！ ｶﾞｷﾞｸﾞ pаypal".repeat(20),
        "a\u{2028}b\u{2029}c\r\n\r\nd\u{85}e".repeat(30),
        "pay\tme ".repeat(100),
        "x".repeat(100_000),
        "\n".repeat(10_000) + "x",
        marks,
        "@".repeat(5000),
        "#".repeat(5000),
        "https://".repeat(500),
        "@a@b.c-".repeat(300),
        "x@a@a@a".repeat(300),
        ")".repeat(3000) + ". next",
        "\u{0600} ".repeat(400),
        " \u{301}".repeat(400),
        "\u{A0}".repeat(500),
        "[red]x[/red] {0} %s%n <script>alert(1)</script> ${jndi:x}".repeat(20),
    ];
    for text in &inputs {
        for rule in RULES {
            for limit in [1, 2, 7, 30, 300] {
                // The huge ones once per rule: they are about time, tested below.
                if limit != 300 && text.len() > 20_000 {
                    continue;
                }
                // Below what one character needs, only progress is promised.
                if limit >= 30 {
                    check(text, rule, limit, true);
                    check(text, rule, limit, false);
                } else {
                    let _ = split_thread(text, rule, limit, true);
                }
            }
        }
    }
}

#[test]
fn huge_input_is_linear_enough() {
    let text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(20_000);
    let started = std::time::Instant::now();
    let parts = split_thread(&text, CountRule::Mastodon, 500, true);
    assert!(parts.len() > 2000);
    // Debug build on a shared machine: generous, but catches anything quadratic.
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
}

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "hello", "world", "Thread", "kith", "a", "I'm", "don't", "3.14", "e.g.",
        ])
        .prop_map(String::from),
        prop::sample::select(vec!["привет", "сообщество", "Ёжик", "щука", "да"])
            .prop_map(String::from),
        prop::sample::select(vec![
            "你好世界",
            "今天天气很好",
            "コンピュータ",
            "社区",
            "한국어"
        ])
        .prop_map(String::from),
        prop::sample::select(vec!["👨‍👩‍👧‍👦", "🐻‍❄️", "🇺🇸", "👍🏽", "⌨️", "😹"]).prop_map(String::from),
        (1usize..120).prop_map(|n| format!("https://example.com/{}", "p".repeat(n))),
        prop::sample::select(vec![
            "@lea",
            "@lea@social.example.fr",
            "@yuki.bsky.social",
            "#tag",
            "#сообщество",
            "#开源",
            "e\u{301}",
            "\u{200B}",
            "\u{202E}",
        ])
        .prop_map(String::from),
        prop::sample::select(vec![
            " ", " ", " ", "\n", "\n\n", ". ", "! ", "? ", "… ", "。", "！", "，", "\t", "\u{A0}",
            "\r\n", "」",
        ])
        .prop_map(String::from),
        (1usize..400).prop_map(|n| "x".repeat(n)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("KITH_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]
    #[test]
    fn parts_fit_and_keep_every_word(
        frags in proptest::collection::vec(fragment(), 0..80),
        limit in 30usize..400,
        rule in prop::sample::select(RULES.to_vec()),
        numbering in any::<bool>(),
    ) {
        let text = frags.concat();
        check(&text, rule, limit, numbering);
    }
}
