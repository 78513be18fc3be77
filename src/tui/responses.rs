//! Engine results and events turned into state: pages, threads, updates, replies, counts.

use super::app::{App, UndoStep};
use super::msg::{Effect, PageDir, Pending};
pub use super::nav::resync;
use super::nav::{after_move, reload_thread, window_cap};
use super::popups::Popup;
use super::views::View;
use crate::domain::Item;
use crate::engine::api::{Event, Request, Response};
use crate::engine::EngineError;
use crate::i18n::{t, tf};
use crate::text::sanitize_line;

pub fn done(app: &mut App, p: Pending, r: Result<Response, EngineError>) -> Vec<Effect> {
    match (p, r) {
        (Pending::Overview, Ok(Response::Overview(o))) => {
            app.views = View::list(&o, &app.cfg.operator);
            if let Some(i) = app.views.iter().position(|v| *v == app.view) {
                app.sidebar_sel = i;
            }
            app.overview = o;
            Vec::new()
        }
        (Pending::Page { gen, dir }, Ok(Response::Page(page))) => {
            let cap = window_cap(app);
            if !app.list.apply(gen, dir, page, cap) {
                return Vec::new();
            }
            if matches!(dir, PageDir::Reset { .. }) {
                app.list.offset = app.list.offset.min(app.list.selected);
            }
            after_move(app)
        }
        (Pending::Page { gen, .. }, Err(e)) => {
            if gen == app.list.gen {
                app.list.loading_reset = false;
                app.list.loading_below = false;
                app.list.loading_above = false;
                app.list.loaded = true;
                app.error(&e.to_string());
            }
            Vec::new()
        }
        (Pending::Thread { gen, .. }, Ok(Response::Thread(items))) => {
            if gen == app.thread.gen {
                app.thread.items = items;
            }
            Vec::new()
        }
        (Pending::Thread { gen, .. }, Err(e)) => {
            if gen == app.thread.gen {
                app.thread.items.clear();
                app.error(&e.to_string());
            }
            Vec::new()
        }
        (
            Pending::Update {
                id,
                undoable,
                label,
            },
            Ok(Response::Updated { item, undo }),
        ) => {
            if undoable {
                app.undo.push(UndoStep {
                    id,
                    change: undo,
                    version: item.version,
                });
                app.info(tf("tui.msg.applied", &[("what", &label)]));
            } else {
                app.info(label);
            }
            let mut fx = refreshed(app, &item);
            if !undoable {
                if let Some(i) = app.list.rows.iter().position(|r| r.id == id) {
                    app.list.selected = i;
                }
            }
            fx.push(Effect::Call(Pending::Overview, Request::Overview));
            fx.extend(after_move(app));
            fx
        }
        (Pending::Update { id, .. }, Err(e)) => {
            conflict_or_error(app, &e);
            vec![Effect::Call(Pending::Row(id), Request::Get(id))]
        }
        (Pending::Reply { id }, Ok(Response::Replied { item, .. })) => {
            app.drafts.remove(&id);
            app.info(t("tui.msg.reply_stored"));
            let mut fx = refreshed(app, &item);
            fx.extend(reload_thread(app));
            fx
        }
        (Pending::Reply { id }, Err(e)) => {
            // The draft is kept (it went back to `drafts` when sent); the row shows what changed.
            conflict_or_error(app, &e);
            vec![Effect::Call(Pending::Row(id), Request::Get(id))]
        }
        (Pending::Claim(_), Ok(Response::Updated { item, .. })) => {
            app.info(t("tui.msg.claimed"));
            let mut fx = refreshed(app, &item);
            fx.push(Effect::Call(Pending::Overview, Request::Overview));
            fx
        }
        (Pending::Claim(id), Err(EngineError::Claimed { by, .. })) => {
            app.popup = Some(Popup::Takeover { id, by });
            vec![Effect::Call(Pending::Row(id), Request::Get(id))]
        }
        (Pending::Operators, Ok(Response::Operators(names))) => {
            app.operators = names;
            Vec::new()
        }
        (Pending::WhoAmI, Ok(Response::Operator(me))) => {
            app.read_only = me.read_only;
            app.targets = me.targets;
            Vec::new()
        }
        (Pending::Notes { gen, id }, Ok(Response::Notes(notes))) => {
            if gen == app.thread.gen && app.thread.id == Some(id) {
                app.thread.notes = notes;
            }
            Vec::new()
        }
        (Pending::NoteAdded(_), Ok(Response::Notes(_))) => {
            app.info(t("tui.msg.note_added"));
            Vec::new()
        }
        (Pending::Members { gen }, Ok(Response::Ranking(r))) => match app.members_mut() {
            Some((p, _)) => super::members::ranking_loaded(p, gen, *r),
            None => Vec::new(),
        },
        (Pending::Members { gen }, Err(e)) => {
            if let Some((p, _)) = app.members_mut() {
                super::members::failed(p, gen);
            }
            app.error(&e.to_string());
            Vec::new()
        }
        (Pending::MemberProfile { gen, person }, Ok(Response::Profile(prof))) => {
            if let Some((p, _)) = app.members_mut() {
                super::members::profile_loaded(p, gen, person, *prof);
            }
            Vec::new()
        }
        (Pending::MemberEdit { done, .. }, Ok(Response::Done)) => match app.members_mut() {
            Some((p, cx)) => super::members::edited(p, cx, done),
            None => Vec::new(),
        },
        (Pending::MemberEdit { reward, .. }, Err(e)) => {
            let repeat = reward.filter(|_| matches!(e, EngineError::Rewarded(_)));
            match app.members_mut() {
                Some((p, cx)) => super::members::edit_failed(Some(p), cx, repeat, &e.to_string()),
                None => super::members::edit_failed(None, &mut app.cx, repeat, &e.to_string()),
            }
            Vec::new()
        }
        (Pending::Handoff, Ok(Response::Handoff(h))) => {
            app.popup = Some(Popup::Handoff(h));
            Vec::new()
        }
        (Pending::Presence, Ok(Response::Presence(p))) => {
            app.presence = p.drafting.into_iter().collect();
            Vec::new()
        }
        (Pending::Row(_), Ok(Response::Item(item))) => refreshed(app, &item),
        (Pending::Row(id), Err(EngineError::NotFound(_))) => {
            if let Some(i) = app.list.rows.iter().position(|r| r.id == id) {
                app.list.rows.remove(i);
                app.list.move_by(0);
            }
            after_move(app)
        }
        (Pending::ReplyState { item, .. }, Ok(Response::Item(r))) => {
            super::team::reply_state(app, item, &r)
        }
        (Pending::RepliedTo { by }, Ok(Response::Item(to))) => {
            super::team::replied_to(app, &by, Some(&to));
            Vec::new()
        }
        (Pending::RepliedTo { by }, Err(_)) => {
            super::team::replied_to(app, &by, None);
            Vec::new()
        }
        (Pending::PostCreate, Ok(Response::Post(p))) => {
            // The composer closes and its draft is gone.
            if matches!(app.popup, Some(Popup::Compose(_))) {
                app.popup = app.behind.pop();
            }
            app.compose_draft = None;
            let mut fx = super::compose::created(&mut app.cx, &p);
            if let Some((cal, _)) = app.calendar_mut() {
                fx.extend(super::calendar::reload(cal));
            }
            fx
        }
        (Pending::PostEdit { done }, Ok(Response::Post(p))) => {
            // An edit from the composer goes back to the calendar under it.
            if matches!(&app.popup, Some(Popup::Compose(c)) if c.editing.is_some()) {
                app.popup = app.behind.pop();
            }
            match app.calendar_mut() {
                Some((cal, cx)) => super::calendar::edited(Some(cal), cx, done, &p),
                None => super::calendar::edited(None, &mut app.cx, done, &p),
            }
        }
        (Pending::PostCreate | Pending::PostEdit { .. }, Err(e)) => {
            match app.composer_mut() {
                Some((c, cx)) => super::compose::refused(Some(c), cx, &e.to_string()),
                None => super::compose::refused(None, &mut app.cx, &e.to_string()),
            }
            Vec::new()
        }
        (Pending::Posts { gen }, Ok(Response::Posts(posts))) => {
            if let Some((cal, cx)) = app.calendar_mut() {
                super::calendar::loaded(cal, cx, gen, posts);
            }
            Vec::new()
        }
        (Pending::Posts { gen }, Err(e)) => {
            if let Some((cal, _)) = app.calendar_mut() {
                super::calendar::failed(cal, gen);
            }
            app.error(&e.to_string());
            Vec::new()
        }
        (Pending::Accounts, Ok(Response::Accounts(rows))) => {
            app.accounts = rows.iter().map(|a| (a.name.clone(), a.platform)).collect();
            app.limits = rows
                .iter()
                .filter_map(|a| a.runtime.text_limit.map(|l| (a.name.clone(), l)))
                .collect();
            if let Some(Popup::Accounts(panel)) = app.popup.as_mut() {
                panel.set_rows(rows);
            }
            Vec::new()
        }
        (Pending::Act { id, .. }, Err(e @ EngineError::Conflict { .. })) => {
            conflict_or_error(app, &e);
            vec![Effect::Call(Pending::Row(id), Request::Get(id))]
        }
        (Pending::Act { action, .. }, Ok(Response::Acted { .. })) => {
            app.info(t(&format!("tui.msg.acted_{}", action.as_str())));
            Vec::new()
        }
        (Pending::Sync(_), Ok(Response::Synced(reports))) => {
            for r in reports {
                match &r.error {
                    Some(e) => app.error(&e.to_string()),
                    None => app.info(tf(
                        "tui.msg.synced",
                        &[
                            ("account", &sanitize_line(&r.account, 64).text),
                            ("added", &r.added),
                            ("activity", &r.activity),
                            ("requests", &r.requests),
                        ],
                    )),
                }
            }
            accounts_reload(app)
        }
        (Pending::AccountTest(name), Ok(Response::Identity(id))) => {
            app.info(tf(
                "tui.msg.account_ok",
                &[
                    ("account", &sanitize_line(&name, 64).text),
                    ("handle", &sanitize_line(&id.handle, 64).text),
                ],
            ));
            accounts_reload(app)
        }
        (Pending::AccountTest(_) | Pending::Sync(_), Err(e)) => {
            app.error(&e.to_string());
            accounts_reload(app)
        }
        (_, Err(e)) => {
            app.error(&e.to_string());
            Vec::new()
        }
        (_, Ok(_)) => Vec::new(),
    }
}

fn accounts_reload(app: &App) -> Vec<Effect> {
    if matches!(app.popup, Some(Popup::Accounts(_))) {
        vec![Effect::Call(Pending::Accounts, Request::Accounts)]
    } else {
        Vec::new()
    }
}

fn conflict_or_error(app: &mut App, e: &EngineError) {
    match e {
        EngineError::Conflict { what, .. } => app.error(&tf("tui.msg.conflict", &[("what", what)])),
        other => app.error(&other.to_string()),
    }
}

/// A fresh copy of an item: update its row (or drop it from a view it left) and the thread.
fn refreshed(app: &mut App, item: &Item) -> Vec<Effect> {
    let belongs = app.filter().matches(item);
    app.list.refresh_row(item, belongs);
    app.list.move_by(0);
    if let Some(slot) = app.thread.items.iter_mut().find(|i| i.id == item.id) {
        *slot = item.clone();
    }
    after_move(app)
}

pub fn event(app: &mut App, e: Event) -> Vec<Effect> {
    let mut fx = vec![Effect::Call(Pending::Overview, Request::Overview)];
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
                    Pending::Page {
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
                    fx.push(Effect::Call(Pending::Row(*id), Request::Get(*id)));
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
                Pending::ReplyState { reply, item },
                Request::Get(reply),
            ));
        }
        Event::ThreadFetched(id) => {
            if app.thread.id == Some(id) {
                fx.extend(reload_thread(app));
            }
        }
        Event::SyncProgress { .. } => {
            if matches!(app.popup, Some(Popup::Accounts(_))) {
                fx.push(Effect::Call(Pending::Accounts, Request::Accounts));
            }
        }
        Event::MembersChanged => {
            if let Some((p, _)) = app.members_mut() {
                fx.extend(crate::tui::members::reload(p));
            }
        }
        Event::Progress { .. } => {}
        Event::PostChanged(_) => {
            return match app.calendar_mut() {
                Some((cal, _)) => super::calendar::reload(cal),
                None => Vec::new(),
            }
        }
        Event::AccountsChanged => {
            // Also keeps the per-account reply limits current.
            fx.push(Effect::Call(Pending::Accounts, Request::Accounts));
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
