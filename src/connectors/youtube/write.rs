//! YouTube replies.

use super::Youtube;
use crate::connectors::{ConnectorError, Result, Sent};
use crate::domain::Item;

impl Youtube {
    pub(super) async fn send_reply(&self, _item: &Item, _text: &str, _key: &str) -> Result<Sent> {
        Err(ConnectorError::Unsupported("YouTube: not built yet".into()))
    }
}
