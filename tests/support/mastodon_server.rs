//! A stateful fake Mastodon for publishing: it keeps state the way the real one does for publishing: statuses posted
//! with an `Idempotency-Key` it has seen come back as the first status instead of a new one;
//! the account's statuses list newest first with `max_id` paging. Faults are scripted: answers
//! to send instead of accepting, a delay after accepting (a timeout after the server took it),
//! random delays (so a killed client dies mid-request).
//!
//! Pictures as Mastodon takes them: `POST /api/v2/media` reads the multipart form (`file`,
//! `description`) and answers 202 while processing (or 200 at once); `GET /api/v1/media/:id`
//! answers 206 until processed; a status keeps the attachments its `media_ids` name and refuses
//! (422) ids it does not know, ones still processing or already attached, as Mastodon does.

use super::fake::{ok, on_any, Fake};
use super::mastodon;
use super::multipart;
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
    /// When the server took it (its own clock: `lookup` searches back by time).
    pub created_at: String,
    /// The attachments, in the order of `media_ids`.
    pub media: Vec<Media>,
}

/// One uploaded picture, as the form carried it.
#[derive(Debug, Clone)]
pub struct Media {
    pub id: u64,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
    pub description: Option<String>,
    /// Looks still answered 206 before it is processed.
    pub pending: u32,
    pub processed: bool,
    /// The status it is attached to.
    pub status: Option<u64>,
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
    pub media: Vec<Media>,
    /// Uploads processed at once (200) instead of in the background (202).
    pub media_sync: bool,
    /// Looks at a new upload answered 206 before it is processed (0: the first look finds it
    /// ready).
    pub media_looks_pending: u32,
    /// Answers to uploads given instead of accepting them (status code, body).
    pub media_faults: VecDeque<(u16, Value)>,
    /// `GET /api/v1/media/:id` requests seen.
    pub media_looks: u32,
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

fn media_json(m: &Media, base: &str) -> Value {
    let url = m.processed.then(|| format!("{base}/media/{}.png", m.id));
    json!({"id": m.id.to_string(), "type": "image", "url": url, "preview_url": url,
           "description": m.description, "blurhash": null})
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
        "created_at": s.created_at,
        "in_reply_to_id": s.in_reply_to,
        "visibility": "public",
        "url": format!("{base}/@shop/{}", s.id),
        "content": if s.text.is_empty() { String::new() } else { format!("<p>{html}</p>") },
        "account": {"id": "42", "acct": "shop", "username": "shop"},
        "media_attachments": s.media.iter().map(|m| media_json(m, base)).collect::<Vec<_>>()
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
                let text = body["status"].as_str().unwrap_or_default().to_string();
                let media = match attach(&mut st, &body["media_ids"], id) {
                    Ok(m) => m,
                    Err(e) => return ResponseTemplate::new(422).set_body_json(json!({"error": e})),
                };
                if text.trim().is_empty() && media.is_empty() {
                    return ResponseTemplate::new(422)
                        .set_body_json(json!({"error": "Validation failed: Text can't be blank"}));
                }
                st.statuses.push(Status {
                    id,
                    key: key.clone(),
                    text,
                    in_reply_to: body["in_reply_to_id"].as_str().map(String::from),
                    scheduled_at: body["scheduled_at"].as_str().map(String::from),
                    created_at: kith::domain::Timestamp::now().to_rfc3339(),
                    media,
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
                               "params": {"text": s.text,
                                          "media_ids": s.media.iter().map(|m| m.id.to_string())
                                              .collect::<Vec<_>>()}}),
            None => status_json(&s, &self.base),
        };
        ok(body).set_delay(delay)
    }
}

/// Attaches the uploads `ids` names to status `status`, as Mastodon does: at most 4, each one
/// ours, processed and not attached yet; else the error Mastodon gives.
fn attach(st: &mut State, ids: &Value, status: u64) -> Result<Vec<Media>, String> {
    let ids: Vec<Option<u64>> = match ids {
        Value::Null => return Ok(Vec::new()),
        Value::Array(a) => a
            .iter()
            .map(|v| match v {
                Value::String(s) => s.parse().ok(),
                Value::Number(n) => n.as_u64(),
                _ => None,
            })
            .collect(),
        _ => return Err("media_ids must be an array".into()),
    };
    if ids.len() > 4 {
        return Err("Validation failed: Cannot attach more than 4 files".into());
    }
    let mut found = Vec::new();
    for id in &ids {
        match st
            .media
            .iter()
            .find(|m| Some(m.id) == *id && m.status.is_none())
        {
            Some(m) if !m.processed => {
                return Err(
                    "Cannot attach files that have not finished processing. Try again in a moment!"
                        .into(),
                )
            }
            Some(m) => found.push(m.id),
            None => {
                let shown = id.map(|i| i.to_string()).unwrap_or_default();
                return Err(format!("Media attachment with ID(s) {shown} not found"));
            }
        }
    }
    let mut out = Vec::new();
    for id in found {
        if let Some(m) = st.media.iter_mut().find(|m| m.id == id) {
            m.status = Some(status);
            out.push(m.clone());
        }
    }
    Ok(out)
}

/// `POST /api/v2/media`.
struct Upload {
    state: Arc<Mutex<State>>,
    base: String,
}

impl Respond for Upload {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut st = self.state.lock().expect("lock");
        if let Some((code, body)) = st.media_faults.pop_front() {
            return ResponseTemplate::new(code).set_body_json(body);
        }
        let ct = req
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let Some(parts) = multipart::parse(ct, &req.body) else {
            return ResponseTemplate::new(422).set_body_json(json!({"error": "not a form"}));
        };
        let Some(file) = parts.iter().find(|p| p.name == "file") else {
            return ResponseTemplate::new(422)
                .set_body_json(json!({"error": "Validation failed: File can't be blank"}));
        };
        let m = Media {
            id: 120_000 + st.media.len() as u64 + 1,
            file_name: file.file_name.clone(),
            content_type: file.content_type.clone(),
            bytes: file.bytes.clone(),
            description: parts
                .iter()
                .find(|p| p.name == "description")
                .map(|p| String::from_utf8_lossy(&p.bytes).into_owned()),
            pending: st.media_looks_pending,
            processed: st.media_sync,
            status: None,
        };
        let body = media_json(&m, &self.base);
        st.media.push(m);
        // Slow like a real upload when jitter is on: a kill lands after the server kept it.
        let jitter = if st.jitter_ms > 0 {
            Duration::from_millis(rand_u64(st.media.len() as u64 + 7) % st.jitter_ms)
        } else {
            Duration::ZERO
        };
        ResponseTemplate::new(if st.media_sync { 200 } else { 202 })
            .set_body_json(body)
            .set_delay(jitter)
    }
}

/// `GET /api/v1/media/:id`: 206 while processing, then 200 with its `url`; 404 for one that is
/// not ours or already attached.
struct Look {
    state: Arc<Mutex<State>>,
    base: String,
}

impl Respond for Look {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut st = self.state.lock().expect("lock");
        st.media_looks += 1;
        let id: Option<u64> = req
            .url
            .path()
            .rsplit('/')
            .next()
            .and_then(|s| s.parse().ok());
        let Some(m) = st
            .media
            .iter_mut()
            .find(|m| Some(m.id) == id && m.status.is_none())
        else {
            return ResponseTemplate::new(404).set_body_json(json!({"error": "Record not found"}));
        };
        if !m.processed {
            if m.pending > 0 {
                m.pending -= 1;
                return ResponseTemplate::new(206).set_body_json(media_json(m, &self.base));
            }
            m.processed = true;
        }
        ok(media_json(m, &self.base))
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
            base: base.clone(),
        };
        let upload = Upload {
            state: state.clone(),
            base: base.clone(),
        };
        let look = Look {
            state: state.clone(),
            base,
        };
        let scheduled = r"^/api/v1/scheduled_statuses/s\d+$";
        Fake::new()
            .with(mastodon::me())
            .answer("POST", mastodon::STATUSES, post)
            .answer("GET", "/api/v1/accounts/42/statuses", list)
            .answer("POST", "/api/v2/media", upload)
            .with(on_any("GET", r"^/api/v1/media/[^/]+$").respond_with(look))
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

    /// Every upload, in order.
    pub fn media(&self) -> Vec<Media> {
        self.state.lock().expect("lock").media.clone()
    }
}
