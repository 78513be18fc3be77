//! `multipart/form-data` bodies as a local server received them: each part's name, file name,
//! type and exact bytes, so tests check what a file upload carried.

use wiremock::Request;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl Part {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// The parts of a multipart request, in order (empty when it is not one).
pub fn parts(req: &Request) -> Vec<Part> {
    let ct = req
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !ct.starts_with("multipart/form-data") {
        return Vec::new();
    }
    let Some(boundary) = ct
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_string())
    else {
        return Vec::new();
    };
    parse(&req.body, &boundary)
}

/// Splits `body` at `--boundary` lines.
pub fn parse(body: &[u8], boundary: &str) -> Vec<Part> {
    let delim = format!("\r\n--{boundary}").into_bytes();
    // The first delimiter has no line break before it.
    let mut all = b"\r\n".to_vec();
    all.extend_from_slice(body);
    let mut out = Vec::new();
    let mut chunks = split(&all, &delim).into_iter();
    chunks.next(); // the preamble
    for chunk in chunks {
        if chunk.starts_with(b"--") {
            break; // the closing delimiter
        }
        let chunk = chunk.strip_prefix(b"\r\n").unwrap_or(chunk);
        let Some(at) = find(chunk, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&chunk[..at]).into_owned();
        let bytes = chunk[at + 4..].to_vec();
        let mut part = Part {
            name: String::new(),
            file_name: None,
            content_type: None,
            bytes,
        };
        for line in head.split("\r\n") {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            match k.trim().to_ascii_lowercase().as_str() {
                "content-disposition" => {
                    for p in v.split(';').map(str::trim) {
                        if let Some(n) = p.strip_prefix("name=") {
                            part.name = n.trim_matches('"').to_string();
                        } else if let Some(f) = p.strip_prefix("filename=") {
                            part.file_name = Some(f.trim_matches('"').to_string());
                        }
                    }
                }
                "content-type" => part.content_type = Some(v.trim().to_string()),
                _ => {}
            }
        }
        out.push(part);
    }
    out
}

/// The part named `name`.
pub fn field<'a>(parts: &'a [Part], name: &str) -> Option<&'a Part> {
    parts.iter().find(|p| p.name == name)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn split<'a>(hay: &'a [u8], delim: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = hay;
    while let Some(at) = find(rest, delim) {
        out.push(&rest[..at]);
        rest = &rest[at + delim.len()..];
    }
    out.push(rest);
    out
}
