//! Instagram's content publishing limit: how many posts the account published through the API
//! in the rolling window (`/{ig-user-id}/content_publishing_limit`), kept for the Accounts view,
//! and when the oldest of them leaves the window once the limit is reached.

use super::Instagram;
use crate::connectors::graph::{time, Verb};
use crate::connectors::http::{PostQuota, Retry};
use crate::connectors::{ConnectorError, Result};
use crate::domain::Timestamp;
use serde_json::Value;
use std::time::Duration;

/// What Instagram allows when its answer leaves the window out (the limit since 2024).
const DEFAULT_LIMIT: u64 = 100;
const DEFAULT_WINDOW_SECS: u64 = 24 * 3600;
/// A sync pass reads the quota again only when the last reading is older than this: polls come
/// every few minutes and the number moves only when someone publishes.
const FRESH_MS: i64 = 15 * 60 * 1000;
/// When the window cannot be read: try again after this.
const UNKNOWN_WAIT: Duration = Duration::from_secs(3600);
/// A slot frees when the oldest post leaves the window; a little after, for clock skew.
const MARGIN_SECS: i64 = 60;

/// The quota as Graph reports it, and the window's length in seconds.
fn parse(v: &Value) -> Option<(PostQuota, u64)> {
    let first = v.get("data").and_then(Value::as_array)?.first()?;
    let used = first.get("quota_usage").and_then(Value::as_u64)?;
    let limit = first
        .pointer("/config/quota_total")
        .and_then(Value::as_u64)
        .unwrap_or(DEFAULT_LIMIT);
    let secs = first
        .pointer("/config/quota_duration")
        .and_then(Value::as_u64)
        .filter(|s| *s > 0)
        .unwrap_or(DEFAULT_WINDOW_SECS);
    Some((
        PostQuota {
            used,
            limit,
            hours: secs.div_ceil(3600),
        },
        secs,
    ))
}

impl Instagram {
    /// Reads the quota now and keeps it for `rate_info`.
    pub(super) async fn read_quota(&self) -> Result<(PostQuota, u64)> {
        let q = [("fields", "quota_usage,config".to_string())];
        let v = self
            .call(
                Verb::Get,
                &format!("{}/content_publishing_limit", self.user),
                &q,
                &[],
                Retry::Safe,
            )
            .await?;
        let got = parse(&v).ok_or_else(|| {
            ConnectorError::Malformed("instagram: the publishing limit could not be read".into())
        })?;
        self.keep_quota(got.0);
        Ok(got)
    }

    pub(super) fn keep_quota(&self, q: PostQuota) {
        if let Ok(mut k) = self.quota.lock() {
            *k = Some((Timestamp::now(), q));
        }
    }

    /// The quota as last read (shown in the Accounts view).
    pub(super) fn quota_seen(&self) -> Option<PostQuota> {
        self.quota.lock().ok().and_then(|k| k.map(|(_, q)| q))
    }

    /// During a sync pass: reads the quota when the last reading is stale. A failure is only a
    /// missing line in the Accounts view (a token without `instagram_content_publish` still
    /// reads comments), so it never fails the pass.
    pub(super) async fn refresh_quota(&self) {
        let stale = self
            .quota
            .lock()
            .ok()
            .and_then(|k| k.map(|(at, _)| at))
            .is_none_or(|at| Timestamp::now().0 - at.0 > FRESH_MS);
        if stale {
            if let Err(e) = self.read_quota().await {
                tracing::debug!("instagram: publishing limit not read: {e}");
            }
        }
    }

    /// Before publishing: `RateLimited` until a slot frees when the limit is reached (the post
    /// is not refused: it goes out by itself once Instagram allows it again).
    pub(super) async fn check_quota(&self) -> Result<()> {
        let (q, secs) = self.read_quota().await?;
        if q.used < q.limit {
            return Ok(());
        }
        let wait = self.until_slot(secs).await.unwrap_or(UNKNOWN_WAIT);
        tracing::info!(
            "instagram: publishing limit reached ({} of {} in {} h); waiting {} s",
            q.used,
            q.limit,
            q.hours,
            wait.as_secs()
        );
        Err(ConnectorError::RateLimited { wait })
    }

    /// How long until the oldest post in the window leaves it, from the account's own media
    /// (newest first). `None` when that cannot be told.
    async fn until_slot(&self, secs: u64) -> Option<Duration> {
        let media = self.own_media("id,timestamp", 100).await.ok()?;
        let now = Timestamp::now().0;
        let window_ms = secs as i64 * 1000;
        let oldest = media
            .iter()
            .filter_map(|m| m.get("timestamp").and_then(Value::as_str).and_then(time))
            .filter(|t| t.0 > now - window_ms)
            .map(|t| t.0)
            .min()?;
        let ms = oldest + window_ms - now + MARGIN_SECS * 1000;
        Some(Duration::from_millis(ms.max(MARGIN_SECS * 1000) as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_documented_answer_and_one_without_its_config() {
        let v = json!({"data": [{"quota_usage": 3,
            "config": {"quota_total": 25, "quota_duration": 86400}}]});
        assert_eq!(
            parse(&v),
            Some((
                PostQuota {
                    used: 3,
                    limit: 25,
                    hours: 24
                },
                86400
            ))
        );
        let bare = json!({"data": [{"quota_usage": 7}]});
        assert_eq!(parse(&bare).map(|(q, _)| (q.used, q.limit)), Some((7, 100)));
        assert_eq!(parse(&json!({"data": []})), None);
    }
}
