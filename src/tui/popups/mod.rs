//! Popup states: each popup owns its own small state and key handling.

pub mod accounts;
pub mod ban;
pub mod commands;
pub mod filter;
pub mod palette;
pub mod picker;
pub mod snooze;

use super::editor::Editor;
use crate::domain::Item;

#[derive(Debug, Clone)]
pub enum Popup {
    /// Help for the contexts the keyboard was in when `help` was pressed (the panel it was
    /// opened over waits under it, in `App::behind`).
    Help {
        scroll: usize,
        ctxs: Vec<crate::config::keymap::Context>,
    },
    Palette(palette::Palette),
    Filter(filter::FilterForm),
    Snooze(snooze::SnoozeForm),
    Reply(Box<ReplyForm>),
    Accounts(accounts::AccountsPanel),
    /// Why and how long to ban an item's author.
    Ban(ban::BanForm),
    /// The shift handoff summary.
    Handoff(Box<crate::engine::api::Handoff>),
    /// The member ranking and profiles.
    Members(Box<crate::tui::members::MembersPanel>),
    /// The composer: a new post (or a scheduled one's text).
    Compose(Box<crate::tui::compose::Composer>),
    /// The week of posts.
    Calendar(Box<crate::tui::calendar::CalendarPanel>),
    /// "NAME is not on the team. Assign anyway?" (item `id` as it was at `version`).
    AssignUnknown {
        id: crate::domain::ItemId,
        version: u64,
        name: String,
    },
    /// "NAME has this item. Take it over?"
    Takeover {
        id: crate::domain::ItemId,
        by: String,
    },
    /// "Change N items?" before a bulk over more than 50.
    ConfirmBulk(Box<crate::tui::bulk::PendingBulk>),
    /// Which saved reply becomes a draft on every selected item.
    BulkDraft(picker::Picker),
    /// The inbox rules in force and what they match.
    Rules(Box<crate::tui::rules::RulesPanel>),
}

/// The reply editor: the item it answers, the draft, and the saved-reply picker when open.
#[derive(Debug, Clone)]
pub struct ReplyForm {
    pub item: Item,
    pub editor: Editor,
    pub picker: Option<picker::Picker>,
    /// Send as the one private message to the commenter (Facebook, Instagram).
    pub private: bool,
}
