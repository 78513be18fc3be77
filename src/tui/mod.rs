//! The terminal UI. Map of this module (arrows point down only; no module imports one above it):
//!
//! ```text
//!  runner      the loop: terminal input, engine replies and events -> Msg -> update -> Effects
//!  update      the root: keys to the panel on top (or the inbox), commands panels hand back
//!  responses/  engine replies routed by the Tag their request carried; events
//!    |
//!  actions     the inbox's keymap actions      team/shift/assign  claims, notes, `@` names
//!  tags        tags in use offered where one is typed; `:tag-rename` from the palette
//!  select/bulk the selection (Space, v, V, *) and `;` actions over it, with their undo
//!  nav         reloading and paging the inbox, its thread; resync
//!  app         App: the Cx, the inbox's own state, the panel on top and those waiting under it
//!    |
//!  panels      members, calendar, rules, compose/, reply, popups/ (accounts, filter, snooze, palette,
//!              picker): each takes its own state and the Cx, hands back an `Out` (requests
//!              and `Cmd`s for the root), never names another panel or the root
//!    |
//!  cx          Cx: settings, clock, size, counts, accounts, presence, the status Notice
//!  msg         Msg, Effect, Tag (where a reply goes), Out, Cmd
//!  keys        the only place that reads key codes: chords -> actions of a context, or text
//!  help        help and footers made from the keymap for the contexts at hand
//!  input/editor  one-line and multi-line text       list/views  the inbox's rows and views
//!  tag_complete  a tag being typed completed from the tags in use
//!  render/     drawing, one file per pane/popup; all outside text through crate::text
//!  terminal    raw mode/alt screen, Drop guard, chained panic hook
//!  headless    driving the app without a terminal (tests)
//! ```

pub mod actions;
pub mod app;
pub mod approvals;
pub mod assign;
pub mod bulk;
pub mod calendar;
pub mod clipboard;
pub mod compose;
pub mod cx;
pub mod editor;
pub mod fuzzy;
pub mod headless;
pub mod help;
pub mod highlight;
pub mod input;
pub mod keys;
pub mod layout;
pub mod limit;
pub mod list;
pub mod members;
pub mod msg;
pub mod nav;
pub mod popups;
pub mod render;
pub mod reply;
pub mod responses;
pub mod rules;
mod runner;
pub mod saved_views;
pub mod select;
pub mod shift;
pub mod tag_complete;
pub mod tags;
pub mod team;
pub use runner::config as runner_config;
pub mod terminal;
pub mod thumb;
pub mod update;
pub mod views;

pub use app::{App, AppConfig};
pub use msg::{Effect, Msg};
pub use update::{start, update};

use crate::engine::Backend;
use crate::setup::Setup;
use std::sync::Arc;

/// Runs the UI until the operator quits. The terminal is restored on every way out.
/// Runs the TUI until quit; `notices` are shown first in the status line (e.g. that engine
/// settings come from another config file).
pub async fn run(
    backend: Arc<dyn Backend>,
    setup: &Setup,
    notices: Vec<String>,
) -> anyhow::Result<()> {
    runner::run(backend, setup, notices).await
}
