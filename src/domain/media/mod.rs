//! Pictures for posts, before anything is sent: what a file is (PNG, JPEG, GIF, WebP, read
//! from its bytes, never from its name or metadata) and its size in pixels, and each network's
//! limits (how many, how big, how long the alt text may be). No I/O: the bytes come from the
//! caller, so a hostile file is only ever looked at, never shown.

use super::Platform;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

mod sniff;
pub use sniff::{sniff, ImageInfo, NotAnImage};

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
    /// A GIF among other pictures where albums take only photos (Telegram).
    GifInAlbum {
        index: usize,
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
            MediaProblem::GifInAlbum { index } => ph(
                "err.media_gif_album",
                &[("account", &account), ("name", &name(index))],
            ),
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
        if l.gif_alone && list.len() > 1 && a.kind == ImageType::Gif {
            return Err(MediaProblem::GifInAlbum { index });
        }
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
    /// A GIF goes only on its own, never in an album (Telegram's albums take photos).
    pub gif_alone: bool,
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
            // Graph documents no alt text limit (`alt_text_custom`, `alt_text`): kith's own cap.
            Platform::Facebook => (10, 10_000_000, 1000, ALL),
            // JPEG only for Instagram's image containers.
            Platform::Instagram => (10, 8_000_000, 1000, JPEG_ONLY),
            _ => return None,
        };
        Some(MediaLimits {
            max_count,
            max_bytes,
            max_alt,
            types,
            caption_limit: (p == Platform::Telegram).then_some(1024),
            needed: p == Platform::Instagram,
            gif_alone: p == Platform::Telegram,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // Telegram takes a GIF alone, not in an album.
        let gif = att(ImageType::Gif, 10, "");
        assert_eq!(
            check(Platform::Telegram, std::slice::from_ref(&gif)),
            Ok(())
        );
        assert_eq!(
            check(Platform::Telegram, &[png.clone(), gif.clone()]),
            Err(MediaProblem::GifInAlbum { index: 1 })
        );
        assert_eq!(check(Platform::Mastodon, &[png.clone(), gif]), Ok(()));
        // Where alt text is not kept, a long one is simply not sent.
        assert_eq!(
            check(Platform::Vk, &[att(ImageType::Gif, 10, &long)]),
            Ok(())
        );
    }
}
