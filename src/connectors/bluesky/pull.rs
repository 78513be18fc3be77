//! Pulling notifications: `listNotifications` page by page into items, member activity and
//! quarantined input, with the cursor that says where the poll stands (`window.rs`).

use super::window::Cursor;
use super::{json_scan, ms, Bluesky, Profile};
use crate::connectors::{Activity, ActivityKind, ConnectorError, FetchPage, Malformed, Result};
use crate::domain::{Kind, Platform, Timestamp};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

/// Notifications per page (the API allows up to 100).
const PAGE: usize = 50;
/// A first sync reads at most this many pages back.
const FIRST_SYNC_PAGES: u32 = 5;

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
        let mut cur: Cursor = cursor
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or_default();
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
        let fresh_poll = cur.next.is_none();
        let mut page = FetchPage::default();
        let mut reached_old = false;
        let mut newest: Option<(i64, Vec<String>)> = None;
        let mut notes = Vec::new();
        for el in &elems {
            let n: Notification = match serde_json::from_slice(el) {
                Ok(n) => n,
                Err(e) => {
                    // Already quarantined by an earlier poll when it is not newer than the mark.
                    let old = cur
                        .seen
                        .zip(raw_indexed_at(el))
                        .is_some_and(|(seen, at)| at <= seen);
                    if old {
                        reached_old = true;
                        continue;
                    }
                    page.malformed.push(Malformed {
                        reason: format!("bluesky notification: {e}"),
                        raw: el.to_vec(),
                    });
                    continue;
                }
            };
            let Some(at) = ms(&n.indexed_at) else {
                page.malformed.push(Malformed {
                    reason: format!("bluesky notification: bad indexedAt {:?}", n.indexed_at),
                    raw: el.to_vec(),
                });
                continue;
            };
            if let Some(seen) = cur.seen {
                if at < seen || (at == seen && cur.seen_uris.contains(&n.uri)) {
                    reached_old = true;
                    continue;
                }
            }
            match &mut newest {
                Some((t, uris)) if *t == at => uris.push(n.uri.clone()),
                Some((t, _)) if *t > at => {}
                _ => newest = Some((at, vec![n.uri.clone()])),
            }
            notes.push(n);
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
        if fresh_poll {
            cur.top = newest.as_ref().map(|(t, _)| *t);
            cur.top_uris = newest.map(|(_, u)| u).unwrap_or_default();
        } else if let Some((t, uris)) = newest {
            // Resuming a poll: its top is already recorded; nothing newer can be on later pages.
            if cur.top.is_none_or(|top| t > top) {
                cur.top = Some(t);
                cur.top_uris = uris;
            }
        }
        cur.pages += 1;
        let first_sync_done = cur.seen.is_none() && cur.pages >= FIRST_SYNC_PAGES;
        let done = reached_old || api_cursor.is_none() || elems.is_empty() || first_sync_done;
        if fresh_poll && page.is_empty() && done {
            // Nothing new: keep the stored cursor, write nothing.
            return Ok(page);
        }
        if done {
            let (seen, seen_uris) = match (cur.top, cur.seen) {
                (Some(t), Some(s)) if t < s => (Some(s), cur.seen_uris.clone()),
                (Some(t), Some(s)) if t == s => {
                    let mut u = cur.seen_uris.clone();
                    u.extend(cur.top_uris.iter().cloned());
                    (Some(s), u)
                }
                (Some(t), _) => (Some(t), cur.top_uris.clone()),
                (None, s) => (s, cur.seen_uris.clone()),
            };
            cur = Cursor {
                seen,
                seen_uris,
                ..Cursor::default()
            };
        } else {
            cur.next = api_cursor;
            page.more = true;
        }
        page.cursor = Some(serde_json::to_string(&cur).unwrap_or_default());
        Ok(page)
    }
}

/// `indexedAt` of a notification whose other fields may be what is broken.
fn raw_indexed_at(el: &[u8]) -> Option<i64> {
    let fields = json_scan::object_fields(el).ok()?;
    let (_, v) = fields.iter().find(|(k, _)| k == "indexedAt")?;
    ms(&serde_json::from_slice::<String>(v).ok()?)
}
