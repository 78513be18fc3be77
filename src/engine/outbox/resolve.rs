//! Settling a target whose fate is unknown (a crash or a timeout mid-send): found among the
//! account's posts, sent again under the same idempotency key where that is safe, or held for a
//! person.

use super::send::outgoing;
use crate::connectors::{Connector, Lookup};
use crate::domain::post::{Post, PostId, TargetState};
use crate::domain::{Platform, Timestamp};
use crate::engine::sync::describe;
use crate::engine::Engine;
use crate::i18n::ph;
use std::sync::Arc;
use std::time::Duration;

/// Mastodon remembers an `Idempotency-Key` for an hour; after this a resend could double.
const MASTODON_KEY_LIFE_MS: i64 = 55 * 60_000;
/// How far back `lookup` searches before the first attempt (clock skew between us and them).
const LOOKUP_MARGIN_MS: i64 = 10 * 60_000;

impl Engine {
    /// Settles a target whose fate is unknown, when it can be settled without a person.
    pub(super) async fn resolve(self: &Arc<Self>, id: PostId, account: &str) {
        match self.publisher(account) {
            Ok(c) => self.resolve_with(id, account, &c).await,
            Err(e) => tracing::warn!("cannot resolve {id} on {account}: {e}"),
        }
    }

    pub(super) async fn resolve_with(
        self: &Arc<Self>,
        id: PostId,
        account: &str,
        c: &Arc<dyn Connector>,
    ) {
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
        let mut out = outgoing(id, &post, &target, part, text);
        if part == 0 && !post.media.is_empty() {
            // The pictures' handles tell the post apart where its text does not (none at all).
            if let Ok(pictures) = self.pictures(&post, account) {
                out.media = pictures;
            }
        }
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
                let why = describe(account, &e);
                self.retry_later(id, account, attempt, None, &why, now);
            }
            Err(e) => {
                let detail = ph("post.lookup_failed", &[])
                    .with("error", describe(account, &e))
                    .to_stored();
                self.transition_target(id, account, now, "held", &detail, |t| {
                    matches!(t.state, TargetState::Unknown { .. })
                });
            }
        }
    }
}

/// The attempt number of the newest send of `account` (from the state or the log).
fn last_attempt(post: &Post, account: &str) -> u32 {
    post.log
        .iter()
        .filter(|a| a.account == account && a.what == "sending")
        .count() as u32
}
