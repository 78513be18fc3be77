//! The issue's "done when", end to end in the headless app on a real engine and store: a
//! 300-item morning (rules ran on arrival overnight) cleared in a few dozen key presses — the
//! delivery questions answered with the saved reply the rules prepared, the spam wave marked in
//! one action, the negative reviews routed to a person; every key counted.

mod tui_common;

use kith::domain::{Kind, NewItem, Platform, Status};
use kith::engine::api::{Filter, ListQuery, Request, Response};
use kith::engine::{Backend, Engine, InProcess};
use kith::store::Store;
use tui_common::*;

const RULES: &str = r#"
[[rule]]
name = "delivery"
when = 'доставка | "где заказ" | delivery'
then = ["tag:delivery", "draft:Delivery times"]

[[rule]]
name = "angry reviews"
when = "~k review ~r <=2"
then = ["assign:boris", "priority"]
"#;

/// 40 delivery questions, 60 spam, 20 one-star reviews, 180 other comments.
fn morning() -> Vec<NewItem> {
    let mut v = Vec::new();
    for i in 0..300i64 {
        let (text, kind) = match i {
            0..=39 => (
                format!("Где заказ №{i}? Доставка уже неделю"),
                Kind::Comment,
            ),
            40..=99 => (format!("crypto giveaway {i} click now"), Kind::Comment),
            100..=119 => (format!("Ужасно, лампа сломалась {i}"), Kind::Review),
            _ => (format!("Thanks for the lamp {i}!"), Kind::Comment),
        };
        let mut it = NewItem::comment(
            Platform::Mastodon,
            "lumo@mastodon.social",
            &format!("m{i}"),
            &format!("u{i}"),
            &text,
            mins_ago(600 - i),
        );
        if kind == Kind::Review {
            it.kind = Kind::Review;
            it.rating = Some(1);
        }
        v.push(it);
    }
    v
}

async fn count(b: &InProcess, pattern: &str) -> usize {
    let q = ListQuery {
        filter: Filter {
            pattern: Some(pattern.into()),
            ..Filter::default()
        },
        limit: 1000,
        ..ListQuery::default()
    };
    match b.call(Request::List(q)).await.expect("list") {
        Response::Page(p) => p.items.len(),
        other => panic!("{other:?}"),
    }
}

/// Presses keys, counting each.
async fn press(r: &mut Rig, n: &mut usize, keys: &str) {
    *n += keys.split_whitespace().count();
    r.press(keys).await;
}

/// Types text, counting each character as a key press.
async fn typed(r: &mut Rig, n: &mut usize, text: &str) {
    *n += text.chars().count();
    r.type_text(text).await;
}

#[tokio::test]
async fn a_300_item_morning_is_cleared_in_a_few_dozen_key_presses() {
    kith::i18n::init(kith::i18n::Lang::En);
    let dir = tempfile::tempdir().expect("tmp");
    let engine = Engine::new(Store::open(dir.path()).expect("store"), "anna");
    std::fs::write(dir.path().join("rules.toml"), RULES).expect("rules");
    std::fs::write(
        dir.path().join("replies.toml"),
        kith::config::replies::DEFAULT_REPLIES,
    )
    .expect("replies");
    assert_eq!(
        engine
            .load_rules(&dir.path().join("rules.toml"))
            .expect("rules"),
        2
    );
    // Overnight: the items arrive and the rules run on them.
    let mut r = rig_on(dir, engine, morning()).await;
    assert_eq!(count(&r.backend, "~t delivery").await, 40);
    assert_eq!(count(&r.backend, "~o boris ~r <=2").await, 20);
    let mut presses = 0usize;
    // The delivery questions: limit to the tag, everything in view, send the prepared drafts.
    press(&mut r, &mut presses, "l").await;
    typed(&mut r, &mut presses, "~t delivery").await;
    press(&mut r, &mut presses, "enter * ; R y").await;
    assert_eq!(note(&r), "replies sent 40");
    // The spam wave in one action.
    press(&mut r, &mut presses, "l ctrl-u").await;
    typed(&mut r, &mut presses, "crypto*").await;
    press(&mut r, &mut presses, "enter * ; ! y").await;
    assert_eq!(note(&r), "marked spam 60");
    assert!(presses <= 40, "{presses} key presses");
    // Every delivery question answered once with the saved reply, filled from its item.
    let q = ListQuery {
        filter: Filter {
            pattern: Some("~t delivery".into()),
            ..Filter::default()
        },
        limit: 1000,
        ..ListQuery::default()
    };
    let Response::Page(page) = r.backend.call(Request::List(q)).await.expect("list") else {
        panic!("page")
    };
    assert_eq!(page.items.len(), 40);
    for it in &page.items {
        assert_eq!(it.status, Status::Done, "{}", it.text);
        let Response::Thread(t) = r.backend.call(Request::Thread(it.id)).await.expect("t") else {
            panic!("thread")
        };
        let ours: Vec<_> = t.iter().filter(|x| x.is_ours()).collect();
        assert_eq!(ours.len(), 1, "{}", it.text);
        assert!(ours[0].text.contains(&it.author.id), "{}", ours[0].text);
    }
    assert_eq!(count(&r.backend, "~s spam").await, 60);
    // What is left to read: the routed reviews and the thanks.
    assert_eq!(count(&r.backend, "~s new|open").await, 200);
    eprintln!("300 items: 40 answered, 60 spam, 20 routed to boris in {presses} key presses");
}
