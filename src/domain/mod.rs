//! Pure domain types: ids, platforms, items, members, time. No I/O lives here.

pub mod account;
pub mod approval;
pub mod audit;
pub mod bulk;
pub mod clock;
pub mod ids;
pub mod item;
pub mod media;
pub mod member;
pub mod messaging;
pub mod note;
pub mod pattern;
pub mod platform;
pub mod post;
pub mod query;
pub mod ranking;
pub mod remote;
pub mod rules;
pub mod saved_reply;
pub mod saved_view;
pub mod search;
pub mod settings;
pub mod tag;
pub mod time;
pub mod when;

pub use ids::ItemId;
pub use item::{Author, Change, Item, Kind, NewItem, Outgoing, Status, Triage};
pub use platform::{Capabilities, Platform};
pub use time::Timestamp;
