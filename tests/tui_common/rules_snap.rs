//! The Rules panel's snapshots, shared by the per-language snapshot tests: rules in force with
//! counts, CJK and Cyrillic in names and patterns, at 80x24 and 160x45; then a broken file.

use crate::tui_common::{mins_ago, rig, Rig};
use kith::domain::{NewItem, Platform};
use kith::engine::api::Request;
use kith::engine::Backend;
use kith::i18n::Lang;
use kith::tui::popups::Popup;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const RULES: &str = "[[rule]]\nname = \"доставка\"\nwhen = 'доставка | delivery | 快递'\nthen = [\"tag:delivery\", \"assign:anna\"]\n\n[[rule]]\nname = \"spam-wave\"\nwhen = \"crypto* !~k review\"\nthen = [\"spam\"]\nstop = true\n\n[[rule]]\nname = \"差评\"\nwhen = \"~k review ~r <=2\"\nthen = [\"tag:negative\", \"priority\"]\nreviews = true\n";

fn shot(r: &mut Rig, name: &str, w: u16, h: u16) {
    // The file's real place is a temp dir: shown as where it usually is.
    if let Some(Popup::Rules(p)) = r.app.popup.as_mut() {
        if let Some(s) = p.status.as_mut() {
            s.path = Some("~/.config/kith/rules.toml".into());
        }
    }
    let name = format!("{}_{name}", kith::i18n::current().code());
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    term.draw(|f| kith::tui::render::draw(f, &r.app))
        .expect("draw");
    let buf = term.backend().buffer().clone();
    // The panel (at most 150 wide, centred, a row free above and below) keeps its right edge
    // on every row, whatever the language.
    let pw = w.min(150);
    let right = (w - pw) / 2 + pw - 1;
    for y in 1..h - 1 {
        let s = buf[(right, y)].symbol();
        assert!("│┐┘".contains(s), "row {y}: {s:?} at the panel's edge");
    }
    let text = format!("{}", term.backend());
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name.as_str(), text);
    });
}

pub async fn rules_panel(lang: Lang) {
    kith::i18n::init(lang);
    let mut r = rig().await;
    let path = r.dir.path().join("rules.toml");
    std::fs::write(&path, RULES).expect("write");
    r.backend.engine().load_rules_file(&path).expect("rules");
    let mut items = Vec::new();
    for (id, text, m) in [
        ("r1", "Доставка задерживается уже неделю", 15),
        ("r2", "快递什么时候到？", 45),
        ("r3", "crypto airdrop 🚀 click", 20),
    ] {
        items.push(NewItem::comment(
            Platform::Vk,
            "vk.com/lumo",
            id,
            "Вера",
            text,
            mins_ago(m),
        ));
    }
    r.backend
        .call(Request::Ingest { items, demo: true })
        .await
        .expect("ingest");
    r.press("g r").await;
    r.app.size = (80, 24);
    shot(&mut r, "rules_80", 80, 24);
    r.press("j").await;
    r.app.size = (160, 45);
    shot(&mut r, "rules_160", 160, 45);
    std::fs::write(
        &path,
        "[[rule]]\nname = \"x\"\nwhen = \"~p nowhere\"\nthen = [\"spam\"]\n",
    )
    .expect("write");
    r.press("r").await;
    r.app.size = (80, 24);
    shot(&mut r, "rules_broken_80", 80, 24);
}
