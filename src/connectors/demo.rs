//! The demo connector: accepts every reply after a short, realistic delay and gives it a link.

use super::{Connector, ConnectorError, Sent};
use crate::domain::Item;
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
    fn reply(
        &self,
        item: &Item,
        _text: &str,
        key: &str,
    ) -> BoxFuture<'static, Result<Sent, ConnectorError>> {
        let delay = self.delay;
        let url = format!("https://demo.kith.invalid/{}/{}", item.platform, key);
        let native_id = key.to_string();
        Box::pin(async move {
            tokio::time::sleep(delay).await;
            Ok(Sent {
                native_id,
                url: Some(url),
            })
        })
    }
}
