//! Google Business Profile as the tests fake it: the My Business API v4 reviews of account 1
//! (locations 2 and 3) with the documented payload (platform-apis §7), Google's error bodies,
//! the OAuth token endpoint, and a connector on a local server with its own data dir.

use super::net;
use kith::connectors::google::Google;
use kith::connectors::{AccountConfig, Connector, FetchPage};
use kith::domain::{Item, ItemId, Kind, NewItem, Platform, Timestamp};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;
use wiremock::{MockBuilder, MockServer, ResponseTemplate};

pub const ACCOUNT: &str = "1";
pub const TOKEN: &str = "ya29.gbp-access-token";

/// `/v4/accounts/1/locations/{loc}/reviews`.
pub fn reviews_path(loc: &str) -> String {
    format!("/v4/accounts/{ACCOUNT}/locations/{loc}/reviews")
}

/// `verb` requests to the reviews of location `loc`.
pub fn reviews(verb: &str, loc: &str) -> MockBuilder {
    super::fake::on(verb, reviews_path(loc))
}

/// The account "gbp" on `server` (API and OAuth both) with these locations.
pub fn account(server: &MockServer, locations: &[&str]) -> AccountConfig {
    AccountConfig {
        google_account: Some(ACCOUNT.into()),
        locations: locations.iter().map(|l| l.to_string()).collect(),
        auth_url: Some(server.uri()),
        ..net::account("gbp", Platform::Google, server.uri())
    }
}

/// A connector with `secret` (a bare token or a token set's JSON), data under `dir`.
pub fn connector(server: &MockServer, locations: &[&str], secret: &str, dir: &Path) -> Google {
    Google::new(
        &account(server, locations),
        secret.into(),
        net::http(secret, Duration::from_secs(2), net::THRICE),
        dir,
    )
}

/// The review's name: `accounts/1/locations/{loc}/reviews/{id}`.
pub fn name(loc: &str, id: &str) -> String {
    format!("accounts/{ACCOUNT}/locations/{loc}/reviews/{id}")
}

/// A review as the API lists it (the documented shape): `stars` ONE..FIVE, written at
/// `created`, last changed at `updated`.
pub fn review(loc: &str, id: &str, stars: &str, text: &str, created: &str, updated: &str) -> Value {
    json!({"name": name(loc, id), "reviewId": id, "starRating": stars,
        "reviewer": {"displayName": "François Lefèvre",
            "profilePhotoUrl": "https://lh3.googleusercontent.com/a/x", "isAnonymous": false},
        "comment": text, "createTime": created, "updateTime": updated})
}

/// `r` with our answer on it.
pub fn answered(mut r: Value, text: &str, at: &str) -> Value {
    r["reviewReply"] = json!({"comment": text, "updateTime": at});
    r
}

/// A list answer: `reviews`, the location's summary and, when given, `nextPageToken`.
pub fn list(items: Vec<Value>, next: Option<&str>) -> ResponseTemplate {
    let mut v = json!({"reviews": items, "averageRating": 4.3, "totalReviewCount": 27});
    if let Some(n) = next {
        v["nextPageToken"] = json!(n);
    }
    ResponseTemplate::new(200).set_body_json(v)
}

/// Google's v4 error body.
pub fn error(code: u16, status: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(code)
        .set_body_json(json!({"error": {"code": code, "message": message, "status": status}}))
}

/// A stored review of account "gbp" (native id = its name).
pub fn item(native_id: &str) -> Item {
    let mut new = NewItem::comment(
        Platform::Google,
        "gbp",
        native_id,
        "google:François Lefèvre",
        "Très bon accueil",
        Timestamp(0),
    );
    new.kind = Kind::Review;
    Item::from_new(ItemId(1), &new, Timestamp(0))
}

/// Fetches until the connector says the sync is over, feeding each cursor back.
pub async fn sync(c: &dyn Connector, cursor: Option<String>) -> (Vec<FetchPage>, Option<String>) {
    let mut cur = cursor;
    let mut pages = Vec::new();
    for _ in 0..30 {
        let p = c.fetch(cur.as_deref()).await.expect("fetch");
        if p.cursor.is_some() {
            cur = p.cursor.clone();
        }
        let more = p.more;
        pages.push(p);
        if !more {
            return (pages, cur);
        }
    }
    panic!("the sync never ended");
}

/// Every item of the pages, in order.
pub fn items(pages: &[FetchPage]) -> Vec<NewItem> {
    pages.iter().flat_map(|p| p.items.clone()).collect()
}
