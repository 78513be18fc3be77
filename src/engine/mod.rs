//! The engine: owns the store, applies every change, sends replies through connectors, wakes
//! snoozed items, and broadcasts events to attached front ends.
//!
//! Here: the `Engine`, how a request enters (`call_as`: read-only operators and a full disk are
//! refused first) and the background work it starts. `dispatch.rs` routes each request to its
//! handler; `changes.rs`, `replies.rs`, `snooze.rs`, `bulk.rs` and the modules below hold them.

mod account_state;
mod accounts;
pub mod api;
mod approvals;
mod backend;
mod bulk;
mod changes;
mod clock;
pub mod demo;
mod disk;
mod dispatch;
mod error;
pub mod import;
mod inprocess;
mod joined;
mod media;
pub mod member_export;
mod members;
pub mod outbox;
pub mod patterns;
mod posts;
mod remote;
mod replies;
pub mod rules;
mod rules_apply;
pub mod rules_status;
mod saved_views;
mod settings;
pub mod shift;
mod snooze;
pub mod sync;
pub mod synthetic;
mod tags;
pub mod team;
pub mod views;

pub use account_state::AccountState;
pub use backend::Backend;
pub use error::EngineError;
pub use inprocess::InProcess;
pub use settings::EngineSettings;

use crate::connectors::{ConnectContext, Connector, DemoConnector};
use crate::domain::ItemId;
use crate::store::{Store, StoreError};
use api::{Event, Request, Response};
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
    /// Which rules file was read last and its problems (the Rules panel asks).
    rules_record: std::sync::RwLock<rules_status::RulesRecord>,
}

impl From<StoreError> for EngineError {
    fn from(e: StoreError) -> Self {
        match e {
            // Where and how much is free is filled in by `call_as`, which knows the store.
            StoreError::Full => EngineError::DiskFull {
                path: String::new(),
                free_mb: 0,
            },
            StoreError::Pattern(e) => EngineError::Invalid(e.phrase),
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
            rules_record: Default::default(),
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
        // it did not finish; items and native ids an older kith stored one key each.
        let me = Arc::clone(self);
        tokio::spawn(async move {
            me.merge_words().await;
            me.settle_members(false).await;
            me.resume_actions().await;
            me.reshape_store().await;
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
}
