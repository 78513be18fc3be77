//! The in-process `Backend`: the engine runs inside this process; store work runs on tokio's
//! blocking pool so no caller's async thread ever waits on disk.

use super::api::{Event, Request, Response};
use super::{Backend, Engine, EngineError};
use futures::future::BoxFuture;
use std::sync::Arc;
use tokio::sync::broadcast;

#[derive(Clone)]
pub struct InProcess {
    engine: Arc<Engine>,
}

impl InProcess {
    pub fn new(engine: Arc<Engine>) -> Self {
        InProcess { engine }
    }

    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }
}

impl Backend for InProcess {
    fn call(&self, req: Request) -> BoxFuture<'static, Result<Response, EngineError>> {
        let engine = Arc::clone(&self.engine);
        Box::pin(async move { engine.call(req).await })
    }

    fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.engine.subscribe()
    }
}
