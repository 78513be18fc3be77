//! Reading a picture the operator attached, on this machine: a regular file, no larger than any
//! network takes, recognised from its bytes (never its name). Used by the engine when a post is
//! stored and by the composer to show what was attached before anything is sent.

use crate::domain::media::{self, Attachment, NewMedia};
use crate::i18n::{ph, Phrase};
use sha2::Digest;
use std::io::Read;
use std::path::Path;

/// No network takes a picture larger than this (VK's 50 MB); bigger files are not even read.
pub const LARGEST: u64 = 50 * 1024 * 1024;

fn shown(path: &str) -> String {
    crate::text::sanitize_line(path, 120).text
}

/// Reads one file: a regular file, no larger than any network takes, recognised from its bytes.
pub fn read(m: &NewMedia) -> Result<(Attachment, Vec<u8>), Phrase> {
    let path = Path::new(&m.path);
    let bad = |key: &str, extra: &[(&str, &dyn std::fmt::Display)]| {
        let mut args: Vec<(&str, &dyn std::fmt::Display)> = vec![];
        let p = shown(&m.path);
        args.push(("path", &p));
        args.extend_from_slice(extra);
        ph(key, &args)
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
