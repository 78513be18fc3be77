//! The Rules panel and rules on items, driven headless against a real engine: an item stored
//! while a rule was in force names the rule in the detail pane; `g r` and `:rules` open the
//! panel with each rule's 30-day count and examples; a broken file's problem is shown with its
//! line and column over the rules still in force; `e` (no terminal here: the file is seeded, not
//! edited) has the engine read the file again; a missing one is started from the example, which
//! is taken away again when the editor leaves it unchanged.

#[path = "tui_common/mod.rs"]
mod tui_common;

use kith::domain::{NewItem, Platform};
use kith::engine::Engine;
use kith::store::Store;
use kith::tui::popups::Popup;
use kith::tui::rules::RulesPanel;
use tui_common::{mins_ago, note, rig_on, sample_items, screen_text, Rig};

const RULES: &str = "[[rule]]\nname = \"delivery\"\nwhen = 'доставка | delivery'\nthen = [\"tag:delivery\", \"assign:anna\"]\n\n[[rule]]\nname = \"spam-wave\"\nwhen = \"crypto*\"\nthen = [\"spam\"]\nstop = true\n";

fn items() -> Vec<NewItem> {
    let mut v = sample_items();
    for (id, text, m) in [
        ("d1", "Where is my delivery? Ordered a week ago", 3),
        ("d2", "Доставка опять задерживается", 60),
        ("s1", "crypto airdrop, click now", 10),
    ] {
        v.push(NewItem::comment(
            Platform::Vk,
            "vk.com/lumo",
            id,
            "u-1",
            text,
            mins_ago(m),
        ));
    }
    v
}

/// An engine that reads `rules.toml` from the rig's folder (in force before the items came).
async fn rig(rules: Option<&str>) -> (Rig, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("conf").join("rules.toml");
    if let Some(text) = rules {
        std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
    }
    let engine = Engine::new(
        Store::open(&dir.path().join("data")).expect("store"),
        "anna",
    );
    engine.load_rules_file(&path).expect("rules");
    (rig_on(dir, engine, items()).await, path)
}

fn panel(r: &Rig) -> &RulesPanel {
    match &r.app.popup {
        Some(Popup::Rules(p)) => p,
        other => panic!("no rules panel: {other:?}"),
    }
}

#[tokio::test]
async fn the_detail_pane_names_the_rules_that_touched_the_item() {
    kith::i18n::init(kith::i18n::Lang::En);
    let (mut r, _) = rig(Some(RULES)).await;
    r.app.size = (120, 36);
    let at = r
        .rows()
        .iter()
        .position(|t| t.starts_with("Where is my delivery"))
        .expect("row");
    for _ in 0..at {
        r.press("j").await;
    }
    assert_eq!(
        r.selected_text(),
        "Where is my delivery? Ordered a week ago"
    );
    let s = screen_text(&r.app, 120, 36);
    assert!(s.contains("Rules: delivery"), "{s}");
    assert!(s.contains("#delivery"), "{s}");
    // An item no rule touched says nothing of rules.
    r.press("j").await;
    assert!(
        !r.selected_text().contains("delivery"),
        "{}",
        r.selected_text()
    );
    let s = screen_text(&r.app, 120, 36);
    assert!(!s.contains("Rules:"), "{s}");
}

#[tokio::test]
async fn the_panel_lists_the_rules_with_counts_and_examples() {
    kith::i18n::init(kith::i18n::Lang::En);
    let (mut r, path) = rig(Some(RULES)).await;
    r.press("g r").await;
    let p = panel(&r);
    let status = p.status.as_ref().expect("status");
    assert_eq!(
        status.path.as_deref(),
        Some(path.display().to_string().as_str())
    );
    let counts: Vec<(String, u64)> = p
        .tests
        .as_ref()
        .expect("counts")
        .iter()
        .map(|x| (x.name.clone(), x.count))
        .collect();
    assert_eq!(
        counts,
        [("delivery".to_string(), 2), ("spam-wave".to_string(), 1)]
    );
    for (w, h) in [(80, 24), (160, 45)] {
        let s = screen_text(&r.app, w, h);
        assert!(s.contains("Rules · 2 in force"), "{s}");
        for what in ["delivery", "spam-wave", "stop", "Matches of delivery"] {
            assert!(s.contains(what), "{what} at {w}x{h}:\n{s}");
        }
        let row = s
            .lines()
            .find(|l| l.contains("▶ delivery"))
            .unwrap_or_else(|| panic!("no selected row:\n{s}"));
        assert!(row.contains(" 2 ██████│"), "{row}");
        assert!(s.contains("Where is my delivery?"), "{s}");
    }
    r.press("j").await;
    let s = screen_text(&r.app, 160, 45);
    assert!(s.contains("Matches of spam-wave"), "{s}");
    assert!(s.contains("crypto airdrop, click now"), "{s}");
    r.press("esc").await;
    assert!(r.app.popup.is_none());
    // The palette finds it by name.
    r.press(":").await;
    r.type_text("rules").await;
    r.press("enter").await;
    assert_eq!(panel(&r).status.as_ref().map(|s| s.rules.len()), Some(2));
}

#[tokio::test]
async fn a_broken_file_is_shown_with_its_place_and_e_reloads_it() {
    kith::i18n::init(kith::i18n::Lang::En);
    let (mut r, path) = rig(Some(RULES)).await;
    r.press("g r").await;
    std::fs::write(
        &path,
        "[[rule]]\nname = \"x\"\nwhen = \"~p nowhere\"\nthen = [\"spam\"]\n",
    )
    .expect("write");
    r.press("r").await;
    assert!(
        note(&r).starts_with("Rules not in force: line 3:12: rule \"x\": "),
        "{}",
        note(&r)
    );
    for (w, h) in [(80, 24), (160, 45)] {
        let s = screen_text(&r.app, w, h);
        assert!(s.contains("The file on disk is not in force"), "{s}");
        assert!(s.contains("line 3:12: rule \"x\""), "{s}");
        // The rules read before are still listed, still in force.
        assert!(
            s.contains("Rules · 2 in force") && s.contains("spam-wave"),
            "{s}"
        );
    }
    // Mended (by the editor, here by hand): `e` has the engine read it at once.
    std::fs::write(&path, RULES.replace("crypto*", "crypto* | airdrop")).expect("write");
    r.press("e").await;
    assert_eq!(note(&r), "Rules read again: 2 in force");
    let p = panel(&r);
    let status = p.status.as_ref().expect("status");
    assert!(status.problems.is_empty());
    assert_eq!(status.rules[1].when, "crypto* | airdrop");
    let s = screen_text(&r.app, 160, 45);
    assert!(!s.contains("not in force"), "{s}");
}

#[tokio::test]
async fn e_starts_a_missing_file_from_the_example() {
    kith::i18n::init(kith::i18n::Lang::En);
    let (mut r, path) = rig(None).await;
    r.press("g r").await;
    let s = screen_text(&r.app, 80, 24);
    assert!(s.contains("No rules.toml yet"), "{s}");
    assert!(s.contains("Rules · 0 in force"), "{s}");
    // The editor (none here) closes on the example as it was: nobody chose those rules, so
    // the file is taken away again and nothing is put in force.
    r.press("e").await;
    assert!(!path.exists());
    assert_eq!(
        note(&r),
        "rules.toml not started: the example was left as it was"
    );
    let s = screen_text(&r.app, 80, 24);
    assert!(s.contains("Rules · 0 in force"), "{s}");
    // The example, once changed and saved, is read (tui_rules_tmux does it with an editor).
    std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
    std::fs::write(&path, kith::tui::rules::EXAMPLE).expect("write");
    r.press("r").await;
    assert_eq!(note(&r), "Rules read again: 3 in force");
    let s = screen_text(&r.app, 160, 45);
    for name in ["delivery", "spam-wave", "negative-review"] {
        assert!(s.contains(name), "{name}:\n{s}");
    }
}
