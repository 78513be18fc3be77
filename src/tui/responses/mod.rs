//! Engine results and events turned into state: replies routed by the tag their request
//! carried (the inbox's in `inbox.rs`, the panels' in `panels.rs`), events to whoever shows
//! what changed.

mod inbox;
mod panels;

use super::app::App;
use super::msg::{Effect, PageDir, Tag};
pub use super::nav::resync;
use super::nav::{after_move, reload_thread, window_cap};
use super::popups::Popup;
use crate::domain::Item;
use crate::engine::api::{Event, Request, Response};
use crate::engine::EngineError;
use crate::i18n::tf;

/// Routes an engine reply to whoever asked, by the tag the request carried.
pub fn done(app: &mut App, p: Tag, r: Result<Response, EngineError>) -> Vec<Effect> {
    use Tag as P;
    match &p {
        P::Members { .. } | P::MemberProfile { .. } | P::MemberEdit { .. } => {
            panels::members(app, p, r)
        }
        P::PostCreate | P::PostEdit { .. } | P::Posts { .. } => panels::posts(app, p, r),
        P::Accounts | P::Sync(_) | P::AccountTest(_) | P::Captcha(_) => panels::accounts(app, p, r),
        P::Overview | P::Operators | P::WhoAmI | P::Presence => shared(app, p, r),
        P::Tags | P::TagRename { .. } => super::tags::done(app, p, r),
        P::Views | P::ViewSave { .. } | P::ViewDelete { .. } | P::ViewMove { .. } => {
            super::saved_views::done(app, p, r)
        }
        P::Bulk { .. } | P::BulkCount { .. } | P::UndoBulk | P::StoredDraft(_) => {
            super::bulk::done(app, p, r)
        }
        P::Awaiting | P::ReviewReply { .. } => match app.calendar_mut() {
            Some((cal, cx)) => super::approvals::done(cx, Some(cal), p, r),
            None => super::approvals::done(&mut app.cx, None, p, r),
        },
        P::RulesStatus { .. } | P::RulesTest { .. } => match app.rules_mut() {
            Some((panel, cx)) => super::rules::done(Some(panel), cx, p, r),
            None => super::rules::done(None, &mut app.cx, p, r),
        },
        _ => inbox::done(app, p, r),
    }
}

/// What every panel shares: counts, who we are, the team, who is writing where.
fn shared(app: &mut App, p: Tag, r: Result<Response, EngineError>) -> Vec<Effect> {
    match (p, r) {
        (Tag::Overview, Ok(Response::Overview(o))) => {
            // Saved views' counts move with the items: asked for again with the overview after
            // anything changed.
            let stale = std::mem::take(&mut app.saved_stale) || app.overview != o;
            app.overview = o;
            let mut fx = super::saved_views::rebuild(app);
            if stale {
                fx.push(super::saved_views::load(app));
            }
            fx
        }
        (Tag::Operators, Ok(Response::Operators(names))) => {
            app.operators = names;
            Vec::new()
        }
        (Tag::WhoAmI, Ok(Response::Operator(me))) => {
            app.read_only = me.read_only;
            app.targets = me.targets;
            app.approver = me.approver;
            super::approvals::changed_in(app)
        }
        (Tag::Presence, Ok(Response::Presence(p))) => {
            app.presence = p.drafting.into_iter().collect();
            Vec::new()
        }
        (_, Err(e)) => {
            app.error(&e.to_string());
            Vec::new()
        }
        (_, Ok(_)) => Vec::new(),
    }
}

pub(super) fn accounts_reload(app: &App) -> Vec<Effect> {
    if matches!(app.popup, Some(Popup::Accounts(_))) {
        vec![Effect::Call(Tag::Accounts, Request::Accounts)]
    } else {
        Vec::new()
    }
}

pub(super) fn conflict_or_error(app: &mut App, e: &EngineError) {
    match e {
        EngineError::Conflict { what, .. } => app.error(&tf("tui.msg.conflict", &[("what", what)])),
        other => app.error(&other.to_string()),
    }
}

/// A fresh copy of an item: update its row (or drop it from a view it left) and the thread.
pub(super) fn refreshed(app: &mut App, item: &Item) -> Vec<Effect> {
    let belongs = app.filter().matches(item) && crate::tui::limit::pattern_keeps(app, item);
    app.list.refresh_row(item, belongs);
    app.list.move_by(0);
    if let Some(slot) = app.thread.items.iter_mut().find(|i| i.id == item.id) {
        *slot = item.clone();
    }
    after_move(app)
}

pub fn event(app: &mut App, e: Event) -> Vec<Effect> {
    let mut fx = vec![Effect::Call(Tag::Overview, Request::Overview)];
    if matches!(
        e,
        Event::ItemsAdded(_)
            | Event::ItemsChanged(_)
            | Event::ViewsChanged
            | Event::Connection(true)
    ) {
        app.saved_stale = true;
    }
    match e {
        Event::ItemsAdded(_) => {
            // At the top of the list new items show at once; deeper down the counts say so.
            if !app.list.more_above && !app.list.loading_reset {
                let keep = app.list.selected_id();
                let limit = app
                    .list
                    .rows
                    .len()
                    .clamp(app.cfg.page_size, window_cap(app));
                let (gen, mut q) = app.list.reset(app.filter(), limit, false);
                q.limit = limit;
                fx.push(Effect::Call(
                    Tag::Page {
                        gen,
                        dir: PageDir::Reset { keep, last: false },
                    },
                    Request::List(q),
                ));
            }
        }
        Event::ItemsChanged(ids) => {
            for id in &ids {
                if app.list.rows.iter().any(|r| r.id == *id) {
                    fx.push(Effect::Call(Tag::Row(*id), Request::Get(*id)));
                }
            }
            if ids.iter().any(|id| {
                app.thread.id == Some(*id) || app.thread.items.iter().any(|i| i.id == *id)
            }) {
                fx.extend(reload_thread(app));
            }
        }
        Event::ReplyState { item, reply } => {
            if app.thread.id == Some(item)
                || app
                    .thread
                    .items
                    .iter()
                    .any(|i| i.id == item || i.id == reply)
            {
                fx.extend(reload_thread(app));
            }
            fx.push(Effect::Call(
                Tag::ReplyState { reply, item },
                Request::Get(reply),
            ));
            fx.extend(super::approvals::changed_in(app));
        }
        Event::ThreadFetched(id) => {
            if app.thread.id == Some(id) {
                fx.extend(reload_thread(app));
            }
        }
        Event::SyncProgress { .. } => {
            if matches!(app.popup, Some(Popup::Accounts(_))) {
                fx.push(Effect::Call(Tag::Accounts, Request::Accounts));
            }
        }
        Event::MembersChanged => {
            if let Some((p, _)) = app.members_mut() {
                fx.extend(crate::tui::members::reload(p));
            }
        }
        // The last step's count comes with the answer ("renamed on N items").
        Event::Progress { what, done, total } if what == "tags" && done < total => {
            app.info(tf(
                "tags.tui.progress",
                &[("done", &done), ("total", &total)],
            ));
        }
        // Another operator's `kith doctor --compact`: changes wait until it is done.
        Event::Progress { what, done, total } if what == "compact" && done < total => {
            app.info(tf(
                "doctor.tui_compacting",
                &[("done", &done), ("total", &total)],
            ));
        }
        Event::Progress { .. } => {}
        Event::BulkProgress {
            operator,
            done,
            total,
            skipped,
            ..
        } => {
            super::bulk::progress(app, &operator, done, total, skipped);
            return Vec::new();
        }
        Event::PostChanged(_) => {
            return match app.calendar_mut() {
                Some((cal, _)) => {
                    let mut fx = super::calendar::reload(cal);
                    fx.extend(super::approvals::changed_in(app));
                    fx
                }
                None => super::approvals::changed_in(app),
            }
        }
        // The overview asked above brings the views with it (see `shared`).
        Event::ViewsChanged => {}
        Event::AccountsChanged => {
            // Also keeps the per-account reply limits current.
            fx.push(Effect::Call(Tag::Accounts, Request::Accounts));
        }
        Event::NotesChanged(id) => {
            if app.thread.id == Some(id) {
                fx.extend(reload_thread(app));
            }
            return fx.split_off(1);
        }
        Event::Notice { phrase, error } => {
            if error {
                app.error(&phrase.to_string());
            } else {
                app.info(phrase.to_string());
            }
            return fx.split_off(1);
        }
        e @ (Event::Presence { .. } | Event::Connection(_) | Event::EngineStopped) => {
            let team = super::team::event(app, &e);
            if matches!(
                e,
                Event::Presence { .. } | Event::Connection(false) | Event::EngineStopped
            ) {
                // Presence changes no counts; with the engine gone there is nobody to ask.
                return team;
            }
            fx.extend(team);
        }
    }
    fx
}
