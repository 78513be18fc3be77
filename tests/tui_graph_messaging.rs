//! Meta's messaging rules on screen, with a real engine: an account with the Human Agent tag
//! shows the 7-day clock in the detail pane, by the same rule the engine refuses by; the reply
//! popup's private-reply key (comments on Facebook and Instagram only) shows its state, survives
//! closing the draft, and the reply goes as the comment's one private message; the Accounts
//! panel says when an Instagram token cannot read Direct messages and which permission would.

mod tui_common;

use kith::connectors::{secrets::SecretSource, AccountConfig};
use kith::domain::{Kind, NewItem, Platform, Timestamp};
use kith::engine::api::{Request, Response};
use kith::engine::Backend;
use kith::tui::popups::Popup;
use tui_common::*;

struct Fixed(Timestamp);
impl kith::engine::outbox::WallClock for Fixed {
    fn now(&self) -> Timestamp {
        self.0
    }
}

fn dm(account: &str, native: &str, mins: i64) -> NewItem {
    let mut d = NewItem::comment(
        Platform::Facebook,
        account,
        native,
        "6077",
        &format!("message {native}"),
        mins_ago(mins),
    );
    d.kind = Kind::Dm;
    d
}

async fn select(r: &mut Rig, native: &str) {
    for _ in 0..20 {
        if r.app.list.current().is_some_and(|i| i.native_id == native) {
            return;
        }
        r.press("j").await;
    }
    panic!("{native} is not listed");
}

#[tokio::test]
async fn the_human_agent_week_shows_in_the_detail_and_the_engine_refuses_by_it() {
    kith::i18n::init(kith::i18n::Lang::En);
    let mut r = rig_with(Vec::new()).await;
    r.backend
        .engine()
        .set_clock(std::sync::Arc::new(Fixed(NOW)));
    let cfg = AccountConfig {
        name: "Lumo7".into(),
        platform: Platform::Facebook,
        base_url: "http://127.0.0.1:9".into(),
        secret: SecretSource::Env("KITH_T_UNUSED".into()),
        handle: None,
        chats: Vec::new(),
        interval_secs: 120,
        activity_items: false,
        group_id: None,
        user_secret: None,
        channel_id: None,
        auth_url: None,
        page_id: Some("1234567890123456".into()),
        google_account: None,
        locations: Vec::new(),
        created_at: Timestamp(0),
        human_agent: true,
    };
    r.backend
        .call(Request::AccountAdd {
            cfg,
            replace: false,
            secret: None,
            user_secret: None,
        })
        .await
        .expect("add");
    let items = vec![
        dm("Lumo7", "m_25h", 25 * 60),
        dm("Lumo7", "m_8d", 8 * 24 * 60),
    ];
    r.backend
        .call(Request::Ingest { items, demo: false })
        .await
        .expect("ingest");
    r.press("ctrl-r").await;
    assert!(
        r.app.human_agent.contains("Lumo7"),
        "from the Accounts answer"
    );
    select(&mut r, "m_25h").await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains("messaging window: answer within 5d (7 days with the Human Agent tag)"),
        "{screen}"
    );
    select(&mut r, "m_8d").await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains("messaging window closed 1d ago (7 days with the Human Agent tag)"),
        "{screen}"
    );
    let old = r.app.list.current().map(|i| i.id).expect("selected");
    let err = r
        .backend
        .call(Request::Reply {
            id: old,
            text: "Hello?".into(),
            if_version: None,
            private: false,
        })
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "facebook lets a business answer a message within 7 days with the Human Agent tag; this \
         one is 24 h past that, so facebook would refuse the reply"
    );
}

#[tokio::test]
async fn the_private_reply_key_shows_its_state_and_sends_the_one_private_message() {
    kith::i18n::init(kith::i18n::Lang::En);
    let comment = NewItem::comment(
        Platform::Facebook,
        "Lumo",
        "fb_c1",
        "6077",
        "Wo bekomme ich die Lampe?",
        mins_ago(60),
    );
    let other = NewItem::comment(
        Platform::Mastodon,
        "lumo@mastodon",
        "ma1",
        "42",
        "Nice lamp",
        mins_ago(30),
    );
    let mut r = rig_with(vec![comment, other]).await;
    r.backend
        .engine()
        .set_clock(std::sync::Arc::new(Fixed(NOW)));
    // Not on Mastodon: said, and nothing turns on.
    select(&mut r, "ma1").await;
    r.press("r ctrl-p").await;
    assert_eq!(
        note(&r),
        "a private reply goes only to a person's comment on Facebook or Instagram; this is a \
         mastodon item of another kind"
    );
    let Some(Popup::Reply(form)) = &r.app.popup else {
        panic!("no reply popup")
    };
    assert!(!form.private);
    assert!(!screen_text(&r.app, 120, 36).contains("private reply via"));
    r.press("esc").await;

    select(&mut r, "fb_c1").await;
    let id = r.app.list.current().map(|i| i.id).expect("selected");
    r.press("r").await;
    assert!(
        screen_text(&r.app, 120, 36).contains("○ private reply via Messenger (ctrl-p)"),
        "off, and the key to turn it on"
    );
    r.press("ctrl-p").await;
    assert_eq!(
        note(&r),
        "Private reply: the text goes to the commenter's inbox, once"
    );
    r.type_text("Link kommt per Nachricht").await;
    assert!(screen_text(&r.app, 120, 36).contains("● private reply via Messenger (ctrl-p)"));
    // Closed and opened again: still private.
    r.press("esc r").await;
    let Some(Popup::Reply(form)) = &r.app.popup else {
        panic!("no reply popup")
    };
    assert!(form.private && form.editor.text() == "Link kommt per Nachricht");
    r.press("alt-enter").await;
    assert!(r.app.popup.is_none());
    let item = r.get(id).await;
    assert_eq!(item.tags, ["private-replied"]);
    let Response::Thread(thread) = r.backend.call(Request::Thread(id)).await.unwrap() else {
        panic!("thread")
    };
    let ours: Vec<_> = thread.iter().filter(|i| i.is_ours()).collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(
        (ours[0].text.as_str(), ours[0].tags.clone()),
        (
            "Link kommt per Nachricht",
            vec!["private-reply".to_string()]
        )
    );
    // The one private reply is spent: the key says so (the answered comment is under All).
    r.press("[").await;
    select(&mut r, "fb_c1").await;
    r.press("r ctrl-p").await;
    assert_eq!(
        note(&r),
        "this comment already has its private reply: facebook allows one per comment"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_accounts_panel_says_instagram_messages_are_off_and_which_permission_helps() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    kith::i18n::init(kith::i18n::Lang::En);
    let server = MockServer::start().await;
    let get = |p: &str, code: u16, body: serde_json::Value| {
        Mock::given(method("GET"))
            .and(path(format!("/v23.0/{p}")))
            .respond_with(ResponseTemplate::new(code).set_body_json(body))
    };
    get(
        "17841400000000009/media",
        200,
        serde_json::json!({"data": []}),
    )
    .mount(&server)
    .await;
    get("me", 200, serde_json::json!({"id": "1234567890123456"}))
        .mount(&server)
        .await;
    get(
        "1234567890123456/conversations",
        400,
        serde_json::json!({"error": {"message": "(#3) Application does not have the capability to make this API call.", "code": 3}}),
    )
    .mount(&server)
    .await;
    std::env::set_var("KITH_T_IG_NOTICE", "EAAB-token");
    let mut r = rig_with(Vec::new()).await;
    let cfg = AccountConfig {
        name: "lumo-ig".into(),
        platform: Platform::Instagram,
        base_url: server.uri(),
        secret: SecretSource::Env("KITH_T_IG_NOTICE".into()),
        handle: None,
        chats: Vec::new(),
        interval_secs: 120,
        activity_items: false,
        group_id: None,
        user_secret: None,
        channel_id: None,
        auth_url: None,
        page_id: Some("17841400000000009".into()),
        google_account: None,
        locations: Vec::new(),
        created_at: Timestamp(0),
        human_agent: false,
    };
    r.backend
        .call(Request::AccountAdd {
            cfg,
            replace: false,
            secret: None,
            user_secret: None,
        })
        .await
        .expect("add");
    let Response::Synced(reports) = r
        .backend
        .call(Request::Sync {
            account: Some("lumo-ig".into()),
        })
        .await
        .expect("sync")
    else {
        panic!("sync")
    };
    assert_eq!(reports[0].error, None, "messages off is not a failure");
    r.press("A").await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains("Direct messages are off: the token lacks instagram_manage_messages"),
        "{screen}"
    );
}
