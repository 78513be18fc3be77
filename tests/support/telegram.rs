//! Telegram as the tests fake it: Bot API paths under a token, its `{ok, result}` answers, the
//! bot itself (@lumo_bot), and a connector on a local server.

use super::fake::at;
use super::net;
use kith::connectors::telegram::Telegram;
use kith::connectors::AccountConfig;
use kith::domain::Platform;
use serde_json::{json, Value};
use std::time::Duration;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The path of Bot API `method` for the bot with `token`.
pub fn method(token: &str, method: &str) -> String {
    format!("/bot{token}/{method}")
}

/// A successful Bot API answer carrying `result`.
pub fn ok(result: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"ok": true, "result": result}))
}

/// `getMe`: bot 777, @lumo_bot.
pub fn get_me(token: &str) -> Mock {
    at(method(token, "getMe")).respond_with(ok(
        json!({"id": 777, "is_bot": true, "first_name": "Lumo", "username": "lumo_bot"}),
    ))
}

/// Account `name` on `server`, watching `chats` (all when empty), requests given up after
/// `total`, three attempts.
pub fn connector(
    server: &MockServer,
    name: &str,
    token: &str,
    chats: Vec<i64>,
    total: Duration,
) -> Telegram {
    let cfg = AccountConfig {
        chats,
        ..net::account(name, Platform::Telegram, server.uri())
    };
    Telegram::new(&cfg, token.into(), net::http(token, total, net::THRICE))
}
