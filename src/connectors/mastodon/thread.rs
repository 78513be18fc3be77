//! A Mastodon status's conversation: ancestors and descendants from `/context`.

use super::parse::{short, Account, MStatus};
use super::{enc, status_id, Mastodon};
use crate::connectors::{json_scan, ConnectorError, Result};
use crate::domain::{Item, Kind, NewItem};

impl Mastodon {
    /// `GET /api/v1/statuses/:id/context`. Mastodon 4.5 may add `Mastodon-Async-Refresh` while it
    /// still loads remote replies; we ignore it and return what is there (the next thread
    /// request picks up the rest).
    pub(super) async fn fetch_thread(&self, item: &Item) -> Result<Vec<NewItem>> {
        let Some(id) = status_id(item) else {
            return Ok(Vec::new());
        };
        let me = self.my_id(None).await?;
        let resp = self
            .get(&format!("/api/v1/statuses/{}/context", enc(id)), &[])
            .await?;
        let fields = json_scan::object_fields(&resp.body).map_err(|e| {
            ConnectorError::Malformed(format!("context: not a JSON object: {}", e.0))
        })?;
        let mut out = Vec::new();
        for (key, value) in fields {
            if key != "ancestors" && key != "descendants" {
                continue;
            }
            let elems = json_scan::split_array(value)
                .map_err(|e| ConnectorError::Malformed(format!("context.{key}: {}", e.0)))?;
            for raw in elems {
                let parsed = serde_json::from_slice::<MStatus>(raw)
                    .map_err(|e| short(&e))
                    .and_then(|s| {
                        let author = s
                            .account
                            .as_ref()
                            .map(Account::author)
                            .ok_or_else(|| "status without account".to_string())?;
                        let kind = if s.in_reply_to_id.is_some() {
                            Kind::Reply
                        } else {
                            Kind::Comment
                        };
                        self.status_item(s, kind, author, &me)
                    });
                match parsed {
                    Ok(i) => out.push(i),
                    // A thread has no quarantine channel: skip the element, keep the rest.
                    Err(e) => tracing::warn!(reason = %e, "mastodon: thread status skipped"),
                }
            }
        }
        Ok(out)
    }
}
