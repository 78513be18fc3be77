//! Shared test support for connectors and the engine: a fake platform server over wiremock
//! (`fake`), connectors as tests build them (`net`) and what their pages hold (`page`), the
//! payloads and endpoints each platform's tests share (`mastodon`, `bluesky`, `telegram`), a
//! stateful Mastodon for publishing (`mastodon_server`), a stateful VK (`vk`) with its photo
//! upload (`vk_photos`), test pictures (`images`), a platform that records what it is sent
//! (`scripted`), multipart bodies as received (`multipart`),
//! posts as the outbox hands them over (`publish`), and an engine on a temp dir (`engine`).
//!
//! Included with `mod support;` from each test file that needs it; a file uses only part of it.
//! A new platform's tests start from a server and, through the engine, read like this:
//!
//! ```ignore
//! let server = Fake::new().get("/api/me", json!({"id": "1"})).start().await;
//! first_then(
//!     &server,
//!     on("POST", "/api/posts").respond_with(answer(503, json!({}))),
//!     on("POST", "/api/posts").respond_with(ok(json!({"id": "2"}))),
//! )
//! .await;
//! let cfg = net::account("shop", Platform::Mastodon, server.uri());
//! let timeouts = net::timeouts(Duration::from_secs(2), 1 << 20);
//! let e = TempEngine::connected(cfg, "KITH_T_MY_TEST", "token", timeouts).await;
//! assert_eq!(engine::sync(&e, "shop").await.added, 1);
//! ```
#![allow(dead_code)]

pub mod bluesky;
pub mod crash;
pub mod engine;
pub mod fake;
pub mod google;
pub mod images;
pub mod mastodon;
pub mod mastodon_server;
pub mod multipart;
pub mod net;
pub mod page;
pub mod publish;
pub mod schema;
pub mod scripted;
pub mod telegram;
pub mod vk;
pub mod vk_photos;
pub mod vk_wall;
pub mod youtube;
