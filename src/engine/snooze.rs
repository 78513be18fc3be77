//! Snooze wake-ups: snoozed items go back to open when their time comes, without polling.

use super::Engine;
use crate::domain::{Change, Status, Timestamp};
use std::sync::Arc;

impl Engine {
    /// Moves snoozed items back to open when their time comes. Sleeps until the next due time or
    /// until a snooze changes: no polling.
    pub(super) async fn snooze_loop(self: Arc<Self>) {
        loop {
            let store = Arc::clone(&self.store);
            let now = Timestamp::now();
            let due = tokio::task::spawn_blocking(move || store.due_snoozes(now)).await;
            let next = match due {
                Ok(Ok((ids, next))) => {
                    for id in ids {
                        let me = Arc::clone(&self);
                        let change = Change::status(Status::Open);
                        let _ = tokio::task::spawn_blocking(move || {
                            me.update(&me.operator, id, change, None, Timestamp::now())
                        })
                        .await;
                    }
                    next
                }
                _ => None,
            };
            let wait = next.map(|t| {
                std::time::Duration::from_millis(
                    (t.0 - Timestamp::now().0).clamp(0, 86_400_000) as u64
                )
            });
            match wait {
                Some(d) => {
                    tokio::select! {
                        _ = tokio::time::sleep(d) => {}
                        _ = self.snooze_changed.notified() => {}
                    }
                }
                None => self.snooze_changed.notified().await,
            }
        }
    }
}
