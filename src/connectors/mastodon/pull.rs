//! Mastodon inbox paging: one page of notifications from where the cursor stands, the first
//! sync's backfill, and the forward poll that re-reads its last few ids.

use super::cursor::{self, Cursor};
use super::parse::{parse_links, IdOnly};
use super::Mastodon;
use crate::connectors::{json_scan, ConnectorError, FetchPage, Result};

/// Notifications per page (Mastodon allows up to 80; 40 is its default maximum for clients).
const PAGE: usize = 40;
/// First sync: the newest page plus older pages, at most this many in total.
const FIRST_SYNC_PAGES: u32 = 5;
/// Notification types we ask for.
const TYPES: [&str; 5] = ["mention", "quote", "favourite", "reblog", "follow"];

impl Mastodon {
    pub(super) async fn fetch_page(&self, cursor: Option<&str>) -> Result<FetchPage> {
        let mut cur = Cursor::parse(cursor);
        let me = self.my_id(cur.me.as_deref()).await?;
        let mut query: Vec<(&str, String)> = vec![("limit", PAGE.to_string())];
        query.extend(TYPES.iter().map(|t| ("types[]", t.to_string())));
        // Notifications the account's notification policy filters (Mastodon 4.3+: by default
        // private mentions from people it does not follow) come too, at arrival: accepting them
        // later only unfilters them under their old ids, below every later poll.
        query.push(("include_filtered", "true".to_string()));
        // Backfill first (a crash mid first-sync resumes it), then poll forward.
        let backfill = cur.older.is_some();
        let forward = !backfill && cur.newest.is_some();
        if let Some(older) = &cur.older {
            query.push(("max_id", older.clone()));
        } else if let Some(since) = cur.since() {
            query.push(("min_id", since.clone()));
        }
        let resp = self.get("/api/v1/notifications", &query).await?;
        let elems = json_scan::split_array(&resp.body).map_err(|e| {
            ConnectorError::Malformed(format!(
                "notifications: unreadable body (HTTP {}): {}",
                resp.status, e.0
            ))
        })?;
        let links = parse_links(resp.header("link"));
        let full = elems.len() >= PAGE;
        let first_id = elems
            .first()
            .and_then(|e| serde_json::from_slice::<IdOnly>(e).ok())
            .map(|x| x.id);
        let last_id = elems
            .last()
            .and_then(|e| serde_json::from_slice::<IdOnly>(e).ok())
            .map(|x| x.id);

        let before = cur.clone();
        let mut page = FetchPage::default();
        let mut handled = Vec::new();
        for raw in &elems {
            match serde_json::from_slice::<IdOnly>(raw) {
                // Read again by the window: already stored.
                Ok(x) if cur.knows(&x.id) => continue,
                Ok(x) => handled.push(x.id),
                Err(_) if !cur.first_bad(raw) => continue,
                Err(_) => {}
            }
            self.map_notification(raw, &me, &mut page);
        }
        cur.remember(handled);
        let more;
        if backfill {
            cur.pages = cur.pages.saturating_add(1);
            let next = links.next_max.or(last_id);
            cur.older = next
                .filter(|n| full && cur.pages < FIRST_SYNC_PAGES && Some(n) != cur.older.as_ref());
            more = cur.older.is_some();
        } else if forward {
            let top = links.prev_min.or(first_id);
            if let Some(n) = top.filter(|n| {
                cur.newest
                    .as_deref()
                    .is_none_or(|old| cursor::id_order(n, old).is_gt())
            }) {
                cur.newest = Some(n);
            }
            // Only keep paging when the mark moved, so a server ignoring min_id cannot loop us.
            more = full && cur.newest != before.newest;
            cur.paging = more;
        } else {
            if elems.is_empty() {
                return Ok(page);
            }
            cur.newest = links.prev_min.or(first_id);
            cur.pages = 1;
            cur.older = links
                .next_max
                .or(last_id)
                .filter(|_| full && FIRST_SYNC_PAGES > 1);
            more = cur.older.is_some();
        }
        if cur.older.is_none() {
            cur.pages = 0;
        }
        cur.me = Some(me);
        if cur != before {
            page.cursor = Some(cur.encode());
        }
        page.more = more;
        Ok(page)
    }
}
