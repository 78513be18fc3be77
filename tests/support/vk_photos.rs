//! VK's photo upload as the fake VK (`vk.rs`) serves it: `photos.getWallUploadServer` names an
//! upload server on the same local server, the upload takes the file in the multipart field
//! `photo` (any other field gets VK's own answer for "no file": `"photo":"[]"`), and
//! `photos.saveWallPhoto` saves only what an upload answered. Posts' `attachments` are shown the
//! way `wall.get` shows them.

use super::multipart::{self, Part};
use super::vk::{State, Vk, GROUP};
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The upload server's path on the fake.
pub const UPLOAD_PATH: &str = "/upload/wall";

#[derive(Debug, Default)]
pub struct Photos {
    /// Every upload received, with its parts.
    pub uploads: Vec<Vec<Part>>,
    /// The next uploads answer this instead (VK's `"photo":"[]"`, say).
    pub answers: VecDeque<Value>,
    /// What uploads answered: (server, photo, hash), each saveable once.
    pub saveable: Vec<(String, String, String)>,
    /// Ids of the photos saved, in order.
    pub saved: Vec<i64>,
}

pub(super) async fn mount(vk: &Vk, server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(UPLOAD_PATH))
        .respond_with(Upload(vk.clone()))
        .mount(server)
        .await;
}

fn error(code: i64, msg: &str) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"error": {"error_code": code, "error_msg": msg}}))
}

/// The `photos.*` upload methods (the caller checked the token and queued errors).
pub(super) fn answer(
    name: &str,
    form: &HashMap<String, String>,
    s: &mut State,
    uri: &str,
) -> ResponseTemplate {
    if form.get("group_id").map(String::as_str) != Some(&GROUP.to_string()) {
        return error(
            100,
            "One of the parameters specified was missing or invalid: group_id",
        );
    }
    match name {
        "photos.getWallUploadServer" => ResponseTemplate::new(200).set_body_json(json!({
            "response": {"upload_url": format!("{uri}{UPLOAD_PATH}?act=do_add&gid={GROUP}"),
                "album_id": -14, "user_id": 1}})),
        _ => {
            let key = |k: &str| form.get(k).cloned().unwrap_or_default();
            let got = (key("server"), key("photo"), key("hash"));
            let Some(at) = s.photos.saveable.iter().position(|x| *x == got) else {
                return error(121, "Invalid hash");
            };
            s.photos.saveable.remove(at);
            let id = 457_239_000 + s.photos.saved.len() as i64 + 1;
            s.photos.saved.push(id);
            ResponseTemplate::new(200).set_body_json(json!({"response": [{"id": id,
                "album_id": -14, "owner_id": -GROUP, "date": 1_773_500_000, "sizes": [],
                "text": ""}]}))
        }
    }
}

struct Upload(Vk);

impl Respond for Upload {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let parts = multipart::parts(req);
        let mut s = self.0.state();
        s.photos.uploads.push(parts.clone());
        if let Some(a) = s.photos.answers.pop_front() {
            return ResponseTemplate::new(200).set_body_json(a);
        }
        let n = s.photos.uploads.len();
        let hash = format!("5ab1e{n}");
        let file = parts
            .iter()
            .find(|p| p.name == "photo" && p.file_name.is_some() && !p.bytes.is_empty());
        let Some(_) = file else {
            // What VK's upload server answers when no file came in `photo`.
            return ResponseTemplate::new(200)
                .set_body_json(json!({"server": 815, "photo": "[]", "hash": hash}));
        };
        let photo = json!([{"photo": format!("a1b2c3{n}"), "sizes": [], "kid": format!("k{n}")}])
            .to_string();
        s.photos
            .saveable
            .push(("815".into(), photo.clone(), hash.clone()));
        ResponseTemplate::new(200)
            .set_body_json(json!({"server": 815, "photo": photo, "hash": hash}))
    }
}

/// A post's `attachments` parameter as `wall.get` lists it: photos and a link.
pub fn attachments_json(list: &str) -> Value {
    let items: Vec<Value> = list
        .split(',')
        .filter(|a| !a.is_empty())
        .map(
            |a| match a.strip_prefix("photo").and_then(|r| r.split_once('_')) {
                Some((owner, id)) => json!({"type": "photo", "photo": {
                "id": id.parse::<i64>().unwrap_or(0), "owner_id": owner.parse::<i64>().unwrap_or(0),
                "sizes": []}}),
                None => json!({"type": "link", "link": {"url": a, "title": ""}}),
            },
        )
        .collect();
    Value::Array(items)
}
