//! kith — a keyboard-driven terminal console for community managers.
//!
//! Architecture map (arrows point down only, and no module imports one above it; see README
//! "Architecture"):
//!
//! ```text
//!  main.rs / cli.rs         parse flags, logging, umask 077; dispatch
//!  setup.rs                 the composition root: paths, typed settings, operator, the engine
//!      |
//!  tui/ (ratatui)  cli/     front ends: render and ask, never touch the store or connectors
//!      \            /
//!   config/                 the config file checked and typed once (Settings), the keymap
//!      |
//!   ipc/                    kith serve: the engine's messages over a private Unix socket
//!      |
//!   engine/                 Engine: single writer, sync, replies, actions, team, outbox;
//!      |         \          Request/Response/Event (errors as phrases); typed EngineSettings
//!   store/ (sled)  connectors/ (Mastodon, Bluesky, Telegram, demo; one HTTP client)
//!      |         /
//!   domain/                 ids, items, queries and pages, patterns, rankings, accounts, audit,
//!                           remote actions, settings, post times: the types layers share; no I/O
//!   text/  i18n             sanitizer and widths for outside text; the string catalog and
//!                           phrases (a key and its arguments, worded by whoever reads them)
//! ```

pub mod cli;
pub mod config;
pub mod connectors;
pub mod domain;
pub mod engine;
pub mod i18n;
pub mod ipc;
pub mod media_file;
pub mod paths;
pub mod setup;
pub mod store;
pub mod text;
pub mod tui;
