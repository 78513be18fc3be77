//! Moving one target of a post between states: each move is one store edit that logs why on the
//! post and tells every front end; retries wait with jittered exponential backoff.

use crate::connectors::{Outgoing, Sent};
use crate::domain::post::{Post, PostId, SentPart, Target, TargetState};
use crate::domain::Timestamp;
use crate::engine::api::Event;
use crate::engine::Engine;
use crate::i18n::{ph, Phrase};
use crate::store::PostRefusal;
use std::time::Duration;

impl Engine {
    /// Moves one target with `f` (None: leave it) and logs why. Returns the stored post.
    pub(super) fn transition(
        &self,
        id: PostId,
        account: &str,
        now: Timestamp,
        what: &str,
        detail: &str,
        f: impl FnOnce(&Target) -> Option<TargetState>,
    ) -> Option<Post> {
        self.transition_target(id, account, now, what, detail, |t| match f(t) {
            Some(next) => {
                t.state = next;
                true
            }
            None => false,
        })
    }

    /// Like `transition`, with access to the whole target (parts sent so far): `f` changes it
    /// and says whether it did.
    pub(super) fn transition_target(
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

    /// Records a part that went out. True when more parts remain to send now.
    pub(super) fn part_out(
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

    pub(super) fn retry_later(
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
}
