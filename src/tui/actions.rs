//! What each keymap action does to the app. Changes to items become `Request::Update` effects
//! with the item's version, so a change made elsewhere in the meantime is refused, not lost.

use super::app::{App, Pane, Prompt, UndoStep};
use super::clipboard;
use super::input::LineInput;
use super::msg::{Effect, Tag};
pub use super::nav::reload_thread;
use super::nav::{after_move, reload_list};
use super::popups::filter::FilterForm;
use super::popups::palette::Palette;
use super::popups::snooze::SnoozeForm;
use super::popups::{Popup, ReplyForm};
use crate::config::keymap::{Action, Context};
use crate::domain::{Change, Status, Timestamp};
use crate::engine::api::Request;
use crate::i18n::{t, tf};

pub fn run_action(app: &mut App, a: Action) -> Vec<Effect> {
    use Action::*;
    let page = app.list_height().max(2) as isize;
    match a {
        Down => move_by(app, 1),
        Up => move_by(app, -1),
        PageDown => move_by(app, page - 1),
        PageUp => move_by(app, -(page - 1)),
        HalfPageDown => move_by(app, page / 2),
        HalfPageUp => move_by(app, -(page / 2)),
        Top => match app.focus {
            Pane::Detail => {
                app.thread.scroll = 0;
                Vec::new()
            }
            Pane::Sidebar => set_view(app, 0),
            Pane::List if app.list.more_above => reload_list(app, None, false),
            Pane::List => {
                app.list.selected = 0;
                after_move(app)
            }
        },
        Bottom => match app.focus {
            Pane::Detail => {
                app.thread.scroll = usize::MAX / 2;
                Vec::new()
            }
            Pane::Sidebar => set_view(app, app.views.len().saturating_sub(1)),
            // The oldest page by seeking from the lowest id: no scan, whatever the store's size.
            Pane::List if app.list.more_below => reload_list(app, None, true),
            Pane::List => {
                app.list.selected = app.list.rows.len().saturating_sub(1);
                after_move(app)
            }
        },
        Open => {
            match app.focus {
                Pane::Sidebar => app.focus = Pane::List,
                _ if app.list.current().is_some() => {
                    app.zoom = true;
                    app.focus = Pane::Detail;
                }
                _ => {}
            }
            Vec::new()
        }
        Back => {
            if super::select::escape(app) {
                Vec::new()
            } else if app.zoom || app.focus != Pane::List {
                app.zoom = false;
                app.focus = Pane::List;
                Vec::new()
            } else if !app.search.is_empty() || !app.user_filter.is_empty() || !app.limit.is_empty()
            {
                app.search.clear();
                app.limit.clear();
                app.user_filter = Default::default();
                reload_list(app, None, false)
            } else {
                Vec::new()
            }
        }
        NextPane | PrevPane => {
            let order = [Pane::Sidebar, Pane::List, Pane::Detail];
            let i = order.iter().position(|p| *p == app.focus).unwrap_or(1);
            let next = if a == NextPane {
                (i + 1) % 3
            } else {
                (i + 2) % 3
            };
            app.focus = order[next];
            if app.focus != Pane::Detail {
                app.zoom = false;
            }
            Vec::new()
        }
        NextView => set_view(app, (app.sidebar_sel + 1) % app.views.len().max(1)),
        PrevView => set_view(
            app,
            (app.sidebar_sel + app.views.len().max(1) - 1) % app.views.len().max(1),
        ),
        Search => {
            app.search_before = app.search.clone();
            app.pattern_error = None;
            app.prompt = Some((Prompt::Search, LineInput::with(&app.search)));
            Vec::new()
        }
        Limit => {
            app.pattern_error = None;
            app.prompt = Some((Prompt::Limit, LineInput::with(&app.limit)));
            Vec::new()
        }
        Filter => {
            app.popup = Some(Popup::Filter(FilterForm::new(&app.user_filter)));
            vec![super::tags::load()]
        }
        Done => set_status(app, Status::Done, "tui.msg.done"),
        Reopen => set_status(app, Status::Open, "tui.msg.reopened"),
        Spam => set_status(app, Status::Spam, "tui.msg.spam"),
        Hide => set_status(app, Status::Hidden, "tui.msg.hidden"),
        Snooze => {
            if app.list.current().is_some() {
                app.popup = Some(Popup::Snooze(SnoozeForm::new(
                    app.cfg.snooze_presets.clone(),
                )));
            } else {
                app.info(t("tui.msg.no_selection"));
            }
            Vec::new()
        }
        Tag => super::tags::ask(app),
        Claim => super::team::claim(app),
        Note => super::shift::ask_note(app),
        Handoff => super::shift::handoff(),
        Members => {
            let (p, fx) = super::members::open();
            app.popup = Some(Popup::Members(p));
            fx
        }
        Compose => {
            let draft = app.compose_draft.take();
            let (c, fx) = super::compose::open(&app.cx, draft);
            app.popup = Some(Popup::Compose(c));
            fx
        }
        Calendar => {
            let (p, fx) = super::calendar::open(&app.cx);
            app.popup = Some(Popup::Calendar(p));
            fx
        }
        Rules => {
            let (p, fx) = super::rules::open(&app.cx);
            app.popup = Some(Popup::Rules(p));
            fx
        }
        Release => super::team::release(app),
        Assign => super::assign::ask(app),
        Like => act_selected(app, crate::domain::remote::RemoteAction::Like),
        HideRemote => act_selected(app, crate::domain::remote::RemoteAction::Hide),
        DeleteRemote => act_selected(app, crate::domain::remote::RemoteAction::Delete),
        RestoreRemote => act_selected(app, crate::domain::remote::RemoteAction::Restore),
        RejectRemote => act_selected(app, crate::domain::remote::RemoteAction::Reject),
        BanAuthor => ask_ban(app),
        Mute => act_selected(app, crate::domain::remote::RemoteAction::Mute),
        Dismiss => act_selected(app, crate::domain::remote::RemoteAction::Dismiss),
        Accounts => {
            app.popup = Some(Popup::Accounts(Default::default()));
            vec![Effect::Call(super::msg::Tag::Accounts, Request::Accounts)]
        }
        RetryReply => retry_reply(app),
        Undo => undo(app),
        Reply => open_reply(app),
        CopyLink => copy_link(app),
        Refresh if app.engine_stopped => {
            app.info(t("tui.msg.engine_starting"));
            vec![Effect::ResumeEngine]
        }
        Refresh => {
            let keep = app.list.selected_id();
            let mut fx = vec![Effect::Call(super::msg::Tag::Overview, Request::Overview)];
            fx.extend(reload_list(app, keep, false));
            fx
        }
        Help => {
            app.popup = Some(Popup::Help {
                scroll: 0,
                ctxs: vec![Context::Normal, Context::Selection],
            });
            Vec::new()
        }
        ToggleSelect => super::select::toggle(app),
        SelectRange => super::select::range(app),
        SelectAll => super::select::all(app),
        ApplyToSelection => super::select::arm(app),
        Palette => {
            app.popup = Some(Popup::Palette(self::Palette::default()));
            Vec::new()
        }
        Quit => {
            app.quit = true;
            Vec::new()
        }
        // The other contexts' actions mean nothing on the main screen.
        _ => Vec::new(),
    }
}

/// Sends the selected item's failed reply again (the newest one in its thread).
fn retry_reply(app: &mut App) -> Vec<Effect> {
    // `; R`: the selection's prepared drafts go out as replies.
    if app.selection.armed {
        return super::bulk::start(app, crate::domain::bulk::BulkAction::SendDrafts);
    }
    let Some(item) = app.list.current() else {
        app.info(t("tui.msg.no_selection"));
        return Vec::new();
    };
    let failed = app.thread.items.iter().rev().find(|r| {
        matches!(r.outgoing, Some(crate::domain::Outgoing::Failed { .. }))
            && r.parent_native_id.as_deref() == Some(item.native_id.as_str())
            && r.account == item.account
    });
    let Some(reply) = failed else {
        app.info(t("tui.msg.no_failed_reply"));
        return Vec::new();
    };
    let (id, rid) = (item.id, reply.id);
    app.info(t("tui.msg.sending"));
    vec![Effect::Call(Tag::Reply { id }, Request::RetryReply(rid))]
}

/// Sends a like or moderation action for the selected item, or says why the platform does
/// not allow it (capabilities are data; the reason comes from them).
fn act_selected(app: &mut App, action: crate::domain::remote::RemoteAction) -> Vec<Effect> {
    if app.selection.armed && action == crate::domain::remote::RemoteAction::Like {
        return super::bulk::start(app, crate::domain::bulk::BulkAction::Like);
    }
    let Some(item) = app.list.current() else {
        app.info(t("tui.msg.no_selection"));
        return Vec::new();
    };
    if let Some(why) = action.refusal_for(item).map(|p| p.to_string()) {
        app.error(&why);
        return Vec::new();
    }
    let (id, version) = (item.id, item.version);
    send_act(app, id, version, action)
}

/// Asks why and how long to ban the selected item's author (or says why the platform cannot).
fn ask_ban(app: &mut App) -> Vec<Effect> {
    let Some(item) = app.list.current() else {
        app.info(t("tui.msg.no_selection"));
        return Vec::new();
    };
    let ban = crate::domain::remote::RemoteAction::Ban(Default::default());
    if let Some(why) = ban.refusal(item.platform).map(|p| p.to_string()) {
        app.error(&why);
        return Vec::new();
    }
    let form = super::popups::ban::BanForm::new(
        item.id,
        item.version,
        item.platform,
        item.author.label().to_string(),
    );
    app.popup = Some(Popup::Ban(form));
    Vec::new()
}

/// Sends a like or moderation action for item `id` as it was at `version`.
pub fn send_act(
    app: &mut App,
    id: crate::domain::ItemId,
    version: u64,
    action: crate::domain::remote::RemoteAction,
) -> Vec<Effect> {
    app.info(t("tui.msg.acting"));
    vec![Effect::Call(
        Tag::Act { id, action },
        Request::Act {
            id,
            action,
            if_version: Some(version),
        },
    )]
}

fn move_by(app: &mut App, delta: isize) -> Vec<Effect> {
    match app.focus {
        Pane::List => {
            app.list.move_by(delta);
            after_move(app)
        }
        Pane::Detail => {
            app.thread.scroll = (app.thread.scroll as isize + delta).max(0) as usize;
            Vec::new()
        }
        Pane::Sidebar => {
            let n = app.views.len() as isize;
            let i = (app.sidebar_sel as isize + delta).clamp(0, (n - 1).max(0)) as usize;
            set_view(app, i)
        }
    }
}

/// Shows view `i` of the sidebar.
pub fn set_view(app: &mut App, i: usize) -> Vec<Effect> {
    let Some(v) = app.views.get(i).cloned() else {
        return Vec::new();
    };
    app.sidebar_sel = i;
    // Choosing a view ends a search: a search looks through everything, not the view.
    let searched = !app.search.is_empty();
    app.search.clear();
    if v == app.view && !searched {
        return Vec::new();
    }
    app.view = v;
    app.list.offset = 0;
    reload_list(app, None, false)
}

fn set_status(app: &mut App, status: Status, label: &str) -> Vec<Effect> {
    change_selected(app, Change::status(status), t(label))
}

/// Sends `change` for the selected item with its version.
pub fn change_selected(app: &mut App, change: Change, label: String) -> Vec<Effect> {
    if app.selection.armed {
        return super::bulk::start(app, crate::domain::bulk::BulkAction::Change(change));
    }
    let Some(item) = app.list.current() else {
        app.info(t("tui.msg.no_selection"));
        return Vec::new();
    };
    let (id, version) = (item.id, item.version);
    vec![Effect::Call(
        Tag::Update {
            id,
            undoable: true,
            label,
        },
        Request::Update {
            id,
            change,
            if_version: Some(version),
        },
    )]
}

pub fn snooze_until(app: &mut App, until: Timestamp) -> Vec<Effect> {
    let when = super::render::fmt::when(until, app.now);
    change_selected(
        app,
        Change::SetStatus {
            status: Status::Snoozed,
            snoozed_until: Some(until),
        },
        tf("tui.msg.snoozed", &[("when", &when)]),
    )
}

/// `t` prompt: `word` adds a tag, `-word` removes it.
pub fn tag(app: &mut App, text: &str) -> Vec<Effect> {
    let text = text.trim();
    let (remove, name) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.trim()),
        None => (false, text),
    };
    if name.is_empty() || name.chars().any(char::is_control) {
        app.info(t("tui.msg.tag_empty"));
        return Vec::new();
    }
    let shown = crate::text::sanitize_line(name, 40).text;
    if remove {
        change_selected(
            app,
            Change::RemoveTag(name.to_string()),
            tf("tui.msg.untagged", &[("tag", &shown)]),
        )
    } else {
        change_selected(
            app,
            Change::AddTag(name.to_string()),
            tf("tui.msg.tagged", &[("tag", &shown)]),
        )
    }
}

fn undo(app: &mut App) -> Vec<Effect> {
    let Some(step) = app.undo.pop() else {
        app.info(t("tui.msg.nothing_to_undo"));
        return Vec::new();
    };
    let (id, change, version) = match step {
        UndoStep::Item {
            id,
            change,
            version,
        } => (id, change, version),
        UndoStep::Bulk(bulk) => return super::bulk::undo(app, bulk),
    };
    vec![Effect::Call(
        Tag::Update {
            id,
            undoable: false,
            label: t("tui.msg.undone"),
        },
        Request::Update {
            id,
            change,
            if_version: Some(version),
        },
    )]
}

fn copy_link(app: &mut App) -> Vec<Effect> {
    let Some(item) = app.list.current() else {
        app.info(t("tui.msg.no_selection"));
        return Vec::new();
    };
    match item.url.as_deref().and_then(clipboard::valid_url) {
        Some(url) => {
            let shown = crate::text::sanitize_line(&url, 300).text;
            app.info(tf("tui.msg.copied", &[("url", &shown)]));
            vec![Effect::Copy(url)]
        }
        None if item.url.is_some() => {
            app.error(&t("tui.msg.bad_link"));
            Vec::new()
        }
        None => {
            app.info(t("tui.msg.no_link"));
            Vec::new()
        }
    }
}

fn open_reply(app: &mut App) -> Vec<Effect> {
    if app.selection.armed {
        return super::bulk::ask_draft(app);
    }
    let Some(item) = app.list.current().cloned() else {
        app.info(t("tui.msg.no_selection"));
        return Vec::new();
    };
    if !item.platform.capabilities().reply {
        let p = super::views::item_platform_name(&item);
        app.error(&tf("tui.msg.cannot_reply", &[("platform", &p)]));
        return Vec::new();
    }
    let kept = app.drafts.remove(&item.id);
    let private = app.private_drafts.remove(&item.id);
    let id = item.id;
    let mut fx = vec![super::team::drafting(id, true)];
    if kept.is_none() {
        // A draft a bulk prepared fills the editor (when nothing was typed meanwhile).
        fx.push(super::bulk::fetch_draft(id));
    }
    app.popup = Some(Popup::Reply(Box::new(ReplyForm {
        item,
        editor: kept.unwrap_or_default(),
        picker: None,
        private,
    })));
    fx
}

/// The inbox filtered to one person's items (from the Members panel).
pub fn show_member_items(
    app: &mut App,
    ids: Vec<crate::domain::member::MemberId>,
    label: String,
) -> Vec<Effect> {
    app.popup = None;
    app.user_filter.members = Some((label, ids));
    app.view = super::views::View::All;
    reload_list(app, None, false)
}
