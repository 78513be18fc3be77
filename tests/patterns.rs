//! Patterns through the engine and the real binary: `~m` from the ranking and opinion-leader
//! tags, `~a` across linked accounts, `~o me` for whoever asks, due lists narrowed, a bad
//! pattern refused with its position, and `kith inbox --where`.

mod cli_common;

use cli_common::Env;
use kith::domain::query::{Filter, ListQuery};
use kith::domain::{Change, Item, Kind, NewItem, Platform, Timestamp};
use kith::engine::api::{MemberEdit, Request, Response};
use kith::engine::{Engine, EngineError};
use kith::i18n::Arg;
use kith::store::Store;
use std::sync::Arc;

const DAY: i64 = 86_400_000;

fn item(platform: Platform, author: &str, handle: &str, n: usize, days_ago: i64) -> NewItem {
    let now = Timestamp::now().0;
    let mut it = NewItem::comment(
        platform,
        platform.as_str(),
        &format!("{author}-{n}"),
        author,
        &format!("доставка {n}"),
        Timestamp(now - days_ago * DAY - n as i64 * 1000),
    );
    it.author.handle = Some(handle.into());
    it
}

fn engine(dir: &std::path::Path) -> Arc<Engine> {
    let e = Engine::new(Store::open(dir).expect("store"), "anna");
    let mut items = Vec::new();
    // One busy fan, 55 regulars (2 items each): 56 people, so the top 50 leaves some out.
    items.extend((0..10).map(|n| item(Platform::Vk, "big", "bigfan", n, 1)));
    for f in 0..55 {
        let id = format!("f{f}");
        items.extend((0..2).map(|n| item(Platform::Vk, &id, &format!("fan{f}"), n, 2)));
    }
    // A quiet account, once, long ago: never in the top 50.
    items.push(item(Platform::Telegram, "quiet", "quiet_one", 0, 25));
    // One person on two platforms.
    items.push(item(Platform::Vk, "101", "anna_k", 0, 3));
    items.push(item(Platform::Telegram, "t7", "annie_tg", 0, 3));
    ask(&e, "anna", Request::Ingest { items, demo: false });
    e
}

fn ask(e: &Arc<Engine>, op: &str, req: Request) -> Response {
    e.handle(op, req).expect("request")
}

fn list(e: &Arc<Engine>, op: &str, pattern: &str) -> Result<Vec<Item>, EngineError> {
    let q = ListQuery {
        filter: Filter {
            pattern: Some(pattern.into()),
            ..Filter::default()
        },
        limit: 1000,
        ..ListQuery::default()
    };
    match e.handle(op, Request::List(q))? {
        Response::Page(p) => Ok(p.items),
        other => panic!("{other:?}"),
    }
}

fn authors(items: &[Item]) -> std::collections::BTreeSet<String> {
    items.iter().map(|i| i.author.id.clone()).collect()
}

#[test]
fn top_members_and_opinion_leaders() {
    let d = tempfile::tempdir().expect("tmp");
    let e = engine(d.path());
    let top = authors(&list(&e, "anna", "~m").expect("list"));
    assert_eq!(top.len(), 50, "{top:?}");
    assert!(top.contains("big") && !top.contains("quiet"));
    // Tagged as an opinion leader, the quiet one counts too.
    ask(
        &e,
        "anna",
        Request::MemberEdit {
            member: "telegram:quiet_one".into(),
            edit: MemberEdit::Tag {
                tag: "Opinion leader".into(),
                on: true,
            },
        },
    );
    let top = authors(&list(&e, "anna", "~m ~p telegram").expect("list"));
    assert!(top.contains("quiet"), "{top:?}");
}

#[test]
fn an_author_names_every_linked_account() {
    let d = tempfile::tempdir().expect("tmp");
    let e = engine(d.path());
    assert_eq!(
        authors(&list(&e, "anna", "~a anna_k").expect("list")),
        ["101".to_string()].into()
    );
    ask(
        &e,
        "anna",
        Request::MemberEdit {
            member: "vk:anna_k".into(),
            edit: MemberEdit::Link {
                other: "telegram:annie_tg".into(),
            },
        },
    );
    assert_eq!(
        authors(&list(&e, "anna", "~a @anna_k").expect("list")),
        ["101".to_string(), "t7".to_string()].into()
    );
    // By the platform's author id as well.
    assert_eq!(
        authors(&list(&e, "anna", "~a t7").expect("list")),
        ["101".to_string(), "t7".to_string()].into()
    );
}

#[test]
fn assigned_to_me_depends_on_who_asks_and_due_lists_narrow() {
    let d = tempfile::tempdir().expect("tmp");
    let e = engine(d.path());
    let quiet = list(&e, "anna", "~a quiet_one").expect("list");
    assert_eq!(quiet.len(), 1);
    ask(
        &e,
        "anna",
        Request::Update {
            id: quiet[0].id,
            change: Change::Assign(Some("boris".into())),
            if_version: None,
        },
    );
    assert_eq!(list(&e, "boris", "~o me").expect("list").len(), 1);
    assert_eq!(list(&e, "anna", "~o me").expect("list").len(), 0);
    assert_eq!(list(&e, "anna", "~o boris").expect("list").len(), 1);
    let filter = Filter {
        pattern: Some("~p telegram".into()),
        ..Filter::default()
    };
    let Response::Page(due) = ask(&e, "anna", Request::Due { filter, limit: 100 }) else {
        panic!("page");
    };
    assert_eq!(due.items.len(), 2);
    assert!(due.items.iter().all(|i| i.platform == Platform::Telegram));
    let filter = Filter {
        pattern: Some("~k review".into()),
        ..Filter::default()
    };
    let Response::Page(worst) = ask(&e, "anna", Request::WorstFirst { filter, limit: 100 }) else {
        panic!("page");
    };
    assert!(worst.items.iter().all(|i| i.kind == Kind::Review));
}

#[test]
fn a_bad_pattern_is_refused_with_its_position() {
    let d = tempfile::tempdir().expect("tmp");
    let e = engine(d.path());
    match list(&e, "anna", "~s new (~p vkk | ~w)") {
        Err(EngineError::Invalid(p)) => {
            assert_eq!(p.key, "pattern.err.bad_platform");
            assert!(
                p.args.contains(&("col".into(), Arg::Text("12".into()))),
                "{p:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    let filter = Filter {
        pattern: Some("~r 9".into()),
        ..Filter::default()
    };
    assert!(matches!(
        e.handle("anna", Request::Due { filter, limit: 5 }),
        Err(EngineError::Invalid(_))
    ));
}

#[test]
fn inbox_where_lists_what_the_pattern_matches() {
    let env = Env::new();
    let (code, _, err) = env.run(&["demo"]);
    assert_eq!(code, 0, "{err}");
    let got = env.json(&[
        "inbox",
        "--view",
        "all",
        "--where",
        "~p telegram ~s new",
        "--json",
        "--limit",
        "1000",
    ]);
    let want = env.json(&[
        "inbox",
        "--view",
        "all",
        "--platform",
        "telegram",
        "--status",
        "new",
        "--json",
        "--limit",
        "1000",
    ]);
    assert!(!got.is_empty());
    assert_eq!(got, want);
    // The view narrows too: done items are not in the inbox.
    let inbox = env.json(&["inbox", "--where", "~s done", "--json"]);
    assert!(inbox.is_empty(), "{inbox:?}");
    let (code, out, err) = env.run(&["inbox", "--where", "доставка ~p vkk"]);
    assert_ne!(code, 0);
    assert!(out.is_empty());
    assert!(
        err.contains("unknown platform \"vkk\" at 13: one of mastodon, bluesky"),
        "{err}"
    );
    assert!(
        err.starts_with("  доставка ~p vkk\n              ^\nkith: unknown platform"),
        "{err}"
    );
}
