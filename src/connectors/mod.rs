//! Connectors: how kith talks to each platform. Only this layer speaks HTTP. For now the demo
//! connector records replies locally so the whole loop works offline; platform connectors follow.

mod demo;

pub use demo::DemoConnector;

use crate::domain::Item;
use futures::future::BoxFuture;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectorError {
    #[error("the platform refused: {0}")]
    Refused(String),
    #[error("network: {0}")]
    Network(String),
}

/// What a platform said after accepting something we sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub native_id: String,
    pub url: Option<String>,
}

pub trait Connector: Send + Sync {
    /// Sends `text` as a reply to `item`. `idempotency_key` is unique per reply, so a retry with the
    /// same key never posts twice where the platform honours it.
    fn reply(
        &self,
        item: &Item,
        text: &str,
        idempotency_key: &str,
    ) -> BoxFuture<'static, Result<Sent, ConnectorError>>;
}
