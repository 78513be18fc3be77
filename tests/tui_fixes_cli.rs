//! The CLI side of what the TUI fixes changed in the engine, through the real binary: a
//! cancelled post says it was cancelled when moved or edited.

mod cli_common;

use cli_common::Env;

/// A demo data dir with one post scheduled for tomorrow on Mastodon; returns its id.
fn scheduled_post(e: &Env) -> String {
    let (code, _, err) = e.run(&["demo"]);
    assert_eq!(code, 0, "{err}");
    let posts = e.json(&[
        "post",
        "--account",
        "lumo@mastodon.social",
        "--at",
        "+1d",
        "--json",
        "Весна пришла 🌸",
    ]);
    posts[0]["id"].as_str().expect("id").to_string()
}

#[test]
fn a_cancelled_post_says_it_was_cancelled_when_moved_or_edited() {
    let e = Env::new();
    let id = scheduled_post(&e);
    let (code, _, err) = e.run(&["schedule", "cancel", &id]);
    assert_eq!(code, 0, "{err}");
    let cancelled = format!("kith: post {id} was cancelled; duplicate it to send it again");
    let (code, out, err) = e.run(&["schedule", "move", &id, "+2d"]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert_eq!(err.trim(), cancelled);
    let (code, _, err) = e.run(&["schedule", "edit", &id, "new text"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.trim(), cancelled);
    let (code, _, err) = e.run(&["schedule", "cancel", &id]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.trim(), format!("kith: post {id} is already cancelled"));
    // Duplicating it is the way on.
    let (code, _, err) = e.run(&["schedule", "duplicate", &id, "+2d"]);
    assert_eq!(code, 0, "{err}");
}
