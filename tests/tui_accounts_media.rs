//! The Accounts panel shows a platform's publishing limit (Instagram's posts in its rolling
//! window) as the engine reports it, in each language.

mod tui_common;

use kith::connectors::http::{PostQuota, RateInfo};
use kith::engine::api::{AccountRuntime, AccountView, Response};
use kith::tui::msg::{Msg, Tag};
use tui_common::*;

#[tokio::test]
async fn the_publishing_limit_is_a_line_of_the_account() {
    kith::i18n::init(kith::i18n::Lang::En);
    let mut r = rig().await;
    r.press("A").await;
    let view = AccountView {
        name: "lumo-ig".into(),
        platform: kith::domain::Platform::Instagram,
        connected: true,
        demo: false,
        base_url: Some("https://graph.facebook.com".into()),
        secret_source: None,
        handle: None,
        interval_secs: None,
        items: 4,
        state: Default::default(),
        runtime: AccountRuntime {
            rate: RateInfo {
                posts: Some(PostQuota {
                    used: 3,
                    limit: 25,
                    hours: 24,
                }),
                ..Default::default()
            },
            ..Default::default()
        },
        human_agent: false,
    };
    kith::tui::update(
        &mut r.app,
        Msg::Done(Tag::Accounts, Ok(Response::Accounts(vec![view]))),
    );
    let screen = screen_text(&r.app, 120, 36);
    assert!(
        screen.contains("Publishing: 3 of 25 posts in 24 h"),
        "{screen}"
    );
    for (lang, line) in [
        (kith::i18n::Lang::Ru, "Публикации: 3 из 25 постов за 24 ч"),
        (kith::i18n::Lang::Zh, "发布：24 小时内 3 / 25 条帖子"),
    ] {
        let got = kith::i18n::tf_in(
            lang,
            "tui.accounts.media.publishing",
            &[("used", &3), ("limit", &25), ("hours", &24)],
        );
        assert_eq!(got, line);
    }
}
