//! Mastodon moderation: favourite, mute or dismiss what a notification brought in.

use super::parse::{de_id, IdOnly};
use super::{enc, status_id, Mastodon, NOTIFICATION_PREFIX};
use crate::connectors::{action_unavailable, json_scan, ConnectorError, RemoteAction, Result};
use crate::domain::{Item, Platform};
use serde::Deserialize;

impl Mastodon {
    pub(super) async fn do_act(&self, item: &Item, action: RemoteAction) -> Result<()> {
        match action {
            RemoteAction::Hide
            | RemoteAction::Delete
            | RemoteAction::Restore
            | RemoteAction::Reject
            | RemoteAction::Ban(_) => Err(ConnectorError::Unsupported(
                action_unavailable(Platform::Mastodon, action).unwrap_or_else(|| {
                    "Mastodon cannot hide or delete other people's posts".into()
                }),
            )),
            RemoteAction::Like | RemoteAction::Mute => {
                let Some(id) = status_id(item) else {
                    return Err(ConnectorError::Unsupported(
                        "this is a notification (favourite, boost or follow), not a post".into(),
                    ));
                };
                let verb = if action == RemoteAction::Like {
                    "favourite"
                } else {
                    "mute"
                };
                self.post_idempotent(&format!("/api/v1/statuses/{}/{verb}", enc(id)))
                    .await
                    .map(|_| ())
            }
            RemoteAction::Dismiss => {
                let nid = match item.native_id.strip_prefix(NOTIFICATION_PREFIX) {
                    Some(nid) => nid.to_string(),
                    None => self.find_notification(&item.native_id).await?,
                };
                self.post_idempotent(&format!("/api/v1/notifications/{}/dismiss", enc(&nid)))
                    .await
                    .map(|_| ())
            }
        }
    }

    /// The notification about status `sid` among the latest 80, preferring the mention or quote
    /// (the one that put it in the inbox) over favourites of the same status.
    async fn find_notification(&self, sid: &str) -> Result<String> {
        let resp = self
            .get("/api/v1/notifications", &[("limit", "80".to_string())])
            .await?;
        let elems = json_scan::split_array(&resp.body).map_err(|e| {
            ConnectorError::Malformed(format!("notifications: not a JSON array: {}", e.0))
        })?;
        #[derive(Deserialize)]
        struct Min {
            #[serde(deserialize_with = "de_id")]
            id: String,
            #[serde(rename = "type", default)]
            kind: String,
            #[serde(default)]
            status: Option<IdOnly>,
        }
        let found: Vec<Min> = elems
            .iter()
            .filter_map(|raw| serde_json::from_slice::<Min>(raw).ok())
            .filter(|m| m.status.as_ref().is_some_and(|s| s.id == sid))
            .collect();
        found
            .iter()
            .find(|m| m.kind == "mention" || m.kind == "quote")
            .or(found.first())
            .map(|m| m.id.clone())
            .ok_or_else(|| {
                ConnectorError::Refused(format!(
                    "no notification for status {sid} among the latest 80; it may already be dismissed"
                ))
            })
    }
}
