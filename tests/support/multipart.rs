//! What a fake server reads from a `multipart/form-data` request (a picture upload): each part's
//! name, file name, type and exact bytes; and the fields of a form-encoded request.

use wiremock::Request;

/// One part of a multipart body.
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

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// A quoted parameter of a header line (`name="source"`, `boundary="x"` or `boundary=x`).
fn param(line: &str, key: &str) -> Option<String> {
    line.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(key)
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

/// The parts of `body` sent with `content_type` (`multipart/form-data; boundary=…`), in order;
/// `None` when it is not a well-formed form.
pub fn parse(content_type: &str, body: &[u8]) -> Option<Vec<Part>> {
    if !content_type.starts_with("multipart/form-data") {
        return None;
    }
    let boundary = param(content_type, "boundary")?;
    let delim = format!("--{boundary}").into_bytes();
    let mut out = Vec::new();
    let mut at = find(body, &delim, 0)? + delim.len();
    loop {
        if body.get(at..at + 2) == Some(b"--".as_slice()) {
            return Some(out);
        }
        at += 2; // CRLF after the boundary
        let head_end = find(body, b"\r\n\r\n", at)?;
        let head = String::from_utf8_lossy(&body[at..head_end]).into_owned();
        let start = head_end + 4;
        let next = find(body, &delim, start)?;
        let bytes = body.get(start..next.checked_sub(2)?)?.to_vec(); // CRLF before the boundary
        let mut part = Part {
            name: String::new(),
            file_name: None,
            content_type: None,
            bytes,
        };
        for line in head.split("\r\n") {
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("content-disposition:") {
                part.name = param(line, "name").unwrap_or_default();
                part.file_name = param(line, "filename");
            } else if lower.starts_with("content-type:") {
                part.content_type = Some(line["content-type:".len()..].trim().to_string());
            }
        }
        out.push(part);
        at = next + delim.len();
    }
}

/// The parts of `r`'s body, in order (empty when it is not multipart).
pub fn parts(r: &Request) -> Vec<Part> {
    let ct = r
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    parse(ct, &r.body).unwrap_or_default()
}

/// The part named `name`.
pub fn part<'a>(parts: &'a [Part], name: &str) -> Option<&'a Part> {
    parts.iter().find(|p| p.name == name)
}

/// The fields of a form-encoded body, in order.
pub fn form(r: &Request) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&r.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// One field of a form-encoded body.
pub fn field(r: &Request, key: &str) -> Option<String> {
    form(r).into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Matches requests whose raw body holds these bytes (a picture's, whatever their encoding).
pub struct BodyHas(pub Vec<u8>);

impl wiremock::Match for BodyHas {
    fn matches(&self, r: &Request) -> bool {
        !self.0.is_empty() && r.body.windows(self.0.len()).any(|w| w == self.0.as_slice())
    }
}
