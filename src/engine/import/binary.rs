//! Telling a binary file from a text file with a few bad bytes, from the start of the input.
//!
//! A file is refused as binary when it starts with a known binary signature (images, archives,
//! PDFs, executables, databases, old Office files), or when its first [`SAMPLE`] bytes hold more
//! than 1% NUL bytes, more than 10% control bytes, or more than 3% control bytes together with
//! more than 20% bytes that are not UTF-8 (compressed or random data). Otherwise it is text: a
//! line with a NUL byte is one bad line, reported like any other, and the rest imports.

/// How much of the start is weighed.
pub(crate) const SAMPLE: usize = 8 * 1024;
/// Proportions are taken of at least this many bytes, so a stray byte in a tiny file is a bad
/// line, not a binary file.
const FLOOR: usize = 1024;

/// Signatures of binary formats people mistake for exports.
const MAGIC: [&[u8]; 13] = [
    b"\x89PNG\r\n\x1a\n",
    b"\xFF\xD8\xFF",
    b"GIF87a",
    b"GIF89a",
    b"%PDF-",
    b"\x1F\x8B",
    b"\x7FELF",
    b"SQLite format 3\0",
    b"7z\xBC\xAF\x27\x1C",
    b"Rar!\x1A\x07",
    b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
    b"\x28\xB5\x2F\xFD",
    b"BZh",
];

/// Why the start of a file says it is not text at all, or `None`.
pub(crate) fn sniff(prefix: &[u8]) -> Option<&'static str> {
    if prefix.starts_with(b"PK\x03\x04") {
        return Some("it is a ZIP archive (an Excel .xlsx?); save it as CSV UTF-8");
    }
    // `BZh` must be followed by the block size digit to be bzip2, not a CSV header "BZh…".
    let magic = MAGIC.iter().any(|m| {
        prefix.starts_with(m)
            && (*m != b"BZh" || prefix.get(3).is_some_and(|d| (b'1'..=b'9').contains(d)))
    });
    if magic || looks_binary(&prefix[..prefix.len().min(SAMPLE)]) {
        return Some("it is binary data");
    }
    None
}

fn looks_binary(sample: &[u8]) -> bool {
    let n = sample.len().max(FLOOR);
    let nul = sample.iter().filter(|&&b| b == 0).count();
    let control = sample
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)) || b == 0x7F)
        .count();
    nul * 100 > n || control * 10 > n || (control * 100 > n * 3 && not_utf8(sample) * 5 > n)
}

/// Bytes in invalid UTF-8 sequences (a sequence cut at the end of the sample is not counted).
fn not_utf8(mut rest: &[u8]) -> usize {
    let mut bad = 0;
    loop {
        match std::str::from_utf8(rest) {
            Ok(_) => return bad,
            Err(e) => match e.error_len() {
                Some(len) => {
                    bad += len;
                    rest = &rest[e.valid_up_to() + len..];
                }
                None => return bad,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic bytes that look like compressed data.
    fn noise(len: usize) -> Vec<u8> {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn binary_is_decided_by_proportion_not_presence() {
        let mut text = b"{\"a\":1}\n{\"b\":\0}\n".to_vec();
        text.extend(b"{\"c\":3}\n".repeat(200));
        assert_eq!(sniff(&text), None, "one NUL in a text file");
        assert_eq!(sniff(b"id,text\n1,a\0b\n"), None, "one NUL in a tiny file");
        let mut nuls = b"id,text\n".to_vec();
        nuls.extend([0u8; 20]);
        assert_eq!(sniff(&nuls), Some("it is binary data"), "2% NUL");
        assert_eq!(sniff(&noise(8192)), Some("it is binary data"));
        assert_eq!(
            sniff(&[b"\x89PNG\r\n\x1a\n".as_slice(), &noise(100)].concat()),
            Some("it is binary data")
        );
        assert_eq!(sniff(b"BZh,text\n1,a\n"), None);
        assert_eq!(sniff(b"BZh91AY&SY"), Some("it is binary data"));
        // Windows-1251 Cyrillic: not UTF-8, but text; its rows are reported one by one.
        let cp1251: Vec<u8> = b"id,text\n1,"
            .iter()
            .copied()
            .chain([0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2].repeat(300))
            .collect();
        assert_eq!(sniff(&cp1251), None);
        assert_eq!(not_utf8(b"a\xFFb\xE2\x82"), 1);
    }
}
