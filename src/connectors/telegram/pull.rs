//! Telegram inbox paging: one `getUpdates` batch from the stored offset, moving past updates
//! it cannot read.

use super::parse::{reaction_item, Update};
use super::Telegram;
use crate::connectors::http::Retry;
use crate::connectors::{json_scan, ConnectorError, FetchPage, Malformed, Result};
use serde_json::json;

/// Updates asked for per request (the API's maximum).
const PAGE: usize = 100;

impl Telegram {
    pub(super) async fn fetch_page(&self, cursor: Option<&str>) -> Result<FetchPage> {
        let bot = self.bot().await?.clone();
        let offset: i64 = cursor.and_then(|c| c.trim().parse().ok()).unwrap_or(0);
        let body = json!({
            "offset": offset,
            "timeout": 0,
            "limit": PAGE,
            "allowed_updates": ["message", "channel_post", "edited_message", "message_reaction"],
        });
        let raw = self.call_raw("getUpdates", &body, Retry::Safe).await?;
        let elems = json_scan::split_array(&raw)
            .map_err(|e| ConnectorError::Malformed(format!("getUpdates: {}", e.0)))?;
        let mut page = FetchPage::default();
        let mut next = offset;
        for el in &elems {
            // The update id moves the offset even when the rest of the update is unreadable, so
            // one bad update never blocks the ones after it.
            if let Some(id) = update_id(el) {
                next = next.max(id + 1);
            }
            let u: Update = match serde_json::from_slice(el) {
                Ok(u) => u,
                Err(e) => {
                    page.malformed.push(Malformed {
                        reason: format!("telegram update: {e}"),
                        raw: el.to_vec(),
                    });
                    continue;
                }
            };
            next = next.max(u.update_id + 1);
            if let Some(m) = &u.message {
                if let Some(item) = self.message_item(m, &bot, false) {
                    page.items.push(item);
                }
            } else if let Some(m) = &u.channel_post {
                if let Some(item) = self.message_item(m, &bot, true) {
                    page.items.push(item);
                }
            } else if let Some(r) = &u.message_reaction {
                if let Some(a) = self.reaction(r) {
                    if self.cfg.activity_items {
                        page.items.push(reaction_item(&self.cfg.name, &a));
                    } else {
                        page.activity.push(a);
                    }
                }
            } else if u.edited_message.is_some() {
                // Edits are not tracked yet: the stored text stays as first received.
            }
        }
        if elems.is_empty() {
            return Ok(page);
        }
        page.cursor = Some(next.to_string());
        page.more = elems.len() >= PAGE;
        Ok(page)
    }
}

/// `update_id` read without parsing the rest (which may be what is broken).
pub(super) fn update_id(el: &[u8]) -> Option<i64> {
    let fields = json_scan::object_fields(el).ok()?;
    let (_, v) = fields.iter().find(|(k, _)| k == "update_id")?;
    std::str::from_utf8(v).ok()?.trim().parse().ok()
}
