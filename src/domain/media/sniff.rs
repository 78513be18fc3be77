//! Reading a picture's type and size from its first bytes (PNG, JPEG, GIF, WebP), never from
//! its name or metadata. Hostile and cut-short input is refused; nothing here can panic.

use super::ImageType;

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
}
