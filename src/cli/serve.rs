//! `kith serve`: the engine as its own process, and how every other command finds it.

use super::commands::{open_engine, Setup};
use crate::engine::{Backend, Engine, InProcess};
use crate::i18n::{t, tf};
use crate::ipc::spawn::{self, SpawnOptions};
use crate::ipc::{server, ClientOptions, IpcError, Remote};
use crate::store::StoreError;
use anyhow::{anyhow, Result};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Runs the engine until stopped (`kith serve --stop`, SIGTERM, SIGINT, SIGHUP), or stops the
/// running one.
pub async fn run(s: &Setup, stop: bool) -> Result<ExitCode> {
    let socket = crate::ipc::socket_path(&s.paths.data_dir);
    if stop {
        return match crate::ipc::client::stop(&socket).await {
            Ok(()) => {
                println!("{}", t("cli.serve_stopped"));
                Ok(ExitCode::SUCCESS)
            }
            Err(IpcError::NotRunning(_)) => {
                println!("{}", t("cli.serve_not_running"));
                Ok(ExitCode::from(1))
            }
            Err(e) => Err(anyhow!(e.to_string())),
        };
    }
    // Bind first: a second `kith serve` must fail on the socket, not wait on the store lock.
    let listener = server::bind(&socket).await.map_err(|e| anyhow!(e))?;
    let engine = open_with_wait(s).await?;
    engine.start();
    engine.start_sync();
    engine.start_outbox();
    let (stop_tx, _) = tokio::sync::watch::channel(false);
    let signals = stop_tx.clone();
    tokio::spawn(async move {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut int), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
            signal(SignalKind::hangup()),
        ) else {
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
            _ = hup.recv() => {}
        }
        let _ = signals.send(true);
    });
    tracing::info!("engine {} serving {}", std::process::id(), socket.display());
    server::run(Arc::clone(&engine), listener, stop_tx).await;
    // Every change is flushed as it is made; this makes sure of it before leaving.
    let flushed = engine.store().flush();
    tracing::info!("engine {} stopped", std::process::id());
    flushed?;
    Ok(ExitCode::SUCCESS)
}

/// Opens the store, waiting a little when a one-shot command holds it right now.
async fn open_with_wait(s: &Setup) -> Result<Arc<Engine>> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match open_engine(s) {
            Err(e)
                if matches!(
                    e.downcast_ref::<StoreError>(),
                    Some(StoreError::Locked { .. })
                ) && tokio::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            other => return other,
        }
    }
}

fn spawn_options(s: &Setup) -> Result<SpawnOptions> {
    Ok(SpawnOptions {
        exe: std::env::current_exe().map_err(|e| anyhow!(tf("err.ipc_exe", &[("error", &e)])))?,
        data_dir: s.paths.data_dir.clone(),
        config: s.paths.config_explicit.then(|| s.paths.config_file.clone()),
        lang: Some(crate::i18n::current().code().to_string()),
        operator: s.operator.clone(),
        socket: crate::ipc::socket_path(&s.paths.data_dir),
    })
}

/// The TUI's backend: the running engine, started in the background when none runs. The
/// connection comes back by itself if the engine dies.
pub async fn attach_or_spawn(s: &Setup) -> Result<Remote> {
    let sp = spawn_options(s)?;
    spawn::ensure_running(&sp)
        .await
        .map_err(|e| anyhow!(e.to_string()))?;
    Remote::connect(ClientOptions {
        socket: sp.socket.clone(),
        operator: s.operator.clone(),
        reconnect: true,
        respawn: Some(sp),
    })
    .await
    .map_err(|e| anyhow!(e.to_string()))
}

/// A one-shot command's backend: the running engine if there is one, else the engine inside
/// this process (started for this command only).
pub async fn for_command(s: &Setup, no_daemon: bool) -> Result<Box<dyn Backend>> {
    let socket = crate::ipc::socket_path(&s.paths.data_dir);
    let opts = ClientOptions {
        socket: socket.clone(),
        operator: s.operator.clone(),
        reconnect: false,
        respawn: None,
    };
    if !no_daemon && spawn::probe(&socket).await {
        return Ok(Box::new(
            Remote::connect(opts)
                .await
                .map_err(|e| anyhow!(e.to_string()))?,
        ));
    }
    match open_engine(s) {
        Ok(engine) => {
            engine.start();
            Ok(Box::new(InProcess::new(engine)))
        }
        // An engine may be starting right now: it holds the store before it listens.
        Err(e) if !no_daemon && is_locked(&e) => {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
            while tokio::time::Instant::now() < deadline {
                if spawn::probe(&socket).await {
                    return Ok(Box::new(
                        Remote::connect(opts)
                            .await
                            .map_err(|e| anyhow!(e.to_string()))?,
                    ));
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e)
        }
        Err(e) => Err(e),
    }
}

fn is_locked(e: &anyhow::Error) -> bool {
    matches!(
        e.downcast_ref::<StoreError>(),
        Some(StoreError::Locked { .. })
    )
}
