//! Instagram publishing: pictures hosted as unpublished photos of the Page that owns the account
//! (Instagram fetches a public address; a laptop has none), containers made from their addresses
//! (one, or a carousel of 2–10), waited on until Instagram has processed them, then published,
//! within the account's publishing limit; and the search for an earlier attempt after a crash.
//!
//! Nothing is public until `media_publish`: every failure before it is "not published" (a
//! container nobody publishes expires by itself), so only that last request can leave a post's
//! fate unknown.

use super::{Instagram, SKEW_MS};
use crate::connectors::graph::{time, Verb};
use crate::connectors::http::Retry;
use crate::connectors::{unread_answer, ConnectorError, Lookup, Outgoing, Result, Sent};
use crate::domain::media::Picture;
use crate::domain::Timestamp;
use crate::i18n::tf;
use serde_json::Value;

/// Instagram cuts captions at 2,200 characters.
const CAPTION_LIMIT: usize = 2200;

fn id_of(v: &Value, what: &str) -> Result<String> {
    v.get("id")
        .and_then(Value::as_str)
        .map(String::from)
        .ok_or_else(|| {
            ConnectorError::Malformed(format!("instagram {what}: answered without an id"))
        })
}

/// A failure before `media_publish`: nothing went out, whatever the error says, so the engine
/// may simply try again (a timeout here is not an unknown outcome).
fn not_published(e: ConnectorError) -> ConnectorError {
    match e {
        ConnectorError::Network(m) | ConnectorError::Malformed(m) => {
            ConnectorError::Unreachable(tf("graph_media.ig_not_published", &[("error", &m)]))
        }
        other => other,
    }
}

impl Instagram {
    /// The Page the Page token belongs to (`GET /me`), asked once: pictures are hosted there
    /// and Direct messages go through it.
    pub(super) async fn page(&self) -> Result<String> {
        if let Some(p) = self.page.lock().ok().and_then(|p| p.clone()) {
            return Ok(p);
        }
        let q = [("fields", "id".to_string())];
        let v = self.call(Verb::Get, "me", &q, &[], Retry::Safe).await?;
        let id = id_of(&v, "me")?;
        if let Ok(mut p) = self.page.lock() {
            *p = Some(id.clone());
        }
        Ok(id)
    }

    /// Hosts `picture` where Instagram can fetch it: an unpublished, temporary photo on the
    /// account's Page (nobody sees it there), whose largest rendition's address is the handle.
    pub(super) async fn host(&self, picture: &Picture) -> Result<String> {
        let page = self.page().await?;
        let photo = self.graph.unpublished_photo(&page, picture, false).await?;
        let q = [("fields", "images".to_string())];
        let v = self.call(Verb::Get, &photo, &q, &[], Retry::Safe).await?;
        v.get("images")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|i| {
                let area = i.get("width").and_then(Value::as_u64).unwrap_or(0)
                    * i.get("height").and_then(Value::as_u64).unwrap_or(0);
                Some((area, i.get("source").and_then(Value::as_str)?))
            })
            .max_by_key(|(area, _)| *area)
            .map(|(_, url)| url.to_string())
            .ok_or_else(|| {
                ConnectorError::Malformed(format!(
                    "instagram: the Page photo {photo} has no image address"
                ))
            })
    }

    /// Publishes one post: the checks, the containers, the wait, `media_publish`.
    pub(super) async fn publish_post(&self, post: &Outgoing) -> Result<Sent> {
        if post.reply_to.is_some() {
            return Err(ConnectorError::Unsupported(tf(
                "graph_media.ig_no_thread",
                &[],
            )));
        }
        if post.media.is_empty() {
            return Err(ConnectorError::Refused(tf(
                "graph_media.ig_needs_picture",
                &[],
            )));
        }
        let n = post.text.chars().count();
        if n > CAPTION_LIMIT {
            return Err(ConnectorError::Refused(tf(
                "graph_media.ig_caption_long",
                &[("count", &n), ("max", &CAPTION_LIMIT)],
            )));
        }
        let urls = post
            .media
            .iter()
            .enumerate()
            .map(|(i, p)| {
                p.handle.as_deref().ok_or_else(|| {
                    ConnectorError::Refused(tf("graph_media.not_uploaded", &[("n", &(i + 1))]))
                })
            })
            .collect::<Result<Vec<&str>>>()?;
        self.check_quota().await.map_err(not_published)?;
        let container = self.containers(post, &urls).await.map_err(not_published)?;
        self.wait_finished(&container)
            .await
            .map_err(not_published)?;
        let form = [("creation_id", container)];
        let v = self
            .call(
                Verb::Post,
                &format!("{}/media_publish", self.user),
                &[],
                &form,
                Retry::Never,
            )
            .await
            .map_err(|e| unread_answer("instagram: publish", e))?;
        let id = id_of(&v, "media_publish").map_err(|e| unread_answer("instagram: publish", e))?;
        if let Some(mut q) = self.quota_seen() {
            q.used += 1;
            self.keep_quota(q);
        }
        Ok(Sent {
            url: self.permalink(&id).await,
            native_id: id,
        })
    }

    /// The container to publish: one image's, or a carousel of one child per picture. A
    /// container nobody publishes is harmless, so these requests may be repeated.
    async fn containers(&self, post: &Outgoing, urls: &[&str]) -> Result<String> {
        let path = format!("{}/media", self.user);
        let image = |url: &str, alt: &str| {
            let mut form = vec![("image_url", url.to_string())];
            if !alt.trim().is_empty() {
                form.push(("alt_text", alt.trim().to_string()));
            }
            form
        };
        if let ([url], [pic]) = (urls, post.media.as_slice()) {
            let mut form = image(url, &pic.alt);
            form.push(("caption", post.text.clone()));
            let v = self
                .call(Verb::Post, &path, &[], &form, Retry::Safe)
                .await?;
            return id_of(&v, "media");
        }
        let mut children = Vec::new();
        for (url, pic) in urls.iter().zip(&post.media) {
            let mut form = image(url, &pic.alt);
            form.push(("is_carousel_item", "true".to_string()));
            let v = self
                .call(Verb::Post, &path, &[], &form, Retry::Safe)
                .await?;
            children.push(id_of(&v, "carousel item")?);
        }
        let form = [
            ("media_type", "CAROUSEL".to_string()),
            ("children", children.join(",")),
            ("caption", post.text.clone()),
        ];
        let v = self
            .call(Verb::Post, &path, &[], &form, Retry::Safe)
            .await?;
        id_of(&v, "carousel")
    }

    /// Waits until Instagram has fetched and processed the container's pictures. `ERROR` and
    /// `EXPIRED` are final; still processing after the last look is tried again later.
    async fn wait_finished(&self, container: &str) -> Result<()> {
        let (every, tries) = self.status_poll;
        let q = [("fields", "status_code,status".to_string())];
        for attempt in 0..tries {
            if attempt > 0 {
                tokio::time::sleep(every).await;
            }
            let v = self
                .call(Verb::Get, container, &q, &[], Retry::Safe)
                .await?;
            let code = v.get("status_code").and_then(Value::as_str).unwrap_or("");
            match code {
                "FINISHED" => return Ok(()),
                "ERROR" | "EXPIRED" => {
                    let detail = v.get("status").and_then(Value::as_str).unwrap_or("");
                    return Err(ConnectorError::Refused(tf(
                        "graph_media.ig_container",
                        &[("status", &code), ("detail", &detail)],
                    )));
                }
                _ => {}
            }
        }
        Err(ConnectorError::Unreachable(tf(
            "graph_media.ig_processing",
            &[("secs", &(every.as_secs() * u64::from(tries)))],
        )))
    }

    /// The post's address, when Instagram tells it (the post is out either way).
    async fn permalink(&self, id: &str) -> Option<String> {
        let q = [("fields", "permalink".to_string())];
        let v = self.call(Verb::Get, id, &q, &[], Retry::Safe).await.ok()?;
        v.get("permalink").and_then(Value::as_str).map(String::from)
    }

    /// After an unknown outcome: the account's latest posts with the same caption since `since`.
    pub(super) async fn find_post(&self, post: &Outgoing, since: Timestamp) -> Result<Lookup> {
        for m in &self.own_media("id,caption,timestamp,permalink", 25).await? {
            let same = m
                .get("caption")
                .and_then(Value::as_str)
                .unwrap_or("")
                .trim()
                == post.text.trim();
            let recent = m
                .get("timestamp")
                .and_then(Value::as_str)
                .and_then(time)
                .is_some_and(|t| t.0 >= since.0 - SKEW_MS);
            if let (true, true, Some(id)) = (same, recent, m.get("id").and_then(Value::as_str)) {
                return Ok(Lookup::Found(Sent {
                    native_id: id.to_string(),
                    url: m.get("permalink").and_then(Value::as_str).map(String::from),
                }));
            }
        }
        Ok(Lookup::Absent)
    }
}
