//! An engine on a temp dir: a real store on disk, operator "anna", accounts added through the
//! engine's own requests, and the few questions tests ask it after a sync.

use super::net;
use kith::connectors::http::Timeouts;
use kith::connectors::secrets::SecretSource;
use kith::connectors::{AccountConfig, ConnectContext};
use kith::domain::post::{NewPost, NewTarget, Post};
use kith::domain::{ItemId, Timestamp};
use kith::engine::api::{Request, Response, SyncReport};
use kith::engine::Engine;
use kith::store::Store;
use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;

/// An engine on the store in `dir`, its connectors built the default way.
pub fn open(dir: &Path) -> Arc<Engine> {
    Engine::new(Store::open(dir).expect("store"), "anna")
}

/// An engine on the store in `dir`, its connectors built with `ctx`.
pub fn open_with(dir: &Path, ctx: ConnectContext) -> Arc<Engine> {
    Engine::with_context(Store::open(dir).expect("store"), "anna", ctx)
}

/// Adds `cfg` through the engine, as `kith account add --no-test` does.
pub async fn add_account(engine: &Arc<Engine>, cfg: AccountConfig) {
    engine
        .call(Request::AccountAdd {
            cfg,
            replace: false,
            secret: None,
            user_secret: None,
        })
        .await
        .expect("add account");
}

/// One sync pass of `account`.
pub async fn sync(engine: &Arc<Engine>, account: &str) -> SyncReport {
    match engine
        .call(Request::Sync {
            account: Some(account.into()),
        })
        .await
        .expect("sync")
    {
        Response::Synced(mut v) => v.remove(0),
        other => panic!("unexpected {other:?}"),
    }
}

/// A target on `account`, everything else as default.
pub fn target(account: &str) -> NewTarget {
    NewTarget {
        account: account.into(),
        ..Default::default()
    }
}

/// A post of `text` to `target` alone, due at `due_at` (`None`: the queue decides).
pub fn new_post(text: &str, target: NewTarget, due_at: Option<Timestamp>) -> NewPost {
    NewPost {
        text: text.into(),
        targets: vec![target],
        due_at,
        media: Vec::new(),
    }
}

/// Creates `post` (into the queue when `queue`) and returns it as stored.
pub async fn create_post(engine: &Arc<Engine>, post: NewPost, queue: bool) -> Post {
    match engine
        .call(Request::PostCreate { post, queue })
        .await
        .expect("create")
    {
        Response::Post(p) => *p,
        other => panic!("{other:?}"),
    }
}

/// An engine that owns its temp dir, so the store lives exactly as long as the test needs it.
pub struct TempEngine {
    pub dir: tempfile::TempDir,
    pub engine: Arc<Engine>,
}

impl TempEngine {
    /// On a fresh temp dir, connectors built with the context `ctx` makes for that dir.
    pub fn new(ctx: impl FnOnce(&Path) -> ConnectContext) -> TempEngine {
        let dir = tempfile::tempdir().expect("tmp");
        let engine = open_with(dir.path(), ctx(dir.path()));
        TempEngine { dir, engine }
    }

    /// With the account `cfg` on a local server, its secret `secret` read from the environment
    /// variable `var` (one per test: tests share the process), connectors with `timeouts` and
    /// two quick attempts.
    pub async fn connected(
        cfg: AccountConfig,
        var: &str,
        secret: &str,
        timeouts: Timeouts,
    ) -> TempEngine {
        std::env::set_var(var, secret);
        let e = TempEngine::new(|dir| net::context(dir, timeouts, net::TWICE));
        let cfg = AccountConfig {
            secret: SecretSource::Env(var.into()),
            ..cfg
        };
        add_account(&e, cfg).await;
        e
    }

    /// On `dir` (a store left by an earlier engine, say), connectors built the default way.
    pub fn in_dir(dir: tempfile::TempDir) -> TempEngine {
        let engine = open(dir.path());
        TempEngine { dir, engine }
    }

    /// The stored item with this native id on `account`.
    pub fn id_of(&self, account: &str, native: &str) -> ItemId {
        self.stored(account, native).expect("stored")
    }

    /// The stored item with this native id on `account`, if any.
    pub fn stored(&self, account: &str, native: &str) -> Option<ItemId> {
        self.engine
            .store()
            .id_by_native(account, native)
            .expect("lookup")
    }
}

impl Deref for TempEngine {
    type Target = Arc<Engine>;

    fn deref(&self) -> &Arc<Engine> {
        &self.engine
    }
}

/// Native ids of every item in the store at `data` (opened after a kill), checking that the
/// store is consistent and holds no item twice.
pub fn native_ids_once(data: &Path) -> std::collections::HashSet<String> {
    let store = kith::store::Store::open(data).expect("open after kill");
    assert_eq!(store.check().expect("check"), Vec::<String>::new());
    let mut seen = std::collections::HashSet::new();
    let mut after = None;
    loop {
        let page = store
            .list(&kith::engine::api::ListQuery {
                filter: Default::default(),
                after,
                before: None,
                limit: 1000,
            })
            .expect("list");
        for i in &page.items {
            assert!(seen.insert(i.native_id.clone()), "{} twice", i.native_id);
        }
        if !page.more {
            return seen;
        }
        after = page.cursor;
    }
}
