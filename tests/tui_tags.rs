//! Tags in the TUI against a real engine: rows show tags in their colours (checked on the
//! cells), the `t` prompt and the filter's tag field complete the tags in use, and
//! `:tag-rename` from the palette renames on every item.

mod tui_common;

use kith::domain::tag::TagCount;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use tui_common::snaps::{tag_colors, tag_items};
use tui_common::*;

fn draw(app: &kith::tui::App, w: u16, h: u16) -> Buffer {
    let mut term =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("terminal");
    term.draw(|f| kith::tui::render::draw(f, app))
        .expect("draw");
    term.backend().buffer().clone()
}

/// Where `needle` starts on the screen (cell column and row), counting wide characters once.
fn find(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut cols = Vec::new();
        for x in 0..buf.area.width {
            let s = buf[(x, y)].symbol();
            for _ in s.chars() {
                cols.push(x);
            }
            line.push_str(s);
        }
        if let Some(at) = line.find(needle) {
            let chars = line[..at].chars().count();
            return Some((cols[chars], y));
        }
    }
    None
}

fn fg(buf: &Buffer, at: (u16, u16)) -> Option<Color> {
    buf[at].style().fg
}

async fn tagged_rig() -> Rig {
    kith::i18n::init(kith::i18n::Lang::En);
    let mut r = rig_with(tag_items()).await;
    r.app.cx.cfg.tag_colors = tag_colors();
    r
}

#[tokio::test]
async fn rows_show_tags_in_their_colours_and_drop_them_at_80_columns() {
    let r = tagged_rig().await;
    let buf = draw(&r.app, 160, 45);
    // Configured: a name and a hex colour (any case of the tag); the text stays plain.
    let at = find(&buf, "#delivery").expect("delivery");
    assert_eq!(fg(&buf, at), Some(Color::Yellow));
    assert_eq!(fg(&buf, (at.0 + 8, at.1)), Some(Color::Yellow));
    let vip = find(&buf, "#VIP").expect("VIP");
    assert_eq!(fg(&buf, vip), Some(Color::Rgb(0xff, 0x88, 0)));
    let dost = find(&buf, "#Доставка").expect("Доставка");
    assert_eq!(fg(&buf, (dost.0 + 3, dost.1)), Some(Color::LightGreen));
    let refund = find(&buf, "#refund").expect("refund");
    assert_eq!(fg(&buf, refund), Some(Color::Red));
    // Not configured: a palette colour, the same for the same name.
    let brak = find(&buf, "#брак").expect("брак");
    let want = kith::tui::render::tags::color(&Default::default(), "брак");
    assert_eq!(fg(&buf, brak), Some(want));
    assert!(!matches!(
        want,
        Color::Yellow | Color::Cyan | Color::Magenta | Color::Green | Color::DarkGray
    ));
    // The count of tags left out is dim; the text after the tags has no tag colour.
    let more = find(&buf, "+2 Can I return").expect("more");
    assert_eq!(fg(&buf, more), Some(Color::DarkGray));
    let text = find(&buf, "Where is my order").expect("text");
    assert!(matches!(fg(&buf, text), None | Some(Color::Reset)));
    // The selected row keeps its highlight under the tag colour.
    let sel = kith::tui::render::theme::selected(r.app.focus == kith::tui::app::Pane::List);
    assert_eq!(buf[at].style().bg, sel.bg.or(Some(Color::Reset)));
    assert!(buf[at].style().add_modifier.contains(sel.add_modifier));
    // At 80 columns the text keeps every cell.
    let narrow = screen_text(&r.app, 80, 24);
    let row = narrow.lines().find(|l| l.contains("Anna")).expect("row");
    assert!(row.ends_with("Where is my order? It has be│"), "{narrow}");
    // The detail pane still lists them.
    assert!(narrow.contains("tags: #delivery #vip"), "{narrow}");
}

#[tokio::test]
async fn the_tag_prompt_completes_tags_in_use_with_counts() {
    let mut r = tagged_rig().await;
    r.press("j").await;
    r.press("t").await;
    assert!(r.app.cx.tags.contains(&TagCount {
        name: "vip".into(),
        items: 3
    }));
    r.type_text("wa").await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(screen.contains("Tag: wa   tab: #warranty 1 · "), "{screen}");
    r.press("tab").await;
    let typed = r.app.prompt.as_ref().map(|(_, i)| i.text.clone());
    assert_eq!(typed.as_deref(), Some("warranty"));
    r.press("enter").await;
    let id = r.app.list.current().expect("row").id;
    assert_eq!(
        r.get(id).await.tags,
        vec!["брак", "Доставка", "VIP", "warranty"]
    );
    // Removing completes after the minus too, and in any case.
    r.press("t").await;
    r.type_text("-ДОС").await;
    r.press("tab").await;
    r.press("enter").await;
    assert_eq!(r.get(id).await.tags, vec!["брак", "VIP", "warranty"]);
}

#[tokio::test]
async fn the_filter_tag_field_completes_and_narrows_the_list() {
    let mut r = tagged_rig().await;
    r.press("f j j j j").await;
    r.type_text("V").await;
    r.press("ctrl-n").await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(screen.contains("Tag           vip"), "{screen}");
    r.press("enter").await;
    assert_eq!(
        r.rows(),
        vec![
            "Where is my order? It has been a week.",
            "Лампа мерцает на минимальной яркости",
            "Can I return it?",
        ]
    );
    assert_eq!(r.app.user_filter.tag.as_deref(), Some("vip"));
}

#[tokio::test]
async fn tag_rename_from_the_palette_merges_and_says_how_many() {
    let mut r = tagged_rig().await;
    r.press("f j j j j").await;
    r.type_text("delivery").await;
    r.press("enter").await;
    assert_eq!(r.rows().len(), 1);
    r.press(":").await;
    r.type_text("tag-rename").await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains("tag-rename OLD NEW — rename a tag"),
        "{screen}"
    );
    // Enter without the names says how to use it and keeps the palette.
    r.press("enter").await;
    assert!(r.app.popup.is_some());
    r.type_text(" Доставка DELIVERY").await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains("Rename #Доставка to #DELIVERY on every item (enter)"),
        "{screen}"
    );
    r.press("enter").await;
    let note = r.app.cx.note.as_ref().map(|n| n.text.clone());
    assert_eq!(
        note.as_deref(),
        Some("Renamed #Доставка to #DELIVERY on 1 items (0 merged)")
    );
    // The list filtered by `delivery` now shows both, and the counts moved.
    assert_eq!(r.rows().len(), 2);
    assert!(r.app.cx.tags.contains(&TagCount {
        name: "delivery".into(),
        items: 2
    }));
    assert!(!r.app.cx.tags.iter().any(|t| t.name == "доставка"));
    let row = r
        .app
        .list
        .rows
        .iter()
        .find(|i| i.text.starts_with("Лампа"))
        .expect("row");
    assert_eq!(row.tags, vec!["брак", "DELIVERY", "VIP"]);
    // Merging: `vip` into `delivery`: the item with both keeps one.
    r.press(":").await;
    r.type_text("tag-rename vip delivery").await;
    r.press("enter").await;
    let note = r.app.cx.note.as_ref().map(|n| n.text.clone());
    assert_eq!(
        note.as_deref(),
        Some("Renamed #vip to #delivery on 3 items (2 merged)")
    );
    let row = r
        .app
        .list
        .rows
        .iter()
        .find(|i| i.text.starts_with("Where"))
        .expect("row");
    assert_eq!(row.tags, vec!["delivery"]);
}

/// `[tags] colors` in the config file reach the rows (through the app's settings).
#[tokio::test]
async fn colours_from_the_config_file_reach_the_app() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        "[tags]\ncolors = { Delivery = \"light-blue\", vip = \"#00FF7f\" }\n",
    )
    .expect("write");
    let setup = kith::setup::Setup {
        paths: kith::paths::Paths::resolve(Some(dir.path().to_path_buf()), Some(file.clone())),
        settings: kith::config::Settings::load(&file, true).expect("settings"),
        operator: "anna".into(),
    };
    let (cfg, problems) = kith::tui::runner_config(&setup);
    assert!(problems.is_empty(), "{problems:?}");
    let c = &cfg.tag_colors;
    assert_eq!(
        kith::tui::render::tags::color(c, "DELIVERY"),
        Color::LightBlue
    );
    assert_eq!(
        kith::tui::render::tags::color(c, "vip"),
        Color::Rgb(0, 0xff, 0x7f)
    );
}
