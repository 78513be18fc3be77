//! Pictures for posts on the engine's side: a file attached to a post is read, recognised from
//! its bytes, checked against every target network's limits and copied into `DATA_DIR/media/`
//! (named by its SHA-256) before the post is stored; at send time the copy is read back, uploaded
//! ahead of the post where the network wants that, and each upload's handle kept with the post.

use super::{Engine, EngineError};
use crate::connectors::{Connector, ConnectorError};
use crate::domain::media::{self, Attachment, MediaProblem, NewMedia, Picture};
use crate::domain::post::{Post, PostId, Upload};
use crate::domain::Platform;
use crate::i18n::{ph, Phrase};
use crate::store::PostRefusal;
use sha2::Digest;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// No network takes a picture larger than this (VK's 50 MB); bigger files are not even read.
const LARGEST: u64 = 50 * 1024 * 1024;

fn shown(path: &str) -> String {
    crate::text::sanitize_line(path, 120).text
}

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
            let (a, bytes) = read_picture(m)?;
            out.push(a);
            bytes_of.push(bytes);
        }
        for (account, p) in platforms {
            media::check(*p, &out).map_err(|e| problem(account, *p, &out, e))?;
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

/// Reads one file: a regular file, no larger than any network takes, recognised from its bytes.
fn read_picture(m: &NewMedia) -> Result<(Attachment, Vec<u8>), EngineError> {
    let path = Path::new(&m.path);
    let bad = |key: &str, extra: &[(&str, &dyn std::fmt::Display)]| {
        let mut args: Vec<(&str, &dyn std::fmt::Display)> = vec![];
        let p = shown(&m.path);
        args.push(("path", &p));
        args.extend_from_slice(extra);
        EngineError::Invalid(ph(key, &args))
    };
    let meta = std::fs::metadata(path).map_err(|e| bad("err.media_read", &[("error", &e)]))?;
    if !meta.is_file() {
        return Err(bad("err.media_not_file", &[]));
    }
    if meta.len() > LARGEST {
        let size = media::size_text(meta.len());
        let max = media::size_text(LARGEST);
        return Err(bad("err.media_huge", &[("size", &size), ("max", &max)]));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(LARGEST + 1).read_to_end(&mut bytes))
        .map_err(|e| bad("err.media_read", &[("error", &e)]))?;
    let info = media::sniff(&bytes).map_err(|e| match e {
        media::NotAnImage::Unknown => bad("err.media_not_image", &[]),
        media::NotAnImage::Damaged => bad("err.media_damaged", &[]),
    })?;
    let hash = hex(&sha2::Sha256::digest(&bytes));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((
        Attachment {
            file: format!("{hash}.{}", info.kind.ext()),
            name,
            alt: m.alt.trim().to_string(),
            kind: info.kind,
            bytes: bytes.len() as u64,
            width: info.width,
            height: info.height,
        },
        bytes,
    ))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
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

/// The refusal an operator reads, naming the account, the network and the picture.
fn problem(account: &str, p: Platform, list: &[Attachment], e: MediaProblem) -> EngineError {
    let account = shown(account);
    let name = |i: usize| shown(&list[i].name);
    let phrase = match e {
        MediaProblem::NoPictures => {
            ph("err.media_none", &[("account", &account), ("platform", &p)])
        }
        MediaProblem::Needed => ph("err.media_needed", &[("account", &account)]),
        MediaProblem::TooMany { count, max } => ph(
            "err.media_too_many",
            &[
                ("account", &account),
                ("platform", &p),
                ("count", &count),
                ("max", &max),
            ],
        ),
        MediaProblem::TooBig { index, bytes, max } => ph(
            "err.media_too_big",
            &[
                ("account", &account),
                ("platform", &p),
                ("name", &name(index)),
                ("size", &media::size_text(bytes)),
                ("max", &media::size_text(max)),
            ],
        ),
        MediaProblem::Type { index, kind } => {
            let takes = media::MediaLimits::of(p)
                .map(|l| {
                    l.types
                        .iter()
                        .map(|t| t.ext().to_uppercase())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            ph(
                "err.media_type",
                &[
                    ("account", &account),
                    ("platform", &p),
                    ("name", &name(index)),
                    ("kind", &kind.ext().to_uppercase()),
                    ("takes", &takes),
                ],
            )
        }
        MediaProblem::AltTooLong { index, chars, max } => ph(
            "err.media_alt",
            &[
                ("account", &account),
                ("platform", &p),
                ("name", &name(index)),
                ("count", &chars),
                ("max", &max),
            ],
        ),
    };
    EngineError::Invalid(phrase)
}
