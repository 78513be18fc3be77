//! ### JSON lines (`.jsonl`)
//!
//! One JSON object per line, UTF-8 (a BOM is allowed) or UTF-16 with a BOM. Blank lines are
//! skipped; unknown fields are ignored; `null` is the same as an absent field.
//!
//! | field | required | value |
//! |---|---|---|
//! | `platform` | yes | any name: a known one (`mastodon`, `vk`, `google_play`, `weibo`, `x`, … and aliases such as `bsky`, `tg`, `fb`, `play`, `twitter`), else kept as written on the item (`Platform::Other`); at most 64 characters |
//! | `account` | no | our account the item came to; default: `kith import --account`, else the file name without extension |
//! | `kind` | yes | `comment`, `reply`, `mention`, `quote`, `dm`, `review` |
//! | `native_id` | yes | the platform's id of the item: string or integer |
//! | `author` | yes | object: `id` (required, string or integer), `handle`, `name`, `followers` (integer ≥ 0) |
//! | `text` | yes | string, kept byte for byte; may be empty (rating-only reviews) |
//! | `title` | no | string |
//! | `rating` | no | integer 1–5 |
//! | `created_at` | yes | RFC 3339 (`2026-03-14T09:21:07Z`, `…+03:00`), `YYYY-MM-DD HH:MM[:SS]` or `YYYY-MM-DD` (UTC), or Unix seconds / milliseconds as a number or a string |
//! | `url` | no | string |
//! | `parent_native_id`, `root_native_id`, `post_native_id` | no | thread links (string or integer): the item answered, the thread's first item, our post |
//! | `lang` | no | string, e.g. `ru` |
//! | `status` | no | `new` (default), `open`, `done`, `hidden`, `spam` |
//! | `tags` | no | array of strings |
//!
//! ```json
//! {"platform":"vk","kind":"comment","native_id":"wall-1_77","author":{"id":42,"name":"Анна"},"text":"Когда доставка?","created_at":"2026-03-14T09:21:07Z"}
//! ```
//!
//! A line that cannot be imported is reported with its line number and the reason, and the rest
//! of the file is still imported: invalid JSON (with the column), invalid UTF-8, a lone surrogate
//! (`"\ud83d"`), a NUL byte, nesting deeper than 64 levels, a line longer than 1 MiB, a missing
//! field, an unknown kind or status, a rating outside 1–5, an unreadable date, or one before 1970
//! or more than 48 hours ahead of the clock (`fields::in_range`).

use super::fields::{self, Ctx};
use super::json_obj::{type_name, Obj};
use super::lines::{prescan, read_line_capped, MAX_DEPTH, MAX_LINE};
use super::source::{BadSpots, Source};
use super::LineError;
use crate::domain::{Author, Kind, NewItem, Status, Timestamp};
use serde_json::Value;
use std::io::{BufRead, BufReader};

/// Reads a JSONL file line by line (as bytes, so a bad line never stops the stream).
pub(crate) struct Lines {
    reader: Box<dyn BufRead + Send>,
    ctx: Ctx,
    bad: BadSpots,
    buf: Vec<u8>,
    line: usize,
    offset: u64,
    done: bool,
}

impl Lines {
    pub(crate) fn new(src: Source, ctx: Ctx) -> Self {
        Lines {
            reader: Box::new(BufReader::with_capacity(64 * 1024, src.reader)),
            ctx,
            bad: src.bad,
            buf: Vec::new(),
            line: 0,
            offset: 0,
            done: false,
        }
    }
}

impl Iterator for Lines {
    type Item = Result<NewItem, LineError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let start = self.offset;
            let read = match read_line_capped(&mut self.reader, &mut self.buf, MAX_LINE) {
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(e) => {
                    self.done = true;
                    let reason = format!("read error, import stopped here: {e}");
                    return Some(Err(LineError {
                        line: self.line + 1,
                        reason,
                    }));
                }
            };
            self.line += 1;
            self.offset += read.consumed as u64;
            let err = |reason: String| {
                Some(Err(LineError {
                    line: self.line,
                    reason,
                }))
            };
            if let Some(len) = read.overflow {
                return err(format!(
                    "line is {len} bytes, longer than the 1 MiB limit; skipped"
                ));
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if self.bad.any_in(start, self.offset) {
                return err("invalid UTF-16: lone surrogate".into());
            }
            if self.buf.contains(&0) {
                return err(crate::i18n::t("import.nul_line"));
            }
            return Some(
                parse_line(&self.buf, &self.ctx).map_err(|reason| LineError {
                    line: self.line,
                    reason,
                }),
            );
        }
        self.done = true;
        None
    }
}

/// Parses one non-blank line into an item; the error is the reason for the line.
pub(crate) fn parse_line(bytes: &[u8], ctx: &Ctx) -> Result<NewItem, String> {
    let value = decode(bytes)?;
    let obj = match &value {
        Value::Object(map) => Obj { map, path: "" },
        other => {
            return Err(format!(
                "expected a JSON object, found {}",
                type_name(other)
            ))
        }
    };
    let (platform, source) = fields::platform(obj.req_str("platform")?)?;
    let kind = obj
        .req_str("kind")?
        .parse::<Kind>()
        .map_err(|e| e.to_string())?;
    let native_id = obj.req_id("native_id")?;
    let author = author(&obj)?;
    let rating = rating(&obj)?;
    let created_at = created_at(&obj, ctx.now)?;
    let status = match obj.opt_str("status")? {
        Some(s) => fields::status(&s)?,
        None => Status::New,
    };
    let tags = tags(&obj)?;
    Ok(NewItem {
        platform,
        account: obj
            .opt_str("account")?
            .unwrap_or_else(|| ctx.account.clone()),
        kind,
        native_id,
        parent_native_id: obj.opt_id("parent_native_id")?,
        root_native_id: obj.opt_id("root_native_id")?,
        post_native_id: obj.opt_id("post_native_id")?,
        author,
        text: obj.req_string("text")?.to_string(),
        title: obj.opt_str("title")?,
        lang: obj.opt_str("lang")?,
        rating,
        created_at,
        url: obj.opt_str("url")?,
        status,
        tags,
        ours: false,
        source,
    })
}

/// The line as JSON: valid UTF-8, not nested too deep, and parsed.
fn decode(bytes: &[u8]) -> Result<Value, String> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("invalid UTF-8 at column {}", e.valid_up_to() + 1))?;
    prescan(bytes, MAX_DEPTH)?;
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let msg = e.to_string();
        let msg = msg.rfind(" at line ").map_or(msg.as_str(), |i| &msg[..i]);
        format!("invalid JSON at column {}: {msg}", e.column())
    })?;
    Ok(value)
}

fn author(obj: &Obj<'_>) -> Result<Author, String> {
    let author = obj.req("author")?;
    let Value::Object(author) = author else {
        return Err(format!(
            "field \"author\" must be an object, found {}",
            type_name(author)
        ));
    };
    let author = Obj {
        map: author,
        path: "author.",
    };
    Ok(Author {
        id: author.req_id("id")?,
        handle: author.opt_str("handle")?,
        name: author.opt_str("name")?,
        followers: match author.get("followers") {
            None => None,
            Some(v) => Some(v.as_u64().ok_or_else(|| {
                format!("field \"author.followers\" must be a non-negative integer, found {v}")
            })?),
        },
    })
}

fn rating(obj: &Obj<'_>) -> Result<Option<u8>, String> {
    Ok(match obj.get("rating") {
        None => None,
        Some(Value::Number(n)) => match n.as_u64().filter(|r| (1..=5).contains(r)) {
            Some(r) => Some(r as u8),
            None => return Err(format!("rating out of range 1–5: {n}")),
        },
        Some(other) => {
            return Err(format!(
                "field \"rating\" must be an integer 1–5, found {}",
                type_name(other)
            ))
        }
    })
}

fn created_at(obj: &Obj<'_>, now: Timestamp) -> Result<Timestamp, String> {
    Ok(match obj.req("created_at")? {
        Value::String(s) => fields::date("created_at", s, now)?,
        Value::Number(n) => fields::date("created_at", &n.to_string(), now)?,
        other => {
            return Err(format!(
                "field \"created_at\" must be a string or number, found {}",
                type_name(other)
            ))
        }
    })
}

fn tags(obj: &Obj<'_>) -> Result<Vec<String>, String> {
    let mut tags = Vec::new();
    match obj.get("tags") {
        None => {}
        Some(Value::Array(list)) => {
            for t in list {
                let Value::String(t) = t else {
                    return Err(format!(
                        "field \"tags\" must hold strings, found {}",
                        type_name(t)
                    ));
                };
                fields::push_tag(&mut tags, t);
            }
        }
        Some(other) => {
            return Err(format!(
                "field \"tags\" must be an array of strings, found {}",
                type_name(other)
            ))
        }
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{collect, fixture, jsonl_line as line, temp_file};
    use super::super::{Format, LineError};
    use super::*;
    use crate::domain::{Platform, Timestamp};

    fn all(path: &std::path::Path) -> (Vec<NewItem>, Vec<LineError>) {
        collect(path, Format::Jsonl)
    }

    #[test]
    fn good_fixture_imports_every_line_exactly() {
        let (items, errors) = all(&fixture("good.jsonl"));
        assert_eq!(errors, vec![]);
        assert_eq!(items.len(), 10);
        assert_eq!(
            items[0],
            NewItem {
                platform: Platform::Vk,
                account: "club42".into(),
                kind: Kind::Comment,
                native_id: "wall-42_100".into(),
                parent_native_id: Some("wall-42_99".into()),
                root_native_id: Some("wall-42_99".into()),
                post_native_id: Some("wall-42_99".into()),
                author: Author {
                    id: "1001".into(),
                    handle: Some("anna_k".into()),
                    name: Some("Анна Ковалёва".into()),
                    followers: Some(315),
                },
                text: "Когда будет доставка в Казань? Жду уже неделю 😕".into(),
                title: None,
                lang: Some("ru".into()),
                rating: None,
                created_at: Timestamp::parse("2026-03-14T09:21:07Z").expect("date"),
                url: Some("https://vk.com/wall-42_99?reply=100".into()),
                status: Status::New,
                ours: false,
                tags: vec!["delivery".into(), "казань".into()],
                source: None,
            }
        );
        // The thread: 101 answers 100, 102 answers 101, all under post 99.
        assert_eq!(items[1].parent_native_id.as_deref(), Some("wall-42_100"));
        assert_eq!(items[2].parent_native_id.as_deref(), Some("wall-42_101"));
        assert_eq!(items[2].root_native_id.as_deref(), Some("wall-42_99"));
        assert_eq!(items[2].status, Status::Done);
        assert_eq!(items[1].created_at, Timestamp(1_773_480_600_000));
        let raw = std::fs::read(fixture("good.jsonl")).expect("read");
        let zh = &items[3];
        assert_eq!(
            zh.text.as_bytes(),
            "你好！请问这个应用支持中文吗？🙂".as_bytes()
        );
        assert!(raw.windows(zh.text.len()).any(|w| w == zh.text.as_bytes()));
        assert!(raw
            .windows(items[0].text.len())
            .any(|w| w == items[0].text.as_bytes()));
        assert_eq!(
            (zh.platform, zh.account.as_str(), zh.kind),
            (Platform::Bluesky, "file-stem", Kind::Mention)
        );
        assert_eq!(zh.created_at, Timestamp(1_773_480_067_000));
        let masto = &items[4];
        assert_eq!(masto.native_id, "112233445566778899");
        assert_eq!(masto.created_at, Timestamp(1_773_480_067_512));
        assert_eq!(
            masto.text,
            "Tabs\tand \"quotes\" and a backslash \\ survive."
        );
        assert_eq!(masto.author.followers, Some(0));
        let review = &items[5];
        assert_eq!(
            (review.kind, review.rating, review.text.as_str()),
            (Kind::Review, Some(5), "")
        );
        assert_eq!(
            review.created_at,
            Timestamp::parse("2026-02-01T09:00:00Z").expect("date")
        );
        assert_eq!(items[6].text, "Привет!\nМожно вопрос?");
        assert_eq!(
            (items[6].kind, items[6].status, items[6].author.name.clone()),
            (Kind::Dm, Status::Open, None)
        );
        assert_eq!(items[6].created_at.0 % 1000, 250);
        assert_eq!(items[8].title.as_deref(), Some("Вылетает"));
        assert_eq!(
            (items[9].platform, items[9].account.as_str()),
            (Platform::File, "file-stem")
        );
    }

    #[test]
    fn mixed_fixture_reports_each_bad_line_and_keeps_the_rest() {
        let (items, errors) = all(&fixture("mixed.jsonl"));
        let ids: Vec<&str> = items.iter().map(|i| i.native_id.as_str()).collect();
        assert_eq!(ids, ["m1", "m3", "m5", "m10", "m12", "m21"]);
        assert_eq!(
            (items[2].platform, items[2].source.as_deref()),
            (Platform::Other, Some("myspace"))
        );
        assert_eq!(items[3].text, "после суррогата 你好");
        assert_eq!(items[4].tags, ["a", "b"]);
        assert_eq!(items[5].rating, None);
        let got: Vec<(usize, &str)> = errors.iter().map(|e| (e.line, e.reason.as_str())).collect();
        let date = "bad date \"yesterday\" in created_at; use RFC 3339, YYYY-MM-DD HH:MM[:SS] or Unix seconds/milliseconds";
        assert_eq!(
            got,
            vec![
                (2, "invalid JSON at column 46: EOF while parsing a value"),
                (4, "missing field \"native_id\""),
                (6, "rating out of range 1–5: 7"),
                (7, date),
                (8, "invalid UTF-8 at column 82"),
                (9, "lone surrogate \\ud83d at column 79"),
                (11, "JSON nested deeper than 64 levels (recursion limit)"),
                (
                    14,
                    "unknown kind \"tweet\"; known: comment, reply, mention, quote, dm, review"
                ),
                (15, "missing field \"author.id\""),
                (16, "expected a JSON object, found string"),
                (17, "rating out of range 1–5: 4.5"),
                (18, "field \"text\" must be a string, found number"),
                (
                    19,
                    "status snoozed cannot be imported; use new, open, done, hidden or spam"
                ),
            ]
        );
    }

    #[test]
    fn utf16_lone_surrogate_line_is_an_error_and_the_next_line_imports() {
        let mut units: Vec<u16> = line("a", "A").encode_utf16().collect();
        let at = units.iter().position(|&u| u == u16::from(b'A')).expect("A");
        units[at] = 0xD83D;
        units.push(u16::from(b'\n'));
        units.extend(line("b", "Б").encode_utf16());
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(units.iter().flat_map(|u| u.to_le_bytes()));
        let (_dir, path) = temp_file("u16.jsonl", &bytes);
        let (items, errors) = all(&path);
        assert_eq!(
            errors,
            vec![LineError {
                line: 1,
                reason: "invalid UTF-16: lone surrogate".into()
            }]
        );
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].text, "Б");
    }

    #[test]
    fn a_nul_byte_early_fails_only_its_line() {
        let body = format!(
            "{}\n{{\"platform\":\"vk\",\0}}\n{}\n{}\n",
            line("a", "first"),
            line("b", "second"),
            line("c", "third")
        );
        let (_dir, path) = temp_file("nul.jsonl", body.as_bytes());
        let (items, errors) = all(&path);
        assert_eq!(
            errors,
            vec![LineError {
                line: 2,
                reason: "the line has a NUL byte (binary data?)".into()
            }]
        );
        let ids: Vec<&str> = items.iter().map(|i| i.native_id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
    }

    #[test]
    fn any_platform_name_imports_known_ones_by_their_entry() {
        let body = ["weibo", "X", "LinkedIn", "myspace"]
            .iter()
            .enumerate()
            .map(|(i, p)| line(&i.to_string(), "t").replace("\"vk\"", &format!("{p:?}")))
            .collect::<Vec<_>>()
            .join("\n");
        let (_dir, path) = temp_file("p.jsonl", body.as_bytes());
        let (items, errors) = all(&path);
        assert_eq!(errors, vec![]);
        let got: Vec<(Platform, Option<&str>)> = items
            .iter()
            .map(|i| (i.platform, i.source.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (Platform::Weibo, None),
                (Platform::X, None),
                (Platform::Linkedin, None),
                (Platform::Other, Some("myspace")),
            ]
        );
    }
}
