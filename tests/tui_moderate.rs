//! Moderation from the keyboard on a real engine: restore, reject and ban where the platform
//! allows them (the ban popup asks VK's reason and duration; YouTube's ban has none), the
//! platform's own reason where it does not, and the captcha prompt in the Accounts panel.

mod tui_common;

use kith::domain::Platform;
use kith::tui::popups::Popup;
use tui_common::*;

struct Fixed(kith::domain::Timestamp);
impl kith::engine::outbox::WallClock for Fixed {
    fn now(&self) -> kith::domain::Timestamp {
        self.0
    }
}

fn audit_after(r: &Rig, id: kith::domain::ItemId) -> Vec<String> {
    r.backend
        .engine()
        .store()
        .audit(Some(id), 20)
        .expect("audit")
        .into_iter()
        .filter(|a| a.action == "action")
        .filter_map(|a| a.after)
        .collect()
}

#[tokio::test]
async fn vk_bans_with_reason_and_duration_restores_and_cannot_reject() {
    kith::i18n::init(kith::i18n::Lang::En);
    let mut r = rig().await;
    r.press("j").await;
    let vk = r.app.list.current().cloned().expect("selected");
    assert_eq!(vk.platform, Platform::Vk);
    r.press("K").await;
    assert_eq!(
        note(&r),
        "VK cannot reject comments: delete (restorable) or ban the author"
    );
    r.press("O").await;
    assert_eq!(note(&r), "Restored on the platform.");
    r.press("B").await;
    let Some(Popup::Ban(form)) = &r.app.popup else {
        panic!("no ban popup")
    };
    assert!(form.has_terms());
    let screen = screen_text(&r.app, 100, 30);
    assert!(screen.contains("Ban Дмитрий"), "{screen}");
    assert!(
        screen.contains("spam") && screen.contains("30 d"),
        "{screen}"
    );
    // abuse, then 90 days.
    r.press("right").await;
    r.press("down").await;
    r.press("right").await;
    r.press("enter").await;
    assert!(r.app.popup.is_none());
    assert_eq!(note(&r), "Author banned.");
    assert_eq!(
        audit_after(&r, vk.id),
        [
            "restore requested",
            "restore done",
            "ban:90:abuse requested",
            "ban:90:abuse done"
        ]
    );
    // Esc leaves without banning.
    r.press("B").await;
    r.press("esc").await;
    assert!(r.app.popup.is_none());
    assert_eq!(audit_after(&r, vk.id).len(), 4);
}

#[tokio::test]
async fn youtube_bans_outright_and_others_say_why_not() {
    kith::i18n::init(kith::i18n::Lang::En);
    let mut items = sample_items();
    // Make the YouTube comment open so it shows in the inbox.
    for i in items.iter_mut() {
        if i.platform == Platform::Youtube {
            i.status = kith::domain::Status::New;
            i.created_at = mins_ago(1);
        }
    }
    let mut r = rig_with(items).await;
    let yt = r.app.list.current().cloned().expect("selected");
    assert_eq!(yt.platform, Platform::Youtube);
    r.press("B").await;
    let Some(Popup::Ban(form)) = &r.app.popup else {
        panic!("no ban popup")
    };
    assert!(!form.has_terms());
    let screen = screen_text(&r.app, 80, 24);
    assert!(screen.contains("YouTube rejects this comment"), "{screen}");
    r.press("enter").await;
    assert_eq!(note(&r), "Author banned.");
    assert_eq!(
        audit_after(&r, yt.id),
        ["ban:0:other requested", "ban:0:other done"]
    );
    r.press("L").await;
    assert_eq!(
        note(&r),
        "YouTube has no API to like a comment; only its website can"
    );
    // Mastodon: no ban from kith.
    r.press("j").await;
    assert_eq!(
        r.app.list.current().map(|i| i.platform),
        Some(Platform::Mastodon)
    );
    r.press("B").await;
    assert!(r.app.popup.is_none());
    assert_eq!(note(&r), "mastodon does not allow ban");
}

#[tokio::test]
async fn the_captcha_prompt_says_when_there_is_nothing_to_answer() {
    kith::i18n::init(kith::i18n::Lang::En);
    let mut r = rig().await;
    r.press("A").await;
    r.press("c").await;
    assert!(
        note(&r).ends_with("is not waiting for a captcha (it may have been answered already)"),
        "{}",
        note(&r)
    );
    let Some(Popup::Accounts(p)) = &r.app.popup else {
        panic!("accounts closed")
    };
    assert!(p.captcha.is_none());
}

#[tokio::test]
async fn reviews_to_answer_come_worst_first_with_their_count() {
    kith::i18n::init(kith::i18n::Lang::En);
    let mut items = sample_items();
    for (id, stars, mins) in [("g2", 1, 400), ("g3", 4, 10), ("g4", 1, 2000)] {
        let mut r = kith::domain::NewItem::comment(
            Platform::Google,
            "Lumo Store",
            id,
            "Ira",
            &format!("{stars} stars"),
            mins_ago(mins),
        );
        r.kind = kith::domain::Kind::Review;
        r.rating = Some(stars);
        items.push(r);
    }
    let mut r = rig_with(items).await;
    while r.app.view != kith::tui::views::View::ToAnswer {
        r.press("]").await;
    }
    // 1★ oldest first, then 2★, then 4★; the YouTube comment and others are not reviews.
    assert_eq!(
        r.rows(),
        [
            "1 stars",
            "1 stars",
            "Too expensive for what it is.",
            "4 stars"
        ]
    );
    assert_eq!(
        r.app.list.current().map(|i| i.native_id.as_str()),
        Some("g4")
    );
    let screen = screen_text(&r.app, 120, 36);
    assert!(screen.contains("To answer"), "{screen}");
    assert_eq!(kith::tui::views::View::ToAnswer.count(&r.app.overview), 4);
    // Done leaves the view and its count.
    r.press("d").await;
    assert_eq!(r.rows().len(), 3);
    assert_eq!(kith::tui::views::View::ToAnswer.count(&r.app.overview), 3);
}

#[tokio::test]
async fn messenger_answers_only_within_24_hours_and_the_detail_shows_the_clock() {
    use kith::engine::api::{Request, Response};
    use kith::engine::Backend;
    kith::i18n::init(kith::i18n::Lang::En);
    let mut items = Vec::new();
    for (id, mins) in [("m_old", 30 * 60), ("m_new", 120)] {
        let mut d = kith::domain::NewItem::comment(
            Platform::Facebook,
            "Lumo",
            id,
            "6077",
            &format!("message {id}"),
            mins_ago(mins),
        );
        d.kind = kith::domain::Kind::Dm;
        items.push(d);
    }
    let mut r = rig_with(items).await;
    r.backend
        .engine()
        .set_clock(std::sync::Arc::new(Fixed(NOW)));
    let id_of = |r: &Rig, native: &str| {
        r.app
            .list
            .rows
            .iter()
            .find(|i| i.native_id == native)
            .map(|i| i.id)
            .expect("listed")
    };
    let old = id_of(&r, "m_old");
    let err = r
        .backend
        .call(Request::Reply {
            id: old,
            text: "Sorry for the wait!".into(),
            if_version: None,
            private: false,
        })
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "facebook lets a business answer a message only within 24 hours of it; this one is 6 h \
         past that, so facebook would refuse the reply"
    );
    let fresh = id_of(&r, "m_new");
    assert!(matches!(
        r.backend
            .call(Request::Reply {
                id: fresh,
                text: "On its way!".into(),
                if_version: None,
                private: false,
            })
            .await,
        Ok(Response::Replied { .. })
    ));
    // The newest is selected: its clock says how long is left; the old one's says it closed.
    assert_eq!(r.app.list.current().map(|i| i.id), Some(fresh));
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains("messaging window: answer within 22h"),
        "{screen}"
    );
    r.press("j").await;
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains("messaging window closed 6h ago"),
        "{screen}"
    );
}

#[tokio::test]
async fn publishing_a_held_youtube_comment_drops_its_held_tag_and_holding_adds_it() {
    kith::i18n::init(kith::i18n::Lang::En);
    let mut held = kith::domain::NewItem::comment(
        Platform::Youtube,
        "Lumo Official",
        "yh",
        "Olga",
        "ссылка тут",
        mins_ago(1),
    );
    held.tags = vec!["held".into(), "likely-spam".into()];
    let mut r = rig_with(vec![held]).await;
    let id = r.app.list.current().map(|i| i.id).expect("selected");
    r.press("O").await;
    assert_eq!(note(&r), "Restored on the platform.");
    assert!(r.get(id).await.tags.is_empty(), "published: no longer held");
    r.press("X").await;
    assert_eq!(r.get(id).await.tags, ["held"]);
}
