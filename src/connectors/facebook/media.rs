//! Facebook pictures: each one goes up ahead of the post as an unpublished Page photo (its id is
//! the handle), and the feed post then names them in order with `attached_media`.

use super::Facebook;
use crate::connectors::{ConnectorError, Outgoing, Result};
use crate::domain::media::Picture;
use serde_json::json;

impl Facebook {
    /// `POST /{page-id}/photos` with `published=false`: the photo stays off the Page's feed
    /// until the post that names it goes out. Its alt text goes with it (`alt_text_custom`).
    pub(super) async fn upload_photo(&self, picture: &Picture) -> Result<String> {
        self.graph
            .unpublished_photo(&self.page, picture, true)
            .await
    }
}

/// The `attached_media[i]` fields of a feed post, one per uploaded picture, in the post's order.
pub(super) fn attached(post: &Outgoing) -> Result<Vec<(String, String)>> {
    post.media
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let id = p.handle.as_deref().ok_or_else(|| {
                ConnectorError::Refused(crate::i18n::tf(
                    "graph_media.not_uploaded",
                    &[("n", &(i + 1))],
                ))
            })?;
            Ok((
                format!("attached_media[{i}]"),
                json!({ "media_fbid": id }).to_string(),
            ))
        })
        .collect()
}
