//! The demo connector: accepts every reply and action after a short, realistic delay and gives
//! replies a link. It never fetches: the demo workspace is loaded from bundled files.

use super::{Connector, FetchPage, Identity, Outgoing, RemoteAction, Result, Sent};
use crate::domain::{Item, NewItem, Platform};
use futures::future::BoxFuture;
use std::time::Duration;

pub struct DemoConnector {
    pub delay: Duration,
}

impl Default for DemoConnector {
    fn default() -> Self {
        DemoConnector {
            delay: Duration::from_millis(250),
        }
    }
}

impl Connector for DemoConnector {
    fn platform(&self) -> Platform {
        Platform::File
    }

    fn whoami(&self) -> BoxFuture<'_, Result<Identity>> {
        Box::pin(async {
            Ok(Identity {
                id: "demo".into(),
                handle: "demo".into(),
                name: None,
                abilities: Vec::new(),
            })
        })
    }

    fn fetch<'a>(&'a self, _cursor: Option<&'a str>) -> BoxFuture<'a, Result<FetchPage>> {
        Box::pin(async { Ok(FetchPage::default()) })
    }

    fn thread<'a>(&'a self, _item: &'a Item) -> BoxFuture<'a, Result<Vec<NewItem>>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    fn reply<'a>(
        &'a self,
        item: &'a Item,
        _text: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Sent>> {
        let url = format!("https://demo.kith.invalid/{}/{}", item.platform, key);
        Box::pin(async move {
            tokio::time::sleep(self.delay).await;
            Ok(Sent {
                native_id: key.to_string(),
                url: Some(url),
            })
        })
    }

    /// The demo answers every way a platform offers (a private reply, a tagged message) alike.
    fn reply_with<'a>(
        &'a self,
        item: &'a Item,
        text: &'a str,
        key: &'a str,
        _how: crate::domain::messaging::Delivery,
    ) -> BoxFuture<'a, Result<Sent>> {
        self.reply(item, text, key)
    }

    fn publish<'a>(&'a self, post: &'a Outgoing) -> BoxFuture<'a, Result<Sent>> {
        let url = format!("https://demo.kith.invalid/post/{}", post.idempotency_key);
        Box::pin(async move {
            tokio::time::sleep(self.delay).await;
            Ok(Sent {
                native_id: post.idempotency_key.clone(),
                url: Some(url),
            })
        })
    }

    fn upload<'a>(
        &'a self,
        picture: &'a crate::domain::media::Picture,
    ) -> BoxFuture<'a, Result<String>> {
        Box::pin(async move {
            tokio::time::sleep(self.delay).await;
            Ok(format!(
                "demo-{}-{}",
                picture.bytes.len(),
                picture.kind.ext()
            ))
        })
    }

    fn act<'a>(&'a self, _item: &'a Item, _action: RemoteAction) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            tokio::time::sleep(self.delay).await;
            Ok(())
        })
    }
}
