//! Pulling notifications: `listNotifications` page by page into items, member activity and
//! quarantined input, with the cursor that says where the poll stands (`window.rs`).

use super::window::{id_of, Cursor, PAGE};
use super::{json_scan, ms, Bluesky, Profile};
use crate::connectors::{Activity, ActivityKind, ConnectorError, FetchPage, Malformed, Result};
use crate::domain::{Kind, Platform, Timestamp};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    uri: String,
    author: Profile,
    reason: String,
    reason_subject: Option<String>,
    #[serde(default)]
    record: Value,
    indexed_at: String,
}

impl Bluesky {
    pub(super) async fn fetch_page(&self, cursor: Option<&str>) -> Result<FetchPage> {
        let mut cur = Cursor::parse(cursor);
        let resuming = cur.resuming();
        let mut query = vec![("limit", PAGE.to_string())];
        if let Some(n) = &cur.next {
            query.push(("cursor", n.clone()));
        }
        let (resp, _) = self
            .get("app.bsky.notification.listNotifications", &query)
            .await?;
        let fields = json_scan::object_fields(&resp.body)
            .map_err(|e| ConnectorError::Malformed(format!("listNotifications: {}", e.0)))?;
        let field = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| *v);
        let api_cursor = field("cursor").and_then(|c| serde_json::from_slice::<String>(c).ok());
        let elems = match field("notifications") {
            Some(raw) => json_scan::split_array(raw)
                .map_err(|e| ConnectorError::Malformed(format!("listNotifications: {}", e.0)))?,
            None => Vec::new(),
        };
        let mut page = FetchPage::default();
        let mut notes = Vec::new();
        for el in &elems {
            // Whatever is already known (stored or quarantined by an earlier poll) is skipped
            // here, before any profile lookup: the window costs no request beyond its page.
            match serde_json::from_slice::<Notification>(el) {
                Ok(n) => match ms(&n.indexed_at) {
                    Some(at) => {
                        if cur.see(Some(at), id_of(n.uri.as_bytes()), true) {
                            notes.push(n);
                        }
                    }
                    None => {
                        if cur.see(None, id_of(n.uri.as_bytes()), false) {
                            page.malformed.push(Malformed {
                                reason: format!(
                                    "bluesky notification: bad indexedAt {:?}",
                                    n.indexed_at
                                ),
                                raw: el.to_vec(),
                            });
                        }
                    }
                },
                Err(e) => {
                    let id = raw_uri(el).map_or_else(|| id_of(el), |u| id_of(u.as_bytes()));
                    if cur.see(raw_indexed_at(el), id, false) {
                        page.malformed.push(Malformed {
                            reason: format!("bluesky notification: {e}"),
                            raw: el.to_vec(),
                        });
                    }
                }
            }
        }
        let dids: Vec<String> = {
            let mut d: Vec<String> = notes
                .iter()
                .filter(|n| matches!(n.reason.as_str(), "reply" | "mention" | "quote"))
                .map(|n| n.author.did.clone())
                .collect();
            d.sort();
            d.dedup();
            d
        };
        let counts = if dids.is_empty() {
            HashMap::new()
        } else {
            self.followers(&dids).await
        };
        for n in notes {
            let kind = match n.reason.as_str() {
                "reply" => Some(Kind::Reply),
                "mention" => Some(Kind::Mention),
                "quote" => Some(Kind::Quote),
                _ => None,
            };
            if let Some(kind) = kind {
                let mut item = self.post_item(kind, &n.uri, &n.author, &n.record, &n.indexed_at);
                item.author.followers =
                    counts.get(&n.author.did).copied().or(item.author.followers);
                if kind == Kind::Quote {
                    item.post_native_id = n.reason_subject.clone();
                }
                page.items.push(item);
                continue;
            }
            let activity = match n.reason.as_str() {
                "like" => ActivityKind::Like,
                "repost" => ActivityKind::Repost,
                "follow" => ActivityKind::Follow,
                _ => continue,
            };
            let a = Activity {
                platform: Platform::Bluesky,
                account: self.cfg.name.clone(),
                native_id: n.uri.clone(),
                kind: activity,
                author: Self::author(&n.author),
                at: Timestamp::parse(&n.indexed_at).unwrap_or(Timestamp(0)),
                target: n.reason_subject.clone(),
            };
            if self.cfg.activity_items {
                let mut item = self.post_item(
                    Kind::Mention,
                    &n.uri,
                    &n.author,
                    &Value::Null,
                    &n.indexed_at,
                );
                item.text = format!("[{}]", activity.as_str());
                item.post_native_id = a.target.clone();
                item.url = None;
                page.items.push(item);
            } else {
                page.activity.push(a);
            }
        }
        let done = cur.page_read(api_cursor, elems.is_empty());
        if done && !resuming && page.is_empty() {
            // Nothing new: keep the stored cursor, write nothing.
            return Ok(page);
        }
        // A poll that went on for pages ends with its completed cursor even when it found
        // nothing; the engine does not write a cursor it already has.
        page.more = !done;
        page.cursor = Some(cur.encode());
        Ok(page)
    }
}

/// A string field of a notification whose other fields may be what is broken.
fn raw_field(el: &[u8], name: &str) -> Option<String> {
    let fields = json_scan::object_fields(el).ok()?;
    let (_, v) = fields.iter().find(|(k, _)| k == name)?;
    serde_json::from_slice::<String>(v).ok()
}

fn raw_indexed_at(el: &[u8]) -> Option<i64> {
    ms(&raw_field(el, "indexedAt")?)
}

fn raw_uri(el: &[u8]) -> Option<String> {
    raw_field(el, "uri")
}
