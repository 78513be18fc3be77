//! Mastodon status HTML → plain text.
//!
//! Statuses arrive as sanitized HTML (`<p>`, `<br>`, `<a>`, `<span>`, and from remote servers a
//! few rich-text tags). kith stores plain text, so this keeps what a reader sees: paragraphs,
//! line breaks, `@mentions`, `#hashtags`, and links in full. It is a forgiving scanner, not a
//! parser: broken markup degrades to literal text and never panics. Text is otherwise passed
//! through unchanged (control characters included): sanitizing is the UI's job.

/// Converts status HTML to plain text.
pub fn to_text(html: &str) -> String {
    let mut out = String::new();
    let mut link: Option<Link> = None;
    // Inside <script>/<style>: drop the content (never sent by Mastodon, but cheap to guard).
    let mut skip_until: Option<&'static str> = None;
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            emit(&mut out, &mut link, skip_until.is_none(), &decode(rest));
            break;
        };
        if lt > 0 {
            emit(
                &mut out,
                &mut link,
                skip_until.is_none(),
                &decode(&rest[..lt]),
            );
        }
        let after = &rest[lt..];
        let Some(gt) = after.find('>') else {
            // A lone '<' with no tag end: literal text.
            emit(&mut out, &mut link, skip_until.is_none(), &decode(after));
            break;
        };
        let tag = Tag::parse(&after[1..gt]);
        rest = &after[gt + 1..];
        let Some(tag) = tag else {
            // Not a tag ("a < b > c"): keep the text literally.
            emit(
                &mut out,
                &mut link,
                skip_until.is_none(),
                &decode(&after[..=gt]),
            );
            continue;
        };
        if let Some(end) = skip_until {
            if tag.closing && tag.name == end {
                skip_until = None;
            }
            continue;
        }
        match (tag.name.as_str(), tag.closing) {
            ("script", false) => skip_until = Some("script"),
            ("style", false) => skip_until = Some("style"),
            ("br", _) => emit(&mut out, &mut link, true, "\n"),
            (
                "p" | "blockquote" | "pre" | "ul" | "ol" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6",
                false,
            ) => {
                finish_link(&mut out, &mut link);
                paragraph_break(&mut out);
            }
            ("li", false) => {
                finish_link(&mut out, &mut link);
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str("- ");
            }
            ("a", false) => {
                finish_link(&mut out, &mut link);
                link = Some(Link {
                    href: tag.attr("href").unwrap_or_default(),
                    class: tag.attr("class").unwrap_or_default(),
                    text: String::new(),
                });
            }
            ("a", true) => finish_link(&mut out, &mut link),
            _ => {}
        }
    }
    finish_link(&mut out, &mut link);
    out
}

struct Link {
    href: String,
    class: String,
    /// All text inside the link, including Mastodon's `invisible` spans (the parts of a long URL
    /// it hides), so a shortened link is rebuilt in full.
    text: String,
}

fn emit(out: &mut String, link: &mut Option<Link>, on: bool, s: &str) {
    if !on {
        return;
    }
    match link {
        Some(l) => l.text.push_str(s),
        None => out.push_str(s),
    }
}

/// Writes a finished link: mentions and hashtags as their text, a URL shown as itself in full,
/// other links as `text (href)` so the destination is never hidden.
fn finish_link(out: &mut String, link: &mut Option<Link>) {
    let Some(l) = link.take() else { return };
    let text = l.text;
    let href = l.href.trim();
    let classes: Vec<&str> = l.class.split_whitespace().collect();
    let is_tag_or_mention = classes.contains(&"mention")
        || classes.contains(&"hashtag")
        || text.starts_with('@')
        || text.starts_with('#');
    if href.is_empty() || is_tag_or_mention || same_url(&text, href) {
        out.push_str(&text);
    } else if href
        .strip_prefix("https://")
        .or_else(|| href.strip_prefix("http://"))
        .is_some_and(|bare| same_url(&text, bare))
    {
        // Visible text is the URL without its scheme: show the full URL.
        out.push_str(href);
    } else {
        out.push_str(&text);
        out.push_str(" (");
        out.push_str(href);
        out.push(')');
    }
}

fn same_url(text: &str, href: &str) -> bool {
    let t = text.trim().trim_end_matches('/');
    let h = href.trim_end_matches('/');
    t == h
}

fn paragraph_break(out: &mut String) {
    if out.is_empty() {
        return;
    }
    let trailing = out.len() - out.trim_end_matches('\n').len();
    for _ in trailing..2 {
        out.push('\n');
    }
}

struct Tag {
    name: String,
    closing: bool,
    attrs: Vec<(String, String)>,
}

impl Tag {
    /// Parses the inside of `<...>`; `None` when it does not look like a tag.
    fn parse(inner: &str) -> Option<Tag> {
        let (closing, body) = match inner.strip_prefix('/') {
            Some(b) => (true, b),
            None => (false, inner),
        };
        let body = body.trim_end_matches('/');
        let name_len = body
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(body.len());
        if name_len == 0 || !body.as_bytes()[0].is_ascii_alphabetic() {
            // Comments and doctypes are tags too, just ignored.
            return inner.starts_with('!').then(|| Tag {
                name: "!".into(),
                closing: false,
                attrs: Vec::new(),
            });
        }
        let name = body[..name_len].to_ascii_lowercase();
        Some(Tag {
            name,
            closing,
            attrs: parse_attrs(&body[name_len..]),
        })
    }

    fn attr(&self, name: &str) -> Option<String> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

fn parse_attrs(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        let key_len = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        if key_len == 0 {
            rest = rest[1..].trim_start();
            continue;
        }
        let key = rest[..key_len].to_ascii_lowercase();
        rest = rest[key_len..].trim_start();
        let mut value = String::new();
        if let Some(r) = rest.strip_prefix('=') {
            let r = r.trim_start();
            let (v, after) = match r.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let inner = &r[1..];
                    match inner.find(q) {
                        Some(end) => (&inner[..end], &inner[end + 1..]),
                        None => (inner, ""),
                    }
                }
                _ => {
                    let end = r.find(char::is_whitespace).unwrap_or(r.len());
                    (&r[..end], &r[end..])
                }
            };
            value = decode(v);
            rest = after.trim_start();
        }
        out.push((key, value));
    }
    out
}

/// Decodes HTML character references; unknown or broken ones stay literal.
pub fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        // References are short; look for ';' within a small window only.
        let semi = after
            .char_indices()
            .take(12)
            .find(|&(_, c)| c == ';')
            .map(|(i, _)| i);
        let decoded = semi.and_then(|end| entity(&after[1..end]).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_breaks_and_mentions() {
        let html = "<p><span class=\"h-card\"><a href=\"https://our.example/@shop\" class=\"u-url mention\">@<span>shop</span></a></span> Merci ! Colis reçu à Zürich 🎉</p><p>Line one<br>line two<br />three</p>";
        assert_eq!(
            to_text(html),
            "@shop Merci ! Colis reçu à Zürich 🎉\n\nLine one\nline two\nthree"
        );
    }

    #[test]
    fn hashtags_and_remote_mentions_keep_their_text() {
        let html = r#"<p>Hi <a href="https://a.example/@lea" class="u-url mention">@<span>lea@a.example</span></a> <a href="https://our.example/tags/rust" class="mention hashtag" rel="tag">#<span>Rust</span></a></p>"#;
        assert_eq!(to_text(html), "Hi @lea@a.example #Rust");
    }

    #[test]
    fn shortened_links_are_rebuilt_in_full() {
        let html = r#"<p>See <a href="https://example.com/a/very/long/path?q=1" rel="nofollow noopener" target="_blank"><span class="invisible">https://</span><span class="ellipsis">example.com/a/very/lo</span><span class="invisible">ng/path?q=1</span></a> now</p>"#;
        assert_eq!(
            to_text(html),
            "See https://example.com/a/very/long/path?q=1 now"
        );
    }

    #[test]
    fn truncated_link_without_hidden_parts_shows_href() {
        let html = r#"<a href="https://example.com/a/very/long/path"><span class="ellipsis">example.com/a/ve</span></a>"#;
        assert_eq!(
            to_text(html),
            "example.com/a/ve (https://example.com/a/very/long/path)"
        );
        let html = r#"<a href="https://evil.example/">https://bank.example</a>"#;
        assert_eq!(
            to_text(html),
            "https://bank.example (https://evil.example/)"
        );
        let html = r#"<a href="https://example.com/x">x</a>"#;
        assert_eq!(to_text(html), "x (https://example.com/x)");
        let html = r#"<a href="https://example.com/x">example.com/x</a>"#;
        assert_eq!(to_text(html), "https://example.com/x");
        let html = r#"<a href="https://example.com/">https://example.com</a>"#;
        assert_eq!(to_text(html), "https://example.com");
    }

    #[test]
    fn entities_decode() {
        assert_eq!(
            to_text("<p>a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; &#233; &#x1F600; &apos;</p>"),
            "a & b <c> \"d\" 'e' é 😀 '"
        );
        assert_eq!(
            decode("&unknown; & &#xZZ; &#1114112; &amp"),
            "&unknown; & &#xZZ; &#1114112; &amp"
        );
    }

    #[test]
    fn broken_html_never_panics() {
        for s in [
            "<",
            ">",
            "<<<>>>",
            "<p",
            "<a href=\"x",
            "<a href='x'>unclosed",
            "</a></p>",
            "&",
            "&#",
            "&#x;",
            "<p>é<br",
            "a < b > c",
            "<!-- c --> x",
            "<a href=>t</a>",
            "<🎉>",
            "<a\u{0}>",
            "<script>x</script>y",
            "é&",
            "<a =\"x\">q</a>",
        ] {
            let _ = to_text(s);
        }
        assert_eq!(to_text("a < b and c > d"), "a < b and c > d");
        assert_eq!(to_text("<a href='x'>unclosed"), "unclosed (x)");
        assert_eq!(to_text("<script>bad()</script>ok"), "ok");
    }

    #[test]
    fn control_characters_pass_through() {
        let s = "a\u{1b}[2Jb\tc\rd\u{202E}e\u{200B}f";
        assert_eq!(to_text(&format!("<p>{s}</p>")), s);
    }
}
