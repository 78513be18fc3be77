//! Reading JSONL physical lines as bytes with a length cap, and the checks made before JSON
//! parsing (nesting depth, lone surrogates).

use std::io::{self, BufRead};

/// Longest line parsed, without its line ending.
pub(crate) const MAX_LINE: usize = 1024 * 1024;
/// Deepest nesting of arrays and objects accepted (the line's own object is level 1).
pub(crate) const MAX_DEPTH: usize = 64;

/// One line read by [`read_line_capped`].
pub(crate) struct LineRead {
    /// Bytes consumed, line ending included.
    pub consumed: usize,
    /// Length of the line when it exceeded the cap (its content was then discarded).
    pub overflow: Option<usize>,
}

/// Reads one line into `buf` without its `\n` / `\r\n`, keeping at most `cap` bytes in memory: a
/// longer line is consumed to its end and reported as overflowing. `None` at end of input.
pub(crate) fn read_line_capped(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    cap: usize,
) -> io::Result<Option<LineRead>> {
    buf.clear();
    let (mut consumed, mut overflow) = (0usize, false);
    // The line's last two bytes, to tell its ending even when its content was discarded.
    let mut tail = [0u8; 2];
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            if consumed == 0 {
                return Ok(None);
            }
            break;
        }
        let (take, end) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let part = &chunk[..take];
        if !overflow && buf.len() + take > cap + 2 {
            overflow = true;
            buf.clear();
        } else if !overflow {
            buf.extend_from_slice(part);
        }
        for &b in part.iter().rev().take(2).rev() {
            tail = [tail[1], b];
        }
        r.consume(take);
        consumed += take;
        if end {
            break;
        }
    }
    let ending = match tail {
        [b'\r', b'\n'] if consumed >= 2 => 2,
        [_, b'\n'] => 1,
        _ => 0,
    };
    let content = consumed - ending;
    buf.truncate(content);
    if content > cap {
        overflow = true;
        buf.clear();
    }
    Ok(Some(LineRead {
        consumed,
        overflow: overflow.then_some(content),
    }))
}

/// Checks what serde_json would accept or report vaguely: nesting deeper than `max` arrays and
/// objects, and `\u` escapes that name half of a surrogate pair.
pub(crate) fn prescan(bytes: &[u8], max: usize) -> Result<(), String> {
    let hex = |i: usize| -> Option<u16> {
        let h = std::str::from_utf8(bytes.get(i..i + 4)?).ok()?;
        u16::from_str_radix(h, 16).ok()
    };
    let (mut depth, mut in_str, mut i) = (0usize, false, 0usize);
    while let Some(&b) = bytes.get(i) {
        i += 1;
        match b {
            b'\\' if in_str => {
                if bytes.get(i) != Some(&b'u') {
                    i += 1;
                    continue;
                }
                let at = i;
                i += 5;
                let unit = match hex(at + 1) {
                    Some(u) if (0xD800..0xDC00).contains(&u) => u,
                    Some(u) if (0xDC00..0xE000).contains(&u) => {
                        return Err(format!("lone surrogate \\u{u:04x} at column {at}"));
                    }
                    _ => continue,
                };
                if bytes.get(i..i + 2) == Some(b"\\u")
                    && hex(i + 2).is_some_and(|u| (0xDC00..0xE000).contains(&u))
                {
                    i += 6;
                } else {
                    return Err(format!("lone surrogate \\u{unit:04x} at column {at}"));
                }
            }
            b'"' => in_str = !in_str,
            b'{' | b'[' if !in_str => {
                depth += 1;
                if depth > max {
                    return Err(format!(
                        "JSON nested deeper than {max} levels (recursion limit)"
                    ));
                }
            }
            b'}' | b']' if !in_str => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::jsonl::parse_line;
    use super::super::tests::{collect, jsonl_line as line, temp_file};
    use super::super::{Format, LineError};
    use super::*;

    #[test]
    fn over_long_lines_are_skipped_and_crlf_is_fine() {
        let long = line("big", &"x".repeat(MAX_LINE));
        let fits = line("fits", &"y".repeat(MAX_LINE - line("fits", "").len()));
        assert_eq!(fits.len(), MAX_LINE);
        let body = format!(
            "{}\r\n{long}\r\n{fits}\r\n{}\n",
            line("a", "first"),
            line("b", "after")
        );
        let (_dir, path) = temp_file("long.jsonl", body.as_bytes());
        let (items, errors) = collect(&path, Format::Jsonl);
        let ids: Vec<&str> = items.iter().map(|i| i.native_id.as_str()).collect();
        assert_eq!(ids, ["a", "fits", "b"]);
        assert_eq!(items[0].text, "first");
        let reason = format!(
            "line is {} bytes, longer than the 1 MiB limit; skipped",
            long.len()
        );
        assert_eq!(errors, vec![LineError { line: 2, reason }]);
    }

    #[test]
    fn prescan_accepts_pairs_and_escaped_backslashes() {
        assert_eq!(prescan(br#"{"t":"\ud83d\ude00 \\ud83d"}"#, 64), Ok(()));
        assert_eq!(
            prescan(br#"{"t":"\ude00"}"#, 64),
            Err("lone surrogate \\ude00 at column 7".into())
        );
        assert_eq!(prescan(br#"{"t":"[[[[["}"#, 2), Ok(()));
        assert!(prescan(b"[[[]]]", 2).is_err());
        let nested = format!("{{\"a\":{}{}}}", "[".repeat(63), "]".repeat(63));
        assert_eq!(prescan(nested.as_bytes(), 64), Ok(()));
        assert!(parse_line(nested.as_bytes(), &super::super::tests::ctx())
            .is_err_and(|e| e == "missing field \"platform\""));
    }

    #[test]
    fn read_line_capped_reports_lengths_without_endings() {
        let mut r: &[u8] = b"abc\r\n\nlonger line\nend";
        let mut buf = Vec::new();
        let mut next = || {
            read_line_capped(&mut r, &mut buf, 5)
                .expect("read")
                .map(|l| (l.consumed, l.overflow))
        };
        assert_eq!(next(), Some((5, None)));
        assert_eq!(next(), Some((1, None)));
        assert_eq!(next(), Some((12, Some(11))));
        assert_eq!(next(), Some((3, None)));
        assert_eq!(next(), None);
    }
}
