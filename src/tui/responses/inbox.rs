//! Replies to the inbox's requests: pages, threads, notes, item changes, replies, claims,
//! actions on the platform.

use super::super::app::{App, UndoStep};
use super::super::msg::{Effect, PageDir, Tag};
use super::super::nav::{after_move, reload_thread, window_cap};
use super::super::popups::Popup;
use super::{conflict_or_error, refreshed};
use crate::engine::api::{Request, Response};
use crate::engine::EngineError;
use crate::i18n::{t, tf};

/// A reply to one of the inbox's requests.
pub(super) fn done(app: &mut App, p: Tag, r: Result<Response, EngineError>) -> Vec<Effect> {
    match (p, r) {
        (Tag::Page { gen, dir }, Ok(Response::Page(page))) => {
            let cap = window_cap(app);
            if !app.list.apply(gen, dir, page, cap) {
                return Vec::new();
            }
            if matches!(dir, PageDir::Reset { .. }) {
                app.list.offset = app.list.offset.min(app.list.selected);
            }
            after_move(app)
        }
        (Tag::Page { gen, .. }, Err(e)) => {
            if gen == app.list.gen {
                app.list.loading_reset = false;
                app.list.loading_below = false;
                app.list.loading_above = false;
                app.list.loaded = true;
                app.error(&e.to_string());
            }
            Vec::new()
        }
        (Tag::Thread { gen, .. }, Ok(Response::Thread(items))) => {
            if gen == app.thread.gen {
                app.thread.items = items;
            }
            Vec::new()
        }
        (Tag::Thread { gen, .. }, Err(e)) => {
            if gen == app.thread.gen {
                app.thread.items.clear();
                app.error(&e.to_string());
            }
            Vec::new()
        }
        (
            Tag::Update {
                id,
                undoable,
                label,
            },
            Ok(Response::Updated { item, undo }),
        ) => {
            super::super::select::saw_own(app, &item);
            if undoable {
                app.undo.push(UndoStep::Item {
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
            fx.push(Effect::Call(Tag::Overview, Request::Overview));
            fx.extend(after_move(app));
            fx
        }
        (Tag::Update { id, .. }, Err(e)) => {
            conflict_or_error(app, &e);
            vec![Effect::Call(Tag::Row(id), Request::Get(id))]
        }
        (Tag::Reply { id }, Ok(Response::Replied { item, .. })) => {
            super::super::select::saw_own(app, &item);
            app.drafts.remove(&id);
            app.private_drafts.remove(&id);
            app.info(t("tui.msg.reply_stored"));
            let mut fx = refreshed(app, &item);
            fx.extend(reload_thread(app));
            fx
        }
        (Tag::Reply { id }, Err(e)) => {
            // The draft is kept (it went back to `drafts` when sent); the row shows what changed.
            conflict_or_error(app, &e);
            vec![Effect::Call(Tag::Row(id), Request::Get(id))]
        }
        (Tag::Claim(_), Ok(Response::Updated { item, .. })) => {
            super::super::select::saw_own(app, &item);
            app.info(t("tui.msg.claimed"));
            let mut fx = refreshed(app, &item);
            fx.push(Effect::Call(Tag::Overview, Request::Overview));
            fx
        }
        (Tag::Claim(id), Err(EngineError::Claimed { by, .. })) => {
            app.popup = Some(Popup::Takeover { id, by });
            vec![Effect::Call(Tag::Row(id), Request::Get(id))]
        }
        (Tag::Notes { gen, id }, Ok(Response::Notes(notes))) => {
            if gen == app.thread.gen && app.thread.id == Some(id) {
                app.thread.notes = notes;
            }
            Vec::new()
        }
        (Tag::NoteAdded(_), Ok(Response::Notes(_))) => {
            app.info(t("tui.msg.note_added"));
            Vec::new()
        }
        (Tag::Handoff, Ok(Response::Handoff(h))) => {
            app.popup = Some(Popup::Handoff(h));
            Vec::new()
        }
        (Tag::Row(_), Ok(Response::Item(item))) => refreshed(app, &item),
        (Tag::Row(id), Err(EngineError::NotFound(_))) => {
            if let Some(i) = app.list.rows.iter().position(|r| r.id == id) {
                app.list.rows.remove(i);
                app.list.move_by(0);
            }
            after_move(app)
        }
        (Tag::ReplyState { item, .. }, Ok(Response::Item(r))) => {
            super::super::team::reply_state(app, item, &r)
        }
        (Tag::RepliedTo { by }, Ok(Response::Item(to))) => {
            super::super::team::replied_to(app, &by, Some(&to));
            Vec::new()
        }
        (Tag::RepliedTo { by }, Err(_)) => {
            super::super::team::replied_to(app, &by, None);
            Vec::new()
        }
        (Tag::Act { id, .. }, Err(e @ EngineError::Conflict { .. })) => {
            conflict_or_error(app, &e);
            vec![Effect::Call(Tag::Row(id), Request::Get(id))]
        }
        (Tag::Act { action, .. }, Ok(Response::Acted { .. })) => {
            app.info(t(&format!("tui.msg.acted_{}", action.as_str())));
            Vec::new()
        }
        (_, Err(e)) => {
            app.error(&e.to_string());
            Vec::new()
        }
        (_, Ok(_)) => Vec::new(),
    }
}
