//! Shared test support for connectors and the engine: a fake platform server over wiremock
//! (`fake`), connectors as tests build them (`net`) and what their pages hold (`page`), payloads and endpoints each platform's tests
//! share (`mastodon`, `bluesky`, `telegram`), a stateful Mastodon for publishing
//! (`mastodon_server`), posts as the outbox hands them over (`publish`), and an engine on a temp
//! dir (`engine`).
//!
//! Included with `mod support;` from each test file that needs it; a file uses only part of it.
#![allow(dead_code)]

pub mod bluesky;
pub mod engine;
pub mod fake;
pub mod mastodon;
pub mod mastodon_server;
pub mod net;
pub mod page;
pub mod publish;
pub mod telegram;
