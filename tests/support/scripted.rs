//! A platform that answers every publish and reply with success after a short while, and
//! records each call (tokio time since start, idempotency key, text): for tests of what the
//! engine sends and when, on tokio's paused clock.

use futures::future::BoxFuture;
use kith::connectors::{
    Connector, FetchPage, Identity, Lookup, Outgoing, RemoteAction, Result, Sent,
};
use kith::domain::{Item, NewItem, Platform, Timestamp};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What was sent: (time since start, idempotency key, text).
pub type Calls = Arc<Mutex<Vec<(Duration, String, String)>>>;

pub struct Recorder {
    pub platform: Platform,
    pub start: tokio::time::Instant,
    pub posts: Calls,
    pub replies: Calls,
}

impl Recorder {
    pub fn new(platform: Platform) -> Arc<Recorder> {
        Arc::new(Recorder {
            platform,
            start: tokio::time::Instant::now(),
            posts: Default::default(),
            replies: Default::default(),
        })
    }

    fn record(&self, calls: &Calls, key: &str, text: &str) {
        calls
            .lock()
            .expect("lock")
            .push((self.start.elapsed(), key.to_string(), text.to_string()));
    }
}

impl Connector for Recorder {
    fn platform(&self) -> Platform {
        self.platform
    }
    fn whoami(&self) -> BoxFuture<'_, Result<Identity>> {
        Box::pin(async {
            Ok(Identity {
                id: "1".into(),
                handle: "shop".into(),
                name: None,
                abilities: Vec::new(),
            })
        })
    }
    fn fetch<'a>(&'a self, _c: Option<&'a str>) -> BoxFuture<'a, Result<FetchPage>> {
        Box::pin(async { Ok(FetchPage::default()) })
    }
    fn thread<'a>(&'a self, _i: &'a Item) -> BoxFuture<'a, Result<Vec<NewItem>>> {
        Box::pin(async { Ok(vec![]) })
    }
    fn reply<'a>(
        &'a self,
        _i: &'a Item,
        text: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            self.record(&self.replies, key, text);
            Ok(Sent {
                native_id: format!("r-{key}"),
                url: Some(format!("https://social.example/@shop/r-{key}")),
            })
        })
    }
    fn act<'a>(&'a self, _i: &'a Item, _a: RemoteAction) -> BoxFuture<'a, Result<()>> {
        Box::pin(async { Ok(()) })
    }
    fn publish<'a>(&'a self, post: &'a Outgoing) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            self.record(&self.posts, &post.idempotency_key, &post.text);
            Ok(Sent {
                native_id: format!("n-{}", post.idempotency_key),
                url: Some(format!(
                    "https://social.example/@shop/{}",
                    post.idempotency_key
                )),
            })
        })
    }
    fn lookup<'a>(
        &'a self,
        _post: &'a Outgoing,
        _since: Timestamp,
    ) -> BoxFuture<'a, Result<Lookup>> {
        Box::pin(async { Ok(Lookup::Unknowable) })
    }
}
