//! ### CSV (`.csv`)
//!
//! UTF-8 (with or without BOM) or UTF-16 with a BOM; the separator (`,` `;` or tab) is taken from
//! the header line; fields may be quoted and span lines (RFC 4180). The first row names the
//! columns, matched case-insensitively (spaces and `-` count as `_`); the first name listed wins:
//!
//! | field | column names | |
//! |---|---|---|
//! | native id | `native_id`, `id`, `review_id` | required |
//! | text | `text`, `body`, `comment`, `message`, `review`, `content` | required (cells may be empty) |
//! | created at | `created_at`, `date`, `time`, `timestamp` | required; same forms as JSONL |
//! | platform | `platform` | default `file` |
//! | account | `account` | default: `--account`, else the file name without extension |
//! | kind | `kind` | default `review` when there is a rating column, else `comment` |
//! | author id | `author_id`, `author`, `user_id` | default: the handle, else `PLATFORM:NATIVE_ID` |
//! | author handle / name | `author_handle`, `handle`, `username` / `author_name`, `name`, `display_name` | |
//! | followers | `followers` | whole number |
//! | title | `title` | |
//! | rating | `rating`, `stars`, `score` | 1–5 (`4` or `4.0`) |
//! | url | `url`, `link` | |
//! | thread | `parent_native_id`, `parent_id`, `in_reply_to`; `root_native_id`; `post_native_id`, `post_id` | |
//! | language | `lang`, `language` | |
//! | status | `status` | `new` (default), `open`, `done`, `hidden`, `spam` |
//! | tags | `tags` | separated by `,` or `;` |
//!
//! Other columns are ignored; empty cells count as absent; rows whose cells are all empty are
//! skipped. A row with the wrong number of fields or a bad value is reported with the line it
//! starts on, and the rest are still imported. A record longer than 1 MiB (usually an unbalanced
//! quote) stops the import at that line.
//!
//! **Google Play** review exports (Play Console → Download reports → Reviews; UTF-16) are
//! recognised by their `Package Name` and `Star Rating` columns; see `play.rs` for the mapping.

use super::csv_row::{generic_item, list, sniff_delimiter, Columns, Row};
use super::guard::{Guard, BUFFER};
use super::play;
use super::source::{BadSpots, Source};
use super::{ImportError, LineError};
use crate::domain::NewItem;
use csv::ByteRecord;

enum Mapping {
    Generic(Columns),
    Play(play::Columns),
}

/// Reads CSV records one by one.
pub(crate) struct Records {
    reader: csv::Reader<Guard>,
    headers: Vec<String>,
    mapping: Mapping,
    default_account: String,
    bad: BadSpots,
    rec: ByteRecord,
    done: bool,
}

impl Records {
    pub(crate) fn new(
        src: Source,
        default_account: &str,
        file: &str,
    ) -> Result<Records, ImportError> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(sniff_delimiter(&src.prefix))
            .flexible(true)
            .buffer_capacity(BUFFER)
            .from_reader(Guard::new(src.reader));
        let raw = reader.byte_headers().map_err(|e| ImportError::Io {
            file: file.to_string(),
            error: e.into(),
        })?;
        let mut headers = Vec::with_capacity(raw.len());
        for h in raw {
            let h = std::str::from_utf8(h).map_err(|_| ImportError::NotJsonlOrCsv {
                file: file.to_string(),
                reason: "the CSV header is not UTF-8 text; save the file as CSV UTF-8".into(),
            })?;
            headers.push(h.trim_start_matches('\u{feff}').trim().to_string());
        }
        let norm: Vec<String> = headers
            .iter()
            .map(|h| h.to_lowercase().replace([' ', '-'], "_"))
            .collect();
        let missing = |column: String| ImportError::MissingColumn {
            file: file.to_string(),
            column,
            has: list(&headers),
        };
        let mapping = if play::is_play(&norm) {
            Mapping::Play(play::Columns::find(&norm).map_err(missing)?)
        } else {
            Mapping::Generic(Columns::find(&norm).map_err(missing)?)
        };
        reader.get_mut().mark();
        Ok(Records {
            reader,
            headers,
            mapping,
            default_account: default_account.to_string(),
            bad: src.bad,
            rec: ByteRecord::new(),
            done: false,
        })
    }

    /// Reads the next record: `None` at the end, `Some(None)` for a blank row.
    fn record(&mut self) -> Option<Option<Result<NewItem, LineError>>> {
        let before = self.reader.position().clone();
        match self.reader.read_byte_record(&mut self.rec) {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => {
                // The record starts on the next line, unless a CRLF's LF is still unread.
                let cr = before
                    .byte()
                    .checked_sub(1)
                    .and_then(|b| self.reader.get_ref().byte_at(b))
                    == Some(b'\r');
                let line = before.line() as usize + usize::from(cr);
                let reason = if self.reader.get_ref().tripped {
                    self.done = true;
                    "record longer than 1 MiB (an unbalanced quote?); import stopped here"
                        .to_string()
                } else if let csv::ErrorKind::Io(io) = e.kind() {
                    self.done = true;
                    format!("read error, import stopped here: {io}")
                } else {
                    e.to_string()
                };
                return Some(Some(Err(LineError { line, reason })));
            }
        }
        self.reader.get_mut().mark();
        let start = self.rec.position().map_or(before.byte(), |p| p.byte());
        let end = self.reader.position().clone();
        let line = self.start_line(&end);
        let err = |reason: String| Some(Some(Err(LineError { line, reason })));
        if self
            .rec
            .iter()
            .all(|f| f.iter().all(u8::is_ascii_whitespace))
        {
            return Some(None);
        }
        if self.rec.len() != self.headers.len() {
            return err(format!(
                "expected {} fields, found {}",
                self.headers.len(),
                self.rec.len()
            ));
        }
        if self.bad.any_in(start, end.byte()) {
            return err("invalid UTF-16: lone surrogate".into());
        }
        let row = Row {
            rec: &self.rec,
            headers: &self.headers,
        };
        let item = match &self.mapping {
            Mapping::Generic(cols) => generic_item(&row, cols, &self.default_account),
            Mapping::Play(cols) => play::item(&row, cols, &self.default_account),
        };
        Some(Some(item.map_err(|reason| LineError { line, reason })))
    }

    /// The line the record just read starts on. The csv crate's own record position counts from
    /// the end of the previous record (before blank lines and a CRLF's LF), so work back from the
    /// record's end instead: its last line, less the line breaks inside its fields.
    fn start_line(&self, end: &csv::Position) -> usize {
        let lf_ended = end
            .byte()
            .checked_sub(1)
            .and_then(|b| self.reader.get_ref().byte_at(b))
            == Some(b'\n');
        let last = (end.line() as usize).saturating_sub(usize::from(lf_ended));
        let inside: usize = self
            .rec
            .iter()
            .map(|f| f.iter().filter(|&&b| b == b'\n').count())
            .sum();
        last.saturating_sub(inside).max(1)
    }
}

impl Iterator for Records {
    type Item = Result<NewItem, LineError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match self.record() {
                None => self.done = true,
                Some(None) => continue,
                Some(item) => return item,
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{collect, fixture, temp_file};
    use super::super::Format;
    use super::*;
    use crate::domain::{Author, Kind, Platform, Status, Timestamp};

    fn all(path: &std::path::Path) -> (Vec<NewItem>, Vec<(usize, String)>) {
        let (items, errors) = collect(path, Format::Csv);
        (
            items,
            errors.into_iter().map(|e| (e.line, e.reason)).collect(),
        )
    }

    fn errs(list: &[(usize, &str)]) -> Vec<(usize, String)> {
        list.iter().map(|(l, r)| (*l, r.to_string())).collect()
    }

    const DATE_HINT: &str = "; use RFC 3339, YYYY-MM-DD HH:MM[:SS] or Unix seconds/milliseconds";

    #[test]
    fn reviews_fixture_maps_synonyms_and_reports_bad_rows() {
        let (items, errors) = all(&fixture("reviews.csv"));
        let ids: Vec<&str> = items.iter().map(|i| i.native_id.as_str()).collect();
        assert_eq!(ids, ["r1", "r2", "r5", "r7", "r10"]);
        let platforms = "unknown platform \"myspace\"; known: mastodon, bluesky, telegram, vk, youtube, facebook, \
                         instagram, google, google_play, file";
        assert_eq!(
            errors,
            errs(&[
                (6, "expected 12 fields, found 7"),
                (7, "rating out of range 1–5: \"9\""),
                (10, &format!("bad date \"вчера\" in Date{DATE_HINT}")),
                (12, platforms),
                (13, "native_id is empty"),
            ])
        );
        assert_eq!(
            items[0],
            NewItem {
                platform: Platform::Google,
                account: "file-stem".into(),
                kind: Kind::Review,
                native_id: "r1".into(),
                parent_native_id: None,
                root_native_id: None,
                post_native_id: None,
                author: Author {
                    id: "u-100".into(),
                    handle: Some("anna_k".into()),
                    name: Some("Анна Ковалёва".into()),
                    followers: None,
                },
                text: "Отличный сервис, спасибо!".into(),
                title: None,
                lang: Some("ru".into()),
                rating: Some(5),
                created_at: Timestamp::parse("2026-03-10T12:00:00Z").expect("date"),
                url: Some("https://g.page/r/1".into()),
                status: Status::New,
                tags: vec!["vip".into(), "delivery".into()],
                ours: false,
            }
        );
        // A quoted field over three lines, with a comma and doubled quotes.
        assert_eq!(
            items[1].text,
            "Первая строка\nвторая строка, с запятой\n\"цитата\" и конец"
        );
        assert_eq!(
            items[1].created_at,
            Timestamp::parse("2026-03-11T05:30:00Z").expect("date")
        );
        // No platform, no author id: file platform, the handle stands in for the id.
        assert_eq!(
            (
                items[2].platform,
                items[2].author.id.as_str(),
                items[2].text.as_str()
            ),
            (Platform::File, "walker", "")
        );
        assert_eq!(items[2].created_at, Timestamp(1_773_480_067_000));
        let zh = &items[3];
        assert_eq!(zh.text.as_bytes(), "服务很好，下次还来！".as_bytes());
        assert_eq!(
            (zh.rating, zh.author.name.as_deref(), zh.lang.as_deref()),
            (Some(4), Some("王芳"), Some("zh"))
        );
        let raw = std::fs::read(fixture("reviews.csv")).expect("read");
        assert!(raw.windows(zh.text.len()).any(|w| w == zh.text.as_bytes()));
    }

    #[test]
    fn semicolons_crlf_and_defaults() {
        let body = "ID;Text;Created At;Account;Kind;Followers;Status\r\n\
                    1;\"a;b\";2026-01-01;;;;\r\n\
                    2;x;2026-01-02;shop;mention;12;spam\r\n\
                    3;y;2026-01-03;;;-1;\r\n";
        let (_dir, path) = temp_file("semi.csv", body.as_bytes());
        let (items, errors) = all(&path);
        assert_eq!(
            errors,
            errs(&[(
                4,
                "followers must be a non-negative whole number, found \"-1\""
            )])
        );
        assert_eq!(items.len(), 2);
        assert_eq!(
            (
                items[0].text.as_str(),
                items[0].kind,
                items[0].account.as_str()
            ),
            ("a;b", Kind::Comment, "file-stem")
        );
        assert_eq!(items[0].author.id, "file:1");
        assert_eq!(
            (items[1].kind, items[1].status, items[1].author.followers),
            (Kind::Mention, Status::Spam, Some(12))
        );
        assert_eq!(items[1].account, "shop");
    }

    #[test]
    fn invalid_bytes_and_lone_surrogates_fail_only_their_row() {
        let (_dir, path) = temp_file(
            "bytes.csv",
            b"id,text,date\n1,ok,2026-01-01\n2,bad \xff,2026-01-01\n3,fine,2026-01-01\n",
        );
        let (items, errors) = all(&path);
        assert_eq!(
            errors,
            errs(&[(3, "invalid UTF-8 in column \"text\" at byte 5")])
        );
        assert_eq!(items.len(), 2);

        let mut units: Vec<u16> = "id,text,date\n1,A,2026-01-01\n2,Б,2026-01-01\n"
            .encode_utf16()
            .collect();
        let at = units.iter().position(|&u| u == u16::from(b'A')).expect("A");
        units[at] = 0xDC00;
        let mut bytes = vec![0xFE, 0xFF];
        bytes.extend(units.iter().flat_map(|u| u.to_be_bytes()));
        let (_dir, path) = temp_file("u16.csv", &bytes);
        let (items, errors) = all(&path);
        assert_eq!(errors, errs(&[(2, "invalid UTF-16: lone surrogate")]));
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].text, "Б");
    }

    #[test]
    fn a_runaway_quote_stops_the_import_with_its_line() {
        let mut body = String::from("id,text,date\n1,ok,2026-01-01\n2,\"never closed,2026-01-01\n");
        for i in 0..40_000 {
            body.push_str(&format!(
                "{i},some more text that is now inside the quote,2026-01-01\n"
            ));
        }
        let (_dir, path) = temp_file("runaway.csv", body.as_bytes());
        let (items, errors) = all(&path);
        assert_eq!(items.len(), 1);
        assert_eq!(
            errors,
            errs(&[(
                3,
                "record longer than 1 MiB (an unbalanced quote?); import stopped here"
            )])
        );
    }

    #[test]
    fn line_numbers_survive_blank_lines_crlf_and_multiline_fields() {
        for nl in ["\n", "\r\n"] {
            let body = [
                "id,text,date,rating",
                "",
                "1,ok,2026-01-01,9",
                "2,\"multi",
                "line\",2026-01-01,9",
                "",
                "",
                "3,x,2026-01-01,9",
            ]
            .join(nl);
            let (_dir, path) = temp_file("lines.csv", body.as_bytes());
            let (_, errors) = all(&path);
            let lines: Vec<usize> = errors.iter().map(|e| e.0).collect();
            assert_eq!(lines, [3, 4, 8], "{nl:?}");
        }
    }
}
