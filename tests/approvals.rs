//! Approvals in the engine, on tokio's paused clock with a platform that records what it is
//! sent: an intern's post (or reply, with `approve_replies`) never leaves until an approver
//! approves it, then leaves exactly once; only approvers decide; a send-back keeps its comment
//! for the author; a rewrite needs approval again; every step is in the audit log.

mod support;

use kith::domain::approval::Verdict;
use kith::domain::post::{Post, PostId, TargetState};
use kith::domain::settings::TeamSettings;
use kith::domain::{ItemId, NewItem, Outgoing, Platform, Status, Timestamp};
use kith::engine::api::{PostEdit, Request, Response};
use kith::engine::outbox::TokioClock;
use kith::engine::{Engine, EngineError};
use std::sync::Arc;
use std::time::Duration;
use support::engine::{self, new_post, target, TempEngine};
use support::net;
use support::scripted::Recorder;

/// 2026-12-07T09:00:00Z.
const T0: i64 = 1_796_634_000_000;
const MIN: i64 = 60_000;

fn team(replies: bool) -> TeamSettings {
    TeamSettings {
        operators: vec!["anna".into(), "boris".into(), "intern".into()],
        needs_approval: vec!["intern".into()],
        approvers: vec!["anna".into()],
        approve_replies: replies,
        ..Default::default()
    }
}

struct Rig {
    engine: TempEngine,
    shop: Arc<Recorder>,
}

async fn rig_in(dir: tempfile::TempDir, replies: bool, account: bool) -> Rig {
    kith::i18n::init(kith::i18n::Lang::En);
    let engine = TempEngine::in_dir(dir);
    engine.set_clock(Arc::new(TokioClock::new(Timestamp(T0))));
    engine.set_team(team(replies));
    if account {
        let cfg = net::account("shop", Platform::Mastodon, "http://127.0.0.1:9/");
        engine::add_account(&engine, cfg).await;
    }
    let shop = Recorder::new(Platform::Mastodon);
    engine.use_connector("shop", shop.clone());
    Rig { engine, shop }
}

async fn rig(replies: bool) -> Rig {
    rig_in(tempfile::tempdir().expect("tmp"), replies, true).await
}

async fn call(e: &Arc<Engine>, op: &str, req: Request) -> Result<Response, EngineError> {
    e.call_as(op, req).await
}

async fn create_as(e: &Arc<Engine>, op: &str, text: &str, due: i64) -> Post {
    let post = new_post(text, target("shop"), Some(Timestamp(due)));
    match call(e, op, Request::PostCreate { post, queue: false }).await {
        Ok(Response::Post(p)) => *p,
        other => panic!("{other:?}"),
    }
}

async fn edit(e: &Arc<Engine>, op: &str, id: PostId, edit: PostEdit) -> Result<Post, EngineError> {
    match call(
        e,
        op,
        Request::PostEdit {
            id,
            if_version: None,
            edit,
        },
    )
    .await?
    {
        Response::Post(p) => Ok(*p),
        other => panic!("{other:?}"),
    }
}

fn refused_with(r: Result<impl std::fmt::Debug, EngineError>, key: &str) {
    match r {
        Err(EngineError::Invalid(p)) => assert_eq!(p.key, key, "{p:?}"),
        other => panic!("expected {key}, got {other:?}"),
    }
}

fn get(e: &Arc<Engine>, id: PostId) -> Post {
    e.store().post(id).expect("read").expect("post")
}

fn states(e: &Arc<Engine>, id: PostId) -> Vec<TargetState> {
    get(e, id).targets.into_iter().map(|t| t.state).collect()
}

fn sent(r: &Rig) -> Vec<String> {
    let calls = r.shop.posts.lock().expect("lock");
    calls.iter().map(|c| c.2.clone()).collect()
}

fn replies_sent(r: &Rig) -> Vec<(String, String)> {
    let calls = r.shop.replies.lock().expect("lock");
    calls.iter().map(|c| (c.1.clone(), c.2.clone())).collect()
}

async fn run_for(d: Duration) {
    tokio::time::sleep(d).await;
}

fn audit(e: &Arc<Engine>) -> Vec<(String, String, String)> {
    e.store()
        .audit_query(&kith::store::AuditQuery {
            limit: 1000,
            ..Default::default()
        })
        .expect("audit")
        .into_iter()
        .map(|a| (a.operator, a.action, a.after.unwrap_or_default()))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn an_interns_post_waits_across_a_restart_and_goes_once_when_approved() {
    let dir = tempfile::tempdir().expect("tmp");
    let r = rig_in(dir, false, true).await;
    let p = create_as(&r.engine, "intern", "Новинка недели 🌱", T0 + 10 * MIN).await;
    assert_eq!(states(&r.engine, p.id), vec![TargetState::AwaitingApproval]);
    assert_eq!(p.summary().as_str(), "awaiting_approval");
    let review = p.review.clone().expect("review");
    assert_eq!((review.author.as_str(), review.answer), ("intern", None));
    // The engine stops and starts again: the post still waits.
    let TempEngine { dir, engine } = r.engine;
    drop(engine);
    let r = rig_in(dir, false, false).await;
    assert_eq!(states(&r.engine, p.id), vec![TargetState::AwaitingApproval]);
    r.engine.start_outbox();
    // Well past its time (and inside the late limit): nothing left.
    run_for(Duration::from_secs(30 * 60)).await;
    assert!(sent(&r).is_empty(), "{:?}", sent(&r));
    assert_eq!(states(&r.engine, p.id), vec![TargetState::AwaitingApproval]);
    let waiting = match call(&r.engine, "anna", Request::Awaiting).await {
        Ok(Response::Awaiting(a)) => a,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        waiting.posts.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![p.id]
    );
    // Approved after its time: it goes at once, exactly once.
    let approved = edit(&r.engine, "anna", p.id, PostEdit::Approve)
        .await
        .expect("approve");
    assert_eq!(approved.targets[0].state, TargetState::Scheduled);
    run_for(Duration::from_secs(2)).await;
    assert_eq!(sent(&r), vec!["Новинка недели 🌱"]);
    // A second approval finds nothing waiting; an hour later nothing more went.
    refused_with(
        edit(&r.engine, "anna", p.id, PostEdit::Approve).await,
        "approvals.err.not_awaiting",
    );
    run_for(Duration::from_secs(3600)).await;
    assert_eq!(sent(&r).len(), 1);
    assert!(matches!(
        states(&r.engine, p.id)[0],
        TargetState::Sent { .. }
    ));
    let after = get(&r.engine, p.id);
    let answer = after.review.and_then(|r| r.answer).expect("answer");
    assert_eq!(
        (answer.by.as_str(), answer.verdict),
        ("anna", Verdict::Approved)
    );
    match call(&r.engine, "anna", Request::Awaiting).await {
        Ok(Response::Awaiting(a)) => assert!(a.posts.is_empty()),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn only_approvers_approve_or_send_back() {
    let r = rig(false).await;
    let p = create_as(&r.engine, "intern", "мой пост", T0 + 10 * MIN).await;
    for op in ["intern", "boris"] {
        refused_with(
            edit(&r.engine, op, p.id, PostEdit::Approve).await,
            "approvals.err.not_approver",
        );
        refused_with(
            edit(
                &r.engine,
                op,
                p.id,
                PostEdit::SendBack {
                    comment: "нет".into(),
                },
            )
            .await,
            "approvals.err.not_approver",
        );
    }
    assert_eq!(states(&r.engine, p.id), vec![TargetState::AwaitingApproval]);
    // Nobody else's posts wait: boris's goes straight to the schedule.
    let q = create_as(&r.engine, "boris", "boris", T0 + 10 * MIN).await;
    assert_eq!(q.targets[0].state, TargetState::Scheduled);
    assert_eq!(q.review, None);
    refused_with(
        edit(&r.engine, "anna", q.id, PostEdit::Approve).await,
        "approvals.err.not_awaiting",
    );
    // A new time from someone else is not an approval.
    let moved = edit(
        &r.engine,
        "boris",
        p.id,
        PostEdit::Move(Timestamp(T0 + 20 * MIN)),
    )
    .await
    .expect("move");
    assert_eq!(moved.targets[0].state, TargetState::AwaitingApproval);
    assert_eq!(moved.due_at, Some(Timestamp(T0 + 20 * MIN)));
    r.engine.start_outbox();
    run_for(Duration::from_secs(40 * 60)).await;
    assert_eq!(sent(&r), vec!["boris"]);
}

#[tokio::test(start_paused = true)]
async fn a_send_back_keeps_the_comment_and_a_rewrite_asks_again() {
    let r = rig(false).await;
    r.engine.start_outbox();
    let p = create_as(&r.engine, "intern", "Скидки 90%!!!", T0 + 60 * MIN).await;
    refused_with(
        edit(
            &r.engine,
            "anna",
            p.id,
            PostEdit::SendBack {
                comment: "  ".into(),
            },
        )
        .await,
        "approvals.err.comment_empty",
    );
    let back = edit(
        &r.engine,
        "anna",
        p.id,
        PostEdit::SendBack {
            comment: "Уберите восклицательные знаки 🙏".into(),
        },
    )
    .await
    .expect("send back");
    assert_eq!(back.targets[0].state, TargetState::Draft);
    let review = back.review.clone().expect("review");
    assert_eq!(
        review.sent_back(),
        Some(("anna", "Уберите восклицательные знаки 🙏"))
    );
    // The author finds it where it was, on the calendar, with the comment.
    let week = match call(
        &r.engine,
        "intern",
        Request::Posts(kith::engine::api::PostQuery {
            from: Some(Timestamp(T0)),
            to: Some(Timestamp(T0 + 86_400_000)),
            limit: 100,
        }),
    )
    .await
    {
        Ok(Response::Posts(v)) => v,
        other => panic!("{other:?}"),
    };
    let seen = week.iter().find(|x| x.id == p.id).expect("on the calendar");
    assert_eq!(seen.review, back.review);
    assert_eq!(seen.summary().as_str(), "draft");
    // Rewritten by its author: waiting again, the old answer gone.
    let again = edit(
        &r.engine,
        "intern",
        p.id,
        PostEdit::Text {
            account: None,
            text: "Скидки 90%".into(),
        },
    )
    .await
    .expect("rewrite");
    assert_eq!(again.targets[0].state, TargetState::AwaitingApproval);
    let review = again.review.expect("review");
    assert_eq!((review.author.as_str(), review.answer), ("intern", None));
    run_for(Duration::from_secs(90 * 60)).await;
    assert!(sent(&r).is_empty(), "{:?}", sent(&r));
    let log: Vec<String> = get(&r.engine, p.id)
        .log
        .iter()
        .map(|a| a.what.clone())
        .collect();
    assert_eq!(log, vec!["sent_back", "edited", "approval_asked"]);
}

#[tokio::test(start_paused = true)]
async fn editing_an_approved_post_needs_approval_again() {
    let r = rig(false).await;
    r.engine.start_outbox();
    let p = create_as(&r.engine, "intern", "v1", T0 + 30 * MIN).await;
    edit(&r.engine, "anna", p.id, PostEdit::Approve)
        .await
        .expect("approve");
    assert_eq!(states(&r.engine, p.id), vec![TargetState::Scheduled]);
    // Anna may change the approved post: it stays scheduled.
    let v2 = PostEdit::Text {
        account: None,
        text: "v2".into(),
    };
    let after = edit(&r.engine, "anna", p.id, v2).await.expect("anna edits");
    assert_eq!(after.targets[0].state, TargetState::Scheduled);
    // The intern changes it: it waits again, text and time alike.
    let v3 = PostEdit::Text {
        account: None,
        text: "v3".into(),
    };
    let after = edit(&r.engine, "intern", p.id, v3)
        .await
        .expect("intern edits");
    assert_eq!(after.targets[0].state, TargetState::AwaitingApproval);
    run_for(Duration::from_secs(45 * 60)).await;
    assert!(sent(&r).is_empty(), "{:?}", sent(&r));
    // Past its time now: the intern gives it a new one, still waiting.
    let moved = edit(
        &r.engine,
        "intern",
        p.id,
        PostEdit::Move(Timestamp(T0 + 120 * MIN)),
    )
    .await
    .expect("move");
    assert_eq!(moved.targets[0].state, TargetState::AwaitingApproval);
    edit(&r.engine, "anna", p.id, PostEdit::Approve)
        .await
        .expect("approve again");
    // Approved, then moved by the intern: waiting again.
    let moved = edit(
        &r.engine,
        "intern",
        p.id,
        PostEdit::Move(Timestamp(T0 + 150 * MIN)),
    )
    .await
    .expect("move again");
    assert_eq!(moved.targets[0].state, TargetState::AwaitingApproval);
    run_for(Duration::from_secs(85 * 60)).await;
    assert!(sent(&r).is_empty(), "{:?}", sent(&r));
    edit(&r.engine, "anna", p.id, PostEdit::Approve)
        .await
        .expect("approve the move");
    run_for(Duration::from_secs(30 * 60)).await;
    assert_eq!(sent(&r), vec!["v3"]);
}

#[tokio::test(start_paused = true)]
async fn every_step_is_in_the_audit_log() {
    let r = rig(false).await;
    let p = create_as(&r.engine, "intern", "аудит", T0 + 30 * MIN).await;
    edit(
        &r.engine,
        "anna",
        p.id,
        PostEdit::SendBack {
            comment: "поправьте дату".into(),
        },
    )
    .await
    .expect("send back");
    edit(
        &r.engine,
        "intern",
        p.id,
        PostEdit::Text {
            account: None,
            text: "аудит 2".into(),
        },
    )
    .await
    .expect("rewrite");
    edit(&r.engine, "anna", p.id, PostEdit::Approve)
        .await
        .expect("approve");
    let steps: Vec<(String, String, String)> = audit(&r.engine)
        .into_iter()
        .filter(|a| a.1.starts_with("post-"))
        .collect();
    let short: Vec<(&str, &str)> = steps
        .iter()
        .map(|(op, action, _)| (op.as_str(), action.as_str()))
        .collect();
    assert_eq!(
        short,
        vec![
            ("intern", "post-create"),
            ("anna", "post-send-back"),
            ("intern", "post-edit"),
            ("anna", "post-approve"),
        ]
    );
    assert!(steps[0].2.contains("shop:awaiting_approval"), "{steps:?}");
    assert!(
        steps[1].2.contains("shop:draft")
            && steps[1].2.contains("sent-back-by=anna: \"поправьте дату\""),
        "{steps:?}"
    );
    assert!(steps[2].2.contains("shop:awaiting_approval"), "{steps:?}");
    assert!(
        steps[3].2.contains("shop:scheduled") && steps[3].2.contains("approved-by=anna"),
        "{steps:?}"
    );
}

async fn comment(r: &Rig, native: &str) -> ItemId {
    let item = NewItem::comment(
        Platform::Mastodon,
        "shop",
        native,
        "u1",
        "Когда доставка?",
        Timestamp(T0 - MIN),
    );
    call(
        &r.engine,
        "anna",
        Request::Ingest {
            items: vec![item],
            demo: false,
        },
    )
    .await
    .expect("ingest");
    r.engine.id_of("shop", native)
}

async fn reply_as(r: &Rig, op: &str, id: ItemId, text: &str) -> kith::domain::Item {
    match call(
        &r.engine,
        op,
        Request::Reply {
            id,
            text: text.into(),
            if_version: None,
            private: false,
        },
    )
    .await
    {
        Ok(Response::Replied { reply, .. }) => *reply,
        other => panic!("{other:?}"),
    }
}

async fn review(
    r: &Rig,
    op: &str,
    reply: ItemId,
    verdict: Verdict,
) -> Result<Response, EngineError> {
    call(&r.engine, op, Request::ReviewReply { reply, verdict }).await
}

fn outgoing(r: &Rig, id: ItemId) -> Option<Outgoing> {
    r.engine
        .store()
        .get(id)
        .expect("get")
        .expect("item")
        .outgoing
}

#[tokio::test(start_paused = true)]
async fn a_reply_awaiting_approval_is_sent_once_when_approved() {
    let r = rig(true).await;
    r.engine.start();
    let q = comment(&r, "c1").await;
    let reply = reply_as(&r, "intern", q, "Завтра до 18:00").await;
    assert_eq!(reply.outgoing, Some(Outgoing::AwaitingApproval));
    run_for(Duration::from_secs(600)).await;
    assert!(replies_sent(&r).is_empty());
    match call(&r.engine, "anna", Request::Awaiting).await {
        Ok(Response::Awaiting(a)) => {
            let ids: Vec<_> = a.replies.iter().map(|x| x.reply.id).collect();
            assert_eq!(ids, vec![reply.id]);
            assert_eq!(a.replies[0].parent.as_ref().map(|p| p.id), Some(q));
        }
        other => panic!("{other:?}"),
    }
    refused_with(
        review(&r, "boris", reply.id, Verdict::Approved).await,
        "approvals.err.not_approver",
    );
    review(&r, "anna", reply.id, Verdict::Approved)
        .await
        .expect("approve");
    refused_with(
        review(&r, "anna", reply.id, Verdict::Approved).await,
        "approvals.err.reply_not_awaiting",
    );
    run_for(Duration::from_secs(5)).await;
    assert_eq!(
        replies_sent(&r),
        vec![(reply.native_id.clone(), "Завтра до 18:00".to_string())]
    );
    assert!(matches!(
        outgoing(&r, reply.id),
        Some(Outgoing::Sent { .. })
    ));
    // A restart resumes nothing: it is out.
    assert!(r
        .engine
        .store()
        .pending_replies()
        .expect("pending")
        .is_empty());
    let actions: Vec<(String, String)> = audit(&r.engine)
        .into_iter()
        .filter(|a| a.1.starts_with("reply"))
        .map(|a| (a.0, a.1))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("intern".to_string(), "reply".to_string()),
            ("anna".to_string(), "reply-approve".to_string()),
            ("intern".to_string(), "reply-state".to_string()),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_reply_sent_back_is_never_sent_and_its_item_reopens() {
    let r = rig(true).await;
    r.engine.start();
    let q = comment(&r, "c2").await;
    let reply = reply_as(&r, "intern", q, "хз").await;
    let status = |r: &Rig| r.engine.store().get(q).expect("get").expect("item").status;
    assert_eq!(status(&r), Status::Done);
    let back = Verdict::SentBack {
        comment: "Вежливее, пожалуйста".into(),
    };
    review(&r, "anna", reply.id, back).await.expect("send back");
    assert_eq!(
        outgoing(&r, reply.id),
        Some(Outgoing::SentBack {
            by: "anna".into(),
            comment: "Вежливее, пожалуйста".into()
        })
    );
    assert_eq!(status(&r), Status::Open);
    refused_with(
        review(&r, "anna", reply.id, Verdict::Approved).await,
        "approvals.err.reply_not_awaiting",
    );
    run_for(Duration::from_secs(600)).await;
    assert!(replies_sent(&r).is_empty());
    // Without `approve_replies`, the intern's replies go at once.
    r.engine.set_team(team(false));
    let q2 = comment(&r, "c3").await;
    reply_as(&r, "intern", q2, "Сегодня").await;
    run_for(Duration::from_secs(5)).await;
    assert_eq!(replies_sent(&r).len(), 1);
}
