//! The one HTTP client every connector uses.
//!
//! - connect and total timeouts, and a cap on the response size (read in chunks, never buffered
//!   past the cap);
//! - retries with exponential backoff and full jitter on network errors and 5xx, only for requests
//!   the caller marks safe to repeat;
//! - `429` honoured: `Retry-After` (seconds or an HTTP date), Telegram's `parameters.retry_after`,
//!   and the platforms' rate-limit headers (`X-RateLimit-*` on Mastodon with an ISO 8601 reset,
//!   `RateLimit-*` on Bluesky with an epoch reset), corrected for clock skew with `Date`. A
//!   response that names its own wait is believed over its window headers (proxies and instances
//!   send `Retry-After: 1` with a reset minutes away);
//! - secrets never leave: every error message is stripped of URLs by reqwest and then of every
//!   known secret by `redact`.

use super::{ConnectorError, Result};
use crate::domain::Timestamp;
use rand::Rng;
use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Limits on one request.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub total: Duration,
    pub max_body: usize,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            total: Duration::from_secs(30),
            max_body: 8 * 1024 * 1024,
        }
    }
}

/// How hard to try before giving up.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in total (1 = no retry).
    pub attempts: u32,
    pub base: Duration,
    pub cap: Duration,
    /// A `429` asking to wait longer than this is returned to the caller instead of slept on.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(8),
            max_wait: Duration::from_secs(30),
        }
    }
}

/// Whether a request may be sent again after a network error or 5xx.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Reads, and writes carrying an idempotency key.
    Safe,
    /// Writes the platform cannot deduplicate: a timeout may mean it was done.
    Never,
}

/// Rate-limit state as the platform last reported it (shown in the Accounts view).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateInfo {
    pub limit: Option<u64>,
    pub remaining: Option<u64>,
    /// When the window resets, in local time.
    pub reset_at: Option<Timestamp>,
    /// Set after a `429`: no request before this time.
    pub blocked_until: Option<Timestamp>,
    /// The last response named its own wait (`Retry-After`, Telegram's `retry_after`). That
    /// wins over the window headers of the same response: a window it reports as used up does
    /// not hold requests back past `blocked_until`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub explicit_wait: bool,
    /// Posts published in the platform's own rolling window, where it limits them on top of
    /// requests (Instagram's content publishing limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posts: Option<PostQuota>,
}

/// How many posts the platform let this account publish in its window, and how many it allows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostQuota {
    pub used: u64,
    pub limit: u64,
    /// The window's length in hours (Instagram: a rolling 24).
    pub hours: u64,
}

/// A finished response with its body read (up to the cap).
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Response {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Parses the body as JSON; a failure names the type and keeps no body text.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| {
            ConnectorError::Malformed(format!("unexpected response (HTTP {}): {e}", self.status))
        })
    }

    /// The platform's own error message from a JSON error body (`error`, `message`,
    /// `description`, `error_description`), shortened.
    pub fn error_message(&self) -> String {
        let v: serde_json::Value = serde_json::from_slice(&self.body).unwrap_or_default();
        let mut parts = Vec::new();
        for key in ["error", "message", "description", "error_description"] {
            if let Some(s) = v.get(key).and_then(|x| x.as_str()) {
                if !parts.iter().any(|p: &String| p == s) {
                    parts.push(s.to_string());
                }
            }
        }
        let msg = if parts.is_empty() {
            format!("HTTP {}", self.status)
        } else {
            format!("HTTP {}: {}", self.status, parts.join(": "))
        };
        shorten(&msg, 300)
    }

    /// Turns a non-success status into the right error: 401 → `Auth`, other 4xx → `Refused`.
    pub fn check(self) -> Result<Response> {
        if self.is_success() {
            return Ok(self);
        }
        let msg = self.error_message();
        Err(match self.status {
            401 => ConnectorError::Auth(msg),
            _ => ConnectorError::Refused(msg),
        })
    }
}

fn shorten(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max_chars).collect();
    out.push('…');
    out
}

/// The shared client. Cheap to clone; clones share the rate-limit state.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    policy: RetryPolicy,
    max_body: usize,
    total: Duration,
    secrets: Arc<Vec<String>>,
    rate: Arc<Mutex<RateInfo>>,
}

impl Http {
    pub fn new(timeouts: Timeouts, secrets: Vec<String>) -> Result<Http> {
        let client = reqwest::Client::builder()
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.total)
            .user_agent(concat!("kith/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConnectorError::Network(e.without_url().to_string()))?;
        Ok(Http {
            client,
            policy: RetryPolicy::default(),
            max_body: timeouts.max_body,
            total: timeouts.total,
            secrets: Arc::new(secrets.into_iter().filter(|s| s.len() >= 4).collect()),
            rate: Arc::new(Mutex::new(RateInfo::default())),
        })
    }

    pub fn with_policy(mut self, policy: RetryPolicy) -> Http {
        self.policy = policy;
        self
    }

    /// Adds a secret learned later (a refreshed session token) to the redaction list.
    pub fn add_secret(&mut self, secret: &str) {
        if secret.len() >= 4 && !self.secrets.iter().any(|s| s == secret) {
            let mut v = (*self.secrets).clone();
            v.push(secret.to_string());
            self.secrets = Arc::new(v);
        }
    }

    /// The time allowed for a request that sends `bytes` (a picture): the usual total plus what
    /// a slow uplink (50 kB/s) needs for them, so a 16 MB upload is not cut at 30 s.
    pub fn upload_timeout(&self, bytes: usize) -> Duration {
        self.total + Duration::from_millis(bytes as u64 / 50)
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    pub fn rate(&self) -> RateInfo {
        self.rate.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Replaces every known secret in `s` with `•••`.
    pub fn redact(&self, s: &str) -> String {
        redact_with(&self.secrets, s)
    }

    /// Sends the request `build` makes (called again for each attempt) and reads the response.
    /// Returns every status except 429 and (after retries) 5xx, which become errors.
    pub async fn send<F>(&self, build: F, retry: Retry) -> Result<Response>
    where
        F: Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            self.wait_for_window().await?;
            let outcome = self.once(&build).await;
            let last = attempt >= self.policy.attempts;
            match outcome {
                Ok(resp) if resp.status == 429 => {
                    let wait = retry_after(&resp).unwrap_or(self.policy.cap);
                    self.block_until(wait);
                    if last || wait > self.policy.max_wait {
                        return Err(ConnectorError::RateLimited { wait });
                    }
                    tokio::time::sleep(wait).await;
                }
                Ok(resp) if resp.status >= 500 => {
                    if last || retry == Retry::Never {
                        return Err(ConnectorError::Network(self.redact(&resp.error_message())));
                    }
                    tokio::time::sleep(self.backoff(attempt)).await;
                }
                Ok(resp) => return Ok(resp),
                Err(e @ (ConnectorError::Network(_) | ConnectorError::Unreachable(_))) => {
                    if last || retry == Retry::Never {
                        return Err(e);
                    }
                    tokio::time::sleep(self.backoff(attempt)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Full jitter: a random wait between zero and the exponential bound.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .policy
            .base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let bound = exp.min(self.policy.cap).as_millis() as u64;
        Duration::from_millis(rand::thread_rng().gen_range(0..=bound.max(1)))
    }

    async fn once<F>(&self, build: &F) -> Result<Response>
    where
        F: Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    {
        let mut resp = build(&self.client)
            .send()
            .await
            .map_err(|e| self.net_error(e))?;
        if let Some(len) = resp.content_length() {
            if len as usize > self.max_body {
                return Err(self.too_large());
            }
        }
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.net_error(e))? {
            if body.len() + chunk.len() > self.max_body {
                return Err(self.too_large());
            }
            body.extend_from_slice(&chunk);
        }
        let r = Response {
            status,
            headers,
            body,
        };
        self.note_rate(&r);
        Ok(r)
    }

    fn too_large(&self) -> ConnectorError {
        ConnectorError::Malformed(format!(
            "response larger than {} bytes; not read",
            self.max_body
        ))
    }

    fn net_error(&self, e: reqwest::Error) -> ConnectorError {
        let what = if e.is_timeout() {
            "timed out".to_string()
        } else if e.is_connect() {
            return ConnectorError::Unreachable(self.redact("could not connect"));
        } else {
            e.without_url().to_string()
        };
        ConnectorError::Network(self.redact(&what))
    }

    /// Records the platform's rate-limit headers.
    fn note_rate(&self, r: &Response) {
        let num = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| r.header(n).and_then(|v| v.trim().parse::<u64>().ok()))
        };
        let limit = num(&["x-ratelimit-limit", "ratelimit-limit"]);
        let remaining = num(&["x-ratelimit-remaining", "ratelimit-remaining"]);
        let reset = ["x-ratelimit-reset", "ratelimit-reset"]
            .iter()
            .find_map(|n| r.header(n))
            .and_then(|v| parse_reset(v, server_skew_ms(r)));
        let explicit = explicit_retry_after(r).is_some();
        if limit.is_none() && remaining.is_none() && reset.is_none() && !explicit {
            if let Ok(mut rate) = self.rate.lock() {
                rate.explicit_wait = false;
            }
            return;
        }
        if let Ok(mut rate) = self.rate.lock() {
            if limit.is_some() || remaining.is_some() || reset.is_some() {
                rate.limit = limit.or(rate.limit);
                rate.remaining = remaining;
                rate.reset_at = reset;
            }
            rate.explicit_wait = explicit;
        }
    }

    fn block_until(&self, wait: Duration) {
        if let Ok(mut rate) = self.rate.lock() {
            rate.blocked_until = Some(Timestamp(Timestamp::now().0 + wait.as_millis() as i64));
        }
    }

    /// Before a request: when the window is used up (remaining 0 until reset) or a 429 asked us
    /// to wait, sleep if the wait is short, else fail fast with `RateLimited`.
    async fn wait_for_window(&self) -> Result<()> {
        let until = {
            let rate = self.rate.lock().map(|r| r.clone()).unwrap_or_default();
            let exhausted = match (rate.remaining, rate.reset_at) {
                (Some(0), Some(reset)) if !rate.explicit_wait => Some(reset),
                _ => None,
            };
            exhausted.max(rate.blocked_until)
        };
        let Some(until) = until else { return Ok(()) };
        let ms = until.0 - Timestamp::now().0;
        if ms <= 0 {
            return Ok(());
        }
        let wait = Duration::from_millis(ms as u64);
        if wait > self.policy.max_wait {
            return Err(ConnectorError::RateLimited { wait });
        }
        tokio::time::sleep(wait).await;
        Ok(())
    }
}

pub fn redact_with(secrets: &[String], s: &str) -> String {
    let mut out = s.to_string();
    for secret in secrets {
        if secret.len() >= 4 && out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), "•••");
        }
    }
    out
}

/// Server clock minus ours, from the `Date` header (0 when absent).
fn server_skew_ms(r: &Response) -> i64 {
    r.header("date")
        .and_then(|d| httpdate::parse_http_date(d).ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_millis() as i64 - Timestamp::now().0)
        .unwrap_or(0)
}

/// A rate-limit reset: ISO 8601 (Mastodon), epoch seconds (Bluesky, some forks) or seconds from
/// now (small integers). Server times are moved to our clock with `skew_ms`.
pub fn parse_reset(v: &str, skew_ms: i64) -> Option<Timestamp> {
    let v = v.trim();
    if let Ok(n) = v.parse::<i64>() {
        return Some(if n > 1_000_000_000 {
            Timestamp(n * 1000 - skew_ms)
        } else {
            Timestamp(Timestamp::now().0 + n * 1000)
        });
    }
    if let Ok(f) = v.parse::<f64>() {
        return Some(Timestamp(Timestamp::now().0 + (f * 1000.0) as i64));
    }
    chrono::DateTime::parse_from_rfc3339(v)
        .ok()
        .map(|dt| Timestamp(dt.timestamp_millis() - skew_ms))
}

/// How long a 429 asks us to wait: its explicit wait (`explicit_retry_after`), which wins, or
/// else the rate-limit reset header.
pub fn retry_after(r: &Response) -> Option<Duration> {
    if let Some(wait) = explicit_retry_after(r) {
        return Some(wait);
    }
    ["x-ratelimit-reset", "ratelimit-reset"]
        .iter()
        .find_map(|n| r.header(n))
        .and_then(|v| parse_reset(v, server_skew_ms(r)))
        .map(|t| Duration::from_millis((t.0 - Timestamp::now().0).max(0) as u64))
}

/// The wait a response names itself: `Retry-After` (seconds or an HTTP date) or Telegram's
/// `parameters.retry_after`.
pub fn explicit_retry_after(r: &Response) -> Option<Duration> {
    if let Some(v) = r.header("retry-after") {
        let v = v.trim();
        if let Ok(secs) = v.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        if let Ok(at) = httpdate::parse_http_date(v) {
            let skew = server_skew_ms(r);
            let at_ms = at
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0)
                - skew;
            return Some(Duration::from_millis(
                (at_ms - Timestamp::now().0).max(0) as u64
            ));
        }
    }
    if r.status != 429 || !r.body.starts_with(b"{") {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_default();
    v.pointer("/parameters/retry_after")
        .and_then(|x| x.as_u64())
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_get_time_for_their_bytes_on_a_slow_uplink() {
        let http = Http::new(Timeouts::default(), Vec::new()).expect("client");
        assert_eq!(http.upload_timeout(0), Duration::from_secs(30));
        // 16 MB at 50 kB/s: 320 s more than the usual 30.
        assert_eq!(
            http.upload_timeout(16_000_000),
            Duration::from_secs(30 + 320)
        );
    }

    #[test]
    fn resets_parse_in_every_form() {
        let now = Timestamp::now().0;
        let iso = parse_reset("2030-01-01T00:00:00.000Z", 0).unwrap();
        assert_eq!(iso.0, 1_893_456_000_000);
        let epoch = parse_reset("1893456000", 0).unwrap();
        assert_eq!(epoch.0, 1_893_456_000_000);
        let skewed = parse_reset("1893456000", 5_000).unwrap();
        assert_eq!(skewed.0, 1_893_455_995_000);
        let delta = parse_reset("60", 0).unwrap();
        assert!((delta.0 - now - 60_000).abs() < 2_000);
        assert_eq!(parse_reset("soon", 0), None);
    }

    #[test]
    fn redaction_removes_every_secret() {
        let s = redact_with(
            &["123456:ABC-token".to_string(), "abc".to_string()],
            "GET https://api.telegram.org/bot123456:ABC-token/getMe failed: abc",
        );
        assert_eq!(
            s, "GET https://api.telegram.org/bot•••/getMe failed: abc",
            "short strings are not treated as secrets"
        );
    }
}
