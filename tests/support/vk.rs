//! A stateful VK API for tests, built from the documented payloads (`../shared/platform-apis.md`
//! §4): a community wall with posts, comments and branches, conversations, a Bots Long Poll
//! server (`vk_wall.rs`, with `wall.getComments`), `guid`/`random_id` deduplication, photo
//! uploads (`vk_photos.rs`), and errors injected per method. Every request is recorded with its
//! form fields.

use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const GROUP: i64 = 218765432;
pub const COMMUNITY_TOKEN: &str = "vk1.a.community-token-secret";
pub const USER_TOKEN: &str = "vk1.a.user-token-secret";

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: i64,
    pub from_id: i64,
    pub text: String,
    pub date: i64,
    /// The top-level comment this one is in the branch of.
    pub top: Option<i64>,
    pub reply_to: Option<i64>,
    pub deleted: bool,
}

#[derive(Debug, Clone)]
pub struct Post {
    pub id: i64,
    pub from_id: i64,
    pub text: String,
    pub date: i64,
    pub postponed: bool,
    pub comments: Vec<Comment>,
    /// As `wall.post` got them (`photo-1_2,https://…`).
    pub attachments: String,
}

#[derive(Debug, Clone)]
pub struct Msg {
    pub id: i64,
    pub peer: i64,
    pub from_id: i64,
    pub text: String,
    pub date: i64,
    pub out: bool,
}

/// One recorded call: the method and its form fields.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub form: HashMap<String, String>,
}

impl Call {
    pub fn get(&self, k: &str) -> Option<&str> {
        self.form.get(k).map(String::as_str)
    }
}

#[derive(Debug, Default)]
pub struct State {
    pub posts: Vec<Post>,
    pub msgs: Vec<Msg>,
    /// Long Poll events; `ts` is the index of the next one.
    pub events: Vec<Value>,
    /// Events before this index are gone (`failed: 1` for an older ts).
    pub events_from: usize,
    pub key: String,
    pub long_poll: bool,
    /// The next call of a method answers with this error instead.
    pub errors: HashMap<String, VecDeque<Value>>,
    pub calls: Vec<Call>,
    pub guids: HashMap<String, (i64, i64)>,
    pub random_ids: HashMap<String, i64>,
    pub next_id: i64,
    /// Comments added to a post right after its first page of comments is served.
    pub arrive_after_first_page: Vec<(i64, Comment)>,
    pub bans: Vec<HashMap<String, String>>,
    pub likes: Vec<(String, i64, i64)>,
    /// Every method answer waits this long (a slow server, for kill tests).
    pub delay: std::time::Duration,
    /// Board topics and their posts, comments on photos (with the photo), videos and their
    /// comments, posts elsewhere that mention the community.
    pub topics: Vec<(i64, Vec<Comment>)>,
    pub photo_comments: Vec<(i64, Comment)>,
    pub videos: Vec<(i64, Vec<Comment>)>,
    pub mentions: Vec<Value>,
    pub photos: super::vk_photos::Photos,
}

#[derive(Clone, Default)]
pub struct Vk(pub Arc<Mutex<State>>);

impl Vk {
    pub fn new() -> Vk {
        let s = State {
            key: "key-1".into(),
            long_poll: true,
            next_id: 100_000,
            ..State::default()
        };
        Vk(Arc::new(Mutex::new(s)))
    }

    pub fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().expect("vk state")
    }

    pub async fn start(&self) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path_regex(r"^/method/[A-Za-z.]+$"))
            .respond_with(Methods(self.clone(), server.uri()))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/lp"))
            .respond_with(super::vk_wall::LongPoll(self.clone()))
            .mount(&server)
            .await;
        super::vk_photos::mount(self, &server).await;
        server
    }

    /// A post by the community with `n` top-level comments (ids from `first`), by user 5000+i.
    pub fn post_with_comments(&self, post: i64, first: i64, n: i64) {
        let comments = (0..n)
            .map(|i| Comment {
                id: first + i,
                from_id: 5000 + i,
                text: format!("комментарий {i}"),
                date: 1_773_480_000 + i,
                top: None,
                reply_to: None,
                deleted: false,
            })
            .collect();
        self.state().posts.push(Post {
            id: post,
            from_id: -GROUP,
            text: format!("пост {post}"),
            date: 1_773_400_000,
            postponed: false,
            comments,
            attachments: String::new(),
        });
    }

    /// Adds a reply in the branch of `top` on `post`.
    pub fn reply_in_branch(&self, post: i64, top: i64, id: i64, from: i64) {
        let mut s = self.state();
        if let Some(p) = s.posts.iter_mut().find(|p| p.id == post) {
            p.comments.push(Comment {
                id,
                from_id: from,
                text: format!("ответ {id}"),
                date: 1_773_490_000 + id,
                top: Some(top),
                reply_to: Some(top),
                deleted: false,
            });
        }
    }

    /// `n` comments from 6000+i, ids from `first`, a second apart from `date`.
    pub fn comments(first: i64, n: i64, date: i64) -> Vec<Comment> {
        (0..n)
            .map(|i| Comment {
                id: first + i,
                from_id: 6000 + i,
                text: format!("вопрос {}", first + i),
                date: date + i,
                top: None,
                reply_to: None,
                deleted: false,
            })
            .collect()
    }

    pub fn fail_next(&self, method: &str, code: i64, extra: Value) {
        let mut err = json!({"error_code": code, "error_msg": format!("error {code}"),
            "request_params": [{"key": "method", "value": method}]});
        if let (Some(e), Some(x)) = (err.as_object_mut(), extra.as_object()) {
            for (k, v) in x {
                e.insert(k.clone(), v.clone());
            }
        }
        self.state()
            .errors
            .entry(method.to_string())
            .or_default()
            .push_back(err);
    }

    pub fn calls(&self, method: &str) -> Vec<Call> {
        self.state()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    pub fn push_event(&self, kind: &str, object: Value, event_id: &str) {
        self.state()
            .events
            .push(json!({"type": kind, "object": object,
            "group_id": GROUP, "event_id": event_id, "v": "5.199"}));
    }
}

fn form_of(req: &Request) -> HashMap<String, String> {
    let body = String::from_utf8_lossy(&req.body);
    req.url
        .join(&format!("?{body}"))
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

pub(super) fn ok(v: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "response": v }))
}

pub(super) fn comment_json(c: &Comment, post: i64, thread: Option<(usize, Vec<Value>)>) -> Value {
    let mut v = json!({"id": c.id, "from_id": c.from_id, "date": c.date, "text": c.text,
        "post_id": post, "owner_id": -GROUP,
        "parents_stack": c.top.map(|t| vec![t]).unwrap_or_default()});
    if let Some(r) = c.reply_to {
        v["reply_to_comment"] = json!(r);
    }
    if let Some((count, items)) = thread {
        v["thread"] = json!({"count": count, "items": items});
    }
    v
}

pub(super) fn profiles(ids: impl Iterator<Item = i64>) -> Value {
    let mut seen: Vec<i64> = ids.filter(|i| *i > 0).collect();
    seen.sort();
    seen.dedup();
    json!(seen
        .iter()
        .map(
            |i| json!({"id": i, "first_name": "Ирина", "last_name": format!("№{i}"),
            "screen_name": format!("id{i}"), "followers_count": i % 1000})
        )
        .collect::<Vec<_>>())
}

struct Methods(Vk, String);

impl Respond for Methods {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let delay = self.0.state().delay;
        self.answer(req).set_delay(delay)
    }
}

impl Methods {
    fn answer(&self, req: &Request) -> ResponseTemplate {
        let name = req.url.path().trim_start_matches("/method/").to_string();
        let form = form_of(req);
        let mut s = self.0.state();
        s.calls.push(Call {
            method: name.clone(),
            form: form.clone(),
        });
        let token = form.get("access_token").map(String::as_str).unwrap_or("");
        if token != COMMUNITY_TOKEN && token != USER_TOKEN {
            return ResponseTemplate::new(200).set_body_json(json!({"error": {"error_code": 5,
                "error_msg": "User authorization failed: invalid access_token (4)."}}));
        }
        if form.get("v").map(String::as_str) != Some("5.199") {
            return ResponseTemplate::new(200).set_body_json(json!({"error": {"error_code": 8,
                "error_msg": "Invalid request: v (version) is required"}}));
        }
        if let Some(err) = s.errors.get_mut(&name).and_then(|q| q.pop_front()) {
            return ResponseTemplate::new(200).set_body_json(json!({ "error": err }));
        }
        let user_only = [
            "board.getTopics",
            "board.getComments",
            "photos.getAllComments",
            "video.get",
            "video.getComments",
            "newsfeed.getMentions",
            "wall.get",
            "wall.getComments",
            "wall.post",
            "wall.edit",
            "wall.delete",
            "wall.getById",
            "likes.add",
            "wall.deleteComment",
            "wall.restoreComment",
            "groups.ban",
            "photos.getWallUploadServer",
            "photos.saveWallPhoto",
        ];
        if user_only.contains(&name.as_str()) && token != USER_TOKEN {
            return ResponseTemplate::new(200).set_body_json(json!({"error": {"error_code": 27,
                "error_msg": "Group authorization failed: method is unavailable with group auth."}}));
        }
        let num = |k: &str| form.get(k).and_then(|v| v.parse::<i64>().ok());
        match name.as_str() {
            "groups.getById" => ok(json!({"groups": [{"id": GROUP, "name": "Лумо — лампы",
                "screen_name": "lumo", "members_count": 12000}]})),
            "groups.getLongPollSettings" => ok(json!({"is_enabled": s.long_poll})),
            "groups.getLongPollServer" => {
                if !s.long_poll {
                    return ResponseTemplate::new(200).set_body_json(json!({"error": {
                        "error_code": 100, "error_msg": "One of the parameters specified was missing or invalid: long poll is disabled"}}));
                }
                ok(json!({"key": s.key, "server": format!("{}/lp", self.1),
                    "ts": s.events.len().to_string()}))
            }
            "users.get" => {
                let ids: Vec<i64> = form
                    .get("user_ids")
                    .map(|l| l.split(',').filter_map(|i| i.parse().ok()).collect())
                    .unwrap_or_else(|| vec![1]);
                ok(profiles(ids.into_iter()))
            }
            "wall.get" => {
                let filter = form.get("filter").cloned().unwrap_or_default();
                let count = num("count").unwrap_or(20) as usize;
                let items: Vec<Value> = s
                    .posts
                    .iter()
                    .rev()
                    .filter(|p| p.postponed == (filter == "postponed"))
                    .take(count)
                    .map(|p| json!({"id": p.id, "owner_id": -GROUP, "from_id": p.from_id,
                        "date": p.date, "text": p.text, "post_type": if p.postponed {"postpone"} else {"post"},
                        "attachments": super::vk_photos::attachments_json(&p.attachments),
                        "comments": {"count": p.comments.iter().filter(|c| !c.deleted).count()}}))
                    .collect();
                ok(json!({"count": items.len(), "items": items, "profiles": [], "groups": []}))
            }
            "wall.getComments" => super::vk_wall::comments(&mut s, &form),
            "messages.getConversations" => {
                let mut peers: Vec<i64> = s.msgs.iter().map(|m| m.peer).collect();
                peers.sort();
                peers.dedup();
                let items: Vec<Value> = peers
                    .iter()
                    .map(|p| {
                        let last = s.msgs.iter().filter(|m| m.peer == *p).map(|m| m.id).max();
                        json!({"conversation": {"peer": {"id": p, "type": "user"}},
                            "last_message": {"id": last, "peer_id": p}})
                    })
                    .collect();
                ok(json!({"count": items.len(), "items": items}))
            }
            "messages.getHistory" => {
                let peer = num("peer_id").unwrap_or(0);
                let mut ms: Vec<&Msg> = s.msgs.iter().filter(|m| m.peer == peer).collect();
                ms.sort_by_key(|m| std::cmp::Reverse(m.id));
                let items: Vec<Value> = ms
                    .iter()
                    .take(num("count").unwrap_or(20) as usize)
                    .map(|m| {
                        json!({"id": m.id, "peer_id": m.peer, "from_id": m.from_id,
                        "date": m.date, "text": m.text, "out": u8::from(m.out)})
                    })
                    .collect();
                ok(json!({"count": items.len(), "items": items,
                    "profiles": profiles(ms.iter().map(|m| m.from_id))}))
            }
            "wall.createComment" => {
                let post = num("post_id").unwrap_or(0);
                let key = form.get("guid").cloned().unwrap_or_default();
                if let Some((p, id)) = s.guids.get(&key).copied().filter(|_| !key.is_empty()) {
                    let _ = p;
                    return ok(json!({"comment_id": id, "parents_stack": []}));
                }
                s.next_id += 1;
                let id = s.next_id;
                let reply_to = num("reply_to_comment");
                let top = reply_to.and_then(|r| {
                    s.posts
                        .iter()
                        .flat_map(|p| p.comments.iter())
                        .find(|c| c.id == r)
                        .map(|c| c.top.unwrap_or(c.id))
                });
                let from = -num("from_group").unwrap_or(0);
                let text = form.get("message").cloned().unwrap_or_default();
                if let Some(p) = s.posts.iter_mut().find(|p| p.id == post) {
                    p.comments.push(Comment {
                        id,
                        from_id: from,
                        text,
                        date: 1_773_500_000,
                        top,
                        reply_to,
                        deleted: false,
                    });
                }
                s.guids.insert(key, (post, id));
                ok(
                    json!({"comment_id": id, "parents_stack": top.map(|t| vec![t]).unwrap_or_default()}),
                )
            }
            "messages.send" => {
                let rid = form.get("random_id").cloned().unwrap_or_default();
                if let Some(id) = s.random_ids.get(&rid) {
                    return ok(json!(id));
                }
                s.next_id += 1;
                let id = s.next_id;
                let peer = num("peer_id").unwrap_or(0);
                let text = form.get("message").cloned().unwrap_or_default();
                s.msgs.push(Msg {
                    id,
                    peer,
                    from_id: -GROUP,
                    text,
                    date: 1_773_500_000,
                    out: true,
                });
                s.random_ids.insert(rid, id);
                ok(json!(id))
            }
            "wall.post" => {
                let key = form.get("guid").cloned().unwrap_or_default();
                if let Some((id, _)) = s.guids.get(&key).copied() {
                    return ok(json!({"post_id": id}));
                }
                s.next_id += 1;
                let id = s.next_id;
                let postponed = form.contains_key("publish_date");
                let text = form.get("message").cloned().unwrap_or_default();
                s.posts.push(Post {
                    id,
                    from_id: -GROUP,
                    text,
                    date: num("publish_date").unwrap_or(1_773_500_000),
                    postponed,
                    comments: Vec::new(),
                    attachments: form.get("attachments").cloned().unwrap_or_default(),
                });
                s.guids.insert(key, (id, 0));
                ok(json!({"post_id": id}))
            }
            "wall.getById" => {
                let want = form.get("posts").cloned().unwrap_or_default();
                let items: Vec<Value> = s
                    .posts
                    .iter()
                    .filter(|p| format!("{}_{}", -GROUP, p.id) == want)
                    .map(|p| {
                        json!({"id": p.id, "owner_id": -GROUP, "from_id": p.from_id,
                        "date": p.date, "text": p.text,
                        "attachments": super::vk_photos::attachments_json(&p.attachments)})
                    })
                    .collect();
                ok(json!({"items": items}))
            }
            "wall.edit" => {
                let post = num("post_id").unwrap_or(0);
                let at = num("publish_date");
                match s.posts.iter_mut().find(|p| p.id == post) {
                    Some(p) => {
                        if let Some(at) = at {
                            p.date = at;
                        }
                        if let Some(m) = form.get("message") {
                            p.text = m.clone();
                        }
                        // An edit replaces the attachments: none given, none left.
                        p.attachments = form.get("attachments").cloned().unwrap_or_default();
                        ok(json!({"post_id": post}))
                    }
                    None => ResponseTemplate::new(200).set_body_json(json!({"error": {
                        "error_code": 100, "error_msg": "post not found"}})),
                }
            }
            "wall.delete" => {
                let post = num("post_id").unwrap_or(0);
                s.posts.retain(|p| p.id != post);
                ok(json!(1))
            }
            "wall.deleteComment" | "wall.restoreComment" => {
                let id = num("comment_id").unwrap_or(0);
                let deleted = name == "wall.deleteComment";
                for p in s.posts.iter_mut() {
                    for c in p.comments.iter_mut().filter(|c| c.id == id) {
                        c.deleted = deleted;
                    }
                }
                ok(json!(1))
            }
            "likes.add" => {
                let t = form.get("type").cloned().unwrap_or_default();
                let item = (t, num("owner_id").unwrap_or(0), num("item_id").unwrap_or(0));
                s.likes.push(item);
                ok(json!({"likes": 1}))
            }
            "groups.ban" => {
                s.bans.push(form.clone());
                ok(json!(1))
            }
            "messages.delete" | "messages.restore" => ok(json!(1)),
            "photos.getWallUploadServer" | "photos.saveWallPhoto" => {
                super::vk_photos::answer(&name, &form, &mut s, &self.1)
            }
            "board.getTopics" => {
                let items: Vec<Value> = s
                    .topics
                    .iter()
                    .map(|(id, c)| json!({"id": id, "title": format!("тема {id}"), "comments": c.len()}))
                    .collect();
                ok(json!({"count": items.len(), "items": items}))
            }
            "video.get" => {
                let items: Vec<Value> = s
                    .videos
                    .iter()
                    .map(|(id, c)| json!({"id": id, "title": format!("видео {id}"), "comments": c.len()}))
                    .collect();
                ok(json!({"count": items.len(), "items": items}))
            }
            "board.getComments" | "video.getComments" => {
                let (list, key) = if name == "board.getComments" {
                    (&s.topics, "topic_id")
                } else {
                    (&s.videos, "video_id")
                };
                let id = num(key).unwrap_or(0);
                let offset = num("offset").unwrap_or(0) as usize;
                let count = num("count").unwrap_or(20) as usize;
                let all: Vec<&Comment> = list
                    .iter()
                    .filter(|(t, _)| *t == id)
                    .flat_map(|(_, c)| c.iter())
                    .collect();
                let items: Vec<Value> = all
                    .iter()
                    .skip(offset)
                    .take(count)
                    .map(|c| json!({"id": c.id, "from_id": c.from_id, "date": c.date, "text": c.text}))
                    .collect();
                ok(json!({"count": all.len(), "items": items,
                    "profiles": profiles(all.iter().map(|c| c.from_id))}))
            }
            "photos.getAllComments" => {
                let offset = num("offset").unwrap_or(0) as usize;
                let count = num("count").unwrap_or(20) as usize;
                let mut all: Vec<&(i64, Comment)> = s.photo_comments.iter().collect();
                all.sort_by_key(|(_, c)| std::cmp::Reverse(c.date));
                let items: Vec<Value> = all
                    .iter()
                    .skip(offset)
                    .take(count)
                    .map(|(pid, c)| {
                        json!({"id": c.id, "from_id": c.from_id, "date": c.date,
                        "text": c.text, "pid": pid})
                    })
                    .collect();
                ok(json!({"count": all.len(), "items": items}))
            }
            "newsfeed.getMentions" => {
                let since = num("start_time").unwrap_or(0);
                let items: Vec<Value> = s
                    .mentions
                    .iter()
                    .filter(|m| m["date"].as_i64().unwrap_or(0) >= since)
                    .cloned()
                    .collect();
                ok(json!({"count": items.len(), "items": items}))
            }
            other => ResponseTemplate::new(200).set_body_json(json!({"error": {
                "error_code": 3, "error_msg": format!("Unknown method passed: {other}")}})),
        }
    }
}
