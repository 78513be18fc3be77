//! Inbox rules on arrival: a rules file put in force in the engine tags, assigns and files each
//! arriving item in the item's own batch (audited `rule:NAME`, named on the item); a one-star
//! review is never buried; a broken file keeps the rules already in force.

use kith::domain::{Kind, NewItem, Platform, Status, Timestamp};
use kith::engine::api::{Request, Response};
use kith::engine::Engine;
use kith::store::Store;

#[tokio::test]
async fn arriving_items_run_the_rules_in_their_batch() {
    kith::i18n::init(kith::i18n::Lang::En);
    let dir = tempfile::tempdir().expect("tmp");
    let engine = Engine::new(Store::open(dir.path()).expect("store"), "anna");
    let rules = dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        "[[rule]]\nname = \"delivery\"\nwhen = 'доставка | \"где заказ\"'\nthen = [\"tag:delivery\", \"assign:anna\"]\n\n[[rule]]\nname = \"spam\"\nwhen = \"crypto*\"\nthen = [\"spam\"]\n",
    )
    .expect("write");
    assert_eq!(engine.load_rules(&rules).expect("rules"), 2);
    let at = Timestamp::now();
    let mut review = NewItem::comment(Platform::Vk, "shop", "r1", "u2", "crypto scam shop", at);
    review.kind = Kind::Review;
    review.rating = Some(1);
    let items = vec![
        NewItem::comment(Platform::Vk, "shop", "c1", "u1", "Где заказ? Доставка", at),
        NewItem::comment(
            Platform::Vk,
            "shop",
            "c2",
            "u3",
            "cryptocurrency giveaway",
            at,
        ),
        review,
    ];
    engine
        .call(Request::Ingest { items, demo: false })
        .await
        .expect("ingest");
    let get = |native: &str| {
        let id = engine
            .store()
            .id_by_native("shop", native)
            .expect("read")
            .expect("id");
        engine.store().get(id).expect("read").expect("item")
    };
    let c1 = get("c1");
    assert_eq!(
        (c1.tags.clone(), c1.assignee.clone()),
        (vec!["delivery".to_string()], Some("anna".to_string()))
    );
    assert_eq!(c1.rules, ["delivery"]);
    assert_eq!(get("c2").status, Status::Spam);
    let r1 = get("r1");
    assert_eq!(
        (r1.status, r1.rules.clone()),
        (Status::New, vec!["spam".to_string()])
    );
    let Response::Audit(entries) = engine
        .call(Request::Audit(kith::domain::audit::AuditQuery {
            item: Some(c1.id),
            limit: 10,
            ..Default::default()
        }))
        .await
        .expect("audit")
    else {
        panic!("audit");
    };
    assert!(
        entries.iter().any(|e| e.action == "rule:delivery"
            && e.after.as_deref() == Some("tag:delivery, assign:anna")),
        "{entries:?}"
    );
    // A broken file keeps the rules in force.
    std::fs::write(
        &rules,
        "[[rule]]\nname = \"x\"\nwhen = \"~p nowhere\"\nthen = [\"spam\"]\n",
    )
    .expect("write");
    assert!(engine.load_rules(&rules).is_err());
    let more = vec![NewItem::comment(
        Platform::Vk,
        "shop",
        "c3",
        "u4",
        "crypto!",
        at,
    )];
    engine
        .call(Request::Ingest {
            items: more,
            demo: false,
        })
        .await
        .expect("ingest");
    assert_eq!(get("c3").status, Status::Spam);
}

#[tokio::test]
async fn a_draft_rule_prepares_the_saved_reply_in_the_items_batch() {
    kith::i18n::init(kith::i18n::Lang::En);
    let dir = tempfile::tempdir().expect("tmp");
    let engine = Engine::new(Store::open(dir.path()).expect("store"), "anna");
    let rules = dir.path().join("rules.toml");
    std::fs::write(
        dir.path().join("replies.toml"),
        "[[reply]]\nname = \"Where is my order\"\ntext = \"Hi {name}, your order is on its way. {operator}\"\n",
    )
    .expect("write");
    // A draft naming no saved reply is refused at its place, and nothing is put in force.
    std::fs::write(
        &rules,
        "[[rule]]\nname = \"delivery\"\nwhen = \"доставка\"\nthen = [\"tag:delivery\",\n  \"draft:Whereabouts\"]\n",
    )
    .expect("write");
    let err = engine
        .load_rules(&rules)
        .expect_err("unknown reply")
        .to_string();
    assert_eq!(
        err,
        "5:3: rule \"delivery\": draft:Whereabouts names no saved reply (replies.toml has: where is my order)"
    );
    std::fs::write(
        &rules,
        "[[rule]]\nname = \"delivery\"\nwhen = \"доставка\"\nthen = [\"tag:delivery\", \"draft:where is my ORDER\"]\n\n[[rule]]\nname = \"second\"\nwhen = \"доставка\"\nthen = [\"draft:Where is my order\"]\n",
    )
    .expect("write");
    assert_eq!(engine.load_rules(&rules).expect("rules"), 2);
    let at = Timestamp::now();
    let mut asking = NewItem::comment(Platform::Vk, "shop", "c1", "u1", "Доставка когда?", at);
    asking.author.name = Some("Вера".into());
    let other = NewItem::comment(Platform::Vk, "shop", "c2", "u2", "thanks!", at);
    // An imported review matches too, but nobody could send its reply from kith: no draft.
    let mut imported = NewItem::comment(Platform::Other, "file", "r1", "u3", "доставка?", at);
    imported.source = Some("trustpilot".into());
    engine
        .call(Request::Ingest {
            items: vec![asking, other, imported],
            demo: false,
        })
        .await
        .expect("ingest");
    let id = |native: &str| {
        engine
            .store()
            .id_by_native("shop", native)
            .expect("read")
            .expect("id")
    };
    let Response::Draft(Some(d)) = engine.call(Request::Draft(id("c1"))).await.expect("draft")
    else {
        panic!("no draft on the matching item");
    };
    // Filled from the item; `{operator}` left for whoever sends it; the first rule's only.
    assert_eq!(
        (d.text.as_str(), d.operator.as_str(), d.bulk),
        (
            "Hi Вера, your order is on its way. {operator}",
            "rule:delivery",
            None
        )
    );
    let item = engine.store().get(id("c1")).expect("read").expect("item");
    assert_eq!(item.rules, ["delivery", "second"]);
    assert!(matches!(
        engine.call(Request::Draft(id("c2"))).await.expect("draft"),
        Response::Draft(None)
    ));
    let r1 = engine
        .store()
        .id_by_native("file", "r1")
        .expect("read")
        .expect("id");
    let imported = engine.store().get(r1).expect("read").expect("item");
    assert_eq!(imported.tags, ["delivery"]);
    assert!(matches!(
        engine.call(Request::Draft(r1)).await.expect("draft"),
        Response::Draft(None)
    ));
    let Response::Audit(entries) = engine
        .call(Request::Audit(kith::domain::audit::AuditQuery {
            item: Some(id("c1")),
            limit: 10,
            ..Default::default()
        }))
        .await
        .expect("audit")
    else {
        panic!("audit");
    };
    let rule_entries: Vec<(&str, Option<&str>)> = entries
        .iter()
        .filter(|e| e.action.starts_with("rule:"))
        .map(|e| (e.action.as_str(), e.after.as_deref()))
        .collect();
    assert_eq!(rule_entries.len(), 2, "{entries:?}");
    assert!(rule_entries.contains(&(
        "rule:delivery",
        Some("tag:delivery, draft:where is my ORDER")
    )));
    assert!(rule_entries.contains(&("rule:second", Some(""))));
}
