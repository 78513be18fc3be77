//! Meta's messaging windows through the engine, a Facebook Page on a local Graph server and the
//! engine's own clock: a message answered after 24 hours is refused, unless the account has the
//! Human Agent tag, when it goes tagged (`MESSAGE_TAG` + `HUMAN_AGENT`) up to 7 days; a comment's
//! one private reply (`recipient={"comment_id"}`) within 7 days, stored in the thread as ours,
//! audited, refused a second time, too late, on a DM or on another platform, and sent privately
//! again when retried.

mod support;

use kith::domain::{ItemId, Kind, NewItem, Outgoing, Platform, Timestamp};
use kith::engine::api::{Request, Response};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::engine::{add_account, TempEngine};
use support::fake::{answer, first_then, ok, on, requests_to};
use support::net;
use wiremock::matchers::body_string_contains;
use wiremock::MockServer;

const PAGE: &str = "1234567890123456";
const V: &str = "/v23.0";
/// 2026-03-14T12:00:00Z: the engine's "now".
const T: Timestamp = Timestamp(1_773_489_600_000);
const HOUR: i64 = 3_600_000;

struct Fixed(Timestamp);
impl kith::engine::outbox::WallClock for Fixed {
    fn now(&self) -> Timestamp {
        self.0
    }
}

fn cfg(name: &str, server: &MockServer, human_agent: bool) -> kith::connectors::AccountConfig {
    kith::connectors::AccountConfig {
        page_id: Some(PAGE.into()),
        human_agent,
        secret: kith::connectors::secrets::SecretSource::Env("KITH_T_GRAPH_MSG".into()),
        ..net::account(name, Platform::Facebook, server.uri())
    }
}

fn item(account: &str, native: &str, kind: Kind, hours_ago: i64) -> NewItem {
    let mut n = NewItem::comment(
        Platform::Facebook,
        account,
        native,
        "6077",
        &format!("message {native}"),
        Timestamp(T.0 - hours_ago * HOUR),
    );
    n.kind = kind;
    n
}

/// An engine with "fb" (24 hours) and "fb7" (Human Agent) on `server`, these items stored and
/// its clock at `T`.
async fn rig(server: &MockServer, items: Vec<NewItem>) -> TempEngine {
    let timeouts = net::timeouts(Duration::from_secs(2), 1 << 20);
    let e = TempEngine::connected(
        cfg("fb", server, false),
        "KITH_T_GRAPH_MSG",
        "tok",
        timeouts,
    )
    .await;
    add_account(&e, cfg("fb7", server, true)).await;
    e.call(Request::Ingest { items, demo: false })
        .await
        .expect("ingest");
    e.set_clock(Arc::new(Fixed(T)));
    e
}

async fn reply(
    e: &TempEngine,
    account: &str,
    native: &str,
    text: &str,
    private: bool,
) -> Result<ItemId, String> {
    let id = e.id_of(account, native);
    match e
        .call(Request::Reply {
            id,
            text: text.into(),
            if_version: None,
            private,
        })
        .await
    {
        Ok(Response::Replied { reply, .. }) => Ok(reply.id),
        Ok(other) => panic!("{other:?}"),
        Err(err) => Err(err.to_string()),
    }
}

/// The reply once the connector has had its say.
async fn settled(e: &TempEngine, id: ItemId) -> kith::domain::Item {
    for _ in 0..200 {
        let r = e.store().get(id).expect("get").expect("reply");
        if r.outgoing != Some(Outgoing::Sending) {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the reply never settled");
}

async fn forms(server: &MockServer) -> Vec<Vec<(String, String)>> {
    requests_to(server, &format!("{V}/{PAGE}/messages"))
        .await
        .iter()
        .map(|r| url::form_urlencoded::parse(&r.body).into_owned().collect())
        .collect()
}

fn s(k: &str, v: &str) -> (String, String) {
    (k.to_string(), v.to_string())
}

async fn messages_ok(server: &MockServer) {
    on("POST", format!("{V}/{PAGE}/messages"))
        .respond_with(ok(json!({"recipient_id": "6077", "message_id": "m_sent"})))
        .mount(server)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_without_the_human_agent_tag_and_a_week_with_it() {
    kith::i18n::init(kith::i18n::Lang::En);
    let server = MockServer::start().await;
    messages_ok(&server).await;
    let e = rig(
        &server,
        vec![
            item("fb", "late", Kind::Dm, 25),
            item("fb7", "late7", Kind::Dm, 25),
            item("fb7", "fresh7", Kind::Dm, 23),
            item("fb7", "old7", Kind::Dm, 8 * 24),
        ],
    )
    .await;
    assert_eq!(
        reply(&e, "fb", "late", "Sorry!", false).await.unwrap_err(),
        "facebook lets a business answer a message only within 24 hours of it; this one is 1 h \
         past that, so facebook would refuse the reply"
    );
    let tagged = reply(&e, "fb7", "late7", "Sorry for the wait!", false)
        .await
        .expect("within 7 days");
    assert_eq!(
        settled(&e, tagged).await.outgoing,
        Some(Outgoing::Sent { url: None })
    );
    let fresh = reply(&e, "fb7", "fresh7", "On its way!", false)
        .await
        .expect("within 24 hours");
    settled(&e, fresh).await;
    assert_eq!(
        reply(&e, "fb7", "old7", "Hello?", false).await.unwrap_err(),
        "facebook lets a business answer a message within 7 days with the Human Agent tag; this \
         one is 24 h past that, so facebook would refuse the reply"
    );
    assert_eq!(
        forms(&server).await,
        [
            vec![
                s("recipient", r#"{"id":"6077"}"#),
                s("message", r#"{"text":"Sorry for the wait!"}"#),
                s("messaging_type", "MESSAGE_TAG"),
                s("tag", "HUMAN_AGENT"),
            ],
            vec![
                s("recipient", r#"{"id":"6077"}"#),
                s("message", r#"{"text":"On its way!"}"#),
                s("messaging_type", "RESPONSE"),
            ],
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_comment_gets_one_private_reply_within_seven_days() {
    kith::i18n::init(kith::i18n::Lang::En);
    let server = MockServer::start().await;
    let c1 = format!("{PAGE}_1_10");
    messages_ok(&server).await;
    on("POST", format!("{V}/{c1}/comments"))
        .respond_with(ok(json!({"id": format!("{c1}_5")})))
        .mount(&server)
        .await;
    let mut tg = item("tg", "t1", Kind::Comment, 1);
    tg.platform = Platform::Telegram;
    let e = rig(
        &server,
        vec![
            item("fb", &c1, Kind::Comment, 24),
            item("fb", "c_old", Kind::Comment, 8 * 24),
            item("fb", "dm1", Kind::Dm, 1),
            tg,
        ],
    )
    .await;
    let parent = e.id_of("fb", &c1);
    let rid = reply(&e, "fb", &c1, "I sent you the link 💌", true)
        .await
        .expect("private reply");
    let sent = settled(&e, rid).await;
    assert_eq!(
        (
            sent.kind,
            sent.parent_native_id.as_deref(),
            sent.tags.clone()
        ),
        (
            Kind::Reply,
            Some(c1.as_str()),
            vec!["private-reply".to_string()]
        )
    );
    assert_eq!(sent.outgoing, Some(Outgoing::Sent { url: None }));
    assert_eq!(
        forms(&server).await,
        [vec![
            s("recipient", &format!(r#"{{"comment_id":"{c1}"}}"#)),
            s("message", r#"{"text":"I sent you the link 💌"}"#),
        ]]
    );
    let p = e.store().get(parent).unwrap().unwrap();
    assert_eq!(p.tags, ["private-replied"]);
    let Response::Thread(thread) = e.call(Request::Thread(parent)).await.unwrap() else {
        panic!("thread")
    };
    assert!(
        thread.iter().any(|i| i.id == rid && i.is_ours()),
        "in the thread"
    );
    let audit: Vec<String> = e
        .store()
        .audit(Some(parent), 20)
        .unwrap()
        .into_iter()
        .filter(|a| a.action == "reply")
        .filter_map(|a| a.after)
        .collect();
    assert_eq!(audit, [format!("private reply {rid}")]);

    assert_eq!(
        reply(&e, "fb", &c1, "Again", true).await.unwrap_err(),
        "this comment already has its private reply: facebook allows one per comment"
    );
    assert_eq!(
        reply(&e, "fb", "c_old", "Late", true).await.unwrap_err(),
        "a private reply is allowed within 7 days of the comment; this one is 8 days old"
    );
    assert_eq!(
        reply(&e, "fb", "dm1", "Psst", true).await.unwrap_err(),
        "a private reply goes only to a person's comment on Facebook or Instagram; this is a \
         facebook item of another kind"
    );
    assert_eq!(
        reply(&e, "tg", "t1", "Psst", true).await.unwrap_err(),
        "a private reply goes only to a person's comment on Facebook or Instagram; this is a \
         telegram item of another kind"
    );
    // The public answer under the comment is still there to give.
    let public = reply(&e, "fb", &c1, "Thanks!", false)
        .await
        .expect("public");
    assert!(settled(&e, public).await.tags.is_empty());
    assert_eq!(
        requests_to(&server, &format!("{V}/{c1}/comments"))
            .await
            .iter()
            .filter(|r| r.method.as_str() == "POST")
            .count(),
        1
    );
    assert_eq!(forms(&server).await.len(), 1, "one private message in all");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_private_reply_is_retried_privately() {
    kith::i18n::init(kith::i18n::Lang::En);
    let server = MockServer::start().await;
    first_then(
        &server,
        on("POST", format!("{V}/{PAGE}/messages")).respond_with(answer(
            400,
            json!({"error": {"message": "(#100) No matching user found", "code": 100}}),
        )),
        on("POST", format!("{V}/{PAGE}/messages"))
            .and(body_string_contains("comment_id"))
            .respond_with(ok(json!({"recipient_id": "6077", "message_id": "m_pr"}))),
    )
    .await;
    let e = rig(&server, vec![item("fb", "c2", Kind::Comment, 2)]).await;
    let rid = reply(&e, "fb", "c2", "Check your inbox", true)
        .await
        .expect("stored");
    assert!(matches!(
        settled(&e, rid).await.outgoing,
        Some(Outgoing::Failed { .. })
    ));
    e.call(Request::RetryReply(rid)).await.expect("retry");
    assert_eq!(
        settled(&e, rid).await.outgoing,
        Some(Outgoing::Sent { url: None })
    );
    let sent = forms(&server).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0], sent[1], "the same private message both times");
    assert_eq!(sent[1][0], s("recipient", r#"{"comment_id":"c2"}"#));
}
