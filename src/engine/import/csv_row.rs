//! Generic CSV columns: header names and their synonyms, and turning a record into an item.

use super::fields::{self, Ctx};
use crate::domain::{Author, Kind, NewItem, Platform, Status};
use csv::ByteRecord;

#[derive(Clone, Copy)]
pub(crate) enum F {
    NativeId,
    Text,
    CreatedAt,
    Platform,
    Account,
    Kind,
    AuthorId,
    AuthorHandle,
    AuthorName,
    Followers,
    Title,
    Rating,
    Url,
    Parent,
    Root,
    Post,
    Lang,
    Status,
    Tags,
}

const SYNONYMS: [(F, &[&str]); 19] = [
    (F::NativeId, &["native_id", "id", "review_id"]),
    (
        F::Text,
        &["text", "body", "comment", "message", "review", "content"],
    ),
    (F::CreatedAt, &["created_at", "date", "time", "timestamp"]),
    (F::Platform, &["platform"]),
    (F::Account, &["account"]),
    (F::Kind, &["kind"]),
    (F::AuthorId, &["author_id", "author", "user_id"]),
    (F::AuthorHandle, &["author_handle", "handle", "username"]),
    (F::AuthorName, &["author_name", "name", "display_name"]),
    (F::Followers, &["followers"]),
    (F::Title, &["title"]),
    (F::Rating, &["rating", "stars", "score"]),
    (F::Url, &["url", "link"]),
    (F::Parent, &["parent_native_id", "parent_id", "in_reply_to"]),
    (F::Root, &["root_native_id"]),
    (F::Post, &["post_native_id", "post_id"]),
    (F::Lang, &["lang", "language"]),
    (F::Status, &["status"]),
    (F::Tags, &["tags"]),
];

/// Where each field is in a generic CSV (indexed by `F as usize`).
pub(crate) struct Columns([Option<usize>; 19]);

impl Columns {
    pub(crate) fn find(norm: &[String]) -> Result<Columns, String> {
        let mut cols = [None; 19];
        for (f, names) in SYNONYMS {
            cols[f as usize] = names.iter().find_map(|n| norm.iter().position(|h| h == n));
            if cols[f as usize].is_none() && matches!(f, F::NativeId | F::Text | F::CreatedAt) {
                return Err(names.join("|"));
            }
        }
        Ok(Columns(cols))
    }

    pub(crate) fn get(&self, f: F) -> Option<usize> {
        self.0[f as usize]
    }
}

/// One record with access to cells by column, decoding UTF-8 per cell.
pub(crate) struct Row<'a> {
    pub rec: &'a ByteRecord,
    pub headers: &'a [String],
}

impl<'a> Row<'a> {
    /// The cell as is (not trimmed).
    pub(crate) fn raw(&self, i: usize) -> Result<&'a str, String> {
        let b = self.rec.get(i).unwrap_or_default();
        std::str::from_utf8(b).map_err(|e| {
            let name = self.headers.get(i).map_or("?", String::as_str);
            format!(
                "invalid UTF-8 in column {} at byte {}",
                fields::quoted(name),
                e.valid_up_to() + 1
            )
        })
    }

    /// The trimmed cell, `None` when the column is absent or the cell blank.
    pub(crate) fn opt(&self, i: Option<usize>) -> Result<Option<&'a str>, String> {
        let Some(i) = i else { return Ok(None) };
        let s = self.raw(i)?.trim();
        Ok((!s.is_empty()).then_some(s))
    }

    pub(crate) fn header(&self, i: usize) -> &'a str {
        self.headers.get(i).map_or("?", String::as_str)
    }
}

pub(crate) fn generic_item(row: &Row<'_>, cols: &Columns, ctx: &Ctx) -> Result<NewItem, String> {
    let opt = |f: F| row.opt(cols.get(f));
    let owned = |f: F| opt(f).map(|o| o.map(str::to_string));
    let (platform, source) = match opt(F::Platform)? {
        Some(p) => fields::platform(p)?,
        None => (Platform::File, None),
    };
    let kind = match opt(F::Kind)? {
        Some(k) => k.parse::<Kind>().map_err(|e| e.to_string())?,
        None if cols.get(F::Rating).is_some() => Kind::Review,
        None => Kind::Comment,
    };
    let native_id = opt(F::NativeId)?.ok_or_else(|| "native_id is empty".to_string())?;
    let created_raw = opt(F::CreatedAt)?.ok_or_else(|| "created_at is empty".to_string())?;
    let handle = owned(F::AuthorHandle)?;
    let author_id = match (opt(F::AuthorId)?, &handle) {
        (Some(id), _) => id.to_string(),
        (None, Some(h)) => h.clone(),
        (None, None) => format!(
            "{}:{native_id}",
            source.as_deref().unwrap_or(platform.as_str())
        ),
    };
    let text = match cols.get(F::Text) {
        Some(i) => row.raw(i)?.to_string(),
        None => String::new(),
    };
    Ok(NewItem {
        platform,
        account: owned(F::Account)?.unwrap_or_else(|| ctx.account.clone()),
        kind,
        native_id: native_id.to_string(),
        parent_native_id: owned(F::Parent)?,
        root_native_id: owned(F::Root)?,
        post_native_id: owned(F::Post)?,
        author: Author {
            id: author_id,
            handle,
            name: owned(F::AuthorName)?,
            followers: opt(F::Followers)?.map(fields::followers_text).transpose()?,
        },
        text,
        title: owned(F::Title)?,
        lang: owned(F::Lang)?,
        rating: opt(F::Rating)?.map(fields::rating_text).transpose()?,
        created_at: fields::date(
            row.header(cols.get(F::CreatedAt).unwrap_or_default()),
            created_raw,
            ctx.now,
        )?,
        url: owned(F::Url)?,
        status: opt(F::Status)?
            .map(fields::status)
            .transpose()?
            .unwrap_or(Status::New),
        tags: opt(F::Tags)?.map(fields::tags_text).unwrap_or_default(),
        ours: false,
        source,
    })
}

/// The header names for an error message, cut after 30.
pub(crate) fn list(headers: &[String]) -> String {
    let mut s = headers
        .iter()
        .take(30)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if headers.len() > 30 {
        s.push_str(&format!(", … ({} more)", headers.len() - 30));
    }
    s
}

/// The separator most used in the first line (outside quotes): `,` `;` or tab; `,` on a tie.
pub(crate) fn sniff_delimiter(prefix: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    for &b in prefix {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => break,
            b',' if !in_quotes => counts[0] += 1,
            b';' if !in_quotes => counts[1] += 1,
            b'\t' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let delims = [b',', b';', b'\t'];
    let best = (0..3).fold(0, |best, i| if counts[i] > counts[best] { i } else { best });
    delims[best]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_sniffing() {
        assert_eq!(sniff_delimiter(b"a,b;c,d\n1;2;3;4;5;6"), b',');
        assert_eq!(sniff_delimiter(b"a;b;\"c,d,e\"\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter(b"single"), b',');
    }
}
