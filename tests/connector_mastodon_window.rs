//! Mastodon notifications that arrive below kith's mark, against a server that pages like
//! Mastodon (`min_id`, `max_id`, `limit`, `Link`): one filtered by the notification policy (a DM
//! from a stranger), released later under its old id; one committed after a newer one (ids come
//! from a database sequence at insert, so two concurrent inserts can commit out of order).

mod support;

use kith::connectors::mastodon::Mastodon;
use kith::connectors::Connector;
use kith::domain::Kind;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use support::fake::{ok, requests_to, Fake};
use support::mastodon::{self, NOTIFICATIONS};
use support::net::TWICE;
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

const TOKEN: &str = "tok-WINDOW-123456";

/// Notifications by id; `filtered` ones are listed only with `include_filtered=true` (4.3+).
#[derive(Clone, Default)]
struct Server(Arc<Mutex<Vec<(u64, bool)>>>);

impl Server {
    fn add(&self, id: u64, filtered: bool) {
        self.0.lock().expect("lock").push((id, filtered));
    }
}

fn notification(id: u64) -> Value {
    let (kind, visibility) = if id % 2 == 0 {
        ("mention", "direct")
    } else {
        ("mention", "public")
    };
    json!({"id": id.to_string(), "type": kind, "created_at": "2026-03-14T09:00:00.000Z",
        "account": {"id": format!("a{id}"), "acct": format!("pal{id}@far.example"), "display_name": "Pal"},
        "status": {"id": format!("s{id}"), "created_at": "2026-03-14T09:00:00.000Z",
            "visibility": visibility, "content": format!("<p>n{id}</p>"),
            "account": {"id": format!("a{id}")}}})
}

impl Respond for Server {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let q = |k: &str| {
            req.url
                .query_pairs()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.into_owned())
        };
        let num = |k: &str| q(k).and_then(|v| v.parse::<u64>().ok());
        let limit = num("limit").unwrap_or(40).min(80) as usize;
        let filtered = q("include_filtered").as_deref() == Some("true");
        let mut ids: Vec<u64> = self
            .0
            .lock()
            .expect("lock")
            .iter()
            .filter(|(_, f)| filtered || !f)
            .map(|(id, _)| *id)
            .collect();
        ids.sort_unstable();
        let ids: Vec<u64> = if let Some(min) = num("min_id") {
            // The page immediately above min_id, newest first.
            let mut v: Vec<u64> = ids.into_iter().filter(|i| *i > min).take(limit).collect();
            v.reverse();
            v
        } else {
            let max = num("max_id").unwrap_or(u64::MAX);
            let since = num("since_id").unwrap_or(0);
            ids.into_iter()
                .rev()
                .filter(|i| *i < max && *i > since)
                .take(limit)
                .collect()
        };
        let body: Vec<Value> = ids.iter().map(|i| notification(*i)).collect();
        let mut r = ok(body);
        if let (Some(first), Some(last)) = (ids.first(), ids.last()) {
            let base = format!("http://{}/api/v1/notifications", req.url.authority());
            r = r.insert_header(
                "link",
                format!(
                    "<{base}?max_id={last}>; rel=\"next\", <{base}?min_id={first}>; rel=\"prev\""
                )
                .as_str(),
            );
        }
        r
    }
}

async fn setup() -> (MockServer, Server, Mastodon) {
    let state = Server::default();
    let server = Fake::new()
        .with(mastodon::me())
        .answer("GET", NOTIFICATIONS, state.clone())
        .start()
        .await;
    let c = mastodon::connector(&server, TOKEN, TWICE);
    (server, state, c)
}

async fn polls(server: &MockServer) -> usize {
    requests_to(server, NOTIFICATIONS).await.len()
}

/// Fetches pages until the connector says there are no more, like the engine: the native ids
/// it returned and the cursor to store (the old one when nothing needed storing).
async fn sync(c: &Mastodon, cursor: Option<String>) -> (Vec<String>, Option<String>) {
    let mut cursor = cursor;
    let mut ids = Vec::new();
    loop {
        let page = c.fetch(cursor.as_deref()).await.expect("page");
        ids.extend(page.items.iter().map(|i| i.native_id.clone()));
        if page.cursor.is_some() {
            cursor = page.cursor;
        }
        if !page.more {
            return (ids, cursor);
        }
    }
}

#[tokio::test]
async fn a_dm_the_notification_policy_filters_arrives_with_the_rest() {
    let (_server, state, c) = setup().await;
    for id in [101, 103, 105] {
        state.add(id, false);
    }
    // A direct message from someone the account does not follow: Mastodon 4.3's default
    // policy files it under "notification requests"; accepting it later only unfilters it,
    // under its old id, below anything polled since.
    state.add(104, true);
    let page = c.fetch(None).await.expect("page");
    let ids: Vec<&str> = page.items.iter().map(|i| i.native_id.as_str()).collect();
    assert_eq!(ids, vec!["s105", "s104", "s103", "s101"]);
    assert_eq!(page.items[1].kind, Kind::Dm);
}

#[tokio::test]
async fn a_notification_committed_after_a_newer_one_is_still_taken() {
    let (server, state, c) = setup().await;
    for id in (1..=8).chain([10]) {
        state.add(id, false);
    }
    let (ids, cursor) = sync(&c, None).await;
    assert_eq!(ids.len(), 9);
    // Notification 9 was inserted before 10 but committed after the poll.
    state.add(9, false);
    let (ids, cursor) = sync(&c, cursor).await;
    assert_eq!(ids, vec!["s9"]);
    // Idle: one request, nothing new, nothing to store.
    let before = polls(&server).await;
    let page = c.fetch(cursor.as_deref()).await.expect("idle");
    assert!(
        page.is_empty() && page.cursor.is_none() && !page.more,
        "{page:?}"
    );
    assert_eq!(polls(&server).await, before + 1);
    // A burst larger than a page is still read to its end.
    for id in 11..=100 {
        state.add(id, false);
    }
    let (ids, _) = sync(&c, cursor).await;
    assert_eq!(ids.len(), 90);
}
