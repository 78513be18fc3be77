//! Where the rules stand (`Request::RulesStatus`) and reading the file again on request
//! (`Request::RulesReload`): the file's path, the rules in force with their flags, and a broken
//! file's problems with line and column while the older rules stay in force.

use kith::engine::api::{Request, Response};
use kith::engine::rules_status::RulesStatus;
use kith::engine::{Engine, EngineError};
use kith::store::Store;

const GOOD: &str = "[[rule]]\nname = \"delivery\"\nwhen = \"доставка\"\nthen = [\"tag:delivery\"]\nstop = true\n\n[[rule]]\nname = \"spam-wave\"\nwhen = \"crypto*\"\nthen = [\"spam\"]\nreviews = true\n";

async fn status(engine: &std::sync::Arc<Engine>, req: Request) -> RulesStatus {
    match engine.call(req).await.expect("status") {
        Response::RulesStatus(s) => *s,
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn status_names_the_file_the_rules_and_a_broken_files_place() {
    kith::i18n::init(kith::i18n::Lang::En);
    let dir = tempfile::tempdir().expect("tmp");
    let engine = Engine::new(
        Store::open(&dir.path().join("data")).expect("store"),
        "anna",
    );
    let path = dir.path().join("rules.toml");
    // Not read yet: no file named, and nothing to reload.
    let s = status(&engine, Request::RulesStatus).await;
    assert_eq!((s.path, s.exists, s.rules.len()), (None, false, 0));
    assert!(matches!(
        engine.call(Request::RulesReload).await,
        Err(EngineError::Invalid(_))
    ));
    // A missing file is no rules, and says where it would be.
    assert_eq!(engine.load_rules_file(&path).expect("load"), 0);
    let s = status(&engine, Request::RulesStatus).await;
    let shown = path.display().to_string();
    assert_eq!(
        (s.path.as_deref(), s.exists, s.rules.len(), s.problems.len()),
        (Some(shown.as_str()), false, 0, 0)
    );
    std::fs::write(&path, GOOD).expect("write");
    let s = status(&engine, Request::RulesReload).await;
    assert!(s.exists && s.problems.is_empty(), "{s:?}");
    let rows: Vec<_> = s
        .rules
        .iter()
        .map(|r| {
            (
                r.name.as_str(),
                r.when.as_str(),
                r.then.clone(),
                r.stop,
                r.reviews,
                r.line,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "delivery",
                "доставка",
                vec!["tag:delivery".to_string()],
                true,
                false,
                1
            ),
            (
                "spam-wave",
                "crypto*",
                vec!["spam".to_string()],
                false,
                true,
                7
            ),
        ]
    );
    // A broken pattern on line 3: the two rules stay in force, the problem has its place.
    std::fs::write(
        &path,
        "[[rule]]\nname = \"x\"\nwhen = \"~p nowhere\"\nthen = [\"spam\"]\n",
    )
    .expect("write");
    let s = status(&engine, Request::RulesReload).await;
    assert_eq!(s.rules.len(), 2, "{s:?}");
    assert_eq!(s.problems.len(), 1, "{s:?}");
    let p = &s.problems[0];
    assert_eq!((p.line, p.col), (Some(3), Some(12)), "{p:?}");
    assert!(
        p.message.to_string().starts_with("rule \"x\": "),
        "{}",
        p.message
    );
    // The status asked for later still says so, and survives the trip over the socket.
    let again = status(&engine, Request::RulesStatus).await;
    assert_eq!(again, s);
    let wire: Response = serde_json::from_str(
        &serde_json::to_string(&Response::RulesStatus(Box::new(s.clone()))).expect("json"),
    )
    .expect("back");
    assert_eq!(wire, Response::RulesStatus(Box::new(s)));
    // Mended: in force, no problems.
    std::fs::write(&path, GOOD.replace("crypto*", "crypto* | airdrop")).expect("write");
    let s = status(&engine, Request::RulesReload).await;
    assert_eq!((s.rules.len(), s.problems.len()), (2, 0), "{s:?}");
    assert_eq!(s.rules[1].when, "crypto* | airdrop");
}
