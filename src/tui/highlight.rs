//! Links, @mentions and #hashtags in a post's text, for the composer's preview. Pure: the
//! text cut into runs, each with what it is.

/// What a run of text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Plain,
    Link,
    Mention,
    Tag,
}

fn word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Length in bytes of a link at the start of `s` (trailing punctuation is not part of it).
fn link_len(s: &str) -> Option<usize> {
    let scheme = ["https://", "http://"]
        .iter()
        .find(|p| s.starts_with(*p))?
        .len();
    let mut end = s.find(char::is_whitespace).unwrap_or(s.len());
    while end > scheme && s[..end].ends_with(['.', ',', '!', '?', ')', ':', ';', '"', '\'']) {
        end -= 1;
    }
    (end > scheme).then_some(end)
}

/// `@user` or `@user@domain.tld` at the start of `s`.
fn mention_len(s: &str) -> Option<usize> {
    let rest = s.strip_prefix('@')?;
    let user = rest.find(|c: char| !word_char(c)).unwrap_or(rest.len());
    if user == 0 {
        return None;
    }
    let mut len = 1 + user;
    if let Some(dom) = rest[user..].strip_prefix('@') {
        let d = dom
            .find(|c: char| !(word_char(c) || c == '.' || c == '-'))
            .unwrap_or(dom.len());
        let d = dom[..d].trim_end_matches('.').len();
        if dom[..d].contains('.') {
            len += 1 + d;
        }
    }
    Some(len)
}

/// `#tag` at the start of `s`: at least one letter (`#1` is a number, not a tag).
fn tag_len(s: &str) -> Option<usize> {
    let rest = s.strip_prefix('#')?;
    let n = rest.find(|c: char| !word_char(c)).unwrap_or(rest.len());
    rest[..n].chars().any(char::is_alphabetic).then_some(1 + n)
}

/// The text as runs; concatenated they give back the text exactly.
pub fn runs(text: &str) -> Vec<(Mark, &str)> {
    let mut out: Vec<(Mark, &str)> = Vec::new();
    let mut plain_from = 0;
    let mut i = 0;
    let mut prev: Option<char> = None;
    while i < text.len() {
        let rest = &text[i..];
        let at_start = prev.is_none_or(|c| !word_char(c) && c != '@' && c != '/');
        let found = if at_start {
            link_len(rest)
                .map(|n| (Mark::Link, n))
                .or_else(|| mention_len(rest).map(|n| (Mark::Mention, n)))
                .or_else(|| tag_len(rest).map(|n| (Mark::Tag, n)))
        } else {
            None
        };
        match found {
            Some((mark, n)) => {
                if plain_from < i {
                    out.push((Mark::Plain, &text[plain_from..i]));
                }
                out.push((mark, &text[i..i + n]));
                i += n;
                plain_from = i;
                prev = text[..i].chars().next_back();
            }
            None => {
                let c = rest.chars().next().unwrap_or(' ');
                i += c.len_utf8();
                prev = Some(c);
            }
        }
    }
    if plain_from < text.len() {
        out.push((Mark::Plain, &text[plain_from..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_links_mentions_and_tags() {
        let s =
            "Новая лампа #lumo_灯 от @anna@mastodon.social, см. https://lumo.example/x. a@b #1 @";
        let r = runs(s);
        assert_eq!(r.iter().map(|(_, x)| *x).collect::<String>(), s);
        let marked: Vec<(Mark, &str)> = r.into_iter().filter(|(m, _)| *m != Mark::Plain).collect();
        assert_eq!(
            marked,
            vec![
                (Mark::Tag, "#lumo_灯"),
                (Mark::Mention, "@anna@mastodon.social"),
                (Mark::Link, "https://lumo.example/x"),
            ]
        );
        assert_eq!(runs(""), vec![]);
    }
}
