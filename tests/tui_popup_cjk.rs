//! Popups drawn over rows of wide characters, at every horizontal offset: the popup's border is
//! what a terminal shows, never the half of a CJK glyph that ratatui's diff would leave there.

mod tui_common;

use kith::domain::{NewItem, Platform};
use ratatui::buffer::Buffer;
use tui_common::*;

/// CJK rows starting at every parity: "王王…", "a王王…", "ab王…", "abc王…".
fn cjk_items() -> Vec<NewItem> {
    (0..4)
        .map(|k| {
            let text = format!("{}{}", &"abc"[..k], "王芳灯很好，但是发货".repeat(12));
            NewItem::comment(
                Platform::Youtube,
                "yt",
                &format!("c{k}"),
                "王芳",
                &text,
                mins_ago(10 + k as i64),
            )
        })
        .collect()
}

/// What a terminal shows: the symbol drawn at each column, `None` under a wide glyph's right
/// half (ratatui skips that cell, so whatever is in the buffer there is never drawn).
fn terminal_row(buf: &Buffer, y: u16) -> Vec<Option<String>> {
    let w = buf.area.width;
    let mut row = vec![None; w as usize];
    let mut x = 0;
    while x < w {
        let sym = buf[(x, y)].symbol().to_string();
        let cells = kith::text::width(&sym).max(1) as u16;
        row[x as usize] = Some(sym);
        x += cells;
    }
    row
}

fn draw(app: &kith::tui::App, w: u16, h: u16) -> Buffer {
    let mut term =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("terminal");
    term.draw(|f| kith::tui::render::draw(f, app))
        .expect("draw");
    term.backend().buffer().clone()
}

/// The popup titled `title`: every row between its corners shows `│` at both edges.
fn assert_popup_edges(buf: &Buffer, title: &str, ctx: &str) {
    let h = buf.area.height;
    let rows: Vec<Vec<Option<String>>> = (0..h).map(|y| terminal_row(buf, y)).collect();
    let text = |r: &[Option<String>]| r.iter().flatten().cloned().collect::<String>();
    let top = (0..h as usize)
        .find(|y| text(&rows[*y]).contains(&format!("┌ {title} ")))
        .unwrap_or_else(|| panic!("{ctx}: no popup {title}"));
    let left = rows[top]
        .iter()
        .enumerate()
        .filter(|(_, s)| s.as_deref() == Some("┌"))
        .map(|(x, _)| x)
        .find(|x| {
            let after: String = rows[top][*x..].iter().flatten().cloned().collect();
            after.starts_with(&format!("┌ {title} "))
        })
        .expect("left corner");
    let right = (left + 1..rows[top].len())
        .find(|x| rows[top][*x].as_deref() == Some("┐"))
        .expect("right corner");
    let mut y = top + 1;
    while rows[y][left].as_deref() != Some("└") {
        for x in [left, right] {
            assert_eq!(
                rows[y][x].as_deref(),
                Some("│"),
                "{ctx}: row {y} column {x} of the {title} popup\n{}",
                rows.iter().map(|r| text(r)).collect::<Vec<_>>().join("\n")
            );
        }
        y += 1;
        assert!(y < h as usize, "{ctx}: popup never closes");
    }
}

#[tokio::test]
async fn popups_over_cjk_rows_keep_their_borders_at_every_offset() {
    kith::i18n::init(kith::i18n::Lang::En);
    let mut r = rig_with(cjk_items()).await;
    for (keys, title) in [("f", "Filter"), ("s", "Snooze"), (":", "Commands")] {
        r.press(keys).await;
        for w in 80..=161 {
            for h in [24, 36] {
                r.app.size = (w, h);
                let buf = draw(&r.app, w, h);
                assert_popup_edges(&buf, title, &format!("{title} at {w}x{h}"));
            }
        }
        r.press("esc").await;
    }
}
