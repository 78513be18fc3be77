//! Mastodon as the tests fake it: our account (id 42, @shop), the instance's limit, the
//! documented payloads under `tests/fixtures/mastodon`, items and mentions, and a connector on a
//! local server.

use super::fake::{ok, on, text};
use super::net;
use kith::connectors::http::RetryPolicy;
use kith::connectors::mastodon::Mastodon;
use kith::connectors::AccountConfig;
use kith::domain::{Item, ItemId, Kind, NewItem, Platform, Timestamp};
use serde_json::{json, Value};
use std::time::Duration;
use wiremock::matchers::header;
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const VERIFY: &str = "/api/v1/accounts/verify_credentials";
pub const NOTIFICATIONS: &str = "/api/v1/notifications";
pub const STATUSES: &str = "/api/v1/statuses";
pub const INSTANCE: &str = "/api/v2/instance";

/// The token the connector tests sign in with.
pub const TOKEN: &str = "tok-SECRET-123456";

/// A documented payload from `tests/fixtures/mastodon`.
pub fn fixture(name: &str) -> String {
    let p = format!(
        "{}/tests/fixtures/mastodon/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// `verify_credentials` as documented, for a request signed with `TOKEN`.
pub fn documented_me() -> Mock {
    on("GET", VERIFY)
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(text(fixture("verify_credentials.json")))
}

/// Account "acct" (@shop) on `server`, its base URL written with a trailing slash as people
/// paste it, activity stored as items when `activity_items`; requests signed with `TOKEN` and
/// given up after `total`, three attempts.
pub fn connector_within(server: &MockServer, activity_items: bool, total: Duration) -> Mastodon {
    let cfg = AccountConfig {
        handle: Some("shop".into()),
        activity_items,
        group_id: None,
        user_secret: None,
        channel_id: None,
        auth_url: None,
        page_id: None,
        ..net::account("acct", Platform::Mastodon, format!("{}/", server.uri()))
    };
    Mastodon::new(&cfg, TOKEN.into(), net::http(TOKEN, total, net::THRICE))
}

/// A stored item on account "acct": `kind`, by `author_id` known as `handle`.
pub fn item(native_id: &str, kind: Kind, handle: &str, author_id: &str) -> Item {
    let mut new = NewItem::comment(
        Platform::Mastodon,
        "acct",
        native_id,
        author_id,
        "hello",
        Timestamp(0),
    );
    new.kind = kind;
    new.author.handle = Some(handle.into());
    Item::from_new(ItemId(1), &new, Timestamp(0))
}

/// A mention notification `n` (notification id) about status `s{n}`.
pub fn mention(n: u64) -> Value {
    json!({"id": n.to_string(), "type": "mention", "created_at": "2026-03-14T09:00:00.000Z",
        "account": {"id": "7", "acct": "pal", "display_name": "Pal"},
        "status": {"id": format!("s{n}"), "created_at": "2026-03-14T09:00:00.000Z",
            "visibility": "public", "content": format!("<p>n{n}</p>"), "account": {"id": "7"}}})
}

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

/// A newest-first page of `mention`s with ids `hi` down to `lo`, with Mastodon's Link header
/// naming `server`.
pub fn page(server: &MockServer, hi: u64, lo: u64) -> ResponseTemplate {
    let body: Vec<Value> = (lo..=hi).rev().map(mention).collect();
    let base = format!("{}{NOTIFICATIONS}", server.uri());
    ResponseTemplate::new(200)
        .insert_header(
            "link",
            format!(
                "<{base}?limit=40&max_id={lo}>; rel=\"next\", <{base}?limit=40&min_id={hi}>; rel=\"prev\""
            )
            .as_str(),
        )
        .set_body_json(body)
}

/// Account "acct" (@shop) on `server`, signed in with `token`.
pub fn connector(server: &MockServer, token: &str, policy: RetryPolicy) -> Mastodon {
    let cfg = AccountConfig {
        handle: Some("shop".into()),
        ..net::account("acct", Platform::Mastodon, server.uri())
    };
    Mastodon::new(
        &cfg,
        token.into(),
        net::http(token, Duration::from_secs(2), policy),
    )
}
