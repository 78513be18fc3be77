//! The event loop: terminal input, engine results and engine events become `Msg`s for
//! `update`; effects run on spawned tasks and report back; frames are drawn only after a change,
//! at most every ~16 ms. Nothing here waits on the store or the network.

use super::app::{App, AppConfig};
use super::msg::{Effect, Msg};
use super::{clipboard, render, terminal, update};
use crate::config::keymap::Keymap;
use crate::config::replies;
use crate::domain::Timestamp;
use crate::engine::Backend;
use crate::i18n::tf;
use crate::setup::Setup;
use crossterm::event::{Event as TermEvent, EventStream};
use futures::StreamExt;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;

const FRAME: Duration = Duration::from_millis(16);

/// Builds the app's settings from the set-up: keymap and saved replies, with their problems.
pub fn config(setup: &Setup) -> (AppConfig, Vec<String>) {
    let (keymap, kerrs) = Keymap::load(&setup.paths.keymap_file());
    let mut problems: Vec<String> = kerrs.iter().map(|e| e.to_string()).collect();
    let replies = match replies::load(&setup.paths.replies_file()) {
        Ok(r) => r,
        Err(e) => {
            problems.push(e.to_string());
            replies::parse(replies::DEFAULT_REPLIES, "built-in").unwrap_or_default()
        }
    };
    let style = match setup.settings.file.schedule.style_sheet.as_str() {
        "" => Default::default(),
        name => {
            // Relative to the config file's folder.
            let path = setup.paths.config_dir.join(name);
            match std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|src| {
                    crate::text::voice::StyleSheet::from_toml(&src).map_err(|e| e.to_string())
                }) {
                Ok(s) => s,
                Err(e) => {
                    problems.push(format!("{}: {e}", path.display()));
                    Default::default()
                }
            }
        }
    };
    let cfg = AppConfig {
        style,
        operator: setup.operator.clone(),
        page_size: setup.settings.file.page_size.clamp(20, 5000),
        snooze_presets: setup.settings.file.snooze_presets.clone(),
        replies,
        keymap,
        export_dir: setup.paths.data_dir.join("exports"),
        drafts_dir: Some(setup.paths.data_dir.join("drafts")),
        zone: setup.settings.zone,
        // Checked when the config was read.
        tag_colors: setup.settings.file.tags.colors().unwrap_or_default(),
        views: setup.settings.file.views.0.clone(),
    };
    (cfg, problems)
}

pub async fn run(
    backend: Arc<dyn Backend>,
    setup: &Setup,
    notices: Vec<String>,
) -> anyhow::Result<()> {
    let (cfg, problems) = config(setup);
    for p in &problems {
        tracing::warn!("{p}");
    }
    let mut app = App::new(cfg, Timestamp::now());
    for n in notices {
        app.info(n);
    }
    if let Some(first) = problems.first() {
        app.error(&tf(
            "tui.msg.config_problem",
            &[("problem", first), ("more", &(problems.len() - 1))],
        ));
    }
    let (mut term, _guard) = terminal::enter()?;
    // Asked before terminal events are read: the answer comes on standard input.
    app.cx.images = super::thumb::detect();
    let size = term.size()?;
    app.size = (size.width, size.height);

    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let mut events = backend.subscribe();
    let mut events_open = true;
    let mut input = EventStream::new();
    let drafts = DraftWriter::start();
    let first = update::start(&mut app);
    run_effects(first, &backend, &tx, &drafts, &app.cx.images);
    let mut last_draw = Instant::now() - FRAME;
    // Benchmark hook: leave after the first frame that shows rows (startup-to-first-frame).
    let exit_after_first_frame = std::env::var_os("KITH_BENCH_FIRST_FRAME").is_some();

    while !app.quit {
        let deadline = app.dirty.then(|| (last_draw + FRAME).max(Instant::now()));
        let msg = tokio::select! {
            ev = input.next() => match ev {
                Some(Ok(e)) => match term_msg(e) { Some(m) => m, None => continue },
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            Some(m) = rx.recv() => m,
            ev = events.recv(), if events_open => match ev {
                Ok(e) => Msg::Engine(e),
                Err(broadcast::error::RecvError::Lagged(_)) => Msg::Lagged,
                Err(broadcast::error::RecvError::Closed) => { events_open = false; continue }
            },
            _ = tokio::time::sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => {
                app.now = Timestamp::now();
                term.draw(|f| render::draw(f, &app))?;
                app.dirty = false;
                last_draw = Instant::now();
                if exit_after_first_frame && !app.list.rows.is_empty() {
                    break;
                }
                continue;
            }
        };
        app.now = Timestamp::now();
        let mut fx = update::update(&mut app, msg);
        // `$EDITOR` takes the terminal: the loop waits for it (nothing else may draw meanwhile).
        let editing = |e: &Effect| matches!(e, Effect::ExternalEdit(_) | Effect::EditFile { .. });
        if let Some(i) = fx.iter().position(editing) {
            let e = fx.remove(i);
            drop(input);
            terminal::restore();
            let msg = match e {
                Effect::EditFile { path, seed } => {
                    Msg::FileEdited(super::rules::edit_file(&path, seed.as_deref()))
                }
                Effect::ExternalEdit(text) => {
                    let dir = app
                        .cfg
                        .drafts_dir
                        .clone()
                        .unwrap_or_else(std::env::temp_dir);
                    Msg::Edited(super::compose::run_external_editor(&text, &dir))
                }
                _ => Msg::Lagged,
            };
            terminal::resume()?;
            term.clear()?;
            input = EventStream::new();
            app.dirty = true;
            let _ = tx.send(msg);
        }
        run_effects(fx, &backend, &tx, &drafts, &app.cx.images);
    }
    // Waits for the last draft write: quitting loses no keystroke.
    drafts.finish();
    Ok(())
}

/// Writes composer drafts in order on one thread, the newest of a burst only.
struct DraftWriter {
    tx: Option<std::sync::mpsc::Sender<(std::path::PathBuf, Option<String>)>>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl DraftWriter {
    fn start() -> DraftWriter {
        let (tx, rx) = std::sync::mpsc::channel::<(std::path::PathBuf, Option<String>)>();
        let handle = std::thread::spawn(move || {
            while let Ok(mut job) = rx.recv() {
                while let Ok(newer) = rx.try_recv() {
                    if newer.0 != job.0 {
                        write(&job);
                    }
                    job = newer;
                }
                write(&job);
            }
        });
        fn write((path, json): &(std::path::PathBuf, Option<String>)) {
            if let Err(e) = super::compose::write_draft(path, json.as_deref()) {
                tracing::warn!("composer draft not saved to {}: {e}", path.display());
            }
        }
        DraftWriter {
            tx: Some(tx),
            handle: Some(handle),
        }
    }

    fn send(&self, path: std::path::PathBuf, json: Option<String>) {
        if let Some(tx) = &self.tx {
            let _ = tx.send((path, json));
        }
    }

    fn finish(mut self) {
        self.tx = None;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn term_msg(e: TermEvent) -> Option<Msg> {
    match e {
        TermEvent::Key(k) => Some(Msg::Key(k)),
        TermEvent::Mouse(m) => Some(Msg::Mouse(m)),
        TermEvent::Paste(s) => Some(Msg::Paste(s)),
        TermEvent::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
    }
}

/// Each request runs on its own task and reports back through the channel.
fn run_effects(
    fx: Vec<Effect>,
    backend: &Arc<dyn Backend>,
    tx: &mpsc::UnboundedSender<Msg>,
    drafts: &DraftWriter,
    images: &Option<Arc<ratatui_image::picker::Picker>>,
) {
    for e in fx {
        match e {
            Effect::Call(pending, req) => {
                let fut = backend.call(req);
                let tx = tx.clone();
                tokio::spawn(async move {
                    let r = fut.await;
                    let _ = tx.send(Msg::Done(pending, r));
                });
            }
            Effect::SaveDraft { path, json } => drafts.send(path, json),
            // Handled by the loop, which owns the terminal.
            Effect::ExternalEdit(_) | Effect::EditFile { .. } => {}
            Effect::ResumeEngine => backend.resume(),
            Effect::ReadPictures { media, adding } => {
                let tx = tx.clone();
                let images = images.clone();
                tokio::task::spawn_blocking(move || {
                    let read = media
                        .into_iter()
                        .map(|m| super::compose::media::Attached::read(m, images.as_deref()))
                        .collect();
                    let _ = tx.send(Msg::PicturesRead { adding, read });
                });
            }
            Effect::Copy(url) => {
                // Validated again right before it reaches the terminal.
                if let Some(url) = clipboard::valid_url(&url) {
                    let mut out = std::io::stdout();
                    let _ = out.write_all(clipboard::osc52(&url).as_bytes());
                    let _ = out.flush();
                }
            }
        }
    }
}
