//! Mastodon as the tests fake it: our account (id 42, @shop), the instance's limit, and a
//! connector on a local server.

use super::fake::{ok, on};
use super::net;
use kith::connectors::http::RetryPolicy;
use kith::connectors::mastodon::Mastodon;
use kith::domain::Platform;
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::header;
use wiremock::{Mock, MockServer};

pub const VERIFY: &str = "/api/v1/accounts/verify_credentials";
pub const NOTIFICATIONS: &str = "/api/v1/notifications";
pub const STATUSES: &str = "/api/v1/statuses";
pub const INSTANCE: &str = "/api/v2/instance";

/// `verify_credentials`: our account, id 42, @shop, "Our Shop".
pub fn me() -> Mock {
    on("GET", VERIFY).respond_with(ok(
        json!({"id": "42", "username": "shop", "acct": "shop", "display_name": "Our Shop"}),
    ))
}

/// `verify_credentials` answering only a request signed with `token`.
pub fn me_for(token: &str) -> Mock {
    on("GET", VERIFY)
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(ok(
            json!({"id": "42", "username": "shop", "acct": "shop", "display_name": "Our Shop"}),
        ))
}

/// The instance, allowing `max` characters per status.
pub fn instance(max: u64) -> Mock {
    on("GET", INSTANCE).respond_with(ok(
        json!({"domain": "our.example", "configuration": {"statuses": {"max_characters": max}}}),
    ))
}

/// Account "acct" (@shop) on `server`, signed in with `token`.
pub fn connector(server: &MockServer, token: &str, policy: RetryPolicy) -> Mastodon {
    let cfg = kith::connectors::AccountConfig {
        handle: Some("shop".into()),
        ..net::account("acct", Platform::Mastodon, server.uri())
    };
    Mastodon::new(
        &cfg,
        token.into(),
        net::http(token, Duration::from_secs(2), policy),
    )
}
