//! Mastodon pictures: each uploaded ahead of the post (`POST /api/v2/media`, then looked at until
//! the server has processed it, since a status naming an unprocessed picture is refused), the ids
//! a post carries, and whether a listed status is the one that carried them.

use super::{enc, json_id, Mastodon};
use crate::connectors::http::{Response, Retry};
use crate::connectors::{ConnectorError, Result};
use crate::domain::media::Picture;
use crate::i18n::tf;
use reqwest::multipart::{Form, Part};
use serde_json::Value;
use std::time::Duration;

/// Between two looks at a picture still being processed. Mastodon's own web client looks about
/// once a second; images are usually ready within one or two.
pub(super) const POLL_DELAY: Duration = Duration::from_millis(500);
/// Looks before giving up (20 s): the engine then tries the whole upload again later.
pub(super) const POLL_TRIES: u32 = 40;

/// The multipart body: `file` (named `image1.png`…, never the user's own file name, with its
/// type) and `description` (the alt text) when there is one. Built anew for every attempt: a
/// form is consumed by sending it.
fn form(p: &Picture) -> Form {
    let part = || Part::bytes(p.bytes.to_vec()).file_name(p.name.clone());
    // The types are constants reqwest always parses; without one the server reads the bytes.
    let file = part().mime_str(p.kind.mime()).unwrap_or_else(|_| part());
    let form = Form::new().part("file", file);
    if p.alt.is_empty() {
        form
    } else {
        form.text("description", p.alt.clone())
    }
}

/// A processed attachment has its `url`; one still processing has `null` there.
fn processed(v: &Value) -> bool {
    v["url"].as_str().is_some_and(|u| !u.is_empty())
}

impl Mastodon {
    /// Uploads one picture and returns its attachment id once the server has processed it.
    /// An attachment no status refers to is harmless (the server removes it after a day), so an
    /// upload whose answer got lost is simply repeated.
    pub(super) async fn upload_picture(&self, p: &Picture) -> Result<String> {
        let url = self.url("/api/v2/media");
        let resp = self
            .http
            .send(
                |c| {
                    c.post(&url)
                        .bearer_auth(&self.token)
                        .timeout(self.http.upload_timeout(p.bytes.len()))
                        .multipart(form(p))
                },
                Retry::Safe,
            )
            .await?;
        if !matches!(resp.status, 200 | 202) {
            return Err(self.refused(resp));
        }
        let v: Value = resp.json()?;
        let id = json_id(&v["id"]).ok_or_else(|| {
            ConnectorError::Malformed("mastodon: media upload: no attachment id".into())
        })?;
        // 200: processed at once (small images); 202: processing goes on in the background.
        if resp.status == 202 || !processed(&v) {
            self.wait_processed(&id).await?;
        }
        Ok(id)
    }

    /// `GET /api/v1/media/:id` until it answers 200 with a `url` (206 while processing).
    async fn wait_processed(&self, id: &str) -> Result<()> {
        let url = self.url(&format!("/api/v1/media/{}", enc(id)));
        let (delay, tries) = self.media_wait;
        for _ in 0..tries {
            tokio::time::sleep(delay).await;
            let resp = self
                .http
                .send(|c| c.get(&url).bearer_auth(&self.token), Retry::Safe)
                .await?;
            match resp.status {
                206 => {}
                200 => {
                    if processed(&resp.json::<Value>()?) {
                        return Ok(());
                    }
                }
                _ => return Err(self.refused(resp)),
            }
        }
        // Not refused: the server may simply be busy. The engine tries again later (the
        // attachment left behind is never used and expires).
        let secs = (delay * tries).as_millis().div_ceil(1000);
        Err(ConnectorError::Network(tf(
            "err.media_net.processing",
            &[("platform", &"Mastodon"), ("secs", &secs)],
        )))
    }

    /// A non-success answer about a picture: 401 → `Auth`; 413 (too big for the server) and 422
    /// (a type or size the instance refuses) → `Refused` with the server's own words.
    fn refused(&self, resp: Response) -> ConnectorError {
        let status = resp.status;
        match self.checked(resp) {
            Err(ConnectorError::Refused(m)) => ConnectorError::Refused(tf(
                "err.media_net.refused",
                &[("platform", &"Mastodon"), ("error", &m)],
            )),
            Err(e) => e,
            Ok(_) => ConnectorError::Malformed(format!("mastodon: media upload: HTTP {status}")),
        }
    }

    /// The attachment ids for a post, in order: the handles `upload` returned, and an upload now
    /// for a picture that has none (the engine always uploads first; this keeps `publish`
    /// whole on its own).
    pub(super) async fn media_ids(&self, pictures: &[Picture]) -> Result<Vec<String>> {
        let mut ids = Vec::with_capacity(pictures.len());
        for p in pictures {
            match &p.handle {
                Some(h) => ids.push(h.clone()),
                None => ids.push(self.upload_picture(p).await?),
            }
        }
        Ok(ids)
    }
}

/// The handles of a post's pictures, when every one has been uploaded (else `None`: the post
/// cannot be recognised by its pictures).
pub(super) fn handles(pictures: &[Picture]) -> Option<Vec<String>> {
    if pictures.is_empty() {
        return None;
    }
    pictures.iter().map(|p| p.handle.clone()).collect()
}

/// The attachment ids a listed status carries (`media_attachments: [{id…}]`), or a scheduled
/// status's `params.media_ids` (plain ids), in order.
pub(super) fn attached(list: &Value) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| {
            if m.is_object() {
                json_id(&m["id"])
            } else {
                json_id(m)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn attachment_ids_are_read_from_objects_or_plain_ids() {
        let listed = json!([{"id": "11", "type": "image"}, {"id": 12}, {"type": "image"}]);
        assert_eq!(attached(&listed), vec!["11", "12"]);
        assert_eq!(attached(&json!(["7", 8])), vec!["7", "8"]);
        assert!(attached(&Value::Null).is_empty());
        assert!(processed(&json!({"url": "https://m.example/a.png"})));
        assert!(!processed(&json!({"url": null})));
    }
}
