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
        group_id: None,
        user_secret: None,
        channel_id: None,
        auth_url: None,
        page_id: None,
        google_account: None,
        locations: Vec::new(),
        created_at: kith::domain::Timestamp(0),
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
        .expect("add account");
    r.backend
        .engine()
        .store()
        .set_sync_error(
            "shop-mastodon",
            Some(kith::i18n::ph(
                "err.remote_auth",
                &[
                    ("account", &"shop-mastodon"),
                    ("reason", &"HTTP 401: The access token is invalid"),
                ],
            )),
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

struct FixedClock;
impl kith::engine::outbox::WallClock for FixedClock {
    fn now(&self) -> kith::domain::Timestamp {
        super::NOW
    }
}

/// Posts on the calendar: one sent with its link, one scheduled with CJK and emoji, one failed.
async fn sample_posts(r: &Rig) {
    use kith::domain::post::{NewPost, NewTarget, TargetState};
    use kith::engine::api::{Request, Response};
    use kith::engine::Backend;
    r.backend
        .engine()
        .set_clock(std::sync::Arc::new(FixedClock));
    let mut ids = Vec::new();
    for (text, accounts, mins) in [
        (
            "Spring lamps are here! #lumo https://lumo.example/spring",
            vec!["lumo@mastodon.social", "lumo.bsky.social"],
            0,
        ),
        (
            "新品上市 你好👍🏽 Новинка",
            vec!["@lumo_support"],
            24 * 60 + 90,
        ),
        ("Sale ends tonight", vec!["@lumo_support"], 24 * 60 + 300),
    ] {
        let post = NewPost {
            text: text.into(),
            targets: accounts
                .iter()
                .map(|a| NewTarget {
                    account: a.to_string(),
                    ..Default::default()
                })
                .collect(),
            due_at: Some(kith::domain::Timestamp(super::NOW.0 + mins * 60_000)),
            media: Vec::new(),
        };
        match r
            .backend
            .call(Request::PostCreate { post, queue: false })
            .await
            .expect("post")
        {
            Response::Post(p) => ids.push(p.id),
            other => panic!("unexpected {other:?}"),
        }
    }
    let store = r.backend.engine().store();
    store
        .edit_post(
            ids[0],
            None,
            None,
            "anna",
            super::NOW,
            Box::new(|p| {
                for (i, t) in p.targets.iter_mut().enumerate() {
                    t.state = TargetState::Sent {
                        url: Some(format!("https://social.example/@lumo/{}", 100 + i)),
                        at: super::NOW,
                    };
                }
                Ok(())
            }),
        )
        .expect("edit")
        .expect("sent");
    store
        .edit_post(
            ids[2],
            None,
            None,
            "anna",
            super::NOW,
            Box::new(|p| {
                p.targets[0].state = TargetState::Failed {
                    reason: "HTTP 403: \x1b[31mforbidden".into(),
                };
                Ok(())
            }),
        )
        .expect("edit")
        .expect("failed");
}

/// The composer with two networks (one over its limit) and the calendar, in `lang`; `both`
/// adds the 80-column screens.
pub async fn compose_screens(lang: Lang, both: bool) {
    let sizes: &[(u16, u16)] = if both {
        &[(120, 36), (80, 24)]
    } else {
        &[(120, 36)]
    };
    for &(w, h) in sizes {
        let mut r = sized(lang, w, h).await;
        sample_posts(&r).await;
        r.press("c").await;
        for name in ["lumo@mastodon.social", "lumo.bsky.social"] {
            let at = r
                .app
                .accounts
                .iter()
                .position(|(n, _)| n == name)
                .expect("account");
            r.press("home").await;
            for _ in 0..at {
                r.press("down").await;
            }
            r.press("space").await;
        }
        r.press("tab").await;
        r.type_text("Новая лампа 你好👍🏽 #lumo @anna@mastodon.social https://lumo.example/x ")
            .await;
        r.type_text(&"ж".repeat(250)).await;
        // A picture with its alt text, then the time.
        r.press("tab").await;
        let pic = r.dir.path().join("лампа.png");
        let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
        png.extend(1080u32.to_be_bytes());
        png.extend(1350u32.to_be_bytes());
        png.resize(48_000, 0);
        std::fs::write(&pic, png).expect("picture");
        r.type_text(&pic.display().to_string()).await;
        r.press("enter").await;
        r.type_text("Лампа 灯 on a desk").await;
        r.press("enter").await;
        r.press("tab").await;
        r.type_text("2026-03-14 13:30").await;
        shot(&r, &format!("compose_{w}"), w, h).await;
        r.press("esc S").await;
        shot(&r, &format!("calendar_{w}"), w, h).await;
        r.press("enter").await;
        shot(&r, &format!("calendar_detail_{w}"), w, h).await;
    }
}

/// One item of every kind, new and open, aged from "now" to weeks, for the list's columns.
fn column_items() -> Vec<kith::domain::NewItem> {
    use kith::domain::{Kind, NewItem, Platform, Status};
    let rows = [
        (
            Kind::Mention,
            Status::New,
            0,
            "王芳",
            "灯很好，但是发货太慢了",
        ),
        (
            Kind::Reply,
            Status::Open,
            59,
            "Дмитрий",
            "Спасибо, заработало",
        ),
        (Kind::Dm, Status::New, 150, "Priya", "Where is my order?"),
        (
            Kind::Quote,
            Status::Open,
            3000,
            "Лёша",
            "Цитирую: отличная лампа",
        ),
        (Kind::Review, Status::New, 30_000, "Stas", "Too expensive"),
        (Kind::Comment, Status::Done, 9_000, "Old", "Already handled"),
    ];
    rows.iter()
        .enumerate()
        .map(|(i, (kind, status, mins, who, text))| {
            let mut n = NewItem::comment(
                Platform::Vk,
                "vk.com/lumo",
                &format!("c{i}"),
                who,
                text,
                super::mins_ago(*mins),
            );
            n.kind = *kind;
            n.status = *status;
            if *kind == Kind::Review {
                n.rating = Some(4);
            }
            n
        })
        .collect()
}

/// The list with every kind, status and age at 160x45 and 80x24 (All view) as snapshots, then
/// (as text: the ranking runs on the real clock) the members panel with its period tabs and the
/// snooze popup, in `lang`. Returns [list, members, snooze] per size.
pub async fn columns(lang: Lang) -> Vec<String> {
    kith::i18n::init(lang);
    let mut screens = Vec::new();
    for (w, h) in [(160u16, 45u16), (80, 24)] {
        let mut r = super::rig_with(column_items()).await;
        r.app.size = (w, h);
        r.press("[").await;
        shot(&r, &format!("columns_{w}"), w, h).await;
        screens.push(render(&r.app, w, h).0);
        r.press("m").await;
        screens.push(render(&r.app, w, h).0);
        r.press("esc s").await;
        screens.push(render(&r.app, w, h).0);
    }
    screens
}

/// One person with every kind of interaction today (real clock, as the ranking is), and two
/// others, for the members panel's columns.
pub fn member_items() -> Vec<kith::domain::NewItem> {
    use kith::domain::{Author, Kind, NewItem, Platform, Timestamp};
    let now = Timestamp::now().0;
    let kinds = [
        Kind::Review,
        Kind::Comment,
        Kind::Reply,
        Kind::Mention,
        Kind::Dm,
        Kind::Quote,
    ];
    let mut v = Vec::new();
    for (n, (who, kind)) in kinds
        .iter()
        .map(|k| ("lin", *k))
        .chain([("dima", Kind::Comment), ("bob", Kind::Mention)])
        .enumerate()
    {
        let mut it = NewItem::comment(
            Platform::Vk,
            "acc",
            &format!("m{n}"),
            who,
            &format!("text {n}"),
            Timestamp(now - 3_600_000 - n as i64),
        );
        it.kind = kind;
        it.author = Author {
            id: who.into(),
            handle: Some(format!("{who}_h")),
            name: Some(if who == "lin" {
                "林小雨".into()
            } else {
                who.into()
            }),
            followers: Some(100),
        };
        v.push(it);
    }
    v
}

/// The members panel at `w`x`h` over [`member_items`], in `lang`, as text.
pub async fn members_screen(lang: Lang, w: u16, h: u16) -> String {
    kith::i18n::init(lang);
    let mut r = super::rig_with(member_items()).await;
    r.app.size = (w, h);
    r.press("m").await;
    render(&r.app, w, h).0
}

/// Items with tags: colours from config, many tags on one item, Cyrillic, CJK and hostile
/// tag names, one item without tags.
pub fn tag_items() -> Vec<kith::domain::NewItem> {
    use kith::domain::{Kind, NewItem, Platform};
    /// Platform, author, native id, text, minutes ago, tags.
    type Row<'a> = (Platform, &'a str, &'a str, &'a str, i64, &'a [&'a str]);
    let rows: [Row; 6] = [
        (
            Platform::Mastodon,
            "Anna",
            "t1",
            "Where is my order? It has been a week.",
            5,
            &["delivery", "vip"],
        ),
        (
            Platform::Vk,
            "Дмитрий",
            "t2",
            "Лампа мерцает на минимальной яркости",
            30,
            &["брак", "Доставка", "VIP"],
        ),
        (
            Platform::Instagram,
            "小鹿",
            "t3",
            "发货太慢了，等了两个星期",
            90,
            &["发货", "退款请求非常非常长的标签名"],
        ),
        (
            Platform::Telegram,
            "Лёша",
            "t4",
            "Can I return it?",
            200,
            &["refund", "warranty", "promo", "bug", "vip", "x1"],
        ),
        (
            Platform::Bluesky,
            "Priya",
            "t5",
            "A tag with escapes",
            600,
            &["evil\u{1b}[31mred\u{202e}"],
        ),
        (
            Platform::Google,
            "Stas",
            "t6",
            "Too expensive for what it is.",
            3000,
            &[],
        ),
    ];
    rows.iter()
        .map(|(p, who, id, text, mins, tags)| {
            let mut n = NewItem::comment(*p, "acc", id, who, text, super::mins_ago(*mins));
            n.tags = tags.iter().map(|t| t.to_string()).collect();
            if *p == Platform::Google {
                n.kind = Kind::Review;
                n.rating = Some(2);
            }
            n
        })
        .collect()
}

/// `[tags] colors` as the tag snapshots and tests use them.
pub fn tag_colors() -> std::collections::HashMap<String, kith::config::tags::TagColor> {
    kith::config::tags::TagsConfig {
        colors: [
            ("delivery", "yellow"),
            ("VIP", "#ff8800"),
            ("refund", "red"),
            ("доставка", "light-green"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    }
    .colors()
    .expect("colours")
}

/// The list with tags at 160, 120 and 80 columns; at 120 also the filter's tag field and the
/// `t` prompt offering the tags in use, in `lang`.
pub async fn tags(lang: Lang) {
    kith::i18n::init(lang);
    for (w, h) in [(160u16, 45u16), (120, 36), (80, 24)] {
        let mut r = super::rig_with(tag_items()).await;
        r.app.cx.cfg.tag_colors = tag_colors();
        r.app.size = (w, h);
        shot(&r, &format!("tags_{w}"), w, h).await;
        if w == 120 {
            r.press("f j j j j").await;
            r.type_text("d").await;
            shot(&r, "tags_filter_120", w, h).await;
            r.press("esc t").await;
            r.type_text("v").await;
            shot(&r, "tags_prompt_120", w, h).await;
        }
    }
}
