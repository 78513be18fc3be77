//! Pictures for posts on the engine's side: a file attached to a post is read, recognised from
//! its bytes, checked against every target network's limits and copied into `DATA_DIR/media/`
//! (named by its SHA-256) before the post is stored; at send time the copy is read back, uploaded
//! ahead of the post where the network wants that, and each upload's handle kept with the post.

use super::{Engine, EngineError};
use crate::connectors::{Connector, ConnectorError};
use crate::domain::media::{self, Attachment, NewMedia, Picture};
use crate::domain::post::{Post, PostId, Upload};
use crate::domain::Platform;
use crate::i18n::{ph, Phrase};
use crate::store::PostRefusal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

impl Engine {
    pub(crate) fn media_dir(&self) -> PathBuf {
        self.store.dir().join("media")
    }

    /// Reads, recognises and keeps a copy of each picture, checked against every target's
    /// network. Nothing is stored when any of them is refused.
    pub(super) fn attach(
        &self,
        media: &[NewMedia],
        platforms: &[(String, Platform)],
    ) -> Result<Vec<Attachment>, EngineError> {
        let mut out = Vec::new();
        let mut bytes_of = Vec::new();
        for m in media {
            let (a, bytes) = crate::media_file::read(m).map_err(EngineError::Invalid)?;
            out.push(a);
            bytes_of.push(bytes);
        }
        for (account, p) in platforms {
            media::check(*p, &out)
                .map_err(|e| EngineError::Invalid(e.phrase(account, *p, &out)))?;
        }
        let dir = self.media_dir();
        for (a, bytes) in out.iter().zip(&bytes_of) {
            keep(&dir, &a.file, bytes).map_err(|e| {
                EngineError::Invalid(ph(
                    "err.media_store",
                    &[("dir", &dir.display()), ("error", &e)],
                ))
            })?;
        }
        Ok(out)
    }

    /// The post's pictures as they go to `account`: bytes read back from the kept copies, with
    /// the handles of those already uploaded there.
    pub(super) fn pictures(&self, post: &Post, account: &str) -> Result<Vec<Picture>, Phrase> {
        let dir = self.media_dir();
        post.media
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let path = dir.join(&a.file);
                let bytes = std::fs::read(&path).map_err(|e| {
                    ph(
                        "err.media_gone",
                        &[("path", &path.display()), ("error", &e)],
                    )
                })?;
                Ok(Picture {
                    bytes: Arc::new(bytes),
                    kind: a.kind,
                    width: a.width,
                    height: a.height,
                    alt: a.alt.clone(),
                    name: format!("image{}.{}", i + 1, a.kind.ext()),
                    handle: post
                        .uploads
                        .iter()
                        .find(|u| u.account == account && u.index == i)
                        .map(|u| u.handle.clone()),
                })
            })
            .collect()
    }

    /// Uploads the pictures `account` still lacks, keeping each handle durably before the next.
    /// An upload nothing refers to is harmless, so any failure here is retried or refused as a
    /// whole, never "maybe sent".
    pub(super) async fn upload_missing(
        &self,
        id: PostId,
        account: &str,
        connector: &Arc<dyn Connector>,
    ) -> Result<(), UploadError> {
        let Ok(Some(post)) = self.store.post(id) else {
            return Ok(());
        };
        let pictures = self.pictures(&post, account).map_err(UploadError::Local)?;
        for (index, pic) in pictures.iter().enumerate() {
            if pic.handle.is_some() {
                continue;
            }
            let handle = connector.upload(pic).await.map_err(UploadError::Remote)?;
            let now = self.now();
            let detail = ph(
                "post.log_uploaded",
                &[("n", &(index + 1)), ("handle", &handle)],
            )
            .to_stored();
            let account_s = account.to_string();
            let kept = self.store.edit_post(
                id,
                None,
                None,
                &self.operator,
                now,
                Box::new(move |p: &mut Post| {
                    if p.target(&account_s).is_none() {
                        return Err(PostRefusal::NotFound);
                    }
                    p.uploads
                        .retain(|u| !(u.account == account_s && u.index == index));
                    p.uploads.push(Upload {
                        account: account_s.clone(),
                        index,
                        handle,
                    });
                    p.log(now, &account_s, "uploaded", &detail);
                    Ok(())
                }),
            );
            match kept {
                Ok(Ok(_)) => self.emit(super::api::Event::PostChanged(id)),
                Ok(Err(_)) => return Ok(()),
                Err(e) => return Err(UploadError::Local(e.phrase())),
            }
        }
        Ok(())
    }
}

/// Why pictures could not be uploaded.
pub(super) enum UploadError {
    /// The kept copy is gone or the store refused: a person must look.
    Local(Phrase),
    Remote(ConnectorError),
}

/// Writes the copy once (content-addressed: an existing file is the same picture), via a
/// temporary file so a crash never leaves half a picture under the final name.
fn keep(dir: &Path, file: &str, bytes: &[u8]) -> std::io::Result<()> {
    let path = dir.join(file);
    if path.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{file}.tmp"));
    std::fs::write(&tmp, bytes)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, &path)
}
