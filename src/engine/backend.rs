//! The one way front ends reach the engine: `call` a request, `subscribe` to events.

use super::api::{Event, Request, Response};
use super::EngineError;
use futures::future::BoxFuture;
use tokio::sync::broadcast;

pub trait Backend: Send + Sync {
    fn call(&self, req: Request) -> BoxFuture<'static, Result<Response, EngineError>>;
    fn subscribe(&self) -> broadcast::Receiver<Event>;
    /// After the engine was stopped on purpose: start it (or wait for it) again.
    fn resume(&self) {}
}
