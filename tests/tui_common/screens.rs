//! Rendering helpers for snapshot and hostile-string tests.
#![allow(dead_code)]

use kith::tui::App;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;

pub fn render(app: &App, w: u16, h: u16) -> (String, Buffer) {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    term.draw(|f| kith::tui::render::draw(f, app))
        .expect("draw");
    let buf = term.backend().buffer().clone();
    (format!("{}", term.backend()), buf)
}

/// Every row of the main area has its pane borders at the same columns: the sidebar's right
/// edge and the screen's right edge.
pub fn assert_borders_aligned(buf: &Buffer, side_w: u16) {
    let area = buf.area;
    let edge = "│┐┘┤┌└";
    for y in 0..area.height.saturating_sub(2) {
        let right = buf[(area.width - 1, y)].symbol().to_string();
        assert!(
            edge.contains(right.as_str()) && !right.is_empty(),
            "row {y}: right edge is {right:?}\n{}",
            dump(buf)
        );
        if side_w > 0 {
            let s = buf[(side_w - 1, y)].symbol().to_string();
            assert!(
                edge.contains(s.as_str()) && !s.is_empty(),
                "row {y}: sidebar edge is {s:?}\n{}",
                dump(buf)
            );
            let l = buf[(side_w, y)].symbol().to_string();
            assert!(
                edge.contains(l.as_str()) && !l.is_empty(),
                "row {y}: list edge is {l:?}\n{}",
                dump(buf)
            );
        }
    }
    for cell in buf.content.iter() {
        assert!(
            !cell.symbol().chars().any(|c| c.is_control()),
            "control char in a cell: {:?}",
            cell.symbol()
        );
    }
}

pub fn dump(buf: &Buffer) -> String {
    let mut s = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

pub fn side_width(w: u16) -> u16 {
    if w >= 100 {
        24
    } else if w >= 60 {
        18
    } else {
        0
    }
}
