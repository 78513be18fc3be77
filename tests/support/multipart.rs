//! Reads a `multipart/form-data` body as a server does: each part's field name, file name,
//! type and exact bytes.

/// One part of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `key="value"` from a `Content-Disposition` header.
fn param(header: &str, key: &str) -> Option<String> {
    header.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        (k.eq_ignore_ascii_case(key)).then(|| v.trim_matches('"').to_string())
    })
}

/// The parts of `body`, sent with `content_type` (`multipart/form-data; boundary=…`); `None`
/// when it is not a well-formed form.
pub fn parse(content_type: &str, body: &[u8]) -> Option<Vec<Part>> {
    let boundary = param(content_type, "boundary")?;
    let delim = format!("\r\n--{boundary}").into_bytes();
    // The body starts with the delimiter minus its CRLF: put it back so every part looks alike.
    let mut rest: Vec<u8> = b"\r\n".to_vec();
    rest.extend_from_slice(body);
    let mut rest = rest.as_slice();
    rest = &rest[find(rest, &delim)? + delim.len()..];
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let end = find(rest, &delim)?;
        let (part, after) = rest.split_at(end);
        rest = &after[delim.len()..];
        let head_end = find(part, b"\r\n\r\n")?;
        let head = std::str::from_utf8(&part[..head_end]).ok()?;
        let mut p = Part {
            name: String::new(),
            file_name: None,
            content_type: None,
            data: part[head_end + 4..].to_vec(),
        };
        for line in head.split("\r\n") {
            let (k, v) = line.split_once(':')?;
            if k.eq_ignore_ascii_case("content-disposition") {
                p.name = param(v, "name")?;
                p.file_name = param(v, "filename");
            } else if k.eq_ignore_ascii_case("content-type") {
                p.content_type = Some(v.trim().to_string());
            }
        }
        parts.push(p);
    }
}
