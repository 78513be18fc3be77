//! YouTube replies (`comments.insert`). YouTube has no idempotency key, so an insert is never
//! repeated blindly: when its outcome is unknown (a timeout, a 5xx) the thread's replies are
//! listed first, and our channel's reply with the same text counts as the one we sent.

use super::{quota, Unsure, Youtube};
use crate::connectors::http::Retry;
use crate::connectors::{refuse_empty, ConnectorError, Result, Sent};
use crate::domain::{Item, Timestamp};
use serde::Deserialize;

/// YouTube refuses longer comments (`commentTextTooLong`); refused before any request.
pub(super) const MAX_CHARS: usize = 10_000;
/// How far YouTube's clock may be behind ours when matching a reply to an attempt.
const CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;
/// Pages of a thread's replies looked through for an earlier attempt.
const LOOK_PAGES: u32 = 20;

/// Only a reply's identity and what identifies it as ours.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Mine {
    #[serde(default)]
    text_original: Option<String>,
    #[serde(default)]
    author_channel_id: Option<serde_json::Value>,
    #[serde(default)]
    published_at: Option<String>,
    #[serde(default)]
    video_id: Option<String>,
}

#[derive(Deserialize)]
struct Created {
    id: String,
    snippet: Mine,
}

/// Texts compared as YouTube keeps them (it trims and normalises line ends).
fn same(a: &str, b: &str) -> bool {
    a.replace("\r\n", "\n").trim() == b.replace("\r\n", "\n").trim()
}

fn sent(c: Created, video: Option<&str>) -> Sent {
    let video = c.snippet.video_id.as_deref().or(video);
    Sent {
        url: video.map(|v| format!("https://www.youtube.com/watch?v={v}&lc={}", c.id)),
        native_id: c.id,
    }
}

impl Youtube {
    pub(super) async fn send_reply(&self, item: &Item, text: &str, key: &str) -> Result<Sent> {
        refuse_empty(text)?;
        let n = text.chars().count();
        if n > MAX_CHARS {
            return Err(ConnectorError::Refused(format!(
                "youtube: the reply has {n} characters; YouTube takes at most {MAX_CHARS}"
            )));
        }
        // Replies go under the top-level comment: YouTube threads are one level deep.
        let parent = super::top_level(item);
        let video = item.post_native_id.as_deref();
        let earlier = self
            .unsure
            .lock()
            .ok()
            .and_then(|u| u.get(key).cloned())
            .filter(|u| u.parent == parent && same(&u.text, text));
        // An earlier attempt may have gone out, in this run (remembered) or before a restart
        // (the engine sends a reply again with its key): always look before sending. A list
        // costs 1 unit against an insert's 50, and YouTube has nothing else against doubles.
        let since = earlier.map(|u| u.since).unwrap_or_else(Timestamp::now);
        if let Some(s) = self.find_reply(&parent, text, since, video).await? {
            self.settled(key);
            return Ok(s);
        }
        let mut tries = 0;
        loop {
            tries += 1;
            match self.insert(&parent, text, video).await {
                Ok(s) => {
                    self.settled(key);
                    return Ok(s);
                }
                // Nothing left this machine: sending again cannot double it.
                Err(ConnectorError::Unreachable(e)) if tries < 2 => {
                    tracing::debug!("youtube: reply not sent, trying again: {e}")
                }
                Err(e @ ConnectorError::Network(_)) => {
                    self.unsure(key, &parent, text, since);
                    if let Some(s) = self.find_reply(&parent, text, since, video).await? {
                        self.settled(key);
                        return Ok(s);
                    }
                    if tries >= 2 {
                        return Err(e);
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn insert(&self, parent: &str, text: &str, video: Option<&str>) -> Result<Sent> {
        let body = serde_json::json!({"snippet": {"parentId": parent, "textOriginal": text}});
        let resp = self
            .call(
                reqwest::Method::POST,
                "comments",
                &[("part", "snippet".to_string())],
                Some(&body),
                Retry::Never,
                quota::WRITE,
            )
            .await?;
        let c: Created = resp.json().map_err(|e| {
            ConnectorError::Network(format!(
                "youtube: the reply was answered but the answer could not be read ({e}); it may \
                 have been published"
            ))
        })?;
        Ok(sent(c, video))
    }

    /// Our channel's reply in `parent` with this text, published since `since` (less the
    /// clock margin).
    async fn find_reply(
        &self,
        parent: &str,
        text: &str,
        since: Timestamp,
        video: Option<&str>,
    ) -> Result<Option<Sent>> {
        let me = self.my_channel().await?;
        let mut token: Option<String> = None;
        for _ in 0..LOOK_PAGES {
            let mut q = vec![
                ("part", "snippet".to_string()),
                ("parentId", parent.to_string()),
                ("maxResults", "100".to_string()),
                ("textFormat", "plainText".to_string()),
            ];
            if let Some(t) = &token {
                q.push(("pageToken", t.clone()));
            }
            let resp = self.get("comments", &q).await?;
            let (elems, next) = super::parse::list(&resp.body, "comments")?;
            for raw in &elems {
                let Ok(c) = serde_json::from_slice::<Created>(raw) else {
                    continue;
                };
                let s = &c.snippet;
                let ours = s
                    .author_channel_id
                    .as_ref()
                    .and_then(|a| a["value"].as_str())
                    == Some(me.as_str());
                let recent = s
                    .published_at
                    .as_deref()
                    .and_then(Timestamp::parse)
                    .is_some_and(|t| t.0 >= since.0 - CLOCK_SKEW_MS);
                let text_ok = s.text_original.as_deref().is_some_and(|t| same(t, text));
                if ours && recent && text_ok {
                    return Ok(Some(sent(c, video)));
                }
            }
            match next {
                Some(n) if token.as_ref() != Some(&n) => token = Some(n),
                _ => break,
            }
        }
        Ok(None)
    }

    fn unsure(&self, key: &str, parent: &str, text: &str, since: Timestamp) {
        if let Ok(mut u) = self.unsure.lock() {
            u.insert(
                key.to_string(),
                Unsure {
                    parent: parent.to_string(),
                    text: text.to_string(),
                    since,
                },
            );
        }
    }

    fn settled(&self, key: &str) {
        if let Ok(mut u) = self.unsure.lock() {
            u.remove(key);
        }
    }
}
