//! `kith serve`: the engine listening on its socket. Each connection says hello (version and
//! operator), then sends calls and receives replies and every engine event. Only the user who
//! owns the engine can connect: the socket lives in a 0700 directory, is created 0600, and each
//! peer's uid is checked.

use super::{frame, path, ClientMsg, ServerMsg};
use crate::domain::ItemId;
use crate::engine::api::{Request, Response};
use crate::engine::Engine;
use crate::i18n::{ph, tf};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{broadcast, mpsc, watch};

/// A bound socket; removed from the file system when dropped.
pub struct Listener {
    listener: UnixListener,
    path: PathBuf,
    ino: u64,
}

impl Drop for Listener {
    fn drop(&mut self) {
        // Only our own socket: a newer engine may already have replaced the file.
        if socket_ino(&self.path) == Some(self.ino) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn socket_ino(p: &Path) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(p).ok().map(|m| m.ino())
}

/// Binds the socket for a data dir. A live engine already there is an error; a stale socket
/// file (nothing listening) is removed first.
pub async fn bind(socket: &Path) -> Result<Listener, String> {
    path::prepare_dir(socket)?;
    if socket.exists() {
        if UnixStream::connect(socket).await.is_ok() {
            return Err(tf("err.ipc_running", &[("socket", &socket.display())]));
        }
        let _ = std::fs::remove_file(socket);
    }
    // The socket is born 0600: no window in which another user could connect.
    // SAFETY: umask only swaps the process's file mode mask; it cannot fail.
    let old = unsafe { libc::umask(0o177) };
    let bound = UnixListener::bind(socket);
    // SAFETY: as above, restoring the previous mask.
    unsafe { libc::umask(old) };
    let listener = bound.map_err(|e| {
        tf(
            "err.ipc_bind",
            &[("socket", &socket.display()), ("error", &e)],
        )
    })?;
    let ino = socket_ino(socket).unwrap_or(0);
    Ok(Listener {
        listener,
        path: socket.to_path_buf(),
        ino,
    })
}

/// Serves until `stop` turns true (a Stop message, a signal, or the socket file vanishing).
pub async fn run(engine: Arc<Engine>, listener: Listener, stop: watch::Sender<bool>) {
    let mut stopped = stop.subscribe();
    let mut check = tokio::time::interval(Duration::from_secs(30));
    check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            acc = listener.listener.accept() => match acc {
                Ok((stream, _)) => {
                    let engine = Arc::clone(&engine);
                    let stop = stop.clone();
                    connections.spawn(async move { connection(engine, stream, stop).await });
                }
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            _ = stopped.changed() => break,
            _ = check.tick() => {
                // The data dir was deleted or another engine took the socket: nobody can reach
                // us any more, so leave rather than linger.
                if socket_ino(&listener.path) != Some(listener.ino) {
                    tracing::warn!("socket {} is gone; stopping", listener.path.display());
                    break;
                }
            }
        }
    }
    // Every front end hears that the stop is on purpose before the socket closes.
    let _ = stop.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while connections.join_next().await.is_some() {}
    })
    .await;
}

/// Whether the peer runs as the same user as the engine.
fn same_user(stream: &UnixStream) -> bool {
    // SAFETY: geteuid takes no arguments and cannot fail.
    let me = unsafe { libc::geteuid() };
    stream.peer_cred().map(|c| c.uid() == me).unwrap_or(false)
}

async fn connection(engine: Arc<Engine>, stream: UnixStream, stop: watch::Sender<bool>) {
    if !same_user(&stream) {
        tracing::warn!("refused a connection from another user");
        return;
    }
    let (mut rd, mut wr) = stream.into_split();
    let hello = tokio::time::timeout(Duration::from_secs(5), frame::read::<_, ClientMsg>(&mut rd));
    let operator = match hello.await {
        Ok(Ok(Some(ClientMsg::Hello {
            version, operator, ..
        }))) => {
            if version != super::version() {
                let msg = ph(
                    "err.ipc_version",
                    &[("engine", &super::version()), ("client", &version)],
                );
                let _ = frame::write(&mut wr, &ServerMsg::Refused(msg)).await;
                return;
            }
            if operator.trim().is_empty() || operator.chars().any(char::is_control) {
                let msg = ph("err.operator", &[("value", &format!("{operator:?}"))]);
                let _ = frame::write(&mut wr, &ServerMsg::Refused(msg)).await;
                return;
            }
            operator
        }
        Ok(Ok(Some(ClientMsg::Stop))) => {
            let _ = frame::write(&mut wr, &ServerMsg::Stopping).await;
            let _ = stop.send(true);
            return;
        }
        _ => return,
    };
    let Ok(Response::Operator(me)) = engine.call_as(&operator, Request::WhoAmI).await else {
        return;
    };
    let welcome = ServerMsg::Welcome {
        version: super::version(),
        pid: std::process::id(),
        operator: me.clone(),
        config: engine.settings_file(),
    };
    if frame::write(&mut wr, &welcome).await.is_err() {
        return;
    }
    // One writer task owns the socket's write half; replies and events queue for it.
    let (tx, mut rx) = mpsc::unbounded_channel::<ServerMsg>();
    // What every operator should know about the data dir (e.g. others can read it).
    for w in engine.store().warnings() {
        let _ = tx.send(ServerMsg::Event(crate::engine::api::Event::Notice {
            phrase: w.clone(),
            error: true,
        }));
    }
    let writer = tokio::spawn(async move {
        while let Some(m) = rx.recv().await {
            if frame::write(&mut wr, &m).await.is_err() {
                break;
            }
        }
    });
    let mut events = engine.subscribe();
    let mut drafting: HashSet<ItemId> = HashSet::new();
    let mut stopping = stop.subscribe();
    loop {
        tokio::select! {
            _ = stopping.wait_for(|s| *s) => {
                let _ = tx.send(ServerMsg::Stopping);
                break;
            }
            msg = frame::read::<_, ClientMsg>(&mut rd) => match msg {
                Ok(Some(ClientMsg::Call { id, req })) => {
                    if let Request::Drafting { id: item, active } = &req {
                        if *active { drafting.insert(*item); } else { drafting.remove(item); }
                    }
                    let engine = Arc::clone(&engine);
                    let tx = tx.clone();
                    let op = operator.clone();
                    tokio::spawn(async move {
                        let result = engine.call_as(&op, req).await;
                        let _ = tx.send(ServerMsg::Reply { id, result });
                    });
                }
                Ok(Some(ClientMsg::Stop)) => {
                    if me.read_only {
                        let _ = tx.send(ServerMsg::Refused(ph("err.read_only", &[("operator", &crate::text::sanitize_line(&operator, 64).text)])));
                        continue;
                    }
                    let _ = stop.send(true);
                }
                Ok(Some(ClientMsg::Hello { .. })) => {}
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!("bad message from {operator}: {e}");
                    break;
                }
            },
            ev = events.recv() => match ev {
                Ok(e) => { let _ = tx.send(ServerMsg::Event(e)); }
                Err(broadcast::error::RecvError::Lagged(_)) => { let _ = tx.send(ServerMsg::Lagged); }
                Err(broadcast::error::RecvError::Closed) => break,
            },
        }
    }
    // Drafts this front end left open are closed for everyone else.
    for id in drafting {
        let _ = engine.drafting(&operator, id, false);
    }
    drop(tx);
    let _ = writer.await;
}
