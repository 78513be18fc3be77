//! Bulk actions in the engine: version guards per item (a second operator mid-way), dry runs,
//! the audit with the bulk's id, undo of the whole bulk, drafts, claims and likes, paging
//! through every match of a filter.

use kith::domain::bulk::{BulkAction, BulkId, BulkReport, BulkRequest, BulkTarget};
use kith::domain::{Change, Item, ItemId, NewItem, Platform, Status, Timestamp};
use kith::engine::api::{Event, ListQuery, Request, Response};
use kith::engine::{Engine, EngineError};
use kith::store::{AuditQuery, Store};
use std::sync::Arc;

/// An engine on a temp dir with `n` new comments (demo accounts: likes go to the demo
/// connector), operator "anna". Items come back newest first.
async fn engine_with(n: usize) -> (tempfile::TempDir, Arc<Engine>, Vec<Item>) {
    let d = tempfile::tempdir().expect("tmp");
    let e = Engine::new(Store::open(d.path()).expect("store"), "anna");
    let base = Timestamp::now().0 - 3_600_000;
    let items: Vec<NewItem> = (0..n)
        .map(|i| {
            NewItem::comment(
                Platform::Mastodon,
                "lumo@mastodon.social",
                &format!("n{i}"),
                &format!("u{i}"),
                &format!("где мой заказ {i}?"),
                Timestamp(base + i as i64),
            )
        })
        .collect();
    e.call(Request::Ingest { items, demo: true })
        .await
        .expect("ingest");
    let all = list(&e).await;
    (d, e, all)
}

async fn list(e: &Arc<Engine>) -> Vec<Item> {
    let Response::Page(p) = e
        .call(Request::List(ListQuery {
            limit: 10_000,
            ..Default::default()
        }))
        .await
        .expect("list")
    else {
        panic!("page")
    };
    p.items
}

async fn get(e: &Arc<Engine>, id: ItemId) -> Item {
    match e.call(Request::Get(id)).await.expect("get") {
        Response::Item(i) => *i,
        other => panic!("unexpected {other:?}"),
    }
}

async fn bulk(e: &Arc<Engine>, op: &str, req: BulkRequest) -> BulkReport {
    match e.call_as(op, Request::Bulk(req)).await.expect("bulk") {
        Response::Bulk(r) => *r,
        other => panic!("unexpected {other:?}"),
    }
}

async fn undo(e: &Arc<Engine>, op: &str, id: BulkId) -> Result<BulkReport, EngineError> {
    match e.call_as(op, Request::UndoBulk(id)).await? {
        Response::Bulk(r) => Ok(*r),
        other => panic!("unexpected {other:?}"),
    }
}

fn seen(items: &[Item]) -> BulkTarget {
    BulkTarget::Items(items.iter().map(|i| (i.id, i.version)).collect())
}

fn req(target: BulkTarget, action: BulkAction) -> BulkRequest {
    BulkRequest {
        target,
        action,
        dry_run: false,
        list: 0,
    }
}

fn done() -> BulkAction {
    BulkAction::Change(Change::status(Status::Done))
}

async fn audit(e: &Arc<Engine>) -> Vec<kith::domain::audit::AuditEntry> {
    match e
        .call(Request::Audit(AuditQuery {
            limit: 100_000,
            ..Default::default()
        }))
        .await
        .expect("audit")
    {
        Response::Audit(v) => v,
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_changed_mid_way_by_another_operator_is_skipped_and_the_rest_change() {
    let (_d, e, items) = engine_with(300).await;
    let last = items[299].clone();
    let mut events = e.subscribe();
    let runner = {
        let e = Arc::clone(&e);
        let target = seen(&items);
        tokio::spawn(async move { bulk(&e, "anna", req(target, done())).await })
    };
    // As soon as the bulk has started, bob tags the item it reaches last.
    loop {
        match events.recv().await.expect("event") {
            Event::BulkProgress { done, total, .. } => {
                assert_eq!(total, 300);
                assert!(done < 300, "the bulk ended before bob could act");
                break;
            }
            _ => continue,
        }
    }
    e.call_as(
        "bob",
        Request::Update {
            id: last.id,
            change: Change::AddTag("vip".into()),
            if_version: Some(last.version),
        },
    )
    .await
    .expect("bob tags");
    let r = runner.await.expect("join");
    assert_eq!((r.matched, r.changed, r.unchanged), (300, 299, 0));
    assert_eq!(r.skipped.len(), 1);
    assert_eq!(r.skipped[0].id, last.id);
    assert_eq!(r.skipped[0].by.as_deref(), Some("bob"));
    assert_eq!(r.changed_by(), vec!["bob".to_string()]);
    let why = r.skipped[0].why.to_string();
    assert!(
        why.contains("now new") && why.contains("bob") && why.contains("vip"),
        "{why}"
    );
    // bob's change stands; everything else is done.
    let now = get(&e, last.id).await;
    assert_eq!(
        (now.status, now.tags.clone()),
        (Status::New, vec!["vip".to_string()])
    );
    for i in &items[..299] {
        assert_eq!(get(&e, i.id).await.status, Status::Done);
    }
}

#[tokio::test]
async fn an_item_the_operator_saw_at_an_older_version_is_not_overwritten() {
    let (_d, e, items) = engine_with(4).await;
    e.call_as(
        "bob",
        Request::Update {
            id: items[1].id,
            change: Change::status(Status::Spam),
            if_version: None,
        },
    )
    .await
    .expect("bob");
    let r = bulk(&e, "anna", req(seen(&items), done())).await;
    assert_eq!((r.matched, r.changed), (4, 3));
    assert_eq!(r.skipped.len(), 1);
    assert_eq!(r.skipped[0].id, items[1].id);
    assert_eq!(r.skipped[0].by.as_deref(), Some("bob"));
    assert_eq!(get(&e, items[1].id).await.status, Status::Spam);
}

#[tokio::test]
async fn a_dry_run_lists_what_would_change_and_changes_nothing() {
    let (_d, e, items) = engine_with(5).await;
    e.call(Request::Update {
        id: items[0].id,
        change: Change::status(Status::Done),
        if_version: None,
    })
    .await
    .expect("one done");
    let before = list(&e).await;
    let audit_before = audit(&e).await.len();
    let mut r = req(
        BulkTarget::Filter(Box::default()),
        BulkAction::Change(Change::status(Status::Done)),
    );
    r.dry_run = true;
    r.list = 3;
    let report = bulk(&e, "anna", r).await;
    assert!(report.dry_run);
    assert_eq!(
        (report.matched, report.changed, report.unchanged),
        (5, 4, 1)
    );
    assert!(report.skipped.is_empty());
    assert_eq!(report.rows.len(), 3);
    assert_eq!(report.rows[0].id, items[0].id);
    assert!(!report.rows[0].changes, "already done");
    assert!(report.rows[1].changes);
    assert_eq!(report.rows[1].platform, "mastodon");
    assert_eq!(report.rows[1].author, "u3");
    assert_eq!(report.rows[1].text, "где мой заказ 3?");
    assert_eq!(list(&e).await, before, "nothing changed");
    assert_eq!(audit(&e).await.len(), audit_before, "nothing audited");
    // Nothing to undo either.
    let err = undo(&e, "anna", report.id).await.expect_err("no steps");
    assert!(matches!(err, EngineError::Invalid(_)), "{err:?}");
}

#[tokio::test]
async fn every_change_is_audited_once_per_item_with_the_bulk_id() {
    let (_d, e, items) = engine_with(6).await;
    let r = bulk(
        &e,
        "anna",
        req(
            seen(&items[..4]),
            BulkAction::Change(Change::AddTag("delivery".into())),
        ),
    )
    .await;
    assert_eq!(r.changed, 4);
    let mark = format!("bulk {}", r.id);
    let entries: Vec<_> = audit(&e)
        .await
        .into_iter()
        .filter(|a| a.after.as_deref().is_some_and(|x| x.ends_with(&mark)))
        .collect();
    assert_eq!(entries.len(), 4);
    let mut ids: Vec<ItemId> = entries.iter().filter_map(|a| a.item).collect();
    ids.sort();
    let mut want: Vec<ItemId> = items[..4].iter().map(|i| i.id).collect();
    want.sort();
    assert_eq!(ids, want);
    for a in &entries {
        assert_eq!(a.action, "update");
        assert_eq!(a.operator, "anna");
        assert_eq!(
            a.after.as_deref(),
            Some(format!("tag+=delivery · {mark}").as_str())
        );
    }
    match e.call(Request::AuditVerify).await.expect("verify") {
        Response::AuditVerified(rep) => assert_eq!(rep.problem, None),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn undo_restores_each_item_exactly_and_skips_those_changed_since() {
    let (_d, e, items) = engine_with(5).await;
    // Item 0 was snoozed and tagged before: the bulk's undo must bring back exactly that.
    let until = Timestamp(Timestamp::now().0 + 86_400_000);
    e.call(Request::Update {
        id: items[0].id,
        change: Change::SetStatus {
            status: Status::Snoozed,
            snoozed_until: Some(until),
        },
        if_version: None,
    })
    .await
    .expect("snooze");
    let before = list(&e).await;
    let r = bulk(&e, "anna", req(seen(&before), done())).await;
    assert_eq!(r.changed, 5);
    // bob reopens one after the bulk.
    let changed_since = before[2].id;
    e.call_as(
        "bob",
        Request::Update {
            id: changed_since,
            change: Change::status(Status::Open),
            if_version: None,
        },
    )
    .await
    .expect("bob");
    let u = undo(&e, "anna", r.id).await.expect("undo");
    assert_eq!((u.id, u.matched, u.changed), (r.id, 5, 4));
    assert_eq!(u.skipped.len(), 1);
    assert_eq!(u.skipped[0].id, changed_since);
    assert_eq!(u.skipped[0].by.as_deref(), Some("bob"));
    let restored0 = get(&e, items[0].id).await;
    assert_eq!(restored0.status, Status::Snoozed);
    assert_eq!(restored0.snoozed_until, Some(until));
    for b in &before {
        let now = get(&e, b.id).await;
        if b.id == changed_since {
            assert_eq!(now.status, Status::Open, "bob's change stands");
        } else {
            assert_eq!(
                (
                    now.status,
                    now.snoozed_until,
                    now.tags.clone(),
                    now.assignee.clone()
                ),
                (
                    b.status,
                    b.snoozed_until,
                    b.tags.clone(),
                    b.assignee.clone()
                )
            );
            assert_eq!(
                now.version,
                b.version + 2,
                "changed by the bulk, then by its undo"
            );
        }
    }
    let undone: Vec<_> = audit(&e)
        .await
        .into_iter()
        .filter(|a| {
            a.after
                .as_deref()
                .is_some_and(|x| x.ends_with(&format!("undo bulk {}", r.id)))
        })
        .collect();
    assert_eq!(undone.len(), 4);
    // A bulk is undone once.
    let again = undo(&e, "anna", r.id).await.expect_err("undone already");
    assert!(matches!(again, EngineError::Invalid(_)), "{again:?}");
}

#[tokio::test]
async fn a_filter_is_read_to_its_end_not_one_page() {
    let (_d, e, _) = engine_with(2500).await;
    let mut r = req(BulkTarget::Filter(Box::default()), done());
    r.dry_run = true;
    let report = bulk(&e, "anna", r).await;
    assert_eq!((report.matched, report.changed), (2500, 2500));
    assert!(report.rows.is_empty(), "no rows asked for");
}

#[tokio::test]
async fn drafts_are_stored_per_item_filled_from_it_and_undone() {
    let (_d, e, items) = engine_with(3).await;
    // An imported review cannot be answered on its platform: no draft for it.
    let mut review = NewItem::comment(Platform::Other, "file", "r1", "x", "meh", Timestamp::now());
    review.source = Some("trustpilot".into());
    e.call(Request::Ingest {
        items: vec![review],
        demo: false,
    })
    .await
    .expect("ingest");
    let all = list(&e).await;
    let template = "Здравствуйте, {name}! Заказ уже в пути.".to_string();
    let r = bulk(
        &e,
        "anna",
        req(
            seen(&all),
            BulkAction::Draft {
                template: template.clone(),
            },
        ),
    )
    .await;
    assert_eq!((r.matched, r.changed), (4, 3));
    assert_eq!(r.skipped.len(), 1);
    for i in &items {
        let Response::Draft(Some(d)) = e.call(Request::Draft(i.id)).await.expect("draft") else {
            panic!("no draft on {}", i.id)
        };
        assert_eq!(
            d.text,
            format!("Здравствуйте, {}! Заказ уже в пути.", i.author.id)
        );
        assert_eq!((d.operator.as_str(), d.bulk), ("anna", Some(r.id)));
        assert_eq!(
            get(&e, i.id).await.version,
            i.version,
            "a draft is not a change"
        );
    }
    // A second bulk never overwrites a draft.
    let again = bulk(
        &e,
        "anna",
        req(seen(&items), BulkAction::Draft { template }),
    )
    .await;
    assert_eq!((again.changed, again.skipped.len()), (0, 3));
    // Sending a reply uses the draft up.
    e.call(Request::Reply {
        id: items[0].id,
        text: "ok".into(),
        if_version: None,
        private: false,
    })
    .await
    .expect("reply");
    let Response::Draft(gone) = e.call(Request::Draft(items[0].id)).await.expect("draft") else {
        panic!("draft")
    };
    assert_eq!(gone, None);
    let u = undo(&e, "anna", r.id).await.expect("undo");
    assert_eq!(
        (u.changed, u.skipped.len()),
        (2, 1),
        "the sent one is not undone"
    );
    for i in &items[1..] {
        let Response::Draft(d) = e.call(Request::Draft(i.id)).await.expect("draft") else {
            panic!("draft")
        };
        assert_eq!(d, None);
    }
}

#[tokio::test]
async fn a_claim_skips_items_someone_else_has_and_likes_stay_after_undo() {
    let (_d, e, items) = engine_with(3).await;
    e.call_as(
        "bob",
        Request::Claim {
            id: items[1].id,
            force: false,
        },
    )
    .await
    .expect("bob claims");
    let items = list(&e).await;
    let r = bulk(&e, "anna", req(seen(&items), BulkAction::Claim)).await;
    assert_eq!((r.changed, r.skipped.len()), (2, 1));
    assert_eq!(r.skipped[0].id, items[1].id);
    assert!(r.skipped[0].why.to_string().contains("bob"));
    assert_eq!(get(&e, items[0].id).await.assignee.as_deref(), Some("anna"));
    assert_eq!(get(&e, items[1].id).await.assignee.as_deref(), Some("bob"));

    let items = list(&e).await;
    let likes = bulk(&e, "anna", req(seen(&items), BulkAction::Like)).await;
    assert_eq!(likes.changed, 3);
    let mark = format!("like done · bulk {}", likes.id);
    let liked = audit(&e)
        .await
        .into_iter()
        .filter(|a| a.after.as_deref() == Some(mark.as_str()))
        .count();
    assert_eq!(liked, 3);
    let u = undo(&e, "anna", likes.id).await.expect("undo");
    assert_eq!(
        (u.changed, u.skipped.len()),
        (0, 3),
        "a like stays on the platform"
    );
}

#[tokio::test]
async fn a_read_only_operator_may_look_but_not_change() {
    let (_d, e, items) = engine_with(2).await;
    e.set_team(kith::engine::team::TeamConfig {
        read_only: vec!["intern".into()],
        operators: Vec::new(),
        ..Default::default()
    });
    let err = e
        .call_as("intern", Request::Bulk(req(seen(&items), done())))
        .await
        .expect_err("refused");
    assert!(matches!(err, EngineError::ReadOnly(_)), "{err:?}");
    let mut dry = req(seen(&items), done());
    dry.dry_run = true;
    assert_eq!(bulk(&e, "intern", dry).await.changed, 2);
}

#[tokio::test]
async fn a_snooze_into_the_past_is_refused_before_anything_changes() {
    let (_d, e, items) = engine_with(2).await;
    let err = e
        .call(Request::Bulk(req(
            seen(&items),
            BulkAction::Change(Change::SetStatus {
                status: Status::Snoozed,
                snoozed_until: Some(Timestamp(1)),
            }),
        )))
        .await
        .expect_err("refused");
    assert!(matches!(err, EngineError::Invalid(_)), "{err:?}");
    assert_eq!(get(&e, items[0].id).await.version, items[0].version);
}

#[tokio::test]
async fn prepared_drafts_go_out_as_replies_and_items_without_one_are_skipped() {
    let (_d, e, items) = engine_with(3).await;
    let template = "{name}, заказ в пути. — {operator}".to_string();
    let two: Vec<Item> = items[..2].to_vec();
    let drafted = bulk(&e, "anna", req(seen(&two), BulkAction::Draft { template })).await;
    assert_eq!(drafted.changed, 2);
    let all = list(&e).await;
    let r = bulk(&e, "boris", req(seen(&all), BulkAction::SendDrafts)).await;
    assert_eq!((r.matched, r.changed, r.skipped.len()), (3, 2, 1));
    assert_eq!(r.skipped[0].id, items[2].id);
    assert_eq!(r.skipped[0].why.to_string(), "no prepared draft");
    for i in &two {
        // The draft is used up and the reply is the draft's text, stored under the item.
        let Response::Draft(d) = e.call(Request::Draft(i.id)).await.expect("draft") else {
            panic!("draft")
        };
        assert_eq!(d, None);
        let Response::Thread(thread) = e.call(Request::Thread(i.id)).await.expect("thread") else {
            panic!("thread")
        };
        let ours: Vec<&str> = thread
            .iter()
            .filter(|x| x.is_ours())
            .map(|x| x.text.as_str())
            .collect();
        assert_eq!(
            ours,
            [format!("{}, заказ в пути. — anna", i.author.id).as_str()]
        );
    }
    // Nothing to take back: replies went out.
    assert!(undo(&e, "boris", r.id).await.is_err());
}
