//! The snapshot script shared by the per-language snapshot tests (the catalog language is chosen
//! once per process, so each language runs in its own test binary).

#[path = "screens.rs"]
mod screens;
use super::{rig, Rig};
use kith::i18n::Lang;
use screens::*;

async fn shot(r: &Rig, name: &str, w: u16, h: u16) {
    let name = format!("{}_{name}", kith::i18n::current().code());
    let (text, buf) = render(&r.app, w, h);
    // Popups cover the sidebar's edge; the screen's right edge stays visible.
    let side = if r.app.popup.is_none() {
        side_width(w)
    } else {
        0
    };
    assert_borders_aligned(&buf, side);
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name.as_str(), text);
    });
}

async fn sized(lang: Lang, w: u16, h: u16) -> Rig {
    kith::i18n::init(lang);
    let mut r = rig().await;
    r.app.size = (w, h);
    r
}

/// Every screen at 120x36, in `lang`.
pub async fn screens_120x36(lang: Lang) {
    let (w, h) = (120, 36);
    let mut r = sized(lang, w, h).await;
    shot(&r, "main_120", w, h).await;
    r.press("j j").await;
    r.press("enter").await;
    shot(&r, "detail_120", w, h).await;
    r.press("esc ?").await;
    shot(&r, "help_120", w, h).await;
    r.press("esc /").await;
    r.type_text("lamp").await;
    shot(&r, "search_120", w, h).await;
    r.press("esc f right").await;
    shot(&r, "filter_120", w, h).await;
    r.press("esc s").await;
    shot(&r, "snooze_120", w, h).await;
    r.press("esc :").await;
    r.type_text("re").await;
    shot(&r, "palette_120", w, h).await;
    r.press("esc g g r").await;
    r.type_text("Hello there, ").await;
    r.press("enter").await;
    r.type_text("second line 你好 👍").await;
    shot(&r, "reply_120", w, h).await;
    r.press("ctrl-t").await;
    r.type_text("th").await;
    shot(&r, "reply_picker_120", w, h).await;
    r.press("esc esc").await;
    connect_account(&r).await;
    r.press("A").await;
    shot(&r, "accounts_120", w, h).await;
    r.press("j").await;
    shot(&r, "accounts_selected_120", w, h).await;
}

/// A connected Mastodon account whose token was refused, as the Accounts panel shows it.
async fn connect_account(r: &Rig) {
    use kith::connectors::{secrets::SecretSource, AccountConfig};
    use kith::engine::api::Request;
    use kith::engine::Backend;
    let cfg = AccountConfig {
        name: "shop-mastodon".into(),
        platform: kith::domain::Platform::Mastodon,
        base_url: "https://mastodon.example".into(),
        secret: SecretSource::Env("MASTODON_TOKEN".into()),
        handle: None,
        chats: Vec::new(),
        interval_secs: 120,
        activity_items: false,
        created_at: kith::domain::Timestamp(0),
    };
    r.backend
        .call(Request::AccountAdd {
            cfg,
            replace: false,
        })
        .await
        .expect("add account");
    r.backend
        .engine()
        .store()
        .set_sync_error(
            "shop-mastodon",
            Some(
                "shop-mastodon needs re-authentication (HTTP 401: The access token is invalid)"
                    .into(),
            ),
            true,
            kith::domain::Timestamp(0),
        )
        .expect("state");
}

/// The main screens at 80x24, in `lang`.
pub async fn screens_80x24(lang: Lang) {
    let (w, h) = (80, 24);
    let mut r = sized(lang, w, h).await;
    shot(&r, "main_80", w, h).await;
    r.press("[").await;
    r.press("G").await;
    shot(&r, "all_bottom_80", w, h).await;
    r.press("g g r ctrl-t").await;
    shot(&r, "reply_picker_80", w, h).await;
    r.press("esc esc ?").await;
    shot(&r, "help_80", w, h).await;
}
