//! Replies: checked and stored before anything is sent, then sent through the item's connector
//! with an idempotency key; a failed one retried, and one left unsent by a previous run resumed.

use super::api::{Event, Response};
use super::{joined, sync, Engine, EngineError};
use crate::connectors::Connector;
use crate::domain::messaging::{Delivery, PRIVATE_TAG};
use crate::domain::{Item, ItemId, Outgoing, Timestamp};
use crate::i18n::ph;
use crate::store::ReplyDraft;
use std::sync::Arc;

impl Engine {
    pub(super) fn reply(
        self: &Arc<Self>,
        op: &str,
        id: ItemId,
        text: String,
        if_version: Option<u64>,
        private: bool,
        now: Timestamp,
    ) -> Result<Response, EngineError> {
        use crate::store::ReplyOutcome;
        if text.trim().is_empty() {
            return Err(EngineError::Invalid(ph("err.reply_empty", &[])));
        }
        let item = self.store.get(id)?.ok_or(EngineError::NotFound(id))?;
        let caps = item.platform.capabilities();
        if let Some(why) = item.why_no_reply() {
            return Err(EngineError::Invalid(why));
        }
        // The engine's clock (the outbox's), which tests can set.
        let clock = self.now();
        if private {
            refuse_private(&item, clock)?;
        } else {
            let agent = self.human_agent(&item.account);
            if let Some(closed) = item.reply_window(agent).filter(|c| *c <= clock) {
                let hours = (clock.0 - closed.0) / 3_600_000;
                let (key, days) = match agent {
                    true => ("graph_msg.window_closed_agent", 7),
                    false => ("err.reply_window_closed", 1),
                };
                return Err(EngineError::Invalid(ph(
                    key,
                    &[
                        ("platform", &item.platform),
                        ("hours", &hours),
                        ("days", &days),
                    ],
                )));
            }
        }
        let connector = self.connector_for(&item)?;
        let limit = self.text_limit(&item);
        if let Some((n, limit, bytes)) = crate::text::over_limit(&text, caps.count_rule, limit) {
            if bytes {
                return Err(EngineError::Invalid(ph(
                    "err.reply_too_many_bytes",
                    &[("count", &n), ("limit", &limit)],
                )));
            }
            return Err(EngineError::Invalid(ph(
                "err.reply_too_long",
                &[
                    ("count", &n),
                    ("platform", &item.platform),
                    ("limit", &limit),
                ],
            )));
        }
        let awaiting = self.reply_needs_approval(op);
        let draft = ReplyDraft {
            text: text.clone(),
            operator: op.to_string(),
            if_version,
            private,
            awaiting,
        };
        match self.store.add_reply(id, &draft, now)? {
            ReplyOutcome::Stored { reply, item } if awaiting => {
                // Kept for an approver: nothing is sent (see `approvals.rs`).
                self.emit(Event::ItemsChanged(vec![id]));
                self.emit(Event::ReplyState {
                    item: id,
                    reply: reply.id,
                });
                Ok(Response::Replied { reply, item })
            }
            ReplyOutcome::Stored { reply, item } => {
                self.emit(Event::ItemsChanged(vec![id]));
                // Stored and flushed first; now the connector sends it.
                self.spawn_send(connector, (*item).clone(), (*reply).clone());
                Ok(Response::Replied { reply, item })
            }
            ReplyOutcome::Conflict(now_item) => {
                Err(self.conflict(id, if_version.unwrap_or(0), &now_item))
            }
            ReplyOutcome::AlreadyPrivate(_) => Err(EngineError::Invalid(ph(
                "graph_msg.private_once",
                &[("platform", &item.platform)],
            ))),
            ReplyOutcome::NotFound => Err(EngineError::NotFound(id)),
        }
    }

    /// Whether the account answers messages with Meta's Human Agent tag (7 days).
    pub(super) fn human_agent(&self, account: &str) -> bool {
        self.store
            .connection(account)
            .ok()
            .flatten()
            .is_some_and(|c| c.human_agent)
    }

    /// How a stored reply to `parent` goes out now: private when it was written so; a late
    /// DM with the Human Agent tag where the account has it.
    fn delivery(&self, parent: &Item, reply: &Item) -> Delivery {
        let private = reply.tags.iter().any(|t| t == PRIVATE_TAG);
        parent.delivery(private, self.human_agent(&parent.account), self.now())
    }

    /// Sends a reply that was stored but never confirmed, with its original idempotency key, so
    /// a platform that honours keys cannot post it twice.
    pub(super) fn resume_reply(self: &Arc<Self>, reply_id: ItemId) {
        let found = (|| -> Result<Option<(Item, Item)>, EngineError> {
            let Some(reply) = self.store.get(reply_id)? else {
                return Ok(None);
            };
            let Some(parent_native) = reply.parent_native_id.clone() else {
                return Ok(None);
            };
            let Some(pid) = self.store.id_by_native(&reply.account, &parent_native)? else {
                return Ok(None);
            };
            Ok(self.store.get(pid)?.map(|p| (p, reply)))
        })();
        match found {
            Ok(Some((parent, reply))) => match self.connector_for(&parent) {
                Ok(connector) => self.spawn_send(connector, parent, reply),
                Err(e) => tracing::warn!("reply {reply_id} cannot be resumed: {e}"),
            },
            Ok(None) => tracing::warn!("pending reply {reply_id} has no parent item"),
            Err(e) => tracing::error!("resuming reply {reply_id}: {e}"),
        }
    }

    /// Sends a failed reply again. The same idempotency key goes with it, so a platform that
    /// honours keys cannot post it twice even if the first attempt did reach it.
    pub(super) fn retry_reply(
        self: &Arc<Self>,
        op: &str,
        reply_id: ItemId,
        now: Timestamp,
    ) -> Result<Response, EngineError> {
        let reply = self
            .store
            .get(reply_id)?
            .ok_or(EngineError::NotFound(reply_id))?;
        if !matches!(reply.outgoing, Some(Outgoing::Failed { .. })) {
            return Err(EngineError::Invalid(ph(
                "err.not_failed",
                &[("id", &reply_id)],
            )));
        }
        let parent = reply
            .parent_native_id
            .as_deref()
            .and_then(|p| self.store.id_by_native(&reply.account, p).ok().flatten())
            .and_then(|pid| self.store.get(pid).ok().flatten())
            .ok_or(EngineError::NotFound(reply_id))?;
        let connector = self.connector_for(&parent)?;
        let sending = self
            .store
            .set_outgoing(reply_id, Outgoing::Sending, None, None, op, now)?
            .ok_or(EngineError::NotFound(reply_id))?;
        self.emit(Event::ReplyState {
            item: parent.id,
            reply: reply_id,
        });
        self.spawn_send(connector, parent.clone(), sending.clone());
        Ok(Response::Replied {
            reply: Box::new(sending),
            item: Box::new(parent),
        })
    }

    /// Sends a stored reply through its connector and records the outcome.
    pub(super) fn spawn_send(
        self: &Arc<Self>,
        connector: Arc<dyn Connector>,
        parent: Item,
        reply: Item,
    ) {
        {
            // Checked under the lock, against the stored state: a send that finished records
            // its verdict before leaving the set, so whoever comes second sees one or the other.
            let Ok(mut inflight) = self.inflight.lock() else {
                return;
            };
            let still_sending = matches!(
                self.store.get(reply.id),
                Ok(Some(Item {
                    outgoing: Some(Outgoing::Sending),
                    ..
                }))
            );
            if !still_sending || !inflight.insert(reply.id) {
                return;
            }
        }
        let me = Arc::clone(self);
        let how = self.delivery(&parent, &reply);
        tokio::spawn(async move {
            let result = connector
                .reply_with(&parent, &reply.text, &reply.native_id, how)
                .await;
            let (state, url, platform_id) = match result {
                Ok(sent) => (
                    Outgoing::Sent {
                        url: sent.url.clone(),
                    },
                    sent.url,
                    Some(sent.native_id),
                ),
                Err(e) => (
                    Outgoing::Failed {
                        reason: {
                            me.saw_error(&parent.account, &e);
                            sync::describe(&parent.account, &e).to_stored()
                        },
                    },
                    None,
                    None,
                ),
            };
            let store = Arc::clone(&me.store);
            let op = reply
                .operator
                .clone()
                .unwrap_or_else(|| me.operator.clone());
            let reply_id = reply.id;
            let done = tokio::task::spawn_blocking(move || {
                store.set_outgoing(
                    reply_id,
                    state,
                    url,
                    platform_id.as_deref(),
                    &op,
                    Timestamp::now(),
                )
            })
            .await;
            match done {
                Ok(Ok(_)) => me.emit(Event::ReplyState {
                    item: parent.id,
                    reply: reply_id,
                }),
                Ok(Err(e)) => tracing::error!("recording reply state failed: {e}"),
                Err(e) => joined::log_join_error("reply state task failed", &e),
            }
            if let Ok(mut s) = me.inflight.lock() {
                s.remove(&reply_id);
            }
        });
    }
}

/// A private reply goes only to a person's comment on Facebook or Instagram, within 7 days of
/// it, and only once (the store checks that again under its lock).
fn refuse_private(item: &Item, clock: Timestamp) -> Result<(), EngineError> {
    let Some(until) = item.private_reply_until() else {
        return Err(EngineError::Invalid(ph(
            "graph_msg.private_only",
            &[("platform", &item.platform)],
        )));
    };
    if until <= clock {
        let days = (clock.0 - item.created_at.0) / 86_400_000;
        return Err(EngineError::Invalid(ph(
            "graph_msg.private_too_late",
            &[("days", &days)],
        )));
    }
    if item.private_replied() {
        return Err(EngineError::Invalid(ph(
            "graph_msg.private_once",
            &[("platform", &item.platform)],
        )));
    }
    Ok(())
}
