//! VK pictures: each one uploaded ahead of the post (`photos.getWallUploadServer`, the file to
//! the upload server, `photos.saveWallPhoto`) and named by its handle `photo{owner}_{id}`, which
//! `wall.post` then lists in `attachments`; and the photos an existing post carries, so editing
//! or looking for it keeps them in view.

use super::{As, Vk};
use crate::connectors::http::Retry;
use crate::connectors::{ConnectorError, Result};
use crate::domain::media::Picture;
use crate::i18n::tf;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

/// One file part: the picture's bytes under kith's own name for it, with its type.
fn file(p: &Picture) -> Part {
    let part = || Part::bytes(p.bytes.to_vec()).file_name(p.name.clone());
    part().mime_str(p.kind.mime()).unwrap_or_else(|_| part())
}

/// A number VK may send as a number or as a string.
fn number(v: Option<&Value>) -> Option<i64> {
    let v = v?;
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

/// What the upload server answered: `{server, photo, hash}` to hand to `photos.saveWallPhoto`.
/// It answers a file it could not take with an empty `photo` (`"[]"`), or with `error`.
fn uploaded(body: &[u8], name: &str) -> Result<(String, String, String)> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        ConnectorError::Malformed(format!("vk: the upload server's answer is not JSON: {e}"))
    })?;
    if let Some(err) = v.get("error") {
        let why = match err {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        return Err(ConnectorError::Refused(tf(
            "vk.media.upload_error",
            &[("name", &name), ("error", &why)],
        )));
    }
    let photo = v.get("photo").and_then(Value::as_str).unwrap_or_default();
    let empty = serde_json::from_str::<Value>(photo)
        .map(|p| p.as_array().is_some_and(Vec::is_empty))
        .unwrap_or(photo.trim().is_empty());
    if empty {
        return Err(ConnectorError::Refused(tf(
            "vk.media.upload_empty",
            &[("name", &name)],
        )));
    }
    let server = number(v.get("server"));
    let hash = v
        .get("hash")
        .and_then(Value::as_str)
        .filter(|h| !h.is_empty());
    match (server, hash) {
        (Some(server), Some(hash)) => Ok((server.to_string(), photo.to_string(), hash.to_string())),
        _ => Err(ConnectorError::Malformed(
            "vk: the upload server's answer has no server or hash".into(),
        )),
    }
}

/// A saved photo's handle, as `attachments` names it.
fn handle(photo: &Value) -> Option<String> {
    let owner = number(photo.get("owner_id"))?;
    let id = number(photo.get("id"))?;
    Some(format!("photo{owner}_{id}"))
}

/// The photos a wall post (as `wall.get` or `wall.getById` list it) carries, in order.
pub(super) fn photos_of(post: &Value) -> Vec<String> {
    post.get("attachments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|a| a.get("type").and_then(Value::as_str) == Some("photo"))
        .filter_map(|a| handle(a.get("photo")?))
        .collect()
}

/// The handles of a post's pictures, in order; every one must have been uploaded first.
pub(super) fn attachments(pictures: &[Picture]) -> Result<Vec<String>> {
    pictures
        .iter()
        .enumerate()
        .map(|(i, p)| {
            p.handle.clone().ok_or_else(|| {
                ConnectorError::Refused(tf("vk.media.not_uploaded", &[("n", &(i + 1))]))
            })
        })
        .collect()
}

impl Vk {
    /// Uploads one picture for the community's wall and returns its handle. Needs the user
    /// token: VK gives upload servers for walls only to people.
    pub(super) async fn upload_photo(&self, pic: &Picture) -> Result<String> {
        let group = self.group.to_string();
        // Repeating any step is harmless: a photo nothing refers to is never shown.
        let server = self
            .call(
                "photos.getWallUploadServer",
                &[("group_id", group.clone())],
                As::User,
                Retry::Safe,
            )
            .await?;
        let url = server
            .get("upload_url")
            .and_then(Value::as_str)
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            .ok_or_else(|| {
                ConnectorError::Malformed("vk photos.getWallUploadServer: no upload_url".into())
            })?
            .to_string();
        let resp = self
            .http
            .send(
                |c| {
                    c.post(url.as_str())
                        .timeout(self.http.upload_timeout(pic.bytes.len()))
                        .multipart(Form::new().part("photo", file(pic)))
                },
                Retry::Safe,
            )
            .await?
            .check()
            .map_err(|e| match e {
                ConnectorError::Refused(m) | ConnectorError::Auth(m) => {
                    ConnectorError::Refused(self.http.redact(&format!("vk upload: {m}")))
                }
                other => other,
            })?;
        let (server, photo, hash) = uploaded(&resp.body, &pic.name)?;
        let saved = self
            .call(
                "photos.saveWallPhoto",
                &[
                    ("group_id", group),
                    ("server", server),
                    ("photo", photo),
                    ("hash", hash),
                ],
                As::User,
                Retry::Safe,
            )
            .await?;
        saved.get(0).and_then(handle).ok_or_else(|| {
            ConnectorError::Malformed("vk photos.saveWallPhoto: no photo in the answer".into())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_upload_answer_without_a_photo_is_refused_never_saved() {
        crate::i18n::init(crate::i18n::Lang::En);
        let ok = br#"{"server":815,"photo":"[{\"photo\":\"a1\"}]","hash":"h9"}"#;
        assert_eq!(
            uploaded(ok, "image1.png"),
            Ok((
                "815".to_string(),
                r#"[{"photo":"a1"}]"#.to_string(),
                "h9".to_string()
            ))
        );
        for empty in [
            br#"{"server":815,"photo":"[]","hash":"h9"}"#.as_slice(),
            br#"{"server":815,"photo":"","hash":"h9"}"#,
            br#"{"server":815,"hash":"h9"}"#,
        ] {
            assert!(
                matches!(uploaded(empty, "image1.png"), Err(ConnectorError::Refused(m)) if m.contains("image1.png")),
                "{}",
                String::from_utf8_lossy(empty)
            );
        }
        assert!(matches!(
            uploaded(br#"{"error":"ERR_UPLOAD_BAD_IMAGE_SIZE"}"#, "x.png"),
            Err(ConnectorError::Refused(m)) if m.contains("ERR_UPLOAD_BAD_IMAGE_SIZE")
        ));
        assert!(matches!(
            uploaded(b"<html>", "x.png"),
            Err(ConnectorError::Malformed(_))
        ));
    }

    #[test]
    fn a_posts_photos_are_read_in_order_and_links_skipped() {
        let post = json!({"attachments": [
            {"type": "photo", "photo": {"id": 457239017, "owner_id": -218765432}},
            {"type": "link", "link": {"url": "https://lumo.example"}},
            {"type": "photo", "photo": {"id": "457239018", "owner_id": -218765432}},
        ]});
        assert_eq!(
            photos_of(&post),
            ["photo-218765432_457239017", "photo-218765432_457239018"]
        );
        assert!(photos_of(&json!({"text": "x"})).is_empty());
    }
}
