//! VK API connector (v5.199, pinned). Being built: see issue 16.

use super::http::Http;
use super::{
    AccountConfig, Connector, ConnectorError, FetchPage, Identity, RemoteAction, Result, Sent,
};
use crate::domain::{Item, NewItem, Platform};
use futures::future::BoxFuture;

pub struct Vk {
    #[allow(dead_code)]
    cfg: AccountConfig,
    #[allow(dead_code)]
    token: String,
    #[allow(dead_code)]
    user_token: Option<String>,
    #[allow(dead_code)]
    http: Http,
}

impl Vk {
    /// `token` is the community token; `user_token` an admin's user token, when given.
    pub fn new(cfg: &AccountConfig, token: String, user_token: Option<String>, http: Http) -> Vk {
        Vk {
            cfg: cfg.clone(),
            token,
            user_token,
            http,
        }
    }
}

fn not_yet<T: Send + 'static>() -> BoxFuture<'static, Result<T>> {
    Box::pin(async { Err(ConnectorError::Unsupported("VK: not built yet".into())) })
}

impl Connector for Vk {
    fn platform(&self) -> Platform {
        Platform::Vk
    }
    fn whoami(&self) -> BoxFuture<'_, Result<Identity>> {
        not_yet()
    }
    fn fetch<'a>(&'a self, _cursor: Option<&'a str>) -> BoxFuture<'a, Result<FetchPage>> {
        not_yet()
    }
    fn thread<'a>(&'a self, _item: &'a Item) -> BoxFuture<'a, Result<Vec<NewItem>>> {
        not_yet()
    }
    fn reply<'a>(
        &'a self,
        _item: &'a Item,
        _text: &'a str,
        _key: &'a str,
    ) -> BoxFuture<'a, Result<Sent>> {
        not_yet()
    }
    fn act<'a>(&'a self, _item: &'a Item, _action: RemoteAction) -> BoxFuture<'a, Result<()>> {
        not_yet()
    }
}
