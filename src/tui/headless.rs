//! Driving the app without a terminal: feed keys, run effects against a backend to completion.
//! Used by tests; also handy for scripted demos.

use super::app::App;
use super::msg::{Effect, Msg};
use super::update::update;
use crate::config::keymap::{Chord, Key};
use crate::engine::api::Event;
use crate::engine::Backend;
use crossterm::event::KeyEvent;
use tokio::sync::broadcast;

/// A key event for a keymap chord spelling (`j`, `ctrl-s`, `enter`, `G`).
pub fn key(spec: &str) -> KeyEvent {
    super::keys::key_event(Chord::parse(spec).unwrap_or(Chord::plain(Key::Esc)))
}

/// Runs effects (and whatever they lead to, and pending engine events) until nothing is left.
/// Returns the clipboard writes asked for.
pub async fn settle(
    app: &mut App,
    backend: &dyn Backend,
    events: &mut broadcast::Receiver<Event>,
    first: Vec<Effect>,
) -> Vec<String> {
    let mut queue: std::collections::VecDeque<Effect> = first.into();
    let mut copies = Vec::new();
    for _ in 0..100_000 {
        if let Some(e) = queue.pop_front() {
            match e {
                Effect::Call(p, req) => {
                    let r = backend.call(req).await;
                    queue.extend(update(app, Msg::Done(p, r)));
                }
                Effect::Copy(u) => copies.push(u),
                Effect::SaveDraft { path, json } => {
                    if let Err(e) = super::compose::write_draft(&path, json.as_deref()) {
                        tracing::warn!("draft not saved: {e}");
                    }
                }
                // No terminal to hand over: the text stays as it is.
                Effect::ExternalEdit(_) => {}
                // No editor either: the file is seeded as the real loop would, then "closed"
                // without a change.
                Effect::EditFile { path, seed } => {
                    let r = super::rules::seed_file(&path, seed.as_deref()).and_then(|wrote| {
                        let seeded = seed.as_deref().filter(|_| wrote);
                        super::rules::keep_unless_untouched(&path, seeded)
                    });
                    queue.extend(update(app, Msg::FileEdited(r)));
                }
                Effect::ResumeEngine => backend.resume(),
                Effect::ReadPictures { media, adding } => {
                    let images = app.images.clone();
                    let read = media
                        .into_iter()
                        .map(|m| super::compose::media::Attached::read(m, images.as_deref()))
                        .collect();
                    queue.extend(update(app, Msg::PicturesRead { adding, read }));
                }
            }
            continue;
        }
        match events.try_recv() {
            Ok(ev) => queue.extend(update(app, Msg::Engine(ev))),
            Err(broadcast::error::TryRecvError::Lagged(_)) => {
                queue.extend(update(app, Msg::Lagged))
            }
            Err(_) => break,
        }
    }
    copies
}

/// Types each space-separated key spec, settling after each.
pub async fn press(
    app: &mut App,
    backend: &dyn Backend,
    events: &mut broadcast::Receiver<Event>,
    keys: &str,
) -> Vec<String> {
    let mut copies = Vec::new();
    for k in keys.split(' ').filter(|k| !k.is_empty()) {
        let fx = update(app, Msg::Key(key(k)));
        copies.extend(settle(app, backend, events, fx).await);
    }
    copies
}

/// Types literal text (each character a key press), settling after each.
pub async fn type_text(
    app: &mut App,
    backend: &dyn Backend,
    events: &mut broadcast::Receiver<Event>,
    text: &str,
) {
    for ch in text.chars() {
        let ev = super::keys::key_event(Chord::plain(Key::Char(ch)));
        let fx = update(app, Msg::Key(ev));
        settle(app, backend, events, fx).await;
    }
}
