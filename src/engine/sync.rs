//! Connected accounts in the engine: building connectors, the poll loop (each account on its own
//! interval with jitter; rate limits and expired credentials respected), sync passes that store
//! every page with its cursor before asking for the next. Threads on open, likes and
//! moderation are in `remote.rs`.

use super::api::{AccountRuntime, Event, Response, SyncReport};
use super::{Engine, EngineError};
use crate::connectors::{self, Connector, ConnectorError, FetchPage};
use crate::domain::{Item, ItemId, Platform, Timestamp};
use crate::i18n::{ph, Phrase};
use crate::store::PageWrite;
use rand::Rng;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// At most this many pages in one pass; the rest waits for the next poll.
const MAX_PAGES_PER_PASS: u64 = 50;
/// Pages fetched back to back are stored together up to this many items per write.
const GROUP_ITEMS: usize = 200;
/// After an authentication failure, try again this rarely (a human has to fix it).
const REAUTH_RETRY: Duration = Duration::from_secs(1800);

/// Per-account state kept while the engine runs.
#[derive(Default)]
pub(super) struct Accounts {
    pub(super) connectors: HashMap<String, Arc<dyn Connector>>,
    pub(super) runtime: HashMap<String, AccountRuntime>,
    pub(super) thread_fetched: HashMap<ItemId, Timestamp>,
    /// Per account that listens (a long poll): wakes a pass waiting on the platform, so that
    /// `kith sync` need not wait for the push to time out.
    listen_cancel: HashMap<String, Arc<tokio::sync::Notify>>,
}

/// How long one listening request may wait on the platform's push.
const LISTEN_WAIT: Duration = Duration::from_secs(25);
/// Between two listening passes (each already waits on the platform).
const LISTEN_GAP: Duration = Duration::from_secs(1);

/// What went wrong, to be worded in each reader's language. The platform's own words stay
/// as they are (the `reason`).
pub fn describe(account: &str, e: &ConnectorError) -> Phrase {
    let acc = crate::text::sanitize_line(account, 64).text;
    match e {
        ConnectorError::Refused(m) => ph("err.remote_refused", &[("account", &acc), ("reason", m)]),
        ConnectorError::Network(m) | ConnectorError::Unreachable(m) => {
            ph("err.remote_network", &[("account", &acc), ("reason", m)])
        }
        ConnectorError::RateLimited { wait } => ph(
            "err.remote_rate",
            &[("account", &acc), ("secs", &wait.as_secs().max(1))],
        ),
        ConnectorError::Auth(m) => ph("err.remote_auth", &[("account", &acc), ("reason", m)]),
        ConnectorError::Secret(e) => {
            ph("err.remote_auth", &[("account", &acc)]).with("reason", e.phrase())
        }
        ConnectorError::Unsupported(m) => Phrase::raw(m.clone()),
        ConnectorError::Malformed(m) => {
            ph("err.remote_malformed", &[("account", &acc), ("reason", m)])
        }
        ConnectorError::Captcha { image } => {
            ph("err.remote_captcha", &[("account", &acc), ("image", image)])
        }
    }
}

pub(super) fn remote(account: &str, e: &ConnectorError) -> EngineError {
    EngineError::Remote {
        message: describe(account, e),
        needs_reauth: e.is_auth(),
    }
}

impl Engine {
    pub(super) fn accounts_lock(&self) -> std::sync::MutexGuard<'_, Accounts> {
        self.accounts.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn runtime_mut<R>(&self, name: &str, f: impl FnOnce(&mut AccountRuntime) -> R) -> R {
        let mut a = self.accounts_lock();
        f(a.runtime.entry(name.to_string()).or_default())
    }

    /// The connector for a connected account, built on first use.
    pub(super) fn connector(&self, name: &str) -> Result<Arc<dyn Connector>, EngineError> {
        self.connect(name)?.map_err(|e| remote(name, &e))
    }

    /// The account's connector, built on first use. The outer error is the engine's (no such
    /// account, the store); the inner one the connector's own (a missing or unreadable secret),
    /// which a sync pass reports like any other platform error.
    fn connect(
        &self,
        name: &str,
    ) -> Result<Result<Arc<dyn Connector>, ConnectorError>, EngineError> {
        if let Some(c) = self.accounts_lock().connectors.get(name) {
            return Ok(Ok(Arc::clone(c)));
        }
        let Some(cfg) = self.store.connection(name)? else {
            return Err(EngineError::Invalid(ph(
                "err.no_account",
                &[("account", &crate::text::sanitize_line(name, 64).text)],
            )));
        };
        Ok(connectors::connect(&cfg, &self.connect_ctx).inspect(|c| {
            self.accounts_lock()
                .connectors
                .insert(name.to_string(), Arc::clone(c));
        }))
    }

    /// The connector that sends for `item`'s account: the demo one, or the account's own.
    pub(super) fn connector_for(&self, item: &Item) -> Result<Arc<dyn Connector>, EngineError> {
        let demo = self
            .store
            .accounts()?
            .into_iter()
            .any(|a| a.name == item.account && a.demo);
        if demo {
            return Ok(Arc::clone(&self.demo));
        }
        if self.store.connection(&item.account)?.is_some() {
            return self.connector(&item.account);
        }
        Err(EngineError::Invalid(ph(
            "err.not_connected",
            &[
                ("account", &format!("{:?}", item.account)),
                ("platform", &item.platform),
            ],
        )))
    }

    /// The reply limit for an account: the platform's, or the one the account reported (a
    /// Mastodon instance's own limit).
    pub(super) fn text_limit(&self, item: &Item) -> usize {
        self.accounts_lock()
            .runtime
            .get(&item.account)
            .and_then(|r| r.text_limit)
            .unwrap_or(item.platform.capabilities().text_limit)
    }

    /// `kith sync`: one pass over the named account, or over every connected one at once.
    pub(super) async fn sync_request(
        self: &Arc<Self>,
        account: Option<String>,
    ) -> Result<Response, EngineError> {
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

    /// One sync pass: pages until the connector says there is no more, each stored with its
    /// cursor before the next is asked for. Never waits on a platform's push: a pass that is
    /// listening for one is woken, and this one runs after it.
    pub async fn sync_account(self: &Arc<Self>, name: &str) -> SyncReport {
        self.sync_account_as(name, None).await
    }

    /// Wakes a pass of `name` that waits on a long poll and waits (up to 30 s) for it to end.
    async fn interrupt_listening(&self, name: &str) {
        let cancel = self.accounts_lock().listen_cancel.get(name).cloned();
        let Some(cancel) = cancel else { return };
        for _ in 0..600 {
            let busy = self.runtime_mut(name, |r| r.syncing && r.listening);
            if !busy {
                return;
            }
            cancel.notify_one();
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A pass; with `listen`, its first request may wait that long for the platform's push.
    async fn sync_account_as(self: &Arc<Self>, name: &str, listen: Option<Duration>) -> SyncReport {
        let mut report = SyncReport {
            account: name.to_string(),
            ..SyncReport::default()
        };
        // Nothing pulled could be stored: wait for space rather than read pages to drop them.
        if self.store.is_full() {
            self.watch_disk();
            let free = self.store.free_bytes().unwrap_or(0) / (1024 * 1024);
            report.error = Some(ph(
                "err.disk_full",
                &[("path", &self.store.dir().display()), ("free", &free)],
            ));
            return report;
        }
        if listen.is_none() {
            self.interrupt_listening(name).await;
        }
        let already = self.runtime_mut(name, |r| {
            r.pass_requests = 0;
            r.pass_added = 0;
            std::mem::replace(&mut r.syncing, true)
        });
        if already {
            // Another pass is running; its results will show.
            return report;
        }
        let result = self.sync_pass(name, listen, &mut report).await;
        if self.store.is_full() {
            self.watch_disk();
        }
        if report.added > 0 {
            self.merge_words().await;
            self.settle_members(true).await;
        }
        let rate = self
            .accounts_lock()
            .connectors
            .get(name)
            .map(|c| c.rate_info())
            .unwrap_or_default();
        let now = Timestamp::now();
        self.runtime_mut(name, |r| {
            r.syncing = false;
            r.listening = false;
            r.last_poll = Some(now);
            r.rate = rate;
            r.rate_wait_until = match &result {
                Err(ConnectorError::RateLimited { wait }) => {
                    Some(Timestamp(now.0 + wait.as_millis() as i64))
                }
                _ => None,
            };
        });
        match result {
            Ok(()) => {
                let had_error = self
                    .store
                    .sync_state(name)
                    .map(|s| s.last_error.is_some() || s.needs_reauth)
                    .unwrap_or(false);
                if had_error {
                    self.record_error(name, None, false).await;
                }
            }
            Err(e) => {
                self.saw_error(name, &e);
                let msg = describe(name, &e);
                report.error = Some(msg.clone());
                report.needs_reauth = e.is_auth();
                if let ConnectorError::RateLimited { wait } = &e {
                    report.rate_wait_until = Some(Timestamp(now.0 + wait.as_millis() as i64));
                }
                // A rate limit is not an error worth keeping: it shows as a wait.
                if !matches!(e, ConnectorError::RateLimited { .. }) {
                    self.record_error(name, Some(msg), e.is_auth()).await;
                }
            }
        }
        self.emit(Event::AccountsChanged);
        report
    }

    async fn sync_pass(
        self: &Arc<Self>,
        name: &str,
        listen: Option<Duration>,
        report: &mut SyncReport,
    ) -> Result<(), ConnectorError> {
        let connector = match self.connect(name) {
            Ok(c) => c?,
            Err(e) => return Err(ConnectorError::Refused(e.to_string())),
        };
        if self.runtime_mut(name, |r| r.text_limit.is_none()) {
            if let Ok(limit) = connector.text_limit().await {
                self.runtime_mut(name, |r| r.text_limit = Some(limit));
            }
        }
        let store = Arc::clone(&self.store);
        let n = name.to_string();
        let mut cursor = tokio::task::spawn_blocking(move || store.sync_state(&n))
            .await
            .map_err(|e| ConnectorError::Refused(e.to_string()))?
            .map_err(|e| ConnectorError::Refused(e.to_string()))?
            .cursor;
        // The cursor the store holds: a poll that read several pages and found nothing ends on
        // this same cursor, and writing it again would be a write for nothing.
        let mut stored = cursor.clone();
        let platform = connector.platform();
        // Pages that arrive back to back are stored together, up to GROUP_ITEMS items: one
        // write for several small pages (a first sync), the cursor always that of the last page
        // in the write, so it never runs ahead of what is stored. Not where the next request
        // itself confirms the page to the platform (which then drops it): there each page is
        // durable before the next request leaves.
        let confirms = connector.fetch_confirms();
        let mut group = FetchPage::default();
        let mut listen = listen.filter(|_| connector.live());
        loop {
            let fetched = match listen.take() {
                Some(wait) => self.listen(name, &connector, cursor.as_deref(), wait).await,
                None => connector.fetch(cursor.as_deref()).await,
            };
            let page = match fetched {
                Ok(p) => p,
                Err(e) => {
                    // Keep what was fetched before the error.
                    self.store_group(name, platform, &mut group, &mut stored, report)
                        .await?;
                    return Err(e);
                }
            };
            report.requests += 1;
            self.progress(name, report);
            if let Some(c) = &page.cursor {
                cursor = Some(c.clone());
            }
            let more = page.more && report.requests < MAX_PAGES_PER_PASS;
            group.items.extend(page.items);
            group.activity.extend(page.activity);
            group.malformed.extend(page.malformed);
            if page.cursor.is_some() {
                group.cursor = page.cursor;
            }
            if !more || confirms || group.items.len() + group.activity.len() >= GROUP_ITEMS {
                self.store_group(name, platform, &mut group, &mut stored, report)
                    .await?;
            }
            if !more {
                return Ok(());
            }
        }
    }

    /// One request that may wait on the platform's push, given up (nothing lost: the cursor
    /// has not moved) when `kith sync` wants the account now.
    async fn listen(
        &self,
        name: &str,
        connector: &Arc<dyn Connector>,
        cursor: Option<&str>,
        wait: Duration,
    ) -> Result<FetchPage, ConnectorError> {
        let cancel = Arc::clone(
            self.accounts_lock()
                .listen_cancel
                .entry(name.to_string())
                .or_default(),
        );
        self.runtime_mut(name, |r| r.listening = true);
        let page = tokio::select! {
            page = connector.listen(cursor, wait) => page,
            _ = cancel.notified() => Ok(FetchPage::default()),
        };
        self.runtime_mut(name, |r| r.listening = false);
        page
    }

    /// Keeps what an error asks of a person (a captcha to solve) where front ends show it.
    pub(super) fn saw_error(&self, name: &str, e: &ConnectorError) {
        if let ConnectorError::Captcha { image } = e {
            self.runtime_mut(name, |r| r.captcha = Some(image.clone()));
            self.emit(Event::AccountsChanged);
        }
    }

    /// Stores the pages gathered so far (items, activity, quarantine and cursor in one batch);
    /// `stored` is the cursor the store holds, kept up to date.
    async fn store_group(
        self: &Arc<Self>,
        name: &str,
        platform: Platform,
        group: &mut FetchPage,
        stored: &mut Option<String>,
        report: &mut SyncReport,
    ) -> Result<(), ConnectorError> {
        let page = std::mem::take(group);
        if page.is_empty() && (page.cursor.is_none() || page.cursor == *stored) {
            return Ok(());
        }
        if page.cursor.is_some() {
            stored.clone_from(&page.cursor);
        }
        let store = Arc::clone(&self.store);
        let n = name.to_string();
        let stored = tokio::task::spawn_blocking(move || {
            store.store_page(
                &PageWrite {
                    account: &n,
                    platform,
                    items: &page.items,
                    activity: &page.activity,
                    malformed: &page.malformed,
                    cursor: page.cursor.as_deref(),
                },
                Timestamp::now(),
            )
        })
        .await
        .map_err(|e| ConnectorError::Refused(e.to_string()))?
        .map_err(|e| ConnectorError::Refused(e.to_string()))?;
        report.pages_stored += 1;
        report.added += stored.added;
        report.duplicates += stored.duplicates;
        report.activity += stored.activity;
        report.malformed += stored.malformed;
        if stored.added > 0 {
            self.emit(Event::ItemsAdded(stored.added));
        }
        self.progress(name, report);
        Ok(())
    }

    /// Tells front ends how far the pass has come (no platform says how far it will go).
    fn progress(&self, name: &str, report: &SyncReport) {
        self.runtime_mut(name, |r| {
            r.pass_requests = report.requests;
            r.pass_added = report.added;
        });
        self.emit(Event::SyncProgress {
            account: name.to_string(),
            requests: report.requests,
            added: report.added,
        });
    }

    /// Folds the words of synced items into the word lists, in one large write after a pass
    /// rather than one per page (see store/words_pending.rs).
    pub(super) async fn merge_words(self: &Arc<Self>) {
        let store = Arc::clone(&self.store);
        match tokio::task::spawn_blocking(move || store.merge_words(Timestamp::now())).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!("merging pending words failed: {e}"),
            Err(e) => super::joined::log_join_error("merging pending words failed", &e),
        }
    }

    /// Brings an older store's layout up to date, once per store, in the background, a batch
    /// at a time: packs items it kept one key per item (store/blocks.rs), then moves its native
    /// ids, one key each, into hashed buckets (store/natives.rs).
    pub(super) async fn reshape_store(self: &Arc<Self>) {
        let store = Arc::clone(&self.store);
        let run = move || -> crate::store::Result<(u64, u64)> {
            let packed = store.pack_items(&mut |read, written| {
                tracing::info!("packing items: {read} keys read, {written} blocks written");
            })?;
            let moved = store.bucket_natives(&mut |seen, moved| {
                tracing::info!("bucketing native ids: {seen} keys read, {moved} moved");
            })?;
            Ok((packed, moved))
        };
        match tokio::task::spawn_blocking(run).await {
            Ok(Ok((packed, moved))) if packed + moved > 0 => {
                tracing::info!("store reshaped: {packed} item keys packed away, {moved} native id keys bucketed")
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!("reshaping the store failed: {e}"),
            Err(e) => super::joined::log_join_error("reshaping the store failed", &e),
        }
    }

    /// Applies the member counts a pass stored (see store/members.rs), so the next ranking read
    /// finds them applied instead of applying them itself; `announce` tells open member panels.
    pub(super) async fn settle_members(self: &Arc<Self>, announce: bool) {
        let store = Arc::clone(&self.store);
        let run = move || store.settle_members(u64::MAX, Timestamp::now());
        match tokio::task::spawn_blocking(run).await {
            Ok(Ok((n, _))) if n > 0 && announce => {
                self.emit(super::api::Event::MembersChanged);
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!("applying member counts failed: {e}"),
            Err(e) => super::joined::log_join_error("applying member counts failed", &e),
        }
    }

    /// Polls every connected account on its interval (± 10 % jitter) until the engine stops.
    /// Sleeps until the next account is due or an account is added: no polling of our own.
    pub(super) async fn sync_loop(self: Arc<Self>) {
        let mut next: HashMap<String, Timestamp> = HashMap::new();
        loop {
            let store = Arc::clone(&self.store);
            let conns = match tokio::task::spawn_blocking(move || store.connections()).await {
                Ok(Ok(c)) => c,
                _ => Vec::new(),
            };
            next.retain(|k, _| conns.iter().any(|c| &c.name == k));
            let now = Timestamp::now();
            for cfg in &conns {
                let due = *next.entry(cfg.name.clone()).or_insert(now);
                if due > now {
                    continue;
                }
                let connector = self.connector(&cfg.name).ok();
                let live = connector.as_ref().is_some_and(|c| c.live());
                let interval = Duration::from_secs(cfg.interval_secs.max(10));
                let jitter = rand::thread_rng().gen_range(0.9..1.1);
                let mut wait = if live {
                    LISTEN_GAP
                } else {
                    interval.mul_f64(jitter)
                };
                // A platform with a daily quota (YouTube) spreads its polls over the day.
                if let Some(floor) = connector.as_ref().and_then(|c| c.poll_floor()) {
                    wait = wait.max(floor);
                }
                let reauth = self
                    .store
                    .sync_state(&cfg.name)
                    .map(|s| s.needs_reauth)
                    .unwrap_or(false);
                if reauth {
                    wait = REAUTH_RETRY;
                }
                if let Some(until) = self
                    .accounts_lock()
                    .runtime
                    .get(&cfg.name)
                    .and_then(|r| r.rate_wait_until)
                {
                    wait = wait.max(Duration::from_millis((until.0 - now.0).max(0) as u64));
                }
                let at = Timestamp(now.0 + wait.as_millis() as i64);
                next.insert(cfg.name.clone(), at);
                self.runtime_mut(&cfg.name, |r| r.next_poll = Some(at));
                if reauth {
                    continue;
                }
                let me = Arc::clone(&self);
                let name = cfg.name.clone();
                let listen = live.then_some(LISTEN_WAIT);
                tokio::spawn(async move {
                    let _ = me.sync_account_as(&name, listen).await;
                });
            }
            let soonest = next.values().min().copied();
            match soonest {
                Some(t) => {
                    let d = Duration::from_millis(
                        (t.0 - Timestamp::now().0).clamp(50, 86_400_000) as u64
                    );
                    tokio::select! {
                        _ = tokio::time::sleep(d) => {}
                        _ = self.sync_wake.notified() => {}
                    }
                }
                None => self.sync_wake.notified().await,
            }
        }
    }
}
