//! Saved views in the TUI: the sidebar's section (asked for with every overview, so counts move
//! with the items), and the palette's `:save NAME`, `:unsave NAME`, `:view-up NAME`,
//! `:view-down NAME` (NAME defaults to the saved view shown).

use super::app::App;
use super::msg::{Effect, Tag};
use super::nav::reload_list;
use super::views::View;
use crate::domain::saved_view::{self, fold, Move, Unsavable};
use crate::engine::api::{Request, Response};
use crate::engine::EngineError;
use crate::i18n::{t, tf};
use crate::text::sanitize_line;

/// Asks for the saved views with their counts, the operator's own from config sent along.
pub fn load(app: &App) -> Effect {
    Effect::Call(
        Tag::Views,
        Request::Views {
            personal: app.cfg.views.clone(),
        },
    )
}

/// The sidebar rebuilt from the latest overview and saved views. The view shown stays shown
/// (by name, for a saved one whose pattern changed, which then reloads the list); a saved view
/// deleted meanwhile gives way to the Inbox.
pub fn rebuild(app: &mut App) -> Vec<Effect> {
    app.views = View::list(&app.overview, &app.cfg.operator, &app.saved);
    let mut fx = Vec::new();
    if let View::Saved { name, .. } = &app.view {
        let same = app
            .views
            .iter()
            .find(|v| matches!(v, View::Saved { name: n, .. } if n == name))
            .cloned();
        match same {
            Some(v) if v == app.view => {}
            Some(v) => {
                app.view = v;
                fx = reload_list(app, None, false);
            }
            None => {
                app.view = View::Inbox;
                fx = reload_list(app, None, false);
            }
        }
    }
    if let Some(i) = app.views.iter().position(|v| *v == app.view) {
        app.sidebar_sel = i;
    }
    fx
}

/// The name a command means: the one typed, or the saved view shown.
fn named(app: &mut App, typed: &str) -> Option<String> {
    if !typed.trim().is_empty() {
        return Some(typed.trim().to_string());
    }
    match &app.view {
        View::Saved { name, .. } => Some(name.clone()),
        _ => {
            app.error(&t("views.tui.which"));
            None
        }
    }
}

/// `:save NAME`: the list's pattern — the view shown written as a pattern, with the limit —
/// saved for the team.
pub fn save(app: &mut App, name: &str) -> Vec<Effect> {
    let name = name.trim();
    if !saved_view::valid_name(name) {
        app.error(&tf(
            "views.err.name",
            &[
                ("name", &sanitize_line(name, 60).text),
                ("max", &saved_view::MAX_NAME_CHARS),
            ],
        ));
        return Vec::new();
    }
    let mut f = app.filter();
    // A search looks through everything; what is saved is the view and its limit.
    if !app.search.trim().is_empty() {
        f = app.user_filter.apply(app.view.filter());
        f.pattern = crate::tui::limit::both(
            &app.limit,
            app.view.filter().pattern.filter(|p| !p.trim().is_empty()),
        );
    }
    let pattern = match saved_view::filter_pattern(&f) {
        Ok(p) => p,
        Err(why) => {
            app.error(&t(match why {
                Unsavable::Nothing => "views.tui.nothing",
                Unsavable::NotAPattern => "views.tui.cannot",
            }));
            return Vec::new();
        }
    };
    vec![Effect::Call(
        Tag::ViewSave {
            name: name.to_string(),
        },
        Request::ViewSave {
            name: name.to_string(),
            pattern,
        },
    )]
}

/// `:unsave NAME`.
pub fn unsave(app: &mut App, typed: &str) -> Vec<Effect> {
    let Some(name) = named(app, typed) else {
        return Vec::new();
    };
    if personal(app, &name) {
        return Vec::new();
    }
    vec![Effect::Call(
        Tag::ViewDelete { name: name.clone() },
        Request::ViewDelete(name),
    )]
}

/// `:view-up NAME`, `:view-down NAME`.
pub fn move_view(app: &mut App, typed: &str, dir: Move) -> Vec<Effect> {
    let Some(name) = named(app, typed) else {
        return Vec::new();
    };
    if personal(app, &name) {
        return Vec::new();
    }
    vec![Effect::Call(
        Tag::ViewMove { name: name.clone() },
        Request::ViewMove { name, dir },
    )]
}

/// A view from the operator's config is changed in the config file, not from here: says so.
fn personal(app: &mut App, name: &str) -> bool {
    let own = app
        .saved
        .iter()
        .any(|r| !r.shared && fold(&r.name) == fold(name));
    if own {
        app.error(&tf(
            "views.tui.personal",
            &[("name", &sanitize_line(name, 40).text)],
        ));
    }
    own
}

/// The engine's answers about saved views.
pub fn done(app: &mut App, p: Tag, r: Result<Response, EngineError>) -> Vec<Effect> {
    match (p, r) {
        (Tag::Views, Ok(Response::Views(rows))) => {
            app.saved = rows;
            rebuild(app)
        }
        (Tag::ViewSave { name }, Ok(Response::ViewSaved { replaced })) => {
            let key = if replaced {
                "views.tui.replaced"
            } else {
                "views.tui.saved"
            };
            app.info(tf(key, &[("name", &sanitize_line(&name, 40).text)]));
            vec![load(app)]
        }
        (Tag::ViewDelete { name }, Ok(_)) => {
            app.info(tf(
                "views.tui.deleted",
                &[("name", &sanitize_line(&name, 40).text)],
            ));
            vec![load(app)]
        }
        (Tag::ViewMove { .. }, Ok(Response::ViewMoved(false))) => {
            app.info(t("views.tui.at_edge"));
            Vec::new()
        }
        (Tag::ViewMove { .. }, Ok(_)) => vec![load(app)],
        (_, Err(e)) => {
            app.error(&e.to_string());
            Vec::new()
        }
        (_, Ok(_)) => Vec::new(),
    }
}
