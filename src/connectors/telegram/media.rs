//! Telegram posts with pictures: one photo (`sendPhoto`), one GIF (`sendAnimation`) or an album
//! of 2–10 photos (`sendMediaGroup`), the files in the request itself and the text as their
//! caption. Never retried once the request may have left, like every Telegram write.

use super::write::posted;
use super::Telegram;
use crate::connectors::http::Retry;
use crate::connectors::{unread_answer, ConnectorError, Outgoing, Result, Sent};
use crate::domain::media::{ImageType, MediaLimits, Picture};
use crate::domain::Platform;
use crate::i18n::tf;
use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};

/// Telegram's limits: how many pictures one message holds, and its caption's length in UTF-16
/// code units (the unit Telegram counts text in).
fn limits() -> (usize, usize) {
    let l = MediaLimits::of(Platform::Telegram);
    (
        l.map_or(10, |l| l.max_count),
        l.and_then(|l| l.caption_limit).unwrap_or(1024),
    )
}

/// One file part: the picture's bytes under kith's own name for it, with its type.
fn file(p: &Picture) -> Part {
    let part = || Part::bytes(p.bytes.to_vec()).file_name(p.name.clone());
    part().mime_str(p.kind.mime()).unwrap_or_else(|_| part())
}

/// Refuses, before any request, what Telegram would refuse: too many pictures, a caption over
/// its limit, a GIF in an album (albums take only photos and videos).
fn check(post: &Outgoing) -> Result<()> {
    let (max, caption) = limits();
    let count = post.media.len();
    if count > max {
        return Err(ConnectorError::Refused(tf(
            "telegram.media.too_many",
            &[("count", &count), ("max", &max)],
        )));
    }
    let units = post.text.encode_utf16().count();
    if units > caption {
        return Err(ConnectorError::Refused(tf(
            "telegram.media.caption",
            &[("count", &units), ("max", &caption)],
        )));
    }
    if count > 1 {
        if let Some(i) = post.media.iter().position(|p| p.kind == ImageType::Gif) {
            return Err(ConnectorError::Refused(tf(
                "telegram.media.gif_in_album",
                &[("n", &(i + 1)), ("count", &count)],
            )));
        }
    }
    Ok(())
}

impl Telegram {
    /// Publishes `post` with its pictures to `chat`; `reply` places a thread part.
    pub(super) async fn publish_pictures(
        &self,
        chat: i64,
        post: &Outgoing,
        reply: Option<Value>,
    ) -> Result<Sent> {
        check(post)?;
        let caption = (!post.text.trim().is_empty()).then(|| post.text.clone());
        let reply = reply.map(|r| r.to_string());
        let base = || {
            let f = Form::new().text("chat_id", chat.to_string());
            match &reply {
                Some(r) => f.text("reply_parameters", r.clone()),
                None => f,
            }
        };
        if let [one] = post.media.as_slice() {
            let (method, field) = match one.kind {
                ImageType::Gif => ("sendAnimation", "animation"),
                _ => ("sendPhoto", "photo"),
            };
            let form = || {
                let f = base().part(field, file(one));
                match &caption {
                    Some(c) => f.text("caption", c.clone()),
                    None => f,
                }
            };
            // Never retried: Telegram cannot deduplicate, and a timeout may mean it was sent.
            let sent = self
                .call_form(method, form, one.bytes.len(), Retry::Never)
                .await
                .map_err(|e| unread_answer(&format!("telegram: {method}"), e))?;
            return posted(chat, method, &sent);
        }
        // The caption goes on the first photo: Telegram shows it under the whole album.
        let media: Vec<Value> = (0..post.media.len())
            .map(|i| {
                let mut m = json!({"type": "photo", "media": format!("attach://p{i}")});
                if let (0, Some(c)) = (i, &caption) {
                    m["caption"] = json!(c);
                }
                m
            })
            .collect();
        let media = Value::Array(media).to_string();
        let form = || {
            post.media
                .iter()
                .enumerate()
                .fold(base().text("media", media.clone()), |f, (i, p)| {
                    f.part(format!("p{i}"), file(p))
                })
        };
        let sent = self
            .call_form(
                "sendMediaGroup",
                form,
                post.media.iter().map(|p| p.bytes.len()).sum(),
                Retry::Never,
            )
            .await
            .map_err(|e| unread_answer("telegram: sendMediaGroup", e))?;
        // The album's messages, in order: the first one stands for the post.
        let Some(first) = sent.get(0) else {
            return Err(ConnectorError::Network(
                "telegram: sendMediaGroup: answered without messages; the post may have been \
                 published"
                    .into(),
            ));
        };
        posted(chat, "sendMediaGroup", first)
    }
}
