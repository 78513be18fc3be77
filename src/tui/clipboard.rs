//! Copying a link: only a validated http(s) URL ever reaches the terminal, as one OSC 52
//! sequence built here.

/// The URL when it is safe to hand to the terminal: http or https, a host, at most 2048
/// characters, and nothing but visible characters (no controls, spaces, bidi or invisible ones).
pub fn valid_url(raw: &str) -> Option<String> {
    let lower = raw.get(..8).unwrap_or(raw).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &raw[8..]
    } else if lower.starts_with("http://") {
        &raw[7..]
    } else {
        return None;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || raw.chars().count() > 2048 {
        return None;
    }
    let ok = |c: char| c.is_ascii_graphic() || (!c.is_ascii() && c.is_alphanumeric());
    raw.chars().all(ok).then(|| raw.to_string())
}

/// The OSC 52 sequence that puts `url` on the system clipboard. `url` must come from
/// [`valid_url`].
pub fn osc52(url: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(url.as_bytes()))
}

fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_clean_http_urls() {
        assert_eq!(
            valid_url("https://example.com/a?b=1#c").as_deref(),
            Some("https://example.com/a?b=1#c")
        );
        assert_eq!(
            valid_url("HTTP://пример.рф/путь").as_deref(),
            Some("HTTP://пример.рф/путь")
        );
        for bad in [
            "javascript:alert(1)",
            "https://",
            "https://x\x1b]52;c;?\x07",
            "https://x y",
            "https://x\u{202E}y",
            "https://x\u{9b}",
            "ftp://x",
            "https://x\u{200B}",
        ] {
            assert_eq!(valid_url(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(osc52("https://a"), "\x1b]52;c;aHR0cHM6Ly9h\x07");
    }
}
