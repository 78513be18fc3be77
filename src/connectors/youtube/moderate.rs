//! YouTube moderation.

use super::Youtube;
use crate::connectors::{ConnectorError, RemoteAction, Result};
use crate::domain::Item;

impl Youtube {
    pub(super) async fn do_act(&self, _item: &Item, _action: RemoteAction) -> Result<()> {
        Err(ConnectorError::Unsupported("YouTube: not built yet".into()))
    }
}
