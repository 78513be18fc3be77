//! Connectors as tests build them: an account on a local server, an HTTP client that retries
//! fast, and the connection context the engine builds its connectors from.

use kith::connectors::http::{Http, RetryPolicy, Timeouts};
use kith::connectors::secrets::SecretSource;
use kith::connectors::{AccountConfig, ConnectContext};
use kith::domain::{Platform, Timestamp};
use std::path::Path;
use std::time::Duration;

/// Three attempts, 10–50 ms apart; a `Retry-After` up to 5 s is waited out.
pub const THRICE: RetryPolicy = RetryPolicy {
    attempts: 3,
    base: Duration::from_millis(10),
    cap: Duration::from_millis(50),
    max_wait: Duration::from_secs(5),
};

/// Two attempts, 10–20 ms apart; a `Retry-After` up to 1 s is waited out.
pub const TWICE: RetryPolicy = RetryPolicy {
    attempts: 2,
    base: Duration::from_millis(10),
    cap: Duration::from_millis(20),
    max_wait: Duration::from_secs(1),
};

/// An account named `name` on `base_url`, its secret in an unused variable, nothing else set.
pub fn account(name: &str, platform: Platform, base_url: impl Into<String>) -> AccountConfig {
    AccountConfig {
        name: name.into(),
        platform,
        base_url: base_url.into(),
        secret: SecretSource::Env("UNUSED".into()),
        handle: None,
        chats: Vec::new(),
        interval_secs: 60,
        activity_items: false,
        group_id: None,
        user_secret: None,
        channel_id: None,
        auth_url: None,
        page_id: None,
        google_account: None,
        locations: Vec::new(),
        created_at: Timestamp(0),
        human_agent: false,
    }
}

/// Connect within 2 s, whole requests within `total`, bodies up to `max_body`.
pub fn timeouts(total: Duration, max_body: usize) -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(2),
        total,
        max_body,
    }
}

/// The client a connector gets: `secret` redacted from every message, bodies up to 1 MiB.
pub fn http(secret: &str, total: Duration, policy: RetryPolicy) -> Http {
    Http::new(timeouts(total, 1 << 20), vec![secret.to_string()])
        .expect("http")
        .with_policy(policy)
}

/// What the engine builds connectors with: secrets under `dir`, these timeouts and retries.
pub fn context(dir: &Path, timeouts: Timeouts, policy: RetryPolicy) -> ConnectContext {
    ConnectContext {
        data_dir: dir.to_path_buf(),
        timeouts,
        policy,
    }
}
