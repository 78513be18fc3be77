//! Team work in the TUI: claim, assign, release; taking over someone else's claim after asking;
//! telling the engine when a reply draft opens and closes; and what other operators are doing.

use super::app::App;
use super::msg::{Effect, Tag};
use super::popups::Popup;
use crate::domain::{Change, Item, ItemId, Outgoing};
use crate::engine::api::{Event, Request};
use crate::i18n::{t, tf};
use crate::text::sanitize_identity;

/// `a`: take the selected item. When someone else has it, the engine refuses and we ask.
pub fn claim(app: &mut App) -> Vec<Effect> {
    if app.selection.armed {
        return super::bulk::start(app, crate::domain::bulk::BulkAction::Claim);
    }
    let Some(item) = app.list.current() else {
        app.info(t("tui.msg.no_selection"));
        return Vec::new();
    };
    vec![Effect::Call(
        Tag::Claim(item.id),
        Request::Claim {
            id: item.id,
            force: false,
        },
    )]
}

/// The answer to "take it over from NAME?".
pub fn takeover(app: &mut App, id: ItemId, yes: bool) -> Vec<Effect> {
    app.popup = None;
    if !yes {
        return Vec::new();
    }
    vec![Effect::Call(
        Tag::Claim(id),
        Request::Claim { id, force: true },
    )]
}

/// `U`: nobody has the item any more.
pub fn release(app: &mut App) -> Vec<Effect> {
    assign_selected(app, None)
}

fn assign_selected(app: &mut App, who: Option<String>) -> Vec<Effect> {
    let Some(item) = app.list.current() else {
        app.info(t("tui.msg.no_selection"));
        return Vec::new();
    };
    let (id, version) = (item.id, item.version);
    assign_item(id, version, who)
}

/// Assigns item `id` as it was at `version` (None: to nobody); undoable.
pub fn assign_item(id: ItemId, version: u64, who: Option<String>) -> Vec<Effect> {
    let label = match &who {
        Some(w) => tf(
            "tui.msg.assigned",
            &[("who", &sanitize_identity(w, 40).text)],
        ),
        None => t("tui.msg.released"),
    };
    vec![Effect::Call(
        Tag::Update {
            id,
            undoable: true,
            label,
        },
        Request::Update {
            id,
            change: Change::Assign(who),
            if_version: Some(version),
        },
    )]
}

/// A reply changed state. The operator who wrote it hears that it was sent (or why not);
/// everyone else hears who answered whom (asked for here), and nothing of others' failures.
pub fn reply_state(app: &mut App, item: ItemId, reply: &Item) -> Vec<Effect> {
    let by = reply.operator.as_deref().unwrap_or(&app.cfg.operator);
    if by == app.cfg.operator {
        match &reply.outgoing {
            Some(Outgoing::Sent { .. }) => app.info(t("tui.msg.reply_sent")),
            Some(Outgoing::Failed { reason }) => app.error(&tf(
                "tui.msg.reply_failed",
                &[("reason", &crate::i18n::shown(reason))],
            )),
            Some(Outgoing::AwaitingApproval) => app.info(t("approvals.reply_awaiting")),
            Some(Outgoing::SentBack { by, comment }) => {
                let note = crate::tui::approvals::sent_back_note(by, comment);
                app.error(&note)
            }
            _ => {}
        }
        return Vec::new();
    }
    if !matches!(reply.outgoing, Some(Outgoing::Sent { .. })) {
        return Vec::new();
    }
    vec![Effect::Call(
        Tag::RepliedTo { by: by.to_string() },
        Request::Get(item),
    )]
}

/// "boris replied to Анна" (without the name when the item could not be read).
pub fn replied_to(app: &mut App, by: &str, to: Option<&Item>) {
    let who = sanitize_identity(by, 40).text;
    app.info(match to {
        Some(i) => tf(
            "tui.msg.team.replied_to",
            &[
                ("who", &who),
                ("to", &sanitize_identity(i.author.label(), 40).text),
            ],
        ),
        None => tf("tui.msg.team.replied", &[("who", &who)]),
    });
}

pub use super::reply::drafting;

/// Operators other than us writing a reply to `id`.
pub fn others_drafting(app: &App, id: ItemId) -> Vec<String> {
    app.presence
        .get(&id)
        .map(|ops| {
            ops.iter()
                .filter(|o| **o != app.cfg.operator)
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// Engine facts about the team and the connection.
pub fn event(app: &mut App, e: &Event) -> Vec<Effect> {
    match e {
        Event::Presence { item, operators } => {
            if operators.is_empty() {
                app.presence.remove(item);
            } else {
                app.presence.insert(*item, operators.clone());
            }
            Vec::new()
        }
        Event::Connection(false) => {
            app.engine_lost = true;
            app.error(&t("tui.msg.engine_lost"));
            Vec::new()
        }
        Event::EngineStopped => {
            app.engine_lost = true;
            app.engine_stopped = true;
            app.error(&t("tui.msg.engine_stopped"));
            Vec::new()
        }
        Event::Connection(true) => {
            app.engine_stopped = false;
            let was_lost = std::mem::replace(&mut app.engine_lost, false);
            if was_lost {
                app.info(t("tui.msg.engine_back"));
            }
            let mut fx = hello();
            // Drafts open here are announced again to the new engine.
            if let Some(Popup::Reply(form)) = &app.popup {
                fx.push(drafting(form.item.id, true));
            }
            fx.extend(super::nav::resync(app));
            fx
        }
        _ => Vec::new(),
    }
}

/// What the TUI asks when it attaches: who we are to the engine, and who is writing where.
pub fn hello() -> Vec<Effect> {
    vec![
        Effect::Call(Tag::WhoAmI, Request::WhoAmI),
        Effect::Call(Tag::Presence, Request::Presence),
    ]
}
