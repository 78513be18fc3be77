//! An item's life on its platform after it arrived: its thread fetched again when opened, and
//! likes and moderation sent through the platform with their pending marks (resumed after a
//! crash).

use super::api::{Event, Response};
use super::sync::{describe, remote};
use super::{Engine, EngineError};
use crate::connectors::RemoteAction;
use crate::domain::bulk::{BulkId, BulkMark};
use crate::domain::{Item, ItemId, Timestamp};
use std::sync::Arc;

/// A thread is fetched from its platform at most this often.
const THREAD_REFRESH: i64 = 60_000;

impl Engine {
    /// Fetches the conversation around `item` from its platform (at most once a minute per
    /// item) and stores what is new; tells front ends when the thread grew.
    pub(super) fn refresh_thread(self: &Arc<Self>, item: Item) {
        if item.is_ours() {
            return;
        }
        let now = Timestamp::now();
        {
            let mut a = self.accounts_lock();
            if let Some(t) = a.thread_fetched.get(&item.id) {
                if now.0 - t.0 < THREAD_REFRESH {
                    return;
                }
            }
            a.thread_fetched.insert(item.id, now);
        }
        let Ok(Some(_)) = self.store.connection(&item.account) else {
            return;
        };
        let me = Arc::clone(self);
        tokio::spawn(async move {
            let Ok(c) = me.connector(&item.account) else {
                return;
            };
            match c.thread(&item).await {
                Ok(items) if !items.is_empty() => {
                    let store = Arc::clone(&me.store);
                    let r = tokio::task::spawn_blocking(move || {
                        store.ingest(&items, false, "kith", Timestamp::now())
                    })
                    .await;
                    if let Ok(Ok((added, _))) = r {
                        if added > 0 {
                            me.emit(Event::ThreadFetched(item.id));
                        }
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("thread fetch failed: {}", describe(&item.account, &e)),
            }
        });
    }

    /// Likes or moderates an item on its platform. The request and its outcome are both in
    /// the audit log.
    pub(super) async fn act(
        self: &Arc<Self>,
        op: &str,
        id: ItemId,
        action: RemoteAction,
        if_version: Option<u64>,
    ) -> Result<Response, EngineError> {
        self.act_in(op, id, action, if_version, None).await
    }

    /// `act`, as part of bulk `bulk` when given (its audit entries name the bulk).
    pub(super) async fn act_in(
        self: &Arc<Self>,
        op: &str,
        id: ItemId,
        action: RemoteAction,
        if_version: Option<u64>,
        bulk: Option<BulkId>,
    ) -> Result<Response, EngineError> {
        let store = Arc::clone(&self.store);
        let item = tokio::task::spawn_blocking(move || store.get(id))
            .await
            .map_err(|_| EngineError::Stopped)??
            .ok_or(EngineError::NotFound(id))?;
        if let Some(v) = if_version.filter(|v| *v != item.version) {
            return Err(self.conflict(id, v, &item));
        }
        if let Some(why) = action.refusal_for(&item) {
            return Err(EngineError::Invalid(why));
        }
        let connector = self.connector_for(&item)?;
        self.action_state(op, id, action, None, bulk).await?;
        let result = connector.act(&item, action).await;
        let outcome = match &result {
            Ok(()) => "done".to_string(),
            Err(e) => format!("failed: {e}"),
        };
        self.action_state(op, id, action, Some(outcome), bulk)
            .await?;
        match result {
            Ok(()) => {
                let changes = action.tag_changes(item.platform);
                if !changes.is_empty() {
                    let store = Arc::clone(&self.store);
                    let who = op.to_string();
                    let now = Timestamp::now();
                    tokio::task::spawn_blocking(move || {
                        changes
                            .iter()
                            .try_for_each(|c| store.update(id, c, None, &who, now).map(|_| ()))
                    })
                    .await
                    .map_err(|_| EngineError::Stopped)??;
                }
                self.emit(Event::ItemsChanged(vec![id]));
                Ok(Response::Acted {
                    item: Box::new(item),
                    action,
                })
            }
            Err(e) => {
                self.saw_error(&item.account, &e);
                Err(remote(&item.account, &e))
            }
        }
    }

    /// Records an action as requested (`None`) or settled, with its pending mark.
    async fn action_state(
        self: &Arc<Self>,
        op: &str,
        id: ItemId,
        action: RemoteAction,
        outcome: Option<String>,
        bulk: Option<BulkId>,
    ) -> Result<(), EngineError> {
        let store = Arc::clone(&self.store);
        let op = op.to_string();
        let note = bulk.map(|b| BulkMark::Apply(b).note());
        tokio::task::spawn_blocking(move || {
            store.action_state_noted(
                &op,
                id,
                action,
                outcome.as_deref(),
                note.as_deref(),
                Timestamp::now(),
            )
        })
        .await
        .map_err(|_| EngineError::Stopped)??;
        Ok(())
    }

    /// Sends again the actions a previous run requested but never settled. Every action kith
    /// sends leaves the same state when repeated (a like with a chosen key, a mute, a dismiss).
    pub(super) async fn resume_actions(self: &Arc<Self>) {
        let store = Arc::clone(&self.store);
        let pending = match tokio::task::spawn_blocking(move || store.pending_actions()).await {
            Ok(Ok(p)) => p,
            _ => return,
        };
        for (id, action) in pending {
            match self.act(&self.operator, id, action, None).await {
                Ok(_) => {}
                // The platform answered: `act` recorded the outcome.
                Err(e @ EngineError::Remote { .. }) => {
                    tracing::warn!("resumed {} on {id} failed: {e}", action.as_str())
                }
                // Refused before sending (no connector, item gone): settle it so it is not
                // tried at every start.
                Err(e) => {
                    let _ = self
                        .action_state(
                            &self.operator,
                            id,
                            action,
                            Some(format!("failed: {e}")),
                            None,
                        )
                        .await;
                }
            }
        }
    }
}
