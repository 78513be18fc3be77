//! What the composer tests share: the composer on screen, choosing an account in its list, the
//! posts the engine holds.

use super::Rig;
use kith::domain::post::Post;
use kith::engine::api::{PostQuery, Request, Response};
use kith::engine::Backend;
use kith::tui::popups::Popup;

/// The open composer (the test fails when another popup or none is open).
pub fn composer(r: &Rig) -> &kith::tui::compose::Composer {
    match &r.app.popup {
        Some(Popup::Compose(c)) => c,
        other => panic!("expected the composer, got {other:?}"),
    }
}

/// Moves the composer's account cursor to `name` and chooses it.
pub async fn choose(r: &mut Rig, name: &str) {
    let at = r
        .app
        .accounts
        .iter()
        .position(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} not among {:?}", r.app.accounts));
    r.press("home").await;
    for _ in 0..at {
        r.press("down").await;
    }
    r.press("space").await;
}

/// The engine's posts, newest first (at most 100).
pub async fn posts(r: &Rig) -> Vec<Post> {
    match r
        .backend
        .call(Request::Posts(PostQuery {
            limit: 100,
            ..Default::default()
        }))
        .await
        .expect("posts")
    {
        Response::Posts(p) => p,
        other => panic!("unexpected {other:?}"),
    }
}
