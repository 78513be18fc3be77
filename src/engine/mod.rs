//! The engine: owns the store, applies every change, sends replies through connectors, wakes
//! snoozed items, and broadcasts events to attached front ends.

mod accounts;
pub mod api;
mod backend;
mod clock;
pub mod demo;
mod disk;
mod error;
pub mod import;
mod inprocess;
mod joined;
pub mod member_export;
mod members;
pub mod outbox;
mod posts;
mod settings;
pub mod shift;
pub mod sync;
pub mod synthetic;
pub mod team;
pub mod views;

pub use backend::Backend;
pub use error::EngineError;
pub use inprocess::InProcess;
pub use settings::EngineSettings;

use crate::connectors::{ConnectContext, Connector, DemoConnector};
use crate::domain::{Change, Item, ItemId, Outgoing, Status, Timestamp};
use crate::i18n::{ph, Phrase};
use crate::store::{ReplyDraft, Store, StoreError};
use api::{Event, IngestReport, Request, Response};
use std::sync::Arc;
use tokio::sync::{broadcast, Notify};

pub struct Engine {
    store: Arc<Store>,
    operator: String,
    events: broadcast::Sender<Event>,
    snooze_changed: Notify,
    demo: Arc<dyn Connector>,
    accounts: std::sync::Mutex<sync::Accounts>,
    connect_ctx: ConnectContext,
    sync_wake: Notify,
    /// Replies being sent right now: the start-up resume and a fresh send never race.
    inflight: std::sync::Mutex<std::collections::HashSet<ItemId>>,
    team: std::sync::RwLock<team::TeamConfig>,
    drafts: std::sync::Mutex<team::Drafts>,
    targets: std::sync::RwLock<crate::domain::clock::Targets>,
    /// Wakes the scheduler when a post is written or changed.
    outbox_wake: Notify,
    outbox: std::sync::RwLock<outbox::OutboxSettings>,
    clock: std::sync::RwLock<Arc<dyn outbox::WallClock>>,
    /// Targets being sent right now: the resume at start-up and the loop never race.
    outbox_inflight:
        std::sync::Mutex<std::collections::HashSet<(crate::domain::post::PostId, String)>>,
    outbox_wakeups: std::sync::atomic::AtomicU64,
    /// The config file the engine's settings were read from (told to every front end).
    settings_file: std::sync::RwLock<Option<std::path::PathBuf>>,
    /// A watch for free disk space runs (the store refused a write for want of it).
    disk_watch: std::sync::atomic::AtomicBool,
}

impl From<StoreError> for EngineError {
    fn from(e: StoreError) -> Self {
        match e {
            // Where and how much is free is filled in by `call_as`, which knows the store.
            StoreError::Full => EngineError::DiskFull {
                path: String::new(),
                free_mb: 0,
            },
            e => EngineError::Store(e.phrase()),
        }
    }
}

impl Engine {
    pub fn new(store: Store, operator: &str) -> Arc<Engine> {
        let ctx = ConnectContext::new(store.dir());
        Self::with_context(store, operator, ctx)
    }

    /// An engine whose connectors use `ctx` (timeouts and retry policy; tests shorten them).
    pub fn with_context(store: Store, operator: &str, ctx: ConnectContext) -> Arc<Engine> {
        let (events, _) = broadcast::channel(1024);
        Arc::new(Engine {
            store: Arc::new(store),
            operator: operator.to_string(),
            events,
            snooze_changed: Notify::new(),
            demo: Arc::new(DemoConnector::default()),
            accounts: Default::default(),
            connect_ctx: ctx,
            sync_wake: Notify::new(),
            inflight: Default::default(),
            team: Default::default(),
            drafts: Default::default(),
            targets: Default::default(),
            outbox_wake: Notify::new(),
            outbox: Default::default(),
            clock: std::sync::RwLock::new(Arc::new(outbox::SystemClock)),
            outbox_inflight: Default::default(),
            outbox_wakeups: Default::default(),
            settings_file: Default::default(),
            disk_watch: Default::default(),
        })
    }

    /// Starts polling connected accounts (the TUI and `kith serve`; one-shot CLI commands sync
    /// only when asked). Call inside a tokio runtime.
    pub fn start_sync(self: &Arc<Self>) {
        let me = Arc::clone(self);
        tokio::spawn(async move { me.sync_loop().await });
    }

    /// Handles one request: platform calls run on the async threads, store work on the
    /// blocking pool.
    pub async fn call(self: &Arc<Self>, req: Request) -> Result<Response, EngineError> {
        let op = self.operator.clone();
        self.call_as(&op, req).await
    }

    /// Handles one request on behalf of an operator: every change it makes records their name,
    /// and a read-only operator's changes are refused here, whatever the front end allowed.
    pub async fn call_as(
        self: &Arc<Self>,
        op: &str,
        req: Request,
    ) -> Result<Response, EngineError> {
        if req.writes() && self.read_only(op) {
            return Err(EngineError::ReadOnly(op.to_string()));
        }
        // With the disk full, changes are refused at once (reads go on).
        if req.writes() && self.store.is_full() {
            self.watch_disk();
            return Err(disk::full_error(&self.store));
        }
        let result = self.dispatch(op, req).await;
        match result {
            Err(EngineError::DiskFull { .. }) => {
                self.watch_disk();
                Err(disk::full_error(&self.store))
            }
            other => {
                if self.store.is_full() {
                    self.watch_disk();
                }
                other
            }
        }
    }

    async fn dispatch(self: &Arc<Self>, op: &str, req: Request) -> Result<Response, EngineError> {
        match req {
            Request::AccountTest(name) => self.test_account(&name).await,
            Request::Sync { account } => {
                let names = match account {
                    Some(n) => {
                        if self.store.connection(&n)?.is_none() {
                            return Err(EngineError::Invalid(ph(
                                "err.no_account",
                                &[("account", &crate::text::sanitize_line(&n, 64).text)],
                            )));
                        }
                        vec![n]
                    }
                    None => self
                        .store
                        .connections()?
                        .into_iter()
                        .map(|c| c.name)
                        .collect(),
                };
                let passes = names.iter().map(|n| self.sync_account(n));
                Ok(Response::Synced(futures::future::join_all(passes).await))
            }
            Request::Act {
                id,
                action,
                if_version,
            } => self.act(op, id, action, if_version).await,
            // Moving or cancelling a post the platform scheduled is a platform call first.
            Request::PostEdit {
                id,
                if_version,
                edit: edit @ (api::PostEdit::Cancel | api::PostEdit::Move(_)),
            } if self.has_native(id) => self.post_edit_native(op, id, if_version, edit).await,
            other => {
                let me = Arc::clone(self);
                let op = op.to_string();
                match tokio::task::spawn_blocking(move || me.handle(&op, other)).await {
                    Ok(r) => r,
                    Err(_) => Err(EngineError::Stopped),
                }
            }
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn operator(&self) -> &str {
        &self.operator
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    fn emit(&self, e: Event) {
        // No subscriber is fine: CLI calls run without a UI.
        let _ = self.events.send(e);
    }

    /// Starts background work (snooze wake-ups, replies left unsent by a previous run). Call
    /// inside a tokio runtime.
    pub fn start(self: &Arc<Self>) {
        let me = Arc::clone(self);
        tokio::spawn(async move { me.snooze_loop().await });
        // Words a previous run stored but did not merge, member counts it did not apply; actions
        // it did not finish.
        let me = Arc::clone(self);
        tokio::spawn(async move {
            me.merge_words().await;
            me.settle_members(false).await;
            me.resume_actions().await;
        });
        let me = Arc::clone(self);
        tokio::spawn(async move {
            let store = Arc::clone(&me.store);
            match tokio::task::spawn_blocking(move || store.pending_replies()).await {
                Ok(Ok(ids)) => {
                    for id in ids {
                        me.resume_reply(id);
                    }
                }
                Ok(Err(e)) => tracing::error!("reading pending replies failed: {e}"),
                Err(e) => joined::log_join_error("pending replies task failed", &e),
            }
        });
    }

    /// Sends a reply that was stored but never confirmed, with its original idempotency key, so
    /// a platform that honours keys cannot post it twice.
    fn resume_reply(self: &Arc<Self>, reply_id: ItemId) {
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
    fn retry_reply(
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
    fn spawn_send(self: &Arc<Self>, connector: Arc<dyn Connector>, parent: Item, reply: Item) {
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
        tokio::spawn(async move {
            let result = connector
                .reply(&parent, &reply.text, &reply.native_id)
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
                        reason: sync::describe(&parent.account, &e).to_stored(),
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

    /// Handles one request synchronously (store I/O). `InProcess` runs this off the async threads.
    pub fn handle(self: &Arc<Self>, op: &str, req: Request) -> Result<Response, EngineError> {
        let now = Timestamp::now();
        match req {
            Request::Overview => Ok(Response::Overview(self.store.overview()?)),
            Request::List(q) => Ok(Response::Page(self.store.list(&q)?)),
            Request::Get(id) => self
                .store
                .get(id)?
                .map(|i| Response::Item(Box::new(i)))
                .ok_or(EngineError::NotFound(id)),
            Request::Thread(id) => {
                let t = self.store.thread(id)?;
                let Some(item) = t.iter().find(|i| i.id == id).cloned() else {
                    return Err(EngineError::NotFound(id));
                };
                self.refresh_thread(item);
                Ok(Response::Thread(t))
            }
            Request::Update {
                id,
                change,
                if_version,
            } => self.update(op, id, change, if_version, now),
            Request::Reply {
                id,
                text,
                if_version,
            } => self.reply(op, id, text, if_version, now),
            Request::Ingest { items, demo } => {
                let (added, duplicates) = self.store.ingest(&items, demo, op, now)?;
                if added > 0 {
                    self.emit(Event::ItemsAdded(added));
                }
                Ok(Response::Ingested(IngestReport { added, duplicates }))
            }
            Request::RetryReply(id) => self.retry_reply(op, id, now),
            Request::Accounts => Ok(Response::Accounts(self.account_views()?)),
            Request::AccountAdd {
                cfg,
                replace,
                secret,
            } => self.add_account(op, cfg, replace, secret, now),
            Request::AccountRemove(name) => self.remove_account(op, &name, now),
            Request::Claim { id, force } => self.claim(op, id, force, now),
            Request::Drafting { id, active } => Ok(self.drafting(op, id, active)),
            Request::Presence => Ok(self.presence()),
            Request::WhoAmI => Ok(self.whoami(op)),
            Request::Operators => self.operators(op),
            Request::Doctor { verify } => Ok(Response::Doctor(api::DoctorReport {
                quarantined: self.store.quarantined(100)?,
                problems: if verify {
                    Some(self.store.check()?)
                } else {
                    None
                },
            })),
            Request::Audit(q) => Ok(Response::Audit(self.store.audit_query(&q)?)),
            Request::AuditVerify => Ok(Response::AuditVerified(self.store.verify_audit()?)),
            Request::AddNote { id, text } => self.add_note(op, id, &text, now),
            Request::Notes(id) => Ok(Response::Notes(self.store.notes(id)?)),
            Request::Due { filter, limit } => self.due(&filter, limit),
            Request::Handoff => self.handoff(now),
            Request::Members(q) => self.members_top(&q, now),
            Request::MemberProfile { member, period } => self.member_profile(&member, period, now),
            Request::MemberEdit { member, edit } => self.member_edit(op, &member, edit, now),
            Request::MemberSuggestions { limit } => Ok(Response::Suggestions(
                self.store.link_suggestions(limit.clamp(1, 1000))?,
            )),
            Request::MembersRebuild => self.members_rebuild(now),
            Request::MembersSettle { max } => {
                let (done, _) = self.store.settle_members(max, now)?;
                if done > 0 {
                    self.emit(Event::MembersChanged);
                }
                Ok(Response::Settled {
                    done,
                    left: self.store.members_unsettled()?,
                })
            }
            Request::PostCreate { post, queue } => self.post_create(op, post, queue, self.now()),
            Request::Posts(q) => self.posts_query(&q),
            Request::PostGet(id) => self.post_get(id),
            Request::PostEdit {
                id,
                if_version,
                edit,
            } => self.post_edit(op, id, if_version, edit, self.now()),
            r @ (Request::AccountTest(_) | Request::Sync { .. } | Request::Act { .. }) => {
                // Platform calls belong in `call`; a blocking caller of `handle` waits for them.
                let rt = tokio::runtime::Handle::try_current().map_err(|_| EngineError::Stopped)?;
                rt.block_on(self.call_as(op, r))
            }
        }
    }

    fn update(
        &self,
        op: &str,
        id: ItemId,
        change: Change,
        if_version: Option<u64>,
        now: Timestamp,
    ) -> Result<Response, EngineError> {
        use crate::store::UpdateOutcome;
        if let Change::SetStatus {
            status: Status::Snoozed,
            snoozed_until,
        } = &change
        {
            match snoozed_until {
                Some(t) if *t > now => {}
                _ => return Err(EngineError::Invalid(ph("err.snooze_future", &[]))),
            }
        }
        match self.store.update(id, &change, if_version, op, now)? {
            UpdateOutcome::Updated(item, undo) => {
                self.emit(Event::ItemsChanged(vec![id]));
                if matches!(change, Change::SetStatus { .. }) {
                    self.snooze_changed.notify_one();
                }
                Ok(Response::Updated { item, undo })
            }
            UpdateOutcome::Unchanged(item, undo) => Ok(Response::Updated { item, undo }),
            UpdateOutcome::Conflict(now_item) => {
                Err(self.conflict(id, if_version.unwrap_or(0), &now_item))
            }
            UpdateOutcome::NotFound => Err(EngineError::NotFound(id)),
        }
    }

    fn reply(
        self: &Arc<Self>,
        op: &str,
        id: ItemId,
        text: String,
        if_version: Option<u64>,
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
        let draft = ReplyDraft {
            text: text.clone(),
            operator: op.to_string(),
            if_version,
        };
        match self.store.add_reply(id, &draft, now)? {
            ReplyOutcome::Stored { reply, item } => {
                self.emit(Event::ItemsChanged(vec![id]));
                // Stored and flushed first; now the connector sends it.
                self.spawn_send(connector, (*item).clone(), (*reply).clone());
                Ok(Response::Replied { reply, item })
            }
            ReplyOutcome::Conflict(now_item) => {
                Err(self.conflict(id, if_version.unwrap_or(0), &now_item))
            }
            ReplyOutcome::NotFound => Err(EngineError::NotFound(id)),
        }
    }

    /// Moves snoozed items back to open when their time comes. Sleeps until the next due time or
    /// until a snooze changes: no polling.
    async fn snooze_loop(self: Arc<Self>) {
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

impl Engine {
    /// "The item moved on": what it is now, and who changed it last and how (from the recent
    /// audit log), so the operator sees what happened before trying again.
    pub(super) fn conflict(&self, id: ItemId, expected: u64, now: &Item) -> EngineError {
        let mut e = conflict(id, expected, now);
        if let EngineError::Conflict { what, .. } = &mut e {
            if let Ok(Some(last)) = self.store.last_change(id, 2000) {
                let before = std::mem::replace(what, Phrase::raw(""));
                *what = Phrase::concat(vec![
                    before,
                    ph(
                        "err.changed_by",
                        &[
                            ("who", &crate::text::sanitize_line(&last.operator, 40).text),
                            (
                                "what",
                                &crate::text::sanitize_line(
                                    last.after.as_deref().unwrap_or(&last.action),
                                    120,
                                )
                                .text,
                            ),
                        ],
                    ),
                ]);
            }
        }
        e
    }
}

fn conflict(id: ItemId, expected: u64, now: &Item) -> EngineError {
    let mut what = vec![ph("err.conflict_what", &[("status", &now.status)])];
    if let Some(a) = &now.assignee {
        what.push(ph("err.assigned_to", &[("who", a)]));
    }
    if !now.tags.is_empty() {
        what.push(ph("err.tagged", &[("tags", &now.tags.join(","))]));
    }
    EngineError::Conflict {
        id,
        expected,
        actual: now.version,
        what: Phrase::concat(what),
    }
}
