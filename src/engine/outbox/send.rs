//! Sending one target: part by part, each marked Sending and flushed before it leaves, and what
//! a failed send means (not taken: retry; refused: failed; maybe out: unknown, then resolved).

use crate::connectors::{Connector, ConnectorError, Outgoing, Sent};
use crate::domain::post::{idempotency_key, Post, PostId, Target, TargetState};
use crate::domain::Timestamp;
use crate::engine::sync::describe;
use crate::engine::Engine;
use crate::i18n::ph;
use std::sync::Arc;
use std::time::Duration;

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
        | ConnectorError::Captcha { .. }
        | ConnectorError::Secret(_) => Outcome::Refused,
        // A timeout or a dropped connection after the request left, or an answer we could not
        // read: the platform may have published it.
        ConnectorError::Network(_) | ConnectorError::Malformed(_) => Outcome::Maybe,
    }
}
impl Engine {
    /// Sends what is left of one target, part by part. Only one send per target runs at once.
    pub(super) async fn send_target(self: &Arc<Self>, id: PostId, account: &str) {
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
            let mut out = outgoing(id, &post, &target, part, text);
            if part == 0 && !post.media.is_empty() {
                match self
                    .with_pictures(&mut out, id, account, attempt, &connector)
                    .await
                {
                    Some(true) => continue,
                    Some(false) => {}
                    None => return,
                }
            }
            if !self.mark_sending(id, &target, attempt, parts.len(), &out) {
                return;
            }
            let result = connector.publish(&out).await;
            let now = self.now();
            match result {
                Ok(sent) => {
                    if !self.part_out(id, account, &out, sent, parts.len(), now) {
                        return;
                    }
                }
                Err(e) => {
                    self.send_failed(id, account, attempt, &e, &connector, now)
                        .await;
                    return;
                }
            }
        }
    }

    /// Puts the post's pictures on the first part, uploading first what the network wants up
    /// ahead. `Some(true)`: uploads were kept, read the post again; `Some(false)`: `out` has
    /// them; `None`: the target moved on (retry later or failed).
    async fn with_pictures(
        self: &Arc<Self>,
        out: &mut Outgoing,
        id: PostId,
        account: &str,
        attempt: u32,
        connector: &Arc<dyn Connector>,
    ) -> Option<bool> {
        let Ok(Some(post)) = self.store.post(id) else {
            return None;
        };
        let local = |e: crate::i18n::Phrase| {
            let now = self.now();
            let reason = e.to_stored();
            self.transition(id, account, now, "failed", &reason, |_| {
                Some(TargetState::Failed {
                    reason: reason.clone(),
                })
            });
            None
        };
        let pictures = match self.pictures(&post, account) {
            Ok(p) => p,
            Err(e) => return local(e),
        };
        if connector.uploads_first() && pictures.iter().any(|p| p.handle.is_none()) {
            return match self.upload_missing(id, account, connector).await {
                Ok(()) => Some(true),
                Err(crate::engine::media::UploadError::Local(e)) => local(e),
                Err(crate::engine::media::UploadError::Remote(e)) => {
                    let now = self.now();
                    self.saw_error(account, &e);
                    let msg = describe(account, &e);
                    match classify(&e) {
                        // An upload that may have gone through is only an orphan picture.
                        Outcome::NotTaken(wait) => {
                            self.retry_later(id, account, attempt, wait, &msg, now)
                        }
                        Outcome::Maybe => self.retry_later(id, account, attempt, None, &msg, now),
                        Outcome::Refused => {
                            let reason = msg.to_stored();
                            self.transition(id, account, now, "failed", &reason, |_| {
                                Some(TargetState::Failed {
                                    reason: reason.clone(),
                                })
                            });
                        }
                    }
                    None
                }
            };
        }
        out.media = pictures;
        Some(false)
    }

    /// Marks the target Sending, durably, before any byte leaves: a crash from here on is
    /// "maybe sent". False when the target moved on meanwhile.
    fn mark_sending(
        &self,
        id: PostId,
        target: &Target,
        attempt: u32,
        parts: usize,
        out: &Outgoing,
    ) -> bool {
        let part = target.parts.len() as u32;
        let now = self.now();
        let detail = ph(
            "post.log_sending",
            &[
                ("attempt", &attempt),
                ("part", &(part + 1)),
                ("parts", &parts),
                ("key", &out.idempotency_key),
            ],
        )
        .to_stored();
        let first = target.first_try.unwrap_or(now);
        let moved = self.transition_target(id, &target.account, now, "sending", &detail, |t| {
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
        });
        moved.is_some()
    }

    /// What a failed send leaves behind: a retry, a failure, or an unknown fate to resolve.
    async fn send_failed(
        self: &Arc<Self>,
        id: PostId,
        account: &str,
        attempt: u32,
        e: &ConnectorError,
        connector: &Arc<dyn Connector>,
        now: Timestamp,
    ) {
        self.saw_error(account, e);
        let msg = describe(account, e);
        match classify(e) {
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
                self.resolve_with(id, account, connector).await;
            }
        }
    }
}

/// Part `part` of a target as it goes to the platform: its idempotency key, the part it answers
/// (a thread), and the time when the platform holds it.
pub(super) fn outgoing(
    id: PostId,
    post: &Post,
    target: &Target,
    part: u32,
    text: String,
) -> Outgoing {
    Outgoing {
        text,
        idempotency_key: idempotency_key(id, &target.account, part),
        reply_to: target.parts.last().map(|p| Sent {
            native_id: p.native_id.clone(),
            url: p.url.clone(),
        }),
        native_at: if target.native { post.due_at } else { None },
        media: Vec::new(),
    }
}
