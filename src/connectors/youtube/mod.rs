//! YouTube Data API v3 connector. Being built: see issue 16.

use super::http::Http;
use super::{
    AccountConfig, Connector, ConnectorError, FetchPage, Identity, RemoteAction, Result, Sent,
};
use crate::domain::{Item, NewItem, Platform};
use futures::future::BoxFuture;
use std::path::{Path, PathBuf};

pub struct Youtube {
    #[allow(dead_code)]
    cfg: AccountConfig,
    #[allow(dead_code)]
    secret: String,
    #[allow(dead_code)]
    http: Http,
    #[allow(dead_code)]
    data_dir: PathBuf,
}

impl Youtube {
    /// `secret` is a bare access token or the JSON token set the device flow kept; refreshed
    /// tokens and the quota ledger live under `data_dir`.
    pub fn new(cfg: &AccountConfig, secret: String, http: Http, data_dir: &Path) -> Youtube {
        Youtube {
            cfg: cfg.clone(),
            secret,
            http,
            data_dir: data_dir.to_path_buf(),
        }
    }
}

fn not_yet<T: Send + 'static>() -> BoxFuture<'static, Result<T>> {
    Box::pin(async { Err(ConnectorError::Unsupported("YouTube: not built yet".into())) })
}

impl Connector for Youtube {
    fn platform(&self) -> Platform {
        Platform::Youtube
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
