//! Pictures for posts, before anything is sent: what a file is (PNG, JPEG, GIF, WebP, read
//! from its bytes, never from its name or metadata) and its size in pixels, and each network's
//! limits (how many, how big, how long the alt text may be). No I/O: the bytes come from the
//! caller, so a hostile file is only ever looked at, never shown.

use super::Platform;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The image types kith recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageType {
    Png,
    Jpeg,
    Gif,
    Webp,
}

impl ImageType {
    pub fn mime(self) -> &'static str {
        match self {
            ImageType::Png => "image/png",
            ImageType::Jpeg => "image/jpeg",
            ImageType::Gif => "image/gif",
            ImageType::Webp => "image/webp",
        }
    }

    pub fn ext(self) -> &'static str {
        match self {
            ImageType::Png => "png",
            ImageType::Jpeg => "jpg",
            ImageType::Gif => "gif",
            ImageType::Webp => "webp",
        }
    }
}

/// What a picture is, read from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    pub kind: ImageType,
    pub width: u32,
    pub height: u32,
}

/// Why bytes are not a picture kith can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotAnImage {
    /// Not PNG, JPEG, GIF or WebP.
    Unknown,
    /// The right signature, but the size could not be read (cut short or damaged).
    Damaged,
}

fn be16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_be_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
    ])))
}

fn le16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
    ])))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 3)?;
    Some(u32::from(s[0]) | (u32::from(s[1]) << 8) | (u32::from(s[2]) << 16))
}

/// The type and size of a picture from its bytes (the first 64 KiB are enough for every
/// format here).
pub fn sniff(b: &[u8]) -> Result<ImageInfo, NotAnImage> {
    let (kind, size) = if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        // The IHDR chunk comes first: width and height at 16 and 20.
        let ok = b.get(12..16) == Some(b"IHDR".as_slice());
        (
            ImageType::Png,
            ok.then(|| Some((be32(b, 16)?, be32(b, 20)?))).flatten(),
        )
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        (ImageType::Gif, le16(b, 6).zip(le16(b, 8)))
    } else if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        (ImageType::Jpeg, jpeg_size(b))
    } else if b.get(0..4) == Some(b"RIFF".as_slice()) && b.get(8..12) == Some(b"WEBP".as_slice()) {
        (ImageType::Webp, webp_size(b))
    } else {
        return Err(NotAnImage::Unknown);
    };
    match size {
        Some((w, h)) if w > 0 && h > 0 => Ok(ImageInfo {
            kind,
            width: w,
            height: h,
        }),
        _ => Err(NotAnImage::Damaged),
    }
}

/// A JPEG's size from its first start-of-frame marker (SOF0–SOF15 but DHT, JPG and DAC).
fn jpeg_size(b: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2;
    loop {
        // Markers may be padded with 0xFF bytes.
        while *b.get(at)? == 0xFF && *b.get(at + 1)? == 0xFF {
            at += 1;
        }
        if *b.get(at)? != 0xFF {
            return None;
        }
        let marker = *b.get(at + 1)?;
        if matches!(marker, 0xD0..=0xD9 | 0x01) {
            at += 2;
            continue;
        }
        let len = be16(b, at + 2)? as usize;
        if len < 2 {
            return None;
        }
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let h = be16(b, at + 5)?;
            let w = be16(b, at + 7)?;
            return Some((w, h));
        }
        at += 2 + len;
    }
}

/// A WebP's size from its first chunk (lossy VP8, lossless VP8L or extended VP8X).
fn webp_size(b: &[u8]) -> Option<(u32, u32)> {
    match b.get(12..16)? {
        b"VP8 " => {
            // After the frame tag (3 bytes) and the start code 9d 01 2a.
            if b.get(23..26)? != [0x9d, 0x01, 0x2a] {
                return None;
            }
            Some((le16(b, 26)? & 0x3FFF, le16(b, 28)? & 0x3FFF))
        }
        b"VP8L" => {
            if *b.get(20)? != 0x2f {
                return None;
            }
            let bits = u32::from_le_bytes(b.get(21..25)?.try_into().ok()?);
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8X" => Some((le24(b, 24)? + 1, le24(b, 27)? + 1)),
        _ => None,
    }
}

/// A picture attached to a post, as kept with it: the copy kith made in the data directory (named
/// by its SHA-256, so the user's own file may move or change afterwards), what it is, and its alt
/// text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The copy's file name in `DATA_DIR/media/`: `<sha256 hex>.<ext>`.
    pub file: String,
    /// The name the user's file had (raw; sanitize before display).
    pub name: String,
    pub alt: String,
    pub kind: ImageType,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
}

/// What an operator attaches: a file on this machine and its alt text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMedia {
    /// An absolute path (front ends resolve the user's relative path before sending it).
    pub path: String,
    #[serde(default)]
    pub alt: String,
}

/// A picture on its way to a network: its bytes, what it is, its alt text, and the platform's
/// own handle for it once uploaded ahead of the post.
#[derive(Clone, PartialEq, Eq)]
pub struct Picture {
    pub bytes: Arc<Vec<u8>>,
    pub kind: ImageType,
    pub width: u32,
    pub height: u32,
    pub alt: String,
    /// The file name to give the platform (`image.png`: never the user's own name).
    pub name: String,
    /// What `Connector::upload` returned for it on this account.
    pub handle: Option<String>,
}

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Picture")
            .field("bytes", &self.bytes.len())
            .field("kind", &self.kind)
            .field("size", &(self.width, self.height))
            .field("alt", &self.alt)
            .field("handle", &self.handle)
            .finish()
    }
}

/// A size for people: `532 B`, `48 KB`, `1.2 MB` (decimal units, as the networks state theirs).
pub fn size_text(bytes: u64) -> String {
    match bytes {
        0..=999 => format!("{bytes} B"),
        1_000..=999_999 => format!("{} KB", bytes / 1000),
        _ => {
            let tenths = bytes / 100_000;
            if tenths % 10 == 0 || tenths >= 1000 {
                format!("{} MB", tenths / 10)
            } else {
                format!("{}.{} MB", tenths / 10, tenths % 10)
            }
        }
    }
}

/// Why a post's pictures cannot go to a network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaProblem {
    /// The network takes no pictures from kith.
    NoPictures,
    /// The network needs at least one (Instagram).
    Needed,
    TooMany {
        count: usize,
        max: usize,
    },
    TooBig {
        index: usize,
        bytes: u64,
        max: u64,
    },
    Type {
        index: usize,
        kind: ImageType,
    },
    AltTooLong {
        index: usize,
        chars: usize,
        max: usize,
    },
}

impl MediaProblem {
    /// The refusal an operator reads, naming the account, the network and the picture.
    pub fn phrase(&self, account: &str, p: Platform, list: &[Attachment]) -> crate::i18n::Phrase {
        use crate::i18n::ph;
        let shown = |s: &str| crate::text::sanitize_line(s, 120).text;
        let account = shown(account);
        let name = |i: usize| list.get(i).map(|a| shown(&a.name)).unwrap_or_default();
        let phrase = match *self {
            MediaProblem::NoPictures => ph("err.media_none", &[("account", &account)]),
            MediaProblem::Needed => ph("err.media_needed", &[("account", &account)]),
            MediaProblem::TooMany { count, max } => ph(
                "err.media_too_many",
                &[("account", &account), ("count", &count), ("max", &max)],
            ),
            MediaProblem::TooBig { index, bytes, max } => ph(
                "err.media_too_big",
                &[
                    ("account", &account),
                    ("name", &name(index)),
                    ("size", &size_text(bytes)),
                    ("max", &size_text(max)),
                ],
            ),
            MediaProblem::Type { index, kind } => {
                let takes = MediaLimits::of(p)
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
                    ("name", &name(index)),
                    ("count", &chars),
                    ("max", &max),
                ],
            ),
        };
        phrase.with("platform", ph(&format!("tui.platform.{}", p.as_str()), &[]))
    }
}

/// Whether `list` may go to `p`: count, size, type and alt text against the network's limits.
pub fn check(p: Platform, list: &[Attachment]) -> Result<(), MediaProblem> {
    let Some(l) = MediaLimits::of(p) else {
        return if list.is_empty() {
            Ok(())
        } else {
            Err(MediaProblem::NoPictures)
        };
    };
    if list.is_empty() {
        return if l.needed {
            Err(MediaProblem::Needed)
        } else {
            Ok(())
        };
    }
    if list.len() > l.max_count {
        return Err(MediaProblem::TooMany {
            count: list.len(),
            max: l.max_count,
        });
    }
    for (index, a) in list.iter().enumerate() {
        if !l.types.contains(&a.kind) {
            return Err(MediaProblem::Type {
                index,
                kind: a.kind,
            });
        }
        if a.bytes > l.max_bytes {
            return Err(MediaProblem::TooBig {
                index,
                bytes: a.bytes,
                max: l.max_bytes,
            });
        }
        let chars = a.alt.chars().count();
        if l.max_alt > 0 && chars > l.max_alt {
            return Err(MediaProblem::AltTooLong {
                index,
                chars,
                max: l.max_alt,
            });
        }
    }
    Ok(())
}

/// How many pictures a post may carry on a network, how big each may be, which types, and how
/// long its alt text may be (characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaLimits {
    pub max_count: usize,
    pub max_bytes: u64,
    /// 0: the network keeps no alt text (it is not sent).
    pub max_alt: usize,
    pub types: &'static [ImageType],
    /// The text that goes with pictures is a caption with its own, shorter limit (Telegram).
    pub caption_limit: Option<usize>,
    /// A post there must carry a picture (Instagram).
    pub needed: bool,
}

const ALL: &[ImageType] = &[
    ImageType::Png,
    ImageType::Jpeg,
    ImageType::Gif,
    ImageType::Webp,
];
const NO_WEBP: &[ImageType] = &[ImageType::Png, ImageType::Jpeg, ImageType::Gif];
const JPEG_ONLY: &[ImageType] = &[ImageType::Jpeg];

impl MediaLimits {
    /// The documented limits per network (`None`: kith sends no pictures there).
    pub fn of(p: Platform) -> Option<MediaLimits> {
        let (max_count, max_bytes, max_alt, types) = match p {
            // Mastodon's defaults (an instance may allow more; it says so in /api/v2/instance).
            Platform::Mastodon => (4, 16 * 1024 * 1024, 1500, ALL),
            // Bluesky's blob limit for images, and its alt text limit.
            Platform::Bluesky => (4, 1_000_000, 2000, ALL),
            // sendMediaGroup takes up to 10; photos up to 10 MB.
            Platform::Telegram => (10, 10_000_000, 0, NO_WEBP),
            Platform::Vk => (10, 50 * 1024 * 1024, 0, NO_WEBP),
            Platform::Facebook => (10, 10_000_000, 0, ALL),
            // JPEG only for Instagram's image containers.
            Platform::Instagram => (10, 8_000_000, 0, JPEG_ONLY),
            _ => return None,
        };
        Some(MediaLimits {
            max_count,
            max_bytes,
            max_alt,
            types,
            caption_limit: (p == Platform::Telegram).then_some(1024),
            needed: p == Platform::Instagram,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
        b.extend(w.to_be_bytes());
        b.extend(h.to_be_bytes());
        b.extend([8, 6, 0, 0, 0]);
        b
    }

    #[test]
    fn each_format_gives_its_type_and_size() {
        assert_eq!(
            sniff(&png(1200, 630)),
            Ok(ImageInfo {
                kind: ImageType::Png,
                width: 1200,
                height: 630
            })
        );
        let gif = [b"GIF89a".as_slice(), &[0x40, 0x01, 0xF0, 0x00]].concat();
        assert_eq!(sniff(&gif).map(|i| (i.width, i.height)), Ok((320, 240)));
        // JPEG: SOI, an APP0 segment to skip, padding, then SOF2 (progressive) 480×640.
        let jpeg = [
            &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0xAA, 0xBB][..],
            &[
                0xFF, 0xFF, 0xC2, 0x00, 0x11, 0x08, 0x02, 0x80, 0x01, 0xE0, 0x03,
            ][..],
        ]
        .concat();
        assert_eq!(
            sniff(&jpeg),
            Ok(ImageInfo {
                kind: ImageType::Jpeg,
                width: 480,
                height: 640
            })
        );
        // A DHT segment (0xC4) is not a frame.
        let jpeg_dht = [
            &[0xFF, 0xD8, 0xFF, 0xC4, 0x00, 0x03, 0x00][..],
            &[0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x20][..],
        ]
        .concat();
        assert_eq!(sniff(&jpeg_dht).map(|i| (i.width, i.height)), Ok((32, 16)));
        let mut vp8x = b"RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x10\x00\x00\x00".to_vec();
        vp8x.extend([0xFF, 0x03, 0x00, 0x57, 0x02, 0x00]); // 1024 × 600
        assert_eq!(sniff(&vp8x).map(|i| (i.width, i.height)), Ok((1024, 600)));
        let mut vp8l = b"RIFF\x00\x00\x00\x00WEBPVP8L\x00\x00\x00\x00\x2f".to_vec();
        // width-1 = 99, height-1 = 49 packed in 14-bit fields.
        vp8l.extend((99u32 | (49u32 << 14)).to_le_bytes());
        assert_eq!(sniff(&vp8l).map(|i| (i.width, i.height)), Ok((100, 50)));
    }

    #[test]
    fn anything_else_is_refused_and_nothing_panics_on_short_input() {
        assert_eq!(sniff(b"%PDF-1.7"), Err(NotAnImage::Unknown));
        assert_eq!(sniff(b""), Err(NotAnImage::Unknown));
        assert_eq!(sniff(b"\x1b]0;evil\x07"), Err(NotAnImage::Unknown));
        // Width and height end at byte 24: every shorter prefix is refused, none panics.
        let cut = png(10, 10);
        for n in 0..24 {
            let r = sniff(&cut[..n]);
            assert!(r.is_err(), "{n} bytes");
        }
        assert!(sniff(&cut[..24]).is_ok());
        assert_eq!(sniff(&png(0, 10)), Err(NotAnImage::Damaged));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF]), Err(NotAnImage::Damaged));
        // A JPEG whose segment length is zero cannot loop for ever.
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x00]),
            Err(NotAnImage::Damaged)
        );
    }

    #[test]
    fn limits_are_per_network_and_import_only_ones_take_none() {
        assert_eq!(
            MediaLimits::of(Platform::Bluesky).map(|l| l.max_bytes),
            Some(1_000_000)
        );
        assert_eq!(
            MediaLimits::of(Platform::Instagram).map(|l| l.types),
            Some([ImageType::Jpeg].as_slice())
        );
        assert_eq!(MediaLimits::of(Platform::Google), None);
        assert_eq!(
            MediaLimits::of(Platform::Telegram).and_then(|l| l.caption_limit),
            Some(1024)
        );
        assert_eq!(MediaLimits::of(Platform::Youtube), None);
    }

    fn att(kind: ImageType, bytes: u64, alt: &str) -> Attachment {
        Attachment {
            file: "f".into(),
            name: "n".into(),
            alt: alt.into(),
            kind,
            bytes,
            width: 10,
            height: 10,
        }
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size_text(532), "532 B");
        assert_eq!(size_text(48_200), "48 KB");
        assert_eq!(size_text(1_000_000), "1 MB");
        assert_eq!(size_text(1_250_000), "1.2 MB");
        assert_eq!(size_text(16 * 1024 * 1024), "16.7 MB");
        assert_eq!(size_text(150_000_000), "150 MB");
    }

    #[test]
    fn checks_name_the_first_problem_and_the_picture() {
        let png = att(ImageType::Png, 900_000, "a cat");
        assert_eq!(check(Platform::Bluesky, std::slice::from_ref(&png)), Ok(()));
        assert_eq!(
            check(
                Platform::Bluesky,
                &[png.clone(), att(ImageType::Png, 1_000_001, "")]
            ),
            Err(MediaProblem::TooBig {
                index: 1,
                bytes: 1_000_001,
                max: 1_000_000
            })
        );
        assert_eq!(
            check(Platform::Bluesky, &vec![png.clone(); 5]),
            Err(MediaProblem::TooMany { count: 5, max: 4 })
        );
        assert_eq!(
            check(Platform::Instagram, std::slice::from_ref(&png)),
            Err(MediaProblem::Type {
                index: 0,
                kind: ImageType::Png
            })
        );
        assert_eq!(check(Platform::Instagram, &[]), Err(MediaProblem::Needed));
        assert_eq!(
            check(Platform::Google, std::slice::from_ref(&png)),
            Err(MediaProblem::NoPictures)
        );
        assert_eq!(check(Platform::Google, &[]), Ok(()));
        let long = "я".repeat(1501);
        assert_eq!(
            check(Platform::Mastodon, &[att(ImageType::Gif, 10, &long)]),
            Err(MediaProblem::AltTooLong {
                index: 0,
                chars: 1501,
                max: 1500
            })
        );
        // Where alt text is not kept, a long one is simply not sent.
        assert_eq!(
            check(Platform::Vk, &[att(ImageType::Gif, 10, &long)]),
            Ok(())
        );
    }
}
