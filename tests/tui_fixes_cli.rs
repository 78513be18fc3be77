//! The CLI side of what the TUI fixes changed in the engine, through the real binary: a
//! cancelled post says it was cancelled when moved or edited; a post to an account on a platform
//! kith cannot publish to is refused with the reason; `kith assign` to a name the team does not
//! know is refused unless `--force`.

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

#[test]
fn a_post_to_an_account_kith_cannot_publish_to_is_refused_with_the_reason() {
    let e = Env::new();
    let (code, _, err) = e.run(&["demo"]);
    assert_eq!(code, 0, "{err}");
    for (account, platform) in [
        ("Lumo Store Moscow", "Google"),
        ("app.lumo.desk", "Google Play"),
        ("Lumo Official", "YouTube"),
    ] {
        let (code, out, err) = e.run(&["post", "--account", account, "--at", "+1d", "Скидки!"]);
        assert_eq!((code, out.as_str()), (2, ""), "{account}: {err}");
        assert_eq!(
            err.trim(),
            format!("kith: kith cannot publish to {platform} ({account}): it only reads it")
        );
        // With a publishing account beside it, nothing is stored either.
        let (code, _, _) = e.run(&[
            "post",
            "--account",
            "lumo@mastodon.social",
            "--account",
            account,
            "--at",
            "+1d",
            "Скидки!",
        ]);
        assert_eq!(code, 2);
    }
    let (code, out, err) = e.run(&["schedule", "--json"]);
    assert_eq!((code, out.as_str()), (0, ""), "nothing was stored: {err}");
}

#[test]
fn assign_to_a_name_the_team_does_not_know_needs_force() {
    let e = Env::new();
    e.config("[team]\noperators = [\"anna\", \"boris\"]\n");
    let (code, _, err) = e.run(&["demo"]);
    assert_eq!(code, 0, "{err}");
    let first = e.json(&["inbox", "--limit", "1", "--json"]);
    let id = first[0]["id"].as_str().expect("id").to_string();
    // The roster, any case; and "tester", who loaded the demo (seen in the audit log).
    let (code, out, err) = e.run(&["assign", &id, "Boris"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with(&format!("{id} assignee=boris ")), "{out}");
    // The change is recorded as made by whoever ran it, not by the assignee.
    let audit = e.json(&["audit", "--limit", "1", "--json"]);
    assert_eq!(
        (&audit[0]["operator"], &audit[0]["after"]),
        (&"tester".into(), &"assignee=boris".into())
    );
    let (code, out, err) = e.run(&["assign", &id, "tester"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("assignee=tester"), "{out}");
    // A stranger: refused, nothing changes.
    let (code, out, err) = e.run(&["assign", &id, "nobody-here"]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert_eq!(
        err.trim(),
        "kith: nobody-here is not on the team (known: anna, boris, tester); check the name, \
         or assign anyway with --force"
    );
    let shown = e.json(&["show", &id, "--json"]);
    assert_eq!(shown[0]["assignee"], "tester");
    let (code, out, err) = e.run(&["assign", &id, "nobody-here", "--force"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("assignee=nobody-here"), "{out}");
}
