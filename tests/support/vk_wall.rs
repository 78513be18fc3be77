//! The fake VK's wall comments (`wall.getComments`: levels, branches, comments arriving while
//! the first page is read) and its Bots Long Poll server (`a_check`, `failed` codes).

use super::vk::{comment_json, ok, profiles, Call, Comment, State, Vk, GROUP};
use serde_json::{json, Value};
use std::collections::HashMap;
use wiremock::{Request, Respond, ResponseTemplate};

/// `wall.getComments` on the fake's posts.
pub(super) fn comments(s: &mut State, form: &HashMap<String, String>) -> ResponseTemplate {
    let num = |k: &str| form.get(k).and_then(|v| v.parse::<i64>().ok());
    let post_id = num("post_id").unwrap_or(0);
    let offset = num("offset").unwrap_or(0) as usize;
    let count = num("count").unwrap_or(10) as usize;
    let thread_n = num("thread_items_count").unwrap_or(0) as usize;
    let Some(post) = s.posts.iter().find(|p| p.id == post_id).cloned() else {
        return ResponseTemplate::new(200).set_body_json(json!({"error": {
            "error_code": 100, "error_msg": "post not found"}}));
    };
    let live: Vec<&Comment> = post.comments.iter().filter(|c| !c.deleted).collect();
    let level: Vec<&Comment> = match num("comment_id") {
        Some(top) => live
            .iter()
            .copied()
            .filter(|c| c.top == Some(top))
            .collect(),
        None => live.iter().copied().filter(|c| c.top.is_none()).collect(),
    };
    let page: Vec<Value> = level
        .iter()
        .skip(offset)
        .take(count)
        .map(|c| {
            let branch: Vec<&&Comment> = live.iter().filter(|r| r.top == Some(c.id)).collect();
            let thread = (num("comment_id").is_none()).then(|| {
                (
                    branch.len(),
                    branch
                        .iter()
                        .take(thread_n)
                        .map(|r| comment_json(r, post_id, None))
                        .collect(),
                )
            });
            comment_json(c, post_id, thread)
        })
        .collect();
    let authors = profiles(live.iter().map(|c| c.from_id));
    let answer = json!({"count": live.len(), "current_level_count": level.len(),
        "items": page, "profiles": authors, "groups": [{"id": GROUP, "name": "Лумо — лампы",
        "screen_name": "lumo"}]});
    if offset == 0 && num("comment_id").is_none() {
        let arriving: Vec<(i64, Comment)> = std::mem::take(&mut s.arrive_after_first_page);
        for (p, c) in arriving {
            if let Some(post) = s.posts.iter_mut().find(|x| x.id == p) {
                post.comments.push(c);
            }
        }
    }
    ok(answer)
}

pub(super) struct LongPoll(pub(super) Vk);

impl Respond for LongPoll {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let q: HashMap<String, String> = req.url.query_pairs().into_owned().collect();
        let mut s = self.0.state();
        s.calls.push(Call {
            method: "a_check".into(),
            form: q.clone(),
        });
        if q.get("act").map(String::as_str) != Some("a_check") {
            return ResponseTemplate::new(400);
        }
        if q.get("key") != Some(&s.key) {
            return ResponseTemplate::new(200).set_body_json(json!({"failed": 2}));
        }
        let ts: usize = q.get("ts").and_then(|t| t.parse().ok()).unwrap_or(0);
        if ts < s.events_from {
            return ResponseTemplate::new(200)
                .set_body_json(json!({"failed": 1, "ts": s.events.len().to_string()}));
        }
        let updates: Vec<Value> = s.events.iter().skip(ts).cloned().collect();
        ResponseTemplate::new(200)
            .set_body_json(json!({"ts": s.events.len().to_string(), "updates": updates}))
    }
}
