//! The VK connector against a stateful VK API (tests/support/vk.rs): the pull pass (posts,
//! comments paged while new ones arrive, long branches, messages), Bots Long Poll with its
//! `failed` codes and duplicate events, VK's errors (6, 5, 9, 29, 14 and the captcha answer),
//! replies with `guid`/`random_id`, moderation, publishing and postponed posts.

mod support;

use kith::connectors::vk::Vk;
use kith::connectors::{
    BanReason, BanTerms, Connector, ConnectorError, FetchPage, Lookup, Outgoing, RemoteAction,
};
use kith::domain::{Item, ItemId, Kind, NewItem, Platform, Timestamp};
use serde_json::json;
use std::collections::HashSet;
use std::time::Duration;
use support::net;
use support::vk::{self as fake, Comment, Msg, COMMUNITY_TOKEN, GROUP, USER_TOKEN};
use wiremock::MockServer;

fn connector(server: &MockServer, user: bool) -> Vk {
    let cfg = kith::connectors::AccountConfig {
        group_id: Some(GROUP),
        ..net::account("vk.com/lumo", Platform::Vk, server.uri())
    };
    let mut http = net::http(COMMUNITY_TOKEN, Duration::from_secs(5), net::THRICE);
    http.add_secret(USER_TOKEN);
    Vk::new(
        &cfg,
        COMMUNITY_TOKEN.into(),
        user.then(|| USER_TOKEN.to_string()),
        http,
    )
    .with_per_second_wait(Duration::from_millis(20))
}

/// Runs `fetch` until the pass says it is done; returns every page.
async fn pull_all(vk: &Vk, mut cursor: Option<String>) -> (Vec<FetchPage>, Option<String>) {
    let mut pages = Vec::new();
    for _ in 0..100 {
        let p = vk.fetch(cursor.as_deref()).await.expect("page");
        cursor = p.cursor.clone().or(cursor);
        let more = p.more;
        pages.push(p);
        if !more {
            return (pages, cursor);
        }
    }
    panic!("the pull pass never ended");
}

/// What a pull pass asks when nothing moved: one request per place.
const IDLE: [&str; 6] = [
    "wall.get",
    "board.getTopics",
    "photos.getAllComments",
    "video.get",
    "newsfeed.getMentions",
    "messages.getConversations",
];

fn ids(pages: &[FetchPage]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| p.items.iter().map(|i| i.native_id.clone()))
        .collect()
}

fn world() -> fake::Vk {
    let vk = fake::Vk::new();
    // Post 7: 150 top-level comments (two pages); comment 1003 has a 12-reply branch.
    vk.post_with_comments(7, 1000, 150);
    for i in 0..12 {
        vk.reply_in_branch(7, 1003, 2000 + i, 7000 + i);
    }
    // Post 8: no comments (never read).
    vk.post_with_comments(8, 3000, 0);
    {
        let mut s = vk.state();
        // A comment that arrives while the first page is being read.
        s.arrive_after_first_page.push((
            7,
            Comment {
                id: 1500,
                from_id: 5555,
                text: "пока листали".into(),
                date: 1_773_490_000,
                top: None,
                reply_to: None,
                deleted: false,
            },
        ));
        for (id, from, out) in [(1, 42, false), (2, -GROUP, true), (3, 42, false)] {
            s.msgs.push(Msg {
                id,
                peer: 42,
                from_id: from,
                text: format!("сообщение {id}"),
                date: 1_773_480_000 + id,
                out,
            });
        }
    }
    vk
}

#[tokio::test]
async fn a_first_pull_reads_every_comment_branch_and_message_exactly_once() {
    let vk = world();
    let server = vk.start().await;
    let c = connector(&server, true);
    let (pages, cursor) = pull_all(&c, None).await;
    let all = ids(&pages);
    let unique: HashSet<&String> = all.iter().collect();
    // 2 posts + 150 comments + 1 that arrived between pages + 12 branch replies + 3 messages.
    assert_eq!(unique.len(), 2 + 150 + 1 + 12 + 3, "{all:?}");
    // The branch's first ten came embedded, so only the branch job re-reads them.
    assert!(unique.contains(&"wall-218765432_7_r1500".to_string()));
    assert!(unique.contains(&"wall-218765432_7_r2011".to_string()));
    assert!(unique.contains(&"msg42_3".to_string()));
    let reply = pages
        .iter()
        .flat_map(|p| &p.items)
        .find(|i| i.native_id == "wall-218765432_7_r2011")
        .unwrap();
    assert_eq!(reply.kind, Kind::Reply);
    assert_eq!(
        reply.parent_native_id.as_deref(),
        Some("wall-218765432_7_r1003")
    );
    assert_eq!(reply.author.name.as_deref(), Some("Ирина №7011"));
    let ours = pages
        .iter()
        .flat_map(|p| &p.items)
        .find(|i| i.native_id == "msg42_2")
        .unwrap();
    assert!(ours.ours, "the community's own message is stored as sent");
    // Requests: wall.get, 2 comment pages + 1 page at offset 200, 1 branch page,
    // getConversations, getHistory.
    let methods: Vec<String> = vk.state().calls.iter().map(|c| c.method.clone()).collect();
    assert_eq!(
        methods,
        [
            "wall.get",
            "wall.getComments",
            "wall.getComments",
            "wall.getComments",
            "board.getTopics",
            "photos.getAllComments",
            "video.get",
            "newsfeed.getMentions",
            "messages.getConversations",
            "messages.getHistory"
        ],
        "pages: {}",
        pages.len()
    );
    let branch = vk.calls("wall.getComments");
    assert_eq!(branch[2].get("comment_id"), Some("1003"));
    assert_eq!(branch[1].get("offset"), Some("100"));
    for call in &vk.state().calls {
        assert_eq!(call.get("v"), Some("5.199"));
    }

    // The next pass: nothing moved, so one request per place and nothing read twice.
    vk.state().calls.clear();
    let (pages, cursor) = pull_all(&c, cursor).await;
    assert_eq!(
        vk.state()
            .calls
            .iter()
            .map(|c| c.method.as_str())
            .collect::<Vec<_>>(),
        IDLE
    );
    assert_eq!(ids(&pages).len(), 2, "only the posts themselves");

    // One new comment: read again from ten behind the mark (in case some were deleted).
    vk.state().calls.clear();
    vk.state().posts[0].comments.push(Comment {
        id: 1600,
        from_id: 6000,
        text: "ещё вопрос".into(),
        date: 1_773_495_000,
        top: None,
        reply_to: None,
        deleted: false,
    });
    let (pages, _) = pull_all(&c, cursor).await;
    assert!(ids(&pages).contains(&"wall-218765432_7_r1600".to_string()));
    let reads = vk.calls("wall.getComments");
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].get("offset"), Some("141"));
}

#[tokio::test]
async fn without_a_user_token_only_messages_are_pulled() {
    let vk = world();
    let server = vk.start().await;
    let c = connector(&server, false);
    let (pages, _) = pull_all(&c, None).await;
    assert_eq!(ids(&pages), ["msg42_3", "msg42_2", "msg42_1"]);
    assert!(vk.calls("wall.get").is_empty());
    let who = c.whoami().await.unwrap();
    assert_eq!(who.handle, "lumo");
    let lines: Vec<String> = who.abilities.iter().map(|a| a.key.clone()).collect();
    assert_eq!(
        lines,
        [
            "vk.ability_community",
            "vk.ability_long_poll",
            "vk.ability_no_user"
        ]
    );
}

#[tokio::test]
async fn long_poll_events_become_items_once_and_failed_codes_are_handled() {
    let vk = world();
    let server = vk.start().await;
    let c = connector(&server, true);
    let (_, cursor) = pull_all(&c, None).await;
    vk.state().calls.clear();
    // The documented wall_reply_new, a board post, a DM and the same event twice.
    vk.push_event(
        "wall_reply_new",
        json!({"id":9812,"from_id":553310201,"post_id":1405,"owner_id":-218765432,
            "parents_stack":[],"date":1773480112,
            "text":"Подскажите, когда будет доставка в Казань?","thread":{"count":0,"items":[]}}),
        "3c1e9f0d6b2a4e7c9d10aa51e2f3b4c5d6e7f809",
    );
    vk.push_event(
        "board_post_new",
        json!({"id": 5, "from_id": 77, "date": 1773480200, "text": "Тема: скидки",
            "topic_id": 9, "topic_owner_id": -GROUP}),
        "e2",
    );
    vk.push_event(
        "message_new",
        json!({"message": {"id": 10, "peer_id": 77, "from_id": 77, "date": 1773480300,
            "text": "Здравствуйте!", "out": 0}, "client_info": {}}),
        "e3",
    );
    vk.push_event("wall_reply_new", json!({"id": "not a number"}), "e4");
    vk.push_event(
        "message_new",
        json!({"message": {"id": 10, "peer_id": 77, "from_id": 77, "date": 1773480300,
            "text": "Здравствуйте!", "out": 0}}),
        "e3",
    );
    // The long poll starts from the ts the server gives now: these five are before it, so
    // push them again after the first check.
    let p = c
        .listen(cursor.as_deref(), Duration::from_secs(1))
        .await
        .unwrap();
    let events = vk.state().events.clone();
    let cursor = p.cursor.clone();
    assert_eq!(
        vk.state()
            .calls
            .iter()
            .map(|c| c.method.as_str())
            .collect::<Vec<_>>(),
        ["groups.getLongPollServer", "a_check"]
    );
    assert!(p.items.is_empty(), "the position starts at the server's ts");
    vk.state().events.extend(events);
    let p = c
        .listen(cursor.as_deref(), Duration::from_secs(1))
        .await
        .unwrap();
    let got: Vec<&str> = p.items.iter().map(|i| i.native_id.as_str()).collect();
    assert_eq!(
        got,
        [
            "wall-218765432_1405_r9812",
            "topic-218765432_9_p5",
            "msg77_10"
        ]
    );
    assert_eq!(p.malformed.len(), 1, "the broken event is quarantined");
    assert_eq!(p.items[2].kind, Kind::Dm);
    // Authors of events are looked up in one users.get.
    let users = vk.calls("users.get");
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].get("user_ids"), Some("553310201,77"));
    assert_eq!(p.items[0].author.name.as_deref(), Some("Ирина №553310201"));
    let q = vk.calls("a_check");
    assert_eq!(q[1].get("ts"), Some("5"));
    assert_eq!(q[1].get("wait"), Some("1"));

    // The same events again (VK re-sends after a lost answer): nothing new.
    let ts_again = cursor.clone();
    let p = c
        .listen(ts_again.as_deref(), Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(p.items.len(), 3, "an old cursor reads them again");
    let p2 = c
        .listen(p.cursor.as_deref(), Duration::from_secs(1))
        .await
        .unwrap();
    assert!(p2.items.is_empty());

    // failed 2: a new key, the same position.
    vk.state().key = "key-2".into();
    let p3 = c
        .listen(p2.cursor.as_deref(), Duration::from_secs(1))
        .await
        .unwrap();
    assert!(!p3.more);
    vk.push_event(
        "message_new",
        json!({"message": {"id": 11, "peer_id": 77, "from_id": 77, "date": 1773480400,
            "text": "Алло?", "out": 0}}),
        "e5",
    );
    let p4 = c
        .listen(p3.cursor.as_deref(), Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(
        p4.items
            .iter()
            .map(|i| i.native_id.as_str())
            .collect::<Vec<_>>(),
        ["msg77_11"]
    );
    assert_eq!(
        vk.calls("a_check").last().unwrap().get("key"),
        Some("key-2")
    );

    // failed 1: the events are gone, so a pull pass fills the gap.
    let len = vk.state().events.len();
    vk.state().events_from = len + 5;
    vk.state().calls.clear();
    let p5 = c
        .listen(p4.cursor.as_deref(), Duration::from_secs(1))
        .await
        .unwrap();
    assert!(p5.more, "a pull pass follows");
    let (_, _) = pull_all(&c, p5.cursor).await;
    assert_eq!(vk.calls("wall.get").len(), 1);
}

#[tokio::test]
async fn vk_errors_back_off_stop_wait_or_ask_a_person() {
    let vk = world();
    let server = vk.start().await;
    let c = connector(&server, true);
    // 6: too many per second, then fine.
    vk.fail_next("groups.getById", 6, json!({}));
    assert_eq!(c.whoami().await.unwrap().handle, "lumo");
    assert_eq!(vk.calls("groups.getById").len(), 2);
    // 5: the token is dead.
    vk.fail_next("groups.getById", 5, json!({}));
    let e = c.whoami().await.unwrap_err();
    assert!(e.is_auth(), "{e:?}");
    // 29: the daily limit, waited out until Moscow midnight.
    vk.fail_next("groups.getById", 29, json!({}));
    match c.whoami().await.unwrap_err() {
        ConnectorError::RateLimited { wait } => {
            assert!(wait > Duration::ZERO && wait <= Duration::from_secs(86_400))
        }
        other => panic!("{other:?}"),
    }
    // 9: flood control stops the action with VK's reason.
    vk.fail_next("messages.send", 9, json!({}));
    let item = stored("msg42_3", "42");
    let e = c.reply(&item, "Спасибо!", "k-flood").await.unwrap_err();
    assert!(
        matches!(&e, ConnectorError::Refused(m) if m.contains("flood control") && m.contains("error 9")),
        "{e:?}"
    );
    // 14: a captcha; its answer goes with the next request.
    vk.fail_next(
        "messages.send",
        14,
        json!({"captcha_sid": "548747100691", "captcha_img": "https://api.vk.com/captcha.php?sid=548747100691"}),
    );
    let e = c.reply(&item, "Спасибо!", "k-captcha").await.unwrap_err();
    assert_eq!(
        e,
        ConnectorError::Captcha {
            image: "https://api.vk.com/captcha.php?sid=548747100691".into()
        }
    );
    assert!(c.answer_captcha(" xk2m9 "));
    let sent = c.reply(&item, "Спасибо!", "k-captcha").await.unwrap();
    let last = vk.calls("messages.send").pop().unwrap();
    assert_eq!(last.get("captcha_sid"), Some("548747100691"));
    assert_eq!(last.get("captcha_key"), Some("xk2m9"));
    assert!(sent.native_id.starts_with("msg42_"));
    // Answered once: the request after it carries no captcha, and there is none to answer.
    c.reply(&item, "Ещё раз", "k-after").await.unwrap();
    assert_eq!(
        vk.calls("messages.send").pop().unwrap().get("captcha_sid"),
        None
    );
    assert!(!c.answer_captcha("x"));
    // No error message ever holds a token, even when VK echoes it back.
    vk.fail_next(
        "groups.getById",
        5,
        json!({"error_msg": format!("invalid access_token {COMMUNITY_TOKEN}")}),
    );
    let e = c.whoami().await.unwrap_err().to_string();
    assert!(
        e.contains("invalid access_token") && !e.contains(COMMUNITY_TOKEN),
        "{e}"
    );
}

fn stored(native: &str, author: &str) -> Item {
    let mut new = NewItem::comment(
        Platform::Vk,
        "vk.com/lumo",
        native,
        author,
        "?",
        Timestamp(0),
    );
    if native.starts_with("msg") {
        new.kind = Kind::Dm;
    }
    Item::from_new(ItemId(1), &new, Timestamp(0))
}

#[tokio::test]
async fn replies_carry_guid_and_random_id_so_a_retry_never_doubles() {
    let vk = world();
    let server = vk.start().await;
    let c = connector(&server, true);
    let comment = stored("wall-218765432_7_r1003", "5003");
    let a = c
        .reply(&comment, "Доставим завтра", "reply-1")
        .await
        .unwrap();
    let b = c
        .reply(&comment, "Доставим завтра", "reply-1")
        .await
        .unwrap();
    assert_eq!(a, b);
    let calls = vk.calls("wall.createComment");
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].get("guid"), Some("reply-1"));
    assert_eq!(calls[0].get("reply_to_comment"), Some("1003"));
    assert_eq!(calls[0].get("from_group"), Some(GROUP.to_string().as_str()));
    assert_eq!(calls[0].get("access_token"), Some(COMMUNITY_TOKEN));
    let made = vk.state().posts[0]
        .comments
        .iter()
        .filter(|c| c.text == "Доставим завтра")
        .count();
    assert_eq!(made, 1, "the retry did not comment twice");
    assert_eq!(
        a.url.as_deref(),
        Some(format!("https://vk.com/wall-218765432_7?reply={}", 100_001).as_str())
    );

    let dm = stored("msg42_3", "42");
    let x = c.reply(&dm, "Здравствуйте!", "reply-2").await.unwrap();
    let y = c.reply(&dm, "Здравствуйте!", "reply-2").await.unwrap();
    assert_eq!(x, y);
    let sends = vk.calls("messages.send");
    assert_eq!(sends[0].get("random_id"), sends[1].get("random_id"));
    assert_eq!(sends[0].get("reply_to"), Some("3"));
    assert_eq!(sends[0].get("peer_id"), Some("42"));

    // A board topic needs the user token; without one the reason says how to add it.
    let no_user = connector(&server, false);
    let topic = stored("topic-218765432_9_p5", "77");
    let e = no_user.reply(&topic, "Да", "reply-3").await.unwrap_err();
    assert!(
        matches!(&e, ConnectorError::Unsupported(m) if m.contains("--user-token-env")),
        "{e:?}"
    );
    let e = c.reply(&comment, "   ", "reply-4").await.unwrap_err();
    assert!(matches!(e, ConnectorError::Refused(_)));
}

#[tokio::test]
async fn moderation_deletes_restores_bans_and_likes_and_says_there_is_no_hide() {
    kith::i18n::init(kith::i18n::Lang::En);
    let vk = world();
    let server = vk.start().await;
    let c = connector(&server, true);
    let comment = stored("wall-218765432_7_r1003", "5003");
    c.act(&comment, RemoteAction::Delete).await.unwrap();
    assert!(vk.state().posts[0]
        .comments
        .iter()
        .any(|x| x.id == 1003 && x.deleted));
    c.act(&comment, RemoteAction::Restore).await.unwrap();
    assert!(vk.state().posts[0]
        .comments
        .iter()
        .any(|x| x.id == 1003 && !x.deleted));
    c.act(&comment, RemoteAction::Like).await.unwrap();
    assert_eq!(vk.state().likes, [("comment".to_string(), -GROUP, 1003)]);
    c.act(
        &comment,
        RemoteAction::Ban(BanTerms {
            days: 30,
            reason: BanReason::Spam,
        }),
    )
    .await
    .unwrap();
    let ban = vk.state().bans[0].clone();
    assert_eq!(ban.get("owner_id").map(String::as_str), Some("5003"));
    assert_eq!(ban.get("reason").map(String::as_str), Some("1"));
    assert_eq!(ban.get("group_id").map(String::as_str), Some("218765432"));
    let end: i64 = ban["end_date"].parse().unwrap();
    let expect = Timestamp::now().0 / 1000 + 30 * 86_400;
    assert!((end - expect).abs() < 60, "{end} vs {expect}");
    // Forever: no end date.
    c.act(
        &comment,
        RemoteAction::Ban(BanTerms {
            days: 0,
            reason: BanReason::Abuse,
        }),
    )
    .await
    .unwrap();
    assert!(!vk.state().bans[1].contains_key("end_date"));
    let e = c.act(&comment, RemoteAction::Hide).await.unwrap_err();
    assert_eq!(
        e,
        ConnectorError::Unsupported(
            "VK cannot hide comments: delete (restorable) or ban the author".into()
        )
    );
    let dm = stored("msg42_3", "42");
    assert!(matches!(
        c.act(&dm, RemoteAction::Like).await,
        Err(ConnectorError::Unsupported(_))
    ));
    c.act(&dm, RemoteAction::Delete).await.unwrap();
    let del = vk.calls("messages.delete").pop().unwrap();
    assert_eq!(del.get("delete_for_all"), Some("1"));
    // Without a user token, deleting says what is missing.
    let e = connector(&server, false)
        .act(&comment, RemoteAction::Delete)
        .await
        .unwrap_err();
    assert!(matches!(e, ConnectorError::Unsupported(m) if m.contains("user token")));
}

#[tokio::test]
async fn posts_go_out_once_postponed_posts_move_and_cancel_and_lookup_finds_them() {
    let vk = world();
    let server = vk.start().await;
    let c = connector(&server, true);
    let at = Timestamp::parse("2026-12-20T09:00:00Z").unwrap();
    let post = Outgoing {
        text: "Новая коллекция: https://lumo.example/new".into(),
        idempotency_key: "post-1:vk".into(),
        reply_to: None,
        native_at: Some(at),
        media: Vec::new(),
    };
    let sent = c.publish(&post).await.unwrap();
    let again = c.publish(&post).await.unwrap();
    assert_eq!(sent, again, "guid: the same post");
    let call = vk.calls("wall.post").remove(0);
    assert_eq!(
        call.get("publish_date"),
        Some((at.0 / 1000).to_string().as_str())
    );
    assert_eq!(call.get("attachments"), Some("https://lumo.example/new"));
    assert_eq!(call.get("owner_id"), Some("-218765432"));
    assert_eq!(call.get("from_group"), Some("1"));
    assert_eq!(call.get("access_token"), Some(USER_TOKEN));
    assert_eq!(vk.state().posts.iter().filter(|p| p.postponed).count(), 1);
    // Found among the postponed posts.
    assert_eq!(
        c.lookup(&post, Timestamp::now()).await.unwrap(),
        Lookup::Found(sent.clone())
    );
    // Moved: wall.edit keeps the text and sets the new date.
    let later = Timestamp::parse("2026-12-21T10:30:00Z").unwrap();
    c.reschedule(&sent.native_id, Some(later)).await.unwrap();
    let edit = vk.calls("wall.edit").remove(0);
    assert_eq!(
        edit.get("publish_date"),
        Some((later.0 / 1000).to_string().as_str())
    );
    assert_eq!(edit.get("message"), Some(post.text.as_str()));
    // Cancelled: deleted on VK.
    c.reschedule(&sent.native_id, None).await.unwrap();
    assert!(vk.state().posts.iter().all(|p| !p.postponed));
    assert_eq!(
        c.lookup(&post, Timestamp::now()).await.unwrap(),
        Lookup::Absent
    );
    // Without a user token nothing is sent.
    let e = connector(&server, false).publish(&post).await.unwrap_err();
    assert!(matches!(e, ConnectorError::Unsupported(_)), "{e:?}");
    let long = Outgoing {
        text: "я".repeat(16_385),
        ..post.clone()
    };
    assert!(matches!(
        c.publish(&long).await,
        Err(ConnectorError::Refused(_))
    ));
}

#[tokio::test]
async fn boards_photos_videos_and_mentions_are_pulled_and_read_once() {
    let vk = fake::Vk::new();
    {
        let mut s = vk.state();
        // A topic with 120 posts (two pages), a video with 3 comments, 150 photo comments.
        s.topics
            .push((9, fake::Vk::comments(100, 120, 1_773_400_000)));
        s.videos
            .push((4, fake::Vk::comments(500, 3, 1_773_400_000)));
        // A minute apart: 150 minutes of photo comments.
        for (i, mut c) in fake::Vk::comments(700, 150, 1_773_400_000)
            .into_iter()
            .enumerate()
        {
            c.date = 1_773_400_000 + 60 * i as i64;
            s.photo_comments.push((30 + (i as i64 % 3), c));
        }
        s.mentions
            .push(json!({"id": 77, "owner_id": 555, "from_id": 555,
            "date": 1_773_450_000, "text": "Советую @lumo, лампы огонь", "post_type": "post"}));
    }
    let server = vk.start().await;
    let c = connector(&server, true);
    let (pages, cursor) = pull_all(&c, None).await;
    let all = ids(&pages);
    let unique: HashSet<&String> = all.iter().collect();
    assert_eq!(unique.len(), 120 + 3 + 150 + 1, "{all:?}");
    assert!(unique.contains(&"topic-218765432_9_p219".to_string()));
    assert!(unique.contains(&"video-218765432_4_c502".to_string()));
    assert!(unique.contains(&"photo-218765432_30_c700".to_string()));
    let mention = pages
        .iter()
        .flat_map(|p| &p.items)
        .find(|i| i.native_id == "wall555_77")
        .expect("the mention");
    assert_eq!(mention.kind, Kind::Mention);
    assert!(!mention.ours);
    let photo = pages
        .iter()
        .flat_map(|p| &p.items)
        .find(|i| i.native_id == "photo-218765432_30_c700")
        .expect("a photo comment");
    assert_eq!(
        photo.author.name.as_deref(),
        Some("Ирина №6000"),
        "named by users.get"
    );
    let board = vk.calls("board.getComments");
    assert_eq!(
        board.iter().map(|c| c.get("offset")).collect::<Vec<_>>(),
        [Some("0"), Some("100")]
    );
    assert_eq!(
        vk.calls("photos.getAllComments").len(),
        2,
        "150 newest first: two pages"
    );

    // Nothing moved: one request per place; a new photo comment is read from the first page
    // only (it is newer than the window), mentions from an hour behind the last one.
    vk.state().calls.clear();
    let (pages, cursor) = pull_all(&c, cursor).await;
    // The newest page of photo comments is read again (it reaches into the hour behind the
    // newest one read); the store keeps each once.
    let again = ids(&pages);
    assert_eq!(again.len(), 100 + 1, "{again:?}");
    assert!(again
        .iter()
        .all(|i| i == "wall555_77" || i.starts_with("photo-")));
    assert_eq!(
        vk.state()
            .calls
            .iter()
            .map(|c| c.method.as_str())
            .filter(|m| *m != "users.get")
            .collect::<Vec<_>>(),
        IDLE
    );
    assert_eq!(
        vk.calls("newsfeed.getMentions")[0].get("start_time"),
        Some((1_773_450_000 - 3600).to_string().as_str())
    );
    vk.state().calls.clear();
    vk.state()
        .photo_comments
        .push((31, fake::Vk::comments(900, 1, 1_773_500_000).remove(0)));
    vk.state().topics[0]
        .1
        .extend(fake::Vk::comments(300, 1, 1_773_500_000));
    let (pages, _) = pull_all(&c, cursor).await;
    let got = ids(&pages);
    assert!(
        got.contains(&"photo-218765432_31_c900".to_string()),
        "{got:?}"
    );
    assert!(
        got.contains(&"topic-218765432_9_p300".to_string()),
        "{got:?}"
    );
    assert_eq!(vk.calls("photos.getAllComments").len(), 1);
    assert_eq!(vk.calls("board.getComments")[0].get("offset"), Some("110"));
}
