//! A stateful fake Mastodon for publishing: it keeps state the way the real one does for publishing: statuses posted
//! with an `Idempotency-Key` it has seen come back as the first status instead of a new one;
//! the account's statuses list newest first with `max_id` paging. Faults are scripted: answers
//! to send instead of accepting, a delay after accepting (a timeout after the server took it),
//! random delays (so a killed client dies mid-request).

use super::fake::{ok, on_any, Fake};
use super::mastodon;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

#[derive(Debug, Clone)]
pub struct Status {
    pub id: u64,
    pub key: Option<String>,
    pub text: String,
    pub in_reply_to: Option<String>,
    pub scheduled_at: Option<String>,
}

#[derive(Default)]
pub struct State {
    pub statuses: Vec<Status>,
    pub keys: HashMap<String, u64>,
    /// Answers given instead of accepting (status code, Retry-After seconds).
    pub faults: VecDeque<(u16, Option<u64>)>,
    /// Accept, then answer this late (the client times out after the server took the post).
    pub accept_then_wait: VecDeque<Duration>,
    /// Every delay of every answer to a post is random up to this (crash tests).
    pub jitter_ms: u64,
    pub posts_seen: u64,
}

#[derive(Clone)]
pub struct MastodonServer {
    pub server: Arc<MockServer>,
    pub state: Arc<Mutex<State>>,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn status_json(s: &Status, base: &str) -> Value {
    let html: String = s
        .text
        .split('\n')
        .map(escape)
        .collect::<Vec<_>>()
        .join("<br>");
    json!({
        "id": s.id.to_string(),
        "created_at": "2026-12-07T09:00:00.000Z",
        "in_reply_to_id": s.in_reply_to,
        "visibility": "public",
        "url": format!("{base}/@shop/{}", s.id),
        "content": format!("<p>{html}</p>"),
        "account": {"id": "42", "acct": "shop", "username": "shop"}
    })
}

struct PostStatus {
    state: Arc<Mutex<State>>,
    base: String,
}

impl Respond for PostStatus {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut st = self.state.lock().expect("lock");
        st.posts_seen += 1;
        let jitter = if st.jitter_ms > 0 {
            Duration::from_millis(rand_u64(st.posts_seen) % st.jitter_ms)
        } else {
            Duration::ZERO
        };
        if let Some((code, retry)) = st.faults.pop_front() {
            let mut r = ResponseTemplate::new(code)
                .set_body_json(json!({"error": "scripted"}))
                .set_delay(jitter);
            if let Some(s) = retry {
                r = r.insert_header("retry-after", s.to_string().as_str());
            }
            return r;
        }
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let key = req
            .headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        let existing = key.as_ref().and_then(|k| st.keys.get(k).copied());
        let id = match existing {
            Some(id) => id,
            None => {
                let id = 110_000 + st.statuses.len() as u64 + 1;
                st.statuses.push(Status {
                    id,
                    key: key.clone(),
                    text: body["status"].as_str().unwrap_or_default().to_string(),
                    in_reply_to: body["in_reply_to_id"].as_str().map(String::from),
                    scheduled_at: body["scheduled_at"].as_str().map(String::from),
                });
                if let Some(k) = key {
                    st.keys.insert(k, id);
                }
                id
            }
        };
        let s = st
            .statuses
            .iter()
            .find(|s| s.id == id)
            .cloned()
            .expect("status");
        let delay = st.accept_then_wait.pop_front().unwrap_or(jitter);
        let body = match &s.scheduled_at {
            Some(at) => json!({"id": format!("s{}", s.id), "scheduled_at": at,
                               "params": {"text": s.text}}),
            None => status_json(&s, &self.base),
        };
        ok(body).set_delay(delay)
    }
}

/// A small deterministic hash for jitter (no rand dependency in tests).
fn rand_u64(n: u64) -> u64 {
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 31;
    x.wrapping_mul(0xBF58_476D_1CE4_E5B9) >> 7
}

struct ListStatuses {
    state: Arc<Mutex<State>>,
    base: String,
}

impl Respond for ListStatuses {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let st = self.state.lock().expect("lock");
        let q: HashMap<String, String> = req.url.query_pairs().into_owned().collect();
        let limit: usize = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(20);
        let max_id: Option<u64> = q.get("max_id").and_then(|m| m.parse().ok());
        let page: Vec<Value> = st
            .statuses
            .iter()
            .rev()
            .filter(|s| s.scheduled_at.is_none())
            .filter(|s| max_id.is_none_or(|m| s.id < m))
            .take(limit)
            .map(|s| status_json(s, &self.base))
            .collect();
        ok(Value::Array(page))
    }
}

impl MastodonServer {
    pub async fn start() -> MastodonServer {
        Self::start_on(MockServer::start().await).await
    }

    pub async fn start_on(server: MockServer) -> MastodonServer {
        let state: Arc<Mutex<State>> = Default::default();
        let base = server.uri();
        let post = PostStatus {
            state: state.clone(),
            base: base.clone(),
        };
        let list = ListStatuses {
            state: state.clone(),
            base,
        };
        let scheduled = r"^/api/v1/scheduled_statuses/s\d+$";
        Fake::new()
            .with(mastodon::me())
            .answer("POST", mastodon::STATUSES, post)
            .answer("GET", "/api/v1/accounts/42/statuses", list)
            .with(on_any("PUT", scheduled).respond_with(ok(json!({}))))
            .with(on_any("DELETE", scheduled).respond_with(ok(json!({}))))
            .get("/api/v1/scheduled_statuses", json!([]))
            .mount(&server)
            .await;
        MastodonServer {
            server: Arc::new(server),
            state,
        }
    }

    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// Published statuses with this exact text.
    pub fn count(&self, text: &str) -> usize {
        self.state
            .lock()
            .expect("lock")
            .statuses
            .iter()
            .filter(|s| s.text == text)
            .count()
    }

    pub fn statuses(&self) -> Vec<Status> {
        self.state.lock().expect("lock").statuses.clone()
    }
}
