//! A front end's side of the socket: a `Backend` whose calls travel to `kith serve`. Replies are
//! matched to calls by id; events are re-broadcast locally. When the engine goes away every
//! waiting call fails with `Disconnected`, `Event::Connection(false)` is sent, and (for the TUI)
//! the client keeps trying to reconnect, starting the engine again if allowed.

use super::{frame, ClientMsg, IpcError, ServerMsg};
use crate::engine::api::{Event, Operator, Request, Response};
use crate::engine::{Backend, EngineError};
use crate::i18n::tf;
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::unix::OwnedReadHalf;
use tokio::net::UnixStream;
use tokio::sync::{broadcast, mpsc, oneshot};

type Waiting = HashMap<u64, oneshot::Sender<Result<Response, EngineError>>>;

#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub socket: PathBuf,
    pub operator: String,
    /// Keep reconnecting after the engine goes away (the TUI); one-shot commands do not.
    pub reconnect: bool,
    /// How to start the engine again when reconnecting finds none (None: just wait for one).
    pub respawn: Option<super::spawn::SpawnOptions>,
    /// The config file this front end read, told to the engine at the handshake.
    pub config: Option<PathBuf>,
}

/// What the engine said about itself and us at the handshake.
#[derive(Debug, Clone)]
pub struct Attached {
    pub pid: u32,
    pub operator: Operator,
    /// The config file the engine's settings come from.
    pub config: Option<PathBuf>,
}

struct Inner {
    opts: ClientOptions,
    out: Mutex<Option<mpsc::UnboundedSender<ClientMsg>>>,
    waiting: Mutex<Waiting>,
    next: AtomicU64,
    events: broadcast::Sender<Event>,
    attached: Mutex<Option<Attached>>,
    /// The engine said it stops on purpose: reconnect only when asked (`Backend::resume`).
    stopped: std::sync::atomic::AtomicBool,
    resume: tokio::sync::Notify,
}

#[derive(Clone)]
pub struct Remote {
    inner: Arc<Inner>,
    _open: Arc<Open>,
}

/// Dropped with the last `Remote` handle: the connection closes (the engine then drops this
/// front end's draft marks).
struct Open(tokio::sync::watch::Sender<bool>);

impl Drop for Open {
    fn drop(&mut self) {
        let _ = self.0.send(true);
    }
}

impl Remote {
    /// Connects and shakes hands. Call inside a tokio runtime.
    pub async fn connect(opts: ClientOptions) -> Result<Remote, IpcError> {
        let (events, _) = broadcast::channel(1024);
        let inner = Arc::new(Inner {
            opts,
            out: Mutex::new(None),
            waiting: Mutex::new(HashMap::new()),
            next: AtomicU64::new(1),
            events,
            attached: Mutex::new(None),
            stopped: std::sync::atomic::AtomicBool::new(false),
            resume: tokio::sync::Notify::new(),
        });
        let rd = attach(&inner).await?;
        let (open, closed) = tokio::sync::watch::channel(false);
        tokio::spawn(read_loop(Arc::clone(&inner), rd, closed));
        Ok(Remote {
            inner,
            _open: Arc::new(Open(open)),
        })
    }

    pub fn attached(&self) -> Option<Attached> {
        self.inner.attached.lock().ok().and_then(|a| a.clone())
    }

    /// The engine's config file when it is not the one this front end read: engine settings
    /// (team, members, schedule, answer targets) then come from the engine's.
    pub fn settings_elsewhere(&self) -> Option<PathBuf> {
        let engine = self.attached()?.config?;
        let abs = |p: &PathBuf| std::path::absolute(p).unwrap_or_else(|_| p.clone());
        match &self.inner.opts.config {
            Some(mine) if abs(mine) == abs(&engine) => None,
            _ => Some(engine),
        }
    }
}

/// Opens the socket, says hello, waits for the welcome, and installs the writer.
async fn attach(inner: &Arc<Inner>) -> Result<OwnedReadHalf, IpcError> {
    let (rd, tx, attached) = handshake(&inner.opts).await?;
    if let Ok(mut o) = inner.out.lock() {
        *o = Some(tx);
    }
    if let Ok(mut a) = inner.attached.lock() {
        *a = Some(attached);
    }
    Ok(rd)
}

async fn handshake(
    opts: &ClientOptions,
) -> Result<(OwnedReadHalf, mpsc::UnboundedSender<ClientMsg>, Attached), IpcError> {
    let stream = UnixStream::connect(&opts.socket).await.map_err(|e| {
        IpcError::NotRunning(tf(
            "err.ipc_connect",
            &[("socket", &opts.socket.display()), ("error", &e)],
        ))
    })?;
    let (mut rd, mut wr) = stream.into_split();
    let io = |e: std::io::Error| IpcError::Io(tf("err.ipc_io", &[("error", &e)]));
    frame::write(
        &mut wr,
        &ClientMsg::Hello {
            version: super::version(),
            operator: opts.operator.clone(),
            config: opts.config.clone(),
        },
    )
    .await
    .map_err(io)?;
    let welcome = tokio::time::timeout(Duration::from_secs(10), frame::read(&mut rd))
        .await
        .map_err(|_| IpcError::Io(crate::i18n::t("err.ipc_timeout")))?
        .map_err(io)?;
    let attached = match welcome {
        Some(ServerMsg::Welcome {
            pid,
            operator,
            config,
            ..
        }) => Attached {
            pid,
            operator,
            config,
        },
        Some(ServerMsg::Refused(why)) => return Err(IpcError::Refused(why.to_string())),
        _ => return Err(IpcError::Io(crate::i18n::t("err.ipc_handshake"))),
    };
    let (tx, mut rx) = mpsc::unbounded_channel::<ClientMsg>();
    tokio::spawn(async move {
        while let Some(m) = rx.recv().await {
            if frame::write(&mut wr, &m).await.is_err() {
                break;
            }
        }
    });
    Ok((rd, tx, attached))
}

/// Routes everything the engine sends; on loss, fails the waiting calls and reconnects.
async fn read_loop(
    inner: Arc<Inner>,
    mut rd: OwnedReadHalf,
    mut closed: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        loop {
            let msg = tokio::select! {
                m = frame::read::<_, ServerMsg>(&mut rd) => m,
                _ = closed.changed() => {
                    if let Ok(mut o) = inner.out.lock() {
                        *o = None;
                    }
                    return;
                }
            };
            match msg {
                Ok(Some(ServerMsg::Reply { id, result })) => {
                    let w = inner.waiting.lock().ok().and_then(|mut w| w.remove(&id));
                    if let Some(w) = w {
                        let _ = w.send(result);
                    }
                }
                Ok(Some(ServerMsg::Event(e))) => {
                    let _ = inner.events.send(e);
                }
                // Missed events: a reconnect tells front ends to reload everything they show.
                Ok(Some(ServerMsg::Lagged)) => {
                    let _ = inner.events.send(Event::Connection(true));
                }
                Ok(Some(ServerMsg::Stopping)) => inner.stopped.store(true, Ordering::SeqCst),
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        let on_purpose = inner.stopped.swap(false, Ordering::SeqCst);
        lost(&inner, on_purpose);
        if !inner.opts.reconnect {
            return;
        }
        // Stopped on purpose: starting it again at once would undo `kith serve --stop`. The
        // front end asks for it when its operator wants it back.
        if on_purpose {
            tokio::select! {
                _ = inner.resume.notified() => {}
                _ = closed.changed() => return,
            }
        }
        rd = tokio::select! {
            rd = reconnect(&inner) => rd,
            _ = closed.changed() => return,
        };
        let _ = inner.events.send(Event::Connection(true));
    }
}

/// The engine went away: nobody can send, and every waiting call hears so.
fn lost(inner: &Inner, on_purpose: bool) {
    if let Ok(mut o) = inner.out.lock() {
        *o = None;
    }
    let waiting: Vec<_> = inner
        .waiting
        .lock()
        .map(|mut w| w.drain().map(|(_, s)| s).collect())
        .unwrap_or_default();
    for w in waiting {
        let _ = w.send(Err(EngineError::Disconnected));
    }
    let _ = inner.events.send(if on_purpose {
        Event::EngineStopped
    } else {
        Event::Connection(false)
    });
}

/// Tries again with growing pauses (0.2 s up to 2 s) until an engine answers.
async fn reconnect(inner: &Arc<Inner>) -> OwnedReadHalf {
    let mut pause = Duration::from_millis(200);
    loop {
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(2));
        if let Some(sp) = &inner.opts.respawn {
            if let Err(e) = super::spawn::ensure_running(sp).await {
                tracing::warn!("restarting the engine: {e}");
                continue;
            }
        }
        match attach(inner).await {
            Ok(rd) => return rd,
            Err(e) => tracing::debug!("reconnect: {e}"),
        }
    }
}

impl Backend for Remote {
    fn call(&self, req: Request) -> BoxFuture<'static, Result<Response, EngineError>> {
        let inner = Arc::clone(&self.inner);
        Box::pin(async move {
            let id = inner.next.fetch_add(1, Ordering::Relaxed);
            let (tx, rx) = oneshot::channel();
            let out = inner.out.lock().ok().and_then(|o| o.clone());
            let Some(out) = out else {
                return Err(EngineError::Disconnected);
            };
            if let Ok(mut w) = inner.waiting.lock() {
                w.insert(id, tx);
            }
            if out.send(ClientMsg::Call { id, req }).is_err() {
                if let Ok(mut w) = inner.waiting.lock() {
                    w.remove(&id);
                }
                return Err(EngineError::Disconnected);
            }
            rx.await.unwrap_or(Err(EngineError::Disconnected))
        })
    }

    fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.inner.events.subscribe()
    }

    fn resume(&self) {
        self.inner.resume.notify_one();
    }
}

/// Asks the engine at `socket` to stop and waits (up to 10 s) until its socket is gone.
pub async fn stop(socket: &std::path::Path) -> Result<(), IpcError> {
    let stream = UnixStream::connect(socket).await.map_err(|e| {
        IpcError::NotRunning(tf(
            "err.ipc_connect",
            &[("socket", &socket.display()), ("error", &e)],
        ))
    })?;
    let (mut rd, mut wr) = stream.into_split();
    let io = |e: std::io::Error| IpcError::Io(tf("err.ipc_io", &[("error", &e)]));
    frame::write(&mut wr, &ClientMsg::Stop).await.map_err(io)?;
    let _ =
        tokio::time::timeout(Duration::from_secs(5), frame::read::<_, ServerMsg>(&mut rd)).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while socket.exists() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}
