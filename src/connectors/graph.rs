//! The Graph API client Facebook Pages and Instagram share: the version pinned, the Page
//! token as a Bearer header (never in a URL), errors read from `error.code` rather than the
//! HTTP status (4, 17, 32, 613 and 80001 are throttling, waited out for the usage header's
//! `estimated_time_to_regain_access`; 190 is a dead token), and the usage headers
//! (`X-App-Usage`, `X-Business-Use-Case-Usage`): above 80 % of a budget every call waits a
//! little first. Pictures go up as multipart unpublished Page photos (both networks use them).

use super::http::{Http, RateInfo, Retry};
use super::{ConnectorError, Result};
use serde_json::Value;
use std::time::Duration;

/// The Graph API version every call pins.
pub const GRAPH_VERSION: &str = "v23.0";

/// Above this share of a usage budget (percent) calls slow down.
const BUSY: f64 = 80.0;

/// Graph's time (`2026-03-14T09:18:44+0000`), or RFC 3339.
pub fn time(s: &str) -> Option<crate::domain::Timestamp> {
    chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z")
        .ok()
        .map(|d| crate::domain::Timestamp(d.timestamp_millis()))
        .or_else(|| crate::domain::Timestamp::parse(s))
}

/// Graph's codes for "the token or the app may not do this": 3 (the app lacks the capability),
/// 10 and 200–299 (a permission is missing).
pub fn denied(code: i64) -> bool {
    matches!(code, 3 | 10 | 200..=299)
}

/// Where a post's comments stand: their count when read, and the cursor after the last one.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Mark {
    pub count: u64,
    pub after: Option<String>,
}

/// After a page of `read` elements asked for `after`: `Ok(cursor)` to read on from, or the mark
/// saying everything up to `count` was read. An empty page that still carries `next` (Graph
/// sends those) ends the reading rather than loop.
pub fn next_or_mark(
    answer: &Value,
    read: usize,
    after: Option<String>,
    count: u64,
) -> std::result::Result<String, Mark> {
    let next = answer
        .pointer("/paging/cursors/after")
        .and_then(Value::as_str)
        .map(String::from);
    let more = answer.pointer("/paging/next").is_some();
    match next {
        Some(n) if more && read > 0 && Some(&n) != after.as_ref() => Ok(n),
        next => Err(Mark {
            count,
            after: next.filter(|_| read > 0).or(after),
        }),
    }
}

/// Keeps `mark` for `id`, and only the newest `keep` marks.
pub fn keep_mark(
    marks: &mut std::collections::BTreeMap<String, Mark>,
    id: String,
    mark: Mark,
    keep: usize,
) {
    marks.insert(id, mark);
    while marks.len() > keep {
        marks.pop_first();
    }
}

/// A file sent in a multipart body: its field, file name, MIME type and bytes.
pub struct FilePart<'a> {
    pub field: &'static str,
    pub name: &'a str,
    pub mime: &'a str,
    pub bytes: &'a [u8],
}

impl FilePart<'_> {
    fn part(&self) -> reqwest::multipart::Part {
        let bare = || {
            reqwest::multipart::Part::bytes(self.bytes.to_vec()).file_name(self.name.to_string())
        };
        // The types are kith's own constants; one that did not parse would only lose its header.
        bare().mime_str(self.mime).unwrap_or_else(|_| bare())
    }
}

/// How an HTTP verb goes to Graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
    Delete,
}

pub struct Graph {
    base: String,
    /// Names the platform in messages (`facebook`, `instagram`).
    what: &'static str,
    token: String,
    http: Http,
    /// The highest usage percentage the last answer with usage headers reported.
    usage: std::sync::Mutex<f64>,
}

impl Graph {
    pub fn new(base: &str, what: &'static str, token: String, http: Http) -> Graph {
        Graph {
            base: base.trim_end_matches('/').to_string(),
            what,
            token,
            http,
            usage: std::sync::Mutex::new(0.0),
        }
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}/{GRAPH_VERSION}/{}",
            self.base,
            path.trim_start_matches('/')
        )
    }

    /// Calls Graph: `query` in the URL, `form` as the body of a POST. Returns the JSON answer.
    pub async fn call(
        &self,
        verb: Verb,
        path: &str,
        query: &[(&str, String)],
        form: &[(&str, String)],
        retry: Retry,
    ) -> Result<Value> {
        self.call_coded(verb, path, query, form, retry)
            .await
            .map_err(|(_, e)| e)
    }

    /// A GET that a missing permission does not fail: `Ok(None)` when Graph says the token or
    /// the app may not read this (codes 3, 10, 200–299), the reason logged.
    pub async fn get_if_allowed(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Option<Value>> {
        match self
            .call_coded(Verb::Get, path, query, &[], Retry::Safe)
            .await
        {
            Ok(v) => Ok(Some(v)),
            Err((code, e)) if denied(code) => {
                tracing::info!("{}: not allowed: {e}", self.what);
                Ok(None)
            }
            Err((_, e)) => Err(e),
        }
    }

    /// `call`, with Graph's `error.code` beside the error (0 when the answer had none).
    async fn call_coded(
        &self,
        verb: Verb,
        path: &str,
        query: &[(&str, String)],
        form: &[(&str, String)],
        retry: Retry,
    ) -> std::result::Result<Value, (i64, ConnectorError)> {
        self.pace().await;
        let url = self.url(path);
        let bearer = format!("Bearer {}", self.token);
        let resp = self
            .http
            .send(
                |c| {
                    let rb = match verb {
                        Verb::Get => c.get(url.as_str()),
                        Verb::Post => c.post(url.as_str()).form(form),
                        Verb::Delete => c.delete(url.as_str()),
                    };
                    rb.query(query).header("authorization", bearer.as_str())
                },
                retry,
            )
            .await
            .map_err(|e| (0, e))?;
        self.answer_coded(path, resp)
    }

    /// POSTs `fields` and one file as `multipart/form-data` (a photo's `source`).
    pub async fn upload(
        &self,
        path: &str,
        fields: &[(&str, String)],
        file: &FilePart<'_>,
        retry: Retry,
    ) -> Result<Value> {
        self.pace().await;
        let url = self.url(path);
        let bearer = format!("Bearer {}", self.token);
        let resp = self
            .http
            .send(
                |c| {
                    // A form is consumed by its request: each attempt builds its own.
                    let mut form = reqwest::multipart::Form::new();
                    for (k, v) in fields {
                        form = form.text(k.to_string(), v.clone());
                    }
                    form = form.part(file.field, file.part());
                    c.post(url.as_str())
                        .timeout(self.http.upload_timeout(file.bytes.len()))
                        .multipart(form)
                        .header("authorization", bearer.as_str())
                },
                retry,
            )
            .await?;
        self.answer(path, resp)
    }

    /// Above 80 % of a budget, spreads what is left of it instead of running into the wall.
    async fn pace(&self) {
        let busy = self.usage.lock().map(|u| *u).unwrap_or(0.0);
        if busy >= BUSY {
            tokio::time::sleep(Duration::from_millis(((busy - BUSY) * 100.0) as u64)).await;
        }
    }

    /// The JSON answer, or the error its `error.code` names; notes the usage headers.
    fn answer(&self, path: &str, resp: super::http::Response) -> Result<Value> {
        self.answer_coded(path, resp).map_err(|(_, e)| e)
    }

    fn answer_coded(
        &self,
        path: &str,
        resp: super::http::Response,
    ) -> std::result::Result<Value, (i64, ConnectorError)> {
        let (usage, regain) = usage(&resp);
        // Only answers that carry the headers say how much is used.
        if let (Some(used), Ok(mut u)) = (usage, self.usage.lock()) {
            *u = used;
        }
        let v: Value = serde_json::from_slice(&resp.body).map_err(|e| {
            (
                0,
                ConnectorError::Malformed(format!(
                    "{} {path}: not a Graph answer (HTTP {}): {e}",
                    self.what, resp.status
                )),
            )
        })?;
        match v.get("error") {
            None if resp.is_success() => Ok(v),
            err => {
                let err = err.unwrap_or(&Value::Null);
                let code = err.get("code").and_then(Value::as_i64).unwrap_or(0);
                Err((code, self.error(path, err, resp.status, regain)))
            }
        }
    }

    /// Uploads `picture` to `page` as an unpublished photo and returns its id. `temporary`
    /// keeps it until a post uses it: Graph asks for that on photos of natively scheduled
    /// posts and allows it on any unpublished photo a post uses later.
    pub async fn unpublished_photo(
        &self,
        page: &str,
        picture: &crate::domain::media::Picture,
        alt: bool,
    ) -> Result<String> {
        let mut fields = vec![
            ("published", "false".to_string()),
            ("temporary", "true".to_string()),
        ];
        if alt && !picture.alt.trim().is_empty() {
            fields.push(("alt_text_custom", picture.alt.trim().to_string()));
        }
        let file = FilePart {
            field: "source",
            name: &picture.name,
            mime: picture.kind.mime(),
            bytes: &picture.bytes,
        };
        // An unpublished photo nothing refers to is harmless: safe to send again.
        let v = self
            .upload(&format!("{page}/photos"), &fields, &file, Retry::Safe)
            .await?;
        v.get("id")
            .and_then(Value::as_str)
            .map(String::from)
            .ok_or_else(|| {
                ConnectorError::Malformed(format!(
                    "{}: the photo came back without an id",
                    self.what
                ))
            })
    }

    fn error(
        &self,
        path: &str,
        err: &Value,
        status: u16,
        regain: Option<Duration>,
    ) -> ConnectorError {
        let code = err.get("code").and_then(Value::as_i64).unwrap_or(0);
        let text = err
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("unknown error");
        let msg = self.http.redact(&format!(
            "{} {}: {text} (code {code}, HTTP {status})",
            self.what,
            path.split('?').next().unwrap_or(path)
        ));
        match code {
            4 | 17 | 32 | 613 | 80001 => ConnectorError::RateLimited {
                wait: regain.unwrap_or(Duration::from_secs(60)),
            },
            190 => ConnectorError::Auth(msg),
            // "An unknown error occurred" / "service temporarily unavailable": try again.
            1 | 2 => ConnectorError::Network(msg),
            _ if status == 401 => ConnectorError::Auth(msg),
            _ => ConnectorError::Refused(msg),
        }
    }

    /// The usage as what is left of 100, with the HTTP client's own rate state.
    pub fn rate_info(&self) -> RateInfo {
        let used = self.usage.lock().map(|u| *u).unwrap_or(0.0);
        let mut r = self.http.rate();
        if used > 0.0 {
            r.limit = Some(100);
            r.remaining = Some((100.0 - used).max(0.0) as u64);
        }
        r
    }
}

/// The usage headers: the highest percentage any budget reports (None without the headers),
/// and how long Facebook says to wait (`estimated_time_to_regain_access`, minutes) when it does.
fn usage(resp: &super::http::Response) -> (Option<f64>, Option<Duration>) {
    let mut top: Option<f64> = None;
    let mut regain = None;
    let pct = |v: &Value, top: &mut Option<f64>| {
        for k in ["call_count", "total_cputime", "total_time"] {
            if let Some(n) = v.get(k).and_then(Value::as_f64) {
                *top = Some(top.map_or(n, |t| t.max(n)));
            }
        }
    };
    if let Some(app) = resp
        .header("x-app-usage")
        .and_then(|h| serde_json::from_str::<Value>(h).ok())
    {
        pct(&app, &mut top);
    }
    if let Some(biz) = resp
        .header("x-business-use-case-usage")
        .and_then(|h| serde_json::from_str::<Value>(h).ok())
    {
        for list in biz.as_object().into_iter().flat_map(|o| o.values()) {
            for entry in list.as_array().into_iter().flatten() {
                pct(entry, &mut top);
                if let Some(m) = entry
                    .get("estimated_time_to_regain_access")
                    .and_then(Value::as_u64)
                    .filter(|m| *m > 0)
                {
                    regain = Some(Duration::from_secs(m * 60));
                }
            }
        }
    }
    (top, regain)
}
