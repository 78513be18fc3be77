//! Mastodon connector (being written).

use super::http::Http;
use super::{AccountConfig, Action, Connector, ConnectorError, FetchPage, Identity, Result, Sent};
use crate::domain::{Item, NewItem, Platform};
use futures::future::BoxFuture;

pub struct Mastodon {
    #[allow(dead_code)]
    cfg: AccountConfig,
    #[allow(dead_code)]
    http: Http,
}

impl Mastodon {
    pub fn new(cfg: &AccountConfig, _secret: String, http: Http) -> Self {
        Mastodon {
            cfg: cfg.clone(),
            http,
        }
    }
}

fn todo<T>() -> Result<T> {
    Err(ConnectorError::Unsupported("not implemented yet".into()))
}

impl Connector for Mastodon {
    fn platform(&self) -> Platform {
        Platform::Mastodon
    }
    fn whoami(&self) -> BoxFuture<'_, Result<Identity>> {
        Box::pin(async { todo() })
    }
    fn fetch<'a>(&'a self, _cursor: Option<&'a str>) -> BoxFuture<'a, Result<FetchPage>> {
        Box::pin(async { todo() })
    }
    fn thread<'a>(&'a self, _item: &'a Item) -> BoxFuture<'a, Result<Vec<NewItem>>> {
        Box::pin(async { todo() })
    }
    fn reply<'a>(
        &'a self,
        _item: &'a Item,
        _text: &'a str,
        _key: &'a str,
    ) -> BoxFuture<'a, Result<Sent>> {
        Box::pin(async { todo() })
    }
    fn act<'a>(&'a self, _item: &'a Item, _action: Action) -> BoxFuture<'a, Result<()>> {
        Box::pin(async { todo() })
    }
}
