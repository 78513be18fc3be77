//! Picture thumbnails in the composer where the terminal draws pictures itself (kitty, iTerm2,
//! sixel), through ratatui-image. The picture is decoded from its pixels (with limits, so a
//! decompression bomb is refused) and re-encoded by the protocol: nothing from the file's
//! metadata ever reaches the terminal. Elsewhere (tmux, plain terminals) there is no thumbnail;
//! the pictures line still says what each file is.

use ratatui::layout::Size;
use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::protocol::Protocol;
use ratatui_image::Resize;
use std::sync::Arc;

/// A thumbnail's size in cells.
pub const CELLS: Size = Size {
    width: 24,
    height: 8,
};

/// The terminal's way of drawing pictures, when it has one. `KITH_IMAGES=off` turns thumbnails
/// off; `kitty`, `sixel` or `iterm2` force a protocol. Otherwise the terminal is asked only when
/// its environment says it draws pictures, and never inside tmux (which would need passthrough).
/// Call before reading terminal events: the answer comes on standard input.
pub fn detect() -> Option<Arc<Picker>> {
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    let forced = match var("KITH_IMAGES").as_str() {
        "off" => return None,
        "kitty" => Some(ProtocolType::Kitty),
        "sixel" => Some(ProtocolType::Sixel),
        "iterm2" => Some(ProtocolType::Iterm2),
        _ => None,
    };
    let term = var("TERM");
    let program = var("TERM_PROGRAM");
    let hinted = !var("KITTY_WINDOW_ID").is_empty()
        || !var("WEZTERM_EXECUTABLE").is_empty()
        || ["kitty", "foot", "mlterm", "contour", "ghostty"]
            .iter()
            .any(|t| term.contains(t))
        || ["iTerm.app", "WezTerm", "ghostty"].contains(&program.as_str());
    if forced.is_none() && (!hinted || !var("TMUX").is_empty()) {
        return None;
    }
    let mut picker = Picker::from_query_stdio().ok()?;
    if let Some(p) = forced {
        picker.set_protocol_type(p);
    }
    (picker.protocol_type() != ProtocolType::Halfblocks).then(|| Arc::new(picker))
}

/// A thumbnail ready to draw (shared: the composer is cloned, the picture is not).
#[derive(Clone)]
pub struct Thumb(pub Arc<Protocol>);

impl std::fmt::Debug for Thumb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Thumb")
    }
}

impl PartialEq for Thumb {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Thumb {}

/// The thumbnail of a picture's bytes, or `None` when they do not decode within limits.
pub fn make(picker: &Picker, bytes: &[u8]) -> Option<Thumb> {
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(16_384);
    limits.max_image_height = Some(16_384);
    limits.max_alloc = Some(256 * 1024 * 1024);
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    reader.limits(limits);
    let img = reader.decode().ok()?;
    // Shrink first: the protocol's own resize then works on a small picture.
    let small = img.thumbnail(480, 480);
    picker
        .new_protocol(small, CELLS, Resize::Fit(None))
        .ok()
        .map(|p| Thumb(Arc::new(p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real 2×2 PNG with a text chunk that holds a terminal escape sequence.
    fn png_with_hostile_text() -> Vec<u8> {
        let mut img = Vec::new();
        let rgba = image::RgbaImage::from_pixel(2, 2, image::Rgba([200, 80, 40, 255]));
        image::DynamicImage::ImageRgba8(rgba)
            .write_to(&mut std::io::Cursor::new(&mut img), image::ImageFormat::Png)
            .expect("png");
        // A tEXt chunk before IEND: keyword, NUL, text (CRC is not checked by viewers here).
        let text = b"Comment\0\x1b]0;pwned\x07\x1b[2J";
        let mut chunk = (text.len() as u32).to_be_bytes().to_vec();
        chunk.extend(b"tEXt");
        chunk.extend(text);
        let crc = crc32(&[b"tEXt".as_slice(), text].concat());
        chunk.extend(crc.to_be_bytes());
        let iend = img.len() - 12;
        img.splice(iend..iend, chunk);
        img
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                };
            }
        }
        !c
    }

    fn drawn(protocol: ProtocolType, bytes: &[u8]) -> String {
        let mut picker = Picker::halfblocks();
        picker.set_protocol_type(protocol);
        let thumb = make(&picker, bytes).expect("a thumbnail");
        let mut term =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(30, 10)).expect("terminal");
        term.draw(|f| {
            f.render_widget(ratatui_image::Image::new(&thumb.0), f.area());
        })
        .expect("draw");
        term.backend()
            .buffer()
            .content
            .iter()
            .map(|c| c.symbol())
            .collect()
    }

    #[test]
    fn the_terminal_gets_the_protocol_never_the_files_metadata() {
        let png = png_with_hostile_text();
        for (protocol, start) in [
            (ProtocolType::Kitty, "\x1b_G"),
            (ProtocolType::Sixel, "\x1bP"),
            (ProtocolType::Iterm2, "\x1b]1337;File="),
        ] {
            let out = drawn(protocol, &png);
            assert!(out.contains(start), "{protocol:?}: {out:?}");
            assert!(
                !out.contains("pwned"),
                "{protocol:?} leaked the file's text"
            );
            assert!(!out.contains("\x1b[2J"), "{protocol:?} leaked an escape");
        }
    }

    #[test]
    fn damaged_and_oversized_pictures_give_no_thumbnail() {
        let picker = Picker::halfblocks();
        let png = png_with_hostile_text();
        assert!(make(&picker, &png[..40]).is_none());
        assert!(make(&picker, b"GIF89a").is_none());
        // A PNG header claiming 100000 × 100000 pixels is refused before any allocation.
        let mut bomb = png[..33].to_vec();
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        assert!(make(&picker, &bomb).is_none());
    }
}
