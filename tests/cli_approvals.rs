//! Approvals through the real binary: an intern's post and reply wait (`kith schedule
//! --awaiting`, with the state and the comment in the JSON), only an approver approves or sends
//! back, the author reads the comment in `kith schedule show`, and a config that would leave
//! posts waiting for nobody (or names someone the team does not know) is refused by `kith
//! doctor` with its file and line.

mod cli_common;

use cli_common::Env;
use serde_json::Value;

const TEAM: &str = "[team]\noperators = [\"anna\", \"intern\"]\nneeds_approval = [\"intern\"]\n\
                    approvers = [\"anna\"]\napprove_replies = true\n";

fn env() -> Env {
    let e = Env::new();
    e.config(TEAM);
    let (code, _, err) = e.run(&["demo"]);
    assert_eq!(code, 0, "{err}");
    e
}

fn one(e: &Env, args: &[&str]) -> Value {
    let mut v = e.json(args);
    assert_eq!(v.len(), 1, "{args:?}: {v:?}");
    v.remove(0)
}

#[test]
fn an_interns_post_waits_for_anna_and_comes_back_with_her_comment() {
    let e = env();
    let p = one(
        &e,
        &[
            "--as",
            "intern",
            "post",
            "--account",
            "lumo@mastodon.social",
            "--at",
            "+1d",
            "--json",
            "Весна пришла 🌸",
        ],
    );
    let id = p["id"].as_str().expect("id").to_string();
    assert_eq!(p["state"], "awaiting_approval");
    assert_eq!(p["targets"][0]["state"], "awaiting_approval");
    assert_eq!(p["review"]["author"], "intern");
    assert_eq!(p["review"]["state"], "awaiting");
    let waiting = one(&e, &["schedule", "--awaiting", "--json"]);
    assert_eq!(waiting["id"], id.as_str());

    // Only an approver decides.
    let (code, out, err) = e.run(&["--as", "intern", "schedule", "approve", &id]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert_eq!(
        err.trim(),
        "kith: intern is not an approver ([team] approvers in the config)"
    );
    let (code, _, err) = e.run(&[
        "--as",
        "anna",
        "schedule",
        "send-back",
        &id,
        "--comment",
        " ",
    ]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        err.trim(),
        "kith: say why it goes back: the comment is empty"
    );

    let back = one(
        &e,
        &[
            "--as",
            "anna",
            "schedule",
            "send-back",
            &id,
            "--comment",
            "Добавьте цену",
            "--json",
        ],
    );
    assert_eq!(back["state"], "draft");
    assert_eq!(back["review"]["state"], "sent_back");
    assert_eq!(back["review"]["by"], "anna");
    assert_eq!(back["review"]["comment"], "Добавьте цену");
    let (code, out, err) = e.run(&["--as", "intern", "schedule", "show", &id]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("sent back by anna: Добавьте цену"), "{out}");
    let (_, out, _) = e.run(&["schedule", "--awaiting"]);
    assert_eq!(out.trim(), "Nothing awaits approval.");

    // Rewritten, it waits again; approved, it is scheduled.
    let (code, _, err) = e.run(&[
        "--as",
        "intern",
        "schedule",
        "edit",
        &id,
        "Весна пришла 🌸 990 ₽",
    ]);
    assert_eq!(code, 0, "{err}");
    let approved = one(&e, &["--as", "anna", "schedule", "approve", &id, "--json"]);
    assert_eq!(approved["state"], "scheduled");
    assert_eq!(approved["text"], "Весна пришла 🌸 990 ₽");
    assert_eq!(approved["review"]["state"], "approved");
    assert_eq!(approved["review"]["by"], "anna");
    let (code, _, err) = e.run(&["--as", "anna", "schedule", "approve", &id]);
    assert_eq!(code, 2);
    assert_eq!(err.trim(), format!("kith: {id} is not awaiting approval"));

    // A post due now does not keep `kith post` waiting for a send that will not come.
    let started = std::time::Instant::now();
    let now = one(
        &e,
        &[
            "--as",
            "intern",
            "post",
            "--account",
            "lumo@mastodon.social",
            "--json",
            "сейчас",
        ],
    );
    assert_eq!(now["state"], "awaiting_approval");
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    let (code, out, err) = e.run(&[
        "--as",
        "intern",
        "post",
        "--account",
        "lumo@mastodon.social",
        "--at",
        "+2d",
        "позже",
    ]);
    assert_eq!(code, 0, "{err}");
    let first = out.lines().next().unwrap_or("");
    assert!(first.starts_with("p3 awaits approval ("), "{out}");
    assert!(
        out.contains("lumo@mastodon.social awaiting approval"),
        "{out}"
    );

    // The audit log has every step with who made it.
    let audit = e.json(&["audit", "--json", "--limit", "20"]);
    let steps: Vec<(&str, &str)> = audit
        .iter()
        .filter(|a| a["action"].as_str().is_some_and(|x| x.starts_with("post-")))
        .map(|a| {
            (
                a["operator"].as_str().unwrap_or(""),
                a["action"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            ("intern", "post-create"),
            ("anna", "post-send-back"),
            ("intern", "post-edit"),
            ("anna", "post-approve"),
            ("intern", "post-create"),
            ("intern", "post-create"),
        ]
    );
}

#[test]
fn an_interns_reply_waits_and_goes_when_approved() {
    let e = env();
    let item = e.json(&["inbox", "--json", "--platform", "telegram", "--limit", "1"]);
    let id = item[0]["id"].as_str().expect("id");
    let (code, out, err) = e.run(&["--as", "intern", "reply", id, "Спасибо! 谢谢"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(" awaiting_approval"), "{out}");
    let waiting = one(&e, &["schedule", "--awaiting", "--json"]);
    assert_eq!(waiting["item"], id);
    assert_eq!(waiting["operator"], "intern");
    assert_eq!(waiting["state"], "awaiting_approval");
    let reply = waiting["reply"].as_str().expect("reply id").to_string();
    let (code, _, err) = e.run(&["--as", "intern", "schedule", "approve", &reply]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim(),
        "kith: intern is not an approver ([team] approvers in the config)"
    );
    let (code, out, err) = e.run(&["--as", "anna", "schedule", "approve", &reply]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), format!("{reply} sent"));
    let thread = e.json(&["show", id, "--json"]);
    let ours: Vec<&Value> = thread.iter().filter(|i| i["ours"] == true).collect();
    assert_eq!(ours.len(), 1, "{thread:?}");
    assert_eq!(ours[0]["send_state"], "sent");
    let (_, out, _) = e.run(&["schedule", "--awaiting"]);
    assert_eq!(out.trim(), "Nothing awaits approval.");
}

#[test]
fn doctor_reports_approval_settings_that_cannot_work() {
    let cases = [
        (
            "[team]\nneeds_approval = [\"intern\"]\napprovers = [\"anna\", \"intern\"]\n",
            "config.toml:3: key `team.approvers`: \"intern\" is also in needs_approval: nobody approves their own posts",
        ),
        (
            "[team]\noperators = [\"anna\", \"intern\"]\nneeds_approval = [\"intern\"]\napprovers = [\"anne\"]\n",
            "config.toml:4: key `team.approvers`: \"anne\" is not on the team (operators or read_only)",
        ),
        (
            "[team]\nneeds_approval = [\"intern\"]\n",
            "config.toml:2: key `team.needs_approval`: needs_approval is set but approvers is empty: posts would wait for nobody",
        ),
    ];
    for (body, want) in cases {
        let e = Env::new();
        e.config(body);
        let (code, out, err) = e.run(&["doctor"]);
        assert_eq!(code, 4, "{out}{err}");
        let d = e.dir.path().join("config/kith");
        let line = format!("  {}/{want}", d.display());
        assert!(out.lines().any(|l| l == line), "want {line}\n{out}");
    }
    let e = Env::new();
    e.config(TEAM);
    let (code, out, err) = e.run(&["doctor"]);
    assert_eq!(code, 0, "{out}{err}");
}
