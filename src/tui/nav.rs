//! Moving about the inbox: asking for the list again (after a filter, a view or a search),
//! paging near the edges, and loading the selected item's thread. Used by the keys, the
//! engine's replies and its events alike, so it sits below all three.

use super::app::App;
use super::msg::{Effect, PageDir, Tag};
use crate::engine::api::Request;

/// Asks for the list again from the top (or the bottom) with the current filter.
pub fn reload_list(app: &mut App, keep: Option<Id>, bottom: bool) -> Vec<Effect> {
    let limit = app
        .cfg
        .page_size
        .max(app.list.rows.len().min(window_cap(app)));
    let (gen, q) = app.list.reset(app.filter(), limit, bottom);
    vec![Effect::Call(
        Tag::Page {
            gen,
            dir: PageDir::Reset { keep, last: bottom },
        },
        list_request(app, q),
    )]
}

/// The request for a fresh list: by id for every view, by due time for the due view, worst
/// rating first for the reviews to answer.
pub fn list_request(app: &App, q: crate::engine::api::ListQuery) -> Request {
    match app.view {
        _ if app.searching() => Request::List(q),
        super::views::View::Due => Request::Due {
            filter: q.filter,
            limit: q.limit,
        },
        super::views::View::ToAnswer => Request::WorstFirst {
            filter: q.filter,
            limit: q.limit,
        },
        _ => Request::List(q),
    }
}

/// Views listed in an order of their own, as one page: nothing to page by id.
fn one_page(app: &App) -> bool {
    matches!(
        app.view,
        super::views::View::Due | super::views::View::ToAnswer
    ) && !app.searching()
}

type Id = crate::domain::ItemId;

/// Most rows the window holds before trimming the far side.
pub fn window_cap(app: &App) -> usize {
    app.cfg.page_size.saturating_mul(3).max(60)
}

/// After the selection moved: keep it visible, fetch pages near the edges, load its thread.
pub fn after_move(app: &mut App) -> Vec<Effect> {
    let h = app.list_height();
    app.list.scroll_into_view(h);
    let filter = app.filter();
    // The due and to-answer views are one page in their own order: nothing to page by id.
    let wants = if one_page(app) {
        Vec::new()
    } else {
        app.list.wants(&filter, app.cfg.page_size)
    };
    let mut fx: Vec<Effect> = wants
        .into_iter()
        .map(|(dir, q)| {
            Effect::Call(
                Tag::Page {
                    gen: app.list.gen,
                    dir,
                },
                Request::List(q),
            )
        })
        .collect();
    if app.list.selected_id() != app.thread.id {
        fx.extend(load_thread(app));
    }
    fx
}

/// Asks for the selected item's thread and notes (again).
pub fn load_thread(app: &mut App) -> Vec<Effect> {
    let id = app.list.selected_id();
    if app.thread.id != id {
        app.thread.scroll = 0;
        app.thread.items.clear();
        app.thread.notes.clear();
    }
    app.thread.id = id;
    reload_thread(app)
}

pub fn reload_thread(app: &mut App) -> Vec<Effect> {
    let Some(id) = app.thread.id else {
        return Vec::new();
    };
    app.thread.gen += 1;
    let gen = app.thread.gen;
    vec![
        Effect::Call(Tag::Thread { gen, id }, Request::Thread(id)),
        Effect::Call(Tag::Notes { gen, id }, Request::Notes(id)),
    ]
}

/// Used when the event stream lagged: start over, keeping the selection.
pub fn resync(app: &mut App) -> Vec<Effect> {
    let keep = app.list.selected_id();
    app.saved_stale = true;
    let mut fx = vec![Effect::Call(Tag::Overview, Request::Overview)];
    fx.extend(reload_list(app, keep, false));
    fx
}
