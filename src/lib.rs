//! kith — a keyboard-driven terminal console for community managers.
//!
//! Architecture map (arrows point down only; see README "Architecture"):
//!
//! ```text
//!  main.rs / cli.rs         parse flags, set up paths, logging, panic hook; dispatch
//!      |
//!  tui/ (ratatui)  cli/     front ends: render and ask, never touch the store
//!      \            /
//!   engine::Backend         call(Request) -> Response, subscribe() -> Event
//!      |        \
//!      |      ipc/          kith serve: the same messages over a private Unix socket
//!      |        /
//!   engine/                 Engine: single writer, sync, replies, actions, team (claims, presence)
//!      |         \
//!   store/ (sled)  connectors/ (Mastodon, Bluesky, Telegram, demo; one HTTP client)
//!      |
//!   domain/                 ids, items, platforms, search folding, post times: no I/O
//!   text/                   sanitizer and widths for all outside text; split, voice, preview
//! ```

pub mod cli;
pub mod config;
pub mod connectors;
pub mod domain;
pub mod engine;
pub mod i18n;
pub mod ipc;
pub mod paths;
pub mod setup;
pub mod store;
pub mod text;
pub mod tui;
