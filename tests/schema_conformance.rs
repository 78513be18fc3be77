//! Every request kith sends to VK and YouTube conforms to the platform's published schema:
//! each call kith can make (VK's photo upload too) is made against the local fakes, and what they received is checked
//! against VK's method parameters and Google's discovery document (`tests/schemas/get.sh`
//! fetches both; CI requires them, a laptop without them skips with a message).

mod support;

use kith::connectors::{BanReason, BanTerms, Connector, Outgoing, RemoteAction};
use kith::domain::{Item, ItemId, Kind, NewItem, Platform, Timestamp};
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Duration;
use support::schema::{VkSchema, YoutubeSchema};
use support::vk::{self as fake, COMMUNITY_TOKEN, GROUP, USER_TOKEN};
use support::{net, youtube as yt};
use wiremock::MockServer;

fn vk_item(native: &str) -> Item {
    let mut new = NewItem::comment(
        Platform::Vk,
        "vk.com/lumo",
        native,
        "5003",
        "?",
        Timestamp(0),
    );
    if native.starts_with("msg") {
        new.kind = Kind::Dm;
    }
    Item::from_new(ItemId(1), &new, Timestamp(0))
}

#[tokio::test]
async fn every_vk_request_conforms_to_vks_schema() {
    let Some(schema) = VkSchema::load() else {
        return;
    };
    // The check itself can fail: a wrong type, an unknown parameter, a missing required one.
    let wrong: std::collections::HashMap<String, String> = [("post_id", "seven"), ("bogus", "1")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut errs = schema.check("wall.createComment", &wrong);
    errs.sort();
    assert_eq!(
        errs,
        [
            "wall.createComment: bogus is not a parameter",
            "wall.createComment: post_id=\"seven\" is not a number"
        ]
    );
    assert_eq!(
        schema.check("groups.ban", &Default::default()),
        ["groups.ban: required group_id missing"]
    );
    let vk = fake::Vk::new();
    vk.post_with_comments(7, 1000, 3);
    for i in 0..12 {
        vk.reply_in_branch(7, 1001, 2000 + i, 7000 + i);
    }
    {
        let mut s = vk.state();
        s.topics
            .push((9, fake::Vk::comments(100, 2, 1_773_400_000)));
        s.videos
            .push((4, fake::Vk::comments(200, 2, 1_773_400_000)));
        s.photo_comments
            .push((30, fake::Vk::comments(300, 1, 1_773_400_000).remove(0)));
        s.mentions
            .push(json!({"id": 77, "owner_id": 555, "from_id": 555,
            "date": 1_773_450_000, "text": "@lumo", "post_type": "post"}));
    }
    vk.state().msgs.push(fake::Msg {
        id: 1,
        peer: 42,
        from_id: 42,
        text: "привет".into(),
        date: 1_773_480_000,
        out: false,
    });
    let server = vk.start().await;
    let cfg = kith::connectors::AccountConfig {
        group_id: Some(GROUP),
        ..net::account("vk.com/lumo", Platform::Vk, server.uri())
    };
    let c = kith::connectors::vk::Vk::new(
        &cfg,
        COMMUNITY_TOKEN.into(),
        Some(USER_TOKEN.into()),
        net::http(COMMUNITY_TOKEN, Duration::from_secs(5), net::THRICE),
    );
    // Reads: who we are, a whole pull pass, a long poll with an event.
    c.whoami().await.expect("whoami");
    let mut cursor = None;
    loop {
        let p = c.fetch(cursor.as_deref()).await.expect("pull");
        cursor = p.cursor.or(cursor);
        if !p.more {
            break;
        }
    }
    vk.push_event(
        "message_new",
        json!({"message": {"id": 2, "peer_id": 77, "from_id": 77, "date": 1, "text": "?"}}),
        "e1",
    );
    let p = c
        .listen(cursor.as_deref(), Duration::from_secs(1))
        .await
        .expect("listen");
    vk.push_event(
        "message_new",
        json!({"message": {"id": 3, "peer_id": 78, "from_id": 78, "date": 2, "text": "?"}}),
        "e2",
    );
    c.listen(p.cursor.as_deref(), Duration::from_secs(1))
        .await
        .expect("listen");
    // Writes everywhere a reply can go (the fake refuses some methods; what matters is what
    // was sent).
    let places = [
        "wall-218765432_7",
        "wall-218765432_7_r1001",
        "topic-218765432_9_p5",
        "market-218765432_4_c6",
        "photo-218765432_4_c6",
        "video-218765432_4_c6",
        "msg42_1",
    ];
    for (i, native) in places.iter().enumerate() {
        let _ = c
            .reply(&vk_item(native), "Спасибо!", &format!("key-{i}"))
            .await;
        for a in [
            RemoteAction::Like,
            RemoteAction::Delete,
            RemoteAction::Restore,
            RemoteAction::Ban(BanTerms {
                days: 7,
                reason: BanReason::Spam,
            }),
        ] {
            let _ = c.act(&vk_item(native), a).await;
        }
    }
    let post = Outgoing {
        text: "Новинка: https://lumo.example/new".into(),
        idempotency_key: "post-1".into(),
        reply_to: None,
        native_at: Some(Timestamp::parse("2026-12-20T09:00:00Z").expect("time")),
        media: Vec::new(),
    };
    let sent = c.publish(&post).await.expect("publish");
    let part = Outgoing {
        reply_to: Some(sent.clone()),
        idempotency_key: "post-1-2".into(),
        native_at: None,
        ..post.clone()
    };
    c.publish(&part).await.expect("thread part");
    // A post with a picture: uploaded ahead (upload server, then saved), listed in attachments.
    let pic = support::images::picture(&support::images::png(64, 64, 500), 1);
    let handle = c.upload(&pic).await.expect("upload");
    let pictured = Outgoing {
        media: vec![kith::domain::media::Picture {
            handle: Some(handle),
            ..pic
        }],
        idempotency_key: "post-2".into(),
        native_at: None,
        ..post.clone()
    };
    c.publish(&pictured).await.expect("publish with a picture");
    c.lookup(&post, Timestamp::now()).await.expect("lookup");
    c.reschedule(
        &sent.native_id,
        Some(Timestamp::parse("2026-12-21T09:00:00Z").expect("t")),
    )
    .await
    .expect("move");
    c.reschedule(&sent.native_id, None).await.expect("cancel");

    let calls = vk.state().calls.clone();
    let mut methods = BTreeSet::new();
    let mut bad = Vec::new();
    for call in calls.iter().filter(|c| c.method != "a_check") {
        methods.insert(call.method.clone());
        bad.extend(schema.check(&call.method, &call.form));
    }
    assert_eq!(bad, Vec::<String>::new());
    let expected: BTreeSet<String> = [
        "board.createComment",
        "board.deleteComment",
        "board.getComments",
        "board.getTopics",
        "board.restoreComment",
        "groups.ban",
        "groups.getById",
        "groups.getLongPollServer",
        "groups.getLongPollSettings",
        "likes.add",
        "market.createComment",
        "market.deleteComment",
        "market.restoreComment",
        "messages.delete",
        "messages.getConversations",
        "messages.getHistory",
        "messages.restore",
        "messages.send",
        "newsfeed.getMentions",
        "photos.createComment",
        "photos.deleteComment",
        "photos.getAllComments",
        "photos.getWallUploadServer",
        "photos.restoreComment",
        "photos.saveWallPhoto",
        "users.get",
        "video.createComment",
        "video.deleteComment",
        "video.get",
        "video.getComments",
        "video.restoreComment",
        "wall.createComment",
        "wall.delete",
        "wall.deleteComment",
        "wall.edit",
        "wall.get",
        "wall.getById",
        "wall.getComments",
        "wall.post",
        "wall.restore",
        "wall.restoreComment",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(methods, expected, "every method kith calls was checked");
}

#[tokio::test]
async fn every_youtube_request_conforms_to_googles_discovery_document() {
    let Some(schema) = YoutubeSchema::load() else {
        return;
    };
    let wrong = [("moderationStatus".to_string(), "bogus".to_string())];
    let errs = schema.check("GET", "/youtube/v3/commentThreads", &wrong, b"");
    assert!(
        errs.contains(
            &"youtube.commentThreads.list: moderationStatus=bogus is not one of its values"
                .to_string()
        ) && errs.contains(&"youtube.commentThreads.list: required part missing".to_string()),
        "{errs:?}"
    );
    let errs = schema.check(
        "POST",
        "/youtube/v3/comments",
        &[("part".into(), "snippet".into())],
        br#"{"snippet":{"textOriginal":"x","parentID":"y"}}"#,
    );
    assert_eq!(
        errs,
        ["youtube.comments.insert.snippet: parentID is not a field"]
    );
    let server = MockServer::start().await;
    let top = yt::comment(
        "Ugz1",
        "maria",
        "¿Habrá subtítulos?",
        "2026-03-14T09:19:02Z",
    );
    let embedded = yt::reply("Ugz1.r1", "Ugz1", "leo", "+1", "2026-03-14T09:20:02Z");
    yt::api("GET", "commentThreads")
        .respond_with(yt::list(
            vec![yt::thread(top, vec![embedded.clone()], 2)],
            None,
        ))
        .mount(&server)
        .await;
    yt::api("GET", "comments")
        .respond_with(yt::list(vec![embedded.clone()], None))
        .mount(&server)
        .await;
    yt::api("POST", "comments")
        .respond_with(
            wiremock::ResponseTemplate::new(200).set_body_json(yt::reply(
                "Ugz1.r9",
                "Ugz1",
                "ourChannel000000000000",
                "Sí, pronto",
                "2026-03-14T10:00:00Z",
            )),
        )
        .mount(&server)
        .await;
    yt::api("POST", "comments/setModerationStatus")
        .respond_with(wiremock::ResponseTemplate::new(204))
        .mount(&server)
        .await;
    yt::api("GET", "channels")
        .respond_with(
            wiremock::ResponseTemplate::new(200).set_body_json(json!({"items": [
            {"id": yt::CHANNEL, "snippet": {"title": "Lumo", "customUrl": "@lumo"}}]})),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().expect("tmp");
    let c = yt::connector(&server, yt::TOKEN, dir.path());
    c.whoami().await.expect("whoami");
    yt::sync(&c, None).await;
    let top_item = yt::item("Ugz1", Kind::Comment, None);
    c.thread(&top_item).await.expect("thread");
    c.reply(&top_item, "Sí, pronto", "key-1")
        .await
        .expect("reply");
    for a in [
        RemoteAction::Hide,
        RemoteAction::Restore,
        RemoteAction::Reject,
        RemoteAction::Ban(BanTerms::default()),
    ] {
        c.act(&top_item, a).await.expect("moderate");
    }
    let got = server.received_requests().await.expect("recorded");
    let mut seen = BTreeSet::new();
    let mut bad = Vec::new();
    for r in &got {
        let query: Vec<(String, String)> = r.url.query_pairs().into_owned().collect();
        seen.insert(format!("{} {}", r.method, r.url.path()));
        bad.extend(schema.check(r.method.as_str(), r.url.path(), &query, &r.body));
    }
    assert_eq!(bad, Vec::<String>::new());
    let expected: BTreeSet<String> = [
        "GET /youtube/v3/channels",
        "GET /youtube/v3/commentThreads",
        "GET /youtube/v3/comments",
        "POST /youtube/v3/comments",
        "POST /youtube/v3/comments/setModerationStatus",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(seen, expected);
}
