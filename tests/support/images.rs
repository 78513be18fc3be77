//! Pictures as tests make them: the first bytes of a PNG, GIF or JPEG of a given size (enough
//! for kith to recognise), padded to a length, and as the outbox hands them to a connector.

use kith::domain::media::{sniff, Picture};
use std::sync::Arc;

/// A PNG header of `w`×`h`, padded to `len` bytes.
pub fn png(w: u32, h: u32, len: usize) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    b.extend(w.to_be_bytes());
    b.extend(h.to_be_bytes());
    b.extend([8, 6, 0, 0, 0]);
    pad(b, len)
}

/// A GIF header of `w`×`h`, padded to `len` bytes.
pub fn gif(w: u16, h: u16, len: usize) -> Vec<u8> {
    let mut b = b"GIF89a".to_vec();
    b.extend(w.to_le_bytes());
    b.extend(h.to_le_bytes());
    pad(b, len)
}

/// A JPEG start with a baseline frame of `w`×`h`, padded to `len` bytes.
pub fn jpeg(w: u16, h: u16, len: usize) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08];
    b.extend(h.to_be_bytes());
    b.extend(w.to_be_bytes());
    pad(b, len)
}

/// Filler that is not a run of one byte, so a part cut short or shifted shows.
fn pad(mut b: Vec<u8>, len: usize) -> Vec<u8> {
    let mut i = 0u8;
    while b.len() < len {
        b.push(i);
        i = i.wrapping_mul(31).wrapping_add(7);
    }
    b
}

/// `bytes` as the `n`th picture of a post (1-based), not uploaded anywhere yet.
pub fn picture(bytes: &[u8], n: usize) -> Picture {
    let info = sniff(bytes).expect("a picture");
    Picture {
        bytes: Arc::new(bytes.to_vec()),
        kind: info.kind,
        width: info.width,
        height: info.height,
        alt: String::new(),
        name: format!("image{n}.{}", info.kind.ext()),
        handle: None,
    }
}
