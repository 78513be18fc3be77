//! YouTube inbox paging: comment threads of the whole channel, pass by pass.

use super::Youtube;
use crate::connectors::{ConnectorError, FetchPage, Result};
use crate::domain::{Item, NewItem};

impl Youtube {
    pub(super) async fn fetch_page(&self, _cursor: Option<&str>) -> Result<FetchPage> {
        Err(ConnectorError::Unsupported("YouTube: not built yet".into()))
    }
    pub(super) async fn fetch_thread(&self, _item: &Item) -> Result<Vec<NewItem>> {
        Err(ConnectorError::Unsupported("YouTube: not built yet".into()))
    }
}
