//! Mastodon writes and the search for earlier ones: replies, published and natively scheduled
//! posts, moving or dropping a scheduled post, and `lookup` of an attempt whose outcome is unknown.

use super::parse::{de_id, parse_links, short, IdOnly, MStatus};
use super::{enc, html, json_id, media, status_id, Mastodon, SCHEDULED_PREFIX};
use crate::connectors::http::Retry;
use crate::connectors::{
    json_scan, refuse_empty, unread_answer, ConnectorError, Lookup, Outgoing, Result, Sent,
};
use crate::domain::{Item, Kind, Timestamp};
use serde::Deserialize;

/// `lookup`: the account's own statuses read per page, and at most this many pages back.
const LOOKUP_PAGE: usize = 40;
const LOOKUP_PAGES: u32 = 5;
/// `lookup`: pages of scheduled statuses read at most (Mastodon keeps at most 300 pending).
const SCHEDULED_PAGES: u32 = 8;
/// `lookup`: how far the server's clock may be behind ours. Statuses this much older than `since`
/// still count as candidates, and the search only ends past `since` minus this margin.
const CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;
/// `lookup`: a scheduled status matches when its time is this close to the one asked for.
const SCHEDULE_SLACK_MS: i64 = 60 * 1000;

/// Does `text` already contain `@acct` as a whole handle (case-insensitive)?
fn mentions(text: &str, acct: &str) -> bool {
    let needle = format!("@{}", acct.trim_start_matches('@')).to_lowercase();
    let hay = text.to_lowercase();
    let mut from = 0;
    while let Some(pos) = hay[from..].find(&needle) {
        let start = from + pos;
        let end = start + needle.len();
        let before_ok = hay[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '@'));
        let after_ok = hay[end..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '@'));
        // "@lea.example" continues a domain; "@lea." ends a sentence.
        let after_dot = hay[end..]
            .strip_prefix('.')
            .is_some_and(|r| r.chars().next().is_some_and(|c| c.is_alphanumeric()));
        if before_ok && after_ok && !after_dot {
            return true;
        }
        from = end;
    }
    false
}

impl Mastodon {
    /// A reply is never more public than the post it answers: answering a followers-only post
    /// in public would show a private conversation to everyone.
    async fn reply_visibility(&self, id: &str) -> Result<&'static str> {
        let url = self.url(&format!("/api/v1/statuses/{id}"));
        let resp = self
            .http
            .send(|c| c.get(&url).bearer_auth(&self.token), Retry::Safe)
            .await?;
        let resp = self.checked(resp)?;
        let v: serde_json::Value = resp.json()?;
        Ok(match v["visibility"].as_str() {
            Some("direct") => "direct",
            Some("private") => "private",
            Some("unlisted") => "unlisted",
            _ => "public",
        })
    }

    /// Posts a status. Safe to retry: the server remembers `Idempotency-Key` for an hour and
    /// returns the first status instead of posting twice.
    async fn post_status(
        &self,
        body: &serde_json::Value,
        key: &str,
    ) -> Result<crate::connectors::http::Response> {
        let url = self.url("/api/v1/statuses");
        let resp = self
            .http
            .send(
                |c| {
                    c.post(&url)
                        .bearer_auth(&self.token)
                        .header("Idempotency-Key", key)
                        .json(body)
                },
                Retry::Safe,
            )
            .await?;
        self.checked(resp)
    }

    pub(super) async fn send_reply(&self, item: &Item, text: &str, key: &str) -> Result<Sent> {
        let Some(id) = status_id(item) else {
            return Err(ConnectorError::Unsupported(
                "this is a notification (favourite, boost or follow), not a post to reply to"
                    .into(),
            ));
        };
        let mut status = text.to_string();
        let is_us = self.me.get().is_some_and(|me| *me == item.author.id);
        if let Some(acct) = item.author.handle.as_deref().filter(|a| !a.is_empty()) {
            // Mastodon only notifies people mentioned in the text, as its own clients do.
            if !is_us && !mentions(text, acct) {
                status = format!("@{} {text}", acct.trim_start_matches('@'));
            }
        }
        let visibility = if item.kind == Kind::Dm {
            "direct"
        } else {
            self.reply_visibility(id).await?
        };
        let body = serde_json::json!({
            "status": status,
            "in_reply_to_id": id,
            "visibility": visibility,
        });
        let resp = self.post_status(&body, key).await?;
        #[derive(Deserialize)]
        struct Created {
            #[serde(deserialize_with = "de_id")]
            id: String,
            #[serde(default)]
            url: Option<String>,
            #[serde(default)]
            uri: Option<String>,
        }
        let c: Created = resp.json()?;
        Ok(Sent {
            native_id: c.id,
            url: c.url.or(c.uri),
        })
    }

    /// `POST /api/v1/statuses` for the outbox: public, threaded with `in_reply_to_id`, natively
    /// scheduled with `scheduled_at`. The `Idempotency-Key` makes every retry (ours on a 5xx or a
    /// timeout, or the scheduler's after a crash, within the hour the server remembers keys)
    /// return the first status instead of posting twice.
    pub(super) async fn send_post(&self, post: &Outgoing) -> Result<Sent> {
        // Pictures may go without words: Mastodon takes an empty status with media.
        if post.media.is_empty() {
            refuse_empty(&post.text)?;
        }
        let mut body = serde_json::json!({
            "status": post.text,
            "visibility": "public",
        });
        if let Some(prev) = &post.reply_to {
            if prev.native_id.starts_with(SCHEDULED_PREFIX) {
                return Err(ConnectorError::Unsupported(
                    "Mastodon cannot thread a post under one that is still scheduled; publish \
                     the thread at once or schedule it in kith instead"
                        .into(),
                ));
            }
            body["in_reply_to_id"] = serde_json::json!(prev.native_id);
        }
        if let Some(at) = post.native_at {
            body["scheduled_at"] = serde_json::json!(at.to_rfc3339());
        }
        if !post.media.is_empty() {
            body["media_ids"] = serde_json::json!(self.media_ids(&post.media).await?);
        }
        let resp = self
            .post_status(&body, post.idempotency_key.as_str())
            .await?;
        let v: serde_json::Value = resp
            .json()
            .map_err(|e| unread_answer("mastodon: publish", e))?;
        parse_created(&v).ok_or_else(|| {
            ConnectorError::Network(
                "mastodon: publish: the server answered without a status id; the post may have \
                 been published"
                    .into(),
            )
        })
    }

    /// Finds an earlier attempt of `post`: among the scheduled statuses when it was natively
    /// scheduled, then among the account's own statuses back to `since`.
    pub(super) async fn find_post(&self, post: &Outgoing, since: Timestamp) -> Result<Lookup> {
        let want = Want {
            text: comparable(&post.text),
            media: media::handles(&post.media),
        };
        if want.text.is_empty() && want.media.is_none() {
            // Pictures without words, but not which pictures: any such status would match.
            return Ok(Lookup::Unknowable);
        }
        let want = &want;
        let reply_to = post.reply_to.as_ref().map(|s| s.native_id.as_str());
        let mut scheduled_unsure = false;
        if let Some(at) = post.native_at {
            match self.find_scheduled(want, reply_to, at).await? {
                Lookup::Found(s) => return Ok(Lookup::Found(s)),
                Lookup::Absent => {}
                Lookup::Unknowable => scheduled_unsure = true,
            }
        }
        let found = self.find_status(want, reply_to, since).await?;
        Ok(match found {
            Lookup::Absent if scheduled_unsure => Lookup::Unknowable,
            other => other,
        })
    }

    /// `GET /api/v1/accounts/:me/statuses`, newest first, paged with `max_id` until the statuses
    /// are older than `since` (minus the clock margin), at most `LOOKUP_PAGES` pages.
    async fn find_status(
        &self,
        want: &Want,
        reply_to: Option<&str>,
        since: Timestamp,
    ) -> Result<Lookup> {
        let me = self.my_id(None).await?;
        let path = format!("/api/v1/accounts/{}/statuses", enc(&me));
        let floor = since.0.saturating_sub(CLOCK_SKEW_MS);
        // A status we could not read might have been the one: then "absent" is not certain.
        let mut unreadable = false;
        let mut max_id: Option<String> = None;
        for _ in 0..LOOKUP_PAGES {
            let mut query = vec![
                ("limit", LOOKUP_PAGE.to_string()),
                ("exclude_reblogs", "true".to_string()),
            ];
            if let Some(m) = &max_id {
                query.push(("max_id", m.clone()));
            }
            let resp = self.get(&path, &query).await?;
            let elems = json_scan::split_array(&resp.body).map_err(|e| {
                ConnectorError::Malformed(format!("statuses: not a JSON array: {}", e.0))
            })?;
            if elems.is_empty() {
                // The start of the account's history: nothing older exists.
                return Ok(if unreadable {
                    Lookup::Unknowable
                } else {
                    Lookup::Absent
                });
            }
            let mut reached_floor = false;
            for raw in &elems {
                let s = match serde_json::from_slice::<MStatus>(raw) {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!(reason = %short(&e), "mastodon: lookup: status unreadable");
                        unreadable = true;
                        continue;
                    }
                };
                let Some(at) = Timestamp::parse(&s.created_at) else {
                    unreadable = true;
                    continue;
                };
                if at.0 < floor {
                    reached_floor = true;
                    continue;
                }
                let text = html::to_text(s.content.as_deref().unwrap_or_default());
                if s.in_reply_to_id.as_deref() == reply_to && want.is(&text, &s.media_attachments) {
                    return Ok(Lookup::Found(Sent {
                        native_id: s.id,
                        url: s.url.or(s.uri),
                    }));
                }
            }
            if reached_floor {
                return Ok(if unreadable {
                    Lookup::Unknowable
                } else {
                    Lookup::Absent
                });
            }
            let links = parse_links(resp.header("link"));
            let last = elems
                .last()
                .and_then(|e| serde_json::from_slice::<IdOnly>(e).ok())
                .map(|x| x.id);
            let next = links.next_max.or(last);
            if next.is_none() || next == max_id {
                // No way further back (or a server ignoring max_id): cannot say it is not there.
                break;
            }
            max_id = next;
        }
        Ok(Lookup::Unknowable)
    }

    /// `GET /api/v1/scheduled_statuses`: the post held for `at` with the same text and parent.
    async fn find_scheduled(
        &self,
        want: &Want,
        reply_to: Option<&str>,
        at: Timestamp,
    ) -> Result<Lookup> {
        let mut max_id: Option<String> = None;
        for _ in 0..SCHEDULED_PAGES {
            let mut query = vec![("limit", LOOKUP_PAGE.to_string())];
            if let Some(m) = &max_id {
                query.push(("max_id", m.clone()));
            }
            let resp = self.get("/api/v1/scheduled_statuses", &query).await?;
            let list: Vec<serde_json::Value> = resp.json()?;
            for v in &list {
                let Some(id) = json_id(&v["id"]) else {
                    continue;
                };
                let when = v["scheduled_at"].as_str().and_then(Timestamp::parse);
                let parent = json_id(&v["params"]["in_reply_to_id"]);
                let text = v["params"]["text"].as_str().unwrap_or_default();
                if when.is_some_and(|w| (w.0 - at.0).abs() <= SCHEDULE_SLACK_MS)
                    && parent.as_deref() == reply_to
                    && want.is(text, scheduled_media(v))
                {
                    return Ok(Lookup::Found(Sent {
                        native_id: format!("{SCHEDULED_PREFIX}{id}"),
                        url: None,
                    }));
                }
            }
            let next = parse_links(resp.header("link"))
                .next_max
                .or_else(|| list.last().and_then(|v| json_id(&v["id"])));
            if list.len() < LOOKUP_PAGE || next.is_none() || next == max_id {
                return Ok(Lookup::Absent);
            }
            max_id = next;
        }
        Ok(Lookup::Unknowable)
    }

    /// `PUT /api/v1/scheduled_statuses/:id` with a new `scheduled_at`, or `DELETE` it. Both are
    /// idempotent, so retrying is safe. A 404 means it was published or removed meanwhile.
    pub(super) async fn move_scheduled(
        &self,
        remote_id: &str,
        at: Option<Timestamp>,
    ) -> Result<()> {
        let id = remote_id.strip_prefix("scheduled:").unwrap_or(remote_id);
        let url = self.url(&format!("/api/v1/scheduled_statuses/{}", enc(id)));
        let resp = match at {
            Some(t) => {
                let body = serde_json::json!({ "scheduled_at": t.to_rfc3339() });
                self.http
                    .send(
                        |c| c.put(&url).bearer_auth(&self.token).json(&body),
                        Retry::Safe,
                    )
                    .await?
            }
            None => {
                self.http
                    .send(|c| c.delete(&url).bearer_auth(&self.token), Retry::Safe)
                    .await?
            }
        };
        if resp.status == 404 {
            return Err(ConnectorError::Refused(
                "the scheduled post is no longer on the server (published or deleted)".into(),
            ));
        }
        self.checked(resp).map(|_| ())
    }
}

/// What `lookup` recognises a post by: its text in `comparable` form, or the ids of its
/// pictures (each upload has its own id, and one attaches to one status only, so they name the
/// status even when the text is empty or shown differently).
struct Want {
    text: String,
    media: Option<Vec<String>>,
}

impl Want {
    /// `text` as listed (plain text), `media` the status's attachments or media ids.
    fn is(&self, text: &str, media: &serde_json::Value) -> bool {
        match &self.media {
            Some(ids) => media::attached(media) == *ids,
            None => comparable(text) == self.text,
        }
    }
}

/// A scheduled status's pictures: `params.media_ids`, else its `media_attachments`.
fn scheduled_media(v: &serde_json::Value) -> &serde_json::Value {
    match &v["params"]["media_ids"] {
        ids @ serde_json::Value::Array(_) => ids,
        _ => &v["media_attachments"],
    }
}

/// What `POST /api/v1/statuses` created: a Status (`id`, `url`), or a ScheduledStatus (`id`,
/// `scheduled_at`, `params`) when `scheduled_at` was given.
fn parse_created(v: &serde_json::Value) -> Option<Sent> {
    let id = json_id(&v["id"])?;
    if v.get("params").is_some_and(|p| p.is_object()) && v.get("scheduled_at").is_some() {
        return Some(Sent {
            native_id: format!("{SCHEDULED_PREFIX}{id}"),
            url: None,
        });
    }
    let url = v["url"]
        .as_str()
        .or(v["uri"].as_str())
        .filter(|u| !u.is_empty())
        .map(String::from);
    Some(Sent { native_id: id, url })
}

/// A post's text in the form compared by `lookup`: NFC, whitespace collapsed and trimmed, and
/// remote mentions `@user@domain` shortened to `@user`, as Mastodon shows them in a status's
/// HTML (the plain source text is not in the listing).
fn comparable(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let collapsed = text
        .nfc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut out = String::with_capacity(collapsed.len());
    let mut rest = collapsed.as_str();
    while let Some(at) = rest.find('@') {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let boundary = out
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '@'));
        let tail = &from[1..];
        let user_len = tail
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let domain = tail[user_len..].strip_prefix('@').map(|d| {
            let len = d
                .find(|c: char| !(c.is_alphanumeric() || c == '.' || c == '-'))
                .unwrap_or(d.len());
            let dom = d[..len].trim_end_matches('.');
            (dom, dom.len())
        });
        match domain {
            Some((dom, dom_len)) if boundary && user_len > 0 && dom.contains('.') => {
                out.push('@');
                out.push_str(&tail[..user_len]);
                rest = &tail[user_len + 1 + dom_len..];
            }
            _ => {
                out.push('@');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mention_detection_respects_handle_boundaries() {
        assert!(mentions("@lea@a.example merci", "lea@a.example"));
        assert!(mentions("Merci @Lea@A.example.", "lea@a.example"));
        assert!(!mentions("@lea merci", "lea@a.example"));
        assert!(!mentions("@leah hi", "lea"));
        assert!(!mentions("@lea.example hi", "lea"));
        assert!(mentions("hi @lea, thanks", "lea"));
        assert!(!mentions("mail x@lea", "lea"));
    }

    #[test]
    fn comparable_text_matches_what_mastodon_renders() {
        assert_eq!(comparable("  Hello\n\n  world \t!  "), "Hello world !");
        assert_eq!(
            comparable("Merci @lea@social.example.fr, à bientôt"),
            "Merci @lea, à bientôt"
        );
        assert_eq!(comparable("@lea@social.example.fr."), "@lea.");
        assert_eq!(comparable("mail x@a.example ok"), "mail x@a.example ok");
        assert_eq!(comparable("@lea@localhost hi"), "@lea@localhost hi");
        assert_eq!(comparable("@@ @"), "@@ @");
        // NFC: a precomposed and a combining "é" compare equal.
        assert_eq!(comparable("caf\u{e9}"), comparable("cafe\u{301}"));
        let html = "<p>Merci <span class=\"h-card\"><a href=\"https://social.example.fr/@lea\" class=\"u-url mention\">@<span>lea</span></a></span></p><p>Suite</p>";
        assert_eq!(
            comparable(&html::to_text(html)),
            comparable("Merci @lea@social.example.fr\n\nSuite")
        );
    }

    #[test]
    fn created_status_or_scheduled_status() {
        let s = serde_json::json!({"id": "109", "url": "https://m.example/@shop/109"});
        assert_eq!(
            parse_created(&s),
            Some(Sent {
                native_id: "109".into(),
                url: Some("https://m.example/@shop/109".into())
            })
        );
        let sch = serde_json::json!({"id": 7, "scheduled_at": "2030-01-01T00:00:00.000Z",
            "params": {"text": "x"}, "media_attachments": []});
        assert_eq!(
            parse_created(&sch),
            Some(Sent {
                native_id: "scheduled:7".into(),
                url: None
            })
        );
        assert_eq!(parse_created(&serde_json::json!({"url": "x"})), None);
    }
}
