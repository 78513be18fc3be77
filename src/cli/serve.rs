//! `kith serve`: the engine as its own process, and how every other command finds it.

use crate::engine::{Backend, Engine, InProcess};
use crate::i18n::{ph, t, tf, Phrase};
use crate::ipc::spawn::{self, SpawnOptions};
use crate::ipc::{server, ClientOptions, IpcError, Remote};
use crate::setup::Setup;
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
    tokio::spawn(watch_settings(
        Arc::clone(&engine),
        s.paths.config_file.clone(),
        s.paths.config_explicit,
    ));
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

/// What identifies a version of the config file (missing counts as a version too).
fn stamp(path: &std::path::Path) -> Option<(std::time::SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// Picks up engine settings changed in the config file while the engine runs: a good file is
/// applied and every front end told so; a bad one is kept out (the settings in force stay) and
/// every front end told why.
async fn watch_settings(engine: Arc<Engine>, path: std::path::PathBuf, explicit: bool) {
    let rules = path.with_file_name("rules.toml");
    let mut seen = stamp(&path);
    let mut seen_rules = stamp(&rules);
    let mut rules_at = tokio::time::Instant::now();
    let mut tick = tokio::time::interval(Duration::from_secs(2));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now = stamp(&rules);
        // The rules' context (top members, people named) ages: read again every 10 minutes.
        if now != seen_rules || rules_at.elapsed() >= Duration::from_secs(600) {
            let changed = now != seen_rules;
            seen_rules = now;
            rules_at = tokio::time::Instant::now();
            reload_rules(&engine, &rules, changed);
        }
        let now = stamp(&path);
        if now == seen {
            continue;
        }
        seen = now;
        let shown = path.display().to_string();
        let loaded = crate::config::Settings::load(&path, explicit)
            .map_err(anyhow::Error::from)
            .and_then(|s| engine.apply_settings(s.engine).map_err(anyhow::Error::from));
        match loaded {
            Ok(_) => {
                tracing::info!("engine settings reloaded from {shown}");
                engine.notice(ph("notice.settings_reloaded", &[("path", &shown)]), false);
            }
            Err(e) => {
                tracing::warn!("config {shown} not applied: {e:#}");
                engine.notice(
                    ph("notice.settings_bad", &[("path", &shown)])
                        .with("error", Phrase::raw(format!("{e:#}"))),
                    true,
                );
            }
        }
    }
}

/// Puts the rules file in force again; says so to every front end when it changed.
fn reload_rules(engine: &Engine, path: &std::path::Path, changed: bool) {
    let shown = path.display().to_string();
    match engine.load_rules_file(path) {
        Ok(n) if changed => {
            tracing::info!("{n} rules in force from {shown}");
            engine.notice(
                ph("notice.rules_reloaded", &[("path", &shown), ("n", &n)]),
                false,
            );
        }
        Ok(_) => {}
        Err(e) => {
            tracing::warn!("rules {shown} not applied: {e}");
            if changed {
                engine.notice(
                    ph("notice.rules_bad", &[("path", &shown)])
                        .with("error", Phrase::raw(e.to_string())),
                    true,
                );
            }
        }
    }
}

/// Opens the store, waiting a little when a one-shot command holds it right now.
async fn open_with_wait(s: &Setup) -> Result<Arc<Engine>> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match s.open_engine() {
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
        config: Some(s.paths.config_file.clone()),
    })
    .await
    .map_err(|e| anyhow!(e.to_string()))
}

/// How long a one-shot command waits for a store another command holds right now.
const LOCK_WAIT: Duration = Duration::from_secs(60);

/// A one-shot command's backend: the running engine if there is one, else the engine inside
/// this process (started for this command only). When another command holds the store right
/// now (they hold it for a moment each), this one waits its turn, attaching at once if an
/// engine starts meanwhile; it says what it waits for after a second, and gives up only after
/// `LOCK_WAIT` (a `--no-daemon` TUI may hold it for hours).
pub async fn for_command(s: &Setup, no_daemon: bool) -> Result<Box<dyn Backend>> {
    let socket = crate::ipc::socket_path(&s.paths.data_dir);
    let opts = ClientOptions {
        socket: socket.clone(),
        operator: s.operator.clone(),
        reconnect: false,
        respawn: None,
        config: Some(s.paths.config_file.clone()),
    };
    let started = tokio::time::Instant::now();
    let mut told = false;
    loop {
        if !no_daemon && spawn::probe(&socket).await {
            let remote = Remote::connect(opts)
                .await
                .map_err(|e| anyhow!(e.to_string()))?;
            warn_settings_elsewhere(&remote);
            return Ok(Box::new(remote));
        }
        match s.open_engine() {
            Ok(engine) => {
                for w in engine.store().warnings() {
                    eprintln!("{w}");
                }
                engine.start();
                return Ok(Box::new(InProcess::new(engine)));
            }
            Err(e) if !no_daemon && is_locked(&e) && started.elapsed() < LOCK_WAIT => {
                if !told && started.elapsed() > Duration::from_secs(1) {
                    told = true;
                    if let Some(StoreError::Locked { holder, .. }) = e.downcast_ref::<StoreError>()
                    {
                        eprintln!("{}", tf("cli.waiting_store", &[("holder", holder)]));
                    }
                }
                // Spread out, so that many waiting commands do not retry in step.
                let pause = 20 + rand::random::<u64>() % 60;
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// One line on stderr when the engine's settings come from another config file than ours.
pub fn warn_settings_elsewhere(remote: &Remote) {
    if let Some(theirs) = remote.settings_elsewhere() {
        eprintln!(
            "{}",
            tf("cli.settings_elsewhere", &[("path", &theirs.display())])
        );
    }
}

fn is_locked(e: &anyhow::Error) -> bool {
    matches!(
        e.downcast_ref::<StoreError>(),
        Some(StoreError::Locked { .. })
    )
}
