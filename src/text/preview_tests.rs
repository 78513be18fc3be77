use super::*;
use SpanKind::{Break, Hashtag, Link, Mention, Text};

/// (text of the span, kind) for every span, after checking they tile the text.
fn read(text: &str, platform: Platform) -> Vec<(&str, SpanKind)> {
    let spans = spans(text, platform);
    let mut at = 0;
    for (i, s) in spans.iter().enumerate() {
        assert_eq!(s.range.start, at, "{spans:?}");
        assert!(s.range.end > s.range.start, "{spans:?}");
        if i > 0 {
            assert!(
                !(s.kind == Text && spans[i - 1].kind == Text),
                "text spans not merged: {spans:?}"
            );
        }
        at = s.range.end;
    }
    assert_eq!(at, text.len());
    spans
        .iter()
        .map(|s| (&text[s.range.clone()], s.kind))
        .collect()
}

/// Only the non-text spans.
fn marked(text: &str, platform: Platform) -> Vec<(&str, SpanKind)> {
    read(text, platform)
        .into_iter()
        .filter(|(_, k)| *k != Text)
        .collect()
}

#[test]
fn mastodon() {
    let text = "Hi @lea@social.example.fr and @shop! See https://example.com/a?b=1. #Zürich #2026 #café_life";
    assert_eq!(
        read(text, Platform::Mastodon),
        [
            ("Hi ", Text),
            ("@lea@social.example.fr", Mention),
            (" and ", Text),
            ("@shop", Mention),
            ("! See ", Text),
            ("https://example.com/a?b=1", Link),
            (". ", Text),
            ("#Zürich", Hashtag),
            (" #2026 ", Text),
            ("#café_life", Hashtag),
        ]
    );
    // Not after a word character or a slash; tags in any script.
    assert_eq!(
        marked(
            "mail a@b.c x#tag a/#b #сообщество #社区 @user.name.",
            Platform::Mastodon
        ),
        [
            ("#сообщество", Hashtag),
            ("#社区", Hashtag),
            ("@user.name", Mention)
        ]
    );
}

#[test]
fn bluesky() {
    let text =
        "(@yuki.bsky.social) @nodomain @alice.example.com. #開発 #100 #tag!! https://bsky.app/x";
    assert_eq!(
        marked(text, Platform::Bluesky),
        [
            ("@yuki.bsky.social", Mention),
            ("@alice.example.com", Mention),
            ("#開発", Hashtag),
            ("#tag", Hashtag),
            ("https://bsky.app/x", Link),
        ]
    );
    // A tag runs to whitespace (so it may hold punctuation inside) and is not after a word.
    assert_eq!(
        marked("#c++ x#no ＃全角 #a.b", Platform::Bluesky),
        [("#c", Hashtag), ("＃全角", Hashtag), ("#a.b", Hashtag)]
    );
    assert_eq!(marked("@a.1", Platform::Bluesky), []);
}

#[test]
fn telegram() {
    let text =
        "Привет @olga_sm и @a, #новости #42 email@x.io @toolongtoolongtoolongtoolongtoolong1";
    assert_eq!(
        marked(text, Platform::Telegram),
        [("@olga_sm", Mention), ("#новости", Hashtag)]
    );
    assert_eq!(
        marked("@ab @абв #tag_1", Platform::Telegram),
        [("@ab", Mention), ("#tag_1", Hashtag)]
    );
}

#[test]
fn line_breaks() {
    assert_eq!(
        read("a\nb\r\nc\rd\u{2028}e\u{2029}f\u{85}", Platform::Telegram),
        [
            ("a", Text),
            ("\n", Break),
            ("b", Text),
            ("\r\n", Break),
            ("c", Text),
            ("\r", Break),
            ("d", Text),
            ("\u{2028}", Break),
            ("e", Text),
            ("\u{2029}", Break),
            ("f", Text),
            ("\u{85}", Break),
        ]
    );
    assert_eq!(
        read("#tag\n@ab\nhttps://x.io", Platform::Telegram),
        [
            ("#tag", Hashtag),
            ("\n", Break),
            ("@ab", Mention),
            ("\n", Break),
            ("https://x.io", Link),
        ]
    );
    assert_eq!(read("", Platform::Mastodon), []);
}

#[test]
fn hostile_text_never_panics_and_always_tiles() {
    let zalgo = format!("#Z{}", "\u{0301}\u{0316}\u{0344}".repeat(50));
    let inputs = [
        "a\x1b[2J\x1b[Hb".to_string(),
        "\x1b]8;;https://evil.example/\x1b\\https://bank.example\x1b]8;;\x1b\\".to_string(),
        "a\u{9b}2Jb \u{9d}0;t\u{9c} a\u{85}b".to_string(),
        "invoice\u{202E}gnp.exe @ad\u{200B}min #\u{FEFF}tag".to_string(),
        "user\u{202E} \u{2066}// admin\u{2069} \u{2066}".to_string(),
        "@\u{301}x #\u{301} @. @- @@ ## #·· #\u{FE0F}x ＃".to_string(),
        zalgo,
        "👨‍👩‍👧‍👦 #🇺🇸 @⌨️ 🐻‍❄️".to_string(),
        "x".repeat(100_000),
        "\n".repeat(100_000),
        "\r".repeat(10_001),
        "@".repeat(50_000),
        "#".repeat(50_000),
        "https://".repeat(10_000),
        "xhttps://".repeat(10_000),
        "@a@".repeat(10_000),
        "#a".repeat(20_000),
        format!("#{}", "a".repeat(100_000)),
        format!("@{}", "a.".repeat(50_000)),
        "[red]x[/red] {0} %s%n <script>alert(1)</script> ${jndi:x}".to_string(),
    ];
    for text in &inputs {
        for p in Platform::ALL {
            read(text, p);
        }
    }
}

use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("KITH_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]
    /// Any mix of the characters the rules look at tiles the text on every network.
    #[test]
    fn spans_tile_any_text(pieces in proptest::collection::vec(prop::sample::select(vec![
        "@", "#", "＃", "http", "https://", "s", ":", "/", ".", "-", "_", "·", "(", ")", "!",
        "\u{301}", "\u{FE0F}", "\u{200B}", "a", "Z", "я", "中", "9", " ", "\n", "\r", "\r\n",
        "\u{2028}", "👨‍👩‍👧", "é",
    ]), 0..60)) {
        let text = pieces.concat();
        for p in Platform::ALL {
            read(&text, p);
        }
    }
}
