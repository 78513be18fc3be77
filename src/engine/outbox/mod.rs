//! The scheduler: publishes each post once, on time, on every target account (DESIGN §5).
//!
//! One loop reads the first key of the outbox index and sleeps until it (no polling; a change
//! wakes it, and it re-checks at least every minute so a wall-clock jump or a suspended machine
//! is noticed). Each target moves Scheduled → Sending (flushed before any byte leaves) →
//! Sent | RetryWait | Unknown | Failed. A target found in Sending at start-up, or whose send
//! timed out after leaving, is Unknown until resolved: by the platform's idempotency key where
//! it honours one, by finding the post among the account's own posts, or by a person.
//!
//! Here: the settings, the loop and what is due. `send.rs` sends one target, `transition.rs`
//! moves a target's state, `resolve.rs` settles an unknown fate.

mod resolve;
mod send;
mod transition;

use super::{Engine, EngineError};
use crate::connectors::Connector;
use crate::domain::post::{Post, PostId, Target, TargetState};
use crate::domain::{Platform, Timestamp};
use crate::i18n::ph;
use std::sync::Arc;
use std::time::Duration;

pub use super::clock::{SystemClock, TokioClock, WallClock};

/// Outbox settings from `[schedule]` in config.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxSettings {
    /// A post found later than this is held for confirmation instead of sent.
    pub late_limit_ms: i64,
    /// Sends that the platform definitely refused for a passing reason, before giving up.
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt (with jitter), capped at `max_backoff_ms`.
    pub backoff_ms: i64,
    pub max_backoff_ms: i64,
    /// Queue slots as minutes after local midnight, per account ("" = every other account).
    pub slots: std::collections::BTreeMap<String, Vec<chrono::NaiveTime>>,
    pub zone: crate::domain::when::Zone,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        OutboxSettings {
            late_limit_ms: 60 * 60_000,
            max_attempts: 8,
            backoff_ms: 30_000,
            max_backoff_ms: 30 * 60_000,
            slots: Default::default(),
            zone: crate::domain::when::Zone::UTC,
        }
    }
}

/// The outbox re-checks at least this often, so clock jumps and suspends are noticed.
const MAX_SLEEP: Duration = Duration::from_secs(60);
/// A post must be at least this far ahead for Mastodon's own scheduler.
pub(super) const NATIVE_MIN_AHEAD_MS: i64 = 5 * 60_000 + 30_000;

impl Engine {
    pub fn set_outbox(&self, s: OutboxSettings) {
        *self.outbox.write().unwrap_or_else(|p| p.into_inner()) = s;
        self.outbox_wake.notify_one();
    }

    pub(super) fn outbox_settings(&self) -> OutboxSettings {
        self.outbox
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Sends for `account` through `c` instead of the connector its configuration would build
    /// (embedding kith, and tests that script a platform's answers).
    pub fn use_connector(&self, account: &str, c: Arc<dyn Connector>) {
        self.accounts_lock()
            .connectors
            .insert(account.to_string(), c);
    }

    /// Times the outbox loop has woken up (to prove that waiting posts cost nothing).
    pub fn outbox_wakeups(&self) -> u64 {
        self.outbox_wakeups
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Uses `clock` for every scheduling decision (tests).
    pub fn set_clock(&self, clock: Arc<dyn WallClock>) {
        *self.clock.write().unwrap_or_else(|p| p.into_inner()) = clock;
        self.outbox_wake.notify_one();
    }

    pub fn now(&self) -> Timestamp {
        self.clock.read().unwrap_or_else(|p| p.into_inner()).now()
    }

    /// Starts publishing due posts (the engine process and `--no-daemon` front ends; one-shot
    /// commands never publish in the background).
    pub fn start_outbox(self: &Arc<Self>) {
        let me = Arc::clone(self);
        tokio::spawn(async move {
            me.resume_outbox().await;
            me.outbox_loop().await
        });
    }

    /// Targets a previous run left in Sending: their fate is unknown until resolved.
    async fn resume_outbox(self: &Arc<Self>) {
        let store = self.store.clone();
        let ids = match tokio::task::spawn_blocking(move || store.attention_posts()).await {
            Ok(Ok(ids)) => ids,
            Ok(Err(e)) => {
                tracing::error!("reading the outbox failed: {e}");
                return;
            }
            Err(_) => return,
        };
        for id in ids {
            let Ok(Some(post)) = self.store.post(id) else {
                continue;
            };
            for target in &post.targets {
                if let TargetState::Sending { attempt, part, at } = target.state {
                    let evidence = ph(
                        "post.stopped_mid_send",
                        &[
                            ("attempt", &attempt),
                            ("part", &(part + 1)),
                            ("at", &at.to_rfc3339()),
                        ],
                    )
                    .to_stored();
                    let now = self.now();
                    let account = target.account.clone();
                    let moved = self.transition(id, &account, now, "unknown", &evidence, |t| {
                        matches!(t.state, TargetState::Sending { .. }).then_some(
                            TargetState::Unknown {
                                evidence: evidence.clone(),
                            },
                        )
                    });
                    if moved.is_some() {
                        self.resolve(id, &account).await;
                    }
                }
            }
        }
    }

    async fn outbox_loop(self: Arc<Self>) {
        loop {
            self.outbox_wakeups
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let now = self.now();
            let store = self.store.clone();
            let due = tokio::task::spawn_blocking(move || store.due_posts(now)).await;
            let next = match due {
                Ok(Ok((ids, next))) => {
                    for id in ids {
                        self.run_post(id).await;
                    }
                    next
                }
                Ok(Err(e)) => {
                    tracing::error!("reading the outbox failed: {e}");
                    Some(Timestamp(now.0 + 5_000))
                }
                Err(_) => return,
            };
            // Sends just made may have moved the next time; read it again before sleeping.
            let next = if next.is_some_and(|t| t <= self.now()) {
                continue;
            } else {
                next
            };
            let wait = next
                .map(|t| Duration::from_millis((t.0 - self.now().0).max(0) as u64))
                .unwrap_or(MAX_SLEEP)
                .min(MAX_SLEEP);
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.outbox_wake.notified() => {}
            }
        }
    }

    /// Sends every target of `id` whose time has come.
    async fn run_post(self: &Arc<Self>, id: PostId) {
        let Ok(Some(post)) = self.store.post(id) else {
            return;
        };
        let now = self.now();
        let late_limit = self.outbox_settings().late_limit_ms;
        let mut sends = Vec::new();
        for target in &post.targets {
            match target.state {
                TargetState::Scheduled if target.native => {
                    sends.push(target.account.clone());
                }
                TargetState::Scheduled => {
                    let Some(due) = post.due_at.filter(|d| *d <= now) else {
                        continue;
                    };
                    if now.0 - due.0 > late_limit {
                        let detail = ph("post.late", &[("minutes", &((now.0 - due.0) / 60_000))])
                            .to_stored();
                        self.transition(id, &target.account, now, "late", &detail, |t| {
                            (t.state == TargetState::Scheduled)
                                .then_some(TargetState::Late { due_at: due })
                        });
                        continue;
                    }
                    sends.push(target.account.clone());
                }
                TargetState::RetryWait { next_at, .. } if next_at <= now => {
                    sends.push(target.account.clone());
                }
                _ => {}
            }
        }
        let runs = sends.iter().map(|a| self.send_target(id, a));
        futures::future::join_all(runs).await;
    }

    /// The connector that publishes for an account: the demo one or the account's own.
    pub(super) fn publisher(&self, account: &str) -> Result<Arc<dyn Connector>, EngineError> {
        let demo = self
            .store
            .accounts()?
            .into_iter()
            .any(|a| a.name == account && a.demo);
        if demo {
            return Ok(Arc::clone(&self.demo));
        }
        self.connector(account)
    }

    /// The parts a target goes out as: the whole text, or a thread when it is over the limit and
    /// the operator allowed splitting.
    fn parts(&self, post: &Post, target: &Target) -> Vec<String> {
        let text = post.text_for(target);
        let caps = target.platform.capabilities();
        let limit = self.post_limit(&target.account, target.platform, !post.media.is_empty());
        if target.split && crate::text::count::over_limit(text, caps.count_rule, limit).is_some() {
            crate::text::split::split_thread(text, caps.count_rule, limit, true)
        } else {
            vec![text.to_string()]
        }
    }

    /// The text limit of a post on `account`: a caption's where pictures make the text one
    /// (Telegram), else the account's own.
    pub(crate) fn post_limit(&self, account: &str, platform: Platform, pictures: bool) -> usize {
        let limit = self.account_limit(account, platform);
        match crate::domain::media::MediaLimits::of(platform).and_then(|l| l.caption_limit) {
            Some(caption) if pictures => limit.min(caption),
            _ => limit,
        }
    }

    pub(super) fn account_limit(&self, account: &str, platform: Platform) -> usize {
        self.accounts_lock()
            .runtime
            .get(account)
            .and_then(|r| r.text_limit)
            .unwrap_or(platform.capabilities().text_limit)
    }
}
