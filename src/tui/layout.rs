//! Where each pane goes for a terminal size; shared by drawing and by paging arithmetic.

use ratatui::layout::Rect;

#[derive(Debug, Clone, Copy)]
pub struct Areas {
    pub sidebar: Rect,
    pub list: Rect,
    pub detail: Rect,
    pub status: Rect,
    pub line: Rect,
}

pub fn areas(r: Rect, zoom: bool) -> Areas {
    let body_h = r.height.saturating_sub(2);
    let status = Rect::new(r.x, r.y + body_h, r.width, 1.min(r.height));
    let line = Rect::new(
        r.x,
        r.y + body_h + 1,
        r.width,
        r.height.saturating_sub(body_h + 1).min(1),
    );
    let side_w = if r.width >= 100 {
        24
    } else if r.width >= 60 {
        18
    } else {
        0
    };
    let sidebar = Rect::new(r.x, r.y, side_w, body_h);
    let right = Rect::new(r.x + side_w, r.y, r.width.saturating_sub(side_w), body_h);
    if zoom {
        return Areas {
            sidebar,
            list: Rect::new(right.x, right.y, right.width, 0),
            detail: right,
            status,
            line,
        };
    }
    let list_h = if body_h < 12 {
        body_h
    } else {
        body_h * 11 / 20
    };
    let list = Rect::new(right.x, right.y, right.width, list_h);
    let detail = Rect::new(right.x, right.y + list_h, right.width, body_h - list_h);
    Areas {
        sidebar,
        list,
        detail,
        status,
        line,
    }
}
