//! The terminal UI. Map of this module:
//!
//! ```text
//!  runner    the loop: crossterm EventStream + engine results (mpsc) + engine events
//!            (broadcast) -> Msg -> update -> Effects (spawned requests); draws on change
//!  msg       Msg, Effect, Pending            app      App state (one owner: the loop)
//!  update    update(&mut App, Msg) -> Vec<Effect>, pure and testable
//!  actions   what each keymap Action does    responses  engine results/events -> state
//!  list      paged window of rows            views    sidebar views and their filters
//!  compose/  the post composer, its draft file, its account list (only accounts that publish)
//!  calendar  the week of posts (outbox)     assign   `@`: team names, Tab completion, strangers
//!  highlight links, @mentions, #tags in a post (composer preview)
//!  keys      key events -> chords -> actions (keymap in config::keymap)
//!  popups/   help, palette, filter, snooze, reply editor + saved-reply picker state
//!  render/   drawing, one file per pane/popup; all outside text through crate::text
//!  terminal  raw mode/alt screen, Drop guard, chained panic hook
//!  headless  driving the app without a terminal (tests)
//! ```

pub mod actions;
pub mod app;
pub mod assign;
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
pub mod list;
pub mod members;
pub mod msg;
pub mod nav;
pub mod popups;
pub mod render;
pub mod reply;
pub mod responses;
mod runner;
pub mod shift;
pub mod team;
pub use runner::config as runner_config;
pub mod terminal;
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
