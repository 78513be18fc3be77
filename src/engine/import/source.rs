//! Opening an import input: encoding detection, UTF-16 decoding, and byte counting for progress.
//!
//! Nothing seeks: the first bytes are read into a buffer for sniffing and then chained in front
//! of the rest, so pipes, FIFOs, `/dev/fd/N` (`<(…)`) and standard input work like files. UTF-8
//! input (with or without a BOM) is streamed. UTF-16 input (LE or BE, with a BOM; without one
//! when the first characters are ASCII) is decoded into memory, as such exports are small. A lone
//! surrogate cannot become UTF-8: it is replaced by U+FFFD and its offset is kept in
//! [`BadSpots`], so the line or record holding it is reported as an error, not imported altered.

use std::io::{self, Cursor, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// How much of the start of the (decoded) input is kept for sniffing the format and CSV delimiter.
pub(crate) const SNIFF_BYTES: usize = 64 * 1024;

/// Shared counters behind `Importer::bytes_read`.
#[derive(Clone, Debug)]
pub(crate) struct Progress {
    /// Bytes handed to the parser so far (of the decoded text, after the BOM).
    pub read: Arc<AtomicU64>,
    /// Input size, when known (a regular file, or UTF-16 input read whole); not for a pipe.
    pub total: Option<u64>,
    /// Bytes skipped before the text (the BOM).
    pub skipped: u64,
    /// For UTF-16: length of the decoded UTF-8 text, to scale `read` back to input bytes.
    pub decoded_len: Option<u64>,
}

/// Offsets, in the decoded text, of characters that could not be decoded (sorted).
#[derive(Clone, Debug, Default)]
pub(crate) struct BadSpots(Arc<[u64]>);

impl BadSpots {
    /// Whether any bad spot lies in `start..end`.
    pub fn any_in(&self, start: u64, end: u64) -> bool {
        let i = self.0.partition_point(|&o| o < start);
        self.0.get(i).is_some_and(|&o| o < end)
    }
}

/// An opened input: UTF-8 text after any BOM, plus what was sniffed from its start.
pub(crate) struct Source {
    pub reader: Box<dyn Read + Send>,
    /// The first [`SNIFF_BYTES`] of the text (UTF-8, BOM removed).
    pub prefix: Vec<u8>,
    pub bad: BadSpots,
    pub progress: Progress,
    /// Why this is not text at all, when the sniff says so (binary, ZIP).
    pub not_text: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf8 { bom: bool },
    Utf16 { le: bool, bom: bool },
}

fn detect(head: &[u8]) -> Encoding {
    match head {
        [0xEF, 0xBB, 0xBF, ..] => Encoding::Utf8 { bom: true },
        [0xFF, 0xFE, ..] => Encoding::Utf16 {
            le: true,
            bom: true,
        },
        [0xFE, 0xFF, ..] => Encoding::Utf16 {
            le: false,
            bom: true,
        },
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 && a.is_ascii() && b.is_ascii() => Encoding::Utf16 {
            le: true,
            bom: false,
        },
        [0, a, 0, b, ..] if *a != 0 && *b != 0 && a.is_ascii() && b.is_ascii() => Encoding::Utf16 {
            le: false,
            bom: false,
        },
        _ => Encoding::Utf8 { bom: false },
    }
}

impl Source {
    /// Reads the start of `input` for sniffing; `total` is its size when known.
    pub fn new(mut input: Box<dyn Read + Send>, total: Option<u64>) -> io::Result<Source> {
        let mut head = Vec::with_capacity(SNIFF_BYTES.min(total.unwrap_or(0) as usize + 1));
        (&mut input)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut head)?;
        let read = Arc::new(AtomicU64::new(0));
        match detect(&head) {
            Encoding::Utf8 { bom } => {
                let skip = if bom { 3 } else { 0 };
                let prefix = head.split_off(skip.min(head.len()));
                let not_text = super::binary::sniff(&prefix);
                Ok(Source {
                    reader: Box::new(Counting {
                        inner: Cursor::new(prefix.clone()).chain(input),
                        read: read.clone(),
                    }),
                    prefix,
                    bad: BadSpots::default(),
                    progress: Progress {
                        read,
                        total,
                        skipped: skip as u64,
                        decoded_len: None,
                    },
                    not_text,
                })
            }
            Encoding::Utf16 { le, bom } => {
                input.read_to_end(&mut head)?;
                let skip = if bom { 2 } else { 0 };
                let (text, bad) = decode_utf16(head.get(skip..).unwrap_or_default(), le);
                let bytes = text.into_bytes();
                let prefix = bytes[..bytes.len().min(SNIFF_BYTES)].to_vec();
                let progress = Progress {
                    read: read.clone(),
                    total: Some(head.len() as u64),
                    skipped: skip as u64,
                    decoded_len: Some(bytes.len() as u64),
                };
                Ok(Source {
                    reader: Box::new(Counting {
                        inner: Cursor::new(bytes),
                        read,
                    }),
                    prefix,
                    bad: BadSpots(bad.into()),
                    progress,
                    not_text: None,
                })
            }
        }
    }
}

/// Decodes UTF-16; lone surrogates (and an odd trailing byte) become U+FFFD, and their offsets in
/// the output are returned.
fn decode_utf16(bytes: &[u8], le: bool) -> (String, Vec<u64>) {
    let units = bytes.chunks_exact(2).map(|c| {
        let pair = [c[0], c[1]];
        if le {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2);
    let mut bad = Vec::new();
    for r in char::decode_utf16(units) {
        match r {
            Ok(c) => out.push(c),
            Err(_) => {
                bad.push(out.len() as u64);
                out.push(char::REPLACEMENT_CHARACTER);
            }
        }
    }
    if bytes.len() % 2 == 1 {
        bad.push(out.len() as u64);
        out.push(char::REPLACEMENT_CHARACTER);
    }
    (out, bad)
}

/// Counts bytes as they are read, for the progress bar.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_boms_and_bomless_utf16() {
        assert_eq!(detect(b"\xEF\xBB\xBF{"), Encoding::Utf8 { bom: true });
        assert_eq!(
            detect(b"\xFF\xFE{\0"),
            Encoding::Utf16 {
                le: true,
                bom: true
            }
        );
        assert_eq!(
            detect(b"\xFE\xFF\0{"),
            Encoding::Utf16 {
                le: false,
                bom: true
            }
        );
        assert_eq!(
            detect(b"i\0d\0"),
            Encoding::Utf16 {
                le: true,
                bom: false
            }
        );
        assert_eq!(
            detect(b"\0i\0d"),
            Encoding::Utf16 {
                le: false,
                bom: false
            }
        );
        assert_eq!(detect(b"id,text"), Encoding::Utf8 { bom: false });
        assert_eq!(detect(b""), Encoding::Utf8 { bom: false });
    }

    #[test]
    fn lone_surrogates_are_marked() {
        // "a", lone high surrogate, "b", then a valid pair (🎉), then an odd byte.
        let units: [u16; 5] = [0x61, 0xD83D, 0x62, 0xD83C, 0xDF89];
        let mut bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
        bytes.push(0x41);
        let (text, bad) = decode_utf16(&bytes, true);
        assert_eq!(text, "a\u{FFFD}b🎉\u{FFFD}");
        assert_eq!(bad, vec![1, 9]);
        let spots = BadSpots(bad.into());
        assert!(spots.any_in(0, 2));
        assert!(!spots.any_in(2, 9));
        assert!(spots.any_in(9, 10));
    }
}
