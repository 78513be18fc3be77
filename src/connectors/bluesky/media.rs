//! Bluesky pictures: each uploaded as a blob ahead of the post (`com.atproto.repo.uploadBlob`),
//! and the `app.bsky.embed.images` embed that puts them in the post with their alt texts and
//! shapes.

use super::Bluesky;
use crate::connectors::http::Retry;
use crate::connectors::{ConnectorError, Result};
use crate::domain::media::Picture;
use crate::i18n::tf;
use serde_json::{json, Value};

/// The embed's type; the lexicon allows up to four images in it.
const IMAGES: &str = "app.bsky.embed.images";

impl Bluesky {
    /// `uploadBlob` with the picture's bytes as the body: the blob object the PDS returns
    /// (`{"$type": "blob", "ref": {"$link": …}, "mimeType", "size"}`), which the post then names.
    /// A blob no record refers to is removed by the PDS, so repeating an upload is harmless.
    pub(super) async fn upload_blob(&self, p: &Picture) -> Result<Value> {
        let mime = p.kind.mime();
        let (resp, s) = self
            .xrpc(
                |c, host, bearer| {
                    c.post(format!("{host}/xrpc/com.atproto.repo.uploadBlob"))
                        .header("content-type", mime)
                        .header("authorization", bearer)
                        .timeout(self.http.upload_timeout(p.bytes.len()))
                        .body(p.bytes.to_vec())
                },
                Retry::Safe,
            )
            .await?;
        let resp = self.checked(resp, &s).map_err(|e| match e {
            ConnectorError::Refused(m) => ConnectorError::Refused(tf(
                "err.media_net.refused",
                &[("platform", &"Bluesky"), ("error", &m)],
            )),
            other => other,
        })?;
        let v: Value = resp.json()?;
        match v.get("blob") {
            Some(b) if b.is_object() => Ok(b.clone()),
            _ => Err(ConnectorError::Malformed(
                "bluesky: uploadBlob: the answer has no blob".into(),
            )),
        }
    }

    /// The handle kept with the post: the blob as compact JSON.
    pub(super) async fn upload_handle(&self, p: &Picture) -> Result<String> {
        let blob = self.upload_blob(p).await?;
        serde_json::to_string(&blob)
            .map_err(|e| ConnectorError::Malformed(format!("bluesky: blob: {e}")))
    }

    /// `{"$type": "app.bsky.embed.images", "images": [{image, alt, aspectRatio}…]}` in the
    /// pictures' order. `alt` is required by the lexicon (empty when there is none); the aspect
    /// ratio lets clients lay the post out before the image loads. A picture without a readable
    /// handle (the engine always uploads first) is uploaded here.
    pub(super) async fn images_embed(&self, pictures: &[Picture]) -> Result<Value> {
        let mut images = Vec::with_capacity(pictures.len());
        for p in pictures {
            let kept = p
                .handle
                .as_deref()
                .and_then(|h| serde_json::from_str::<Value>(h).ok())
                .filter(Value::is_object);
            let blob = match kept {
                Some(b) => b,
                None => self.upload_blob(p).await?,
            };
            images.push(json!({
                "image": blob,
                "alt": p.alt,
                "aspectRatio": {"width": p.width, "height": p.height},
            }));
        }
        Ok(json!({"$type": IMAGES, "images": images}))
    }
}
