//! The scheduler: publishes each post once, on time, on every target account (DESIGN §5).
//!
//! One loop reads the first key of the outbox index and sleeps until it (no polling; a change
//! wakes it, and it re-checks at least every minute so a wall-clock jump or a suspended machine
//! is noticed). Each target moves Scheduled → Sending (flushed before any byte leaves) →
//! Sent | RetryWait | Unknown | Failed. A target found in Sending at start-up, or whose send
//! timed out after leaving, is Unknown until resolved: by the platform's idempotency key where
//! it honours one, by finding the post among the account's own posts, or by a person.

use super::api::Event;
use super::{Engine, EngineError};
use crate::connectors::{Connector, ConnectorError, Lookup, Outgoing, Sent};
use crate::domain::post::{idempotency_key, Post, PostId, SentPart, Target, TargetState};
use crate::domain::{Platform, Timestamp};
use crate::i18n::{ph, Phrase};
use crate::store::PostRefusal;
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
/// Mastodon remembers an `Idempotency-Key` for an hour; after this a resend could double.
const MASTODON_KEY_LIFE_MS: i64 = 55 * 60_000;
/// A post must be at least this far ahead for Mastodon's own scheduler.
pub(super) const NATIVE_MIN_AHEAD_MS: i64 = 5 * 60_000 + 30_000;
/// How far back `lookup` searches before the first attempt (clock skew between us and them).
const LOOKUP_MARGIN_MS: i64 = 10 * 60_000;

/// What a failed send means for the post.
enum Outcome {
    /// The platform definitely did not take it; try again after `wait` (None: backoff).
    NotTaken(Option<Duration>),
    /// Refused for good: a person must change something.
    Refused,
    /// It may have gone out.
    Maybe,
}

fn classify(e: &ConnectorError) -> Outcome {
    match e {
        ConnectorError::RateLimited { wait } => Outcome::NotTaken(Some(*wait)),
        // Nothing left this machine.
        ConnectorError::Unreachable(_) => Outcome::NotTaken(None),
        ConnectorError::Refused(_)
        | ConnectorError::Unsupported(_)
        | ConnectorError::Auth(_)
        | ConnectorError::Secret(_) => Outcome::Refused,
        // A timeout or a dropped connection after the request left, or an answer we could not
        // read: the platform may have published it.
        ConnectorError::Network(_) | ConnectorError::Malformed(_) => Outcome::Maybe,
    }
}

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
        let limit = self.account_limit(&target.account, target.platform);
        if target.split && crate::text::count::over_limit(text, caps.count_rule, limit).is_some() {
            crate::text::split::split_thread(text, caps.count_rule, limit, true)
        } else {
            vec![text.to_string()]
        }
    }

    pub(super) fn account_limit(&self, account: &str, platform: Platform) -> usize {
        self.accounts_lock()
            .runtime
            .get(account)
            .and_then(|r| r.text_limit)
            .unwrap_or(platform.capabilities().text_limit)
    }

    /// Moves one target with `f` (None: leave it) and logs why. Returns the stored post.
    fn transition(
        &self,
        id: PostId,
        account: &str,
        now: Timestamp,
        what: &str,
        detail: &str,
        f: impl FnOnce(&Target) -> Option<TargetState>,
    ) -> Option<Post> {
        let engine = &self.operator;
        let out = self.store.edit_post(
            id,
            None,
            None,
            engine,
            now,
            Box::new(|p: &mut Post| {
                let t = p.target_mut(account).ok_or(PostRefusal::NotFound)?;
                let next = f(t).ok_or(PostRefusal::Invalid(Phrase::raw("")))?;
                t.state = next;
                p.log(now, account, what, detail);
                Ok(())
            }),
        );
        match out {
            Ok(Ok(p)) => {
                self.emit(Event::PostChanged(id));
                Some(p)
            }
            Ok(Err(_)) => None,
            Err(e) => {
                tracing::error!("outbox write failed for {id}: {e}");
                None
            }
        }
    }

    /// Like `transition`, with access to the whole target (parts sent so far).
    fn transition_target(
        &self,
        id: PostId,
        account: &str,
        now: Timestamp,
        what: &str,
        detail: &str,
        f: impl FnOnce(&mut Target) -> bool,
    ) -> Option<Post> {
        let out = self.store.edit_post(
            id,
            None,
            None,
            &self.operator,
            now,
            Box::new(|p: &mut Post| {
                let t = p.target_mut(account).ok_or(PostRefusal::NotFound)?;
                if !f(t) {
                    return Err(PostRefusal::Invalid(Phrase::raw("")));
                }
                p.log(now, account, what, detail);
                Ok(())
            }),
        );
        match out {
            Ok(Ok(p)) => {
                self.emit(Event::PostChanged(id));
                Some(p)
            }
            Ok(Err(_)) => None,
            Err(e) => {
                tracing::error!("outbox write failed for {id}: {e}");
                None
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let s = self.outbox_settings();
        let exp = s
            .backoff_ms
            .saturating_mul(1i64 << attempt.saturating_sub(1).min(20))
            .min(s.max_backoff_ms)
            .max(1);
        // Full jitter keeps many accounts from retrying in step.
        let ms = rand::Rng::gen_range(&mut rand::thread_rng(), exp / 2..=exp);
        Duration::from_millis(ms as u64)
    }

    /// Sends what is left of one target, part by part. Only one send per target runs at once.
    async fn send_target(self: &Arc<Self>, id: PostId, account: &str) {
        let key = (id, account.to_string());
        if !self.outbox_inflight_lock().insert(key.clone()) {
            return;
        }
        self.send_target_inner(id, account).await;
        self.outbox_inflight_lock().remove(&key);
    }

    fn outbox_inflight_lock(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashSet<(PostId, String)>> {
        self.outbox_inflight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    async fn send_target_inner(self: &Arc<Self>, id: PostId, account: &str) {
        let connector = match self.publisher(account) {
            Ok(c) => c,
            Err(e) => {
                let now = self.now();
                let reason = e.to_string();
                self.transition(id, account, now, "failed", &reason, |_| {
                    Some(TargetState::Failed {
                        reason: reason.clone(),
                    })
                });
                return;
            }
        };
        loop {
            let Ok(Some(post)) = self.store.post(id) else {
                return;
            };
            let Some(target) = post.target(account).cloned() else {
                return;
            };
            let attempt = match target.state {
                TargetState::Scheduled => 1,
                TargetState::RetryWait { attempt, .. } => attempt + 1,
                _ => return,
            };
            let parts = self.parts(&post, &target);
            let part = target.parts.len() as u32;
            let Some(text) = parts.get(part as usize).cloned() else {
                return;
            };
            let now = self.now();
            let out = Outgoing {
                text,
                idempotency_key: idempotency_key(id, account, part),
                reply_to: target.parts.last().map(|p| Sent {
                    native_id: p.native_id.clone(),
                    url: p.url.clone(),
                }),
                native_at: if target.native { post.due_at } else { None },
            };
            let detail = ph(
                "post.log_sending",
                &[
                    ("attempt", &attempt),
                    ("part", &(part + 1)),
                    ("parts", &parts.len()),
                    ("key", &out.idempotency_key),
                ],
            )
            .to_stored();
            // Durable before any byte leaves: a crash from here on is "maybe sent".
            let first = target.first_try.unwrap_or(now);
            let Some(_) = self.transition_target(id, account, now, "sending", &detail, |t| {
                if !matches!(
                    t.state,
                    TargetState::Scheduled | TargetState::RetryWait { .. }
                ) {
                    return false;
                }
                t.state = TargetState::Sending {
                    attempt,
                    part,
                    at: now,
                };
                t.first_try = Some(first);
                true
            }) else {
                return;
            };
            let result = connector.publish(&out).await;
            let now = self.now();
            match result {
                Ok(sent) => {
                    if !self.part_out(id, account, &out, sent, parts.len(), now) {
                        return;
                    }
                }
                Err(e) => {
                    let msg = super::sync::describe(account, &e);
                    match classify(&e) {
                        Outcome::NotTaken(wait) => {
                            self.retry_later(id, account, attempt, wait, &msg, now);
                        }
                        Outcome::Refused => {
                            let reason = msg.to_stored();
                            self.transition(id, account, now, "failed", &reason, |_| {
                                Some(TargetState::Failed {
                                    reason: reason.clone(),
                                })
                            });
                        }
                        Outcome::Maybe => {
                            let evidence = ph("post.maybe_sent", &[])
                                .with("error", msg.clone())
                                .to_stored();
                            self.transition(id, account, now, "unknown", &evidence, |_| {
                                Some(TargetState::Unknown {
                                    evidence: evidence.clone(),
                                })
                            });
                            self.resolve_with(id, account, &connector).await;
                        }
                    }
                    return;
                }
            }
        }
    }

    /// Records a part that went out. True when more parts remain to send now.
    fn part_out(
        &self,
        id: PostId,
        account: &str,
        out: &Outgoing,
        sent: Sent,
        parts: usize,
        now: Timestamp,
    ) -> bool {
        let native = out.native_at.is_some();
        let detail = sent.url.clone().unwrap_or_else(|| sent.native_id.clone());
        let what = if native { "native_scheduled" } else { "sent" };
        let moved = self.transition_target(id, account, now, what, &detail, |t| {
            t.parts.push(SentPart {
                native_id: sent.native_id.clone(),
                url: sent.url.clone(),
            });
            t.first_try = None;
            let attempt = match t.state {
                TargetState::Sending { attempt, .. } | TargetState::RetryWait { attempt, .. } => {
                    attempt
                }
                _ => 0,
            };
            t.state = if native {
                TargetState::NativeScheduled {
                    remote_id: sent.native_id.clone(),
                }
            } else if t.parts.len() >= parts {
                TargetState::Sent {
                    url: t.parts.first().and_then(|p| p.url.clone()),
                    at: now,
                }
            } else {
                // The next part goes now; the attempt count starts again for it.
                let _ = attempt;
                TargetState::RetryWait {
                    next_at: now,
                    attempt: 0,
                }
            };
            true
        });
        moved.is_some_and(|p| {
            p.target(account)
                .is_some_and(|t| matches!(t.state, TargetState::RetryWait { .. }))
        })
    }

    fn retry_later(
        &self,
        id: PostId,
        account: &str,
        attempt: u32,
        wait: Option<Duration>,
        why: &Phrase,
        now: Timestamp,
    ) {
        let max = self.outbox_settings().max_attempts;
        if attempt >= max {
            let reason = ph("post.gave_up", &[("attempts", &attempt)])
                .with("error", why.clone())
                .to_stored();
            self.transition(id, account, now, "failed", &reason, |_| {
                Some(TargetState::Failed {
                    reason: reason.clone(),
                })
            });
            return;
        }
        let wait = wait.unwrap_or_else(|| self.backoff(attempt));
        let next_at = Timestamp(now.0 + wait.as_millis() as i64);
        let detail = ph("post.log_retry", &[("at", &next_at.to_rfc3339())])
            .with("error", why.clone())
            .to_stored();
        self.transition(id, account, now, "retry", &detail, |_| {
            Some(TargetState::RetryWait { next_at, attempt })
        });
        self.outbox_wake.notify_one();
    }

    /// Settles a target whose fate is unknown, when it can be settled without a person.
    pub(super) async fn resolve(self: &Arc<Self>, id: PostId, account: &str) {
        match self.publisher(account) {
            Ok(c) => self.resolve_with(id, account, &c).await,
            Err(e) => tracing::warn!("cannot resolve {id} on {account}: {e}"),
        }
    }

    async fn resolve_with(self: &Arc<Self>, id: PostId, account: &str, c: &Arc<dyn Connector>) {
        let Ok(Some(post)) = self.store.post(id) else {
            return;
        };
        let Some(target) = post.target(account).cloned() else {
            return;
        };
        if !matches!(target.state, TargetState::Unknown { .. }) {
            return;
        }
        let parts = self.parts(&post, &target);
        let part = target.parts.len() as u32;
        let Some(text) = parts.get(part as usize).cloned() else {
            return;
        };
        let attempt = last_attempt(&post, account);
        let out = Outgoing {
            text,
            idempotency_key: idempotency_key(id, account, part),
            reply_to: target.parts.last().map(|p| Sent {
                native_id: p.native_id.clone(),
                url: p.url.clone(),
            }),
            native_at: if target.native { post.due_at } else { None },
        };
        let first = target.first_try.unwrap_or(post.created_at);
        let since = Timestamp(first.0 - LOOKUP_MARGIN_MS);
        let found = c.lookup(&out, since).await;
        let now = self.now();
        let resend_safe = match target.platform {
            Platform::Bluesky | Platform::File => true,
            Platform::Mastodon => now.0 - first.0 < MASTODON_KEY_LIFE_MS,
            _ => false,
        } || Arc::ptr_eq(c, &self.demo);
        match found {
            Ok(Lookup::Found(sent)) => {
                if self.part_out(id, account, &out, sent, parts.len(), now) {
                    self.outbox_wake.notify_one();
                }
            }
            Ok(Lookup::Absent) => {
                let why = ph("post.not_found_remote", &[]);
                self.retry_later(id, account, attempt, None, &why, now);
            }
            Ok(Lookup::Unknowable) if resend_safe => {
                let why = ph("post.resend_same_key", &[]);
                self.retry_later(id, account, attempt, Some(Duration::ZERO), &why, now);
            }
            Ok(Lookup::Unknowable) => {
                let detail = ph("post.held", &[]).to_stored();
                self.transition_target(id, account, now, "held", &detail, |t| {
                    matches!(t.state, TargetState::Unknown { .. })
                });
            }
            Err(e) if resend_safe => {
                let why = super::sync::describe(account, &e);
                self.retry_later(id, account, attempt, None, &why, now);
            }
            Err(e) => {
                let detail = ph("post.lookup_failed", &[])
                    .with("error", super::sync::describe(account, &e))
                    .to_stored();
                self.transition_target(id, account, now, "held", &detail, |t| {
                    matches!(t.state, TargetState::Unknown { .. })
                });
            }
        }
    }
}

/// The attempt number of the newest send of `account` (from the state or the log).
pub(super) fn last_attempt(post: &Post, account: &str) -> u32 {
    post.log
        .iter()
        .filter(|a| a.account == account && a.what == "sending")
        .count() as u32
}
